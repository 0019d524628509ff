//! What-if forks: the same run up to a moment, then one change.
//!
//! A fork is an ordinary scenario: the original plus one scheduled change
//! or fault at the fork's instant, written exactly as a live action would
//! be (at [`Sim::live_at_us`], so it runs after every event the original
//! had run by then and before any other). Run from zero, the branch is
//! therefore the original event for event up to the fork, and `crosstalk
//! run` reproduces it like any scenario.

use crate::engine::format::{FaultKind, FaultSpec, Scenario};
use crate::engine::kernel::clock::us_to_ms;
use crate::engine::Sim;
use serde_json::Value;

/// One intervention at the fork's instant.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub enum Intervention {
    /// A node's or link's field takes a new value (a scheduled change).
    Change { target: String, field: String, value: Value },
    /// A fault starts on `target` and lasts until the end.
    Fault { target: String, kind: FaultKind },
    /// The faults active on `target` end.
    Recover { target: String },
}

impl Intervention {
    /// Says what it does, for the comparison's label: "crash api".
    pub fn describe(&self) -> String {
        match self {
            Intervention::Change { target, field, value } => format!("{target} {field} = {value}"),
            Intervention::Fault { target, kind } => format!("{} {target}", fault_verb(*kind)),
            Intervention::Recover { target } => format!("recover {target}"),
        }
    }
}

fn fault_verb(kind: FaultKind) -> &'static str {
    match kind {
        FaultKind::Crash => "crash",
        FaultKind::Slow => "slow down",
        FaultKind::Errors => "fail half the calls of",
        _ => "cut off",
    }
}

/// The fault an intervention starts: visible settings, as the live
/// buttons use (five times slower, half the requests failing).
fn fault_spec(target: &str, kind: FaultKind) -> FaultSpec {
    FaultSpec {
        target: target.to_string(),
        kind,
        at_ms: 0.0,
        for_ms: None,
        factor: (kind == FaultKind::Slow).then_some(5.0),
        rate: (kind == FaultKind::Errors).then_some(0.5),
    }
}

/// The branch of `at`'s run with `what` applied at `at`'s instant, as a
/// scenario (named after the change), and that instant in milliseconds;
/// or why the intervention is refused, naming the node, link or field.
pub fn fork(at: &Sim, what: &Intervention) -> Result<(Scenario, f64), String> {
    if at.is_finished() {
        return Err("the run is over at this point: move the timeline back to fork it".into());
    }
    let mut branch = at.clone();
    let when = us_to_ms(branch.live_at_us());
    match what {
        Intervention::Change { target, field, value } => {
            branch.change_now(target, field, value.clone())?;
        }
        Intervention::Fault { target, kind } => {
            branch.fault_now(fault_spec(target, *kind))?;
        }
        Intervention::Recover { target } => {
            let active = branch.active_faults(target);
            if active.is_empty() {
                return Err(format!("no fault is active on `{target}` at {:.1} s", when / 1000.0));
            }
            for i in active {
                branch.end_fault_now(i)?;
            }
        }
    }
    let mut s = branch.scenario().clone();
    let base = if s.name.is_empty() { "Scenario".to_string() } else { s.name.clone() };
    s.name = format!("{base} — what if {} at {:.1} s", what.describe(), when / 1000.0);
    Ok((s, when))
}
