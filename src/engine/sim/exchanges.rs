//! RabbitMQ exchanges: routers between publishers and queues.
//!
//! A publisher sends to an exchange with a routing key (a `publish` link's
//! `routing_keys`, drawn by weight; the empty key without them). The
//! exchange copies the message into every queue with a matching binding,
//! once per queue however many of its bindings match: `direct` compares the
//! key with the binding's pattern, `topic` matches AMQP patterns (`*` one
//! word, `#` zero or more, see `format::amqp`), `fanout` takes every
//! binding. An exchange stores nothing: a message no binding matches goes
//! to the `alternate` (RabbitMQ's alternate exchange; a queue is accepted
//! as a shortcut for an alternate fanout exchange bound to it), or is
//! dropped and counted `unroutable`. A queue may dead-letter into an
//! exchange (a DLX): the message keeps its routing key.
//!
//! Every routing key a scenario can produce is known when it is built, so
//! each exchange's routes are a table computed once: routing a message is
//! one lookup, never a pattern match.

use super::event::Ev;
use super::model::*;
use super::Sim;
use crate::engine::format::{amqp, defaults, ExchangeType, NodeKind, NodeSpec, Via};
use crate::engine::kernel::clock::Time;
use crate::engine::kernel::slab::Key;
use crate::engine::report::End;
use crate::engine::trace::{HopKind, NO_LINK};
use crate::engine::view::{TokenKind, TokenTone};

pub struct ExchangeRt {
    pub kind: ExchangeType,
    /// Alternate queue or exchange (node index), or NONE.
    pub alternate: u32,
    /// Per routing key index: the bind links a message takes, one per queue.
    pub routes: Vec<Box<[u32]>>,
}

impl ExchangeRt {
    pub fn new(n: &NodeSpec) -> ExchangeRt {
        ExchangeRt { kind: n.exchange_type.unwrap_or_default(), alternate: NONE, routes: Vec::new() }
    }
}

fn matches(kind: ExchangeType, pattern: &str, key: &str) -> bool {
    match kind {
        ExchangeType::Fanout => true,
        ExchangeType::Direct => pattern == key,
        ExchangeType::Topic => amqp::topic_matches(pattern, key),
    }
}

/// Interns the routing keys, gives each publish link its weighted keys and
/// computes every exchange's routes (nothing when there is no exchange).
pub(super) fn build(sim: &mut Sim) {
    if !sim.nodes.iter().any(|n| n.kind == NodeKind::Exchange) {
        return;
    }
    let s = &sim.scenario;
    let mut keys: Vec<String> = vec![String::new()];
    let intern = |keys: &mut Vec<String>, k: &str| -> u32 {
        match keys.iter().position(|x| x == k) {
            Some(i) => i as u32,
            None => {
                keys.push(k.to_string());
                (keys.len() - 1) as u32
            }
        }
    };
    for (i, l) in s.links.iter().enumerate() {
        let Some(list) = &l.routing_keys else { continue };
        if l.via != Via::Publish {
            continue;
        }
        let mut total = 0.0;
        let table: Vec<(u32, f64)> = list
            .iter()
            .map(|(k, w)| {
                total += w;
                (intern(&mut keys, k), total)
            })
            .collect();
        sim.links[i].routing = Some(table.into_boxed_slice());
        sim.links[i].keyed_send = true;
    }
    for x in 0..s.nodes.len() {
        if s.nodes[x].kind != NodeKind::Exchange {
            continue;
        }
        let binds: Vec<(u32, u32, &str)> = s
            .links
            .iter()
            .enumerate()
            .filter(|(_, l)| l.via == Via::Bind && l.from == s.nodes[x].id)
            .map(|(i, l)| (i as u32, sim.links[i].to, l.pattern.as_deref().unwrap_or(defaults::BIND_PATTERN)))
            .collect();
        let alternate = s.nodes[x].alternate.as_deref().and_then(|a| s.nodes.iter().position(|n| n.id == a));
        let KindRt::Exchange(ex) = &mut sim.nodes[x].rt else { continue };
        ex.alternate = alternate.map(|a| a as u32).unwrap_or(NONE);
        ex.routes = keys
            .iter()
            .map(|key| {
                let mut queues: Vec<u32> = Vec::new();
                let mut links: Vec<u32> = Vec::new();
                for (link, queue, pattern) in &binds {
                    if !queues.contains(queue) && matches(ex.kind, pattern, key) {
                        queues.push(*queue);
                        links.push(*link);
                    }
                }
                links.into_boxed_slice()
            })
            .collect();
    }
    sim.routing_keys = keys;
}

/// The routing key a message sent over `link` takes (by weight), or NONE.
pub(super) fn draw_key(sim: &mut Sim, link: u32) -> u32 {
    let l = &mut sim.links[link as usize];
    let Some(table) = &l.routing else { return NONE };
    let total = table.last().map(|t| t.1).unwrap_or(0.0);
    let x = l.rng.unit() * total;
    table.iter().find(|(_, upto)| x < *upto).or(table.last()).map(|t| t.0).unwrap_or(NONE)
}

/// A message reached exchange `x` over a publish link.
#[cold]
pub(super) fn arrive(sim: &mut Sim, mk: Key) {
    let now = sim.now;
    let Some(m) = sim.msgs.get_mut(mk) else { return };
    let (x, trace, link, dead) = (m.queue, m.trace, m.link, m.dead);
    let confirm = (m.outbox && m.sender != NONE).then_some((m.sender, m.op));
    m.outbox = false;
    let n = &mut sim.nodes[x as usize];
    n.metrics.arrivals += 1;
    if n.is_down() {
        n.metrics.rejected += 1;
        if !dead {
            sim.ended(link, End::Rejected);
        }
        sim.msgs.remove(mk);
        sim.hop(trace, HopKind::Reject, x, link, 0);
        return;
    }
    if let Some((sender, op)) = confirm {
        let back = now.after(super::calls::latency(sim, link));
        sim.schedule(back, Ev::OutboxConfirm { node: sender, op });
    }
    sim.hop(trace, HopKind::Arrive, x, link, 0);
    route(sim, mk, x, 0);
}

/// Routes message `mk` through exchange `x` (`depth` alternates deep).
pub(super) fn route(sim: &mut Sim, mk: Key, x: u32, depth: u32) {
    let now = sim.now;
    let Some(m) = sim.msgs.get(mk) else { return };
    let (rk, dead, in_link) = (if m.rk == NONE { 0 } else { m.rk }, m.dead, m.link);
    let KindRt::Exchange(ex) = &sim.nodes[x as usize].rt else { return };
    let count = ex.routes.get(rk as usize).map(|r| r.len()).unwrap_or(0);
    if count == 0 {
        unroutable(sim, mk, x, depth);
        return;
    }
    let n = &mut sim.nodes[x as usize];
    n.metrics.finish(now, now, true);
    n.metrics.bump("routed");
    if !dead {
        sim.ended(in_link, End::Delivered);
    }
    let Some(m) = sim.msgs.remove(mk) else { return };
    for i in 0..count {
        let KindRt::Exchange(ex) = &sim.nodes[x as usize].rt else { return };
        let link = ex.routes[rk as usize][i];
        copy_over(sim, &m, link);
    }
}

/// Sends a copy of `m` over bind link `link` into its queue.
fn copy_over(sim: &mut Sim, m: &Msg, link: u32) {
    let now = sim.now;
    let x = sim.links[link as usize].from;
    if !m.dead {
        sim.sent(link);
    }
    sim.hop(m.trace, HopKind::Send, x, link, 0);
    if sim.links[link as usize].partitioned > 0 {
        if !m.dead {
            sim.ended(link, End::Dropped);
        }
        sim.hop(m.trace, HopKind::Drop, x, link, 0);
        return;
    }
    let tone = if m.dead { TokenTone::DeadLetter } else { TokenTone::Pending };
    let (arrive, token) = super::calls::cross(sim, link, now, false, TokenKind::Message, tone, m.trace, m.tag.key());
    let copy = sim.msgs.insert(Msg {
        queue: sim.links[link as usize].to,
        trace: m.trace,
        trace_start: m.trace_start,
        op: m.op,
        enqueued: arrive,
        deliveries: 0,
        state: MsgState::Transit,
        durable_at: crate::engine::kernel::clock::Micros::MAX,
        link,
        sender: NONE,
        outbox: false,
        reply_to: None,
        dead: m.dead,
        token,
        tag: m.tag,
        rk: m.rk,
    });
    sim.schedule(arrive, Ev::MsgArrive { msg: copy });
}

/// No binding matched: the alternate takes it, or it is dropped.
fn unroutable(sim: &mut Sim, mk: Key, x: u32, depth: u32) {
    let KindRt::Exchange(ex) = &sim.nodes[x as usize].rt else { return };
    let alt = ex.alternate;
    sim.nodes[x as usize].metrics.bump("unroutable");
    // Alternates may chain; a chain that loops gives up like RabbitMQ does.
    let alt_ok = alt != NONE && (depth as usize) < sim.nodes.len();
    if alt_ok {
        let alt_kind = sim.nodes[alt as usize].kind;
        if let Some(m) = sim.msgs.get_mut(mk) {
            m.queue = alt;
            m.state = MsgState::Transit;
        }
        match alt_kind {
            NodeKind::Exchange => {
                let n = &mut sim.nodes[alt as usize];
                n.metrics.arrivals += 1;
                if n.is_down() {
                    n.metrics.rejected += 1;
                    drop_message(sim, mk, alt);
                } else {
                    route(sim, mk, alt, depth + 1);
                }
            }
            _ => super::queues::arrive(sim, mk),
        }
        return;
    }
    drop_message(sim, mk, x);
}

fn drop_message(sim: &mut Sim, mk: Key, at: u32) {
    let Some(m) = sim.msgs.remove(mk) else { return };
    if !m.dead {
        sim.ended(m.link, End::Dropped);
    }
    sim.nodes[at as usize].metrics.failed += 1;
    sim.hop(m.trace, HopKind::Drop, at, NO_LINK, 0);
}

/// A queue dead-letters `mk` into exchange `x` (its DLX): the message is
/// already counted dead-lettered; what the exchange does with it is not
/// the ledger's.
#[cold]
pub(super) fn dead_letter_into(sim: &mut Sim, mk: Key, x: u32) {
    let n = &mut sim.nodes[x as usize];
    n.metrics.arrivals += 1;
    if n.is_down() {
        n.metrics.rejected += 1;
        drop_message(sim, mk, x);
        return;
    }
    route(sim, mk, x, 0);
}
