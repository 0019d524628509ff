//! Timed actions: the scenario's faults and scheduled changes, and the same
//! actions made live (Crash now, Recover, a field edited while running).
//!
//! One path for both: a live action is written into the run's scenario at
//! [`Sim::live_at_us`] and scheduled by the very calls `build` uses for the
//! scenario's own entries. Timed actions wait in their own map, keyed by
//! (time, order), and run before any other event of their instant, in an
//! order fixed by their place in the scenario (fault starts and ends by
//! fault, then changes by position), never by when they were scheduled. So
//! a run with a live crash at 20.8 s and the scenario that records it replay
//! the same events in the same order: the same hash.
//!
//! Changes apply to the node's or link's spec (`Sim::current`), and the
//! runtime takes the new value from there: work in progress keeps what it
//! started with (a request already working keeps its work time, fewer
//! workers let running jobs finish, a call already sent keeps its timeout),
//! everything after uses the new value.

use super::build::{fault_fits, kind_rt, link_rt, queue_rt};
use super::event::Ev;
use super::faults::resolve;
use super::model::*;
use super::Sim;
use crate::engine::format::changes;
use crate::engine::format::validate::{validate, Place, Severity};
use crate::engine::format::{ChangeSpec, FaultSpec, Scenario, Via};
use crate::engine::kernel::clock::{ms_to_us, us_to_ms, Micros};
use crate::engine::links::breaker::{Breaker, BreakerConfig};

/// Changes come after every fault event of their instant.
const CHANGE_ORDER: u64 = 1 << 40;

/// The timed actions waiting, by (time, order). A few thousand at most,
/// kept sorted latest first so the next one pops off the end (a plain
/// vector: far less code in the browser bundle than another ordered map).
#[derive(Clone, Default)]
pub(super) struct Agenda {
    items: Vec<(Micros, u64, Ev)>,
}

impl Agenda {
    pub(super) fn insert(&mut self, at: Micros, order: u64, ev: Ev) {
        let i = self.items.partition_point(|&(t, o, _)| (t, o) > (at, order));
        self.items.insert(i, (at, order, ev));
    }

    pub(super) fn remove(&mut self, at: Micros, order: u64) {
        self.items.retain(|&(t, o, _)| (t, o) != (at, order));
    }

    pub(super) fn next_time(&self) -> Option<Micros> {
        self.items.last().map(|x| x.0)
    }

    pub(super) fn pop(&mut self) -> Option<(Micros, Ev)> {
        self.items.pop().map(|(t, _, ev)| (t, ev))
    }
}

fn start_key(fault: u32) -> u64 {
    2 * fault as u64
}

fn end_key(fault: u32) -> u64 {
    2 * fault as u64 + 1
}

/// Registers fault `spec` (the next of `sim.faults`) and schedules its
/// start and end. A target that does not resolve (validation refuses it)
/// becomes a placeholder that never starts, so indices stay aligned.
pub(super) fn add_fault(sim: &mut Sim, spec: &FaultSpec) -> u32 {
    let i = sim.faults.len() as u32;
    let start_at = ms_to_us(spec.at_ms);
    let end_at = spec.for_ms.map(|len| start_at.saturating_add(ms_to_us(len)));
    let target = resolve(sim, &spec.target);
    let fits = target.is_some_and(|t| fault_fits(spec.kind, t));
    sim.faults.push(FaultRt {
        target: target.unwrap_or(Target::Node(NONE)),
        kind: spec.kind,
        factor: spec.factor.unwrap_or(1.0),
        rate: spec.rate.unwrap_or(0.0),
        active: false,
        cancelled: !fits,
        start_at,
        end_at,
    });
    if fits {
        sim.timed.insert(start_at, start_key(i), Ev::FaultStart { fault: i });
        if let Some(end) = end_at {
            sim.timed.insert(end, end_key(i), Ev::FaultEnd { fault: i });
        }
    }
    i
}

/// Schedules `scenario.changes[i]`.
pub(super) fn add_change(sim: &mut Sim, i: usize) {
    if let Some(c) = sim.scenario.changes.get(i) {
        let at = ms_to_us(c.at_ms);
        sim.timed.insert(at, CHANGE_ORDER + i as u64, Ev::Change { change: i as u32 });
    }
}

/// The first error `candidate` has about `place`, if any.
fn refusal(candidate: &Scenario, place: &Place) -> Option<String> {
    // Without the position ("fault #3: "): the action is not in a list yet.
    validate(candidate).into_iter().find(|p| p.severity == Severity::Error && p.place == *place).map(|p| {
        match (&p.place, p.field.as_deref()) {
            // A change's message names its node or link and field already.
            (Place::Change(_), _) | (_, None) => p.message,
            (_, Some(field)) => format!("{field}: {}", p.message),
        }
    })
}

pub(super) fn fault_now(sim: &mut Sim, mut spec: FaultSpec) -> Result<FaultSpec, String> {
    let at = sim.live_at_us();
    spec.at_ms = us_to_ms(at);
    let mut candidate = sim.scenario.clone();
    candidate.faults.push(spec.clone());
    if let Some(why) = refusal(&candidate, &Place::Fault(sim.scenario.faults.len())) {
        return Err(why);
    }
    if at >= sim.end {
        return Err("the run is over".into());
    }
    sim.scenario.faults.push(spec.clone());
    add_fault(sim, &spec);
    sim.advance_to(at, u64::MAX);
    Ok(spec)
}

pub(super) fn end_fault_now(sim: &mut Sim, index: usize) -> Result<FaultSpec, String> {
    let at = sim.live_at_us();
    let Some(f) = sim.faults.get(index) else {
        return Err(format!("no fault #{}", index + 1));
    };
    if !f.active {
        return Err(format!("fault #{} is not active", index + 1));
    }
    let (start, old_end, i) = (f.start_at, f.end_at, index as u32);
    if let Some(e) = old_end {
        sim.timed.remove(e, end_key(i));
    }
    sim.faults[index].end_at = Some(at);
    sim.timed.insert(at, end_key(i), Ev::FaultEnd { fault: i });
    let spec = &mut sim.scenario.faults[index];
    spec.for_ms = Some(us_to_ms(at - start));
    let spec = spec.clone();
    sim.advance_to(at, u64::MAX);
    Ok(spec)
}

pub(super) fn change_now(
    sim: &mut Sim,
    target: &str,
    field: &str,
    value: serde_json::Value,
) -> Result<ChangeSpec, String> {
    let at = sim.live_at_us();
    let c = ChangeSpec { at_ms: us_to_ms(at), target: target.to_string(), field: field.to_string(), value };
    let i = sim.scenario.changes.len();
    let mut candidate = sim.scenario.clone();
    candidate.changes.push(c.clone());
    if let Some(why) = refusal(&candidate, &Place::Change(i)) {
        return Err(why);
    }
    if at >= sim.end {
        return Err("the run is over".into());
    }
    sim.scenario.changes.push(c.clone());
    add_change(sim, i);
    sim.advance_to(at, u64::MAX);
    Ok(c)
}

pub(super) fn active_faults(sim: &Sim, target: &str) -> Vec<usize> {
    let Some(t) = resolve(sim, target) else {
        return Vec::new();
    };
    sim.faults.iter().enumerate().filter(|(_, f)| f.active && f.target == t).map(|(i, _)| i).collect()
}

/// A scheduled change takes effect.
pub(super) fn apply_change(sim: &mut Sim, i: u32) {
    let Some(c) = sim.scenario.changes.get(i as usize).cloned() else {
        return;
    };
    if changes::apply(&mut sim.current, &c.target, &c.field, &c.value).is_err() {
        return; // Validation refuses such a change; nothing to do.
    }
    let top = c.field.split('.').next().unwrap_or("");
    match resolve(sim, &c.target) {
        Some(Target::Node(n)) => node_changed(sim, n, top),
        Some(Target::Link(l)) => link_changed(sim, l, top),
        Some(Target::Replica(_) | Target::Region(_)) | None => {}
    }
}

fn node_changed(sim: &mut Sim, n: u32, field: &str) {
    let spec = sim.current.nodes[n as usize].clone();
    let dead_letter = spec
        .dead_letter
        .as_deref()
        .and_then(|d| sim.current.nodes.iter().position(|x| x.id == d))
        .map_or(NONE, |i| i as u32);
    // A replicated service's replicas all take the new settings.
    for m in super::replicas::members_or_self(sim, n) {
        apply_node_rt(sim, m, &spec, kind_rt(&spec, dead_letter, sim.scenario.seed), field);
    }
}

/// Run node `n` (a scenario node or one of its replicas) takes `spec`'s settings.
fn apply_node_rt(sim: &mut Sim, n: u32, spec: &crate::engine::format::NodeSpec, fresh: KindRt, field: &str) {
    match (&mut sim.nodes[n as usize].rt, fresh) {
        (KindRt::Client(c), KindRt::Client(f)) => {
            c.set_rate(f.rate_per_s);
            c.arrival = f.arrival;
            super::clients::arm(sim, n);
        }
        (KindRt::Worker(w), KindRt::Worker(f)) => {
            let more = f.workers > w.workers;
            w.workers = f.workers;
            w.backlog_cap = f.backlog_cap;
            w.work = f.work;
            w.error_rate = f.error_rate;
            w.idempotent = f.idempotent;
            w.job_timeout_us = f.job_timeout_us;
            if more {
                super::jobs::take_waiting(sim, n);
            }
            if field == "reconnect_ms" {
                super::browsers::reset_reconnect(sim);
            }
        }
        (KindRt::Queue(q), KindRt::Queue(f)) => {
            set_queue(q, &f);
            super::queues::dispatch(sim, n);
        }
        (KindRt::Topic(_), KindRt::Topic(_)) => {
            // Its durable subscriptions' backlogs keep its persistence.
            let f = queue_rt(spec, NONE);
            for h in super::topics::backlogs(sim, n) {
                if let KindRt::Queue(q) = &mut sim.nodes[h as usize].rt {
                    q.persistence = f.persistence;
                    q.snapshot_us = f.snapshot_us;
                }
            }
        }
        (KindRt::Browser(_), KindRt::Browser(_)) => super::browsers::reset_reconnect(sim),
        _ => {}
    }
}

/// A queue's settings from `f`; its contents and consumers stay.
fn set_queue(q: &mut QueueRt, f: &QueueRt) {
    q.capacity = f.capacity;
    q.max_deliveries = f.max_deliveries;
    q.dead_letter = f.dead_letter;
    q.visibility_us = f.visibility_us;
    q.redelivery_us = f.redelivery_us;
    q.persistence = f.persistence;
    q.snapshot_us = f.snapshot_us;
}

fn link_changed(sim: &mut Sim, l: u32, field: &str) {
    let spec = sim.current.links[l as usize].clone();
    let old = &sim.links[l as usize];
    let fresh = link_rt(&spec, old.from, old.to, 0);
    let (from, to) = (old.from, old.to);
    let link = &mut sim.links[l as usize];
    link.latency = fresh.latency;
    link.timeout_us = fresh.timeout_us;
    link.retry = fresh.retry;
    link.optional = fresh.optional;
    link.outbox = fresh.outbox;
    link.interval_us = fresh.interval_us;
    link.prefetch = fresh.prefetch;
    link.redelivery_us = fresh.redelivery_us;
    if field == "circuit_breaker" {
        link.breaker = match (link.breaker.take(), spec.circuit_breaker.as_ref()) {
            (_, None) => None,
            // The breaker keeps its state and recent outcomes.
            (Some(mut b), Some(s)) => {
                b.reconfigure(BreakerConfig::from_spec(s));
                Some(b)
            }
            (None, Some(s)) => Some(Breaker::new(BreakerConfig::from_spec(s))),
        };
    }
    // Retries and timeouts make repeats possible: the callee starts
    // remembering ids (duplicates are counted from then on).
    let repeats = spec.via.is_sync_call() && (link.retry.attempts > 1 || link.timeout_us.is_some());
    if repeats {
        for m in super::replicas::members_or_self(sim, to) {
            if let KindRt::Worker(w) = &mut sim.nodes[m as usize].rt {
                w.seen.get_or_insert_with(Default::default);
            }
        }
    }
    if field == "balance" {
        super::replicas::set_balance(sim, l, spec.balance);
    }
    if field == "count" {
        let seed = sim.scenario.seed;
        let links = sim.links.len();
        sim.fans.set(l as usize, links, super::fanout::Fan::from_spec(&spec, seed));
    }
    super::connections::refresh(sim, l);
    if field == "outbox" {
        let has = sim.links.iter().any(|x| x.from == from && x.outbox && matches!(x.via, Via::Enqueue | Via::Publish));
        if let KindRt::Worker(w) = &mut sim.nodes[from as usize].rt {
            w.has_outbox = has;
        }
    }
}
