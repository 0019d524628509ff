//! The run: the engine's [`Sim`], driven from the animation loop.
//!
//! The `Sim` lives outside the reactive graph (a `RefCell` in a local
//! `StoredValue`), so advancing it thousands of events per frame wakes no
//! component. Each frame advances simulated time by the wall time elapsed
//! times the speed, in chunks, and stops when the frame's budget is spent:
//! a heavy scenario runs slower than asked instead of freezing the tab.
//! A few times a second a small [`Snap`] is published for the UI (metrics,
//! the live state of nodes and links); tokens are drawn straight onto the
//! canvas every frame (`tokens.rs`) and never become signals.

use super::frozen::Frozen;
use super::pool::{self, Answer, Pool, Reply};
use super::tokens::TokenCanvas;
use crate::editor::doc::same_semantics;
use crate::editor::flight::{Ends, Flights, MIN_FLIGHT_MS};
use crate::editor::geometry::{link_paths, LinkPath};
use crate::editor::requests::{RequestLog, RequestRow};
use crate::editor::viewport::Viewport;
use crate::engine::budget::{self, Budget};
use crate::engine::format::{load, FaultKind, FaultSpec, LoadError, Scenario};
use crate::engine::report::{Bucket, Report};
use crate::engine::timeline::Timeline;
use crate::engine::trace::Trace;
use crate::engine::view::{Departure, LinkLive, NodeLive};
use crate::engine::{Sim, SimOptions};
use leptos::prelude::*;
use std::cell::RefCell;
use std::rc::Rc;

/// Wall-clock milliseconds one frame may spend running the engine. The rest
/// of a 16 ms frame is left for drawing and the browser.
const FRAME_BUDGET_MS: f64 = 9.0;
/// The engine's share of a frame that also refreshes the panels.
const PUBLISH_FRAME_BUDGET_MS: f64 = 2.0;
/// How often the UI's snapshot is refreshed while running.
const PUBLISH_EVERY_MS: f64 = 200.0;
/// Extra wait per node: refreshing a big diagram costs the page more, so it
/// is refreshed less often (400 nodes: about twice a second).
const PUBLISH_PER_NODE_MS: f64 = 0.75;
/// A frame never advances more wall time than this (a tab that slept must
/// not try to catch up a minute at once).
const MAX_FRAME_MS: f64 = 100.0;
/// Past this many nodes, a refresh while running updates either the marks on
/// the canvas or the panels, in turn, twice as often: together they would
/// overrun a frame (a 400-node diagram spent about 60 ms refreshing both).
const SPLIT_REFRESH_NODES: usize = 100;

/// Follows a run at exact instants (a lesson's marks, see
/// `engine::lesson::watch`): the run stops at each, and may pause there.
pub trait Follower {
    /// The next instant (µs) the run must stop at, if any.
    fn next_stop_us(&self) -> Option<u64>;
    /// The run stands at that stop: look; `true` pauses the run there.
    fn at_stop(&mut self, sim: &Sim) -> bool;
    /// The run starts again from zero.
    fn restart(&mut self);
}

/// A follower as the run holds it.
pub type FollowerRef = Rc<RefCell<dyn Follower>>;

/// What a refresh of the UI's snapshot covers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Part {
    All,
    /// The live marks on nodes and links (and the clock).
    Marks,
    /// Metrics, charts and requests (and the clock).
    Panels,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    /// No run: the document is being edited.
    Idle,
    /// Running in (scaled) real time.
    Running,
    /// Running as fast as the frame budget allows, to the end.
    ToEnd,
    Paused,
    Finished,
}

impl Status {
    pub fn is_active(self) -> bool {
        matches!(self, Status::Running | Status::ToEnd)
    }

    /// A CSS class for the state.
    pub fn class(self) -> &'static str {
        match self {
            Status::Idle => "idle",
            Status::Running => "running",
            Status::ToEnd => "toend",
            Status::Paused => "paused",
            Status::Finished => "finished",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Status::Idle => "Ready",
            Status::Running => "Running",
            Status::ToEnd => "Running to the end",
            Status::Paused => "Paused",
            Status::Finished => "Finished",
        }
    }
}

/// What the UI shows of the run, refreshed a few times a second.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Snap {
    pub now_ms: f64,
    pub end_ms: f64,
    pub events: u64,
    pub report: Report,
    pub nodes: Vec<NodeLive>,
    pub links: Vec<LinkLive>,
    pub series: Vec<Vec<Bucket>>,
    /// Set once the run reached its end.
    pub hash: Option<String>,
    /// Simulated seconds per wall second over the last second (to show lag).
    pub actual_speed: f64,
    /// Messages drawn on the links in the last frame.
    pub in_flight: usize,
    /// Tokens drawn in the last frame (a token may stand for several messages).
    pub tokens: usize,
}

struct Core {
    sim: Option<Sim>,
    /// Writes a live action into the document (installed by `Ctx`).
    recorder: Option<Rc<dyn Fn(Scenario)>>,
    /// The run's scenario after a live action, not yet in the document.
    unrecorded: Option<Scenario>,
    status: Status,
    speed: f64,
    paths: Vec<Option<LinkPath>>,
    /// Each link's two nodes, for keeping a trace's hops in order.
    ends: Vec<Ends>,
    view: Viewport,
    departures: Vec<Departure>,
    flights: Flights,
    /// The rows of the requests list, kept between refreshes.
    requests: RequestLog,
    /// The animation clock: wall milliseconds spent running.
    anim_ms: f64,
    canvas: TokenCanvas,
    /// Events per chunk, adapted so one chunk takes about a millisecond.
    chunk: u64,
    last_frame_ms: Option<f64>,
    last_publish_ms: f64,
    /// On a big diagram, whether the next refresh is the marks' turn.
    marks_turn: bool,
    /// The panels still owe a refresh (split off a status change's).
    panels_owed: bool,
    /// Redraw tokens on the next frame even if the run is not moving.
    dirty: bool,
    /// For the measured speed: (wall ms, sim ms) a second ago.
    speed_mark: (f64, f64),
    actual_speed: f64,
    /// Tokens and messages drawn in the last frame.
    drawn: (usize, usize),
    follower: Option<FollowerRef>,
    /// Checkpoints of the run, for the scrub timeline.
    timeline: Timeline,
    /// A Run to end going on in a Web Worker: the scenario it runs. The
    /// page only waits; Pause, Reset or an edit stop the worker at once.
    remote: Option<Scenario>,
    /// The worker that runs to the end, kept for the next run.
    runner: Option<Pool>,
    /// A run that ran to its end in the worker (`sim` is then `None`).
    frozen: Option<Frozen>,
}

impl Core {
    /// Follows the document's links: their curves, ends and names.
    fn lay_out(&mut self, doc: &Scenario) {
        self.paths = link_paths(doc);
        self.ends = link_ends(doc);
        self.canvas.name_links(doc);
    }

    /// Turns what left along the links since the last call into flights.
    fn absorb(&mut self) {
        let Core { sim, departures, flights, ends, anim_ms, .. } = self;
        let Some(sim) = sim.as_mut() else {
            return;
        };
        sim.take_departures(departures);
        flights.update(departures, ends, sim.now_us(), *anim_ms);
    }

    /// Keeps a checkpoint of the run if one is due.
    fn checkpoint(&mut self) {
        if let Some(sim) = self.sim.as_ref() {
            self.timeline.note(sim);
        }
    }
}

/// Each link's two nodes (indices in `scenario.nodes`); a link whose end is
/// missing points at node 0, which only affects how its tokens queue up.
fn link_ends(doc: &Scenario) -> Vec<Ends> {
    let index =
        crate::engine::kernel::ordered::ordered(doc.nodes.iter().enumerate().map(|(i, n)| (n.id.as_str(), i as u32)));
    let at = |id: &str| index.get(id).copied().unwrap_or(0);
    doc.links.iter().map(|l| (at(&l.from), at(&l.to))).collect()
}

impl Default for Core {
    fn default() -> Self {
        Core {
            sim: None,
            recorder: None,
            unrecorded: None,
            status: Status::Idle,
            speed: 1.0,
            paths: Vec::new(),
            ends: Vec::new(),
            view: Viewport::default(),
            departures: Vec::with_capacity(4096),
            flights: Flights::default(),
            requests: RequestLog::default(),
            anim_ms: 0.0,
            canvas: TokenCanvas::default(),
            chunk: 2_000,
            last_frame_ms: None,
            last_publish_ms: 0.0,
            marks_turn: true,
            panels_owed: false,
            dirty: true,
            speed_mark: (0.0, 0.0),
            actual_speed: 0.0,
            drawn: (0, 0),
            follower: None,
            timeline: Timeline::new(SimOptions::interactive()),
            remote: None,
            runner: None,
            frozen: None,
        }
    }
}

/// A run refused before it started because it would exceed its budget
/// (`engine::budget`): what the user sees, and the fix the app offers.
#[derive(Clone, Debug, PartialEq)]
pub struct Refusal {
    pub message: String,
    /// The duration that would fit, if one does.
    pub fits_ms: Option<f64>,
    /// The refused action was Run to end (else Run).
    pub to_end: bool,
    /// The document it was refused for: any other clears the refusal.
    pub doc: Scenario,
}

/// The handle components hold: signals for the UI, the engine out of sight.
#[derive(Clone, Copy)]
pub struct Run {
    core: StoredValue<Rc<RefCell<Core>>, LocalStorage>,
    pub status: RwSignal<Status>,
    pub snap: RwSignal<Snap>,
    /// Simulated seconds per wall second.
    pub speed: RwSignal<f64>,
    /// The last Run or Run to end refused for its budget.
    pub refusal: RwSignal<Option<Refusal>>,
    /// Why the last Run to end in a worker failed (the worker died...).
    pub failure: RwSignal<Option<String>>,
}

pub const MIN_SPEED: f64 = 0.1;
pub const MAX_SPEED: f64 = 1000.0;

impl Run {
    pub fn new() -> Run {
        Run {
            core: StoredValue::new_local(Rc::new(RefCell::new(Core::default()))),
            status: RwSignal::new(Status::Idle),
            snap: RwSignal::new(Snap::default()),
            speed: RwSignal::new(1.0),
            refusal: RwSignal::new(None),
            failure: RwSignal::new(None),
        }
    }

    fn core(&self) -> Rc<RefCell<Core>> {
        self.core.get_value()
    }

    /// Builds a run of `doc` if there is none; says why it cannot. A run
    /// over its budget is refused into `refusal` (with the fix to offer)
    /// and reported as `Ok(false)`.
    fn ensure(&self, doc: &Scenario, to_end: bool) -> Result<bool, String> {
        if self.core().borrow().sim.is_some() {
            return Ok(true);
        }
        if self.core().borrow().frozen.is_some() {
            return Err("The run is over: Reset to start a new one".into());
        }
        let refusal = over_budget(doc, to_end);
        let refused = refusal.is_some();
        self.refusal.set(refusal);
        if refused {
            return Ok(false);
        }
        let core = self.core();
        let mut c = core.borrow_mut();
        match Sim::new(doc, SimOptions::interactive()) {
            Ok(sim) => {
                c.sim = Some(sim);
                c.timeline.clear();
                c.checkpoint();
                c.lay_out(doc);
                c.flights.clear();
                c.requests = RequestLog::default();
                c.last_frame_ms = None;
                c.dirty = true;
                Ok(true)
            }
            Err(e) => Err(cannot_run(e)),
        }
    }

    fn set_status(&self, s: Status) {
        let core = self.core();
        core.borrow_mut().status = s;
        core.borrow_mut().last_frame_ms = None;
        self.status.set(s);
        // On a big diagram the panels catch up on the next frame, so a
        // status change and a full refresh do not land in one long task.
        let big = core.borrow().sim.as_ref().is_some_and(|sim| sim.scenario().nodes.len() > SPLIT_REFRESH_NODES);
        if big {
            core.borrow_mut().panels_owed = true;
            self.refresh(Part::Marks);
        } else {
            self.publish();
        }
    }

    /// Run (or restart a finished run) in real time at the current speed.
    pub fn play(&self, doc: &Scenario) -> Result<(), String> {
        self.cancel_remote();
        if self.status.get_untracked() == Status::Finished {
            self.reset();
        }
        if self.ensure(doc, false)? {
            self.settle_or(Status::Running);
        }
        Ok(())
    }

    pub fn pause(&self) {
        if self.cancel_remote() {
            self.back_from_worker();
            return;
        }
        if self.status.get_untracked().is_active() {
            self.set_status(Status::Paused);
        }
    }

    /// Stops this run at a follower's instants (a lesson's); `None` lets it
    /// run freely again.
    pub fn follow(&self, follower: Option<FollowerRef>) {
        self.core().borrow_mut().follower = follower;
    }

    /// Runs the next event and pauses.
    pub fn step(&self, doc: &Scenario) -> Result<(), String> {
        if self.status.get_untracked() == Status::Finished || self.core().borrow().remote.is_some() {
            return Ok(());
        }
        if !self.ensure(doc, false)? {
            return Ok(());
        }
        {
            let core = self.core();
            let mut c = core.borrow_mut();
            let follower = c.follower.clone();
            if let Some(sim) = c.sim.as_mut() {
                // The next event, unless a follower's stop comes first.
                match follower.as_ref().and_then(|f| f.borrow().next_stop_us()) {
                    Some(stop) if sim.now_us() <= stop => {
                        if sim.advance_to(stop, 1) == 0 {
                            if let Some(f) = &follower {
                                f.borrow_mut().at_stop(sim);
                            }
                        }
                    }
                    _ => {
                        sim.step(1);
                    }
                }
            }
            // The event's hops show half way along their links, frozen
            // until the next step or Run.
            c.absorb();
            c.anim_ms += MIN_FLIGHT_MS / 2.0;
            c.dirty = true;
        }
        self.settle_or(Status::Paused);
        Ok(())
    }

    /// Runs as fast as the frame budget allows until the end.
    pub fn run_to_end(&self, doc: &Scenario) -> Result<(), String> {
        if self.status.get_untracked() == Status::Finished || self.core().borrow().remote.is_some() {
            return Ok(());
        }
        // In a Web Worker, unless a follower (a lesson) must see the run
        // at its marks, or workers cannot start here.
        if self.core().borrow().follower.is_none() && self.end_in_worker(doc)? {
            return Ok(());
        }
        if self.ensure(doc, true)? {
            self.settle_or(Status::ToEnd);
        }
        Ok(())
    }

    /// Sends the run to the end to the worker: the run's own scenario (with
    /// its live actions) or `doc`, which the worker runs from the start (the
    /// same run: same scenario, same seed). `false` if no worker can start.
    fn end_in_worker(&self, doc: &Scenario) -> Result<bool, String> {
        let core = self.core();
        let running = core.borrow().sim.as_ref().map(|s| s.scenario().clone());
        let scenario = match running {
            Some(s) => s,
            None => {
                let refusal = over_budget(doc, true);
                let refused = refusal.is_some();
                self.refusal.set(refusal);
                if refused {
                    return Ok(true);
                }
                load::check(doc).map_err(cannot_run)?;
                doc.clone()
            }
        };
        let runner = core.borrow().runner.clone();
        let runner = match runner {
            Some(r) => r,
            None => {
                let run = *self;
                match Pool::start(1, move |_, reply| run.heard(reply)) {
                    Ok(r) => r,
                    Err(_) => return Ok(false),
                }
            }
        };
        runner.post(0, &pool::to_end_task(&scenario.to_json()));
        {
            let mut c = core.borrow_mut();
            c.runner = Some(runner);
            c.remote = Some(scenario);
            c.flights.clear();
            c.dirty = true;
        }
        self.failure.set(None);
        self.set_status(Status::ToEnd);
        Ok(true)
    }

    /// The worker's answer to a Run to end.
    fn heard(&self, reply: Reply) {
        let core = self.core();
        let Some(scenario) = core.borrow_mut().remote.take() else {
            return;
        };
        let failed = match reply {
            Reply::Answer(text) => match crate::engine::format::json::read::<Answer>(&text) {
                Ok(Answer::Finished(f)) => {
                    {
                        let mut c = core.borrow_mut();
                        c.sim = None;
                        c.frozen = Some(Frozen::new(*f, scenario));
                        c.requests = RequestLog::default();
                        c.flights.clear();
                        c.drawn = (0, 0);
                        c.dirty = true;
                    }
                    self.set_status(Status::Finished);
                    return;
                }
                Ok(Answer::Error(e)) => format!("Cannot run to the end: {e}"),
                Ok(_) => "Cannot run to the end: the worker answered something else".to_string(),
                Err(e) => format!("Cannot run to the end: the worker's answer was unreadable ({e})"),
            },
            Reply::Died(why) => {
                if let Some(r) = core.borrow_mut().runner.take() {
                    r.terminate();
                }
                format!("The run to the end stopped: its Web Worker died ({why}). The page keeps working: Reset, or try a shorter run.")
            }
        };
        self.failure.set(Some(failed));
        self.back_from_worker();
    }

    /// Stops a Run to end going on in the worker, at once. `true` if one was.
    fn cancel_remote(&self) -> bool {
        let core = self.core();
        let mut c = core.borrow_mut();
        if c.remote.take().is_none() {
            return false;
        }
        // Terminating is the only way to stop a run mid-way; the next Run
        // to end starts a fresh worker.
        if let Some(r) = c.runner.take() {
            r.terminate();
        }
        true
    }

    /// Back where the run was before Run to end: paused, or not started.
    fn back_from_worker(&self) {
        let paused = self.core().borrow().sim.is_some();
        self.set_status(if paused { Status::Paused } else { Status::Idle });
    }

    /// After a run stopped at its event budget: the duration that would fit.
    pub fn fitting_duration_ms(&self) -> Option<f64> {
        let core = self.core();
        let c = core.borrow();
        match (&c.sim, &c.frozen) {
            (Some(s), _) => s.fitting_duration_ms(),
            (None, Some(f)) => f.finished.fits_ms,
            _ => None,
        }
    }

    /// Finished if the engine says so, else `next`.
    fn settle_or(&self, next: Status) {
        let finished = self.core().borrow().sim.as_ref().is_some_and(|s| s.is_finished());
        self.set_status(if finished { Status::Finished } else { next });
    }

    /// Runs `dt_ms` more of simulated time and draws it as a frame of a
    /// run played at 1x; the run stays paused (the GIF export's frames).
    pub fn advance_paused(&self, doc: &Scenario, dt_ms: f64) -> Result<(), String> {
        if !self.ensure(doc, false)? {
            return Err("the run is over its event budget".into());
        }
        {
            let core = self.core();
            let mut c = core.borrow_mut();
            if let Some(sim) = c.sim.as_mut() {
                let target = sim.now_us().saturating_add((dt_ms.max(0.0) * 1000.0) as u64).min(sim.end_us());
                const CHUNK: u64 = 100_000;
                while sim.advance_to(target, CHUNK) == CHUNK && !sim.is_finished() {}
            }
            c.anim_ms += dt_ms.max(0.0);
            c.absorb();
            let Core { flights, anim_ms, canvas, paths, view, .. } = &mut *c;
            let drawn = canvas.draw(flights, *anim_ms, paths, view);
            c.drawn = drawn;
            c.dirty = false;
        }
        self.settle_or(Status::Paused);
        Ok(())
    }

    /// Forgets the run.
    pub fn reset(&self) {
        self.cancel_remote();
        self.failure.set(None);
        {
            let core = self.core();
            let mut c = core.borrow_mut();
            if let Some(f) = &c.follower {
                f.borrow_mut().restart();
            }
            c.sim = None;
            c.timeline.clear();
            c.frozen = None;
            c.requests = RequestLog::default();
            c.flights.clear();
            c.drawn = (0, 0);
            c.dirty = true;
        }
        self.status.set(Status::Idle);
        self.core().borrow_mut().status = Status::Idle;
        self.snap.set(Snap::default());
    }

    /// Where live actions go: `record(scenario)` gets the run's scenario
    /// with the action in it, to become the document (one undo step).
    pub fn set_recorder(&self, record: impl Fn(Scenario) + 'static) {
        self.core().borrow_mut().recorder = Some(Rc::new(record));
    }

    /// A run is going or paused: edits become live actions.
    pub fn is_live(&self) -> bool {
        matches!(self.status.get_untracked(), Status::Running | Status::ToEnd | Status::Paused)
            && self.core().borrow().sim.is_some()
            && self.core().borrow().remote.is_none()
    }

    /// Runs a live action on the engine, then writes the run's scenario
    /// (which now records it) into the document.
    fn act<T>(&self, f: impl FnOnce(&mut Sim) -> Result<T, String>) -> Result<T, String> {
        let out = {
            let core = self.core();
            let mut c = core.borrow_mut();
            let Some(sim) = c.sim.as_mut() else {
                return Err("no run is going".into());
            };
            let out = f(sim)?;
            let recorded = sim.scenario().clone();
            c.unrecorded = Some(recorded);
            // The checkpoints are of the run without the action.
            c.timeline.clear();
            c.checkpoint();
            c.dirty = true;
            out
        };
        // After the caller's turn: it may hold the document (a live button
        // reads it to build the run), and the recorder writes it.
        let run = *self;
        queue_microtask(move || run.flush());
        self.publish();
        Ok(out)
    }

    /// Writes the last live action into the document now (Undo does this
    /// first, so it undoes that action).
    pub fn flush(&self) {
        let (pending, record) = {
            let core = self.core();
            let mut c = core.borrow_mut();
            (c.unrecorded.take(), c.recorder.clone())
        };
        if let (Some(s), Some(record)) = (pending, record) {
            record(s);
        }
    }

    /// Starts `fault` on its target now (building a paused run first if
    /// there is none); it is recorded in the document at this instant.
    pub fn fault_now(&self, doc: &Scenario, fault: FaultSpec) -> Result<(), String> {
        if !self.ensure(doc, false)? {
            return Ok(());
        }
        if self.status.get_untracked() == Status::Idle {
            self.set_status(Status::Paused);
        }
        self.act(|sim| sim.fault_now(fault)).map(|_| ())
    }

    /// Crash `target` now.
    pub fn crash(&self, doc: &Scenario, target: &str) -> Result<(), String> {
        let fault = FaultSpec {
            target: target.to_string(),
            kind: FaultKind::Crash,
            at_ms: 0.0,
            for_ms: None,
            factor: None,
            rate: None,
        };
        self.fault_now(doc, fault)
    }

    /// Slows down, fails or cuts off `target` now, with settings that show
    /// (work five times slower, half the requests failing), until Recover.
    pub fn fault_kind_now(&self, doc: &Scenario, target: &str, kind: FaultKind) -> Result<(), String> {
        let fault = FaultSpec {
            target: target.to_string(),
            kind,
            at_ms: 0.0,
            for_ms: None,
            factor: (kind == FaultKind::Slow).then_some(5.0),
            rate: (kind == FaultKind::Errors).then_some(0.5),
        };
        self.fault_now(doc, fault)
    }

    /// Ends every fault active on `target` now (each gets its `for_ms`).
    pub fn recover(&self, target: &str) {
        let active = self.core().borrow().sim.as_ref().map(|s| s.active_faults(target)).unwrap_or_default();
        if active.is_empty() {
            return;
        }
        let _ = self.act(|sim| {
            for i in active {
                sim.end_fault_now(i)?;
            }
            Ok(())
        });
    }

    /// Whether a fault is active on `target` now.
    pub fn has_active_fault(&self, target: &str) -> bool {
        self.core().borrow().sim.as_ref().is_some_and(|s| !s.active_faults(target).is_empty())
    }

    /// Sets a field of a node or link now (a scheduled change at this instant).
    pub fn change_now(&self, target: &str, field: &str, value: serde_json::Value) -> Result<(), String> {
        self.act(|sim| sim.change_now(target, field, value)).map(|_| ())
    }

    /// Runs `doc` again up to the time this run had reached (undo and redo
    /// of a live action keep the run, minus or plus the action).
    pub fn replay(&self, doc: &Scenario) {
        let until = {
            let core = self.core();
            let c = core.borrow();
            match c.sim.as_ref() {
                Some(sim) if !sim.is_finished() && !same_semantics(sim.scenario(), doc) => sim.now_us(),
                _ => return,
            }
        };
        let Ok(mut sim) = Sim::new(doc, SimOptions::interactive()) else {
            return;
        };
        sim.advance_to(until, u64::MAX);
        {
            let core = self.core();
            let mut c = core.borrow_mut();
            c.sim = Some(sim);
            c.timeline.clear();
            c.requests = RequestLog::default();
            c.lay_out(doc);
            c.flights.clear();
            c.dirty = true;
        }
        self.publish();
    }

    /// The document changed: a change that can alter results ends the run;
    /// a layout change (move, rename) only redraws. The run's own scenario
    /// records its live actions, so recording one changes nothing here.
    pub fn on_doc(&self, doc: &Scenario) -> bool {
        if self.refusal.with_untracked(|r| r.as_ref().is_some_and(|r| !same_semantics(&r.doc, doc))) {
            self.refusal.set(None);
        }
        let stale = {
            let core = self.core();
            let mut c = core.borrow_mut();
            c.lay_out(doc);
            c.dirty = true;
            let ran = c.sim.as_ref().map(|sim| sim.scenario());
            let ran = ran.or(c.remote.as_ref()).or(c.frozen.as_ref().map(|f| &f.scenario));
            ran.is_some_and(|s| !same_semantics(s, doc))
        };
        if stale {
            self.reset();
        }
        stale
    }

    pub fn on_view(&self, view: Viewport) {
        let core = self.core();
        let mut c = core.borrow_mut();
        c.view = view;
        c.dirty = true;
    }

    pub fn set_speed(&self, speed: f64) {
        let s = if speed.is_finite() { speed.clamp(MIN_SPEED, MAX_SPEED) } else { 1.0 };
        self.core().borrow_mut().speed = s;
        self.speed.set(s);
    }

    pub fn attach_canvas(&self, canvas: web_sys::HtmlCanvasElement) {
        let core = self.core();
        let mut c = core.borrow_mut();
        c.canvas.attach(canvas);
        c.dirty = true;
    }

    /// The trace of the token drawn nearest the canvas point, if one is
    /// close enough to be what was clicked.
    pub fn token_at(&self, x: f64, y: f64) -> Option<u64> {
        self.core().borrow().canvas.hit(x, y)
    }

    /// Every request the engine keeps, newest first (empty with no run).
    pub fn requests(&self) -> Vec<RequestRow> {
        let core = self.core();
        let mut c = core.borrow_mut();
        let Core { sim, requests, frozen, .. } = &mut *c;
        match (sim.as_ref(), frozen.as_ref()) {
            (Some(sim), _) => requests.refresh(sim),
            (None, Some(f)) => f.rows.clone(),
            _ => Vec::new(),
        }
    }

    /// A request's trace: kept by the engine, or rebuilt by replaying.
    pub fn trace(&self, id: u64) -> Option<Trace> {
        let core = self.core();
        let c = core.borrow();
        if let (None, Some(f)) = (&c.sim, &c.frozen) {
            return f.trace(id);
        }
        let sim = c.sim.as_ref()?;
        sim.trace(id).or_else(|| Sim::replay_trace(sim.scenario(), id, sim.now_us()))
    }

    /// Shows the run at simulated time `t_ms` (building it first if there
    /// is none), paused there: from the nearest checkpoint, forwards or
    /// backwards, exactly as a run from zero would be at that instant.
    pub fn seek(&self, doc: &Scenario, t_ms: f64) -> Result<(), String> {
        self.thaw();
        if !self.ensure(doc, false)? {
            return Ok(()); // Over its budget: the refusal says what to do.
        }
        {
            let core = self.core();
            let mut c = core.borrow_mut();
            let Core { sim, timeline, departures, flights, ends, anim_ms, requests, .. } = &mut *c;
            let Some(sim) = sim.as_mut() else {
                return Ok(());
            };
            timeline.seek(sim, crate::engine::kernel::clock::ms_to_us(t_ms));
            // The messages still on their links at this instant, frozen
            // half way (as Step shows them).
            sim.take_departures(departures);
            let now = sim.now_us();
            departures.retain(|d| d.at_us.saturating_add(d.travel_us) >= now);
            flights.clear();
            *requests = RequestLog::default();
            flights.update(departures, ends, now, *anim_ms);
            *anim_ms += MIN_FLIGHT_MS / 2.0;
            c.dirty = true;
        }
        self.settle_or(Status::Paused);
        Ok(())
    }

    /// A run that ran to its end in the worker comes back to the page as
    /// an engine of its own scenario, so the timeline can replay it here.
    fn thaw(&self) {
        let core = self.core();
        let mut c = core.borrow_mut();
        if c.sim.is_some() {
            return;
        }
        let Some(f) = c.frozen.take() else { return };
        match Sim::new(&f.scenario, SimOptions::interactive()) {
            Ok(sim) => {
                c.sim = Some(sim);
                c.timeline.clear();
                c.checkpoint();
                c.dirty = true;
            }
            Err(_) => c.frozen = Some(f),
        }
    }

    /// The branch of this run at the instant it shows, with `what`
    /// applied then, as a scenario; or why it cannot be made.
    pub fn fork(&self, what: &crate::engine::fork::Intervention) -> Result<(Scenario, f64), String> {
        let core = self.core();
        let c = core.borrow();
        let sim = c.sim.as_ref().ok_or("run the scenario first: a what-if starts from a moment of a run")?;
        crate::engine::fork::fork(sim, what)
    }

    /// One animation frame: advance, draw, and now and then publish.
    pub fn frame(&self, now_ms: f64) {
        let finished_now;
        let publish_due;
        let mut part = Part::All;
        let mut paused_at_stop = false;
        {
            let core = self.core();
            let mut c = core.borrow_mut();
            let dt = match c.last_frame_ms {
                Some(last) => (now_ms - last).clamp(0.0, MAX_FRAME_MS),
                None => 0.0,
            };
            c.last_frame_ms = Some(now_ms);
            let status = c.status;
            let nodes = c.sim.as_ref().map_or(0, |s| s.scenario().nodes.len());
            let split = nodes > SPLIT_REFRESH_NODES;
            let every = (PUBLISH_EVERY_MS + PUBLISH_PER_NODE_MS * nodes as f64) / if split { 2.0 } else { 1.0 };
            publish_due = status.is_active() && now_ms - c.last_publish_ms >= every;
            // A frame that refreshes the panels leaves most of its time to
            // them, so together they still fit well inside a frame.
            let budget = if publish_due { PUBLISH_FRAME_BUDGET_MS } else { FRAME_BUDGET_MS };
            let mut chunk = c.chunk;
            let speed = c.speed;
            let mut moved = false;
            let follower = c.follower.clone();
            if status.is_active() {
                c.anim_ms += dt;
            }
            #[allow(unused_assignments)]
            let here = status.is_active() && c.remote.is_none();
            if let (Some(sim), true) = (c.sim.as_mut(), here) {
                let target = if status == Status::ToEnd {
                    sim.end_us()
                } else {
                    sim.now_us()
                        .saturating_add((dt * speed * 1000.0).max(0.0) as u64)
                        .min(sim.end_us().max(sim.now_us()))
                };
                let deadline = now_ms + budget;
                loop {
                    let asked = chunk;
                    // A follower's stop before the target comes first.
                    let stop = follower.as_ref().and_then(|f| f.borrow().next_stop_us());
                    let goal = match stop {
                        Some(s) if s < target => s,
                        _ => target,
                    };
                    let t0 = now();
                    let ran = sim.advance_to(goal, asked);
                    let took = now() - t0;
                    // Aim for about a millisecond per chunk, so the budget
                    // check between chunks is fine-grained.
                    if took < 0.5 {
                        chunk = (chunk * 2).min(1_000_000);
                    } else if took > 2.0 {
                        chunk = (chunk / 2).max(100);
                    }
                    if let (true, Some(f)) = (ran < asked && stop == Some(goal), &follower) {
                        if f.borrow_mut().at_stop(sim) {
                            paused_at_stop = true;
                            break;
                        }
                        if now() > deadline {
                            break;
                        }
                        continue;
                    }
                    // Fewer events than asked: the target time was reached.
                    if ran < asked || sim.is_finished() || now() > deadline {
                        break;
                    }
                }
                moved = true;
            }
            c.chunk = chunk;
            if moved {
                c.checkpoint();
            }
            finished_now = status.is_active() && c.sim.as_ref().is_some_and(|s| s.is_finished());
            // Measured speed, for the status line.
            if let Some(sim) = c.sim.as_ref() {
                let (t0, s0) = c.speed_mark;
                if now_ms - t0 >= 1000.0 {
                    let sim_ms = sim.now_ms();
                    c.actual_speed = (sim_ms - s0) / ((now_ms - t0) / 1000.0) / 1000.0;
                    c.speed_mark = (now_ms, sim_ms);
                }
            }
            if moved || c.dirty {
                c.absorb();
                let Core { flights, anim_ms, canvas, paths, view, .. } = &mut *c;
                let drawn = canvas.draw(flights, *anim_ms, paths, view);
                c.drawn = drawn;
                c.dirty = false;
            }
            if publish_due {
                c.last_publish_ms = now_ms;
                if split {
                    part = if c.marks_turn { Part::Marks } else { Part::Panels };
                    c.marks_turn = !c.marks_turn;
                }
            }
        }
        if paused_at_stop && !finished_now {
            self.set_status(Status::Paused);
        } else if finished_now {
            // A finished run has nothing on the move: the tokens go.
            {
                let core = self.core();
                let mut c = core.borrow_mut();
                c.flights.clear();
                c.drawn = (0, 0);
                c.dirty = true;
            }
            self.set_status(Status::Finished);
        } else if publish_due {
            self.refresh(part);
        } else if std::mem::take(&mut self.core().borrow_mut().panels_owed) {
            self.refresh(Part::Panels);
        }
    }

    /// Refreshes the UI's snapshot from the engine.
    pub fn publish(&self) {
        self.refresh(Part::All);
    }

    fn refresh(&self, part: Part) {
        let core = self.core();
        if part != Part::Marks {
            core.borrow_mut().panels_owed = false;
        }
        let c = core.borrow();
        let Some(sim) = c.sim.as_ref() else {
            let snap = c.frozen.as_ref().map(Frozen::snap).unwrap_or_default();
            drop(c);
            self.snap.set(snap);
            return;
        };
        let marks = part != Part::Panels;
        let panels = part != Part::Marks;
        let nodes = marks.then(|| sim.node_live());
        let links = marks.then(|| sim.link_live());
        let report = panels.then(|| sim.report());
        let series = panels.then(|| (0..sim.scenario().nodes.len()).map(|i| sim.series(i).to_vec()).collect());
        let (now_ms, end_ms, events) = (sim.now_ms(), sim.end_us() as f64 / 1000.0, sim.events());
        let hash = sim.is_finished().then(|| sim.run_hash_hex());
        let (actual_speed, (tokens, in_flight)) = (c.actual_speed, c.drawn);
        drop(c);
        let apply = move |s: &mut Snap| {
            s.now_ms = now_ms;
            s.end_ms = end_ms;
            s.events = events;
            s.hash = hash;
            s.actual_speed = actual_speed;
            s.in_flight = in_flight;
            s.tokens = tokens;
            if let Some(v) = nodes {
                s.nodes = v;
            }
            if let Some(v) = links {
                s.links = v;
            }
            if let Some(v) = report {
                s.report = v;
            }
            if let Some(v) = series {
                s.series = v;
            }
        };
        if part == Part::All {
            let mut snap = Snap::default();
            apply(&mut snap);
            self.snap.set(snap);
        } else {
            self.snap.update(apply);
        }
    }
}

/// What the app says of a scenario the engine refuses to build.
fn cannot_run(e: LoadError) -> String {
    match e {
        LoadError::Invalid(problems) => match problems.first() {
            Some(p) => format!("Cannot run yet: {p}"),
            None => "Cannot run yet".into(),
        },
        e => format!("Cannot run yet: {e}"),
    }
}

/// Why a valid `doc` would exceed the budget of a run, with the shorter
/// duration that would fit (what the app offers).
fn over_budget(doc: &Scenario, to_end: bool) -> Option<Refusal> {
    load::check(doc).ok()?;
    let budget = Budget::default();
    let p = budget::check(doc, &budget).err()?;
    let fits_ms = (p.field.as_deref() == Some("duration_ms"))
        .then(|| budget::fitting_duration_ms(doc.duration_ms, budget::estimate(doc).events, &budget))
        .flatten();
    Some(Refusal { message: p.to_string(), fits_ms, to_end, doc: doc.clone() })
}

impl Default for Run {
    fn default() -> Self {
        Run::new()
    }
}

/// Milliseconds from the page's start, for frame budgets.
pub fn now() -> f64 {
    web_sys::window().and_then(|w| w.performance()).map(|p| p.now()).unwrap_or(0.0)
}

/// Starts the animation loop that drives `run` for the page's lifetime.
pub fn start_loop(run: Run) {
    use wasm_bindgen::closure::Closure;
    use wasm_bindgen::JsCast;
    type Callback = Closure<dyn FnMut(f64)>;
    let slot: Rc<RefCell<Option<Callback>>> = Rc::new(RefCell::new(None));
    let again = slot.clone();
    *slot.borrow_mut() = Some(Closure::new(move |t: f64| {
        run.frame(t);
        if let (Some(w), Some(cb)) = (web_sys::window(), again.borrow().as_ref()) {
            let _ = w.request_animation_frame(cb.as_ref().unchecked_ref());
        }
    }));
    if let (Some(w), Some(cb)) = (web_sys::window(), slot.borrow().as_ref()) {
        let _ = w.request_animation_frame(cb.as_ref().unchecked_ref());
    }
    // The closure lives as long as the page.
    std::mem::forget(slot);
}
