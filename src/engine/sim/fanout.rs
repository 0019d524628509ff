//! Fan-out: a link's `count` (see `format::fanout`). A request draws how
//! many calls or messages it makes over the link, then:
//!
//! - calls: the request (the *parent*) waits in `Phase::Gathering` while
//!   one *branch* job per call makes it with the link's whole machinery
//!   (timeout, retries, breaker, pool), all in parallel. A branch holds no
//!   worker and is no request of its node: it is the parent's call. When
//!   the last branch ends the parent goes on, or fails if any branch
//!   failed after its retries (a timeout if the first failure was one).
//! - messages and pushes: the send runs N times (pushes to N users).
//!
//! A link without a count never comes here: the run is the one it was
//! before the field existed, event for event.

use super::model::*;
use super::Sim;
use crate::engine::format::defaults::caps;
use crate::engine::format::{Dist, LinkSpec, NodeKind};
use crate::engine::kernel::rng::Stream;
use crate::engine::kernel::slab::Key;

/// A link's count and the stream its draws come from (apart from the
/// link's own, so latencies stay what they were: common random numbers).
#[derive(Clone)]
pub struct Fan {
    pub count: Dist,
    pub rng: Stream,
    /// Requests that reached the link (draws made), and the calls or
    /// messages they made over it: the report's fan-out per request.
    pub draws: u64,
    pub made: u64,
}

impl Fan {
    /// None when the link makes one call or message per request.
    pub fn from_spec(l: &LinkSpec, seed: u64) -> Option<Fan> {
        let count = l.count.filter(|d| !crate::engine::format::fanout::is_one(d))?;
        if !crate::engine::format::fanout::applies(l.via) {
            return None;
        }
        // Link ids have no ':', so this stream is nobody else's.
        Some(Fan { count, rng: Stream::new(seed, &format!("{}:count", l.id)), draws: 0, made: 0 })
    }
}

/// Each link's count, by link; empty when no link has one, so a scenario
/// without counts pays one emptiness check per step and nothing more.
#[derive(Clone, Default)]
pub(super) struct Fans(Vec<Option<Fan>>);

impl Fans {
    pub(super) fn build(s: &crate::engine::format::Scenario) -> Fans {
        let mut fans = Fans::default();
        for (l, spec) in s.links.iter().enumerate() {
            fans.set(l, s.links.len(), Fan::from_spec(spec, s.seed));
        }
        fans
    }

    /// Sets link `l`'s count (of `links` links).
    pub(super) fn set(&mut self, l: usize, links: usize, fan: Option<Fan>) {
        if fan.is_none() && self.0.get(l).is_none_or(Option::is_none) {
            return;
        }
        self.0.resize_with(links.max(self.0.len()), || None);
        self.0[l] = fan;
    }

    /// Link `l`'s count, if it has one.
    pub(super) fn get(&self, l: usize) -> Option<&Fan> {
        self.0.get(l).and_then(Option::as_ref)
    }

    /// No link has a count.
    #[inline(always)]
    pub(super) fn none(&self) -> bool {
        self.0.is_empty()
    }
}

/// How many calls or messages this request makes over `link`.
#[inline(never)]
fn draw(sim: &mut Sim, link: u32) -> u32 {
    match sim.fans.0.get_mut(link as usize).and_then(Option::as_mut) {
        None => 1,
        Some(f) => {
            let x = f.rng.sample_ms(&f.count);
            // NaN (never, after validation) reads as 0.
            let n = libm::round(x).clamp(0.0, caps::COUNT as f64) as u32;
            f.draws += 1;
            f.made += u64::from(n);
            n
        }
    }
}

/// Starts the call(s) of `link` from job `jk`.
#[inline(always)]
pub(super) fn start_calls(sim: &mut Sim, jk: Key, link: u32, compensating: bool) {
    if sim.fans.none() {
        super::calls::start(sim, jk, link, compensating);
    } else {
        start_counted_calls(sim, jk, link, compensating);
    }
}

#[cold]
#[inline(never)]
fn start_counted_calls(sim: &mut Sim, jk: Key, link: u32, compensating: bool) {
    let n = draw(sim, link);
    if n == 1 {
        super::calls::start(sim, jk, link, compensating);
        return;
    }
    let Some(job) = sim.jobs.get_mut(jk) else { return };
    job.phase = Phase::Gathering;
    job.call = CallState { link, attempts: n, seq: job.call.seq, compensating, ..CallState::default() };
    if n == 0 {
        // No call to make (a user with no followers): done at once.
        gathered(sim, jk);
        return;
    }
    let branch = Job {
        origin: Origin::Branch { parent: jk },
        phase: Phase::Working,
        holds_worker: false,
        reserved: false,
        call: CallState::default(),
        degraded: false,
        saga_failed_at: NONE,
        token: NONE,
        ..job.clone()
    };
    *sim.nodes[branch.node as usize].metrics.extra.entry("fan_out_calls").or_insert(0) += n as u64;
    for _ in 0..n {
        let b = sim.jobs.insert(branch.clone());
        // A branch may end at once (an open breaker); the parent only
        // goes on once the last one has.
        super::calls::start(sim, b, link, compensating);
    }
}

/// Whether the job is one call of a fan-out.
#[inline]
pub(super) fn is_branch(sim: &Sim, jk: Key) -> bool {
    sim.jobs.get(jk).is_some_and(|j| matches!(j.origin, Origin::Branch { .. }))
}

/// A branch's call ended for good (`outcome` Ok, or how it failed).
pub(super) fn branch_done(sim: &mut Sim, bk: Key, outcome: Outcome) {
    let Some(b) = sim.jobs.remove(bk) else { return };
    let Origin::Branch { parent } = b.origin else { return };
    let Some(p) = sim.jobs.get_mut(parent).filter(|p| p.phase == Phase::Gathering) else {
        // The parent died (a crash): nobody gathers.
        return;
    };
    p.call.attempts = p.call.attempts.saturating_sub(1);
    if outcome != Outcome::Ok && p.call.last.is_none() {
        p.call.last = Some(outcome);
    }
    if p.call.attempts == 0 {
        gathered(sim, parent);
    }
}

/// Every call of the fan-out ended: the parent goes on.
fn gathered(sim: &mut Sim, jk: Key) {
    let Some(job) = sim.jobs.get_mut(jk) else { return };
    job.phase = Phase::Working;
    let (node, link, failed) = (job.node, job.call.link, job.call.last);
    if sim.nodes[node as usize].kind == NodeKind::Saga {
        super::sagas::step_done(sim, jk, failed.is_none());
        return;
    }
    match failed {
        None => {
            job.step += 1;
            super::jobs::continue_steps(sim, jk);
        }
        Some(_) if sim.links[link as usize].optional => {
            job.degraded = true;
            job.step += 1;
            super::jobs::continue_steps(sim, jk);
        }
        Some(o) => {
            let outcome = if o == Outcome::Timeout { Outcome::Timeout } else { Outcome::Error };
            super::jobs::finish(sim, jk, outcome);
        }
    }
}

/// How many messages (or pushes) a request sends over `link`: one unless
/// the link has a count.
#[inline(always)]
pub(super) fn messages(sim: &mut Sim, link: u32) -> u32 {
    if sim.fans.none() {
        1
    } else {
        draw(sim, link)
    }
}
