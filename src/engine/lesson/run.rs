//! Running a lesson natively: each phase (the scenario, then after each
//! `set`) runs to its end, stopping at the marks its checks need, and every
//! check of the phase is judged. `tests/lessons.rs` and `crosstalk lesson`
//! use this; the app follows the same marks while it animates.

use super::spec::{Lesson, SetFn, Step};
use super::watch::{judge, marks_needed, Judgement, RunView, Snapshot, Verdict, Watch};
use crate::engine::format::Scenario;
use crate::engine::kernel::clock::Micros;
use crate::engine::{Sim, SimOptions};

/// The verdict of one observation step.
#[derive(Clone, Debug, PartialEq)]
pub struct CheckResult {
    /// 0-based step index.
    pub step: usize,
    pub phase: usize,
    pub text: String,
    pub check: String,
    pub judgement: Judgement,
}

/// Everything a native run of a lesson found.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct LessonRun {
    pub results: Vec<CheckResult>,
    /// Per phase, the run hash of A and (in a comparison) B.
    pub hashes: Vec<[Option<String>; 2]>,
}

impl LessonRun {
    pub fn passed(&self) -> bool {
        self.results.iter().all(|r| r.judgement.verdict == Verdict::Holds)
    }
}

/// The marks (µs) each variant's run stops at in phase `phase`: the checks'
/// windows and instants, and the timed actions (A only: actions act on the
/// scenario being edited).
pub fn phase_marks(lesson: &Lesson, phase: usize, scenarios: &[Option<Scenario>; 2]) -> [Vec<Micros>; 2] {
    let mut out: [Vec<Micros>; 2] = [Vec::new(), Vec::new()];
    for (i, step) in lesson.steps.iter().enumerate() {
        if lesson.phase_of(i) != phase {
            continue;
        }
        if let Step::Observe(o) = step {
            for (v, s) in scenarios.iter().enumerate() {
                if let Some(s) = s {
                    out[v].extend(marks_needed(&o.check, o.at_ms, s));
                }
            }
        }
    }
    out[0].extend(lesson.action_marks(phase).into_iter().map(|(_, t)| t));
    out
}

/// Runs `s` to its end, stopping at `marks`.
fn run_watched(s: &Scenario, marks: Vec<Micros>) -> Result<(Snapshot, Vec<Snapshot>, String), String> {
    let mut sim = Sim::new(s, SimOptions::default()).map_err(|e| e.to_string())?;
    let mut watch = Watch::new(marks);
    while !sim.is_finished() {
        let t = watch.next_stop_us().unwrap_or(sim.end_us());
        sim.advance_to(t, u64::MAX);
        watch.observe(&sim);
    }
    Ok((Snapshot::of(&sim), watch.snapshots, sim.run_hash_hex()))
}

/// Runs every phase of `lesson` natively and judges every check.
pub fn run_lesson(lesson: &Lesson, apply: SetFn) -> Result<LessonRun, String> {
    let mut out = LessonRun::default();
    for phase in 0..lesson.phases() {
        let scenarios = lesson.phase_scenarios(phase, apply)?;
        let marks = phase_marks(lesson, phase, &scenarios);
        let mut runs: [Option<(Snapshot, Vec<Snapshot>)>; 2] = [None, None];
        let mut hashes: [Option<String>; 2] = [None, None];
        for v in 0..2 {
            if let Some(s) = &scenarios[v] {
                let (now, snaps, hash) =
                    run_watched(s, marks[v].clone()).map_err(|e| format!("phase {}: {e}", phase + 1))?;
                runs[v] = Some((now, snaps));
                hashes[v] = Some(hash);
            }
        }
        let views: [Option<RunView>; 2] = [0, 1].map(|v| match (&scenarios[v], &runs[v]) {
            (Some(scenario), Some((now, marks))) => Some(RunView { scenario, now, marks, finished: true }),
            _ => None,
        });
        for (i, step) in lesson.steps.iter().enumerate() {
            let Step::Observe(o) = step else { continue };
            if lesson.phase_of(i) != phase {
                continue;
            }
            out.results.push(CheckResult {
                step: i,
                phase,
                text: o.text.clone(),
                check: o.check.source.clone(),
                judgement: judge(&o.check, o.at_ms, &views),
            });
        }
        out.hashes.push(hashes);
    }
    Ok(out)
}
