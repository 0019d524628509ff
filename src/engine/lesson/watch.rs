//! Watching a run for a lesson: the instants it must stop at, what it saw
//! there, and the verdict of each check.
//!
//! A mark at time T is the state after every event *before* T (the run
//! advanced to T − 1 µs), so a window `[a, b)` counts exactly the events
//! from a up to b, a crash at a included. The native runner and the app
//! stop at the same marks, so a step ticks in the browser exactly when the
//! golden test says it holds.

use super::cond::{eval_cond, Check, Metric, Window};
use super::metrics::{self, fmt_value, Lookup};
use crate::engine::format::{FaultKind, Scenario};
use crate::engine::kernel::clock::{ms_to_us, Micros};
use crate::engine::report::Report;
use crate::engine::view::NodeLive;
use crate::engine::Sim;

/// A run's state at one instant.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Snapshot {
    pub at_us: Micros,
    pub report: Report,
    /// Node states now, in scenario order.
    pub live: Vec<NodeLive>,
}

impl Snapshot {
    pub fn of(sim: &Sim) -> Snapshot {
        Snapshot { at_us: sim.now_us(), report: sim.report(), live: sim.node_live() }
    }
}

/// The run of one variant as a check sees it.
#[derive(Clone, Copy)]
pub struct RunView<'a> {
    pub scenario: &'a Scenario,
    /// The state now (the final one once finished).
    pub now: &'a Snapshot,
    /// Snapshots at marks, labelled with the mark's time (not the
    /// microsecond before it).
    pub marks: &'a [Snapshot],
    pub finished: bool,
}

impl RunView<'_> {
    fn end_us(&self) -> Micros {
        run_end_us(self.scenario)
    }

    /// The state at mark `t`: a snapshot taken there, the start, or the
    /// end once the run is over.
    fn at(&self, t: Micros) -> Option<Snapshot> {
        if t == 0 {
            return Some(Snapshot::default());
        }
        if t >= self.end_us() {
            return self.finished.then(|| self.now.clone());
        }
        self.marks.iter().find(|s| s.at_us == t).cloned()
    }
}

pub fn run_end_us(s: &Scenario) -> Micros {
    ms_to_us(s.duration_ms).max(1)
}

/// When a check is judged.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum JudgeAt {
    /// As soon as it holds (it can only grow true).
    Live,
    /// At this mark (µs).
    Mark(Micros),
    /// When the run ends.
    End,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    Holds,
    Fails,
    /// Not judged yet.
    Pending,
    /// The check names something that does not exist.
    Broken,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Judgement {
    pub verdict: Verdict,
    /// The values read, or why it could not be judged.
    pub detail: String,
}

impl Judgement {
    fn broken(detail: String) -> Judgement {
        Judgement { verdict: Verdict::Broken, detail }
    }
}

/// The time intervals `[from, to)` a window covers in `s`.
pub fn intervals(w: &Window, s: &Scenario) -> Result<Vec<(Micros, Micros)>, String> {
    let end = run_end_us(s);
    let clamp = |t: Micros| t.min(end);
    let faults = |id: &str, crash_only: bool| -> Result<Vec<(Micros, Micros)>, String> {
        if s.node(id).is_none() && s.link(id).is_none() {
            return Err(format!("`while {id} is ...`: the scenario has no node or link `{id}`"));
        }
        let mut v: Vec<(Micros, Micros)> = s
            .faults
            .iter()
            .filter(|f| f.target == id && (!crash_only || f.kind == FaultKind::Crash))
            .map(|f| {
                let from = ms_to_us(f.at_ms);
                let to = f.for_ms.map(|d| from.saturating_add(ms_to_us(d))).unwrap_or(end);
                (clamp(from), clamp(to))
            })
            .filter(|(a, b)| b > a)
            .collect();
        // A handful of faults: an insertion sort (no sort routine pulled
        // into the app's download for this).
        insertion_sort(&mut v);
        // Overlapping faults are one stretch of time.
        let mut merged: Vec<(Micros, Micros)> = Vec::new();
        for (a, b) in v {
            match merged.last_mut() {
                Some(last) if a <= last.1 => last.1 = last.1.max(b),
                _ => merged.push((a, b)),
            }
        }
        if merged.is_empty() {
            let what = if crash_only { "is never down (no crash fault on it" } else { "never has a fault (none on it" };
            return Err(format!("`{id}` {what} in the scenario)"));
        }
        Ok(merged)
    };
    match w {
        Window::Down(id) => faults(id, true),
        Window::Faulty(id) => faults(id, false),
        Window::During(a, b) => Ok(vec![(clamp(*a), clamp(*b))]),
        Window::After(a) => Ok(vec![(clamp(*a), end)]),
        Window::Before(b) => Ok(vec![(0, clamp(*b))]),
    }
}

/// When `check` (with an optional `at_ms`) is judged in scenario `s`.
pub fn judge_at(check: &Check, at_ms: Option<f64>, s: &Scenario) -> Result<JudgeAt, String> {
    let end = run_end_us(s);
    let point = |t: Micros| if t >= end { JudgeAt::End } else { JudgeAt::Mark(t) };
    if let Some(ms) = at_ms {
        let t = ms_to_us(ms);
        if let Some(w) = &check.window {
            let last = intervals(w, s)?.iter().map(|i| i.1).max().unwrap_or(0);
            if last > t {
                return Err(format!("its window ends at {} s, after `at_ms` {} s", last as f64 / 1e6, ms / 1000.0));
            }
        }
        return Ok(point(t));
    }
    match &check.window {
        Some(w) => Ok(point(intervals(w, s)?.iter().map(|i| i.1).max().unwrap_or(end))),
        None if check.is_monotone() => Ok(JudgeAt::Live),
        None => Ok(JudgeAt::End),
    }
}

/// The marks (µs, each before the end) a check needs snapshots at.
pub fn marks_needed(check: &Check, at_ms: Option<f64>, s: &Scenario) -> Vec<Micros> {
    let end = run_end_us(s);
    let mut out = Vec::new();
    if let Some(w) = &check.window {
        for (a, b) in intervals(w, s).unwrap_or_default() {
            out.push(a);
            out.push(b);
        }
    }
    if let Ok(JudgeAt::Mark(t)) = judge_at(check, at_ms, s) {
        out.push(t);
    }
    out.retain(|t| *t > 0 && *t < end);
    out
}

/// Every metric of `check` resolved against its variant's scenario.
fn resolve_all<'m>(check: &'m Check, views: &[Option<RunView>; 2]) -> Result<Vec<(&'m Metric, Lookup)>, String> {
    check
        .metrics()
        .into_iter()
        .map(|m| {
            let view = views[m.variant.index()].as_ref().ok_or_else(|| {
                format!("`{m}`: this lesson has no variant {}", m.variant.letter().to_ascii_uppercase())
            })?;
            let l = metrics::resolve(&m.path, view.scenario)?;
            if check.window.is_some() && !metrics::lookup_is_count(&l) {
                return Err(format!(
                    "`{m}` is not a count, so it has no value over a window; judge it at an instant with `at_ms`"
                ));
            }
            Ok((m, l))
        })
        .collect()
}

/// Checks that `check` names only things that exist and can be judged in
/// these variants' scenarios (what a lesson's loader and test run first).
pub fn verify(check: &Check, at_ms: Option<f64>, scenarios: [Option<&Scenario>; 2]) -> Result<(), String> {
    let empty = Snapshot::default();
    let views = scenarios.map(|s| s.map(|scenario| RunView { scenario, now: &empty, marks: &[], finished: false }));
    resolve_all(check, &views)?;
    for s in scenarios.iter().flatten() {
        judge_at(check, at_ms, s)?;
    }
    Ok(())
}

/// Per variant: when the check is judged, and the spans of its window.
type Plan = [Option<(JudgeAt, Vec<(Micros, Micros)>)>; 2];

/// Judges `check` on the runs so far.
pub fn judge(check: &Check, at_ms: Option<f64>, views: &[Option<RunView>; 2]) -> Judgement {
    let lookups = match resolve_all(check, views) {
        Ok(l) => l,
        Err(e) => return Judgement::broken(e),
    };
    // Per variant: the judging point, and the snapshots it reads.
    let mut plan: Plan = [None, None];
    for (m, _) in &lookups {
        let i = m.variant.index();
        if plan[i].is_some() {
            continue;
        }
        let Some(view) = &views[i] else { continue };
        let when = match judge_at(check, at_ms, view.scenario) {
            Ok(w) => w,
            Err(e) => return Judgement::broken(e),
        };
        let spans = match &check.window {
            Some(w) => match intervals(w, view.scenario) {
                Ok(v) => v,
                Err(e) => return Judgement::broken(e),
            },
            None => Vec::new(),
        };
        plan[i] = Some((when, spans));
    }
    let mut values: Vec<(String, f64)> = Vec::new();
    let mut missing = false;
    let read = |m: &Metric, l: &Lookup, values: &mut Vec<(String, f64)>| -> Option<f64> {
        let i = m.variant.index();
        let view = views[i].as_ref()?;
        let (when, spans) = plan[i].as_ref()?;
        let v = if check.window.is_some() {
            let mut sum = 0.0;
            for (a, b) in spans {
                let (Some(sa), Some(sb)) = (view.at(*a), view.at(*b)) else {
                    return None;
                };
                sum += match l {
                    Lookup::Seconds => (b - a) as f64 / 1e6,
                    _ => metrics::read(l, &sb) - metrics::read(l, &sa),
                };
            }
            sum
        } else {
            match when {
                JudgeAt::Live => metrics::read(l, view.now),
                JudgeAt::Mark(t) => metrics::read(l, &view.at(*t)?),
                JudgeAt::End if view.finished => metrics::read(l, view.now),
                JudgeAt::End => return None,
            }
        };
        values.push((m.to_string(), v));
        Some(v)
    };
    let lookup_of = |m: &Metric| lookups.iter().find(|(x, _)| *x == m).map(|(_, l)| l.clone());
    let result = eval_cond(&check.cond, &mut |m| {
        let l = lookup_of(m).ok_or("unresolved metric")?;
        match read(m, &l, &mut values) {
            Some(v) => Ok(v),
            None => {
                missing = true;
                Ok(f64::NAN)
            }
        }
    });
    let mut detail = detail_text(&values, check, &plan);
    if values.is_empty() {
        // Nothing read yet: say when it will be.
        let when = plan.iter().flatten().map(|(w, _)| *w).next();
        detail = match when {
            Some(JudgeAt::Mark(t)) => format!("judged at {} s", fmt_value(t as f64 / 1e6)),
            Some(JudgeAt::End) => "judged when the run ends".into(),
            _ => detail,
        };
    }
    let all_finished = lookups.iter().all(|(m, _)| views[m.variant.index()].as_ref().is_some_and(|v| v.finished));
    let live = plan.iter().flatten().all(|(w, _)| *w == JudgeAt::Live);
    let verdict = match result {
        _ if missing => Verdict::Pending,
        Ok(true) => Verdict::Holds,
        Ok(false) if live && !all_finished => Verdict::Pending,
        Ok(false) => Verdict::Fails,
        Err(_) if !all_finished => Verdict::Pending,
        Err(e) => return Judgement { verdict: Verdict::Fails, detail: format!("{detail} ({e})") },
    };
    Judgement { verdict, detail }
}

fn detail_text(values: &[(String, f64)], check: &Check, plan: &Plan) -> String {
    let mut seen: Vec<&str> = Vec::new();
    let mut parts = Vec::new();
    for (name, v) in values {
        if seen.contains(&name.as_str()) || v.is_nan() {
            continue;
        }
        seen.push(name);
        parts.push(format!("{name} = {}", fmt_value(*v)));
    }
    if parts.is_empty() {
        parts.push("not measured yet".into());
    }
    let mut text = parts.join(", ");
    if check.window.is_some() {
        if let Some((_, spans)) = plan.iter().flatten().next() {
            let s: Vec<String> = spans
                .iter()
                .map(|(a, b)| format!("{}–{} s", fmt_value(*a as f64 / 1e6), fmt_value(*b as f64 / 1e6)))
                .collect();
            text.push_str(&format!(" (over {})", s.join(", ")));
        }
    }
    text
}

/// Sorts the few items of a lesson's marks and windows.
fn insertion_sort<T: PartialOrd + Copy>(v: &mut [T]) {
    for i in 1..v.len() {
        let mut j = i;
        while j > 0 && v[j - 1] > v[j] {
            v.swap(j - 1, j);
            j -= 1;
        }
    }
}

/// Stops a run at marks and keeps what it saw there.
#[derive(Clone, Debug, Default)]
pub struct Watch {
    /// Mark times (µs), sorted, without duplicates.
    stops: Vec<Micros>,
    next: usize,
    pub snapshots: Vec<Snapshot>,
}

impl Watch {
    pub fn new(mut stops: Vec<Micros>) -> Watch {
        insertion_sort(&mut stops);
        stops.dedup();
        stops.retain(|t| *t > 0);
        Watch { stops, next: 0, snapshots: Vec::new() }
    }

    pub fn stops(&self) -> &[Micros] {
        &self.stops
    }

    /// Where the run must stop next: the microsecond before the next mark.
    pub fn next_stop_us(&self) -> Option<Micros> {
        self.stops.get(self.next).map(|t| t - 1)
    }

    /// The mark time the next stop belongs to.
    pub fn next_mark_us(&self) -> Option<Micros> {
        self.stops.get(self.next).copied()
    }

    /// Records every mark the run has reached. A mark passed without a stop
    /// exactly before it (a run stepped past it) is recorded where the run is.
    /// Returns the marks recorded.
    pub fn observe(&mut self, sim: &Sim) -> Vec<Micros> {
        self.observe_with(sim.now_us(), sim.is_finished(), || Snapshot::of(sim))
    }

    /// As [`Watch::observe`], from a snapshot taken where the run stands
    /// (`seen.at_us`; `finished`: the run is over), e.g. by a run elsewhere.
    pub fn observe_snapshot(&mut self, seen: &Snapshot, finished: bool) -> Vec<Micros> {
        self.observe_with(seen.at_us, finished, || seen.clone())
    }

    fn observe_with(&mut self, now_us: Micros, finished: bool, snapshot: impl Fn() -> Snapshot) -> Vec<Micros> {
        let mut hit = Vec::new();
        while let Some(&t) = self.stops.get(self.next) {
            if now_us + 1 < t && !finished {
                break;
            }
            let mut snap = snapshot();
            snap.at_us = t;
            self.snapshots.push(snap);
            self.next += 1;
            hit.push(t);
        }
        hit
    }

    /// The marks not reached yet, in order.
    pub fn ahead(&self) -> &[Micros] {
        self.stops.get(self.next..).unwrap_or(&[])
    }

    /// Forgets what it saw (the run starts again).
    pub fn restart(&mut self) {
        self.next = 0;
        self.snapshots.clear();
    }

    /// The run went back to `now_us`: the marks after it are seen again
    /// as the run passes them (what was seen before them stays).
    pub fn rewind(&mut self, now_us: Micros) {
        self.next = self.stops.partition_point(|&t| t <= now_us);
        self.snapshots.retain(|s| s.at_us <= now_us);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::format::{load, Scenario};
    use crate::engine::SimOptions;

    fn scenario() -> Scenario {
        load::load(
            r#"{"crosstalk":1,"seed":3,"duration_ms":10000,
            "nodes":[{"id":"app","kind":"client","rate_per_s":100,"arrival":"uniform"},
                     {"id":"pay","kind":"service","workers":4,"work_ms":1}],
            "links":[{"id":"l1","from":"app","to":"pay","via":"http","timeout_ms":100}],
            "faults":[{"target":"pay","kind":"crash","at_ms":4000,"for_ms":2000}]}"#,
        )
        .unwrap()
    }

    fn run(s: &Scenario, checks: &[(&str, Option<f64>)]) -> Vec<Judgement> {
        let parsed: Vec<Check> = checks.iter().map(|(t, _)| Check::parse(t).unwrap()).collect();
        let mut stops = Vec::new();
        for (c, (_, at)) in parsed.iter().zip(checks) {
            stops.extend(marks_needed(c, *at, s));
        }
        let mut watch = Watch::new(stops);
        let mut sim = Sim::new(s, SimOptions::default()).unwrap();
        while !sim.is_finished() {
            let t = watch.next_stop_us().unwrap_or(sim.end_us());
            sim.advance_to(t, u64::MAX);
            watch.observe(&sim);
        }
        let now = Snapshot::of(&sim);
        let view = RunView { scenario: s, now: &now, marks: &watch.snapshots, finished: true };
        parsed.iter().zip(checks).map(|(c, (_, at))| judge(c, *at, &[Some(view), None])).collect()
    }

    #[test]
    fn windows_count_what_happened_inside_them() {
        let s = scenario();
        let j = run(
            &s,
            &[
                // 100/s uniform: 200 requests arrive in the 2 s outage, and
                // none of them succeeds.
                ("requests.ok == 0 while pay is down", None),
                ("requests.started == 200 while pay is down", None),
                ("requests.ok >= 395 during 0s..4s", None),
                ("run.seconds == 2 while pay is down", None),
                ("nodes.pay.down == 1", Some(5000.0)),
                ("nodes.pay.down == 0", None),
                ("requests.ok > 700", None),
            ],
        );
        for (i, x) in j.iter().enumerate() {
            assert_eq!(x.verdict, Verdict::Holds, "check {i}: {}", x.detail);
        }
        assert!(j[0].detail.contains("requests.ok = 0 (over 4–6 s)"), "{}", j[0].detail);
    }

    #[test]
    fn what_does_not_exist_is_broken_with_a_message() {
        let s = scenario();
        let j = run(
            &s,
            &[
                ("requests.ok == 0 while sms is down", None),
                ("requests.ok == 0 while app is down", None),
                ("nodes.pay.latency_ms.p99 > 0 while pay is down", None),
                ("b.requests.ok > 0", None),
                ("nodes.sms.failed == 0", None),
            ],
        );
        assert!(j.iter().all(|x| x.verdict == Verdict::Broken), "{j:?}");
        assert!(j[0].detail.contains("no node or link `sms`"));
        assert!(j[1].detail.contains("never down"));
        assert!(j[2].detail.contains("not a count"));
        assert!(j[3].detail.contains("no variant B"));
        assert!(j[4].detail.contains("no node `sms`"));
    }

    #[test]
    fn checks_wait_for_their_moment() {
        let s = scenario();
        let now = Snapshot::default();
        let view = RunView { scenario: &s, now: &now, marks: &[], finished: false };
        let c = Check::parse("nodes.pay.failed == 0").unwrap();
        assert_eq!(judge(&c, None, &[Some(view), None]).verdict, Verdict::Pending, "judged at the end");
        let c = Check::parse("requests.ok > 10").unwrap();
        assert_eq!(judge(&c, None, &[Some(view), None]).verdict, Verdict::Pending, "not yet");
        let c = Check::parse("requests.ok >= 0").unwrap();
        assert_eq!(judge(&c, None, &[Some(view), None]).verdict, Verdict::Holds, "live checks tick at once");
    }

    #[test]
    fn a_run_taken_back_sees_its_later_marks_again_with_the_same_values() {
        let s = scenario();
        let mut watch = Watch::new(vec![2_000_000, 5_000_000, 8_000_000]);
        let mut sim = Sim::new(&s, SimOptions::default()).unwrap();
        let pass = |watch: &mut Watch, sim: &mut Sim| {
            while !sim.is_finished() {
                let t = watch.next_stop_us().unwrap_or(sim.end_us());
                sim.advance_to(t, u64::MAX);
                watch.observe(sim);
            }
        };
        pass(&mut watch, &mut sim);
        let first: Vec<u64> = watch.snapshots.iter().map(|x| x.at_us).collect();
        assert_eq!(first, [2_000_000, 5_000_000, 8_000_000]);
        let seen = watch.snapshots.clone();
        // Back to 3 s (as the timeline does: the run from zero to there).
        watch.rewind(3_000_000);
        assert_eq!(watch.next_mark_us(), Some(5_000_000), "the marks after 3 s come again");
        assert_eq!(watch.snapshots.len(), 1, "what was seen before 3 s stays");
        let mut again = Sim::new(&s, SimOptions::default()).unwrap();
        again.advance_to(3_000_000, u64::MAX);
        pass(&mut watch, &mut again);
        assert_eq!(watch.snapshots, seen, "the same run: the same values at the same marks");
    }
}
