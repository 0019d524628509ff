//! Regions in a run: which region each node is in, the latency each link
//! pays for crossing between regions, and `region:NAME` fault targets.
//!
//! A scenario without regions builds an empty table: no link pays anything
//! and no random number is drawn differently, so its run hash stays.

use super::model::*;
use super::Sim;
use crate::engine::format::{regions, Scenario};
use crate::engine::kernel::clock::{ms_to_us, Micros};
use crate::engine::report::RegionReport;

/// Region names (sorted) and each scenario node's index among them.
#[derive(Clone, Default)]
pub(super) struct Regions {
    names: Vec<String>,
    /// Per scenario node: index into `names`, or NONE.
    of_node: Vec<u32>,
    /// One-way latency between regions i and j at `i * names.len() + j`.
    between_us: Vec<Micros>,
    /// Per link: added to every crossing, the latency between its ends'
    /// regions (empty without regions: nothing to add, nothing to look up).
    pub(super) link_us: Vec<Micros>,
    /// Per link: its ends are in two different regions.
    link_crosses: Vec<bool>,
}

impl Regions {
    pub(super) fn build(s: &Scenario) -> Regions {
        let names = regions::all(s);
        if names.is_empty() {
            return Regions::default();
        }
        let of_node = s
            .nodes
            .iter()
            .map(|n| regions::of(n).and_then(|r| names.iter().position(|x| x == r)).map_or(NONE, |i| i as u32))
            .collect();
        let k = names.len();
        let mut between_us = vec![0; k * k];
        for i in 0..k {
            for j in 0..k {
                between_us[i * k + j] = ms_to_us(regions::pair_ms(s, Some(&names[i]), Some(&names[j])));
            }
        }
        let (link_crosses, link_us) = s
            .links
            .iter()
            .map(|l| {
                let (crosses, ms) = regions::link_extra(s, &l.from, &l.to);
                (crosses, ms_to_us(ms))
            })
            .unzip();
        Regions { names, of_node, between_us, link_us, link_crosses }
    }

    /// Whether link `l` crosses between two regions.
    fn crosses(&self, l: usize) -> bool {
        self.link_crosses.get(l).copied().unwrap_or(false)
    }

    /// The one-way latency between regions `a` and `b` (MAX when either is
    /// NONE: no region is farther than any region).
    pub(super) fn between(&self, a: u32, b: u32) -> Micros {
        let k = self.names.len();
        if a as usize >= k || b as usize >= k {
            return Micros::MAX;
        }
        self.between_us[a as usize * k + b as usize]
    }

    /// The index of region `name`, if the scenario names it.
    pub(super) fn index(&self, name: &str) -> Option<u32> {
        self.names.iter().position(|x| x == name).map(|i| i as u32)
    }
}

/// The region of run node `n` (a replica is in its service's region), or NONE.
pub(super) fn region_of(sim: &Sim, n: u32) -> u32 {
    if sim.regions.of_node.is_empty() {
        return NONE;
    }
    let (node, _) = super::replicas::logical(sim, n);
    sim.regions.of_node.get(node as usize).copied().unwrap_or(NONE)
}

/// Of the servers `up` (indices into browser `b`'s servers), those a new
/// connection goes to: the browser's own region's, else the nearest
/// region's (lowest region latency), as latency-based DNS with health
/// checks does; all of them when `b` has no region.
pub(super) fn nearest(sim: &Sim, b: u32, servers: &[(u32, u32)], up: Vec<u32>) -> Vec<u32> {
    let home = region_of(sim, b);
    if home == NONE || up.len() < 2 {
        return up;
    }
    // Home first (0), then by latency (a missing pair counts as 0 ms, yet
    // still after home).
    let far = |i: &u32| match region_of(sim, servers[*i as usize].0) {
        r if r == home => 0,
        r => sim.regions.between(home, r).saturating_add(1),
    };
    let best = up.iter().map(far).min().unwrap_or(Micros::MAX);
    up.into_iter().filter(|i| far(i) == best).collect()
}

/// The scenario nodes in region `r`.
pub(super) fn nodes_in(sim: &Sim, r: u32) -> Vec<u32> {
    (0..sim.regions.of_node.len() as u32).filter(|&n| sim.regions.of_node[n as usize] == r).collect()
}

/// The report's cross-region figures; None for a scenario without regions.
pub(super) fn report(sim: &Sim) -> Option<RegionReport> {
    if sim.regions.of_node.is_empty() {
        return None;
    }
    let sent: u64 = sim.links.iter().map(|l| l.ledger.sent).sum();
    let r = &sim.regions;
    let crossing = || sim.links.iter().enumerate().filter(|(i, _)| r.crosses(*i)).map(|(_, l)| l);
    let crossed: u64 = crossing().map(|l| l.ledger.sent).sum();
    let links = crossing().map(|l| l.id.clone()).collect();
    Some(RegionReport {
        sent,
        crossed,
        share: if sent == 0 { 0.0 } else { crossed as f64 / sent as f64 },
        links,
        regions: sim.regions.names.clone(),
    })
}
