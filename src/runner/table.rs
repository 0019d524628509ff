//! The runner's human output: a header, one row per node, the message
//! ledger and the client requests.

use crate::engine::format::Scenario;
use crate::engine::report::Report;

/// Keeps only printable characters (labels are user text; a terminal must
/// not interpret them).
fn printable(s: &str) -> String {
    s.chars().filter(|c| !c.is_control()).collect()
}

fn num(v: f64) -> String {
    if v == 0.0 {
        "0".into()
    } else if v.abs() >= 100.0 {
        format!("{v:.0}")
    } else if v.abs() >= 1.0 {
        format!("{v:.1}")
    } else {
        format!("{v:.3}")
    }
}

/// Rows as columns: the first two left-aligned, numbers right-aligned.
fn push_table(out: &mut String, rows: &[Vec<String>]) {
    let cols = rows.first().map_or(0, Vec::len);
    let widths: Vec<usize> =
        (0..cols).map(|c| rows.iter().map(|r| r.get(c).map_or(0, |v| v.chars().count())).max().unwrap_or(0)).collect();
    for row in rows {
        let cells: Vec<String> = row
            .iter()
            .enumerate()
            .map(|(c, v)| if c < 2 { format!("{v:<w$}", w = widths[c]) } else { format!("{v:>w$}", w = widths[c]) })
            .collect();
        out.push_str(cells.join("  ").trim_end());
        out.push('\n');
    }
}

pub fn render(s: &Scenario, r: &Report) -> String {
    let mut out = String::new();
    let name = if s.name.is_empty() { "(unnamed scenario)".to_string() } else { printable(&s.name) };
    out.push_str(&format!(
        "{name}\nseed {}  simulated {} ms  events {}  run hash {}\n\n",
        r.seed, r.sim_ms, r.events, r.run_hash
    ));
    let header = [
        "node",
        "kind",
        "arrivals",
        "done",
        "failed",
        "rejected",
        "work lost",
        "p50 ms",
        "p95 ms",
        "p99 ms",
        "wait ms",
        "queue avg",
        "queue max",
        "util",
    ];
    let mut rows: Vec<Vec<String>> = vec![header.iter().map(|h| h.to_string()).collect()];
    for n in &s.nodes {
        let Some(m) = r.nodes.get(&n.id) else {
            continue;
        };
        rows.push(vec![
            printable(&n.id),
            m.kind.clone(),
            m.arrivals.to_string(),
            m.completed.to_string(),
            m.failed.to_string(),
            m.rejected.to_string(),
            m.lost.to_string(),
            num(m.latency_ms.p50),
            num(m.latency_ms.p95),
            num(m.latency_ms.p99),
            num(m.wait_ms.mean),
            num(m.queue_len.mean),
            num(m.queue_len.max),
            format!("{:.0}%", m.utilization * 100.0),
        ]);
    }
    out.push_str("work at each node:\n");
    push_table(&mut out, &rows);
    // The ledger's rows: the messages sent to each node, which add up to
    // the totals below (as in the app's node table).
    let mut rows: Vec<Vec<String>> = vec![[
        "node",
        "kind",
        "sent",
        "delivered",
        "failed",
        "timed out",
        "rejected",
        "dead-lettered",
        "dropped",
        "lost",
        "in flight",
        "duplicates",
    ]
    .iter()
    .map(|h| h.to_string())
    .collect()];
    let mut clients: Vec<Vec<String>> =
        vec![["client", "", "sent", "ok", "failed", "timed out", "in flight"].iter().map(|h| h.to_string()).collect()];
    for n in &s.nodes {
        let Some(m) = r.nodes.get(&n.id) else {
            continue;
        };
        let c = &m.messages;
        rows.push(
            [
                c.sent,
                c.delivered,
                c.failed,
                c.timed_out,
                c.rejected,
                c.dead_lettered,
                c.dropped,
                c.lost,
                c.in_flight,
                c.duplicates,
            ]
            .iter()
            .fold(vec![printable(&n.id), m.kind.clone()], |mut row, v| {
                row.push(v.to_string());
                row
            }),
        );
        if let Some(q) = &m.requests {
            clients.push(vec![
                printable(&n.id),
                String::new(),
                q.started.to_string(),
                q.ok.to_string(),
                q.failed.to_string(),
                q.timed_out.to_string(),
                q.in_flight.to_string(),
            ]);
        }
    }
    out.push_str("\nmessages to each node (over its incoming links), by how they ended:\n");
    push_table(&mut out, &rows);
    let m = &r.messages;
    out.push_str(&format!(
        "messages: sent {}  delivered {}  failed {}  timed out {}  rejected {}  dead-lettered {}  dropped {}  lost {}  in flight {}  duplicates {}\n",
        m.sent, m.delivered, m.failed, m.timed_out, m.rejected, m.dead_lettered, m.dropped, m.lost, m.in_flight, m.duplicates
    ));
    if m.expired + m.deduplicated > 0 {
        out.push_str(&format!("          expired {}  deduplicated {}\n", m.expired, m.deduplicated));
    }
    out.push_str("\nrequests by client, end to end:\n");
    push_table(&mut out, &clients);
    let q = &r.requests;
    out.push_str(&format!(
        "requests: started {}  ok {}  failed {}  timed out {}  in flight {}\n",
        q.started, q.ok, q.failed, q.timed_out, q.in_flight
    ));
    for (id, b) in &r.breakers {
        let changes: Vec<String> = b.transitions.iter().map(|(t, s)| format!("{s} at {t} ms")).collect();
        out.push_str(&format!(
            "breaker {}: {} now, {} calls refused{}{}\n",
            printable(id),
            b.state,
            b.rejected,
            if changes.is_empty() { "" } else { "; " },
            changes.join(", ")
        ));
    }
    for (id, n) in &r.nodes {
        if !n.extra.is_empty() {
            let parts: Vec<String> = n.extra.iter().map(|(k, v)| format!("{k} {}", num(*v))).collect();
            out.push_str(&format!("{}: {}\n", printable(id), parts.join("  ")));
        }
    }
    for g in &r.groups {
        out.push_str(&format!(
            "group {}/{}: {} of {} members up, {} partitions, lag now {}, mean {}, max {}\n",
            printable(&g.topic),
            printable(&g.group),
            g.live_members,
            g.members,
            g.partitions,
            g.lag_now,
            num(g.lag.mean),
            num(g.lag.max)
        ));
    }
    if let Some(why) = &r.stopped {
        out.push_str(&format!("\n{why}\n"));
    }
    out
}
