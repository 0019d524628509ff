//! Regions (MODEL.md, "Format additions"): a node's `region` and the
//! scenario's `regions` latency pairs.
//!
//! A link between nodes of two different regions pays the pair's one-way
//! latency on every crossing, on top of its own `latency_ms`: a call pays it
//! going and coming back (twice in all). Regions are symmetric (`["us",
//! "eu", 40]` is also eu to us); two regions without a pair add nothing.
//! A node without a region is in none: its links never cross. Every field
//! is optional, so scenarios without regions run exactly as before.

use super::scenario::{NodeSpec, Scenario};
use std::collections::BTreeSet;

/// A fault target `region:eu` covers every node in region `eu`.
pub const TARGET_PREFIX: &str = "region:";

/// The latency a new region gets to every other region in the app (ms one
/// way; roughly a continent apart).
pub const NEW_PAIR_MS: f64 = 50.0;

/// The region named by a fault target `region:NAME`, if it is one.
pub fn split_target(target: &str) -> Option<&str> {
    target.strip_prefix(TARGET_PREFIX)
}

/// The fault target for every node of `region`.
pub fn target(region: &str) -> String {
    format!("{TARGET_PREFIX}{region}")
}

/// A node's region, when it has one.
pub fn of(n: &NodeSpec) -> Option<&str> {
    n.region.as_deref()
}

/// Whether a region name is usable: like an id (1 to 64 of `A-Z a-z 0-9 _
/// -`), so `region:NAME` and share links carry it unchanged.
pub fn name_is_valid(name: &str) -> bool {
    super::validate::id_is_valid(name)
}

/// The regions the nodes are in, sorted and without repeats.
pub fn used(s: &Scenario) -> Vec<String> {
    // Filled by `extend`, not `collect` (which sorts: see load::name_links).
    let mut set = BTreeSet::new();
    set.extend(s.nodes.iter().filter_map(of));
    set.into_iter().map(String::from).collect()
}

/// Every region the scenario names (its nodes' and its pairs'), sorted.
pub fn all(s: &Scenario) -> Vec<String> {
    let mut set = BTreeSet::new();
    set.extend(s.nodes.iter().filter_map(of));
    for (a, b, _) in &s.regions {
        set.insert(a);
        set.insert(b);
    }
    set.into_iter().map(String::from).collect()
}

/// The one-way latency between regions `a` and `b` (either order), ms;
/// 0 within a region, without a region, or without a pair.
pub fn pair_ms(s: &Scenario, a: Option<&str>, b: Option<&str>) -> f64 {
    match (a, b) {
        (Some(a), Some(b)) if a != b => {
            s.regions.iter().find(|(x, y, _)| (x == a && y == b) || (x == b && y == a)).map_or(0.0, |p| p.2)
        }
        _ => 0.0,
    }
}

/// Whether a link between nodes in `a` and `b` crosses regions.
pub fn crosses(a: Option<&str>, b: Option<&str>) -> bool {
    matches!((a, b), (Some(a), Some(b)) if a != b)
}

/// The added one-way latency of the link from `from` to `to`, ms, and
/// whether it crosses regions at all.
pub fn link_extra(s: &Scenario, from: &str, to: &str) -> (bool, f64) {
    let a = s.node(from).and_then(of);
    let b = s.node(to).and_then(of);
    (crosses(a, b), pair_ms(s, a, b))
}
