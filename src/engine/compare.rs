//! Comparing two runs (A/B): the rows of the diff table and what differs
//! between the two scenarios.
//!
//! Both runs use the same seed, and every node and link draws from its own
//! random stream (MODEL.md), so A and B see the same arrivals and the same
//! work times wherever their designs agree: a difference in the table is
//! the design's, not luck's. The app's comparison view and, later, the
//! what-if forks of a run read this.

use crate::engine::format::Scenario;
use crate::engine::report::{NodeReport, Report};
use serde_json::Value;

/// Which way is better for a metric.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Better {
    Higher,
    Lower,
    /// Neither (counts of work, sizes).
    Neither,
}

/// One row of the diff table. `None` where a run has no such metric (a
/// node that exists only in one variant).
#[derive(Clone, Debug, PartialEq)]
pub struct DiffRow {
    /// The section it belongs to ("Requests", a node's label...).
    pub group: String,
    pub metric: String,
    pub a: Option<f64>,
    pub b: Option<f64>,
    pub unit: &'static str,
    pub better: Better,
}

/// How B compares with A on one row.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    Same,
    Better,
    Worse,
    /// Different, and neither direction is better.
    Different,
}

impl DiffRow {
    /// B minus A.
    pub fn delta(&self) -> Option<f64> {
        Some(self.b? - self.a?)
    }

    pub fn verdict(&self) -> Verdict {
        let Some(d) = self.delta() else { return Verdict::Different };
        let scale = self.a.unwrap_or(0.0).abs().max(self.b.unwrap_or(0.0).abs()).max(1e-9);
        if d.abs() <= 1e-9 * scale {
            return Verdict::Same;
        }
        match (self.better, d > 0.0) {
            (Better::Neither, _) => Verdict::Different,
            (Better::Higher, true) | (Better::Lower, false) => Verdict::Better,
            _ => Verdict::Worse,
        }
    }

    /// The change as people read it: "+12 (+4.5%)", "−3.2 ms", "=".
    pub fn change_text(&self) -> String {
        let Some(d) = self.delta() else { return "—".into() };
        if self.verdict() == Verdict::Same {
            return "=".into();
        }
        let sign = if d > 0.0 { "+" } else { "−" };
        let mut text = format!("{sign}{}{}", fmt(d.abs()), self.unit_suffix());
        if let Some(a) = self.a.filter(|a| *a != 0.0 && self.unit != "%") {
            let pct = d / a.abs() * 100.0;
            let pct = if pct.abs() >= 10.0 { format!("{:.0}", pct.abs()) } else { format!("{:.1}", pct.abs()) };
            text.push_str(&format!(" ({sign}{pct}%)"));
        }
        text
    }

    pub fn a_text(&self) -> String {
        self.a.map(|v| format!("{}{}", fmt(v), self.unit_suffix())).unwrap_or_else(|| "—".into())
    }

    pub fn b_text(&self) -> String {
        self.b.map(|v| format!("{}{}", fmt(v), self.unit_suffix())).unwrap_or_else(|| "—".into())
    }

    fn unit_suffix(&self) -> String {
        match self.unit {
            "" => String::new(),
            "%" => "%".into(),
            u => format!(" {u}"),
        }
    }
}

fn fmt(v: f64) -> String {
    crate::engine::lesson::metrics::fmt_value(v)
}

fn row(group: &str, metric: &str, a: Option<f64>, b: Option<f64>, unit: &'static str, better: Better) -> DiffRow {
    DiffRow { group: group.to_string(), metric: metric.to_string(), a, b, unit, better }
}

/// The diff table of two runs: headline rows first, then each node's rows
/// that differ (nodes of both variants in A's order, then B's own).
pub fn diff(sa: &Scenario, a: &Report, sb: &Scenario, b: &Report) -> Vec<DiffRow> {
    let mut rows = Vec::new();
    let rate = |r: &Report| (r.requests.started > 0).then(|| r.requests.ok as f64 / r.requests.started as f64 * 100.0);
    let per_s = |r: &Report| (r.sim_ms > 0.0).then(|| r.requests.ok as f64 / (r.sim_ms / 1000.0));
    let g = "Requests";
    rows.push(row(g, "Succeeded", Some(rate(a).unwrap_or(0.0)), Some(rate(b).unwrap_or(0.0)), "%", Better::Higher));
    rows.push(row(g, "OK per second", per_s(a), per_s(b), "/s", Better::Higher));
    for (name, fa, fb, better) in [
        ("Started", a.requests.started, b.requests.started, Better::Neither),
        ("OK", a.requests.ok, b.requests.ok, Better::Higher),
        ("Failed", a.requests.failed, b.requests.failed, Better::Lower),
        ("Timed out", a.requests.timed_out, b.requests.timed_out, Better::Lower),
    ] {
        rows.push(row(g, name, Some(fa as f64), Some(fb as f64), "", better));
    }
    // The latency the results panel headlines: at the browsers when the
    // flow ends there, else at the busiest client.
    let lat = |s: &Scenario, r: &Report| crate::engine::headline::headline(s, r).map(|h| h.latency);
    let (la, lb) = (lat(sa, a), lat(sb, b));
    let g = "Latency users feel";
    for (name, f) in [
        ("p50", (|p: &crate::engine::report::Percentiles| p.p50) as fn(&_) -> f64),
        ("p95", |p| p.p95),
        ("p99", |p| p.p99),
        ("Mean", |p| p.mean),
    ] {
        rows.push(row(g, name, la.as_ref().map(f), lb.as_ref().map(f), "ms", Better::Lower));
    }
    let g = "Messages";
    let (ma, mb) = (&a.messages, &b.messages);
    for (name, fa, fb, better) in [
        ("Sent", ma.sent, mb.sent, Better::Neither),
        ("Delivered", ma.delivered, mb.delivered, Better::Higher),
        ("Lost", ma.lost, mb.lost, Better::Lower),
        ("Rejected", ma.rejected, mb.rejected, Better::Lower),
        ("Dead-lettered", ma.dead_lettered, mb.dead_lettered, Better::Lower),
        ("Duplicates", ma.duplicates, mb.duplicates, Better::Lower),
    ] {
        rows.push(row(g, name, Some(fa as f64), Some(fb as f64), "", better));
    }
    let mut ids: Vec<&str> = sa.nodes.iter().map(|n| n.id.as_str()).collect();
    ids.extend(sb.nodes.iter().map(|n| n.id.as_str()).filter(|id| sa.node(id).is_none()));
    for id in ids {
        let (na, nb) = (a.nodes.get(id), b.nodes.get(id));
        let label = sa.node(id).or(sb.node(id)).map(|n| n.display_name().to_string()).unwrap_or(id.to_string());
        node_rows(&mut rows, &label, na, nb);
    }
    rows
}

fn node_rows(rows: &mut Vec<DiffRow>, label: &str, na: Option<&NodeReport>, nb: Option<&NodeReport>) {
    type Pick = fn(&NodeReport) -> f64;
    let fields: [(&str, Pick, &'static str, Better); 8] = [
        ("Arrivals", |n| n.arrivals as f64, "", Better::Neither),
        ("Completed", |n| n.completed as f64, "", Better::Higher),
        ("Failed", |n| n.failed as f64, "", Better::Lower),
        ("Rejected", |n| n.rejected as f64, "", Better::Lower),
        ("Lost", |n| n.lost as f64, "", Better::Lower),
        ("p99 latency", |n| n.latency_ms.p99, "ms", Better::Lower),
        ("Busy", |n| n.utilization * 100.0, "%", Better::Neither),
        ("Longest queue", |n| n.queue_len.max, "", Better::Lower),
    ];
    for (name, pick, unit, better) in fields {
        let r = row(label, name, na.map(pick), nb.map(pick), unit, better);
        // A node's rows appear where they say something: they differ, or
        // the node exists in one variant only (then its arrivals say so).
        let one_sided = na.is_none() || nb.is_none();
        if (one_sided && name == "Arrivals") || (!one_sided && r.verdict() != Verdict::Same) {
            rows.push(r);
        }
    }
}

/// What B changes relative to A, one line each: nodes and links added or
/// removed, fields that differ (by the format's names), faults, seed.
pub fn scenario_changes(a: &Scenario, b: &Scenario) -> Vec<String> {
    let mut out = Vec::new();
    // Through the JSON text: the code that writes share links already
    // serializes scenarios to text, and parsing a Value is there too.
    let json = |v: &Scenario| serde_json::from_str::<Value>(&v.to_json()).unwrap_or(Value::Null);
    let (ja, jb) = (json(a), json(b));
    for (what, key) in [("node", "nodes"), ("link", "links")] {
        let items = |j: &Value| -> Vec<(String, Value)> {
            j.get(key)
                .and_then(Value::as_array)
                .map(|v| {
                    v.iter()
                        .map(|x| (x.get("id").and_then(Value::as_str).unwrap_or("").to_string(), x.clone()))
                        .collect()
                })
                .unwrap_or_default()
        };
        let (ia, ib) = (items(&ja), items(&jb));
        for (id, x) in &ia {
            match ib.iter().find(|(i, _)| i == id) {
                None => out.push(format!("{what} `{id}` only in A")),
                Some((_, y)) => field_changes(&mut out, &format!("{what} `{id}`"), x, y),
            }
        }
        for (id, _) in ib.iter().filter(|(i, _)| !ia.iter().any(|(j, _)| j == i)) {
            out.push(format!("{what} `{id}` only in B"));
        }
    }
    // Faults and scheduled changes (a what-if fork adds one): each that
    // only one side has, with its time.
    let secs = |ms: f64| format!("{:.1} s", ms / 1000.0);
    let fault = |f: &crate::engine::format::FaultSpec| {
        let until = f.for_ms.map_or(" to the end".to_string(), |l| format!(" for {}", secs(l)));
        // ASCII lowercase: the kinds are ASCII, and the Unicode case tables
        // would add ~11 KiB to the download.
        format!("{} `{}` from {}{until}", format!("{:?}", f.kind).to_ascii_lowercase(), f.target, secs(f.at_ms))
    };
    for (side, x, y) in [("A", a, b), ("B", b, a)] {
        for f in x.faults.iter().filter(|f| !y.faults.contains(f)) {
            out.push(format!("fault only in {side}: {}", fault(f)));
        }
        for c in x.changes.iter().filter(|c| !y.changes.contains(c)) {
            out.push(format!("change only in {side}: at {}, `{}` {} → {}", secs(c.at_ms), c.target, c.field, c.value));
        }
    }
    if a.seed != b.seed {
        out.push(format!("seed {} in A, {} in B: the runs do not share their random numbers", a.seed, b.seed));
    }
    if a.duration_ms != b.duration_ms {
        out.push(format!("duration {} ms in A, {} ms in B", a.duration_ms, b.duration_ms));
    }
    out
}

/// Fields of one node or link that differ, ignoring where it is drawn.
fn field_changes(out: &mut Vec<String>, who: &str, a: &Value, b: &Value) {
    let (Some(oa), Some(ob)) = (a.as_object(), b.as_object()) else { return };
    // A's fields in order, then those only B sets.
    for k in oa.keys().chain(ob.keys().filter(|k| !oa.contains_key(*k))) {
        if matches!(k.as_str(), "x" | "y" | "label") {
            continue;
        }
        let (va, vb) = (oa.get(k), ob.get(k));
        if va != vb {
            let show = |v: Option<&Value>| v.map(|v| v.to_string()).unwrap_or_else(|| "(default)".into());
            out.push(format!("{who}: {k} {} → {}", show(va), show(vb)));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::format::load;
    use crate::engine::{Sim, SimOptions};

    fn run(s: &Scenario) -> Report {
        let mut sim = Sim::new(s, SimOptions::default()).unwrap();
        sim.run_to_end();
        sim.report()
    }

    fn pair() -> (Scenario, Scenario) {
        let a = load::load(
            r#"{"crosstalk":1,"seed":4,"duration_ms":10000,
            "nodes":[{"id":"u","kind":"client","rate_per_s":50},{"id":"api","kind":"service","workers":4,"work_ms":5},
                     {"id":"slow","kind":"service","workers":4,"work_ms":50}],
            "links":[{"id":"l1","from":"u","to":"api","via":"http"},{"id":"l2","from":"api","to":"slow","via":"http"}]}"#,
        )
        .unwrap();
        let mut b = a.clone();
        b.nodes[1].workers = Some(16);
        (a, b)
    }

    #[test]
    fn the_same_design_differs_in_nothing() {
        let (a, _) = pair();
        let r = run(&a);
        let rows = diff(&a, &r, &a, &r);
        assert!(rows.iter().all(|r| r.verdict() == Verdict::Same), "{rows:?}");
        assert!(scenario_changes(&a, &a).is_empty());
    }

    #[test]
    fn more_workers_show_as_better_latency_with_the_same_arrivals() {
        let (a, b) = pair();
        let (ra, rb) = (run(&a), run(&b));
        let rows = diff(&a, &ra, &b, &rb);
        let find = |g: &str, m: &str| rows.iter().find(|r| r.group == g && r.metric == m).unwrap().clone();
        // Common random numbers: the client's arrivals are the very same.
        assert_eq!(find("Requests", "Started").verdict(), Verdict::Same);
        let p99 = find("Latency users feel", "p99");
        assert_eq!(p99.verdict(), Verdict::Better, "{p99:?}");
        assert!(p99.change_text().starts_with('−'), "{}", p99.change_text());
        assert_eq!(scenario_changes(&a, &b), vec!["node `api`: workers 4 → 16".to_string()]);
    }

    #[test]
    fn the_latency_users_feel_is_the_one_the_results_headline() {
        // LeetCode ends at the browsers: users feel submit to verdict on
        // screen (hundreds of ms), not the submit call (a few ms).
        let s = load(include_str!("../editor/examples/leetcode.json")).unwrap();
        let r = run(&s);
        let felt = crate::engine::headline::headline(&s, &r).unwrap();
        assert!(felt.first_hop.as_ref().is_some_and(|(_, hop)| hop.p50 < 50.0) && felt.latency.p50 > 100.0);
        let rows = diff(&s, &r, &s, &r);
        let p50 = rows.iter().find(|r| r.group == "Latency users feel" && r.metric == "p50").unwrap();
        assert_eq!(p50.a, Some(felt.latency.p50));
    }

    #[test]
    fn a_forks_change_and_fault_are_listed_with_their_time() {
        let a = load(
            r#"{"crosstalk":1,"nodes":[{"id":"api","kind":"service"}],
            "faults":[{"target":"api","kind":"crash","at_ms":1000,"for_ms":500}]}"#,
        )
        .unwrap();
        let mut b = a.clone();
        b.faults[0].for_ms = Some(200.0);
        b.changes.push(crate::engine::format::ChangeSpec {
            at_ms: 20_000.0,
            target: "api".into(),
            field: "workers".into(),
            value: serde_json::json!(40),
        });
        assert_eq!(
            scenario_changes(&a, &b),
            vec![
                "fault only in A: crash `api` from 1.0 s for 0.5 s".to_string(),
                "fault only in B: crash `api` from 1.0 s for 0.2 s".to_string(),
                "change only in B: at 20.0 s, `api` workers → 40".to_string(),
            ]
        );
    }

    #[test]
    fn changes_read_like_people_write_them() {
        let r = row("g", "OK", Some(200.0), Some(250.0), "", Better::Higher);
        assert_eq!(r.change_text(), "+50 (+25%)");
        assert_eq!(r.verdict(), Verdict::Better);
        let r = row("g", "p99", Some(100.0), Some(99.0), "ms", Better::Lower);
        assert_eq!(r.change_text(), "−1 ms (−1.0%)");
        let r = row("g", "Arrivals", None, Some(5.0), "", Better::Neither);
        assert_eq!(r.change_text(), "—");
        assert_eq!(r.a_text(), "—");
    }
}
