//! Clients: end users sending requests. Arrivals are Poisson (exponential
//! gaps) or evenly spaced; a schedule changes the rate at given times (a
//! spike, a ramp). Each request is a new trace and a job at the client that
//! runs the client's links in order, like a service with unlimited workers
//! and no work of its own.
//!
//! Arrival times keep fractions of a microsecond (see
//! [`after_exactly`]): several requests may start in one microsecond, so a
//! client delivers its rate even at a million a second.

use super::event::Ev;
use super::model::*;
use super::Sim;
use crate::engine::format::Arrival;
use crate::engine::kernel::clock::{after_exactly, Micros};
use crate::engine::trace::{HopKind, NO_LINK};

/// Arms a client's first arrival and its rate steps (no-op for other kinds).
pub(super) fn start(sim: &mut Sim, node: u32) {
    let KindRt::Client(c) = &sim.nodes[node as usize].rt else {
        return;
    };
    let steps: Vec<Micros> = c.schedule.iter().map(|s| s.0).collect();
    for (i, at) in steps.into_iter().enumerate() {
        sim.schedule(at, Ev::ClientRate { node, step: i as u32 });
    }
    arm(sim, node);
}

/// Forgets any pending arrival and schedules the next from now.
pub(super) fn arm(sim: &mut Sim, node: u32) {
    schedule_next(sim, node, 0);
}

/// Schedules the next arrival one gap after now plus `fraction` of a
/// microsecond (where the arrival that just happened really was).
fn schedule_next(sim: &mut Sim, node: u32, fraction: u32) {
    let (now, end) = (sim.now, sim.end);
    let n = &mut sim.nodes[node as usize];
    let down = n.is_down();
    let KindRt::Client(c) = &mut n.rt else { return };
    c.generation = c.generation.wrapping_add(1);
    let generation = c.generation;
    if down || c.rate_per_s <= 0.0 {
        return;
    }
    let mean_gap_us = c.mean_gap_us;
    let gap = match c.arrival {
        Arrival::Poisson => n.rng.exp(mean_gap_us),
        Arrival::Uniform => mean_gap_us,
    };
    let (at, fraction) = after_exactly(now, fraction, gap);
    c.fraction = fraction;
    // An arrival after the end would never run: it need not wait in memory.
    if at <= end {
        sim.schedule(at, Ev::ClientNext { node, generation });
    }
}

pub(super) fn next_arrival(sim: &mut Sim, node: u32, generation: u32) {
    let n = &sim.nodes[node as usize];
    let KindRt::Client(c) = &n.rt else { return };
    if c.generation != generation || n.is_down() {
        return;
    }
    let fraction = c.fraction;
    send_request(sim, node);
    schedule_next(sim, node, fraction);
}

pub(super) fn rate_step(sim: &mut Sim, node: u32, step: u32) {
    if let KindRt::Client(c) = &mut sim.nodes[node as usize].rt {
        if let Some(&(_, rate)) = c.schedule.get(step as usize) {
            c.set_rate(rate);
        }
    }
    arm(sim, node);
}

/// A new request: a trace and a job at the client, started at once.
fn send_request(sim: &mut Sim, node: u32) {
    sim.next_trace += 1;
    let trace = sim.next_trace;
    let op = sim.new_op();
    let now = sim.now;
    let tag = super::ordering::draw_tag(sim, node);
    sim.requests.started += 1;
    sim.nodes[node as usize].metrics.requests.started += 1;
    sim.nodes[node as usize].metrics.arrivals += 1;
    let job = sim.jobs.insert(Job {
        node,
        trace,
        trace_start: now,
        op,
        origin: Origin::Root,
        arrived: now,
        phase: Phase::Working,
        step: 0,
        holds_worker: false,
        reserved: false,
        call: CallState::default(),
        degraded: false,
        saga_failed_at: NONE,
        token: NONE,
        tag,
    });
    sim.hop(trace, HopKind::Start, node, NO_LINK, 0);
    super::jobs::continue_steps(sim, job);
}
