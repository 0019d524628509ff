//! Connections and payloads of call links (`http`, `grpc`, `saga_step`).
//!
//! - `connection: per_request`: every request first opens TCP (one round
//!   trip) and TLS 1.3 (one more): four crossings of the link before the
//!   request leaves. Keep-alive (the default) pays nothing per call.
//! - `pool`: at most that many calls in flight on the link; the others wait
//!   in order (a bulkhead). The caller's timeout runs from the attempt, so
//!   waiting counts against it. A slot is freed when the attempt ends for
//!   the caller (answer, timeout, drop or loss).
//! - `request_kb`, `response_kb` over `bandwidth_mbps`: each crossing takes
//!   its transfer time on top of the latency, and one transfer at a time
//!   per direction: a link asked to carry more than its bandwidth queues.
//!   Without a bandwidth, payloads take no time.
//!
//! A link that sets none of these has no state here and runs as before.

use super::model::*;
use super::Sim;
use crate::engine::format::scale::{has_connection_fields, payload_defaults, Connection};
use crate::engine::format::{LinkSpec, Scenario};
use crate::engine::kernel::clock::{Micros, Time};
use crate::engine::kernel::slab::Key;
use std::collections::VecDeque;

#[derive(Default)]
pub(super) struct Conns {
    /// Per link: its connection state, if it sets any field.
    links: Vec<Option<Conn>>,
}

pub(super) struct Conn {
    per_request: bool,
    pool: Option<u32>,
    in_flight: u32,
    /// Attempts waiting for a slot: (caller, attempt seq, since).
    waiting: VecDeque<(Key, u32, Micros)>,
    /// Transfer time of a request and of an answer (0: unlimited bandwidth).
    transfer_us: [Micros; 2],
    /// When each direction's wire is free again.
    free_at: [Micros; 2],
    pub pool_waits: u64,
    pub pool_wait_us: u128,
    pub handshakes: u64,
}

fn conn_of(l: &LinkSpec) -> Option<Conn> {
    if !l.via.is_sync_call() || !has_connection_fields(l) {
        return None;
    }
    let (req_default, resp_default) = payload_defaults(l.via, l.protocol);
    let transfer = |kb: f64| match l.bandwidth_mbps {
        // kB x 8 bits / (Mbit/s) = ms; rounded to whole microseconds.
        Some(mbps) if mbps > 0.0 => (kb * 8.0 / mbps * 1000.0).round().clamp(0.0, 1e15) as Micros,
        _ => 0,
    };
    Some(Conn {
        per_request: l.connection.unwrap_or_default() == Connection::PerRequest,
        pool: l.pool,
        in_flight: 0,
        waiting: VecDeque::new(),
        transfer_us: [transfer(l.request_kb.unwrap_or(req_default)), transfer(l.response_kb.unwrap_or(resp_default))],
        free_at: [0, 0],
        pool_waits: 0,
        pool_wait_us: 0,
        handshakes: 0,
    })
}

pub(super) fn build(s: &Scenario) -> Conns {
    Conns { links: s.links.iter().map(conn_of).collect() }
}

/// A link's settings changed (a scheduled or live change): the new ones
/// apply from now; calls in flight and waiting keep their places.
pub(super) fn refresh(sim: &mut Sim, link: u32) {
    let Some(spec) = sim.current.links.get(link as usize) else {
        return;
    };
    let fresh = conn_of(spec);
    let Some(slot) = sim.conns.links.get_mut(link as usize) else {
        return;
    };
    match (slot.as_mut(), fresh) {
        (Some(c), Some(f)) => {
            c.per_request = f.per_request;
            c.pool = f.pool;
            c.transfer_us = f.transfer_us;
        }
        (None, Some(f)) => *slot = Some(f),
        (Some(c), None) => {
            c.per_request = false;
            c.pool = None;
            c.transfer_us = [0, 0];
        }
        (None, None) => {}
    }
    grant(sim, link);
}

/// When a crossing of `link` leaving at `depart` starts its latency: after
/// a handshake (requests on per-request connections) and its transfer.
#[inline]
pub(super) fn ready_at(sim: &mut Sim, link: u32, depart: Micros, backwards: bool) -> Micros {
    let Some(Some(c)) = sim.conns.links.get(link as usize) else {
        return depart;
    };
    let mut at = depart;
    if c.per_request && !backwards {
        // SYN / SYN-ACK, then TLS 1.3's ClientHello / ServerHello: two
        // round trips, four crossings (ACK and Finished ride with the request).
        for _ in 0..4 {
            let one = super::calls::latency(sim, link);
            at = at.after(one);
        }
        if let Some(Some(c)) = sim.conns.links.get_mut(link as usize) {
            c.handshakes += 1;
        }
    }
    let Some(Some(c)) = sim.conns.links.get_mut(link as usize) else {
        return at;
    };
    let dir = backwards as usize;
    let t = c.transfer_us[dir];
    if t > 0 {
        let start = at.max(c.free_at[dir]);
        c.free_at[dir] = start.after(t);
        at = c.free_at[dir];
    }
    at
}

/// Whether attempt `seq` of `caller` on `link` may leave now; if the pool
/// is full it waits (the caller's timeout keeps running).
pub(super) fn acquire(sim: &mut Sim, link: u32, caller: Key, seq: u32) -> bool {
    let now = sim.now;
    let Some(Some(c)) = sim.conns.links.get_mut(link as usize) else {
        return true;
    };
    let Some(cap) = c.pool else {
        return true;
    };
    if c.in_flight < cap && c.waiting.is_empty() {
        c.in_flight += 1;
        if let Some(j) = sim.jobs.get_mut(caller) {
            j.call.pooled = true;
        }
        return true;
    }
    c.waiting.push_back((caller, seq, now));
    false
}

/// An attempt holding a slot of `link` ended: the next waiting one goes.
pub(super) fn release(sim: &mut Sim, link: u32) {
    if let Some(Some(c)) = sim.conns.links.get_mut(link as usize) {
        c.in_flight = c.in_flight.saturating_sub(1);
    }
    grant(sim, link);
}

/// Sends waiting attempts while slots are free.
fn grant(sim: &mut Sim, link: u32) {
    loop {
        let now = sim.now;
        let Some(Some(c)) = sim.conns.links.get_mut(link as usize) else {
            return;
        };
        if c.pool.is_some_and(|cap| c.in_flight >= cap) {
            return;
        }
        let Some((caller, seq, since)) = c.waiting.pop_front() else {
            return;
        };
        // Still waiting for this very attempt (not timed out, not lost)?
        let live =
            sim.jobs.get(caller).is_some_and(|j| j.call.seq == seq && j.phase == Phase::Calling && !j.call.accounted);
        if !live {
            continue;
        }
        if let Some(Some(c)) = sim.conns.links.get_mut(link as usize) {
            c.in_flight += 1;
            c.pool_waits += 1;
            c.pool_wait_us += now.since(since) as u128;
        }
        if let Some(j) = sim.jobs.get_mut(caller) {
            j.call.pooled = true;
        }
        super::calls::dispatch(sim, caller, link, seq);
    }
}

/// The report's figures: on the calling node, the mean wait for a pool
/// slot and how many calls waited; handshakes made.
pub(super) fn fill_report(sim: &Sim, r: &mut crate::engine::report::Report) {
    for (i, c) in sim.conns.links.iter().enumerate() {
        let Some(c) = c else { continue };
        let Some(from) = sim.links.get(i).and_then(|l| sim.scenario.nodes.get(l.from as usize)) else {
            continue;
        };
        let Some(row) = r.nodes.get_mut(&from.id) else { continue };
        if c.pool.is_some() {
            let mean = if c.pool_waits == 0 { 0.0 } else { c.pool_wait_us as f64 / c.pool_waits as f64 / 1000.0 };
            row.extra.insert(format!("pool_wait_ms.{}", sim.links[i].id), mean);
            row.extra.insert(format!("pool_waits.{}", sim.links[i].id), c.pool_waits as f64);
        }
        if c.handshakes > 0 {
            *row.extra.entry("handshakes".into()).or_insert(0.0) += c.handshakes as f64;
        }
    }
}
