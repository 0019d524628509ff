//! Point-to-point queues, with RabbitMQ's and SQS's semantics.
//!
//! FIFO; one consumer per message; free consumers take turns (round robin
//! over consumers with a free worker, like RabbitMQ with prefetch = workers).
//! A consumer acks after success and nacks after failure; a nacked message
//! comes back after `redelivery_delay_ms`. After `max_deliveries` it goes to
//! the dead-letter queue, or is dropped (RabbitMQ quorum queues' delivery
//! limit, SQS's redrive policy). An unacked delivery older than
//! `visibility_timeout_ms` becomes visible again (SQS), which is how a slow
//! consumer ends up processing a message twice. A consumer that crashes
//! returns its unacked messages to the queue (RabbitMQ requeues on channel
//! close).
//!
//! What a broker keeps across a crash is in `durability`; the sender's side
//! (dual write or outbox) in `outbox`.

use super::event::Ev;
use super::jobs::{self, NewJob};
use super::model::*;
use super::Sim;

use crate::engine::kernel::clock::{Micros, Time};
use crate::engine::kernel::slab::Key;
use crate::engine::report::End;
use crate::engine::trace::{HopKind, NO_LINK};
use crate::engine::view::{TokenKind, TokenTone};

/// What a message about to be sent is.
pub(super) struct NewMsg {
    pub trace: u64,
    pub trace_start: Micros,
    pub op: u64,
    pub sender: u32,
    pub outbox: bool,
    pub reply_to: Option<(Key, u32, u32)>,
}

/// Sends a message over `link` (enqueue, publish or subscribe) to its `to`
/// node; it arrives after the link's latency unless a partition eats it.
pub(super) fn send(sim: &mut Sim, link: u32, m: NewMsg) {
    let now = sim.now;
    let to = sim.links[link as usize].to;
    sim.sent(link);
    let from = sim.links[link as usize].from;
    sim.hop(m.trace, HopKind::Send, from, link, 0);
    if sim.links[link as usize].partitioned > 0 {
        sim.ended(link, End::Dropped);
        sim.hop(m.trace, HopKind::Drop, from, link, 0);
        return;
    }
    let (arrive, token) = super::calls::cross(sim, link, now, false, TokenKind::Message, TokenTone::Pending, m.trace);
    let msg = sim.msgs.insert(Msg {
        queue: to,
        trace: m.trace,
        trace_start: m.trace_start,
        op: m.op,
        enqueued: arrive,
        deliveries: 0,
        state: MsgState::Transit,
        durable_at: Micros::MAX,
        link,
        sender: m.sender,
        outbox: m.outbox,
        reply_to: m.reply_to,
        dead: false,
        token,
    });
    sim.schedule(arrive, Ev::MsgArrive { msg });
}

/// A job's enqueue or publish step: through its outbox row when the link
/// has one (the row carries the message's id), directly otherwise.
pub(super) fn send_from_job(sim: &mut Sim, jk: Key, link: u32) {
    let Some(job) = sim.jobs.get(jk) else { return };
    let (node, trace, trace_start, job_op) = (job.node, job.trace, job.trace_start, job.op);
    let row = match &sim.nodes[node as usize].rt {
        KindRt::Worker(w) => w.outbox.get(&(job_op, link)).copied(),
        _ => None,
    };
    let (op, outbox) = match row {
        Some(r) => (r.msg_op, true),
        None => (sim.new_op(), false),
    };
    send(sim, link, NewMsg { trace, trace_start, op, sender: node, outbox, reply_to: None });
}

/// Request-reply into a queue: the message carries the correlation id.
pub(super) fn send_request(sim: &mut Sim, jk: Key, link: u32, op: u64, (caller, seq): (Key, u32)) {
    let Some(job) = sim.jobs.get(jk) else { return };
    let (node, trace, trace_start) = (job.node, job.trace, job.trace_start);
    let reply_to = Some((caller, seq, link));
    send(sim, link, NewMsg { trace, trace_start, op, sender: node, outbox: false, reply_to });
}

pub(super) fn arrive(sim: &mut Sim, mk: Key) {
    let now = sim.now;
    let Some(m) = sim.msgs.get_mut(mk) else {
        return;
    };
    let (qi, token, trace, link, sender, outbox, op) = (m.queue, m.token, m.trace, m.link, m.sender, m.outbox, m.op);
    m.token = NONE;
    m.enqueued = now;
    sim.tokens.end(token);
    if sim.nodes[qi as usize].kind == crate::engine::format::NodeKind::Topic {
        super::topics::arrive(sim, mk);
        return;
    }
    let n = &mut sim.nodes[qi as usize];
    n.metrics.arrivals += 1;
    let down = n.is_down();
    let KindRt::Queue(q) = &mut n.rt else { return };
    if down || q.ready.len() as u64 >= q.capacity {
        n.metrics.rejected += 1;
        sim.ended(link, End::Rejected);
        sim.msgs.remove(mk);
        sim.hop(trace, HopKind::Reject, qi, link, 0);
        return;
    }
    let durable = super::durability::durable_at(q, now);
    q.ready.push_back(mk);
    n.metrics.waiting.set(now, q.ready.len() as u64);
    if let Some(m) = sim.msgs.get_mut(mk) {
        m.state = MsgState::Ready;
        m.durable_at = durable;
    }
    super::topics::backlog_changed(sim, qi);
    sim.hop(trace, HopKind::Arrive, qi, link, 0);
    if outbox && sender != NONE {
        // The broker's confirm travels back; the relay then marks the row sent.
        let back = now.after(super::calls::latency(sim, link));
        sim.schedule(back, Ev::OutboxConfirm { node: sender, op });
    }
    dispatch(sim, qi);
}

/// Hands ready messages to free consumers, in turn.
pub(super) fn dispatch(sim: &mut Sim, qi: u32) {
    loop {
        let n = &sim.nodes[qi as usize];
        if n.is_down() {
            return;
        }
        let KindRt::Queue(q) = &n.rt else { return };
        if q.ready.is_empty() || q.consumers.is_empty() {
            return;
        }
        let count = q.consumers.len();
        let start = q.next_consumer;
        let pick = (0..count).map(|i| (start + i) % count).find(|&i| {
            let (c, link) = q.consumers[i];
            consumer_free(sim, c, link)
        });
        let Some(i) = pick else { return };
        let (consumer, link) = q.consumers[i];
        if let KindRt::Queue(q) = &mut sim.nodes[qi as usize].rt {
            q.next_consumer = (i + 1) % count;
        }
        deliver(sim, qi, consumer, link);
    }
}

fn consumer_free(sim: &Sim, consumer: u32, link: u32) -> bool {
    let c = &sim.nodes[consumer as usize];
    !c.is_down()
        && sim.links[link as usize].partitioned == 0
        && matches!(&c.rt, KindRt::Worker(w) if w.has_free_worker())
}

/// A worker of `node` became free: take a message from the queues it
/// consumes, in turn.
pub(super) fn pull(sim: &mut Sim, node: u32) {
    let KindRt::Worker(w) = &sim.nodes[node as usize].rt else {
        return;
    };
    if w.consumes.is_empty() || !w.has_free_worker() {
        return;
    }
    let count = w.consumes.len();
    let start = w.next_consume;
    for k in 0..count {
        let i = (start + k) % count;
        let KindRt::Worker(w) = &sim.nodes[node as usize].rt else {
            return;
        };
        let (qi, link) = w.consumes[i];
        let q_ready = matches!(&sim.nodes[qi as usize].rt, KindRt::Queue(q) if !q.ready.is_empty())
            && !sim.nodes[qi as usize].is_down()
            && sim.links[link as usize].partitioned == 0;
        if q_ready {
            if let KindRt::Worker(w) = &mut sim.nodes[node as usize].rt {
                w.next_consume = (i + 1) % count;
            }
            deliver(sim, qi, node, link);
            return;
        }
    }
}

/// Delivers the head of queue `qi` to `consumer`, reserving a worker there.
fn deliver(sim: &mut Sim, qi: u32, consumer: u32, link: u32) {
    let now = sim.now;
    let n = &mut sim.nodes[qi as usize];
    let KindRt::Queue(q) = &mut n.rt else { return };
    let Some(mk) = q.ready.pop_front() else {
        return;
    };
    q.unacked += 1;
    let visibility = q.visibility_us;
    n.metrics.waiting.set(now, q.ready.len() as u64);
    let Some(m) = sim.msgs.get_mut(mk) else {
        return;
    };
    m.deliveries += 1;
    m.state = MsgState::Unacked;
    let (delivery, trace, trace_start, op, enqueued) = (m.deliveries, m.trace, m.trace_start, m.op, m.enqueued);
    if delivery == 1 {
        n.metrics.record_wait(now.since(enqueued));
    }
    let c = &mut sim.nodes[consumer as usize];
    if let KindRt::Worker(w) = &mut c.rt {
        w.busy += 1;
        c.metrics.busy.set(now, w.busy as u64);
    }
    sim.hop(trace, HopKind::Deliver, qi, link, delivery);
    let tone = if delivery > 1 { TokenTone::Retry } else { TokenTone::Pending };
    let origin = Origin::Delivery { msg: mk, delivery, link };
    jobs::send(sim, link, NewJob { node: consumer, trace, trace_start, op, origin, reserved: true }, tone);
    super::topics::backlog_changed(sim, qi);
    if let Some(v) = visibility {
        sim.schedule(now.after(v), Ev::Visibility { msg: mk, delivery });
    }
}

/// Whether delivery `delivery` of `mk` is the one the queue waits on.
fn current(sim: &Sim, mk: Key, delivery: u32) -> bool {
    sim.msgs.get(mk).is_some_and(|m| m.state == MsgState::Unacked && m.deliveries == delivery)
}

/// The consumer is done with a delivery: ack or nack.
pub(super) fn settle(sim: &mut Sim, mk: Key, delivery: u32, ok: bool) {
    let now = sim.now;
    if !current(sim, mk, delivery) {
        return; // A stale delivery: the queue gave it to someone else already.
    }
    let Some(m) = sim.msgs.get(mk) else { return };
    let (qi, trace, enqueued, reply_to, dead, link) = (m.queue, m.trace, m.enqueued, m.reply_to, m.dead, m.link);
    if sim.nodes[qi as usize].is_down() {
        return; // The ack or nack is lost with the broker.
    }
    if let KindRt::Queue(q) = &mut sim.nodes[qi as usize].rt {
        q.unacked -= 1;
    }
    if !ok {
        sim.hop(trace, HopKind::Nack, qi, NO_LINK, delivery);
        redeliver_or_dead_letter(sim, mk, true);
        return;
    }
    sim.hop(trace, HopKind::Ack, qi, NO_LINK, delivery);
    sim.nodes[qi as usize].metrics.finish(now, enqueued, true);
    if !dead {
        sim.ended(link, End::Delivered);
    }
    sim.msgs.remove(mk);
    if let Some((caller, seq, link)) = reply_to {
        answer_request(sim, caller, seq, link, trace, super::model::Outcome::Ok);
    }
}

/// Request-reply: the answer travels back to the parked caller.
fn answer_request(sim: &mut Sim, caller: Key, seq: u32, link: u32, trace: u64, outcome: super::model::Outcome) {
    let tone = if outcome == super::model::Outcome::Ok { TokenTone::Ok } else { TokenTone::Error };
    let (arrive, token) = super::calls::cross(sim, link, sim.now, true, TokenKind::Response, tone, trace);
    let from = sim.links[link as usize].from;
    sim.schedule(arrive, Ev::ReplyBack { job: caller, seq, outcome, token, from });
}

/// After a failed delivery: back to the queue (after the redelivery delay)
/// or, past `max_deliveries`, to the dead-letter queue.
fn redeliver_or_dead_letter(sim: &mut Sim, mk: Key, delay: bool) {
    let now = sim.now;
    let Some(m) = sim.msgs.get(mk) else { return };
    let (qi, deliveries) = (m.queue, m.deliveries);
    let KindRt::Queue(q) = &sim.nodes[qi as usize].rt else {
        return;
    };
    if deliveries >= q.max_deliveries {
        dead_letter(sim, mk);
        return;
    }
    let wait = if delay { q.redelivery_us } else { 0 };
    if wait > 0 {
        if let Some(m) = sim.msgs.get_mut(mk) {
            m.state = MsgState::Delayed;
        }
        sim.schedule(now.after(wait), Ev::MsgReady { msg: mk });
    } else {
        make_ready(sim, mk, true);
    }
}

pub(super) fn ready_again(sim: &mut Sim, mk: Key) {
    if sim.msgs.get(mk).is_some_and(|m| m.state == MsgState::Delayed) {
        make_ready(sim, mk, false);
    }
}

/// Puts a message back among the ready ones, at the head of the line (a
/// delivery that never reached a consumer) or at its tail (a redelivery),
/// and offers it to a free consumer.
fn make_ready(sim: &mut Sim, mk: Key, at_front: bool) {
    let now = sim.now;
    let Some(m) = sim.msgs.get_mut(mk) else {
        return;
    };
    m.state = MsgState::Ready;
    let qi = m.queue;
    let n = &mut sim.nodes[qi as usize];
    if let KindRt::Queue(q) = &mut n.rt {
        if at_front {
            q.ready.push_front(mk);
        } else {
            q.ready.push_back(mk);
        }
        n.metrics.waiting.set(now, q.ready.len() as u64);
    }
    super::topics::backlog_changed(sim, qi);
    dispatch(sim, qi);
}

fn dead_letter(sim: &mut Sim, mk: Key) {
    let now = sim.now;
    let Some(m) = sim.msgs.get_mut(mk) else {
        return;
    };
    let (qi, trace, enqueued, dead, link) = (m.queue, m.trace, m.enqueued, m.dead, m.link);
    let KindRt::Queue(q) = &sim.nodes[qi as usize].rt else {
        return;
    };
    let dlq = q.dead_letter;
    let reply_to = m.reply_to;
    sim.nodes[qi as usize].metrics.finish(now, enqueued, false);
    if let Some((caller, seq, link)) = reply_to {
        answer_request(sim, caller, seq, link, trace, super::model::Outcome::Error);
    }
    let dlq_up = dlq != NONE && !sim.nodes[dlq as usize].is_down();
    if !dlq_up {
        if !dead {
            sim.ended(link, End::Dropped);
        }
        sim.nodes[qi as usize].metrics.bump("dropped");
        sim.hop(trace, HopKind::Drop, qi, NO_LINK, 0);
        sim.msgs.remove(mk);
        return;
    }
    if !dead {
        sim.ended(link, End::DeadLettered);
    }
    sim.hop(trace, HopKind::DeadLetter, qi, NO_LINK, 0);
    let Some(m) = sim.msgs.get_mut(mk) else {
        return;
    };
    m.dead = true;
    m.queue = dlq;
    m.deliveries = 0;
    m.reply_to = None;
    m.enqueued = now;
    m.state = MsgState::Ready;
    let n = &mut sim.nodes[dlq as usize];
    n.metrics.arrivals += 1;
    if let KindRt::Queue(q) = &mut n.rt {
        m.durable_at = super::durability::durable_at(q, now);
        q.ready.push_back(mk);
        n.metrics.waiting.set(now, q.ready.len() as u64);
    }
    dispatch(sim, dlq);
}

/// Delivery `delivery` will never be acked: its consumer crashed (RabbitMQ
/// requeues on channel close) or its visibility timeout ran out (SQS makes
/// it visible again). Back to the queue, or to the dead letters.
pub(super) fn take_back(sim: &mut Sim, mk: Key, delivery: u32) {
    if !current(sim, mk, delivery) {
        return;
    }
    let Some(qi) = sim.msgs.get(mk).map(|m| m.queue) else {
        return;
    };
    if sim.nodes[qi as usize].is_down() {
        return;
    }
    if let KindRt::Queue(q) = &mut sim.nodes[qi as usize].rt {
        q.unacked -= 1;
    }
    redeliver_or_dead_letter(sim, mk, false);
}
