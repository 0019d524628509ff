//! The run: the engine's [`Sim`], driven from the animation loop.
//!
//! Runs go on in a Web Worker (`slice.rs`): Run, Run to end, Step, a
//! lesson's runs (which stand at its marks: the worker sends a snapshot at
//! each, and waits at a timed action), the timeline's jumps and what-if
//! forks. Each frame the page asks it for the next slice (the wall time
//! since the last one times the speed) and draws the departures, marks and
//! figures it sends back; live actions are sent there and come back
//! recorded in the run's scenario. Stop or Reset terminate the worker at
//! once. The page keeps a `Sim` of its own only for the GIF export (a run
//! in the worker is brought back by running the same scenario to the same
//! instant) and where no worker starts. What follows describes that
//! page-side run, which drives the engine with the same code
//! (`editor::drive`).
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
use super::slice::{Act, Ask, Sliced};
use super::tokens::TokenCanvas;
use crate::editor::doc::same_semantics;
use crate::editor::drive::{self, Seen, Stop};
use crate::editor::flight::{Ends, Flights, MIN_FLIGHT_MS};
use crate::editor::geometry::{link_paths, LinkPath, Rect};
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
/// Wall milliseconds a slice of the live run may take in the worker: about
/// a frame, so the tokens it sends come back at the frame rate.
const WORKER_SLICE_MS: f64 = 12.0;
/// The same running to the end: longer slices, fewer answers to read.
const WORKER_TO_END_MS: f64 = 50.0;
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
    /// The instants the run must stop at next, up to `until_us`, in order.
    fn stops_ahead(&self, until_us: u64) -> Vec<Stop>;
    /// The run stood at the next stop and looked like `seen` there;
    /// `true` pauses the run there.
    fn at_stop(&mut self, seen: &Seen) -> bool;
    /// The run starts again from zero.
    fn restart(&mut self);
    /// The run went back to `now_us` (the timeline): the stops after it
    /// come again.
    fn rewind(&mut self, now_us: u64);
}

/// A follower as the run holds it.
pub type FollowerRef = Rc<RefCell<dyn Follower>>;

/// A what-if fork: the branch and its instant (ms), or why not.
pub type ForkResult = Result<(Scenario, f64), String>;

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
    /// The run going on in a Web Worker (`slice.rs`): the page asks for
    /// slices and draws what comes back. Reset or an edit stop it at once.
    remote: Option<Remote>,
    /// The worker that runs the live run, kept for the next run.
    runner: Option<Pool>,
    /// Bumped whenever a worker is terminated: answers of an older one are
    /// ignored.
    generation: u64,
    /// A run that ran to its end in the worker (`sim` is then `None`).
    frozen: Option<Frozen>,
    /// Hears the fork asked of the worker's run.
    forking: Option<Box<dyn FnOnce(ForkResult)>>,
    /// Hears the trace asked of the worker's run.
    tracing: Option<Box<dyn FnOnce(Option<Trace>)>>,
}

/// The live run in the Web Worker, as the page knows it between answers.
struct Remote {
    /// The run's scenario (its live actions included).
    scenario: Scenario,
    now_us: u64,
    end_us: u64,
    /// Slices (and starts) asked and not answered yet.
    outstanding: u32,
    /// How each of those moves the run, oldest first (answers come in order).
    moves: std::collections::VecDeque<Moves>,
    /// A jump of the timeline asked while another was out: the last wins.
    pending_seek: Option<u64>,
    /// Wall time of the last slice asked (the simulated time the next one
    /// covers is the wall time since, times the speed).
    last_ask_ms: Option<f64>,
    /// The targets with a fault active, as of the last marks.
    faulted: Vec<String>,
    /// The requests list as of the last answer that carried it.
    rows: Vec<RequestRow>,
    /// The requests list was looked at: the next refresh brings it.
    rows_wanted: bool,
    /// The simulated time `rows` are of.
    rows_at_us: Option<u64>,
}

/// How an answered slice moved the worker's run.
#[derive(Clone, Copy, PartialEq)]
enum Moves {
    /// On at its pace (or not at all): the clock stays where Pause put it.
    Run,
    /// One event: its hops stay half way.
    Step,
    /// A jump of the timeline: what is on the links is drawn afresh.
    Jump,
}

impl Remote {
    fn new(scenario: Scenario, now_us: u64, end_us: u64) -> Remote {
        Remote {
            scenario,
            now_us,
            end_us,
            outstanding: 0,
            moves: Default::default(),
            pending_seek: None,
            last_ask_ms: None,
            faulted: Vec::new(),
            rows: Vec::new(),
            rows_wanted: false,
            rows_at_us: None,
        }
    }

    /// Notes a slice asked.
    fn asked(&mut self, moves: Moves) {
        self.outstanding += 1;
        self.moves.push_back(moves);
    }
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

    /// Nodes in the run's scenario (0 with no run).
    fn nodes(&self) -> usize {
        match (&self.sim, &self.remote) {
            (Some(sim), _) => sim.scenario().nodes.len(),
            (None, Some(r)) => r.scenario.nodes.len(),
            _ => 0,
        }
    }

    /// Keeps a checkpoint of the run if one is due.
    fn checkpoint(&mut self) {
        if let Some(sim) = self.sim.as_ref() {
            self.timeline.note(sim);
        }
    }
}

/// How often the UI's snapshot is refreshed while running a run of `nodes`
/// nodes (a big diagram's refreshes alternate marks and panels, twice as
/// often).
fn publish_every(nodes: usize) -> f64 {
    let split = nodes > SPLIT_REFRESH_NODES;
    (PUBLISH_EVERY_MS + PUBLISH_PER_NODE_MS * nodes as f64) / if split { 2.0 } else { 1.0 }
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
            generation: 0,
            frozen: None,
            forking: None,
            tracing: None,
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
        let big = core.borrow().nodes() > SPLIT_REFRESH_NODES;
        if big {
            core.borrow_mut().panels_owed = true;
            self.refresh(Part::Marks);
        } else {
            self.publish();
        }
    }

    /// Run (or restart a finished run) in real time at the current speed:
    /// in the Web Worker unless a follower watches the run.
    pub fn play(&self, doc: &Scenario) -> Result<(), String> {
        if self.status.get_untracked() == Status::Finished {
            self.reset();
        }
        if self.go_remote(doc, false)? {
            if self.core().borrow().remote.is_some() {
                self.set_status(Status::Running);
                self.ask_slice(now());
            }
            return Ok(());
        }
        if self.ensure(doc, false)? {
            self.settle_or(Status::Running);
        }
        Ok(())
    }

    /// Stops the run where it is (in the worker too: the slice under way
    /// ends within its budget, and the run waits there).
    pub fn pause(&self) {
        if self.status.get_untracked().is_active() {
            self.set_status(Status::Paused);
            let at = self.core().borrow_mut().remote.as_mut().map(|r| {
                r.last_ask_ms = None;
                r.now_us
            });
            if let Some(at) = at {
                // The clock stops at once where the worker's run was last
                // seen (a slice under way ends a few ms later, and moves it
                // by no more than that slice); the panels catch up.
                self.snap.update(|s| s.now_ms = at as f64 / 1000.0);
                self.ask_look(0);
            }
        }
    }

    /// Stops this run at a follower's instants (a lesson's); `None` lets it
    /// run freely again.
    pub fn follow(&self, follower: Option<FollowerRef>) {
        self.core().borrow_mut().follower = follower;
    }

    /// The follower's next stops up to `until_us` (none without a follower).
    fn stops_ahead(&self, until_us: u64) -> Vec<Stop> {
        self.core().borrow().follower.as_ref().map(|f| f.borrow().stops_ahead(until_us)).unwrap_or_default()
    }

    /// Shows the follower what the run looked like at its stops; `true` if
    /// it pauses the run at one.
    fn saw(&self, seen: &[Seen]) -> bool {
        let follower = self.core().borrow().follower.clone();
        let Some(f) = follower else { return false };
        let mut paused = false;
        for s in seen {
            paused |= f.borrow_mut().at_stop(s);
        }
        paused
    }

    /// Runs the next event and pauses.
    pub fn step(&self, doc: &Scenario) -> Result<(), String> {
        if self.status.get_untracked() == Status::Finished {
            return Ok(());
        }
        // No run yet: a paused one in the worker, which makes the step.
        let idle = {
            let core = self.core();
            let c = core.borrow();
            c.sim.is_none() && c.remote.is_none() && c.frozen.is_none()
        };
        if idle && self.go_remote(doc, false)? && self.core().borrow().remote.is_none() {
            return Ok(()); // Refused for its budget: the refusal says why.
        }
        if self.core().borrow().remote.is_some() {
            if self.core().borrow().remote.as_ref().is_some_and(|r| r.outstanding == 0) {
                self.set_status(Status::Paused);
                self.ask_step();
            }
            return Ok(());
        }
        if !self.ensure(doc, false)? {
            return Ok(());
        }
        let stop = self.stops_ahead(u64::MAX).first().copied();
        let mut seen = Vec::new();
        {
            let core = self.core();
            let mut c = core.borrow_mut();
            if let Some(sim) = c.sim.as_mut() {
                // The next event, unless a follower's stop comes first.
                match stop {
                    Some(stop) if sim.now_us() <= stop.at_us => {
                        let mut chunk = 1;
                        drive::advance_stopping(
                            sim,
                            stop.at_us,
                            &[stop],
                            1,
                            f64::INFINITY,
                            &mut chunk,
                            &now,
                            &mut seen,
                        );
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
        self.saw(&seen);
        self.settle_or(Status::Paused);
        Ok(())
    }

    /// Runs as fast as the engine allows until the end: in the Web Worker
    /// unless no worker can start here.
    pub fn run_to_end(&self, doc: &Scenario) -> Result<(), String> {
        if self.status.get_untracked() == Status::Finished {
            return Ok(());
        }
        if self.go_remote(doc, true)? {
            if self.core().borrow().remote.is_none() {
                return Ok(()); // Refused for its budget: the refusal says why.
            }
            self.set_status(Status::ToEnd);
            self.ask_slice(now());
            return Ok(());
        }
        if self.ensure(doc, true)? {
            self.settle_or(Status::ToEnd);
        }
        Ok(())
    }

    /// Makes sure the run goes on in the worker: the one there, the page's
    /// own paused run handed over (the worker runs it on to the same
    /// instant: the same run), or a new run of `doc`. `false` when the run
    /// stays on the page (no worker starts); `Ok(true)` also when the run
    /// was refused for its budget.
    fn go_remote(&self, doc: &Scenario, to_end: bool) -> Result<bool, String> {
        let core = self.core();
        let (local, has_remote) = {
            let c = core.borrow();
            (c.sim.as_ref().map(|s| (s.scenario().clone(), s.now_us())), c.remote.is_some())
        };
        if has_remote {
            return Ok(true);
        }
        let (scenario, from_us) = match local {
            Some(at) => at,
            None => {
                if core.borrow().frozen.is_some() {
                    return Err("The run is over: Reset to start a new one".into());
                }
                let refusal = over_budget(doc, to_end);
                let refused = refusal.is_some();
                self.refusal.set(refusal);
                if refused {
                    return Ok(true);
                }
                load::check(doc).map_err(cannot_run)?;
                (doc.clone(), 0)
            }
        };
        Ok(self.start_remote(scenario, from_us))
    }

    /// Starts the worker's live run of `scenario` at `from_us`; `false` if
    /// no worker can start here.
    fn start_remote(&self, scenario: Scenario, from_us: u64) -> bool {
        let core = self.core();
        let runner = core.borrow().runner.clone();
        let runner = match runner {
            Some(r) => r,
            None => {
                let run = *self;
                let generation = core.borrow().generation;
                match Pool::start(1, move |_, reply| run.heard(generation, reply)) {
                    Ok(r) => r,
                    Err(_) => return false,
                }
            }
        };
        runner.post(0, &pool::live_task("live", from_us, &scenario.to_json()));
        let duration_ms = scenario.duration_ms;
        {
            let mut c = core.borrow_mut();
            c.runner = Some(runner);
            c.sim = None;
            c.timeline.clear();
            c.lay_out(&scenario);
            let end_us = crate::engine::kernel::clock::ms_to_us(scenario.duration_ms);
            let mut remote = Remote::new(scenario, from_us, end_us);
            remote.asked(Moves::Run);
            c.remote = Some(remote);
            c.requests = RequestLog::default();
            c.flights.clear();
            c.dirty = true;
        }
        self.failure.set(None);
        // The clock shows the run's span at once; the figures follow with
        // the worker's first answer.
        self.snap.update(|snap| {
            snap.now_ms = from_us as f64 / 1000.0;
            snap.end_ms = duration_ms;
        });
        true
    }

    /// Asks the worker for the next slice of the run, if it is going and
    /// no slice is out: the wall time since the last one times the speed,
    /// or as much as a longer budget allows when running to the end.
    fn ask_slice(&self, now_ms: f64) {
        let core = self.core();
        let mut c = core.borrow_mut();
        let status = c.status;
        let every = publish_every(c.remote.as_ref().map_or(0, |r| r.scenario.nodes.len()));
        let publish = now_ms - c.last_publish_ms >= every;
        let split = c.remote.as_ref().is_some_and(|r| r.scenario.nodes.len() > SPLIT_REFRESH_NODES);
        let part = match (publish, split, c.marks_turn) {
            (false, ..) => None,
            (true, false, _) => Some(Part::All),
            (true, true, true) => Some(Part::Marks),
            (true, true, false) => Some(Part::Panels),
        };
        let speed = c.speed;
        let follower = c.follower.clone();
        let Some(r) = c.remote.as_mut() else { return };
        if !status.is_active() || r.outstanding > 0 {
            return;
        }
        let dt = r.last_ask_ms.map_or(0.0, |t| (now_ms - t).clamp(0.0, MAX_FRAME_MS));
        r.last_ask_ms = Some(now_ms);
        let to_end = status == Status::ToEnd;
        let target_us = if to_end { r.end_us } else { r.now_us.saturating_add((dt * speed * 1000.0).max(0.0) as u64) };
        // A follower's stops on the way: the run stands at each.
        let stops = follower.map(|f| f.borrow().stops_ahead(target_us)).unwrap_or_default();
        let ask = Ask {
            target_us,
            max_events: u64::MAX,
            budget_ms: if to_end { WORKER_TO_END_MS } else { WORKER_SLICE_MS },
            tokens: !to_end,
            marks: part.is_some_and(|p| p != Part::Panels),
            panels: part.is_some_and(|p| p != Part::Marks),
            rows: part.is_some_and(|p| p != Part::Marks) && std::mem::take(&mut r.rows_wanted),
            stops,
            seek: false,
            to_end,
        };
        r.asked(Moves::Run);
        if part.is_some() {
            c.last_publish_ms = now_ms;
            if split {
                c.marks_turn = !c.marks_turn;
            }
        }
        if let Some(w) = c.runner.as_ref() {
            w.post(0, &pool::live_task("slice", 0, &serde_json::to_string(&ask).unwrap_or_default()));
        }
    }

    /// Asks the worker's run for everything the page shows, without moving
    /// it (after a pause: the panels catch up with the run).
    fn ask_look(&self, max_events: u64) {
        let target = self.core().borrow().remote.as_ref().map_or(0, |r| r.end_us);
        self.ask_full(target, max_events, Vec::new(), false);
    }

    /// Asks the worker's run for its next event, or for the follower's
    /// next stop if that comes first (the run stands there and looks).
    fn ask_step(&self) {
        let Some(now_us) = self.core().borrow().remote.as_ref().map(|r| r.now_us) else { return };
        match self.stops_ahead(u64::MAX).first().copied() {
            Some(stop) if now_us <= stop.at_us => self.ask_full(stop.at_us, 1, vec![stop], false),
            _ => self.ask_look(1),
        }
    }

    /// Asks the worker's run to jump to `target_us` (the timeline), seeing
    /// the follower's stops on the way forwards; one jump at a time, the
    /// last one asked wins.
    fn ask_seek(&self, target_us: u64) {
        let now_us = {
            let core = self.core();
            let mut c = core.borrow_mut();
            let Some(r) = c.remote.as_mut() else { return };
            if r.outstanding > 0 {
                r.pending_seek = Some(target_us);
                return;
            }
            r.now_us
        };
        let follower = self.core().borrow().follower.clone();
        if let (Some(f), true) = (&follower, target_us < now_us) {
            // Back in time: the marks after it are watched again.
            f.borrow_mut().rewind(target_us);
        }
        let stops = self.stops_ahead(target_us.saturating_sub(1));
        self.ask_full(target_us, u64::MAX, stops, true);
    }

    /// Asks the worker's run for a slice that shows everything: toward
    /// `target_us` (at most `max_events`), or a jump there (`seek`).
    fn ask_full(&self, target_us: u64, max_events: u64, stops: Vec<Stop>, seek: bool) {
        let core = self.core();
        let mut c = core.borrow_mut();
        let Some(r) = c.remote.as_mut() else { return };
        let ask = Ask {
            target_us,
            max_events,
            budget_ms: WORKER_SLICE_MS,
            tokens: true,
            marks: true,
            panels: true,
            rows: std::mem::take(&mut r.rows_wanted),
            stops,
            seek,
            to_end: false,
        };
        r.asked(match (seek, max_events) {
            (true, _) => Moves::Jump,
            (false, 0) => Moves::Run,
            _ => Moves::Step,
        });
        if let Some(w) = c.runner.as_ref() {
            w.post(0, &pool::live_task("slice", 0, &serde_json::to_string(&ask).unwrap_or_default()));
        }
    }

    /// What the worker said about the live run.
    fn heard(&self, generation: u64, reply: Reply) {
        let core = self.core();
        if core.borrow().generation != generation {
            return;
        }
        if let Reply::Answer(text) = &reply {
            // A trace of a run there, going or finished.
            if let Ok(Answer::Traced(t)) = crate::engine::format::json::read::<Answer>(text) {
                let done = core.borrow_mut().tracing.take();
                if let Some(done) = done {
                    done(t.map(|t| *t));
                }
                return;
            }
        }
        if core.borrow().remote.is_none() {
            return;
        }
        let failed = match reply {
            Reply::Answer(text) => match crate::engine::format::json::read::<Answer>(&text) {
                Ok(Answer::Sliced(s)) if s.finished.is_some() => {
                    // Read in this task, shown in the next: a big run's last
                    // answer and all it changes on the page are two tasks.
                    let run = *self;
                    let show = move || {
                        if run.core().borrow().generation == generation {
                            run.take_slice(*s, true);
                        }
                    };
                    leptos::prelude::set_timeout(show, std::time::Duration::ZERO);
                    return;
                }
                Ok(Answer::Sliced(s)) => {
                    self.take_slice(*s, true);
                    return;
                }
                Ok(Answer::Acted(a)) => {
                    let a = *a;
                    if let Some(r) = core.borrow_mut().remote.as_mut() {
                        r.scenario = a.scenario.clone();
                    }
                    match a.refused {
                        Some(why) => self.failure.set(Some(format!("Not done: {why}"))),
                        None => {
                            core.borrow_mut().unrecorded = Some(a.scenario);
                            self.flush();
                        }
                    }
                    self.take_slice(a.sliced, false);
                    return;
                }
                Ok(Answer::Forked(branch)) => {
                    let done = core.borrow_mut().forking.take();
                    if let Some(done) = done {
                        done(branch);
                    }
                    return;
                }
                Ok(Answer::Error(e)) => format!("The run stopped: {e}"),
                Ok(_) => "The run stopped: its worker answered something else".to_string(),
                Err(e) => format!("The run stopped: the worker's answer was unreadable ({e})"),
            },
            Reply::Died(why) => {
                format!("The run stopped: its Web Worker died ({why}). The page keeps working: Reset, or try a shorter run.")
            }
        };
        self.cancel_remote();
        self.failure.set(Some(failed));
        self.back_from_worker();
    }

    /// Takes what a slice brought: tokens to draw, what the follower's
    /// stops saw, and what to show.
    fn take_slice(&self, s: Sliced, answers_ask: bool) {
        let core = self.core();
        let moved;
        let mut pending_seek = None;
        let finished = {
            let mut c = core.borrow_mut();
            let Core { remote, flights, ends, anim_ms, requests, .. } = &mut *c;
            let Some(r) = remote.as_mut() else { return };
            moved = if answers_ask {
                r.outstanding = r.outstanding.saturating_sub(1);
                r.moves.pop_front().unwrap_or(Moves::Run)
            } else {
                Moves::Run
            };
            r.now_us = s.now_us;
            r.end_us = s.end_us;
            if let Some(f) = s.faulted {
                r.faulted = f;
            }
            if moved == Moves::Jump {
                // Another instant: what was on the links and the requests
                // listed are of the one before.
                flights.clear();
                *requests = RequestLog::default();
                r.rows.clear();
                r.rows_at_us = None;
            }
            if let Some(rows) = s.rows {
                r.rows = rows;
                r.rows_at_us = Some(s.now_us);
            }
            flights.update(&s.departures, ends, s.now_us, *anim_ms);
            if moved != Moves::Run {
                *anim_ms += MIN_FLIGHT_MS / 2.0;
            }
            c.dirty = true;
            let finished = s.finished.map(|f| {
                let r = c.remote.take();
                pending_seek = r.as_ref().and_then(|r| r.pending_seek);
                (f, r.map(|r| r.scenario).unwrap_or_default())
            });
            finished
        };
        // The follower looks first: a run's last marks are seen as it ends.
        let paused_at_stop = self.saw(&s.seen) && moved != Moves::Jump;
        if let Some((f, scenario)) = finished {
            // A jump asked while this slice was out still goes (from the
            // finished run the worker holds).
            let again = pending_seek.map(|t| (t, scenario.clone()));
            {
                let mut c = core.borrow_mut();
                c.frozen = Some(Frozen::new(*f, scenario));
                c.requests = RequestLog::default();
                c.flights.clear();
                c.drawn = (0, 0);
                c.dirty = true;
            }
            self.set_status(Status::Finished);
            if let Some((t, scenario)) = again {
                let _ = self.seek_remote(&scenario, t);
            }
            return;
        }
        let shows = s.nodes.is_some() || s.report.is_some();
        // Paused, the clock stays where Pause stopped it (a slice asked
        // before the pause may still land); a step, a jump or an action
        // moves it.
        let hold = answers_ask && moved == Moves::Run && self.status.get_untracked() == Status::Paused;
        if shows {
            let (actual_speed, (tokens, in_flight)) = {
                let c = core.borrow();
                (c.actual_speed, c.drawn)
            };
            let end_ms = s.end_us as f64 / 1000.0;
            self.snap.update(|snap| {
                if !hold {
                    snap.now_ms = s.now_us as f64 / 1000.0;
                }
                snap.end_ms = end_ms;
                snap.events = s.events;
                snap.hash = None;
                snap.actual_speed = actual_speed;
                snap.in_flight = in_flight;
                snap.tokens = tokens;
                if let Some(v) = s.nodes {
                    snap.nodes = v;
                }
                if let Some(v) = s.links {
                    snap.links = v;
                }
                if let Some(v) = s.report {
                    snap.report = v;
                }
                if let Some(v) = s.series {
                    snap.series = v.0;
                }
            });
        }
        if paused_at_stop && self.status.get_untracked().is_active() {
            // A lesson's timed action comes next: the run waits for it.
            if let Some(r) = core.borrow_mut().remote.as_mut() {
                r.last_ask_ms = None;
            }
            self.set_status(Status::Paused);
        }
        // A jump asked while this slice was out goes now.
        let pending =
            core.borrow_mut().remote.as_mut().filter(|r| r.outstanding == 0).and_then(|r| r.pending_seek.take());
        if let Some(t) = pending {
            self.ask_seek(t);
            return;
        }
        // Running to the end, the next slice goes at once.
        if self.status.get_untracked() == Status::ToEnd {
            self.ask_slice(now());
        }
    }

    /// Stops the run going on in the worker, at once (the worker is
    /// terminated: the only way to stop a slice mid-way). `true` if one was.
    fn cancel_remote(&self) -> bool {
        let core = self.core();
        let mut c = core.borrow_mut();
        if c.remote.take().is_none() {
            return false;
        }
        if let Some(r) = c.runner.take() {
            r.terminate();
        }
        c.generation += 1;
        c.forking = None;
        c.tracing = None;
        true
    }

    /// Brings the worker's run back to the page, at the instant it shows,
    /// for what needs the engine at hand (the timeline, a what-if fork, a
    /// lesson's marks, the GIF export). The run is deterministic: the page
    /// runs the same scenario on to the same instant.
    fn bring_home(&self) {
        let Some((scenario, at_us)) = self.core().borrow().remote.as_ref().map(|r| (r.scenario.clone(), r.now_us))
        else {
            return;
        };
        self.cancel_remote();
        let core = self.core();
        let mut c = core.borrow_mut();
        if let Ok(mut sim) = Sim::new(&scenario, SimOptions::interactive()) {
            c.timeline.clear();
            c.timeline.note(&sim);
            c.timeline.seek(&mut sim, at_us);
            sim.take_departures(&mut Vec::new());
            c.sim = Some(sim);
            c.dirty = true;
        }
    }

    /// After the worker failed: paused if the page has the run, else idle.
    fn back_from_worker(&self) {
        let paused = self.core().borrow().sim.is_some();
        self.set_status(if paused { Status::Paused } else { Status::Idle });
    }

    /// Sends a live action to the worker's run; `false` if there is none.
    fn act_remote(&self, what: Act) -> bool {
        let core = self.core();
        let c = core.borrow();
        match (&c.remote, &c.runner) {
            (Some(_), Some(w)) => {
                w.post(0, &pool::live_task("act", 0, &serde_json::to_string(&what).unwrap_or_default()));
                true
            }
            _ => false,
        }
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
        self.bring_home();
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
            && (self.core().borrow().sim.is_some() || self.core().borrow().remote.is_some())
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
        // No run yet: a paused one in the worker, which makes the action.
        let idle = {
            let core = self.core();
            let c = core.borrow();
            c.sim.is_none() && c.remote.is_none() && c.frozen.is_none()
        };
        if idle && self.go_remote(doc, false)? && self.core().borrow().remote.is_some() {
            self.set_status(Status::Paused);
        }
        if self.act_remote(Act::Fault(fault.clone())) {
            return Ok(());
        }
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
        if self.has_active_fault(target) && self.act_remote(Act::Recover(target.to_string())) {
            return;
        }
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
        let core = self.core();
        let c = core.borrow();
        match (&c.sim, &c.remote) {
            (Some(sim), _) => !sim.active_faults(target).is_empty(),
            (None, Some(r)) => r.faulted.iter().any(|t| t == target),
            _ => false,
        }
    }

    /// Sets a field of a node or link now (a scheduled change at this instant).
    pub fn change_now(&self, target: &str, field: &str, value: serde_json::Value) -> Result<(), String> {
        if self.core().borrow().remote.is_some() {
            self.act_remote(Act::Change { target: target.to_string(), field: field.to_string(), value });
            return Ok(());
        }
        self.act(|sim| sim.change_now(target, field, value)).map(|_| ())
    }

    /// Runs `doc` again up to the time this run had reached (undo and redo
    /// of a live action keep the run, minus or plus the action).
    pub fn replay(&self, doc: &Scenario) {
        // In the worker: it starts the run again and runs it on to there.
        let remote = {
            let core = self.core();
            let mut c = core.borrow_mut();
            let Core { remote, runner, flights, dirty, .. } = &mut *c;
            match (remote.as_mut(), runner.as_ref()) {
                (Some(r), Some(w)) => {
                    if !same_semantics(&r.scenario, doc) {
                        w.post(0, &pool::live_task("live", r.now_us, &doc.to_json()));
                        r.scenario = doc.clone();
                        r.asked(Moves::Run);
                        r.rows.clear();
                        flights.clear();
                        *dirty = true;
                    }
                    true
                }
                _ => false,
            }
        };
        if remote {
            return;
        }
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
            let ran = ran.or(c.remote.as_ref().map(|r| &r.scenario)).or(c.frozen.as_ref().map(|f| &f.scenario));
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

    /// What is drawn over the diagram where tokens must not go (world units).
    pub fn on_covers(&self, covers: Vec<Rect>) {
        let core = self.core();
        let mut c = core.borrow_mut();
        c.canvas.covers = covers;
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
        let status = c.status;
        let Core { sim, requests, frozen, remote, .. } = &mut *c;
        let (rows, look) = match (sim.as_ref(), frozen.as_ref(), remote.as_mut()) {
            (Some(sim), ..) => (requests.refresh(sim), false),
            (None, Some(f), _) => (f.finished.rows.clone(), false),
            (None, None, Some(r)) => {
                // The worker sends the rows with its next refresh; a
                // paused run is asked for them now.
                r.rows_wanted = true;
                let stale = r.rows_at_us != Some(r.now_us);
                (r.rows.clone(), stale && !status.is_active() && r.outstanding == 0)
            }
            _ => (Vec::new(), false),
        };
        drop(c);
        if look {
            self.ask_look(0);
        }
        rows
    }

    /// A request's trace, kept by the engine or rebuilt by replaying, for
    /// `done`: asked of the worker that holds the run (going, paused or
    /// finished there), else found here.
    pub fn trace(&self, id: u64, done: impl FnOnce(Option<Trace>) + 'static) {
        let core = self.core();
        let found = {
            let c = core.borrow();
            match (&c.sim, &c.remote, &c.frozen, &c.runner) {
                (None, _, _, Some(w)) if c.remote.is_some() || c.frozen.is_some() => {
                    w.post(0, &pool::live_task("act", 0, &serde_json::to_string(&Act::Trace(id)).unwrap_or_default()));
                    drop(c);
                    core.borrow_mut().tracing = Some(Box::new(done));
                    return;
                }
                (None, None, Some(f), _) => f.trace(id),
                (None, Some(r), ..) => Sim::replay_trace(&r.scenario, id, r.now_us),
                (Some(sim), ..) => sim.trace(id).or_else(|| Sim::replay_trace(sim.scenario(), id, sim.now_us())),
                _ => None,
            }
        };
        done(found);
    }

    /// Shows the run at simulated time `t_ms` (building it first if there
    /// is none), paused there: from the nearest checkpoint, forwards or
    /// backwards, exactly as a run from zero would be at that instant. The
    /// jump is made in the worker that holds the run (a finished one too);
    /// the clock and figures move when it answers.
    pub fn seek(&self, doc: &Scenario, t_ms: f64) -> Result<(), String> {
        let target = crate::engine::kernel::clock::ms_to_us(t_ms);
        if self.seek_remote(doc, target)? {
            return Ok(());
        }
        self.thaw();
        if !self.ensure(doc, false)? {
            return Ok(()); // Over its budget: the refusal says what to do.
        }
        let mut seen = Vec::new();
        {
            let core = self.core();
            let mut c = core.borrow_mut();
            let Core { sim, timeline, departures, flights, ends, anim_ms, requests, follower, .. } = &mut *c;
            let Some(sim) = sim.as_mut() else {
                return Ok(());
            };
            let mut stops = Vec::new();
            if let Some(f) = follower.as_ref() {
                if target < sim.now_us() {
                    // Back in time: the marks after it are watched again.
                    f.borrow_mut().rewind(target);
                }
                // Forwards: the marks on the way are seen at their instants.
                stops = f.borrow().stops_ahead(target.saturating_sub(1));
            }
            drive::seek(sim, timeline, target, &stops, &mut seen);
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
        self.saw(&seen);
        self.settle_or(Status::Paused);
        Ok(())
    }

    /// Jumps the run in the worker to `target_us`: the one going or paused
    /// there, one that finished there (the worker still holds it and its
    /// checkpoints), or a new paused run of `doc`. `false` when the run is
    /// on the page (no worker starts here).
    fn seek_remote(&self, doc: &Scenario, target_us: u64) -> Result<bool, String> {
        let core = self.core();
        {
            let mut c = core.borrow_mut();
            if c.sim.is_some() {
                return Ok(false);
            }
            if c.remote.is_none() && c.runner.is_some() {
                if let Some(f) = c.frozen.take() {
                    let end_us = crate::engine::kernel::clock::ms_to_us(f.scenario.duration_ms);
                    let now_us = crate::engine::kernel::clock::ms_to_us(f.finished.now_ms);
                    c.remote = Some(Remote::new(f.scenario, now_us, end_us));
                }
            }
        }
        let idle = {
            let c = core.borrow();
            c.remote.is_none() && c.frozen.is_none()
        };
        if idle && !self.go_remote(doc, false)? {
            return Ok(false);
        }
        if core.borrow().remote.is_none() {
            // Refused for its budget (the refusal says why), or finished
            // where no worker holds it.
            return Ok(idle);
        }
        self.set_status(Status::Paused);
        self.ask_seek(target_us);
        Ok(true)
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
    /// applied then, as a scenario; or why it cannot be made. `done` hears
    /// it: at once, or when the worker that holds the run answers.
    pub fn fork(&self, what: &crate::engine::fork::Intervention, done: impl FnOnce(ForkResult) + 'static) {
        let core = self.core();
        let result = {
            let c = core.borrow();
            match (&c.sim, &c.remote, &c.runner, &c.frozen) {
                (None, Some(_), Some(w), _) => {
                    let act = Act::Fork(what.clone());
                    w.post(0, &pool::live_task("act", 0, &serde_json::to_string(&act).unwrap_or_default()));
                    drop(c);
                    core.borrow_mut().forking = Some(Box::new(done));
                    return;
                }
                // Finished in the worker: the run stands at its end.
                (None, _, _, Some(_)) => Err("the run is over at this point: move the timeline back to fork it".into()),
                (Some(sim), ..) => crate::engine::fork::fork(sim, what),
                _ => Err("run the scenario first: a what-if starts from a moment of a run".into()),
            }
        };
        done(result);
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
            let nodes = c.nodes();
            let split = nodes > SPLIT_REFRESH_NODES;
            // The worker's run brings its refreshes with its slices.
            let every = publish_every(nodes);
            publish_due = status.is_active() && c.remote.is_none() && now_ms - c.last_publish_ms >= every;
            // A frame that refreshes the panels leaves most of its time to
            // them, so together they still fit well inside a frame.
            let budget = if publish_due { PUBLISH_FRAME_BUDGET_MS } else { FRAME_BUDGET_MS };
            let mut chunk = c.chunk;
            let speed = c.speed;
            let mut moved = false;
            let follower = c.follower.clone();
            let mut seen = Vec::new();
            if status.is_active() {
                c.anim_ms += dt;
            }
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
                // A follower's stops on the way come first.
                let stops = follower.as_ref().map(|f| f.borrow().stops_ahead(target)).unwrap_or_default();
                drive::advance_stopping(sim, target, &stops, u64::MAX, deadline, &mut chunk, &now, &mut seen);
                moved = true;
            }
            c.chunk = chunk;
            if moved {
                c.checkpoint();
            }
            if let Some(f) = c.follower.as_ref() {
                for s in &seen {
                    paused_at_stop |= f.borrow_mut().at_stop(s);
                }
            }
            finished_now = status.is_active() && c.sim.as_ref().is_some_and(|s| s.is_finished());
            // Measured speed, for the status line.
            let sim_now_ms = match (&c.sim, &c.remote) {
                (Some(sim), _) => Some(sim.now_ms()),
                (None, Some(r)) => Some(r.now_us as f64 / 1000.0),
                _ => None,
            };
            if let Some(sim_ms) = sim_now_ms {
                let (t0, s0) = c.speed_mark;
                if now_ms - t0 >= 1000.0 {
                    c.actual_speed = (sim_ms - s0) / ((now_ms - t0) / 1000.0) / 1000.0;
                    c.speed_mark = (now_ms, sim_ms);
                }
            }
            // Tokens in the worker's run move between its answers.
            let remote = c.remote.is_some();
            if moved || c.dirty || (remote && status.is_active()) {
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
        self.ask_slice(now_ms);
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
        if let (None, Some(_)) = (&c.sim, &c.remote) {
            // The worker's answers refresh the snapshot (`take_slice`).
            return;
        }
        let Some(sim) = c.sim.as_ref() else {
            match (c.frozen.as_ref(), part) {
                // A finished run's marks, or its panels, alone: one set of
                // views at a time changes (a big diagram's two refreshes).
                (Some(f), Part::Marks) => {
                    let mut next = f.marks();
                    drop(c);
                    self.snap.update(|s| {
                        next.report = std::mem::take(&mut s.report);
                        next.series = std::mem::take(&mut s.series);
                        *s = next;
                    });
                }
                (Some(f), Part::Panels) => {
                    let (report, series) = (f.finished.report.clone(), f.finished.series.0.clone());
                    drop(c);
                    self.snap.update(|s| {
                        s.report = report;
                        s.series = series;
                    });
                }
                (f, _) => {
                    let snap = f.map(Frozen::snap).unwrap_or_default();
                    drop(c);
                    self.snap.set(snap);
                }
            }
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
