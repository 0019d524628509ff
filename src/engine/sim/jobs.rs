//! A request at a node (a *job*): arrival, a worker or the backlog, the
//! node's own work, its outgoing steps in link order, then the answer to
//! whoever waits for it.
//!
//! Workers follow the thread-per-request model: a job keeps its worker
//! through its synchronous calls, so a slow dependency exhausts its callers.

use super::event::{BrokerEv, Ev};
use super::model::*;
use super::Sim;
use crate::engine::format::{NodeKind, Via};
use crate::engine::kernel::clock::{Micros, Time};
use crate::engine::kernel::slab::Key;
use crate::engine::report::End;
use crate::engine::trace::{HopKind, NO_LINK};
use crate::engine::view::{TokenKind, TokenTone};

/// What a new job is and where it came from.
pub(super) struct NewJob {
    pub node: u32,
    pub trace: u64,
    pub trace_start: Micros,
    pub op: u64,
    pub origin: Origin,
    pub reserved: bool,
    pub tag: Tag,
}

/// Creates a job travelling over `link` to its node; it arrives after the
/// link's latency.
pub(super) fn send(sim: &mut Sim, link: u32, new: NewJob, tone: TokenTone) -> Key {
    let kind = match new.origin {
        Origin::Call { .. } | Origin::Root | Origin::Branch { .. } => TokenKind::Request,
        Origin::Delivery { .. } | Origin::Copy { .. } | Origin::Log { .. } => TokenKind::Message,
    };
    let (arrive, token) = super::calls::cross(sim, link, sim.now, false, kind, tone, new.trace, new.tag.key());
    let node = match new.origin {
        Origin::Delivery { .. } => new.node,
        _ if sim.dbs.is_some() => super::databases::route(sim, link, new.node, new.origin),
        _ => super::replicas::pick(sim, link, new.node),
    };
    let job = sim.jobs.insert(Job {
        node,
        trace: new.trace,
        trace_start: new.trace_start,
        op: new.op,
        origin: new.origin,
        arrived: arrive,
        phase: Phase::Transit,
        step: 0,
        holds_worker: new.reserved,
        reserved: new.reserved,
        call: CallState::default(),
        degraded: false,
        saga_failed_at: NONE,
        token,
        tag: new.tag,
    });
    sim.schedule(arrive, Ev::JobArrive { job });
    job
}

pub(super) fn arrive(sim: &mut Sim, jk: Key) {
    let Some(job) = sim.jobs.get_mut(jk) else {
        return;
    };
    let (node, trace, reserved, token) = (job.node, job.trace, job.reserved, job.token);
    job.token = NONE;
    job.arrived = sim.now;
    sim.tokens.end(token);
    let link = match job.origin {
        Origin::Call { link, .. }
        | Origin::Delivery { link, .. }
        | Origin::Copy { link }
        | Origin::Log { link, .. } => link,
        Origin::Root | Origin::Branch { .. } => NO_LINK,
    };
    // A prefetched delivery without a worker waits in the consumer's own
    // buffer, whatever its backlog limit (RabbitMQ's client holds it).
    let buffered = !reserved && matches!(job.origin, Origin::Delivery { .. });
    sim.nodes[node as usize].metrics.arrivals += 1;
    sim.hop(trace, HopKind::Arrive, node, link, 0);
    if sim.nodes[node as usize].is_down() {
        reject(sim, jk);
        return;
    }
    let now = sim.now;
    let accepted = match &sim.nodes[node as usize].rt {
        KindRt::Worker(w) => reserved || w.busy < w.workers || (w.backlog.len() as u64) < w.backlog_cap || buffered,
        _ => {
            reject(sim, jk);
            return;
        }
    };
    if let (Origin::Copy { link }, true) = (job_origin(sim, jk), accepted) {
        // A pub/sub copy is delivered once the subscriber takes it.
        sim.ended(link, End::Delivered);
    }
    let n = &mut sim.nodes[node as usize];
    let KindRt::Worker(w) = &mut n.rt else {
        return;
    };
    if reserved {
        start_work(sim, jk);
    } else if w.busy < w.workers {
        w.busy += 1;
        n.metrics.busy.set(now, w.busy as u64);
        if let Some(j) = sim.jobs.get_mut(jk) {
            j.holds_worker = true;
        }
        start_work(sim, jk);
    } else if (w.backlog.len() as u64) < w.backlog_cap || buffered {
        w.backlog.push_back(jk);
        n.metrics.waiting.set(now, w.backlog.len() as u64);
        if let Some(j) = sim.jobs.get_mut(jk) {
            j.phase = Phase::Waiting;
        }
        sim.hop(trace, HopKind::Wait, node, NO_LINK, 0);
    } else {
        reject(sim, jk);
    }
}

fn job_origin(sim: &Sim, jk: Key) -> Origin {
    sim.jobs.get(jk).map(|j| j.origin).unwrap_or(Origin::Root)
}

/// Refused on arrival: a full backlog or a node that is down.
fn reject(sim: &mut Sim, jk: Key) {
    let Some(job) = sim.jobs.remove_with(jk, Done::of) else {
        return;
    };
    sim.nodes[job.node as usize].metrics.rejected += 1;
    super::replicas::released(sim, job.node, job.origin);
    sim.hop(job.trace, HopKind::Reject, job.node, NO_LINK, 0);
    if let Origin::Copy { link } = job.origin {
        // Counted delivered only once accepted; a refused copy is rejected.
        sim.ended(link, End::Rejected);
        return;
    }
    answer(sim, &job, Outcome::Rejected);
}

fn start_work(sim: &mut Sim, jk: Key) {
    let now = sim.now;
    let Some(job) = sim.jobs.get_mut(jk) else {
        return;
    };
    job.phase = Phase::Working;
    job.holds_worker = true;
    let (node, trace, arrived, tag) = (job.node, job.trace, job.arrived, job.tag);
    let n = &mut sim.nodes[node as usize];
    n.metrics.record_wait(now.since(arrived));
    let KindRt::Worker(w) = &n.rt else { return };
    if tag.poison() || w.job_timeout_us.is_some() {
        start_limited_work(sim, jk);
        return;
    }
    let work = n.rng.sample_us(&w.work).stretched(n.slow);
    sim.hop(trace, HopKind::Work, node, NO_LINK, 0);
    sim.schedule(now.after(work), Ev::WorkDone { job: jk });
}

/// Work that may never end (poison) or that a job timeout may kill.
#[cold]
fn start_limited_work(sim: &mut Sim, jk: Key) {
    let now = sim.now;
    let Some(job) = sim.jobs.get(jk) else { return };
    let (node, trace, tag, origin) = (job.node, job.trace, job.tag, job.origin);
    let limit = match &sim.nodes[node as usize].rt {
        KindRt::Worker(w) => w.job_timeout_us,
        _ => return,
    };
    sim.hop(trace, HopKind::Work, node, NO_LINK, 0);
    if tag.poison() && poison_runs_here(sim, origin) {
        // `while(true)`: the work never ends unless a job timeout kills it.
        if let Some(t) = limit {
            sim.schedule(now.after(t), Ev::Broker(BrokerEv::JobTimeout { job: jk }));
        }
        return;
    }
    let n = &mut sim.nodes[node as usize];
    let KindRt::Worker(w) = &n.rt else { return };
    let work = n.rng.sample_us(&w.work).stretched(n.slow);
    match limit {
        Some(t) if work > t => sim.schedule(now.after(t), Ev::Broker(BrokerEv::JobTimeout { job: jk })),
        _ => sim.schedule(now.after(work), Ev::WorkDone { job: jk }),
    }
}

/// Poison is harmless to read and pass on: it hangs whoever executes it.
/// The service a client calls directly only accepts the request (like
/// LeetCode's primary backend, which enqueues or forwards a submission);
/// every service behind it runs the work.
fn poison_runs_here(sim: &Sim, origin: Origin) -> bool {
    match origin {
        Origin::Call { link, .. } => sim.nodes[sim.links[link as usize].from as usize].kind != NodeKind::Client,
        Origin::Root => false,
        _ => true,
    }
}

/// The job's work ran into its node's `job_timeout_ms`: killed, failed.
#[cold]
pub(super) fn killed(sim: &mut Sim, jk: Key) {
    let Some(job) = sim.jobs.get(jk) else { return };
    if job.phase != Phase::Working {
        return;
    }
    let node = job.node;
    sim.nodes[node as usize].metrics.bump("job_timeouts");
    finish(sim, jk, Outcome::Error);
}

pub(super) fn work_done(sim: &mut Sim, jk: Key) {
    let Some(job) = sim.jobs.get(jk) else { return };
    let (node, op, tag) = (job.node, job.op, job.tag);
    let n = &mut sim.nodes[node as usize];
    let KindRt::Worker(w) = &mut n.rt else { return };
    let rate = n.error_override.unwrap_or(w.error_rate);
    if n.rng.chance(rate) {
        finish(sim, jk, Outcome::Error);
        return;
    }
    if let Some(order) = &mut w.order {
        if tag.key() != NONE {
            order.completed(tag);
        }
    }
    let idempotent = w.idempotent;
    if n.kind == NodeKind::Database {
        super::databases::served(sim, jk);
    }
    // The side effect happens here. A repeat of an id that already ran is
    // a duplicate unless the service is idempotent ("charged twice").
    if !super::dedup::remember(sim, node, op) {
        let m = &mut sim.nodes[node as usize].metrics;
        if idempotent {
            m.deduplicated += 1;
        } else {
            m.duplicates += 1;
            sim.ledger.duplicates += 1;
        }
    }
    super::outbox::commit_outbox(sim, jk);
    continue_steps(sim, jk);
}

/// Runs the job's remaining steps until one must wait, then answers.
pub(super) fn continue_steps(sim: &mut Sim, jk: Key) {
    loop {
        let Some(job) = sim.jobs.get(jk) else { return };
        let node = job.node as usize;
        if sim.nodes[node].kind == NodeKind::Saga {
            super::sagas::continue_saga(sim, jk);
            return;
        }
        let Some(&link) = sim.nodes[node].out.get(job.step as usize) else {
            finish(sim, jk, Outcome::Ok);
            return;
        };
        match sim.links[link as usize].via {
            Via::Http | Via::Grpc | Via::SagaStep | Via::Write | Via::Read => {
                super::fanout::start_calls(sim, jk, link, false);
                return;
            }
            Via::RequestReply => {
                super::calls::start_request_reply(sim, jk, link);
                return;
            }
            Via::Enqueue | Via::Publish => {
                for nth in 0..super::fanout::messages(sim, link) {
                    super::queues::send_from_job(sim, jk, link, nth);
                }
            }
            Via::Push | Via::Sse | Via::Poll => {
                for nth in 0..super::fanout::messages(sim, link) {
                    super::browsers::send_result(sim, jk, link, nth);
                }
            }
            Via::Consume | Via::Subscribe | Via::Bind => {}
        }
        if let Some(job) = sim.jobs.get_mut(jk) {
            job.step += 1;
        }
    }
}

/// The job is done at its node: free the worker, measure, answer.
pub(super) fn finish(sim: &mut Sim, jk: Key, outcome: Outcome) {
    let Some(job) = sim.jobs.remove_with(jk, Done::of) else {
        return;
    };
    let now = sim.now;
    let node = job.node;
    super::replicas::released(sim, node, job.origin);
    let ok = outcome == Outcome::Ok;
    if job.origin != Origin::Root {
        sim.nodes[node as usize].metrics.finish(now, job.arrived, ok);
        let kind = if ok { HopKind::Ok } else { HopKind::Error };
        sim.hop(job.trace, kind, node, NO_LINK, job.degraded as u32);
    }
    if job.holds_worker {
        worker_freed(sim, node);
    }
    answer(sim, &job, outcome);
}

/// What answering needs of a job that is done: read out of its slot as it
/// is freed, rather than the whole `Job` moved out (the move was a large
/// share of the loop's time).
pub(super) struct Done {
    pub node: u32,
    pub trace: u64,
    pub tag: Tag,
    pub arrived: Micros,
    pub origin: Origin,
    pub degraded: bool,
    pub holds_worker: bool,
}

impl Done {
    #[inline]
    fn of(job: &Job) -> Done {
        Done {
            node: job.node,
            trace: job.trace,
            tag: job.tag,
            arrived: job.arrived,
            origin: job.origin,
            degraded: job.degraded,
            holds_worker: job.holds_worker,
        }
    }
}

/// Tells whoever waits for `job` how it ended.
fn answer(sim: &mut Sim, job: &Done, outcome: Outcome) {
    let now = sim.now;
    match job.origin {
        Origin::Root => {
            let ok = outcome == Outcome::Ok;
            let mine = &mut sim.nodes[job.node as usize].metrics.requests;
            match outcome {
                Outcome::Ok => {
                    sim.requests.ok += 1;
                    mine.ok += 1;
                }
                Outcome::Timeout => {
                    sim.requests.timed_out += 1;
                    mine.timed_out += 1;
                }
                Outcome::Error | Outcome::Rejected => {
                    sim.requests.failed += 1;
                    mine.failed += 1;
                }
            }
            sim.nodes[job.node as usize].metrics.finish(now, job.arrived, ok);
            sim.hop(job.trace, HopKind::End, job.node, NO_LINK, outcome as u32);
        }
        Origin::Call { caller, seq, link } => super::calls::answer_caller(sim, job, caller, seq, link, outcome),
        // Few arms here keep this a pair of predictable branches rather than
        // a jump table: runs alternate between the two above all the time.
        other => answer_message(sim, other, outcome),
    }
}

/// The consumer of a queue delivery or a log message is done with it.
fn answer_message(sim: &mut Sim, origin: Origin, outcome: Outcome) {
    match origin {
        Origin::Delivery { msg, delivery, link } => {
            super::queues::settle(sim, msg, delivery, link, outcome);
            super::queues::delivery_ended(sim, link);
        }
        Origin::Log { topic, group, partition, epoch, .. } => {
            super::logs::settle(sim, topic, group, partition, epoch, outcome == Outcome::Ok)
        }
        Origin::Copy { .. } | Origin::Root | Origin::Call { .. } | Origin::Branch { .. } => {}
    }
}

/// A worker of `node` is free: the backlog first, then consumed queues.
pub(super) fn worker_freed(sim: &mut Sim, node: u32) {
    let now = sim.now;
    let n = &mut sim.nodes[node as usize];
    let KindRt::Worker(w) = &mut n.rt else { return };
    w.busy = w.busy.saturating_sub(1);
    // With fewer workers than before (a change), a freed worker may be
    // one too many: it takes nothing.
    let next = if w.busy < w.workers { w.backlog.pop_front() } else { None };
    if let Some(next) = next {
        w.busy += 1;
        n.metrics.waiting.set(now, w.backlog.len() as u64);
        start_work(sim, next);
        return;
    }
    n.metrics.busy.set(now, w.busy as u64);
    let logs = !w.logs.is_empty();
    super::queues::pull(sim, node);
    if logs {
        super::logs::pull(sim, node);
    }
}

/// More workers (a change): waiting requests start, then consumed queues
/// deliver to the new free workers.
pub(super) fn take_waiting(sim: &mut Sim, node: u32) {
    let now = sim.now;
    loop {
        let n = &mut sim.nodes[node as usize];
        let KindRt::Worker(w) = &mut n.rt else { return };
        if w.busy >= w.workers {
            break;
        }
        let Some(next) = w.backlog.pop_front() else {
            break;
        };
        w.busy += 1;
        n.metrics.waiting.set(now, w.backlog.len() as u64);
        n.metrics.busy.set(now, w.busy as u64);
        start_work(sim, next);
    }
    let queues: Vec<u32> = match &sim.nodes[node as usize].rt {
        KindRt::Worker(w) => w.consumes.iter().map(|c| c.0).collect(),
        _ => Vec::new(),
    };
    for q in queues {
        super::queues::dispatch(sim, q);
    }
}

/// A crash destroys the job: count it lost and tell its origin.
pub(super) fn lose(sim: &mut Sim, jk: Key) {
    let Some(job) = sim.jobs.remove(jk) else {
        return;
    };
    sim.tokens.end(job.token);
    super::replicas::released(sim, job.node, job.origin);
    let branch = matches!(job.origin, Origin::Branch { .. });
    if !branch {
        // A fan-out's call is its request's: the request counts as lost.
        sim.nodes[job.node as usize].metrics.lost += 1;
    }
    sim.hop(job.trace, HopKind::Lost, job.node, NO_LINK, 0);
    // Its own call in flight dies with it: the answer will find nobody.
    if matches!(job.phase, Phase::Calling | Phase::Parked) && !job.call.accounted {
        sim.ended(job.call.link, End::Lost);
    }
    if job.call.pooled {
        super::connections::release(sim, job.call.link);
    }
    // A caller waiting on this job hears nothing and times out; a queue
    // gets its unacked delivery back.
    match job.origin {
        Origin::Delivery { msg, delivery, link } => {
            super::queues::count_delivery(sim, link, End::Lost);
            super::queues::take_back(sim, msg, delivery);
            super::queues::delivery_ended(sim, link);
        }
        Origin::Log { topic, group, partition, epoch, .. } => super::logs::lost(sim, topic, group, partition, epoch),
        _ => {}
    }
    if !branch {
        super::sagas::job_lost(sim, &job);
    }
}
