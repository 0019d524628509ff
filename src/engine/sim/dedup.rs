//! What a service remembers of the ids it ran a side effect for, to count
//! duplicates ("charged twice") and, when idempotent, to skip repeats
//! (Stripe's idempotency keys, an inbox table).
//!
//! A service can only see an id again while something still carries it: the
//! message a queue may redeliver, the caller that may retry, the outbox row
//! a relay may resend, a copy on its way. Ids never go back to a carrier
//! that has ended, so once none carries an id it can never repeat and the
//! service may forget it. Forgetting them keeps the set as small as what is
//! alive (which the overload guard bounds) instead of growing with the run:
//! a million messages a second through a queue used to keep 1.6 GiB of ids
//! after a minute. Counts are exactly what they were without pruning.

use super::model::*;
use super::Sim;
use crate::engine::kernel::idset::{IdSet, MIN_PRUNE_AT};

/// Records that `node` ran the side effect of `op`; false for a repeat.
#[inline]
pub(super) fn remember(sim: &mut Sim, node: u32, op: u64) -> bool {
    let KindRt::Worker(w) = &mut sim.nodes[node as usize].rt else {
        return true;
    };
    let Some(seen) = &mut w.seen else {
        return true;
    };
    let first = seen.insert(op);
    if seen.is_due() {
        prune(sim, node);
    }
    first
}

/// Keeps only the ids of `node` that something alive still carries. The
/// next pruning waits until the set has grown by at least as much as this
/// one cost, so pruning is amortised O(1) per id.
#[cold]
#[inline(never)]
fn prune(sim: &mut Sim, node: u32) {
    let carried = carried_ids(sim);
    let KindRt::Worker(w) = &mut sim.nodes[node as usize].rt else {
        return;
    };
    let Some(seen) = &mut w.seen else {
        return;
    };
    seen.ids.retain(|id| carried.contains(id));
    seen.prune_at = MIN_PRUNE_AT.max(2 * (seen.ids.len() + carried.len()));
    seen.ids.shrink_to(seen.prune_at);
}

/// Every id a live request, message or outbox row carries.
fn carried_ids(sim: &Sim) -> IdSet {
    let mut ids = IdSet::default();
    ids.reserve(2 * sim.jobs.len() + sim.msgs.len());
    for (_, j) in sim.jobs.iter() {
        ids.insert(j.op);
        // The id its call's attempts (retries included) carry.
        ids.insert(j.call.op);
    }
    for (_, m) in sim.msgs.iter() {
        ids.insert(m.op);
    }
    for n in &sim.nodes {
        if let KindRt::Worker(w) = &n.rt {
            ids.extend(w.outbox.values().map(|row| row.msg_op));
        }
    }
    ids
}

/// Ids remembered over all services (for the memory guard).
pub(super) fn remembered(sim: &Sim) -> usize {
    sim.nodes
        .iter()
        .map(|n| match &n.rt {
            KindRt::Worker(w) => w.seen.as_ref().map_or(0, |s| s.len()),
            _ => 0,
        })
        .sum()
}
