//! Store-and-forward pushes, as WhatsApp delivers to phones that are away.
//!
//! A `push` link with `store_and_forward` does not lose a push for a user
//! who is offline or disconnected: the push waits (up to the link's
//! `retention_ms`, 30 days by default, WhatsApp's) and is delivered when
//! the user connects again, through whichever server they reach. A push
//! whose connection drops on the way is held again (the phone never acked
//! it). The browser counts `delivered_late` and the delay from the moment a
//! push was first held to its delivery; a push still held past its
//! retention when the user comes back has `expired`. Plain pushes keep
//! being lost to offline users.

use super::model::*;
use super::Sim;
use crate::engine::kernel::clock::Micros;
use crate::engine::metrics::Latency;
use crate::engine::report::End;
use crate::engine::trace::HopKind;
use std::collections::BTreeMap;

/// The pushes a browser node holds for its users. Per user, side by side:
/// (trace, its start) and (first held, expires). Two maps of the type the
/// SSE replay already uses, rather than a third type of map in the bundle.
#[derive(Default)]
pub struct StoreRt {
    pub held: BTreeMap<u64, Vec<(u64, Micros)>>,
    pub times: BTreeMap<u64, Vec<(Micros, Micros)>>,
    /// Pushes held now (every one of them is in flight in the ledger).
    pub count: u64,
    pub delivered_late: u64,
    pub expired: u64,
    /// Delay from first held to delivered.
    pub late: Latency,
}

/// Holds a push for `user` of browser `b`; `held_at` is when it was first
/// held (MAX: a fresh push, which enters the ledger now).
#[cold]
pub(super) fn hold(sim: &mut Sim, b: u32, user: u32, trace: u64, trace_start: Micros, link: u32, held_at: Micros) {
    let now = sim.now;
    let retention = sim.links[link as usize].store_us.unwrap_or(Micros::MAX);
    if held_at == Micros::MAX {
        sim.sent(link);
    }
    let first = held_at.min(now);
    let n = &mut sim.nodes[b as usize];
    let KindRt::Browser(br) = &mut n.rt else { return };
    let Some(store) = &mut br.store else { return };
    store.held.entry(user as u64).or_default().push((trace, trace_start));
    store.times.entry(user as u64).or_default().push((first, first.saturating_add(retention)));
    store.count += 1;
    n.metrics.bump("held_for_offline");
    sim.hop(trace, HopKind::Wait, b, link, user);
}

/// `user` connected to server `idx` over `link`: what was held for them
/// goes out, unless it expired.
#[cold]
pub(super) fn release(sim: &mut Sim, b: u32, user: u32, idx: u32, link: u32) {
    let now = sim.now;
    let KindRt::Browser(br) = &mut sim.nodes[b as usize].rt else { return };
    let Some(store) = &mut br.store else { return };
    let Some(list) = store.held.remove(&(user as u64)) else { return };
    let times = store.times.remove(&(user as u64)).unwrap_or_default();
    store.count -= list.len() as u64;
    for ((trace, trace_start), (held_at, expires)) in list.into_iter().zip(times) {
        if now >= expires {
            sim.ended(link, End::Expired);
            if let KindRt::Browser(br) = &mut sim.nodes[b as usize].rt {
                if let Some(store) = &mut br.store {
                    store.expired += 1;
                }
            }
            sim.hop(trace, HopKind::Lost, b, link, user);
            continue;
        }
        super::browsers::push(sim, b, user, idx, trace, trace_start, link, now, held_at);
    }
}

/// A held push reached its user: delivered late, after `delay`.
pub(super) fn delivered_late(br: &mut BrowserRt, delay: Micros) {
    if let Some(store) = &mut br.store {
        store.delivered_late += 1;
        store.late.record(delay);
    }
}
