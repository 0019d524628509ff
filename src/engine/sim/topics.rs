//! Publish/subscribe topics. Every subscription gets its own copy.
//!
//! - `at_most_once` follows Redis Pub/Sub: a copy goes to each subscriber
//!   that is up at publish time; a subscriber that is down never gets it
//!   (counted lost), and a publish with no subscriber is discarded.
//! - `durable` follows Kafka-style consumer groups: each subscription keeps
//!   its own backlog (a hidden queue with the topic's persistence) and the
//!   subscriber catches up after recovery.
//!
//! A subscription can feed a service, a queue or a websocket server (the
//! backplane that lets many websocket servers reach users on any of them).

use super::build::queue_rt;
use super::jobs::{self, NewJob};
use super::model::*;
use super::queues::{self, NewMsg};
use super::Sim;
use crate::engine::format::NodeKind;
use crate::engine::kernel::clock::{Micros, Time};
use crate::engine::kernel::rng::Stream;
use crate::engine::kernel::slab::Key;
use crate::engine::metrics::NodeMetrics;
use crate::engine::report::End;
use crate::engine::trace::{HopKind, NO_LINK};
use crate::engine::view::TokenTone;

/// Gives every durable subscription that feeds a worker its hidden backlog.
pub(super) fn add_durable_backlogs(sim: &mut Sim) {
    for t in 0..sim.nodes.len() {
        let KindRt::Topic(topic) = &sim.nodes[t].rt else {
            continue;
        };
        if !topic.durable {
            continue;
        }
        let subs = topic.subscriptions.clone();
        let spec = sim.scenario.nodes[t].clone();
        for (i, (link, _)) in subs.into_iter().enumerate() {
            let sub = sim.links[link as usize].to;
            if sim.nodes[sub as usize].kind == NodeKind::Queue {
                continue; // A queue is durable storage itself.
            }
            let h = sim.nodes.len() as u32;
            let mut q = queue_rt(&spec, NONE);
            q.consumers.push((sub, link));
            q.owner = t as u32;
            let id = format!("{}/{}", spec.id, sim.links[link as usize].id);
            sim.nodes.push(NodeRt {
                rng: Stream::new(sim.scenario.seed, &id),
                id,
                kind: NodeKind::Queue,
                down: 0,
                slow: 1.0,
                error_override: None,
                metrics: NodeMetrics::default(),
                out: Vec::new(),
                rt: KindRt::Queue(q),
            });
            if let KindRt::Worker(w) = &mut sim.nodes[sub as usize].rt {
                w.consumes.push((h, link));
                w.seen.get_or_insert_with(Default::default);
            }
            if let KindRt::Topic(topic) = &mut sim.nodes[t].rt {
                topic.subscriptions[i].1 = h;
            }
        }
    }
}

/// A published message reached the topic: fan it out.
pub(super) fn arrive(sim: &mut Sim, mk: Key) {
    let Some(m) = sim.msgs.remove(mk) else { return };
    let t = m.queue;
    let now = sim.now;
    let n = &mut sim.nodes[t as usize];
    n.metrics.arrivals += 1;
    if n.is_down() {
        n.metrics.rejected += 1;
        sim.ended(m.link, End::Rejected);
        sim.hop(m.trace, HopKind::Reject, t, m.link, 0);
        return;
    }
    let KindRt::Topic(topic) = &n.rt else { return };
    if topic.log.is_some() {
        super::logs::append(sim, &m);
        return;
    }
    let count = topic.subscriptions.len();
    if count == 0 {
        n.metrics.failed += 1;
        n.metrics.bump("no_subscriber");
        sim.ended(m.link, End::Dropped);
        sim.hop(m.trace, HopKind::Drop, t, NO_LINK, 0);
        return;
    }
    n.metrics.finish(now, now, true);
    sim.ended(m.link, End::Delivered);
    if m.outbox && m.sender != NONE {
        let back = now.after(super::calls::latency(sim, m.link));
        sim.schedule(back, super::event::Ev::OutboxConfirm { node: m.sender, op: m.op });
    }
    for i in 0..count {
        let KindRt::Topic(topic) = &sim.nodes[t as usize].rt else { return };
        let (link, hidden) = topic.subscriptions[i];
        copy_to(sim, &m, link, hidden);
    }
}

fn copy_to(sim: &mut Sim, m: &Msg, link: u32, hidden: u32) {
    let sub = sim.links[link as usize].to;
    let t = sim.links[link as usize].from;
    let new = NewMsg {
        trace: m.trace,
        trace_start: m.trace_start,
        op: m.op,
        sender: NONE,
        outbox: false,
        reply_to: None,
        tag: m.tag,
        rk: m.rk,
    };
    if sim.nodes[sub as usize].kind == NodeKind::Queue {
        queues::send(sim, link, new);
        return;
    }
    if hidden != NONE {
        into_backlog(sim, hidden, link, m);
        return;
    }
    sim.sent(link);
    if sim.nodes[sub as usize].is_down() {
        // Redis Pub/Sub: nobody listening on that connection, gone for good.
        sim.ended(link, End::Lost);
        sim.nodes[t as usize].metrics.bump("missed_while_down");
        sim.hop(m.trace, HopKind::Lost, sub, link, 0);
        return;
    }
    if sim.links[link as usize].partitioned > 0 {
        sim.ended(link, End::Dropped);
        sim.hop(m.trace, HopKind::Drop, t, link, 0);
        return;
    }
    let origin = Origin::Copy { link };
    let new =
        NewJob { node: sub, trace: m.trace, trace_start: m.trace_start, op: m.op, origin, reserved: false, tag: m.tag };
    jobs::send(sim, link, new, TokenTone::Pending);
}

/// A durable subscription stores the copy in its own backlog.
fn into_backlog(sim: &mut Sim, h: u32, link: u32, m: &Msg) {
    sim.sent(link);
    let now = sim.now;
    let mk = sim.msgs.insert(Msg {
        queue: h,
        trace: m.trace,
        trace_start: m.trace_start,
        op: m.op,
        enqueued: now,
        deliveries: 0,
        state: MsgState::Transit,
        durable_at: Micros::MAX,
        link,
        sender: NONE,
        outbox: false,
        reply_to: None,
        dead: false,
        token: NONE,
        tag: m.tag,
        rk: m.rk,
    });
    queues::arrive(sim, mk);
}

/// The hidden backlogs of topic `t`.
pub(super) fn backlogs(sim: &Sim, t: u32) -> Vec<u32> {
    match &sim.nodes[t as usize].rt {
        KindRt::Topic(topic) => topic.subscriptions.iter().map(|s| s.1).filter(|h| *h != NONE).collect(),
        _ => Vec::new(),
    }
}

/// A durable subscription's backlog changed: the topic's waiting level is
/// the sum of its subscriptions' backlogs, kept by adding the change (a
/// topic with hundreds of subscriptions must not sum them per message).
pub(super) fn backlog_changed(sim: &mut Sim, qi: u32) {
    let KindRt::Queue(q) = &mut sim.nodes[qi as usize].rt else { return };
    let owner = q.owner;
    if owner == NONE {
        return;
    }
    let len = q.ready.len() as u64;
    let before = std::mem::replace(&mut q.counted, len);
    let now = sim.now;
    let waiting = &mut sim.nodes[owner as usize].metrics.waiting;
    let total = waiting.value.saturating_sub(before) + len;
    waiting.set(now, total);
}
