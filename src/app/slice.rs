//! The run in a Web Worker: the worker keeps its [`Sim`] (and the run's
//! checkpoints) between messages and answers each slice with what the page
//! draws: the departures for tokens, and now and then the marks, panels
//! and requests. A slice may stand at a lesson's marks on its way (a
//! snapshot at each, a pause at a timed action), or jump to an instant of
//! the run (the timeline); a live action or a what-if fork is made there.
//!
//! The engine never knows: the worker drives the [`Sim`] with the same code
//! as the page's fallback (`editor::drive`). Messages are the worker's
//! strings (`pool.rs`): a header line, then the body (a scenario, an [`Ask`]
//! or an [`Act`]).

use super::pool::{Answer, Finished};
use crate::editor::drive::{self, Seen, Series, Stop};
use crate::editor::requests::{RequestLog, RequestRow};
use crate::engine::fork::Intervention;
use crate::engine::format::{FaultSpec, Scenario};
use crate::engine::report::Report;
use crate::engine::timeline::Timeline;
use crate::engine::view::{Departure, LinkLive, NodeLive};
use crate::engine::{Sim, SimOptions};
use serde::{Deserialize, Serialize};
use std::cell::RefCell;

/// What the page asks of the worker's run for one slice.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Ask {
    /// Simulated time to reach (µs).
    pub target_us: u64,
    /// At most this many events (1 for Step).
    pub max_events: u64,
    /// Wall milliseconds the slice may take.
    pub budget_ms: f64,
    /// Send the departures (tokens are drawn); else they are dropped.
    pub tokens: bool,
    /// Send the live marks of nodes and links (and the faults active).
    pub marks: bool,
    /// Send the metrics and charts.
    pub panels: bool,
    /// Send the rows of the requests list.
    pub rows: bool,
    /// Instants to stand at on the way (a lesson's marks), in order.
    #[serde(default)]
    pub stops: Vec<Stop>,
    /// Jump to `target_us` from the run's checkpoints, backwards too (the
    /// timeline), instead of running on; what is still on the links then
    /// comes back as departures.
    #[serde(default)]
    pub seek: bool,
    /// Running to the end: fewer checkpoints on the way (see
    /// [`TO_END_SPACING`]).
    #[serde(default)]
    pub to_end: bool,
}

/// A live action, made in the worker at its run's current instant.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub enum Act {
    Fault(FaultSpec),
    /// Ends every fault active on the target.
    Recover(String),
    Change {
        target: String,
        field: String,
        value: serde_json::Value,
    },
    /// A what-if fork at the run's instant (answered with the branch).
    Fork(Intervention),
    /// A request's trace: kept, or rebuilt by replaying the run here.
    Trace(u64),
}

/// The worker's answer to a slice: where the run is and what was asked.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Sliced {
    pub now_us: u64,
    pub end_us: u64,
    pub events: u64,
    pub departures: Vec<Departure>,
    pub nodes: Option<Vec<NodeLive>>,
    pub links: Option<Vec<LinkLive>>,
    pub report: Option<Report>,
    pub series: Option<Series>,
    pub rows: Option<Vec<RequestRow>>,
    /// With the marks: the targets with a fault active now.
    pub faulted: Option<Vec<String>>,
    /// Once the run reached its end: what the page keeps of it.
    pub finished: Option<Box<Finished>>,
    /// What the run looked like at each stop it stood at, in order.
    #[serde(default)]
    pub seen: Vec<Seen>,
}

/// The worker's answer to a live action: the run's scenario, which now
/// records it (or why it was refused), and the run after it.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Acted {
    pub scenario: Scenario,
    pub refused: Option<String>,
    pub sliced: Sliced,
}

/// The live run a worker holds between messages.
struct Held {
    sim: Sim,
    rows: RequestLog,
    chunk: u64,
    /// Checkpoints of the run, for jumps back in time.
    timeline: Timeline,
    /// About the instant of the latest checkpoint (µs).
    noted_us: u64,
}

/// A run to the end keeps a checkpoint every this many of the timeline's
/// intervals (8 simulated seconds by default, not 2): cloning the whole run
/// for each took as long as running it (docs/PERFORMANCE.md), and the page
/// waits for the end. A jump then runs on at most this many intervals from
/// the checkpoint before it.
pub const TO_END_SPACING: u64 = 4;

thread_local! {
    static HELD: RefCell<Option<Held>> = const { RefCell::new(None) };
}

/// The worker's clock: `performance.now()` where there is one.
fn clock() -> impl Fn() -> f64 {
    use wasm_bindgen::JsCast;
    let get = |o: &wasm_bindgen::JsValue, k: &str| js_sys::Reflect::get(o, &k.into()).ok();
    let perf = get(&js_sys::global(), "performance").filter(|p| !p.is_undefined());
    let now = perf.as_ref().and_then(|p| get(p, "now")).and_then(|f| f.dyn_into::<js_sys::Function>().ok());
    move || match (&perf, &now) {
        (Some(p), Some(f)) => f.call0(p).ok().and_then(|v| v.as_f64()).unwrap_or_else(js_sys::Date::now),
        _ => js_sys::Date::now(),
    }
}

/// Starts the worker's live run of `scenario`, run on to `from_us` (a run
/// handed over from the page, or replayed after an undo), silently.
pub fn start(scenario: &Scenario, from_us: u64) -> Result<Answer, String> {
    let mut sim = Sim::new(scenario, SimOptions::interactive()).map_err(|e| e.to_string())?;
    let mut timeline = Timeline::new(SimOptions::interactive());
    timeline.note(&sim);
    if from_us > 0 {
        timeline.seek(&mut sim, from_us);
        sim.take_departures(&mut Vec::new());
    }
    let noted_us = sim.now_us();
    let mut held = Held { sim, rows: RequestLog::default(), chunk: 2_000, timeline, noted_us };
    // A run from zero has no figures yet: the marks alone (a big diagram's
    // report of zeros was most of this answer); the panels come with the
    // first refresh.
    let ask = Ask { marks: true, panels: from_us > 0, ..Ask::default() };
    let sliced = answer(&mut held, &ask, Vec::new());
    HELD.with(|h| *h.borrow_mut() = Some(held));
    Ok(Answer::Sliced(Box::new(sliced)))
}

/// Runs one slice of the held run (or jumps it to an instant).
pub fn slice(ask: &Ask) -> Result<Answer, String> {
    HELD.with(|h| {
        let mut h = h.borrow_mut();
        let held = h.as_mut().ok_or("this worker holds no run")?;
        let clock = clock();
        let deadline = clock() + ask.budget_ms;
        let goal = ask.target_us.min(held.sim.end_us());
        // A run to the end draws no tokens: the engine need not record them
        // (3-4% of its time there, docs/PERFORMANCE.md).
        held.sim.set_track_tokens(ask.tokens);
        let mut seen = Vec::new();
        if ask.seek {
            drive::seek(&mut held.sim, &mut held.timeline, goal, &ask.stops, &mut seen);
        } else if !held.sim.is_finished() {
            // A look (no events) leaves the run where it is.
            let max = ask.max_events;
            drive::advance_stopping(&mut held.sim, goal, &ask.stops, max, deadline, &mut held.chunk, &clock, &mut seen);
            let spacing = if ask.to_end { TO_END_SPACING } else { 1 };
            let now = held.sim.now_us();
            if now >= held.noted_us.saturating_add(held.timeline.every_us().saturating_mul(spacing)) {
                let kept = held.timeline.len();
                held.timeline.note(&held.sim);
                if held.timeline.len() != kept {
                    held.noted_us = now;
                }
            }
        }
        Ok(Answer::Sliced(Box::new(answer(held, ask, seen))))
    })
}

/// Makes a live action on the held run now.
pub fn act(what: Act) -> Result<Answer, String> {
    HELD.with(|h| {
        let mut h = h.borrow_mut();
        let held = h.as_mut().ok_or("this worker holds no run")?;
        match &what {
            Act::Fork(what) => return Ok(Answer::Forked(crate::engine::fork::fork(&held.sim, what))),
            Act::Trace(id) => {
                let sim = &held.sim;
                let t = sim.trace(*id).or_else(|| Sim::replay_trace(sim.scenario(), *id, sim.now_us()));
                return Ok(Answer::Traced(t.map(Box::new)));
            }
            _ => {}
        }
        let sim = &mut held.sim;
        let done = match what {
            Act::Fault(f) => sim.fault_now(f).map(|_| ()),
            Act::Recover(target) => {
                sim.active_faults(&target).into_iter().try_for_each(|i| sim.end_fault_now(i).map(|_| ()))
            }
            Act::Change { target, field, value } => sim.change_now(&target, &field, value).map(|_| ()),
            Act::Fork(_) | Act::Trace(_) => Ok(()),
        };
        if done.is_ok() {
            // The checkpoints are of the run without the action.
            held.timeline.clear();
            held.timeline.note(&held.sim);
            held.noted_us = held.sim.now_us();
        }
        let ask = Ask { tokens: true, marks: true, panels: true, ..Ask::default() };
        Ok(Answer::Acted(Box::new(Acted {
            scenario: held.sim.scenario().clone(),
            refused: done.err(),
            sliced: answer(held, &ask, Vec::new()),
        })))
    })
}

fn answer(held: &mut Held, ask: &Ask, seen: Vec<Seen>) -> Sliced {
    let sim = &mut held.sim;
    let mut departures = Vec::new();
    sim.take_departures(&mut departures);
    if !ask.tokens {
        departures.clear();
    }
    if ask.seek {
        // After a jump: the messages still on their links at this instant.
        let now = sim.now_us();
        departures.retain(|d| d.at_us.saturating_add(d.travel_us) >= now);
    }
    // A pause at a stop, or a jump, shows everything where the run stands.
    let full = ask.seek || seen.last().is_some_and(|_| ask.stops.iter().any(|s| s.pause && s.at_us == sim.now_us()));
    // A finished run's answer holds all it shows once, in `finished`.
    let finished = sim.is_finished().then(|| Box::new(super::pool::finished_of(sim, &mut held.rows)));
    let more = finished.is_none();
    let (marks, panels) = ((ask.marks || full) && more, (ask.panels || full) && more);
    let faulted = marks.then(|| {
        let mut v: Vec<String> = Vec::new();
        for f in &sim.scenario().faults {
            if !v.contains(&f.target) && !sim.active_faults(&f.target).is_empty() {
                v.push(f.target.clone());
            }
        }
        v
    });
    Sliced {
        now_us: sim.now_us(),
        end_us: sim.end_us(),
        events: sim.events(),
        departures,
        nodes: marks.then(|| sim.node_live()),
        links: marks.then(|| sim.link_live()),
        report: panels.then(|| sim.report()),
        series: panels.then(|| Series::of(sim)),
        rows: (ask.rows && more).then(|| held.rows.refresh(sim)),
        faulted,
        finished,
        seen,
    }
}
