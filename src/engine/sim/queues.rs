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
    pub tag: Tag,
    /// Routing key index (into an exchange), or NONE.
    pub rk: u32,
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
    let (arrive, token) =
        super::calls::cross(sim, link, now, false, TokenKind::Message, TokenTone::Pending, m.trace, m.tag.key());
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
        tag: m.tag,
        rk: m.rk,
    });
    sim.schedule(arrive, Ev::MsgArrive { msg });
}

/// A job's enqueue or publish step: through its outbox row when the link
/// has one (the row carries the message's id), directly otherwise.
/// `nth`: which message of the link's fan-out this is (0 without a count).
pub(super) fn send_from_job(sim: &mut Sim, jk: Key, link: u32, nth: u32) {
    let Some(job) = sim.jobs.get(jk) else { return };
    let (node, trace, trace_start, job_op, tag) = (job.node, job.trace, job.trace_start, job.op, job.tag);
    let row = match &sim.nodes[node as usize].rt {
        KindRt::Worker(w) => w.outbox.get(&(job_op, link)).copied(),
        _ => None,
    };
    let (op, outbox) = match row {
        Some(r) => (r.msg_op, true),
        None if nth == 0 && sim.links[link as usize].keyed_send && sim.links[link as usize].routing.is_none() => {
            // Into a FIFO queue: the same id for every resend of this work
            // (the further messages of a fan-out are messages of their own).
            (super::fifo::dedup_id(job_op, link), false)
        }
        None => (sim.new_op(), false),
    };
    let rk = if sim.links[link as usize].keyed_send { routing_key(sim, node, job_op, link, outbox) } else { NONE };
    send(sim, link, NewMsg { trace, trace_start, op, sender: node, outbox, reply_to: None, tag, rk });
}

/// The routing key of a message into an exchange; an outbox row keeps it
/// for the relay's resends.
#[cold]
fn routing_key(sim: &mut Sim, node: u32, job_op: u64, link: u32, outbox: bool) -> u32 {
    if sim.links[link as usize].routing.is_none() {
        return NONE;
    }
    let rk = super::exchanges::draw_key(sim, link);
    if outbox {
        if let KindRt::Worker(w) = &mut sim.nodes[node as usize].rt {
            if let Some(row) = w.outbox.get_mut(&(job_op, link)) {
                row.rk = rk;
            }
        }
    }
    rk
}

/// Request-reply into a queue: the message carries the correlation id.
pub(super) fn send_request(sim: &mut Sim, jk: Key, link: u32, op: u64, (caller, seq): (Key, u32)) {
    let Some(job) = sim.jobs.get(jk) else { return };
    let (node, trace, trace_start, tag) = (job.node, job.trace, job.trace_start, job.tag);
    let reply_to = Some((caller, seq, link));
    send(sim, link, NewMsg { trace, trace_start, op, sender: node, outbox: false, reply_to, tag, rk: NONE });
}

pub(super) fn arrive(sim: &mut Sim, mk: Key) {
    let now = sim.now;
    let Some(m) = sim.msgs.get_mut(mk) else {
        return;
    };
    let (qi, token, trace, link, sender, outbox, op) = (m.queue, m.token, m.trace, m.link, m.sender, m.outbox, m.op);
    let dead = m.dead;
    m.token = NONE;
    m.enqueued = now;
    sim.tokens.end(token);
    match sim.nodes[qi as usize].kind {
        crate::engine::format::NodeKind::Topic => {
            super::topics::arrive(sim, mk);
            return;
        }
        crate::engine::format::NodeKind::Exchange => {
            super::exchanges::arrive(sim, mk);
            return;
        }
        _ => {}
    }
    let n = &mut sim.nodes[qi as usize];
    n.metrics.arrivals += 1;
    let down = n.is_down();
    let KindRt::Queue(q) = &mut n.rt else { return };
    if down || q.ready.len() as u64 >= q.capacity {
        n.metrics.rejected += 1;
        if !dead {
            sim.ended(link, End::Rejected);
        }
        sim.msgs.remove(mk);
        sim.hop(trace, HopKind::Reject, qi, link, 0);
        return;
    }
    if let Some(f) = &mut q.fifo {
        if f.is_resend(op, now) {
            // SQS FIFO: accepted (the sender hears success), not enqueued.
            n.metrics.deduplicated += 1;
            if !dead {
                sim.ended(link, End::Deduplicated);
            }
            sim.msgs.remove(mk);
            sim.hop(trace, HopKind::Drop, qi, link, 1);
            if outbox && sender != NONE {
                let back = now.after(super::calls::latency(sim, link));
                sim.schedule(back, Ev::OutboxConfirm { node: sender, op });
            }
            return;
        }
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
        if q.fifo.is_some() && super::fifo::next_ready(sim, q).is_none() {
            return; // Every waiting group has a message in flight.
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
        if !deliver(sim, qi, consumer, link) {
            return;
        }
    }
}

/// Whether `consumer` can take a delivery over `link` now: a free worker,
/// or, with a `prefetch`, room among the deliveries it may hold unacked
/// (RabbitMQ's `basic.qos`: a prefetched message waits at the consumer).
fn consumer_free(sim: &Sim, consumer: u32, link: u32) -> bool {
    let c = &sim.nodes[consumer as usize];
    let l = &sim.links[link as usize];
    if c.is_down() || l.partitioned > 0 {
        return false;
    }
    match l.prefetch {
        None => matches!(&c.rt, KindRt::Worker(w) if w.has_free_worker()),
        Some(p) => l.unacked < p,
    }
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
        let l = &sim.links[link as usize];
        let q_ready = matches!(&sim.nodes[qi as usize].rt, KindRt::Queue(q) if !q.ready.is_empty()
                && (q.fifo.is_none() || super::fifo::next_ready(sim, q).is_some()))
            && !sim.nodes[qi as usize].is_down()
            && l.partitioned == 0
            && l.prefetch.is_none_or(|p| l.unacked < p);
        if q_ready {
            if let KindRt::Worker(w) = &mut sim.nodes[node as usize].rt {
                w.next_consume = (i + 1) % count;
            }
            deliver(sim, qi, node, link);
            return;
        }
    }
}

/// Delivers the head of queue `qi` (of its first free group, if FIFO) to
/// `consumer`, reserving a worker there (or, with a prefetch and no free
/// worker, to wait in its buffer). False if nothing could be delivered.
fn deliver(sim: &mut Sim, qi: u32, consumer: u32, link: u32) -> bool {
    let now = sim.now;
    let at = match &sim.nodes[qi as usize].rt {
        KindRt::Queue(q) if q.fifo.is_some() => super::fifo::next_ready(sim, q),
        _ => Some(0),
    };
    let n = &mut sim.nodes[qi as usize];
    let KindRt::Queue(q) = &mut n.rt else { return false };
    let fifo = q.fifo.is_some();
    let taken = match at {
        Some(0) => q.ready.pop_front(),
        Some(i) => q.ready.remove(i),
        None => None,
    };
    let Some(mk) = taken else {
        return false;
    };
    q.unacked += 1;
    let visibility = q.visibility_us;
    n.metrics.waiting.set(now, q.ready.len() as u64);
    let Some(m) = sim.msgs.get_mut(mk) else {
        return false;
    };
    m.deliveries += 1;
    m.state = MsgState::Unacked;
    let (delivery, trace, trace_start, op, enqueued, tag) =
        (m.deliveries, m.trace, m.trace_start, m.op, m.enqueued, m.tag);
    if delivery == 1 {
        n.metrics.record_wait(now.since(enqueued));
    }
    if fifo {
        super::fifo::taken(sim, qi, mk);
    }
    let prefetch = sim.links[link as usize].prefetch.is_some();
    let l = &mut sim.links[link as usize];
    l.deliveries.sent += 1;
    if prefetch {
        l.unacked += 1;
    }
    let c = &mut sim.nodes[consumer as usize];
    // Without a prefetch a delivery always has its worker (see `consumer_free`).
    let reserved = match &mut c.rt {
        KindRt::Worker(w) if !prefetch || w.has_free_worker() => {
            w.busy += 1;
            c.metrics.busy.set(now, w.busy as u64);
            true
        }
        _ => false,
    };
    sim.hop(trace, HopKind::Deliver, qi, link, delivery);
    let tone = if delivery > 1 { TokenTone::Retry } else { TokenTone::Pending };
    let origin = Origin::Delivery { msg: mk, delivery, link };
    jobs::send(sim, link, NewJob { node: consumer, trace, trace_start, op, origin, reserved, tag }, tone);
    super::topics::backlog_changed(sim, qi);
    if let Some(v) = visibility {
        sim.schedule(now.after(v), Ev::Visibility { msg: mk, delivery });
    }
    true
}

/// Counts how delivery over the consume link `consume` ended, in that
/// link's row (see `LinkRt::deliveries`).
#[inline]
pub(super) fn count_delivery(sim: &mut Sim, consume: u32, end: End) {
    if let Some(l) = sim.links.get_mut(consume as usize) {
        l.deliveries.end(end);
    }
}

/// A delivery over `link` ended at its consumer (answered, refused or
/// lost): with a prefetch, the consumer has room for another.
#[inline]
pub(super) fn delivery_ended(sim: &mut Sim, link: u32) {
    if sim.links[link as usize].prefetch.is_some() {
        prefetch_freed(sim, link);
    }
}

#[cold]
fn prefetch_freed(sim: &mut Sim, link: u32) {
    let l = &mut sim.links[link as usize];
    l.unacked = l.unacked.saturating_sub(1);
    let q = l.from;
    dispatch(sim, q);
}

/// Whether delivery `delivery` of `mk` is the one the queue waits on.
fn current(sim: &Sim, mk: Key, delivery: u32) -> bool {
    sim.msgs.get(mk).is_some_and(|m| m.state == MsgState::Unacked && m.deliveries == delivery)
}

/// The consumer is done with a delivery over `consume`: ack or nack.
pub(super) fn settle(sim: &mut Sim, mk: Key, delivery: u32, consume: u32, outcome: Outcome) {
    let now = sim.now;
    if !current(sim, mk, delivery) {
        // A stale delivery: its visibility timeout ran out and the queue
        // gave it to someone else already.
        count_delivery(sim, consume, End::TimedOut);
        return;
    }
    let Some(m) = sim.msgs.get(mk) else { return };
    let (qi, trace, enqueued, reply_to, dead, link) = (m.queue, m.trace, m.enqueued, m.reply_to, m.dead, m.link);
    if sim.nodes[qi as usize].is_down() {
        count_delivery(sim, consume, End::Lost);
        return; // The ack or nack is lost with the broker.
    }
    let ok = outcome == Outcome::Ok;
    let end = match outcome {
        Outcome::Ok => End::Delivered,
        Outcome::Rejected => End::Rejected,
        Outcome::Error | Outcome::Timeout => End::Failed,
    };
    count_delivery(sim, consume, end);
    if let KindRt::Queue(q) = &mut sim.nodes[qi as usize].rt {
        q.unacked -= 1;
    }
    if !ok {
        sim.hop(trace, HopKind::Nack, qi, NO_LINK, delivery);
        let own = sim.links.get(consume as usize).and_then(|l| l.redelivery_us);
        redeliver_or_dead_letter(sim, mk, Some(own));
        return;
    }
    sim.hop(trace, HopKind::Ack, qi, NO_LINK, delivery);
    sim.nodes[qi as usize].metrics.finish(now, enqueued, true);
    if !dead {
        sim.ended(link, End::Delivered);
    }
    let fifo = matches!(&sim.nodes[qi as usize].rt, KindRt::Queue(q) if q.fifo.is_some());
    if fifo {
        super::fifo::released(sim, qi, mk);
    }
    sim.msgs.remove(mk);
    if fifo {
        dispatch(sim, qi); // The group's next message may go now.
    }
    if let Some((caller, seq, link)) = reply_to {
        answer_request(sim, caller, seq, link, trace, super::model::Outcome::Ok);
    }
}

/// Request-reply: the answer travels back to the parked caller.
fn answer_request(sim: &mut Sim, caller: Key, seq: u32, link: u32, trace: u64, outcome: super::model::Outcome) {
    let tone = if outcome == super::model::Outcome::Ok { TokenTone::Ok } else { TokenTone::Error };
    let (arrive, token) = super::calls::cross(sim, link, sim.now, true, TokenKind::Response, tone, trace, NONE);
    let from = sim.links[link as usize].from;
    sim.schedule(arrive, Ev::ReplyBack { job: caller, seq, outcome, token, from });
}

/// After a failed delivery: back to the queue (after the redelivery delay:
/// the consume link's own, if it has one, else the queue's; none when
/// `delay` is None) or, past `max_deliveries`, to the dead-letter queue.
fn redeliver_or_dead_letter(sim: &mut Sim, mk: Key, delay: Option<Option<Micros>>) {
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
    let wait = match delay {
        Some(own) => own.unwrap_or(q.redelivery_us),
        None => 0,
    };
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
    super::fifo::released(sim, qi, mk);
    let n = &mut sim.nodes[qi as usize];
    if let KindRt::Queue(q) = &mut n.rt {
        // A FIFO message comes back at the head of its group.
        if at_front || q.fifo.is_some() {
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
    super::fifo::released(sim, qi, mk);
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
    if sim.nodes[dlq as usize].kind == crate::engine::format::NodeKind::Exchange {
        super::exchanges::dead_letter_into(sim, mk, dlq);
        return;
    }
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
    redeliver_or_dead_letter(sim, mk, None);
}
