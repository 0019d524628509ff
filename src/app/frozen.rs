//! A run that ran to its end in a Web Worker (`pool.rs`): the page keeps
//! what it shows of the finished run, not the run itself.

use super::pool::Finished;
use super::run::Snap;
use crate::editor::requests::RequestRow;
use crate::editor::timeline;
use crate::engine::format::Scenario;
use crate::engine::trace::Trace;
use crate::engine::Sim;

pub struct Frozen {
    pub finished: Finished,
    /// The scenario it ran (live actions included).
    pub scenario: Scenario,
    /// The requests list, newest first.
    pub rows: Vec<RequestRow>,
}

impl Frozen {
    pub fn new(finished: Finished, scenario: Scenario) -> Frozen {
        let rows = finished
            .traces
            .iter()
            .rev()
            .map(|t| RequestRow {
                id: t.id,
                outcome: timeline::outcome(t, true),
                start_ms: t.hops.first().map_or(0.0, |h| h.at_ms),
                took_ms: timeline::took_ms(t),
                hops: t.hops.len(),
            })
            .collect();
        Frozen { finished, scenario, rows }
    }

    /// What the UI shows of it.
    pub fn snap(&self) -> Snap {
        let f = &self.finished;
        Snap {
            now_ms: f.now_ms,
            end_ms: f.end_ms,
            events: f.events,
            report: f.report.clone(),
            nodes: f.nodes.clone(),
            links: f.links.clone(),
            series: f.series.clone(),
            hash: Some(f.hash.clone()),
            ..Snap::default()
        }
    }

    /// A request's trace, if the run kept it.
    pub fn kept(&self, id: u64) -> Option<Trace> {
        let kept = &self.finished.traces;
        kept.binary_search_by_key(&id, |t| t.id).ok().map(|i| kept[i].clone())
    }

    /// A request's trace: kept, or rebuilt by replaying the scenario.
    pub fn trace(&self, id: u64) -> Option<Trace> {
        self.kept(id).or_else(|| Sim::replay_trace(&self.scenario, id, (self.finished.now_ms * 1000.0).round() as u64))
    }
}
