//! What a broker keeps across a crash, following Redis persistence:
//! `memory` keeps nothing, `aof_always` every accepted write (fsync per
//! write), `aof_everysec` all but what came after the last once-a-second
//! fsync, `snapshot` (RDB) only what the last snapshot saw. Messages the
//! broker had accepted and then lost are counted as `acked_then_lost`;
//! unacked messages it kept are delivered again after recovery.

use super::model::*;
use super::Sim;
use crate::engine::format::{defaults, Persistence};
use crate::engine::kernel::clock::{ms_to_us, Micros};
use crate::engine::kernel::slab::Key;
use crate::engine::report::End;
use crate::engine::trace::{HopKind, NO_LINK};

/// When a message accepted at `now` survives a crash of its broker.
pub(super) fn durable_at(q: &QueueRt, now: Micros) -> Micros {
    let every = |period: Micros| now.div_ceil(period).saturating_mul(period);
    match q.persistence {
        Persistence::Memory => Micros::MAX,
        Persistence::AofAlways => now,
        Persistence::AofEverysec => every(ms_to_us(defaults::AOF_EVERYSEC_MS)),
        Persistence::Snapshot => every(q.snapshot_us),
    }
}

/// The broker crashes: what its persistence did not keep is lost; unacked
/// messages it kept will be delivered again after recovery.
pub(super) fn crash(sim: &mut Sim, qi: u32) {
    let now = sim.now;
    let mine: Vec<(Key, Micros, bool, u64, u32)> = sim
        .msgs
        .iter()
        .filter(|(_, m)| m.queue == qi && m.state != MsgState::Transit)
        .map(|(k, m)| (k, m.durable_at, m.dead, m.trace, m.link))
        .collect();
    // Ordered by enqueue time as they are kept (a set, not a sort: smaller
    // code in the browser).
    let mut kept = std::collections::BTreeSet::new();
    for (k, durable_at, dead, trace, link) in mine {
        if durable_at <= now {
            let Some(m) = sim.msgs.get_mut(k) else {
                continue;
            };
            m.state = MsgState::Ready;
            kept.insert((m.enqueued, k));
        } else {
            if !dead {
                sim.ended(link, End::Lost);
            }
            let n = &mut sim.nodes[qi as usize];
            n.metrics.lost += 1;
            n.metrics.bump("acked_then_lost");
            sim.hop(trace, HopKind::Lost, qi, NO_LINK, 0);
            sim.msgs.remove(k);
        }
    }
    let n = &mut sim.nodes[qi as usize];
    if let KindRt::Queue(q) = &mut n.rt {
        q.ready = kept.into_iter().map(|(_, k)| k).collect();
        q.unacked = 0;
        if let Some(f) = &mut q.fifo {
            f.busy.clear(); // Nothing is in flight any more.
        }
        n.metrics.waiting.set(now, q.ready.len() as u64);
    }
    super::topics::backlog_changed(sim, qi);
}
