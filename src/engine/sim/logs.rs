//! Log topics, as Kafka (and Redis Streams) keep them.
//!
//! A topic with `delivery: "log"` is `partitions` append-only logs. A keyed
//! message goes to the partition Kafka's producer picks (murmur2 of the key,
//! made positive, mod partitions), a keyless one round robin. Messages stay
//! after they are read: every consumer group reads every message, each at
//! its own offsets, and a log forgets only what is older than its
//! `retention_ms`. A group member reads each partition it owns in order, one
//! message at a time, so a group's parallelism is at most its partitions.
//!
//! Accounting: every group's copy of a message is one message in the ledger,
//! sent when the message is appended. Per group and partition the cursor
//! keeps `acc`: offsets below it have ended (delivered, failed after the
//! consumer's retries, lost to an at-most-once commit, or expired by
//! retention); offsets from it to the log's end are in flight. Re-reading an
//! offset below `acc` (a replay after a crash or a `replay` fault) is a
//! duplicate at the consumer, not a new message.
//!
//! Group membership, rebalances and commits are in `log_groups`.

use super::event::{BrokerEv, Ev};
use super::jobs::{self, NewJob};
use super::log_groups::{self, Group, NO_MEMBER};
use super::model::*;
use super::Sim;
use crate::engine::format::{defaults, CommitMode, Delivery, NodeKind};
use crate::engine::kernel::clock::{ms_to_us, Micros, Time};
use crate::engine::kernel::murmur2::partition_for_key;
use crate::engine::report::End;
use crate::engine::trace::HopKind;
use crate::engine::view::TokenTone;
use std::collections::VecDeque;

#[derive(Clone, Copy, Debug)]
pub struct Entry {
    pub trace: u64,
    pub trace_start: Micros,
    pub op: u64,
    pub appended: Micros,
    pub tag: Tag,
}

#[derive(Clone, Default)]
pub struct Partition {
    /// Offset of the oldest message kept (Kafka's log start offset).
    pub start: u64,
    pub entries: VecDeque<Entry>,
}

impl Partition {
    /// The offset the next message gets (Kafka's log end offset).
    pub fn end(&self) -> u64 {
        self.start + self.entries.len() as u64
    }
}

#[derive(Clone)]
pub struct LogRt {
    pub parts: Vec<Partition>,
    pub groups: Vec<Group>,
    pub retention_us: Option<Micros>,
    next_rr: u32,
    expire_armed: bool,
}

pub(super) fn log(sim: &Sim, t: u32) -> Option<&LogRt> {
    match &sim.nodes[t as usize].rt {
        KindRt::Topic(topic) => topic.log.as_deref(),
        _ => None,
    }
}

pub(super) fn log_mut(sim: &mut Sim, t: u32) -> Option<&mut LogRt> {
    match &mut sim.nodes[t as usize].rt {
        KindRt::Topic(topic) => topic.log.as_deref_mut(),
        _ => None,
    }
}

/// Gives every log topic its partitions and its consumer groups (from its
/// `subscribe` links), with partitions assigned at the start.
pub(super) fn build(sim: &mut Sim) {
    // The scenario's own nodes: replicas come after them and are services.
    for t in 0..sim.scenario.nodes.len() {
        let spec = &sim.scenario.nodes[t];
        if spec.kind != NodeKind::Topic || spec.delivery != Some(Delivery::Log) {
            continue;
        }
        let partitions = spec.partitions.unwrap_or(defaults::LOG_PARTITIONS).max(1);
        let retention_us = spec.retention_ms.map(ms_to_us);
        let groups = log_groups::form(sim, t as u32, partitions);
        if let KindRt::Topic(topic) = &mut sim.nodes[t].rt {
            topic.log = Some(Box::new(LogRt {
                parts: (0..partitions).map(|_| Partition::default()).collect(),
                groups,
                retention_us,
                next_rr: 0,
                expire_armed: false,
            }));
        }
        sim.log_topics.push(t as u32);
        log_groups::start(sim, t as u32);
    }
}

/// A message published to log `t` (already counted arrived, the topic up).
pub(super) fn append(sim: &mut Sim, m: &Msg) {
    let now = sim.now;
    let t = m.queue;
    let Some(log) = log_mut(sim, t) else { return };
    let count = log.parts.len() as u32;
    let p = if m.tag.key() != NONE {
        let mut buf = [0u8; 12];
        partition_for_key(super::ordering::key_bytes(m.tag.key(), &mut buf), count)
    } else {
        let p = log.next_rr % count;
        log.next_rr = log.next_rr.wrapping_add(1);
        p
    };
    log.parts[p as usize].entries.push_back(Entry {
        trace: m.trace,
        trace_start: m.trace_start,
        op: m.op,
        appended: now,
        tag: m.tag,
    });
    let groups = log.groups.len();
    for g in &mut log.groups {
        g.lag_add(now, 1);
    }
    // One copy per group, counted on the group's own link.
    let mut ledger_links = [NONE; 4];
    let few = groups <= ledger_links.len();
    if few {
        for (i, g) in log.groups.iter().enumerate() {
            ledger_links[i] = g.ledger_link();
        }
    }
    let arm = log.retention_us.filter(|_| !log.expire_armed);
    if arm.is_some() {
        log.expire_armed = true;
    }
    sim.log_entries += 1;
    sim.nodes[t as usize].metrics.finish(now, now, true);
    sim.ended(m.link, End::Delivered);
    if few {
        for &l in &ledger_links[..groups] {
            sim.sent(l);
        }
    } else {
        for g in 0..groups {
            let l = self::log(sim, t).map_or(NONE, |log| log.groups[g].ledger_link());
            sim.sent(l);
        }
    }
    if m.outbox && m.sender != NONE {
        let back = now.after(super::calls::latency(sim, m.link));
        sim.schedule(back, Ev::OutboxConfirm { node: m.sender, op: m.op });
    }
    if let Some(r) = arm {
        sim.schedule(now.saturating_add(r), Ev::Broker(BrokerEv::LogExpire { topic: t }));
    }
    sim.hop(m.trace, HopKind::Arrive, t, m.link, p);
    for g in 0..groups {
        fetch(sim, t, g as u16, p as u16);
    }
    lag_changed(sim, t);
}

/// What a fetch of partition `p` by group `g` may hand out now: the
/// member's node and link, if the partition is owned and free to read.
fn reader(sim: &Sim, t: u32, g: u16, p: u16) -> Option<(u16, u32, u32)> {
    if sim.nodes[t as usize].is_down() {
        return None;
    }
    let grp = log(sim, t)?.groups.get(g as usize)?;
    let c = grp.cursors.get(p as usize)?;
    if grp.paused || c.owner == NO_MEMBER || c.inflight {
        return None;
    }
    let m = &grp.members[c.owner as usize];
    if m.down || !m.in_group || sim.links[m.link as usize].partitioned > 0 || sim.nodes[m.node as usize].is_down() {
        return None;
    }
    let ready = match &sim.nodes[m.node as usize].rt {
        KindRt::Worker(w) => w.has_free_worker(),
        KindRt::Queue(_) => true,
        _ => false,
    };
    ready.then_some((c.owner, m.node, m.link))
}

/// Hands the next message of partition `p` to the member of group `g` that
/// owns it, if it can take one now.
pub(super) fn fetch(sim: &mut Sim, t: u32, g: u16, p: u16) {
    // A queue member (a connector) takes messages as fast as they come.
    while let Some((member, node, link)) = reader(sim, t, g, p) {
        let now = sim.now;
        let Some(log) = log_mut(sim, t) else { return };
        let part = &log.parts[p as usize];
        let (start, end) = (part.start, part.end());
        let grp = &mut log.groups[g as usize];
        let commit = grp.members[member as usize].commit;
        let c = &mut grp.cursors[p as usize];
        c.position = c.position.max(start);
        if c.position >= end {
            return;
        }
        let e = part.entries[(c.position - start) as usize];
        c.position += 1;
        c.epoch = c.epoch.wrapping_add(1);
        let (epoch, position) = (c.epoch, c.position);
        if commit == CommitMode::BeforeProcessing {
            grp.commit(p, position, start, now);
        }
        sim.hop(e.trace, HopKind::Deliver, t, link, p as u32);
        if sim.nodes[node as usize].kind == NodeKind::Queue {
            forward(sim, t, g, p, link, &e);
            continue;
        }
        if let Some(log) = log_mut(sim, t) {
            log.groups[g as usize].cursors[p as usize].inflight = true;
        }
        let n = &mut sim.nodes[node as usize];
        if let KindRt::Worker(w) = &mut n.rt {
            w.busy += 1;
            n.metrics.busy.set(now, w.busy as u64);
        }
        let origin = Origin::Log { topic: t, group: g, partition: p, epoch, link };
        let new =
            NewJob { node, trace: e.trace, trace_start: e.trace_start, op: e.op, origin, reserved: true, tag: e.tag };
        let tone = if position <= accounted(sim, t, g, p) { TokenTone::Retry } else { TokenTone::Pending };
        jobs::send(sim, link, new, tone);
        return;
    }
}

/// Every group of log `t` reads whatever it can (after an outage).
#[cold]
pub(super) fn fetch_all(sim: &mut Sim, t: u32) {
    let Some(log) = log(sim, t) else { return };
    let (groups, parts) = (log.groups.len(), log.parts.len());
    for g in 0..groups {
        for p in 0..parts {
            fetch(sim, t, g as u16, p as u16);
        }
    }
}

fn accounted(sim: &Sim, t: u32, g: u16, p: u16) -> u64 {
    log(sim, t).map(|l| l.groups[g as usize].cursors[p as usize].acc).unwrap_or(0)
}

/// A queue subscribed to a log (a sink connector): the message is copied
/// into the queue, which is all the processing there is.
fn forward(sim: &mut Sim, t: u32, g: u16, p: u16, link: u32, e: &Entry) {
    let new = super::queues::NewMsg {
        trace: e.trace,
        trace_start: e.trace_start,
        op: e.op,
        sender: NONE,
        outbox: false,
        reply_to: None,
        tag: e.tag,
        rk: NONE,
    };
    super::queues::send(sim, link, new);
    processed(sim, t, g, p, true);
}

/// The member finished the message it read from partition `p` (`epoch`
/// tells a read from before a rebalance or replay, whose result is ignored).
pub(super) fn settle(sim: &mut Sim, t: u32, g: u16, p: u16, epoch: u32, ok: bool) {
    let Some(log) = log_mut(sim, t) else { return };
    let c = &mut log.groups[g as usize].cursors[p as usize];
    if !c.inflight || c.epoch != epoch {
        return;
    }
    c.inflight = false;
    processed(sim, t, g, p, ok);
    // The worker was freed (and offered the member's other partitions)
    // just before this answer: only this partition has news.
    fetch(sim, t, g, p);
}

/// The end of processing the offset just before the cursor's position.
fn processed(sim: &mut Sim, t: u32, g: u16, p: u16, ok: bool) {
    let now = sim.now;
    let Some(log) = log_mut(sim, t) else { return };
    let start = log.parts[p as usize].start;
    let grp = &mut log.groups[g as usize];
    let owner = grp.cursors[p as usize].owner;
    let commit = grp.members.get(owner as usize).map(|m| m.commit).unwrap_or_default();
    let ledger_link = grp.ledger_link();
    let c = &mut grp.cursors[p as usize];
    let offset = c.position.saturating_sub(1);
    let give_up = !ok && c.attempts + 1 >= defaults::LOG_ERROR_ATTEMPTS;
    if !ok && !give_up {
        // The consumer's error handler tries the same message again.
        c.attempts += 1;
        c.position = offset;
        sim.nodes[t as usize].metrics.bump("processing_errors");
        return;
    }
    let first_time = offset == c.acc;
    if first_time {
        c.acc += 1;
    }
    c.attempts = 0;
    c.done = c.position;
    let done = c.done;
    if commit == CommitMode::AfterProcessing {
        grp.commit(p, done, start, now);
    }
    if first_time {
        sim.ended(ledger_link, if ok { End::Delivered } else { End::Failed });
    }
    if give_up {
        sim.nodes[t as usize].metrics.bump("skipped_after_errors");
    }
    lag_changed(sim, t);
}

/// The member's node crashed with the message: it is gone with the process
/// (the offsets say what a new owner will read).
pub(super) fn lost(sim: &mut Sim, t: u32, g: u16, p: u16, epoch: u32) {
    if let Some(log) = log_mut(sim, t) {
        let c = &mut log.groups[g as usize].cursors[p as usize];
        if c.inflight && c.epoch == epoch {
            c.inflight = false;
        }
    }
}

/// A worker of `node` became free: read from the partitions its log
/// memberships own, in turn (no allocation: this runs per message).
pub(super) fn pull(sim: &mut Sim, node: u32) {
    let count = match &sim.nodes[node as usize].rt {
        KindRt::Worker(w) => w.logs.len(),
        _ => return,
    };
    for i in 0..count {
        let KindRt::Worker(w) = &sim.nodes[node as usize].rt else { return };
        let (t, g, m) = w.logs[i];
        // Start where the last pull stopped, so no partition starves.
        let (start, owned) = match log_mut(sim, t) {
            Some(log) => {
                let member = &mut log.groups[g as usize].members[m as usize];
                let n = member.owned.len();
                if n == 0 {
                    continue;
                }
                let k = member.next % n;
                member.next = member.next.wrapping_add(1);
                (k, n)
            }
            None => continue,
        };
        for j in 0..owned {
            if !matches!(&sim.nodes[node as usize].rt, KindRt::Worker(w) if w.has_free_worker()) {
                return;
            }
            let p = match log(sim, t) {
                Some(log) => log.groups[g as usize].members[m as usize].owned[(start + j) % owned],
                None => return,
            };
            fetch(sim, t, g, p);
        }
    }
}

/// Retention: messages older than `retention_ms` are deleted, read or not.
/// Kafka deletes whole segments (checked every five minutes); here each
/// message goes when its own time is up.
#[cold]
pub(super) fn expire(sim: &mut Sim, t: u32) {
    let now = sim.now;
    let Some(log) = log_mut(sim, t) else { return };
    let Some(r) = log.retention_us else { return };
    let cut = now.saturating_sub(r);
    let mut deleted = 0usize;
    let mut expired = 0u64;
    // Per group: (its ledger link, copies expired).
    let mut ends: Vec<(u32, u64)> = log.groups.iter().map(|g| (g.ledger_link(), 0)).collect();
    let mut next: Option<Micros> = None;
    for (p, part) in log.parts.iter_mut().enumerate() {
        let old = part.start;
        while part.entries.front().is_some_and(|e| e.appended <= cut) {
            part.entries.pop_front();
            part.start += 1;
            deleted += 1;
        }
        if part.start != old {
            for (g, end) in log.groups.iter_mut().zip(&mut ends) {
                let n = g.log_start_moved(p as u16, old, part.start, now);
                expired += n;
                end.1 += n;
            }
        }
        if let Some(e) = part.entries.front() {
            let at = e.appended.saturating_add(r);
            next = Some(next.map_or(at, |n| n.min(at)));
        }
    }
    log.expire_armed = next.is_some();
    sim.log_entries -= deleted;
    for (link, n) in ends {
        sim.ended_n(link, End::Expired, n);
    }
    if expired > 0 {
        *sim.nodes[t as usize].metrics.extra.entry("expired").or_insert(0) += expired;
    }
    if let Some(at) = next {
        // At most one sweep a millisecond: at 100,000 messages a second a
        // sweep per message would be most of the run's events.
        sim.schedule(at.max(now.after(RETENTION_SWEEP_US)), Ev::Broker(BrokerEv::LogExpire { topic: t }));
    }
    lag_changed(sim, t);
}

/// The finest grain of retention: messages are deleted at most this late.
const RETENTION_SWEEP_US: Micros = 1_000;

/// The topic's waiting level is the lag of all its groups together.
pub(super) fn lag_changed(sim: &mut Sim, t: u32) {
    let now = sim.now;
    let total: u64 = log(sim, t).map(|l| l.groups.iter().map(|g| g.lag.value).sum()).unwrap_or(0);
    sim.nodes[t as usize].metrics.waiting.set(now, total);
}

/// Closes every group's lag bucket `[start, now)` (the app's charts).
pub(super) fn close_buckets(sim: &mut Sim, start: Micros) {
    let now = sim.now;
    for i in 0..sim.log_topics.len() {
        let t = sim.log_topics[i];
        if let Some(log) = log_mut(sim, t) {
            for g in &mut log.groups {
                g.close_bucket(start, now);
            }
        }
    }
}

/// Messages in flight in the logs (for the audit): every group's copies
/// from its accounted offset to the log's end.
pub(super) fn live_copies(sim: &Sim) -> Result<u64, String> {
    let mut live = 0;
    for &t in &sim.log_topics {
        let Some(log) = log(sim, t) else { continue };
        for g in &log.groups {
            let mut lag = 0;
            for (p, c) in g.cursors.iter().enumerate() {
                let part = &log.parts[p];
                if c.acc > part.end() || c.committed > part.end() {
                    return Err(format!(
                        "log {}: group {} partition {p} past the log's end",
                        sim.nodes[t as usize].id, g.name
                    ));
                }
                if c.acc < part.start {
                    return Err(format!(
                        "log {}: group {} partition {p} lost track of deleted offsets",
                        sim.nodes[t as usize].id, g.name
                    ));
                }
                live += part.end() - c.acc;
                lag += part.end() - c.committed.max(part.start);
            }
            if lag != g.lag.value {
                return Err(format!(
                    "log {}: group {} lag {} but offsets say {lag}",
                    sim.nodes[t as usize].id, g.name, g.lag.value
                ));
            }
        }
    }
    Ok(live)
}
