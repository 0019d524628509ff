//! Web Workers that run the engine off the main thread: replications on
//! every core, and the live run (Run, Run to end: `slice.rs`).
//!
//! Every worker loads the page's own wasm through `public/worker.js` (no
//! second build, no second download: the browser's cache has it) and calls
//! the exported [`worker_task`]. Messages are strings both ways. The engine
//! never knows it runs in a worker.
//!
//! A worker that dies (a trap, out of memory) reports through `error` (or a
//! `{"died": ...}` reply from the shim when the call threw), and the owner
//! decides; the page goes on. Terminating a pool stops its runs at once.

use super::slice;
use crate::editor::drive::Series;
use crate::editor::requests::{RequestLog, RequestRow};
use crate::engine::format::{load, Scenario};
use crate::engine::replications;
use crate::engine::report::Report;
use crate::engine::trace::Trace;
use crate::engine::view::{LinkLive, NodeLive};
use crate::engine::Sim;
use serde::{Deserialize, Serialize};
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{ErrorEvent, MessageEvent, Worker, WorkerOptions, WorkerType};

/// What a worker said.
pub enum Reply {
    /// Its answer to the last task (a JSON string from [`worker_task`]).
    Answer(String),
    /// It died; why, as far as the browser says.
    Died(String),
}

struct Slot {
    worker: Worker,
    _on_message: Closure<dyn FnMut(MessageEvent)>,
    _on_error: Closure<dyn FnMut(ErrorEvent)>,
}

thread_local! {
    /// Terminated workers' callbacks: a callback may terminate its own pool,
    /// and must not drop the closure that is running. Freed at the next start.
    static RETIRED: RefCell<Vec<Slot>> = const { RefCell::new(Vec::new()) };
    /// A worker started ahead (see [`warm`]), and whether one ever was or a
    /// pool has started (then none is started ahead any more).
    static SPARE: RefCell<(Option<Worker>, bool)> = const { RefCell::new((None, false)) };
}

/// Starts one worker ahead, when the page is idle, so the first Run to end
/// (or replications) finds the engine loaded: starting a worker, fetching
/// and compiling the wasm took most of a short run's time from click to
/// result. The first pool to start takes it; none is started after that.
pub fn warm() {
    if SPARE.with(|s| s.borrow().1) {
        return;
    }
    let opts = WorkerOptions::new();
    opts.set_type(WorkerType::Module);
    let worker = script_url().ok().and_then(|url| Worker::new_with_options(&url, &opts).ok());
    SPARE.with(|s| *s.borrow_mut() = (worker, true));
}

/// Some workers, each running one task at a time.
#[derive(Clone)]
pub struct Pool {
    slots: Rc<RefCell<Vec<Slot>>>,
}

/// How many workers to use: one per core the browser reports, at least 1.
pub fn cores() -> usize {
    let n = web_sys::window().map(|w| w.navigator().hardware_concurrency()).unwrap_or(1.0);
    if n.is_finite() && n >= 1.0 {
        (n as usize).min(64)
    } else {
        1
    }
}

/// The worker script's address, which `public/boot.js` leaves on `window`.
fn script_url() -> Result<String, String> {
    let window = web_sys::window().ok_or("no window")?;
    js_sys::Reflect::get(&window, &JsValue::from_str("crosstalkWorker"))
        .ok()
        .and_then(|v| v.as_string())
        .ok_or_else(|| "Web Workers are not available on this page".to_string())
}

impl Pool {
    /// A pool of no workers (a placeholder until one starts).
    pub fn empty() -> Pool {
        Pool { slots: Rc::new(RefCell::new(Vec::new())) }
    }

    /// Starts `n` workers; `on_reply(worker, reply)` hears from each.
    pub fn start(n: usize, on_reply: impl Fn(usize, Reply) + 'static) -> Result<Pool, String> {
        RETIRED.with(|r| r.borrow_mut().clear());
        let url = script_url()?;
        let on_reply = Rc::new(on_reply);
        let opts = WorkerOptions::new();
        opts.set_type(WorkerType::Module);
        let mut slots = Vec::with_capacity(n);
        let mut spare = SPARE.with(|s| {
            let mut s = s.borrow_mut();
            s.1 = true;
            s.0.take()
        });
        for i in 0..n {
            let worker = match spare.take() {
                Some(w) => w,
                None => Worker::new_with_options(&url, &opts).map_err(|e| format!("cannot start a worker: {e:?}"))?,
            };
            let heard = on_reply.clone();
            let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |e: MessageEvent| {
                let text = e.data().as_string().unwrap_or_default();
                match text.strip_prefix("died:") {
                    Some(why) => heard(i, Reply::Died(why.to_string())),
                    None => heard(i, Reply::Answer(text)),
                }
            });
            let heard = on_reply.clone();
            let on_error = Closure::<dyn FnMut(ErrorEvent)>::new(move |e: ErrorEvent| {
                e.prevent_default();
                let why = e.message();
                heard(i, Reply::Died(if why.is_empty() { "it stopped without a message".into() } else { why }));
            });
            worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
            worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
            slots.push(Slot { worker, _on_message: on_message, _on_error: on_error });
        }
        Ok(Pool { slots: Rc::new(RefCell::new(slots)) })
    }

    /// Sends worker `i` a task (see [`Task`]).
    pub fn post(&self, i: usize, task: &str) {
        if let Some(s) = self.slots.borrow().get(i) {
            let _ = s.worker.post_message(&JsValue::from_str(task));
        }
    }

    /// Stops every worker now, whatever it is running.
    pub fn terminate(&self) {
        let slots = std::mem::take(&mut *self.slots.borrow_mut());
        for s in &slots {
            s.worker.terminate();
        }
        RETIRED.with(|r| r.borrow_mut().extend(slots));
    }
}

/// A task for a worker: the first line is this header as JSON, the rest
/// is the scenario's JSON.
#[derive(Serialize, Deserialize)]
pub struct Task {
    /// "replicate", or for the live run "live", "slice" or "act".
    pub kind: String,
    pub seed: u64,
    /// The warm-up's bits (`f64::to_bits`): no decimal round trip.
    pub warmup_bits: u64,
    /// "live": the simulated time to run the new live run on to, silently.
    #[serde(default)]
    pub from_us: u64,
}

/// The text of a replication task.
pub fn replicate_task(scenario_json: &str, seed: u64, warmup_ms: f64) -> String {
    let head = Task { kind: "replicate".into(), seed, warmup_bits: warmup_ms.to_bits(), from_us: 0 };
    format!("{}\n{scenario_json}", serde_json::to_string(&head).unwrap_or_default())
}

/// A task for the worker's live run (`slice.rs`): `kind` is "live" (the
/// body is the scenario to start, run on to `from_us`), "slice" (the body is
/// an [`slice::Ask`]) or "act" (an [`slice::Act`]).
pub fn live_task(kind: &str, from_us: u64, body: &str) -> String {
    let head = Task { kind: kind.into(), seed: 0, warmup_bits: 0, from_us };
    format!("{}\n{body}", serde_json::to_string(&head).unwrap_or_default())
}

/// A run to the end, done in a worker: what the app shows of a finished
/// run (the run itself stays in the worker, which answers for a request's
/// trace when one is opened).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Finished {
    pub report: Report,
    pub nodes: Vec<NodeLive>,
    pub links: Vec<LinkLive>,
    pub series: Series,
    pub now_ms: f64,
    pub end_ms: f64,
    pub events: u64,
    pub hash: String,
    /// After a budget stop: the duration that would fit.
    pub fits_ms: Option<f64>,
    /// The requests list: a row per trace the run keeps, newest first (the
    /// traces themselves were most of a big run's answer to read).
    pub rows: Vec<RequestRow>,
}

/// What the page keeps of a run that reached its end; `rows` is the run's
/// requests log (its rows are brought up to date).
pub fn finished_of(sim: &Sim, rows: &mut RequestLog) -> Finished {
    Finished {
        report: sim.report(),
        nodes: sim.node_live(),
        links: sim.link_live(),
        series: Series::of(sim),
        now_ms: sim.now_ms(),
        end_ms: sim.end_us() as f64 / 1000.0,
        events: sim.events(),
        hash: sim.run_hash_hex(),
        fits_ms: sim.fitting_duration_ms(),
        rows: rows.refresh(sim),
    }
}

/// A worker's answer.
#[derive(Serialize, Deserialize)]
pub enum Answer {
    #[serde(rename = "sample")]
    Sample(replications::Sample),
    #[serde(rename = "sliced")]
    Sliced(Box<slice::Sliced>),
    #[serde(rename = "acted")]
    Acted(Box<slice::Acted>),
    /// A what-if fork of the run: the branch and its instant (ms).
    #[serde(rename = "forked")]
    Forked(Result<(Scenario, f64), String>),
    /// A request's trace from the run there.
    #[serde(rename = "traced")]
    Traced(Option<Box<Trace>>),
    #[serde(rename = "error")]
    Error(String),
}

/// The entry point a worker calls for each task: runs it on the engine and
/// answers as JSON. Runs inside the worker (the page never calls it).
#[wasm_bindgen]
pub fn worker_task(text: &str) -> String {
    let answer = match run_task(text) {
        Ok(a) => a,
        Err(e) => Answer::Error(e),
    };
    serde_json::to_string(&answer).unwrap_or_default()
}

fn run_task(text: &str) -> Result<Answer, String> {
    let (head, body) = text.split_once('\n').ok_or("a task needs a header line")?;
    let task: Task = crate::engine::format::json::read(head).map_err(|e| format!("bad task: {e}"))?;
    match task.kind.as_str() {
        "slice" => {
            return slice::slice(&crate::engine::format::json::read(body).map_err(|e| format!("bad task: {e}"))?)
        }
        "act" => return slice::act(crate::engine::format::json::read(body).map_err(|e| format!("bad task: {e}"))?),
        _ => {}
    }
    let scenario: Scenario = load::parse(body).map_err(|e| e.to_string())?;
    match task.kind.as_str() {
        "live" => slice::start(&scenario, task.from_us),
        "replicate" => replications::measure(
            &scenario,
            task.seed,
            f64::from_bits(task.warmup_bits),
            crate::engine::budget::Budget::default(),
        )
        .map(Answer::Sample),
        other => Err(format!("unknown task {other}")),
    }
}
