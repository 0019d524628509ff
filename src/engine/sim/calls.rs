//! Synchronous calls (`http`, `grpc`, saga steps) and request-reply.
//!
//! A call is a sequence of attempts. Each attempt is one message in the
//! ledger and ends in exactly one state: delivered (ok answer), failed (error
//! answer), rejected (refused by the callee), timed out (the caller gave
//! up), dropped (a partition ate it) or lost (the caller crashed while
//! waiting). A callee that crashes takes the request with it without a
//! word: as MODEL.md says, the caller finds out by timing out, and a caller
//! without a timeout waits forever (which is the lesson).
//! The callee keeps working after a timeout; its answer then finds nobody
//! waiting and counts as wasted work.
//!
//! Around the attempts sit the link's circuit breaker (resilience4j, see
//! `links::breaker`) and its retry policy (AWS backoff and jitter, see
//! `links::retry`). An open breaker fails the attempt fast, without a message.

use super::event::Ev;
use super::jobs::{self, NewJob};
use super::model::*;
use super::tokens::TokenSpec;
use super::Sim;
use crate::engine::format::{defaults, NodeKind};
use crate::engine::kernel::clock::{ms_to_us, Micros, Time};
use crate::engine::kernel::slab::Key;
use crate::engine::links::retry::RetryPolicy;
use crate::engine::report::End;
use crate::engine::trace::HopKind;
use crate::engine::view::{TokenKind, TokenTone};

/// One crossing of `link`: a latency sample plus the latency between its
/// ends' regions, stretched by `slow` faults.
#[inline]
pub(super) fn latency(sim: &mut Sim, link: u32) -> Micros {
    let l = &mut sim.links[link as usize];
    let us = l.rng.sample_us(&l.latency);
    let us = match sim.regions.link_us.get(link as usize) {
        Some(&r) => us.saturating_add(r),
        None => us,
    };
    us.stretched(l.slow)
}

/// Starts a crossing of `link` at `depart` (a request or message going
/// out, or an answer coming back): when it arrives, and its token slot
/// (`key`: the key it carries, for colouring; NONE without one).
#[inline]
#[allow(clippy::too_many_arguments)]
pub(super) fn cross(
    sim: &mut Sim,
    link: u32,
    depart: Micros,
    backwards: bool,
    kind: TokenKind,
    tone: TokenTone,
    trace: u64,
    key: u32,
) -> (Micros, u32) {
    let ready = super::connections::ready_at(sim, link, depart, backwards);
    let arrive = ready.after(latency(sim, link));
    let token = sim.tokens.start(TokenSpec { link, depart, arrive, backwards, kind, tone, trace, key });
    (arrive, token)
}

/// Starts a new call from job `jk` over `link` (a new idempotency key).
pub(super) fn start(sim: &mut Sim, jk: Key, link: u32, compensating: bool) {
    let op = sim.new_op();
    let base = sim.links[link as usize].retry.base_ms;
    let Some(job) = sim.jobs.get_mut(jk) else {
        return;
    };
    job.call = CallState {
        link,
        attempts: 0,
        seq: job.call.seq,
        permit: None,
        prev_backoff_ms: base,
        accounted: false,
        op,
        compensating,
        last: None,
        pooled: false,
    };
    job.phase = Phase::Calling;
    attempt(sim, jk);
}

fn attempt(sim: &mut Sim, jk: Key) {
    let now = sim.now;
    let Some(job) = sim.jobs.get_mut(jk) else {
        return;
    };
    let link = job.call.link;
    let (trace, node) = (job.trace, job.node);
    job.call.attempts += 1;
    job.call.seq = job.call.seq.wrapping_add(1);
    job.call.accounted = false;
    let (attempts, seq) = (job.call.attempts, job.call.seq);
    let permit = match &mut sim.links[link as usize].breaker {
        None => None,
        Some(b) => match b.try_acquire(now) {
            Some(p) => Some(p),
            None => {
                // Open: fail fast, nothing leaves the caller.
                sim.hop(trace, HopKind::Reject, node, link, 1);
                if let Some(job) = sim.jobs.get_mut(jk) {
                    job.call.last = Some(Outcome::Rejected);
                    job.call.accounted = true;
                }
                failed(sim, jk);
                return;
            }
        },
    };
    if let Some(job) = sim.jobs.get_mut(jk) {
        job.call.permit = permit;
    }
    sim.sent(link);
    sim.hop(trace, HopKind::Send, node, link, attempts);
    let l = &sim.links[link as usize];
    let timeout = l.timeout_us;
    if l.partitioned > 0 {
        sim.ended(link, End::Dropped);
        if let Some(job) = sim.jobs.get_mut(jk) {
            job.call.accounted = true;
        }
        sim.hop(trace, HopKind::Drop, node, link, 0);
    } else if super::connections::acquire(sim, link, jk, seq) {
        dispatch(sim, jk, link, seq);
    }
    if let Some(t) = timeout {
        sim.schedule(now.after(t), Ev::CallTimeout { job: jk, seq });
    }
}

/// Attempt `seq` of `jk` leaves over `link` (at once, or when its pool
/// gives it a slot).
pub(super) fn dispatch(sim: &mut Sim, jk: Key, link: u32, seq: u32) {
    let Some(job) = sim.jobs.get(jk) else {
        return;
    };
    let (trace, trace_start, op, attempts, tag) = (job.trace, job.trace_start, job.call.op, job.call.attempts, job.tag);
    let to = sim.links[link as usize].to;
    let tone = if attempts > 1 { TokenTone::Retry } else { TokenTone::Pending };
    let origin = Origin::Call { caller: jk, seq, link };
    jobs::send(sim, link, NewJob { node: to, trace, trace_start, op, origin, reserved: false, tag }, tone);
}

/// Whether `caller` still waits for attempt `seq`.
fn waiting(sim: &Sim, caller: Key, seq: u32) -> Option<Phase> {
    sim.jobs
        .get(caller)
        .filter(|c| c.call.seq == seq && matches!(c.phase, Phase::Calling | Phase::Parked))
        .map(|c| c.phase)
}

/// The callee is done with attempt `seq` of `caller`: send the answer back.
pub(super) fn answer_caller(sim: &mut Sim, callee: &jobs::Done, caller: Key, seq: u32, link: u32, outcome: Outcome) {
    let Some(phase) = waiting(sim, caller, seq) else {
        if outcome != Outcome::Rejected {
            sim.nodes[callee.node as usize].metrics.wasted += 1;
        }
        let l = &sim.links[link as usize];
        if l.via == crate::engine::format::Via::RequestReply {
            // A reply after its caller stopped waiting: an orphan.
            sim.nodes[l.from as usize].metrics.bump("orphan_replies");
        }
        return;
    };
    if sim.links[link as usize].partitioned > 0 {
        mark_accounted(sim, caller, End::Dropped);
        sim.hop(callee.trace, HopKind::Drop, callee.node, link, 1);
        return;
    }
    let tone = if outcome == Outcome::Ok { TokenTone::Ok } else { TokenTone::Error };
    let (arrive, token) = cross(sim, link, sim.now, true, TokenKind::Response, tone, callee.trace, callee.tag.key());
    let ev = if phase == Phase::Parked {
        Ev::ReplyBack { job: caller, seq, outcome, token, from: sim.links[link as usize].from }
    } else {
        Ev::Reply { job: caller, seq, outcome, token }
    };
    sim.schedule(arrive, ev);
}

/// Counts the current attempt of `caller` in the ledger once.
fn mark_accounted(sim: &mut Sim, caller: Key, end: End) {
    if let Some(c) = sim.jobs.get_mut(caller) {
        if !c.call.accounted {
            c.call.accounted = true;
            let (link, pooled) = (c.call.link, c.call.pooled);
            c.call.pooled = false;
            sim.ended(link, end);
            if pooled {
                super::connections::release(sim, link);
            }
        }
    }
}

pub(super) fn reply(sim: &mut Sim, jk: Key, seq: u32, outcome: Outcome, token: u32) {
    sim.tokens.end(token);
    if waiting(sim, jk, seq) != Some(Phase::Calling) {
        return;
    }
    settle_attempt(sim, jk, outcome);
}

/// A request-reply answer reached a parked caller.
pub(super) fn reply_back(sim: &mut Sim, jk: Key, seq: u32, outcome: Outcome, token: u32, from: u32) {
    sim.tokens.end(token);
    match waiting(sim, jk, seq) {
        Some(Phase::Parked) => settle_attempt(sim, jk, outcome),
        // Nobody waits for this correlation id any more.
        _ => sim.nodes[from as usize].metrics.bump("orphan_replies"),
    }
}

fn settle_attempt(sim: &mut Sim, jk: Key, outcome: Outcome) {
    let now = sim.now;
    let end = match outcome {
        Outcome::Ok => End::Delivered,
        Outcome::Error => End::Failed,
        Outcome::Rejected => End::Rejected,
        Outcome::Timeout => End::TimedOut,
    };
    mark_accounted(sim, jk, end);
    let Some(job) = sim.jobs.get_mut(jk) else {
        return;
    };
    job.call.last = Some(outcome);
    let (link, permit) = (job.call.link, job.call.permit);
    if let (Some(b), Some(p)) = (&mut sim.links[link as usize].breaker, permit) {
        b.record(now, p, outcome != Outcome::Ok);
    }
    if outcome == Outcome::Ok {
        succeeded(sim, jk);
    } else {
        failed(sim, jk);
    }
}

pub(super) fn timeout(sim: &mut Sim, jk: Key, seq: u32) {
    if waiting(sim, jk, seq).is_none() {
        return;
    }
    let now = sim.now;
    mark_accounted(sim, jk, End::TimedOut);
    let Some(job) = sim.jobs.get_mut(jk) else {
        return;
    };
    job.call.last = Some(Outcome::Timeout);
    // A later answer to this attempt must find nobody waiting.
    job.call.seq = job.call.seq.wrapping_add(1);
    let (link, permit, trace, node) = (job.call.link, job.call.permit, job.trace, job.node);
    if let (Some(b), Some(p)) = (&mut sim.links[link as usize].breaker, permit) {
        b.record(now, p, true);
    }
    sim.hop(trace, HopKind::Timeout, node, link, 0);
    failed(sim, jk);
}

/// The attempt failed: retry after a backoff, or give up.
fn failed(sim: &mut Sim, jk: Key) {
    let now = sim.now;
    let Some(job) = sim.jobs.get(jk) else { return };
    let (link, attempts, prev, trace, node) =
        (job.call.link, job.call.attempts, job.call.prev_backoff_ms, job.trace, job.node);
    let parked = job.phase == Phase::Parked;
    let compensating = job.call.compensating;
    let l = &mut sim.links[link as usize];
    // A compensation is retried at least the documented number of times.
    let policy = if compensating && l.retry.attempts < defaults::COMPENSATION_ATTEMPTS {
        RetryPolicy { attempts: defaults::COMPENSATION_ATTEMPTS, ..RetryPolicy::from_spec(Some(&Default::default())) }
    } else {
        l.retry
    };
    if !parked && attempts < policy.attempts {
        let wait_ms = policy.backoff_ms(attempts - 1, prev, &mut l.rng);
        let Some(job) = sim.jobs.get_mut(jk) else {
            return;
        };
        job.call.prev_backoff_ms = wait_ms;
        job.phase = Phase::Backoff;
        let seq = job.call.seq;
        sim.hop(trace, HopKind::Retry, node, link, wait_ms.round() as u32);
        sim.schedule(now.after(ms_to_us(wait_ms)), Ev::Retry { job: jk, seq });
        return;
    }
    gave_up(sim, jk);
}

pub(super) fn retry(sim: &mut Sim, jk: Key, seq: u32) {
    let Some(job) = sim.jobs.get_mut(jk) else {
        return;
    };
    if job.phase != Phase::Backoff || job.call.seq != seq {
        return;
    }
    job.phase = Phase::Calling;
    attempt(sim, jk);
}

fn succeeded(sim: &mut Sim, jk: Key) {
    // Branches only exist once some link has a count.
    if !sim.fans.none() && super::fanout::is_branch(sim, jk) {
        super::fanout::branch_done(sim, jk, Outcome::Ok);
        return;
    }
    let Some(job) = sim.jobs.get_mut(jk) else {
        return;
    };
    job.phase = Phase::Working;
    if sim.nodes[job.node as usize].kind == NodeKind::Saga {
        super::sagas::step_done(sim, jk, true);
        return;
    }
    job.step += 1;
    jobs::continue_steps(sim, jk);
}

/// No attempt left: an optional link degrades the answer, a required one
/// fails it (with a timeout if that is how the last attempt ended).
fn gave_up(sim: &mut Sim, jk: Key) {
    let Some(job) = sim.jobs.get_mut(jk) else {
        return;
    };
    if let Origin::Branch { .. } = job.origin {
        let outcome = if job.call.last == Some(Outcome::Timeout) { Outcome::Timeout } else { Outcome::Error };
        super::fanout::branch_done(sim, jk, outcome);
        return;
    }
    job.phase = Phase::Working;
    if sim.nodes[job.node as usize].kind == NodeKind::Saga {
        super::sagas::step_done(sim, jk, false);
        return;
    }
    if sim.links[job.call.link as usize].optional {
        job.degraded = true;
        job.step += 1;
        jobs::continue_steps(sim, jk);
        return;
    }
    let outcome = if job.call.last == Some(Outcome::Timeout) { Outcome::Timeout } else { Outcome::Error };
    jobs::finish(sim, jk, outcome);
}

/// Request-reply: send the request (to a service, or into a queue with a
/// correlation id), release the worker, wait up to the link's timeout.
pub(super) fn start_request_reply(sim: &mut Sim, jk: Key, link: u32) {
    let op = sim.new_op();
    let now = sim.now;
    let Some(job) = sim.jobs.get_mut(jk) else {
        return;
    };
    job.call = CallState { link, attempts: 1, seq: job.call.seq.wrapping_add(1), op, ..CallState::default() };
    job.phase = Phase::Parked;
    let (seq, trace, trace_start, node, held, tag) =
        (job.call.seq, job.trace, job.trace_start, job.node, job.holds_worker, job.tag);
    job.holds_worker = false;
    if held {
        jobs::worker_freed(sim, node);
    }
    sim.hop(trace, HopKind::Send, node, link, 1);
    let l = &sim.links[link as usize];
    let (to, timeout) = (l.to, l.timeout_us.unwrap_or(u64::MAX / 4));
    sim.schedule(now.after(timeout), Ev::CallTimeout { job: jk, seq });
    if sim.nodes[to as usize].kind == NodeKind::Queue {
        // The queue's consumer answers through the correlation id.
        super::queues::send_request(sim, jk, link, op, (jk, seq));
        if let Some(j) = sim.jobs.get_mut(jk) {
            j.call.accounted = true;
        }
        return;
    }
    sim.sent(link);
    if sim.links[link as usize].partitioned > 0 {
        mark_accounted(sim, jk, End::Dropped);
        return;
    }
    let origin = Origin::Call { caller: jk, seq, link };
    let new = NewJob { node: to, trace, trace_start, op, origin, reserved: false, tag };
    jobs::send(sim, link, new, TokenTone::Pending);
}
