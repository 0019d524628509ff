//! The simulator facade the app and the runner drive (stub while the engine is
//! being written; the signatures are the contract).

use super::format::{FaultSpec, LoadError, Scenario};
use super::report::{Bucket, Report};
use super::trace::Trace;
use super::view::{LinkLive, NodeLive, Token};

/// How much a run keeps beyond its metrics.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SimOptions {
    /// Keep every hop of this many most recent traces (0: none).
    pub keep_traces: usize,
    /// Track tokens in flight for drawing.
    pub track_tokens: bool,
}

impl Default for SimOptions {
    /// What the runner uses: metrics only.
    fn default() -> Self {
        SimOptions {
            keep_traces: 0,
            track_tokens: false,
        }
    }
}

impl SimOptions {
    /// What the app uses: tokens and recent traces.
    pub fn interactive() -> Self {
        SimOptions {
            keep_traces: 2_000,
            track_tokens: true,
        }
    }
}

/// One run of one scenario.
pub struct Sim {
    scenario: Scenario,
    now_us: u64,
}

impl Sim {
    /// Validates and builds a run; fails with every problem found.
    pub fn new(scenario: &Scenario, options: SimOptions) -> Result<Sim, LoadError> {
        let _ = options;
        super::format::load::check(scenario)?;
        Ok(Sim {
            scenario: scenario.clone(),
            now_us: 0,
        })
    }

    pub fn scenario(&self) -> &Scenario {
        &self.scenario
    }

    /// Simulated time now, microseconds.
    pub fn now_us(&self) -> u64 {
        self.now_us
    }

    pub fn now_ms(&self) -> f64 {
        self.now_us as f64 / 1000.0
    }

    /// When the run ends, microseconds.
    pub fn end_us(&self) -> u64 {
        0
    }

    pub fn is_finished(&self) -> bool {
        true
    }

    /// Runs events up to simulated time `t_us` (never past the end), at most
    /// `max_events` of them. Returns how many ran.
    pub fn advance_to(&mut self, t_us: u64, max_events: u64) -> u64 {
        let _ = (t_us, max_events);
        0
    }

    /// Runs at most `n` events. Returns how many ran.
    pub fn step(&mut self, n: u64) -> u64 {
        let _ = n;
        0
    }

    pub fn run_to_end(&mut self) {}

    /// Events processed so far.
    pub fn events(&self) -> u64 {
        0
    }

    pub fn run_hash(&self) -> u64 {
        0
    }

    /// The run hash as the runner and the app print it: 16 hex digits.
    pub fn run_hash_hex(&self) -> String {
        format!("{:016x}", self.run_hash())
    }

    /// Metrics so far.
    pub fn report(&self) -> Report {
        Report::default()
    }

    /// Per-second buckets of one node (by index in `scenario.nodes`).
    pub fn series(&self, node: usize) -> &[Bucket] {
        let _ = node;
        &[]
    }

    /// Fills `out` with the tokens in flight (needs `track_tokens`).
    pub fn tokens(&self, out: &mut Vec<Token>) {
        out.clear();
    }

    /// The live state of every node, in `scenario.nodes` order.
    pub fn node_live(&self) -> Vec<NodeLive> {
        vec![NodeLive::default(); self.scenario.nodes.len()]
    }

    /// The live state of every link, in `scenario.links` order.
    pub fn link_live(&self) -> Vec<LinkLive> {
        vec![
            LinkLive {
                breaker: None,
                partitioned: false
            };
            self.scenario.links.len()
        ]
    }

    /// Starts a fault now (its `at_ms` is ignored); `for_ms` None lasts until
    /// cleared or the end.
    pub fn inject(&mut self, fault: FaultSpec) -> Result<(), String> {
        let _ = fault;
        Ok(())
    }

    /// Ends every fault on `target` now (scheduled ones included).
    pub fn clear_faults(&mut self, target: &str) {
        let _ = target;
    }

    /// The hops of a recent trace (needs `keep_traces`).
    pub fn trace(&self, id: u64) -> Option<Trace> {
        let _ = id;
        None
    }

    /// Ids of the traces kept, newest last.
    pub fn recent_traces(&self) -> Vec<u64> {
        Vec::new()
    }

    /// Rebuilds one trace by running `scenario` again until `until_us`.
    pub fn replay_trace(scenario: &Scenario, id: u64, until_us: u64) -> Option<Trace> {
        let _ = (scenario, id, until_us);
        None
    }
}
