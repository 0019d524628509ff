//! Browsers and the servers that reach them: WebSocket pushes (RFC 6455),
//! server-sent events and polling.
//!
//! A `browser` node is a population of users, each connected to one of the
//! websocket/SSE servers linked to it. The result of a trace belongs to one
//! user, and a push reaches that user only through the server holding the
//! user's connection: a server that gets a result for someone connected
//! elsewhere cannot deliver it, which is why chat systems put a pub/sub
//! backplane behind their websocket servers.
//!
//! - `push` (WebSocket): no acks or replay in the protocol; a push for a user
//!   who is disconnected is lost.
//! - `sse`: the browser reconnects and resumes from the last event id, so
//!   events for a disconnected user are held and replayed on reconnect.
//! - `poll`: each user asks every `interval_ms`; a result waits at the
//!   server until the next poll, which costs latency and request load.
//!
//! When a server crashes its connections drop; users reconnect with jittered
//! exponential backoff to any server that is up, so reconnect waves show in
//! the connection counts. A server with `accept_per_s` takes that many
//! handshakes a second and refuses the rest, who back off and try again:
//! without jitter (`reconnect_jitter: false`) the dropped users come back
//! in synchronised waves that overrun it (the thundering herd Discord and
//! Zoom describe after a server loss). The browser node's latency is what users feel: from
//! the client request that started the trace to the result on screen.

use super::event::Ev;
use super::model::*;
use super::{Push, Sim};
use crate::engine::format::Via;
use crate::engine::kernel::clock::{Micros, Time};
use crate::engine::kernel::slab::Key;
use crate::engine::report::End;
use crate::engine::trace::HopKind;
use crate::engine::view::{TokenKind, TokenTone};

/// The user a trace's result belongs to (spread evenly, deterministically).
pub(super) fn user_of(trace: u64, users: u64) -> u64 {
    let mut z = trace.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    (z ^ (z >> 31)) % users.max(1)
}

fn is_connection(via: Via) -> bool {
    matches!(via, Via::Push | Via::Sse)
}

/// Spreads users over their servers at the start; starts the polls.
pub(super) fn connect_all(sim: &mut Sim) {
    for b in 0..sim.nodes.len() as u32 {
        let now = sim.now;
        let local = local_servers(sim, b);
        let n = &mut sim.nodes[b as usize];
        let KindRt::Browser(br) = &mut n.rt else {
            continue;
        };
        let mut conn_servers: Vec<u32> = (0..br.servers.len() as u32)
            .filter(|&i| is_connection(sim.links[br.servers[i as usize].1 as usize].via))
            .collect();
        // GeoDNS: users start on their own region's servers when it has any.
        if let Some(local) = &local {
            conn_servers.retain(|i| local.contains(i));
        }
        if br.reconnect_us == Micros::MAX {
            br.reconnect_us = servers_reconnect_us(&sim.current, &br.servers);
        }
        br.per_server = vec![0; br.servers.len()];
        br.conn =
            (0..br.users)
                .map(|u| {
                    if conn_servers.is_empty() {
                        NONE
                    } else {
                        conn_servers[(u % conn_servers.len() as u64) as usize]
                    }
                })
                .collect();
        br.attempts = vec![0; br.users as usize];
        for &c in &br.conn {
            if c != NONE {
                br.per_server[c as usize] += 1;
            }
        }
        br.connected = br.conn.iter().filter(|c| **c != NONE).count() as u64;
        n.metrics.waiting.set(now, br.users - br.connected);
        let has_presence = br.presence.is_some();
        let poll = br.servers.iter().find(|s| sim.links[s.1 as usize].via == Via::Poll).copied();
        if let Some((_, link)) = poll {
            let interval = sim.links[link as usize].interval_us;
            let users = br.users;
            for u in 0..users {
                let KindRt::Browser(_) = &sim.nodes[b as usize].rt else {
                    break;
                };
                let phase = sim.nodes[b as usize].rng.below(interval);
                sim.schedule(phase, Ev::Poll { browser: b, user: u as u32 });
            }
        }
        if has_presence {
            super::presence::start(sim, b);
        }
    }
}

/// The connection servers of browser `b` in its own (or nearest) region,
/// indices into its servers, when that is not all of them.
fn local_servers(sim: &Sim, b: u32) -> Option<Vec<u32>> {
    let KindRt::Browser(br) = &sim.nodes[b as usize].rt else {
        return None;
    };
    let conn: Vec<u32> = (0..br.servers.len() as u32)
        .filter(|&i| is_connection(sim.links[br.servers[i as usize].1 as usize].via))
        .collect();
    let local = home_first(sim, b, conn.clone());
    (local.len() < conn.len()).then_some(local)
}

/// The servers tell their clients how soon to come back: the quickest of
/// them sets the base of the backoff.
fn servers_reconnect_us(s: &crate::engine::format::Scenario, servers: &[(u32, u32)]) -> Micros {
    let ms = servers
        .iter()
        .filter_map(|(srv, _)| s.nodes.get(*srv as usize).and_then(|n| n.reconnect_ms))
        .fold(f64::INFINITY, f64::min);
    let ms = if ms.is_finite() { ms } else { crate::engine::format::defaults::WEBSOCKET_RECONNECT_MS };
    crate::engine::kernel::clock::ms_to_us(ms)
}

/// A `reconnect_ms` changed: every browser takes its base delay again
/// (its own setting, or its servers'); waits already scheduled stand.
pub(super) fn reset_reconnect(sim: &mut Sim) {
    for b in 0..sim.nodes.len() {
        let own = sim.current.nodes.get(b).and_then(|n| n.reconnect_ms);
        let KindRt::Browser(br) = &sim.nodes[b].rt else {
            continue;
        };
        let us = match own {
            Some(ms) => crate::engine::kernel::clock::ms_to_us(ms),
            None => servers_reconnect_us(&sim.current, &br.servers),
        };
        if let KindRt::Browser(br) = &mut sim.nodes[b].rt {
            br.reconnect_us = us;
        }
    }
}

/// A server job's push/SSE/poll step: route the trace's result to its user.
/// `nth`: which user of the link's fan-out (0 without a count): the
/// result goes to the nth user after the request's own.
pub(super) fn send_result(sim: &mut Sim, jk: Key, link: u32, nth: u32) {
    let Some(job) = sim.jobs.get(jk) else { return };
    let (trace, trace_start, server) = (job.trace, job.trace_start, job.node);
    let l = &sim.links[link as usize];
    let (b, via) = (l.to, l.via);
    let KindRt::Browser(br) = &mut sim.nodes[b as usize].rt else {
        return;
    };
    let mut user = user_of(trace, br.users);
    if nth > 0 {
        user = (user + nth as u64) % br.users.max(1);
    }
    let Some(idx) = br.servers.iter().position(|s| s.1 == link) else {
        return;
    };
    match via {
        Via::Poll => {
            br.pending_poll.entry(user).or_default().push((trace, trace_start));
            br.waiting_results += 1;
        }
        _ => {
            let conn = br.conn.get(user as usize).copied().unwrap_or(NONE);
            let stored = sim.links[link as usize].store_us.is_some();
            if conn == idx as u32 {
                push(sim, b, user as u32, idx as u32, trace, trace_start, link, sim.now, Micros::MAX);
            } else if conn == NONE && stored {
                // Store and forward: it waits for the user to come back.
                super::store_forward::hold(sim, b, user as u32, trace, trace_start, link, Micros::MAX);
            } else if conn == NONE && via == Via::Sse {
                // SSE: the browser will resume from its last event id.
                br.held.entry(user).or_default().push((trace, trace_start));
                br.waiting_results += 1;
                sim.nodes[b as usize].metrics.bump("held_for_resume");
            } else if conn == NONE {
                sim.sent(link);
                sim.ended(link, End::Lost);
                sim.nodes[b as usize].metrics.bump("pushes_lost");
                sim.hop(trace, HopKind::Lost, b, link, 0);
            } else {
                // The user is connected to another server: this one cannot
                // reach them (no backplane).
                sim.nodes[server as usize].metrics.bump("user_not_connected_here");
            }
        }
    }
}

/// Sends one push (or SSE event, or poll answer) to `user` over `link`.
/// `depart` is when it leaves the server (a poll answer leaves once the
/// poll request got there). `held_at`: when a store-and-forward push was
/// first held (it is in the ledger already), MAX for a fresh push.
#[allow(clippy::too_many_arguments)]
pub(super) fn push(
    sim: &mut Sim,
    b: u32,
    user: u32,
    server: u32,
    trace: u64,
    trace_start: Micros,
    link: u32,
    depart: Micros,
    held_at: Micros,
) {
    if held_at == Micros::MAX {
        sim.sent(link);
    }
    if sim.links[link as usize].partitioned > 0 {
        sim.ended(link, End::Dropped);
        return;
    }
    let (arrive, token) = super::calls::cross(sim, link, depart, false, TokenKind::Message, TokenTone::Ok, trace, NONE);
    let p = sim.pushes.insert(Push { browser: b, user, server, trace, trace_start, token, held_at });
    sim.schedule(arrive, Ev::PushArrive { push: p });
}

pub(super) fn push_arrived(sim: &mut Sim, pk: Key) {
    let Some(p) = sim.pushes.remove(pk) else {
        return;
    };
    sim.tokens.end(p.token);
    let now = sim.now;
    let n = &mut sim.nodes[p.browser as usize];
    let KindRt::Browser(br) = &n.rt else { return };
    let link = br.servers.get(p.server as usize).map(|s| s.1).unwrap_or(NONE);
    let via_poll = link != NONE && sim.links[link as usize].via == Via::Poll;
    let connected = via_poll || br.conn.get(p.user as usize) == Some(&p.server);
    if !connected || n.is_down() {
        // The connection dropped while the push was on its way: the phone
        // never acked it, so store-and-forward holds it again.
        let stored = link != NONE && (sim.links[link as usize].store_us.is_some() || p.held_at != Micros::MAX);
        if stored && br.store.is_some() {
            let held_at = p.held_at.min(now);
            super::store_forward::hold(sim, p.browser, p.user, p.trace, p.trace_start, link, held_at);
            return;
        }
        n.metrics.bump("pushes_lost");
        sim.ended(link, End::Lost);
        return;
    }
    n.metrics.arrivals += 1;
    n.metrics.finish(now, p.trace_start, true);
    if p.held_at != Micros::MAX {
        if let KindRt::Browser(br) = &mut n.rt {
            super::store_forward::delivered_late(br, now.saturating_sub(p.held_at));
        }
    }
    sim.ended(link, End::Delivered);
    sim.hop(p.trace, HopKind::Push, p.browser, link, p.user);
}

/// A server crashed: its users drop and start reconnecting.
pub(super) fn server_crashed(sim: &mut Sim, server: u32) {
    for b in 0..sim.nodes.len() as u32 {
        let KindRt::Browser(br) = &sim.nodes[b as usize].rt else {
            continue;
        };
        let Some(idx) = br.servers.iter().position(|s| s.0 == server && is_connection(sim.links[s.1 as usize].via))
        else {
            continue;
        };
        let dropped: Vec<u32> = (0..br.conn.len() as u32).filter(|&u| br.conn[u as usize] == idx as u32).collect();
        drop_users(sim, b, &dropped);
    }
}

/// Disconnects `users` of browser `b` and schedules their reconnects.
pub(super) fn drop_users(sim: &mut Sim, b: u32, users: &[u32]) {
    let now = sim.now;
    let n = &mut sim.nodes[b as usize];
    let KindRt::Browser(br) = &mut n.rt else {
        return;
    };
    let base = br.reconnect_us.max(1) as f64;
    let mut waits = Vec::with_capacity(users.len());
    for &u in users {
        let c = br.conn[u as usize];
        if c != NONE {
            br.per_server[c as usize] -= 1;
            br.connected -= 1;
            br.conn[u as usize] = NONE;
            n.metrics.bump("disconnects");
        }
        br.attempts[u as usize] = 0;
        // Jittered: between half and one and a half of the base delay. The
        // draw happens either way, so a run without jitter keeps the same
        // random numbers everywhere else (common random numbers).
        let spread = 0.5 + n.rng.unit();
        waits.push((base * if br.jitter { spread } else { 1.0 }) as Micros);
    }
    n.metrics.waiting.set(now, br.users - br.connected);
    for (&u, wait) in users.iter().zip(waits) {
        sim.schedule(now.after(wait.max(1)), Ev::Reconnect { browser: b, user: u });
    }
}

pub(super) fn reconnect(sim: &mut Sim, b: u32, user: u32) {
    let now = sim.now;
    let up: Vec<u32> = match &sim.nodes[b as usize].rt {
        KindRt::Browser(br) if super::presence::is_offline(br, user) => return,
        KindRt::Browser(br) if br.conn.get(user as usize) == Some(&NONE) => (0..br.servers.len() as u32)
            .filter(|&i| {
                let (s, link) = br.servers[i as usize];
                is_connection(sim.links[link as usize].via)
                    && !sim.nodes[s as usize].is_down()
                    && sim.links[link as usize].partitioned == 0
            })
            .collect(),
        _ => return,
    };
    let n = &mut sim.nodes[b as usize];
    if n.is_down() {
        return;
    }
    if !matches!(n.rt, KindRt::Browser(_)) {
        return;
    }
    n.metrics.bump("reconnect_attempts");
    if up.is_empty() {
        back_off(sim, b, user);
        return;
    }
    // A load balancer sends the new connection to any server that is up;
    // with regions, to one of the user's own region while it has one up
    // (GeoDNS with health checks), else across regions.
    let up = home_first(sim, b, up);
    let n = &mut sim.nodes[b as usize];
    let KindRt::Browser(br) = &mut n.rt else {
        return;
    };
    let idx = up[n.rng.below(up.len() as u64) as usize];
    let server = br.servers[idx as usize].0;
    if !accept(sim, server, now) {
        sim.nodes[b as usize].metrics.bump("reconnects_refused");
        back_off(sim, b, user);
        return;
    }
    let n = &mut sim.nodes[b as usize];
    let KindRt::Browser(br) = &mut n.rt else {
        return;
    };
    br.conn[user as usize] = idx;
    br.per_server[idx as usize] += 1;
    br.connected += 1;
    br.attempts[user as usize] = 0;
    let link = br.servers[idx as usize].1;
    let held = br.held.remove(&(user as u64)).unwrap_or_default();
    br.waiting_results -= held.len() as u64;
    n.metrics.waiting.set(now, br.users - br.connected);
    n.metrics.bump("reconnects");
    let store = br.store.is_some();
    for (trace, start) in held {
        push(sim, b, user, idx, trace, start, link, now, Micros::MAX);
    }
    if store {
        super::store_forward::release(sim, b, user, idx, link);
    }
}

/// The servers (indices into the browser's) of `up` a new connection of
/// browser `b` may go to: its own region's, else the nearest region's.
fn home_first(sim: &Sim, b: u32, up: Vec<u32>) -> Vec<u32> {
    let KindRt::Browser(br) = &sim.nodes[b as usize].rt else {
        return up;
    };
    super::regions::nearest(sim, b, &br.servers, up)
}

/// `user` of browser `b` goes offline: the connection closes, and no
/// reconnect is tried until they come back.
pub(super) fn disconnect(sim: &mut Sim, b: u32, user: u32) {
    let now = sim.now;
    let n = &mut sim.nodes[b as usize];
    let KindRt::Browser(br) = &mut n.rt else { return };
    let Some(c) = br.conn.get(user as usize).copied() else { return };
    if c == NONE {
        return;
    }
    br.per_server[c as usize] -= 1;
    br.connected -= 1;
    br.conn[user as usize] = NONE;
    br.attempts[user as usize] = 0;
    n.metrics.waiting.set(now, br.users - br.connected);
}

/// Schedules `user`'s next reconnect attempt: exponential backoff (capped
/// at 64x the base delay), jittered unless the browser says otherwise.
fn back_off(sim: &mut Sim, b: u32, user: u32) {
    let now = sim.now;
    let n = &mut sim.nodes[b as usize];
    let KindRt::Browser(br) = &mut n.rt else {
        return;
    };
    let a = br.attempts[user as usize].min(6);
    br.attempts[user as usize] = br.attempts[user as usize].saturating_add(1);
    let spread = 0.5 + n.rng.unit();
    let factor = if br.jitter { spread } else { 1.0 };
    let wait = (br.reconnect_us.max(1) as f64 * (1u64 << a) as f64 * factor) as Micros;
    sim.schedule(now.after(wait.max(1)), Ev::Reconnect { browser: b, user });
}

/// Whether `server` takes one more handshake in the second of `now`.
fn accept(sim: &mut Sim, server: u32, now: Micros) -> bool {
    let KindRt::Worker(w) = &mut sim.nodes[server as usize].rt else {
        return true;
    };
    if w.accept_per_s == u32::MAX {
        return true;
    }
    let second = now / crate::engine::kernel::clock::US_PER_S;
    if w.accepted.0 != second {
        w.accepted = (second, 0);
    }
    if w.accepted.1 >= w.accept_per_s {
        return false;
    }
    w.accepted.1 += 1;
    true
}

/// A user polls: whatever waits for them at the server comes back.
pub(super) fn poll(sim: &mut Sim, b: u32, user: u32) {
    let KindRt::Browser(br) = &sim.nodes[b as usize].rt else {
        return;
    };
    let Some(idx) = br.servers.iter().position(|s| sim.links[s.1 as usize].via == Via::Poll) else {
        return;
    };
    let (server, link) = br.servers[idx];
    let offline = super::presence::is_offline(br, user);
    let interval = sim.links[link as usize].interval_us;
    let now = sim.now;
    sim.schedule(now.after(interval), Ev::Poll { browser: b, user });
    if sim.nodes[b as usize].is_down() || offline {
        return;
    }
    // The poll is a request to the server: this is polling's load.
    sim.sent(link);
    let s = &mut sim.nodes[server as usize];
    s.metrics.arrivals += 1;
    s.metrics.bump("polls");
    if s.is_down() || sim.links[link as usize].partitioned > 0 {
        sim.ended(link, End::Rejected);
        return;
    }
    sim.ended(link, End::Delivered);
    let KindRt::Browser(br) = &mut sim.nodes[b as usize].rt else {
        return;
    };
    let results = br.pending_poll.remove(&(user as u64)).unwrap_or_default();
    br.waiting_results -= results.len() as u64;
    // The request's way there is part of the answer's delay.
    let there = super::calls::latency(sim, link);
    for (trace, start) in results {
        push(sim, b, user, idx as u32, trace, start, link, now.after(there), Micros::MAX);
    }
}

/// The browsers themselves go offline (a `crash` on a browser node).
pub(super) fn browser_down(sim: &mut Sim, b: u32) {
    let KindRt::Browser(br) = &sim.nodes[b as usize].rt else {
        return;
    };
    let users: Vec<u32> = (0..br.conn.len() as u32).filter(|&u| br.conn[u as usize] != NONE).collect();
    drop_users(sim, b, &users);
}
