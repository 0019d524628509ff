//! Databases: a primary, read replicas fed by asynchronous replication,
//! and versions per key, to count stale reads.
//!
//! A database runs as a worker node (its `workers` are connections), with
//! its read replicas as a replica set (`db#2`...; the primary is `db#1`), so
//! queries queue, crash and time out as a service's requests do. What is
//! added here happens when a query's work is done:
//!
//! - A `write` commits the request's key at the primary with the request's
//!   version: its trace id, so a later request writes a newer version and
//!   every message the request causes (a projector's write to a read
//!   model) carries the same one. A key keeps its newest version (a
//!   version column: a late, older write does not undo a newer one). Each
//!   replica applies the commit `replication_lag_ms` later, in commit
//!   order (PostgreSQL streaming replication, MySQL's replica applier).
//! - A `read` returns the version its copy holds: the primary's, or what a
//!   replica has applied by now.
//!
//! Every key has a newest version committed anywhere in the scenario; a
//! read that returns an older one is stale, counted at the database and at
//! the reading node, with how long the returned version had been out of
//! date. The rule does not know why: a lagging replica, or a read model a
//! projector has not caught up with (CQRS).
//!
//! A request without a key reads and writes one shared record.

use super::model::*;
use super::Sim;
use crate::engine::format::database::{lag_of, read_replicas, ReadFrom};
use crate::engine::format::{Dist, NodeKind, Via};
use crate::engine::kernel::clock::{Micros, Time};
use crate::engine::kernel::rng::Stream;
use crate::engine::kernel::slab::Key;
use crate::engine::metrics::Latency;
use crate::engine::report::NodeReport;
use crate::engine::trace::HopKind;
use std::collections::{BTreeMap, VecDeque};

/// Versions of one key kept to tell how long a stale read was out of date.
const HISTORY: usize = 32;
/// The trace hop's detail: the key, and this bit on a stale read.
pub(crate) const STALE_BIT: u32 = 1 << 31;
/// How far up a chain of synchronous calls the reader's session is looked for.
const CHAIN: usize = 64;

/// The databases of a run (None in runs without one).
#[derive(Clone, Default)]
pub(super) struct Dbs {
    dbs: Vec<Db>,
    /// Per run node: (database, position in its members), or NONE.
    member_of: Vec<(u32, u32)>,
    /// Per key (NONE: the keyless record): the versions that were newest,
    /// oldest first, with when they were committed.
    newest: BTreeMap<u32, VecDeque<(u64, Micros)>>,
    /// Per scenario node: reads, writes and stale reads it made or served.
    counts: Vec<Counts>,
}

#[derive(Clone, Default)]
struct Counts {
    reads: u64,
    writes: u64,
    stale: u64,
    /// How long each stale read's version had been out of date.
    stale_age: Option<Box<Latency>>,
}

#[derive(Clone)]
struct Db {
    /// The scenario's node (the primary).
    node: u32,
    /// The primary, then the read replicas (run node indices).
    members: Vec<u32>,
    /// Its replica set in `sim.replicas`, if it has read replicas.
    set: Option<u32>,
    lag_rng: Stream,
    /// Picks the replica of each replica read.
    pick_rng: Stream,
    /// When each replica has applied everything committed so far.
    applied_until: Vec<Micros>,
    /// Per replica: since when it is down (a crash), None while up.
    down_since: Vec<Option<Micros>>,
    /// Commits so far: each commit's place in the primary's WAL.
    commits: u64,
    keys: BTreeMap<u32, KeyState>,
}

/// A commit not yet on every replica.
#[derive(Clone)]
struct Pending {
    version: u64,
    /// Its place in the primary's WAL (commit order across keys).
    seq: u64,
    /// Per replica, when it applies there ([`NOT_YET`] while that replica
    /// is down: it learns the time when it comes back and replays).
    at: Box<[Micros]>,
}

/// The apply time of a commit a crashed replica has not received.
const NOT_YET: Micros = Micros::MAX;

#[derive(Clone, Default)]
struct KeyState {
    /// The primary's version (0: never written).
    primary: u64,
    /// The version every replica has applied.
    base: u64,
    /// Commits not yet on every replica, in commit order (so each replica
    /// has applied a prefix).
    pending: VecDeque<Pending>,
    /// Sessions (root client) that wrote the key, and until when their
    /// reads go to the primary (`primary_after_write`).
    sessions: Vec<(u32, Micros)>,
}

impl KeyState {
    /// Drops commits that every replica has applied.
    fn settle(&mut self, now: Micros) {
        while let Some(p) = self.pending.front() {
            if p.at.iter().all(|t| *t <= now) {
                self.base = self.base.max(p.version);
                self.pending.pop_front();
            } else {
                break;
            }
        }
    }

    /// What replica `r` (0-based among the replicas) holds now.
    fn on_replica(&self, r: usize, now: Micros) -> u64 {
        let mut v = self.base;
        for p in &self.pending {
            match p.at.get(r) {
                Some(t) if *t <= now => v = v.max(p.version),
                _ => break,
            }
        }
        v
    }
}

/// Builds the databases of a run, after the replica sets.
pub(super) fn build(sim: &mut Sim) {
    let s = &sim.scenario;
    if !s.nodes.iter().any(|n| n.kind == NodeKind::Database) {
        return;
    }
    let mut dbs = Dbs {
        member_of: vec![(NONE, NONE); sim.nodes.len()],
        counts: vec![Counts::default(); s.nodes.len()],
        ..Dbs::default()
    };
    for (i, spec) in s.nodes.iter().enumerate().filter(|(_, n)| n.kind == NodeKind::Database) {
        let i = i as u32;
        let set = sim.replicas.sets.iter().position(|x| x.node == i).map(|p| p as u32);
        let members = match set {
            Some(k) => sim.replicas.sets[k as usize].members.clone(),
            None => vec![i],
        };
        let d = dbs.dbs.len() as u32;
        for (k, &m) in members.iter().enumerate() {
            dbs.member_of[m as usize] = (d, k as u32);
        }
        let replicas = read_replicas(spec).min(members.len() as u32 - 1) as usize;
        dbs.dbs.push(Db {
            node: i,
            members,
            set,
            lag_rng: Stream::new(s.seed, &format!("{}#replication", spec.id)),
            pick_rng: Stream::new(s.seed, &format!("{}#reads", spec.id)),
            applied_until: vec![0; replicas],
            down_since: vec![None; replicas],
            commits: 0,
            keys: BTreeMap::new(),
        });
    }
    sim.dbs = Some(Box::new(dbs));
}

/// The session a job belongs to: the client whose request started the
/// chain of synchronous calls it is part of (NONE past a queue or topic).
fn session(sim: &Sim, mut jk: Key) -> u32 {
    for _ in 0..CHAIN {
        let Some(j) = sim.jobs.get(jk) else { return NONE };
        match j.origin {
            Origin::Root => return j.node,
            Origin::Call { caller, .. } => jk = caller,
            _ => return NONE,
        }
    }
    NONE
}

/// The member of database node `node` a query over `link` goes to: the
/// primary, or for a read, a replica by its `read_from`.
#[inline(never)]
pub(super) fn route(sim: &mut Sim, link: u32, node: u32, origin: Origin) -> u32 {
    let l = &sim.links[link as usize];
    if l.via != Via::Read {
        return node;
    }
    let from = sim.current.links.get(link as usize).and_then(|x| x.read_from).unwrap_or_default();
    let Some(dbs) = sim.dbs.as_deref() else { return node };
    let Some(&(d, _)) = dbs.member_of.get(node as usize) else { return node };
    let Some(db) = dbs.dbs.get(d as usize) else { return node };
    let replicas = db.applied_until.len() as u64;
    if from == ReadFrom::Primary || replicas == 0 {
        return node;
    }
    if from == ReadFrom::PrimaryAfterWrite {
        let (caller, key) = match origin {
            Origin::Call { caller, .. } => (caller, sim.jobs.get(caller).map_or(NONE, |j| j.tag.key())),
            _ => return node,
        };
        let me = session(sim, caller);
        let now = sim.now;
        let pinned = me != NONE
            && db.keys.get(&key).is_some_and(|k| k.sessions.iter().any(|&(s, until)| s == me && now < until));
        if pinned {
            return node;
        }
    }
    // A replica at random (pgpool-II's load balancing with equal weights).
    let Some(db) = sim.dbs.as_deref_mut().and_then(|x| x.dbs.get_mut(d as usize)) else { return node };
    let k = 1 + db.pick_rng.below(replicas) as usize;
    let (set, member) = (db.set, db.members.get(k).copied().unwrap_or(node));
    if let Some(set) = set {
        if let Some(x) = sim.replicas.sets.get_mut(set as usize) {
            if let Some(o) = x.outstanding.get_mut(k) {
                *o += 1;
            }
        }
    }
    member
}

/// A query's work is done at database member `node`: commit the write or
/// answer the read.
#[inline(never)]
pub(super) fn served(sim: &mut Sim, jk: Key) {
    let now = sim.now;
    let Some(job) = sim.jobs.get(jk) else { return };
    let (node, trace, key) = (job.node, job.trace, job.tag.key());
    let Origin::Call { caller, link, .. } = job.origin else { return };
    let via = sim.links[link as usize].via;
    let reader = sim.links[link as usize].from;
    let me = if via == Via::Write { session(sim, caller) } else { NONE };
    let Some(&(d, pos)) = sim.dbs.as_deref().and_then(|x| x.member_of.get(node as usize)) else { return };
    let Some(db_node) = sim.dbs.as_deref().and_then(|x| x.dbs.get(d as usize)).map(|db| db.node) else { return };
    // The lag as the node is now (a change may have set another).
    let lag = sim.current.nodes.get(db_node as usize).map_or(Dist::Const(0.0), lag_of);
    let Some(dbs) = sim.dbs.as_deref_mut() else { return };
    match via {
        Via::Write => {
            commit(dbs, d, key, trace, me, now, &lag);
            bump(dbs, db_node, reader, |c| c.writes += 1);
            sim.hop(trace, HopKind::Write, node, link, key_detail(key));
        }
        Via::Read => {
            let db = &mut dbs.dbs[d as usize];
            let st = db.keys.get_mut(&key);
            let returned = match st {
                None => 0,
                Some(st) => {
                    st.settle(now);
                    if pos == 0 {
                        st.primary
                    } else {
                        st.on_replica(pos as usize - 1, now)
                    }
                }
            };
            let age = stale_age(dbs, key, returned, now);
            bump(dbs, db_node, reader, |c| {
                c.reads += 1;
                if let Some(age) = age {
                    c.stale += 1;
                    c.stale_age.get_or_insert_with(Box::default).record(age);
                }
            });
            let detail = key_detail(key) | if age.is_some() { STALE_BIT } else { 0 };
            sim.hop(trace, HopKind::Read, node, link, detail);
        }
        _ => {}
    }
}

fn key_detail(key: u32) -> u32 {
    if key == NONE {
        STALE_BIT - 1
    } else {
        key
    }
}

/// Counts at the database and at the node that made the query.
fn bump(dbs: &mut Dbs, db: u32, reader: u32, f: impl Fn(&mut Counts)) {
    for n in [db, reader] {
        if let Some(c) = dbs.counts.get_mut(n as usize) {
            f(c);
        }
    }
}

/// Commits version `v` of `key` at database `d`'s primary.
fn commit(dbs: &mut Dbs, d: u32, key: u32, v: u64, session: u32, now: Micros, lag: &Dist) {
    let db = &mut dbs.dbs[d as usize];
    let mut applies: Box<[Micros]> = vec![0; db.applied_until.len()].into_boxed_slice();
    for (r, until) in db.applied_until.iter_mut().enumerate() {
        if db.down_since.get(r).is_some_and(Option::is_some) {
            // A crashed replica receives nothing: it replays this commit
            // when it is back (`replica_up`).
            applies[r] = NOT_YET;
            continue;
        }
        let at = now.after(db.lag_rng.sample_us(lag)).max(*until);
        *until = at;
        applies[r] = at;
    }
    let everywhere = applies.iter().copied().max().unwrap_or(now);
    let seq = db.commits;
    db.commits += 1;
    let st = db.keys.entry(key).or_default();
    st.settle(now);
    st.primary = st.primary.max(v);
    if !applies.is_empty() {
        st.pending.push_back(Pending { version: v, seq, at: applies });
    }
    if session != NONE {
        match st.sessions.iter_mut().find(|(s, _)| *s == session) {
            Some(x) => x.1 = x.1.max(everywhere),
            None => st.sessions.push((session, everywhere)),
        }
        st.sessions.retain(|&(_, until)| until > now);
    }
    let h = dbs.newest.entry(key).or_default();
    if h.back().is_none_or(|&(top, _)| v > top) {
        h.push_back((v, now));
        if h.len() > HISTORY {
            h.pop_front();
        }
    }
}

/// The replica of run node `n`, as (database, 0-based replica), if `n` is
/// a database's read replica.
fn replica_of(sim: &Sim, n: u32) -> Option<(usize, usize)> {
    let &(d, pos) = sim.dbs.as_deref()?.member_of.get(n as usize)?;
    (d != NONE && pos != NONE && pos > 0).then_some((d as usize, pos as usize - 1))
}

/// Run node `n` went down (a crash). A read replica stops receiving the
/// primary's WAL: what it had not applied yet, and every commit until it
/// is back, waits for `replica_up`; so do the reads its writers pin to the
/// primary (read-your-writes).
pub(super) fn replica_down(sim: &mut Sim, n: u32) {
    let Some((d, r)) = replica_of(sim, n) else { return };
    let now = sim.now;
    let Some(db) = sim.dbs.as_deref_mut().and_then(|x| x.dbs.get_mut(d)) else { return };
    let Some(down) = db.down_since.get_mut(r) else { return };
    *down = Some(now);
    for st in db.keys.values_mut() {
        let mut missed = false;
        for p in st.pending.iter_mut() {
            if let Some(t) = p.at.get_mut(r).filter(|t| **t > now) {
                *t = NOT_YET;
                missed = true;
            }
        }
        if missed {
            for (_, until) in st.sessions.iter_mut().filter(|(_, until)| *until > now) {
                *until = NOT_YET;
            }
        }
    }
}

/// Run node `n` is back. A read replica reconnects to the primary and
/// streams the WAL from where it stopped (PostgreSQL's walreceiver resumes
/// at the last record it has): every commit it had not applied when it went
/// down, and every one made while it was down, in commit order, each
/// `replication_lag_ms` (a new sample) after now, as a commit made now
/// would be; a commit never overtakes an earlier one. Until then its
/// reads return what it had when it crashed: stale.
pub(super) fn replica_up(sim: &mut Sim, n: u32) {
    let Some((d, r)) = replica_of(sim, n) else { return };
    let now = sim.now;
    let Some(db_node) = sim.dbs.as_deref().and_then(|x| x.dbs.get(d)).map(|db| db.node) else { return };
    let lag = sim.current.nodes.get(db_node as usize).map_or(Dist::Const(0.0), lag_of);
    let Some(db) = sim.dbs.as_deref_mut().and_then(|x| x.dbs.get_mut(d)) else { return };
    if db.down_since.get_mut(r).and_then(Option::take).is_none() {
        return;
    }
    // The commits it missed, in WAL order, and their keys.
    let mut missed: Vec<(u64, u32, usize)> = Vec::new();
    let mut keys: Vec<u32> = Vec::new();
    for (&key, st) in &db.keys {
        let before = missed.len();
        for (i, p) in st.pending.iter().enumerate() {
            if p.at.get(r) == Some(&NOT_YET) {
                missed.push((p.seq, key, i));
            }
        }
        if missed.len() > before {
            keys.push(key);
        }
    }
    // Distinct tuples: the shared stable sort orders them as an unstable
    // one would, without a compiled copy of its own (engine::order).
    crate::engine::order::sort_by(&mut missed, |a, b| a.cmp(b));
    let mut until = now;
    for &(_, key, i) in &missed {
        let at = now.after(db.lag_rng.sample_us(&lag)).max(until);
        until = at;
        if let Some(slot) = db.keys.get_mut(&key).and_then(|st| st.pending.get_mut(i)).and_then(|p| p.at.get_mut(r)) {
            *slot = at;
        }
    }
    if let Some(u) = db.applied_until.get_mut(r) {
        *u = until;
    }
    // Writers pinned to the primary stay pinned until their write is on
    // every replica (NOT_YET while another is still down).
    for key in keys {
        let Some(st) = db.keys.get_mut(&key) else { continue };
        let everywhere = st.pending.back().map_or(now, |p| p.at.iter().copied().max().unwrap_or(now));
        for (_, until) in st.sessions.iter_mut().filter(|(_, until)| *until == NOT_YET) {
            *until = everywhere;
        }
    }
}

/// How long `returned` of `key` had been out of date, or None when it is
/// the newest version committed anywhere.
fn stale_age(dbs: &Dbs, key: u32, returned: u64, now: Micros) -> Option<Micros> {
    let h = dbs.newest.get(&key)?;
    let &(top, _) = h.back()?;
    if returned >= top {
        return None;
    }
    // The first version newer than the one returned made it stale (the
    // oldest kept one, if that was forgotten: a lower bound).
    let since = h.iter().find(|(v, _)| *v > returned).map_or(now, |x| x.1);
    Some(now.since(since))
}

/// Reads, writes and stale reads of scenario node `i`, into its report.
pub(super) fn fill_report(sim: &Sim, i: usize, node: &mut NodeReport) {
    let Some(dbs) = sim.dbs.as_deref() else { return };
    let Some(c) = dbs.counts.get(i) else { return };
    let is_db = sim.scenario.nodes[i].kind == NodeKind::Database;
    if c.reads == 0 && c.writes == 0 && !is_db {
        return;
    }
    node.extra.insert("reads".into(), c.reads as f64);
    node.extra.insert("writes".into(), c.writes as f64);
    node.extra.insert("stale_reads".into(), c.stale as f64);
    if let Some(age) = &c.stale_age {
        let p = age.percentiles();
        node.extra.insert("stale_age_mean_ms".into(), p.mean);
        node.extra.insert("stale_age_p99_ms".into(), p.p99);
        node.extra.insert("stale_age_max_ms".into(), p.max);
    }
}

/// Stale reads so far at scenario node `i` (the node card's figure).
pub(super) fn stale_reads(sim: &Sim, i: usize) -> Option<u64> {
    let c = sim.dbs.as_deref()?.counts.get(i)?;
    (c.reads > 0 || sim.scenario.nodes[i].kind == NodeKind::Database).then_some(c.stale)
}
