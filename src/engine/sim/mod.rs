//! The simulator: one run of one scenario.
//!
//! A run is a loop over events ordered by (time, sequence number). Each event
//! touches a node, a request (a *job* at a node) or a message, and may
//! schedule more. Requests and messages live in generational slabs, so an
//! event for something a crash destroyed finds nothing and does nothing.
//!
//! The life of a request at a service follows MODEL.md: it takes a worker
//! (or waits in the backlog, or is rejected), does its work, then makes the
//! node's outgoing calls in link order. A synchronous call holds the worker
//! until the answer (thread-per-request), which is how a slow dependency
//! exhausts its callers. Then it answers whoever is waiting: the caller of
//! an HTTP attempt, the queue that delivered it (ack/nack), or the client.
//!
//! Every message or call attempt sent over a link ends in exactly one state
//! of the ledger ([`crate::engine::report::MessageCounts`]).
//!
//! The app drives a run in slices ([`Sim::advance_to`], [`Sim::step`]) and
//! reads it between slices; the runner calls [`Sim::run_to_end`].

mod audit;
mod browsers;
mod build;
mod calls;
mod clients;
mod connections;
mod databases;
mod dedup;
mod durability;
mod event;
mod exchanges;
mod fanout;
mod faults;
mod fifo;
mod guards;
mod jobs;
mod log_groups;
mod logs;
mod memory;
mod model;
mod ordering;
mod outbox;
mod presence;
mod queues;
mod regions;
mod replicas;
mod reporting;
mod sagas;
mod store_forward;
mod timed;
mod tokens;
mod topics;

use crate::engine::budget::Budget;
use crate::engine::format::{ChangeSpec, FaultSpec, LoadError, Scenario};
use crate::engine::kernel::clock::{Micros, Time};
use crate::engine::kernel::events::EventQueue;
use crate::engine::kernel::hash::RunHash;
use crate::engine::kernel::slab::Slab;
use crate::engine::report::{Bucket, End, MessageCounts, Report, RequestCounts};
use crate::engine::trace::{HopKind, RawHop, Trace, TraceLog};
use crate::engine::view::{LinkLive, NodeLive, Token};
use event::Ev;
use model::{FaultRt, Job, LinkRt, Msg, NodeRt};

/// How much a run keeps beyond its metrics.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SimOptions {
    /// Keep every hop of this many most recent traces (0: none).
    pub keep_traces: usize,
    /// Track tokens in flight for drawing.
    pub track_tokens: bool,
    /// Keep per-second series for charts.
    pub series: bool,
}

impl Default for SimOptions {
    /// What the runner uses: metrics only.
    fn default() -> Self {
        SimOptions { keep_traces: 0, track_tokens: false, series: false }
    }
}

impl SimOptions {
    /// What the app uses: tokens, recent traces and chart series.
    pub fn interactive() -> Self {
        SimOptions { keep_traces: 2_000, track_tokens: true, series: true }
    }
}

/// A push travelling to a user.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Push {
    pub browser: u32,
    pub user: u32,
    pub server: u32,
    pub trace: u64,
    pub trace_start: Micros,
    pub token: u32,
    /// When a store-and-forward push was first held (MAX: never held).
    pub held_at: Micros,
}

/// One run of one scenario. A clone is a checkpoint: it runs on exactly
/// as the original would (the scrub timeline and what-if forks use this).
#[derive(Clone)]
pub struct Sim {
    /// The document of the run: what it was built from, plus the faults
    /// and changes recorded live (so it replays this very run).
    scenario: Scenario,
    /// The nodes and links as the changes applied so far left them.
    current: Scenario,
    /// Faults and changes by (time, order): at the same instant they run
    /// before any other event, in an order that does not depend on when
    /// they were scheduled (see `timed`).
    timed: timed::Agenda,
    /// When the last event ran (a live action must come after it).
    last_event_at: Option<Micros>,
    now: Micros,
    end: Micros,
    queue: EventQueue<Ev>,
    hash: RunHash,
    events: u64,
    nodes: Vec<NodeRt>,
    links: Vec<LinkRt>,
    jobs: Slab<Job>,
    msgs: Slab<Msg>,
    pushes: Slab<Push>,
    faults: Vec<FaultRt>,
    ledger: MessageCounts,
    requests: RequestCounts,
    next_trace: u64,
    next_op: u64,
    bucket_us: Micros,
    bucket_start: Micros,
    traces: TraceLog,
    tokens: tokens::Tokens,
    /// Why the run stopped before its end, if it did.
    stopped: Option<String>,
    /// Every event up to the end has run. Not `now >= end`: events at the
    /// end's instant may still wait (and a run whose duration rounds to
    /// 0 us starts at its end), and a run must not be called finished by a
    /// slice that stopped between two of them while another slicing runs
    /// them all.
    done: bool,
    /// Per-second series are kept (the ticks run either way: same hash).
    series: bool,
    /// The last sequence number handed out per key (empty without keys).
    key_seq: Vec<u64>,
    /// Routing keys of the scenario, interned; index 0 is the empty key.
    routing_keys: Vec<String>,
    /// Log topics (their consumer groups need ticks and audits).
    log_topics: Vec<u32>,
    /// Messages held by all log topics.
    log_entries: usize,
    /// The runaway guards' budget and state.
    watch: guards::Watch,
    /// Replicated services: their replicas, balancers and health checks.
    replicas: replicas::Replicas,
    /// Call links' connections, pools and payload transfers.
    conns: connections::Conns,
    /// Each node's region, for `region:NAME` faults and browsers' servers.
    regions: regions::Regions,
    /// Databases: replication and versions per key (None without one).
    dbs: Option<Box<databases::Dbs>>,
    /// Links' counts (fan-out).
    fans: fanout::Fans,
}

impl Sim {
    /// Validates and builds a run within the default [`Budget`]; fails with
    /// every problem found, or with why the run would exceed its budget.
    pub fn new(scenario: &Scenario, options: SimOptions) -> Result<Sim, LoadError> {
        Sim::with_budget(scenario, options, Budget::default())
    }

    /// As [`Sim::new`], with another budget (`crosstalk run --max-events`).
    pub fn with_budget(scenario: &Scenario, options: SimOptions, budget: Budget) -> Result<Sim, LoadError> {
        crate::engine::format::load::check(scenario)?;
        crate::engine::budget::check(scenario, &budget).map_err(|p| LoadError::Invalid(vec![p]))?;
        let mut sim = build::build(scenario, options, TraceLog::new(options.keep_traces));
        sim.watch.budget = budget;
        Ok(sim)
    }

    pub fn scenario(&self) -> &Scenario {
        &self.scenario
    }

    /// Simulated time now, microseconds.
    pub fn now_us(&self) -> u64 {
        self.now
    }

    pub fn now_ms(&self) -> f64 {
        self.now as f64 / 1000.0
    }

    /// When the run ends, microseconds.
    pub fn end_us(&self) -> u64 {
        self.end
    }

    pub fn is_finished(&self) -> bool {
        self.done || self.stopped.is_some()
    }

    /// Runs events up to simulated time `t_us` (never past the end), at most
    /// `max_events` of them. Returns how many ran.
    pub fn advance_to(&mut self, t_us: u64, max_events: u64) -> u64 {
        let limit = t_us.min(self.end);
        let mut ran = 0;
        while ran < max_events && self.stopped.is_none() {
            match self.next_time() {
                Some(at) if at <= limit => {
                    self.process_next();
                    ran += 1;
                }
                _ => {
                    self.now = self.now.max(limit);
                    self.done |= limit == self.end;
                    break;
                }
            }
        }
        ran
    }

    /// Runs at most `n` events. Returns how many ran.
    pub fn step(&mut self, n: u64) -> u64 {
        let mut ran = 0;
        while ran < n && self.stopped.is_none() {
            match self.next_time() {
                Some(at) if at <= self.end => {
                    self.process_next();
                    ran += 1;
                }
                _ => {
                    self.now = self.end;
                    self.done = true;
                    break;
                }
            }
        }
        ran
    }

    pub fn run_to_end(&mut self) {
        while !self.is_finished() {
            self.advance_to(self.end, u64::MAX);
        }
    }

    /// Events processed so far.
    pub fn events(&self) -> u64 {
        self.events
    }

    /// The memory the run holds, as the runaway guard accounts for it
    /// (fixed sizes per event, request, message, remembered id...), bytes.
    pub fn memory_bytes(&self) -> u64 {
        memory::footprint(self).total()
    }

    /// Why the run stopped before its end, if it did.
    pub fn stopped(&self) -> Option<&str> {
        self.stopped.as_deref()
    }

    /// After a run stopped at its event budget: the duration that would fit.
    pub fn fitting_duration_ms(&self) -> Option<f64> {
        self.watch.fits_ms
    }

    pub fn run_hash(&self) -> u64 {
        self.hash.value()
    }

    /// The run hash as the runner and the app print it: 16 hex digits.
    pub fn run_hash_hex(&self) -> String {
        format!("{:016x}", self.run_hash())
    }

    /// Metrics so far.
    pub fn report(&self) -> Report {
        reporting::report(self)
    }

    /// End-to-end latency of every client's requests so far, merged into
    /// one distribution (replications summarise it).
    pub fn client_latency(&self) -> crate::engine::metrics::Latency {
        let mut all = crate::engine::metrics::Latency::default();
        for n in self.nodes.iter().filter(|n| n.kind == crate::engine::format::NodeKind::Client) {
            all.merge(&n.metrics.latency);
        }
        all
    }

    /// Per-second buckets of one node (by index in `scenario.nodes`).
    pub fn series(&self, node: usize) -> &[Bucket] {
        self.nodes.get(node).map(|n| n.metrics.series.buckets.as_slice()).unwrap_or(&[])
    }

    /// Fills `out` with the tokens in flight (needs `track_tokens`).
    pub fn tokens(&self, out: &mut Vec<Token>) {
        self.tokens.fill(self.now, out);
    }

    /// Moves into `out` what set off along links since the last call (needs
    /// `track_tokens`): the app animates each for a visible moment.
    pub fn take_departures(&mut self, out: &mut Vec<crate::engine::view::Departure>) {
        self.tokens.take_departures(out);
    }

    /// Turns the tracking of tokens on or off mid-run (a run to the end in
    /// the app draws none). The run is the same either way.
    pub fn set_track_tokens(&mut self, on: bool) {
        self.tokens.set_on(on);
    }

    /// The live state of every node, in `scenario.nodes` order.
    pub fn node_live(&self) -> Vec<NodeLive> {
        reporting::node_live(self)
    }

    /// The live state of every link, in `scenario.links` order.
    pub fn link_live(&self) -> Vec<LinkLive> {
        reporting::link_live(self)
    }

    /// The instant a live action made now takes effect: now, unless an
    /// event already ran at this instant (then the next microsecond), so
    /// that the same action read back from the scenario, which runs before
    /// every other event of its instant, replays this run exactly.
    pub fn live_at_us(&self) -> u64 {
        match self.last_event_at {
            Some(t) if t >= self.now => t + 1,
            _ => self.now,
        }
    }

    /// Starts a fault now (its `at_ms` is set to [`Sim::live_at_us`]) and
    /// records it in [`Sim::scenario`]'s `faults`; `for_ms` None lasts until
    /// ended or the end. Returns the fault as recorded.
    pub fn fault_now(&mut self, fault: FaultSpec) -> Result<FaultSpec, String> {
        timed::fault_now(self, fault)
    }

    /// Ends fault `index` (of `scenario().faults`) now by setting its
    /// `for_ms`; returns the fault as recorded.
    pub fn end_fault_now(&mut self, index: usize) -> Result<FaultSpec, String> {
        timed::end_fault_now(self, index)
    }

    /// Changes `field` of node or link `target` to `value` now, validated
    /// like the field itself, and records it in `scenario().changes`.
    pub fn change_now(&mut self, target: &str, field: &str, value: serde_json::Value) -> Result<ChangeSpec, String> {
        timed::change_now(self, target, field, value)
    }

    /// Positions in `scenario().faults` of the faults on `target` active now.
    pub fn active_faults(&self, target: &str) -> Vec<usize> {
        timed::active_faults(self, target)
    }

    /// The nodes and links with the changes applied so far.
    pub fn current(&self) -> &Scenario {
        &self.current
    }

    /// [`Sim::fault_now`], for callers that only need it to happen.
    pub fn inject(&mut self, fault: FaultSpec) -> Result<(), String> {
        self.fault_now(fault).map(|_| ())
    }

    /// Ends every fault active on `target` now.
    pub fn clear_faults(&mut self, target: &str) {
        for i in self.active_faults(target) {
            let _ = self.end_fault_now(i);
        }
    }

    /// The hops of a recent trace (needs `keep_traces`).
    pub fn trace(&self, id: u64) -> Option<Trace> {
        reporting::trace(self, id)
    }

    /// Ids of the traces kept, newest last.
    pub fn recent_traces(&self) -> Vec<u64> {
        self.traces.ids().collect()
    }

    /// How many hops a kept trace has so far: a cheap way for the app to
    /// see which traces changed since it last read them.
    pub fn trace_len(&self, id: u64) -> Option<usize> {
        self.traces.get(id).map(<[RawHop]>::len)
    }

    /// Checks the accounting invariant against the live state: every
    /// message sent is in exactly one end state or still in flight, every
    /// request likewise, and busy workers match the requests holding them.
    pub fn audit(&self) -> Result<(), String> {
        audit::audit(self)
    }

    /// Rebuilds one trace by running `scenario` again until `until_us`
    /// (runs are deterministic, so it is the same trace; pass
    /// [`Sim::scenario`] to include the actions recorded live).
    pub fn replay_trace(scenario: &Scenario, id: u64, until_us: u64) -> Option<Trace> {
        crate::engine::format::load::check(scenario).ok()?;
        let mut sim = build::build(scenario, SimOptions::default(), TraceLog::only(id));
        sim.advance_to(until_us, u64::MAX);
        reporting::trace(&sim, id)
    }

    // ---- the loop ----

    #[inline]
    fn schedule(&mut self, at: Micros, ev: Ev) {
        self.queue.push(at, ev);
    }

    /// The time of the next event, timed actions included.
    #[inline]
    fn next_time(&mut self) -> Option<Micros> {
        let queued = self.queue.peek_time();
        match (self.timed.next_time(), queued) {
            (Some(t), Some(q)) => Some(t.min(q)),
            (Some(t), None) => Some(t),
            (None, q) => q,
        }
    }

    /// The next event: a timed action first at equal times.
    #[inline]
    fn pop_next(&mut self) -> Option<(Micros, Ev)> {
        if let Some(t) = self.timed.next_time() {
            if self.queue.peek_time().is_none_or(|q| t <= q) {
                return self.timed.pop();
            }
        }
        self.queue.pop()
    }

    fn process_next(&mut self) {
        let Some((at, ev)) = self.pop_next() else {
            return;
        };
        self.last_event_at = Some(at);
        self.now = at;
        self.events += 1;
        let (a, b) = ev.hash_words();
        // The kind tag fits in the low 16 bits, the time (< 2^40 us) above.
        self.hash.add(at << 24 ^ a);
        self.hash.add(b);
        match ev {
            Ev::ClientNext { node, generation } => clients::next_arrival(self, node, generation),
            Ev::ClientRate { node, step } => clients::rate_step(self, node, step),
            Ev::JobArrive { job } => jobs::arrive(self, job),
            Ev::WorkDone { job } => jobs::work_done(self, job),
            Ev::Reply { job, seq, outcome, token } => calls::reply(self, job, seq, outcome, token),
            Ev::CallTimeout { job, seq } => calls::timeout(self, job, seq),
            Ev::Retry { job, seq } => calls::retry(self, job, seq),
            Ev::MsgArrive { msg } => queues::arrive(self, msg),
            Ev::MsgReady { msg } => queues::ready_again(self, msg),
            Ev::Visibility { msg, delivery } => queues::take_back(self, msg, delivery),
            Ev::OutboxConfirm { node, op } => outbox::outbox_confirmed(self, node, op),
            Ev::PushArrive { push } => browsers::push_arrived(self, push),
            Ev::Reconnect { browser, user } => browsers::reconnect(self, browser, user),
            Ev::Poll { browser, user } => browsers::poll(self, browser, user),
            Ev::ReplyBack { job, seq, outcome, token, from } => calls::reply_back(self, job, seq, outcome, token, from),
            Ev::FaultStart { fault } => faults::start(self, fault),
            Ev::FaultEnd { fault } => faults::end(self, fault),
            Ev::Change { change } => timed::apply_change(self, change),
            Ev::Tick => self.tick(),
            Ev::HealthCheck { set } => replicas::health_check(self, set),
            Ev::ProbeTimeout { set, replica } => replicas::probe_timed_out(self, set, replica),
            Ev::Broker(b) => self.broker_event(b),
        }
        if self.events.is_multiple_of(guards::CHECK_EVERY) {
            guards::check(self);
        }
    }

    #[inline(never)]
    fn broker_event(&mut self, ev: event::BrokerEv) {
        use event::BrokerEv::*;
        match ev {
            JobTimeout { job } => jobs::killed(self, job),
            LogExpire { topic } => logs::expire(self, topic),
            RebalanceEnd { topic, group, generation } => log_groups::rebalance_end(self, topic, group, generation),
            SessionTimeout { topic, group, member, epoch } => {
                log_groups::session_timeout(self, topic, group, member, epoch)
            }
            AutoCommit { topic, group, member } => log_groups::auto_commit(self, topic, group, member),
            Presence { browser, user } => presence::toggle(self, browser, user),
        }
    }

    fn tick(&mut self) {
        let start = self.bucket_start;
        if self.series {
            for n in &mut self.nodes {
                let m = &mut n.metrics;
                m.series.close(start, self.now, &m.waiting);
            }
        }
        if self.series && !self.log_topics.is_empty() {
            logs::close_buckets(self, start);
        }
        self.bucket_start = self.now;
        let next = self.now.after(self.bucket_us);
        if next <= self.end {
            self.schedule(next, Ev::Tick);
        }
    }

    #[inline]
    fn new_op(&mut self) -> u64 {
        self.next_op += 1;
        self.next_op
    }

    /// A message or call attempt leaves over `link`: into the ledger.
    #[inline]
    fn sent(&mut self, link: u32) {
        self.ledger.sent += 1;
        if let Some(l) = self.links.get_mut(link as usize) {
            l.ledger.sent += 1;
        }
    }

    /// A message or attempt sent over `link` ended in `end`.
    #[inline]
    fn ended(&mut self, link: u32, end: End) {
        self.ledger.end(end);
        if let Some(l) = self.links.get_mut(link as usize) {
            l.ledger.end(end);
        }
    }

    /// `n` messages sent over `link` ended in `end` at once (a log's
    /// retention or an at-most-once rebalance ends many).
    fn ended_n(&mut self, link: u32, end: End, n: u64) {
        for _ in 0..n {
            self.ended(link, end);
        }
    }

    /// Takes back a send that never happened (an outboxed message the
    /// relay will send again).
    fn unsent(&mut self, link: u32) {
        self.ledger.sent -= 1;
        if let Some(l) = self.links.get_mut(link as usize) {
            l.ledger.sent -= 1;
        }
    }

    /// Records a hop of `trace` when traces are kept.
    #[inline]
    fn hop(&mut self, trace: u64, kind: HopKind, node: u32, link: u32, detail: u32) {
        if self.traces.enabled() {
            self.traces.record(trace, RawHop { at_us: self.now, kind, node, link, detail });
        }
    }
}
