//! Kafka consumer groups: who reads which partition, and from which offset.
//!
//! The `subscribe` links of a log topic with the same `group` (by default
//! the link's own id) form a group; each link is a member. Partitions are
//! spread over the members that are up with Kafka's default range assignor
//! (members in link order, each taking a run of consecutive partitions, the
//! first ones one more when they do not divide evenly), so a group with
//! more members than partitions leaves members idle.
//!
//! Commits, per member (`commit`): `auto` commits the offset after the last
//! message processed every `commit_every_ms` (Kafka's default, 5 s), and
//! before a rebalance (the consumer's `onJoinPrepare`), so a crash replays
//! up to one interval of messages; `after_processing` commits after each
//! message (at least once: a crash replays the message in hand);
//! `before_processing` commits as it reads (at most once: the message in
//! hand when a member crashes is never processed).
//!
//! A crashed member keeps its partitions, unread, until its session times
//! out (`session_timeout_ms`, Kafka's 45 s); a member that comes back
//! rejoins at once. Either change starts an eager rebalance: the whole
//! group stops reading for `rebalance_ms`, then partitions are assigned
//! again and each new owner starts at the committed offset. A `replay`
//! fault rewinds a group to the oldest message retained.

use super::event::{BrokerEv, Ev};
use super::logs::{fetch, lag_changed, log_mut};
use super::model::*;
use super::Sim;
use crate::engine::format::{defaults, CommitMode};
use crate::engine::kernel::clock::{ms_to_us, Micros, Time};
use crate::engine::metrics::Level;
use crate::engine::report::End;

/// "No member owns this partition."
pub const NO_MEMBER: u16 = u16::MAX;

/// Where a group stands in one partition.
#[derive(Clone, Debug, Default)]
pub struct Cursor {
    pub owner: u16,
    /// The next offset the owner reads.
    pub position: u64,
    /// The committed offset: where a new owner starts.
    pub committed: u64,
    /// The offset after the last message the owner finished.
    pub done: u64,
    /// Offsets below this have ended in the ledger.
    pub acc: u64,
    pub inflight: bool,
    /// Bumped at each read: a late answer to an older read is ignored.
    pub epoch: u32,
    /// Failed attempts at the message in hand.
    pub attempts: u32,
}

pub struct Member {
    pub link: u32,
    pub node: u32,
    pub commit: CommitMode,
    pub commit_every_us: Micros,
    pub session_us: Micros,
    pub rebalance_us: Micros,
    /// In the group (left when its session timed out).
    pub in_group: bool,
    /// Its node is down.
    pub down: bool,
    /// Bumped when it goes down or comes back: stale session timers die.
    pub down_epoch: u32,
    /// Partitions it owns, ascending.
    pub owned: Vec<u16>,
    /// Where its next pull starts among `owned`.
    pub next: usize,
}

pub struct Group {
    pub name: String,
    pub members: Vec<Member>,
    pub cursors: Vec<Cursor>,
    /// In an eager rebalance: nobody reads.
    pub paused: bool,
    pub generation: u32,
    /// Log end minus committed offset, over all partitions (Kafka's lag).
    pub lag: Level,
    /// Mean lag per bucket, for the charts.
    pub series: Vec<f64>,
    bucket_integral: u128,
}

impl Group {
    /// The link a group's copies are counted on in the ledger (the links'
    /// rows add up to it): its first subscription, whichever member reads.
    pub fn ledger_link(&self) -> u32 {
        self.members.first().map_or(NONE, |m| m.link)
    }

    pub fn lag_add(&mut self, now: Micros, delta: i64) {
        self.lag.add(now, delta);
    }

    /// Commits `offset` for partition `p` (whose log starts at `start`).
    pub fn commit(&mut self, p: u16, offset: u64, start: u64, now: Micros) {
        let c = &mut self.cursors[p as usize];
        let before = c.committed.max(start);
        c.committed = offset;
        let after = offset.max(start);
        self.lag.add(now, before as i64 - after as i64);
    }

    /// Retention moved partition `p`'s log start from `old` to `new`: the
    /// group's offsets not yet ended below it have expired (returned), and
    /// the lag no longer counts what is gone.
    pub fn log_start_moved(&mut self, p: u16, old: u64, new: u64, now: Micros) -> u64 {
        let c = &mut self.cursors[p as usize];
        let expired = new.saturating_sub(c.acc);
        c.acc = c.acc.max(new);
        let (before, after) = (c.committed.max(old), c.committed.max(new));
        self.lag.add(now, before as i64 - after as i64);
        expired
    }

    pub fn close_bucket(&mut self, start: Micros, now: Micros) {
        let integral = self.lag.integral_at(now);
        let width = now.saturating_sub(start).max(1);
        self.series.push((integral - self.bucket_integral) as f64 / width as f64);
        self.bucket_integral = integral;
    }
}

/// The groups of log topic `t`, with `partitions` cursors each.
pub(super) fn form(sim: &mut Sim, t: u32, partitions: u32) -> Vec<Group> {
    let topic = sim.scenario.nodes[t as usize].id.clone();
    crate::engine::format::groups::consumer_groups(&sim.scenario, &topic)
        .into_iter()
        .map(|(name, links)| Group {
            name,
            members: links.into_iter().map(|i| member(sim, i as u32)).collect(),
            cursors: (0..partitions).map(|_| Cursor { owner: NO_MEMBER, ..Cursor::default() }).collect(),
            paused: false,
            generation: 0,
            lag: Level::default(),
            series: Vec::new(),
            bucket_integral: 0,
        })
        .collect()
}

fn member(sim: &Sim, link: u32) -> Member {
    let spec = &sim.scenario.links[link as usize];
    Member {
        link,
        node: sim.links[link as usize].to,
        commit: spec.commit.unwrap_or_default(),
        commit_every_us: ms_to_us(spec.commit_every_ms.unwrap_or(defaults::COMMIT_EVERY_MS)).max(1),
        session_us: ms_to_us(spec.session_timeout_ms.unwrap_or(defaults::SESSION_TIMEOUT_MS)),
        rebalance_us: ms_to_us(spec.rebalance_ms.unwrap_or(defaults::REBALANCE_MS)),
        in_group: true,
        down: false,
        down_epoch: 0,
        owned: Vec::new(),
        next: 0,
    }
}

/// At the start: tell member nodes what they consume, assign partitions,
/// start the auto-commit timers.
pub(super) fn start(sim: &mut Sim, t: u32) {
    let Some(log) = log_mut(sim, t) else { return };
    let mut members: Vec<(u16, u16, u32, Option<Micros>)> = Vec::new();
    for (g, grp) in log.groups.iter_mut().enumerate() {
        assign(grp);
        for (m, member) in grp.members.iter().enumerate() {
            let auto = (member.commit == CommitMode::Auto).then_some(member.commit_every_us);
            members.push((g as u16, m as u16, member.node, auto));
        }
    }
    for (g, m, node, auto) in members {
        if let KindRt::Worker(w) = &mut sim.nodes[node as usize].rt {
            w.logs.push((t, g, m));
        }
        if let Some(every) = auto {
            if every <= sim.end {
                sim.schedule(every, Ev::Broker(BrokerEv::AutoCommit { topic: t, group: g, member: m }));
            }
        }
    }
}

/// Kafka's range assignor over the members that are in the group and up.
fn assign(grp: &mut Group) {
    let live: Vec<u16> = (0..grp.members.len() as u16)
        .filter(|m| grp.members[*m as usize].in_group && !grp.members[*m as usize].down)
        .collect();
    for m in &mut grp.members {
        m.owned.clear();
        m.next = 0;
    }
    let parts = grp.cursors.len();
    for c in &mut grp.cursors {
        c.owner = NO_MEMBER;
    }
    if live.is_empty() {
        return;
    }
    let (per, extra) = (parts / live.len(), parts % live.len());
    let mut p = 0;
    for (i, m) in live.iter().enumerate() {
        let take = per + usize::from(i < extra);
        for _ in 0..take {
            grp.cursors[p].owner = *m;
            grp.members[*m as usize].owned.push(p as u16);
            p += 1;
        }
    }
}

/// Every membership of `node` in a log: (topic, group, member).
fn memberships(sim: &Sim, node: u32) -> Vec<(u32, u16, u16)> {
    let mut out = Vec::new();
    for &t in &sim.log_topics {
        let Some(log) = super::logs::log(sim, t) else { continue };
        for (g, grp) in log.groups.iter().enumerate() {
            for (m, member) in grp.members.iter().enumerate() {
                if member.node == node {
                    out.push((t, g as u16, m as u16));
                }
            }
        }
    }
    out
}

/// A member's node crashed: its partitions wait for its session to end.
#[cold]
pub(super) fn member_down(sim: &mut Sim, node: u32) {
    let now = sim.now;
    for (t, g, m) in memberships(sim, node) {
        let Some(log) = log_mut(sim, t) else { continue };
        let grp = &mut log.groups[g as usize];
        let member = &mut grp.members[m as usize];
        member.down = true;
        member.down_epoch = member.down_epoch.wrapping_add(1);
        let (epoch, at) = (member.down_epoch, now.saturating_add(member.session_us));
        // What the process read and finished but did not commit is gone with it.
        for &p in &member.owned {
            let c = &mut grp.cursors[p as usize];
            c.position = c.committed;
            c.done = c.committed;
            c.attempts = 0;
        }
        sim.schedule(at, Ev::Broker(BrokerEv::SessionTimeout { topic: t, group: g, member: m, epoch }));
    }
}

/// A member's node is back: it rejoins its group, which rebalances.
#[cold]
pub(super) fn member_up(sim: &mut Sim, node: u32) {
    for (t, g, m) in memberships(sim, node) {
        let Some(log) = log_mut(sim, t) else { continue };
        let member = &mut log.groups[g as usize].members[m as usize];
        member.down = false;
        member.down_epoch = member.down_epoch.wrapping_add(1);
        member.in_group = true;
        rebalance(sim, t, g);
    }
}

#[cold]
pub(super) fn session_timeout(sim: &mut Sim, t: u32, g: u16, m: u16, epoch: u32) {
    let Some(log) = log_mut(sim, t) else { return };
    let Some(member) = log.groups.get_mut(g as usize).and_then(|grp| grp.members.get_mut(m as usize)) else {
        return;
    };
    if !member.down || member.down_epoch != epoch || !member.in_group {
        return;
    }
    member.in_group = false;
    sim.nodes[t as usize].metrics.bump("session_timeouts");
    rebalance(sim, t, g);
}

/// An eager rebalance starts: members that can commit do (auto commit
/// commits before it rejoins), and nobody reads until it ends.
fn rebalance(sim: &mut Sim, t: u32, g: u16) {
    let now = sim.now;
    let Some(log) = log_mut(sim, t) else { return };
    let starts: Vec<u64> = log.parts.iter().map(|p| p.start).collect();
    let grp = &mut log.groups[g as usize];
    grp.generation = grp.generation.wrapping_add(1);
    grp.paused = true;
    for (p, &start) in starts.iter().enumerate() {
        let owner = grp.cursors[p].owner;
        let auto = grp.members.get(owner as usize).is_some_and(|m| !m.down && m.commit == CommitMode::Auto);
        if auto {
            let done = grp.cursors[p].done;
            grp.commit(p as u16, done, start, now);
        }
    }
    let pause = grp
        .members
        .iter()
        .filter(|m| m.in_group && !m.down)
        .map(|m| m.rebalance_us)
        .max()
        .unwrap_or_else(|| ms_to_us(defaults::REBALANCE_MS));
    let generation = grp.generation;
    sim.nodes[t as usize].metrics.bump("rebalances");
    sim.schedule(now.saturating_add(pause), Ev::Broker(BrokerEv::RebalanceEnd { topic: t, group: g, generation }));
    lag_changed(sim, t);
}

/// The rebalance is over: partitions are assigned again and every owner
/// starts at the committed offset. Offsets committed but never processed
/// (an at-most-once member that crashed with them) are lost.
#[cold]
pub(super) fn rebalance_end(sim: &mut Sim, t: u32, g: u16, generation: u32) {
    let Some(log) = log_mut(sim, t) else { return };
    let starts: Vec<u64> = log.parts.iter().map(|p| p.start).collect();
    let grp = &mut log.groups[g as usize];
    if grp.generation != generation || !grp.paused {
        return;
    }
    grp.paused = false;
    assign(grp);
    let ledger_link = grp.ledger_link();
    let mut lost = 0;
    for (p, c) in grp.cursors.iter_mut().enumerate() {
        if c.inflight {
            // Still being processed by its old owner: that answer is stale now.
            c.inflight = false;
            c.epoch = c.epoch.wrapping_add(1);
        }
        if c.committed > c.acc {
            lost += c.committed - c.acc;
            c.acc = c.committed;
        }
        c.position = c.committed.max(starts[p]);
        c.done = c.position;
        c.attempts = 0;
    }
    sim.ended_n(ledger_link, End::Lost, lost);
    if lost > 0 {
        *sim.nodes[t as usize].metrics.extra.entry("lost_at_most_once").or_insert(0) += lost;
    }
    for p in 0..starts.len() {
        fetch(sim, t, g, p as u16);
    }
}

#[cold]
pub(super) fn auto_commit(sim: &mut Sim, t: u32, g: u16, m: u16) {
    let now = sim.now;
    let end = sim.end;
    let Some(log) = log_mut(sim, t) else { return };
    let starts: Vec<u64> = log.parts.iter().map(|p| p.start).collect();
    let grp = &mut log.groups[g as usize];
    let member = &grp.members[m as usize];
    let every = member.commit_every_us;
    if !member.down && member.in_group && !grp.paused {
        for p in member.owned.clone() {
            let done = grp.cursors[p as usize].done;
            grp.commit(p, done, starts[p as usize], now);
        }
    }
    if now.saturating_add(every) <= end {
        sim.schedule(now.after(every), Ev::Broker(BrokerEv::AutoCommit { topic: t, group: g, member: m }));
    }
    lag_changed(sim, t);
}

/// A `replay` fault on subscribe link `link`: its group rewinds every
/// partition to the oldest message retained.
#[cold]
pub(super) fn replay(sim: &mut Sim, link: u32) {
    let now = sim.now;
    let t = sim.links[link as usize].from;
    let Some(log) = log_mut(sim, t) else { return };
    let Some(g) = log.groups.iter().position(|grp| grp.members.iter().any(|m| m.link == link)) else { return };
    let starts: Vec<u64> = log.parts.iter().map(|p| p.start).collect();
    let grp = &mut log.groups[g];
    for (p, &start) in starts.iter().enumerate() {
        let c = &mut grp.cursors[p];
        if c.inflight {
            c.inflight = false;
            c.epoch = c.epoch.wrapping_add(1);
        }
        c.position = start;
        c.done = start;
        c.attempts = 0;
        grp.commit(p as u16, start, start, now);
    }
    sim.nodes[t as usize].metrics.bump("replays");
    lag_changed(sim, t);
    for p in 0..starts.len() {
        fetch(sim, t, g as u16, p as u16);
    }
}
