//! A run that ran to its end in a Web Worker (`pool.rs`): the page keeps
//! what it shows of the finished run, not the run itself.

use super::pool::Finished;
use super::run::Snap;
use crate::engine::format::Scenario;
use crate::engine::trace::Trace;
use crate::engine::Sim;

pub struct Frozen {
    /// What it shows (its `rows` are the requests list, newest first).
    pub finished: Finished,
    /// The scenario it ran (live actions included).
    pub scenario: Scenario,
}

impl Frozen {
    pub fn new(finished: Finished, scenario: Scenario) -> Frozen {
        Frozen { finished, scenario }
    }

    /// What the UI shows of it.
    pub fn snap(&self) -> Snap {
        Snap { report: self.finished.report.clone(), series: self.finished.series.0.clone(), ..self.marks() }
    }

    /// What the UI shows of it but the panels' report and series (a big
    /// diagram's marks and panels are shown a frame apart).
    pub fn marks(&self) -> Snap {
        let f = &self.finished;
        Snap {
            now_ms: f.now_ms,
            end_ms: f.end_ms,
            events: f.events,
            nodes: f.nodes.clone(),
            links: f.links.clone(),
            hash: Some(f.hash.clone()),
            ..Snap::default()
        }
    }

    /// A request's trace, rebuilt by replaying the scenario (the worker
    /// that ran it, which keeps its traces, is asked first: `Run::trace`).
    pub fn trace(&self, id: u64) -> Option<Trace> {
        Sim::replay_trace(&self.scenario, id, (self.finished.now_ms * 1000.0).round() as u64)
    }
}
