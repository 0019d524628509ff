//! A slice of a run: the engine advanced toward a target until it gets
//! there or a wall-time budget is spent. One API for both places a run
//! goes: the page's own animation frame (a lesson's run, which stops at its
//! marks) and the live run in a Web Worker, which keeps its [`Sim`] between
//! messages and answers each slice with what the page draws: the
//! departures for tokens, and now and then the marks, panels and requests.
//!
//! The engine never knows: the worker calls the same [`Sim`] methods the
//! page calls. Messages are the worker's strings (`pool.rs`): a header line,
//! then the body (a scenario, an [`Ask`] or an [`Act`]).

use super::pool::{Answer, Finished};
use crate::editor::requests::{RequestLog, RequestRow};
use crate::engine::format::{FaultSpec, Scenario};
use crate::engine::report::{Bucket, Report};
use crate::engine::view::{Departure, LinkLive, NodeLive};
use crate::engine::{Sim, SimOptions};
use serde::{Deserialize, Serialize};
use std::cell::RefCell;

/// Runs `sim` toward `goal_us` in chunks of about a millisecond each
/// (`chunk`, in events, adapts and is kept by the caller) until it gets
/// there or finishes (`true`), or has run `max_events` or the clock passed
/// `deadline_ms` (`false`).
pub fn advance(
    sim: &mut Sim,
    goal_us: u64,
    max_events: u64,
    deadline_ms: f64,
    chunk: &mut u64,
    clock: &dyn Fn() -> f64,
) -> bool {
    let mut left = max_events;
    loop {
        let asked = (*chunk).min(left);
        let t0 = clock();
        let ran = sim.advance_to(goal_us, asked);
        let took = clock() - t0;
        // About a millisecond per chunk keeps the budget check fine-grained.
        if took < 0.5 {
            *chunk = (*chunk * 2).min(1_000_000);
        } else if took > 2.0 {
            *chunk = (*chunk / 2).max(100);
        }
        left -= ran.min(left);
        // Fewer events than asked: the goal was reached.
        if ran < asked || sim.is_finished() {
            return true;
        }
        if left == 0 || clock() > deadline_ms {
            return false;
        }
    }
}

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
    pub series: Option<Vec<Vec<Bucket>>>,
    pub rows: Option<Vec<RequestRow>>,
    /// With the marks: the targets with a fault active now.
    pub faulted: Option<Vec<String>>,
    /// Once the run reached its end: what the page keeps of it.
    pub finished: Option<Box<Finished>>,
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
}

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
    if from_us > 0 {
        sim.advance_to(from_us, u64::MAX);
        sim.take_departures(&mut Vec::new());
    }
    let mut held = Held { sim, rows: RequestLog::default(), chunk: 2_000 };
    let ask = Ask { marks: true, panels: true, ..Ask::default() };
    let sliced = answer(&mut held, &ask);
    HELD.with(|h| *h.borrow_mut() = Some(held));
    Ok(Answer::Sliced(Box::new(sliced)))
}

/// Runs one slice of the held run.
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
        if !held.sim.is_finished() {
            advance(&mut held.sim, goal, ask.max_events.max(1), deadline, &mut held.chunk, &clock);
        }
        Ok(Answer::Sliced(Box::new(answer(held, ask))))
    })
}

/// Makes a live action on the held run now.
pub fn act(what: Act) -> Result<Answer, String> {
    HELD.with(|h| {
        let mut h = h.borrow_mut();
        let held = h.as_mut().ok_or("this worker holds no run")?;
        let sim = &mut held.sim;
        let done = match what {
            Act::Fault(f) => sim.fault_now(f).map(|_| ()),
            Act::Recover(target) => {
                sim.active_faults(&target).into_iter().try_for_each(|i| sim.end_fault_now(i).map(|_| ()))
            }
            Act::Change { target, field, value } => sim.change_now(&target, &field, value).map(|_| ()),
        };
        let ask = Ask { tokens: true, marks: true, panels: true, ..Ask::default() };
        Ok(Answer::Acted(Box::new(Acted {
            scenario: held.sim.scenario().clone(),
            refused: done.err(),
            sliced: answer(held, &ask),
        })))
    })
}

fn answer(held: &mut Held, ask: &Ask) -> Sliced {
    let sim = &mut held.sim;
    let mut departures = Vec::new();
    sim.take_departures(&mut departures);
    if !ask.tokens {
        departures.clear();
    }
    let faulted = ask.marks.then(|| {
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
        nodes: ask.marks.then(|| sim.node_live()),
        links: ask.marks.then(|| sim.link_live()),
        report: ask.panels.then(|| sim.report()),
        series: ask.panels.then(|| (0..sim.scenario().nodes.len()).map(|i| sim.series(i).to_vec()).collect()),
        rows: ask.rows.then(|| held.rows.refresh(sim)),
        faulted,
        finished: sim.is_finished().then(|| Box::new(super::pool::finished_of(sim))),
    }
}
