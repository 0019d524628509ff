//! The headline latency: what users feel, in one rule for the results
//! panel and the A/B diff table (which once measured the busiest client's
//! call while the panel, for a flow ending at browsers, measured submit to
//! result on screen: 5.7 ms against 329 ms on LeetCode).

use crate::engine::format::{NodeKind, Scenario};
use crate::engine::report::{Percentiles, Report};

/// Latency for the headline: what users feel, and the first hop beside it.
#[derive(Clone, Debug, PartialEq)]
pub struct Headline {
    /// Where it is measured (a node's label) and what it measures.
    pub at: String,
    pub what: &'static str,
    pub latency: Percentiles,
    /// For flows that end at browsers: the client's own call (the submit),
    /// which users do not feel as the answer.
    pub first_hop: Option<(String, Percentiles)>,
}

/// The busiest node of `kind` that measured a latency, with its label.
fn busiest(s: &Scenario, r: &Report, kind: NodeKind) -> Option<(String, Percentiles)> {
    s.nodes
        .iter()
        .filter(|n| n.kind == kind)
        .filter_map(|n| r.nodes.get(&n.id).map(|nr| (n.display_name().to_string(), nr)))
        .filter(|(_, nr)| nr.latency_ms.max > 0.0)
        .max_by_key(|(_, nr)| nr.arrivals)
        .map(|(name, nr)| (name, nr.latency_ms.clone()))
}

/// The headline latency: at the browsers when the flow ends there (submit
/// to result on screen), else at the busiest client (request to answer).
pub fn headline(s: &Scenario, r: &Report) -> Option<Headline> {
    let client = busiest(s, r, NodeKind::Client);
    match busiest(s, r, NodeKind::Browser) {
        Some((at, latency)) => {
            Some(Headline { at, what: "from the user's request to the result on screen", latency, first_hop: client })
        }
        None => client.map(|(at, latency)| Headline {
            at,
            what: "from the request to its answer, at the client",
            latency,
            first_hop: None,
        }),
    }
}
