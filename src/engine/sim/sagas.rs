//! Saga orchestration with compensation (Garcia-Molina and Salem's sagas,
//! as orchestrators like Temporal or AWS Step Functions run them).
//!
//! A saga's `saga_step` links run in order as synchronous calls. If step k
//! fails (after its retries), steps k-1..1 are compensated in reverse
//! order: a compensation is a call to the same service, retried until it
//! succeeds or its retries run out, and then the saga is `stuck` (a human
//! must look). Counts: committed, compensated, stuck; every saga is a trace.

use super::jobs;
use super::model::*;
use super::Sim;
use crate::engine::format::{NodeKind, Via};
use crate::engine::kernel::slab::Key;
use crate::engine::trace::HopKind;

fn is_step(via: Via) -> bool {
    matches!(via, Via::SagaStep | Via::Http | Via::Grpc)
}

/// Runs the saga's next forward step, or commits.
pub(super) fn continue_saga(sim: &mut Sim, jk: Key) {
    loop {
        let Some(job) = sim.jobs.get(jk) else { return };
        let node = job.node as usize;
        let Some(&link) = sim.nodes[node].out.get(job.step as usize) else {
            sim.nodes[node].metrics.bump("committed");
            jobs::finish(sim, jk, Outcome::Ok);
            return;
        };
        match sim.links[link as usize].via {
            v if is_step(v) => {
                super::fanout::start_calls(sim, jk, link, false);
                return;
            }
            Via::Enqueue | Via::Publish => {
                for nth in 0..super::fanout::messages(sim, link) {
                    super::queues::send_from_job(sim, jk, link, nth);
                }
            }
            _ => {}
        }
        if let Some(job) = sim.jobs.get_mut(jk) {
            job.step += 1;
        }
    }
}

/// A step (or a compensation) finished, for good.
pub(super) fn step_done(sim: &mut Sim, jk: Key, ok: bool) {
    let Some(job) = sim.jobs.get_mut(jk) else {
        return;
    };
    let node = job.node as usize;
    if !job.call.compensating {
        if ok {
            job.step += 1;
            continue_saga(sim, jk);
        } else {
            job.saga_failed_at = job.step;
            sim.nodes[node].metrics.bump("failed_steps");
            compensate_next(sim, jk);
        }
        return;
    }
    if ok {
        compensate_next(sim, jk);
    } else {
        sim.nodes[node].metrics.bump("stuck");
        jobs::finish(sim, jk, Outcome::Error);
    }
}

/// Undoes the previous step before `job.step`, or ends compensated.
fn compensate_next(sim: &mut Sim, jk: Key) {
    let Some(job) = sim.jobs.get(jk) else { return };
    let node = job.node as usize;
    let out = &sim.nodes[node].out;
    let prev = (0..job.step).rev().find(|&i| sim.links[out[i as usize] as usize].via == Via::SagaStep);
    let Some(i) = prev else {
        sim.nodes[node].metrics.bump("compensated");
        jobs::finish(sim, jk, Outcome::Error);
        return;
    };
    let link = out[i as usize];
    let trace = job.trace;
    if let Some(job) = sim.jobs.get_mut(jk) {
        job.step = i;
    }
    sim.nodes[node].metrics.bump("compensations");
    sim.hop(trace, HopKind::Compensate, node as u32, link, i + 1);
    super::fanout::start_calls(sim, jk, link, true);
}

/// An orchestrator that crashes mid-saga leaves it stuck (no durable log).
pub(super) fn job_lost(sim: &mut Sim, job: &Job) {
    if sim.nodes[job.node as usize].kind == NodeKind::Saga && job.phase != Phase::Transit && job.phase != Phase::Waiting
    {
        sim.nodes[job.node as usize].metrics.bump("stuck");
    }
}
