//! Replicas behind a load balancer, with active health checks.
//!
//! A service with `replicas: c` runs as c nodes: the scenario's node is
//! replica 1, and replicas 2..c are added after every node of the scenario
//! (ids `svc#2`...), each with its own workers, backlog, random stream and
//! metrics, and the same outgoing links. Everything a node does (work,
//! calls, crashes) then works per replica unchanged.
//!
//! Each call, pub/sub copy or request-reply into the service picks its
//! replica here, by the link's `balance`. The balancer is one per service
//! (as a Kubernetes Service or a shared Envoy cluster): it counts the
//! requests it sent to each replica that have not finished (outstanding),
//! and keeps replicas in rotation until `unhealthy_after` health checks in
//! a row fail, and back after one passing check (Kubernetes' probe
//! defaults). Between a crash and its detection the dead replica keeps
//! getting its share, and refuses it.
//!
//! A probe is an HTTP GET served like a request (a Spring actuator or a
//! Node.js handler shares the app's workers): it fails when the replica is
//! down or its backlog is full (refused, at once), when the wait for a
//! worker behind the backlog would pass `health_timeout_ms` (failed at the
//! timeout: a slowed or saturated replica), or, under an `errors` fault,
//! with the fault's rate (a 500). A healthy replica's probe answers at once.
//!
//! When fewer than half of the replicas are in rotation, the balancer
//! ignores health and spreads over all of them: Envoy's panic threshold
//! (50% by default), so a bad probe cannot take a whole service out.
//!
//! Queue deliveries do not pass the balancer: each replica is one more
//! competing consumer of the queues the service consumes.

use super::event::Ev;
use super::model::*;
use super::Sim;
use crate::engine::format::scale::{health_of, replicas_of, Balance};
use crate::engine::format::{Scenario, Via};
use crate::engine::kernel::clock::{ms_to_us, Micros, Time};
use crate::engine::kernel::rng::Stream;
use crate::engine::metrics::{Latency, NodeMetrics};
use crate::engine::report::{Mean, MeanMax, NodeReport, ReplicaReport};
use crate::engine::view::{NodeLive, ReplicaLive};

/// The replica sets of a run and each link's balancer state.
#[derive(Default, Clone)]
pub(super) struct Replicas {
    /// Per node of the run: its set, or NONE (an unreplicated node).
    set_of: Vec<u32>,
    pub sets: Vec<Set>,
    /// Per link: its balancer's state (links into a replicated service).
    lbs: Vec<Option<Lb>>,
}

#[derive(Clone)]
pub(super) struct Set {
    /// The scenario's node (replica 1).
    pub node: u32,
    /// The replicas' node indices, replica 1 first.
    pub members: Vec<u32>,
    /// Whether the balancer sends to each replica.
    pub in_rotation: Vec<bool>,
    /// Failed health checks in a row, per replica.
    failed_checks: Vec<u32>,
    /// Requests sent to each replica that have not finished there.
    pub outstanding: Vec<u64>,
    /// Positions (in `members`) the balancer picks from now.
    eligible: Vec<u32>,
    period_us: Micros,
    unhealthy_after: u32,
    timeout_us: Micros,
    /// Failed probes over the run, per replica.
    pub checks_failed: Vec<u64>,
    /// Draws the probes' errors under an `errors` fault, apart from every
    /// other stream (probes of healthy replicas draw nothing).
    rng: Stream,
}

#[derive(Clone)]
struct Lb {
    balance: Balance,
    /// Round robin's next position.
    cursor: u32,
    /// The balancer's own stream: picking draws nothing from the link's
    /// (latency) or the node's (work) streams.
    rng: Stream,
}

impl Replicas {
    /// The set node `n` belongs to, if replicated.
    #[inline]
    pub fn set(&self, n: u32) -> Option<&Set> {
        match self.set_of.get(n as usize) {
            Some(&s) if s != NONE => self.sets.get(s as usize),
            _ => None,
        }
    }
}

/// Adds replicas 2..c of every replicated service to `nodes` (after the
/// scenario's nodes, which the wiring already filled in) and builds the
/// balancers of the links into them.
pub(super) fn expand(nodes: &mut Vec<NodeRt>, links: &[LinkRt], s: &Scenario, series: bool) -> Replicas {
    let mut r = Replicas { set_of: vec![NONE; s.nodes.len()], sets: Vec::new(), lbs: Vec::new() };
    for (i, spec) in s.nodes.iter().enumerate() {
        let count = replicas_of(spec);
        if count <= 1 {
            continue;
        }
        let set_index = r.sets.len() as u32;
        r.set_of[i] = set_index;
        let mut members = vec![i as u32];
        for k in 2..=count {
            let id = format!("{}#{k}", spec.id);
            let primary = &nodes[i];
            let mut rt = super::build::kind_rt(spec, NONE, s.seed);
            if let (KindRt::Worker(w), KindRt::Worker(p)) = (&mut rt, &primary.rt) {
                w.has_outbox = p.has_outbox;
                w.consumes = p.consumes.clone();
                if p.seen.is_some() {
                    w.seen = Some(Default::default());
                }
            }
            let node = NodeRt {
                rng: Stream::new(s.seed, &id),
                id,
                kind: spec.kind,
                down: 0,
                slow: 1.0,
                error_override: None,
                metrics: NodeMetrics { series_on: series, ..NodeMetrics::default() },
                out: primary.out.clone(),
                rt,
            };
            let index = nodes.len() as u32;
            // One more competing consumer of each queue the service consumes.
            for &(q, link) in primary_consumes(&nodes[i]).iter() {
                if let KindRt::Queue(qr) = &mut nodes[q as usize].rt {
                    qr.consumers.push((index, link));
                }
            }
            nodes.push(node);
            r.set_of.push(set_index);
            members.push(index);
        }
        let (period_ms, unhealthy_after, timeout_ms) = health_of(spec);
        let c = members.len();
        r.sets.push(Set {
            node: i as u32,
            members,
            in_rotation: vec![true; c],
            failed_checks: vec![0; c],
            outstanding: vec![0; c],
            eligible: (0..c as u32).collect(),
            period_us: ms_to_us(period_ms),
            unhealthy_after,
            timeout_us: ms_to_us(timeout_ms),
            checks_failed: vec![0; c],
            rng: Stream::new(s.seed, &format!("{}#health", spec.id)),
        });
    }
    r.lbs = links
        .iter()
        .zip(&s.links)
        .map(|(l, spec)| {
            let into_set = r.set_of.get(l.to as usize).is_some_and(|&x| x != NONE);
            let balanced = matches!(l.via, Via::Http | Via::Grpc | Via::SagaStep | Via::RequestReply | Via::Subscribe);
            (into_set && balanced).then(|| Lb {
                balance: spec.balance.unwrap_or_default(),
                cursor: 0,
                rng: Stream::new(s.seed, &format!("{}#balance", spec.id)),
            })
        })
        .collect();
    r
}

fn primary_consumes(n: &NodeRt) -> Vec<(u32, u32)> {
    match &n.rt {
        KindRt::Worker(w) => w.consumes.clone(),
        _ => Vec::new(),
    }
}

/// Schedules the first health check of every set that has them.
pub(super) fn start_checks(sim: &mut Sim) {
    for (i, set) in sim.replicas.sets.iter().enumerate() {
        if set.period_us > 0 && set.period_us <= sim.end {
            sim.queue.push(set.period_us, Ev::HealthCheck { set: i as u32 });
        }
    }
}

/// The replica a new job sent over `link` to `node` goes to.
#[inline(always)]
pub(super) fn pick(sim: &mut Sim, link: u32, node: u32) -> u32 {
    if sim.replicas.sets.is_empty() {
        return node;
    }
    pick_replica(sim, link, node)
}

#[inline(never)]
fn pick_replica(sim: &mut Sim, link: u32, node: u32) -> u32 {
    let Some(&s) = sim.replicas.set_of.get(node as usize) else {
        return node;
    };
    if s == NONE {
        return node;
    }
    let r = &mut sim.replicas;
    let set = &mut r.sets[s as usize];
    let Some(Some(lb)) = r.lbs.get_mut(link as usize) else {
        return node;
    };
    let all = set.members.len() as u32;
    // Envoy's panic threshold: under half in rotation, use them all.
    let panic = (set.eligible.len() as u32) * 2 < all;
    let count = if panic { all } else { set.eligible.len() as u32 };
    let at = |k: u32| if panic { k } else { set.eligible[k as usize] };
    let chosen = match lb.balance {
        Balance::RoundRobin => {
            let k = lb.cursor % count;
            lb.cursor = (k + 1) % count;
            at(k)
        }
        Balance::Random => at(lb.rng.below(count as u64) as u32),
        Balance::LeastOutstanding => {
            // The fewest outstanding; ties go round robin (NGINX least_conn).
            let start = lb.cursor % count;
            let mut best = at(start);
            for j in 1..count {
                let m = at((start + j) % count);
                if set.outstanding[m as usize] < set.outstanding[best as usize] {
                    best = m;
                }
            }
            lb.cursor = (start + 1) % count;
            best
        }
        Balance::P2c => {
            if count == 1 {
                at(0)
            } else {
                let a = lb.rng.below(count as u64) as u32;
                let b = (a + 1 + lb.rng.below(count as u64 - 1) as u32) % count;
                let (a, b) = (at(a), at(b));
                if set.outstanding[b as usize] < set.outstanding[a as usize] {
                    b
                } else {
                    a
                }
            }
        }
    };
    set.outstanding[chosen as usize] += 1;
    set.members[chosen as usize]
}

/// A job that came through the balancer left its replica (answered,
/// refused or lost).
#[inline(always)]
pub(super) fn released(sim: &mut Sim, node: u32, origin: Origin) {
    // Without replicas (most runs) nothing to do: one check.
    if !sim.replicas.sets.is_empty() {
        released_from_set(sim, node, origin);
    }
}

#[inline(never)]
fn released_from_set(sim: &mut Sim, node: u32, origin: Origin) {
    if matches!(origin, Origin::Delivery { .. } | Origin::Root | Origin::Branch { .. }) {
        return;
    }
    let Some(&s) = sim.replicas.set_of.get(node as usize) else {
        return;
    };
    if s == NONE {
        return;
    }
    let set = &mut sim.replicas.sets[s as usize];
    if let Some(k) = set.members.iter().position(|&m| m == node) {
        set.outstanding[k] = set.outstanding[k].saturating_sub(1);
    }
}

/// What a probe of one replica finds, judged from the replica's state at
/// the check.
enum Probe {
    /// Down, or its backlog is full: the connection is refused at once.
    Refused,
    /// It would not answer within the timeout.
    Late,
    /// It answers in time; with an `errors` fault, an error at this rate.
    Answers(f64),
}

/// The probe's verdict on node `n`. The probe waits for a worker like any
/// request: with every worker busy and `waiting` ahead of it, a worker
/// frees for it after about (waiting + 1) / workers mean work times (the
/// M/M/c wait given the queue), each stretched by a `slow` fault; the
/// answer itself takes no time.
fn probe(n: &NodeRt, timeout_us: Micros) -> Probe {
    if n.is_down() {
        return Probe::Refused;
    }
    let errors = n.error_override.unwrap_or(0.0);
    let KindRt::Worker(w) = &n.rt else {
        return Probe::Answers(errors);
    };
    if w.workers == u32::MAX || w.has_free_worker() {
        return Probe::Answers(errors);
    }
    if w.backlog.len() as u64 >= w.backlog_cap {
        return Probe::Refused;
    }
    let ahead = w.backlog.len() as f64 + 1.0;
    let wait_ms = ahead / f64::from(w.workers.max(1)) * w.work.mean_ms() * n.slow;
    if wait_ms * 1000.0 > timeout_us as f64 {
        Probe::Late
    } else {
        Probe::Answers(errors)
    }
}

/// A health-check round of set `s`: every replica is probed.
pub(super) fn health_check(sim: &mut Sim, s: u32) {
    let now = sim.now;
    let Some(set) = sim.replicas.sets.get(s as usize) else {
        return;
    };
    let timeout = set.timeout_us;
    let probes: Vec<Probe> = set.members.iter().map(|&m| probe(&sim.nodes[m as usize], timeout)).collect();
    let mut late = Vec::new();
    let set = &mut sim.replicas.sets[s as usize];
    for (k, p) in probes.into_iter().enumerate() {
        let failed = match p {
            Probe::Refused => true,
            Probe::Late => {
                late.push(k as u32);
                continue;
            }
            Probe::Answers(errors) => errors > 0.0 && set.rng.chance(errors),
        };
        if failed {
            set.fail(k);
        } else {
            set.failed_checks[k] = 0;
            set.in_rotation[k] = true;
        }
    }
    set.refresh();
    let next = now.after(set.period_us);
    let timeout_at = now.after(set.timeout_us);
    if next <= sim.end {
        sim.schedule(next, Ev::HealthCheck { set: s });
    }
    if timeout_at <= sim.end {
        for k in late {
            sim.schedule(timeout_at, Ev::ProbeTimeout { set: s, replica: k });
        }
    }
}

/// A probe of replica `k` of set `s` ran into its timeout: a failed check.
pub(super) fn probe_timed_out(sim: &mut Sim, s: u32, k: u32) {
    if let Some(set) = sim.replicas.sets.get_mut(s as usize) {
        if (k as usize) < set.members.len() {
            set.fail(k as usize);
            set.refresh();
        }
    }
}

impl Set {
    /// One more failed check of replica `k`.
    fn fail(&mut self, k: usize) {
        self.checks_failed[k] += 1;
        self.failed_checks[k] = self.failed_checks[k].saturating_add(1);
        if self.failed_checks[k] >= self.unhealthy_after {
            self.in_rotation[k] = false;
        }
    }

    /// The balancer's positions after a change of rotation.
    fn refresh(&mut self) {
        self.eligible = (0..self.members.len() as u32).filter(|&k| self.in_rotation[k as usize]).collect();
    }
}

/// The nodes a fault on `target` covers when recomputing node `n`'s state:
/// its own faults, its replica's (`svc#k`), and the whole service's.
pub(super) fn fault_covers(sim: &Sim, target: Target, n: u32) -> bool {
    match target {
        Target::Node(t) => t == n || sim.replicas.set(n).is_some_and(|s| s.node == t),
        Target::Replica(t) => t == n,
        Target::Region(r) => super::regions::region_of(sim, n) == r,
        Target::Link(_) => false,
    }
}

/// The run's nodes a fault on scenario node `n` touches: all its replicas.
pub(super) fn members_or_self(sim: &Sim, n: u32) -> Vec<u32> {
    match sim.replicas.set(n) {
        Some(set) => set.members.clone(),
        None => vec![n],
    }
}

/// The run's node of replica `k` (1-based) of scenario node `n`.
pub(super) fn member(sim: &Sim, n: u32, k: u32) -> Option<u32> {
    if k == 1 {
        return Some(n);
    }
    sim.replicas.set(n)?.members.get(k as usize - 1).copied()
}

/// A replicated service's report row: the sums over its replicas, and one
/// row per replica. Utilization is over all replicas' workers; the waiting
/// mean is the sum of the replicas' means, its max the largest replica's.
pub(super) fn fill_report(sim: &Sim, i: u32, node: &mut NodeReport) {
    let Some(set) = sim.replicas.set(i) else {
        return;
    };
    let now = sim.now;
    let workers = |m: u32| match &sim.nodes[m as usize].rt {
        KindRt::Worker(w) if w.workers != u32::MAX => w.workers as u64,
        _ => 0,
    };
    let mut latency = Latency::default();
    let (mut busy, mut capacity) = (0u128, 0u128);
    node.queue_len = MeanMax::default();
    let (mut arrivals, mut completed, mut failed, mut rejected, mut lost, mut wasted) = (0, 0, 0, 0, 0, 0);
    let (mut wait_sum, mut wait_count) = (0u128, 0u64);
    for (k, &m) in set.members.iter().enumerate() {
        let n = &sim.nodes[m as usize];
        let x = &n.metrics;
        latency.merge(&x.latency);
        busy += x.busy.integral_at(now);
        capacity += workers(m) as u128 * now as u128;
        arrivals += x.arrivals;
        completed += x.completed;
        failed += x.failed;
        rejected += x.rejected;
        lost += x.lost;
        wasted += x.wasted;
        wait_sum += x.wait_sum_us;
        wait_count += x.wait_count;
        let q = x.waiting.mean_max(now);
        node.queue_len.mean += q.mean;
        node.queue_len.max = node.queue_len.max.max(q.max);
        if k > 0 {
            node.duplicates += x.duplicates;
            node.deduplicated += x.deduplicated;
            for (name, v) in &x.extra {
                *node.extra.entry(name.to_string()).or_insert(0.0) += *v as f64;
            }
        }
        node.replicas.push(ReplicaReport {
            id: format!("{}#{}", sim.scenario.nodes[i as usize].id, k + 1),
            arrivals: x.arrivals,
            completed: x.completed,
            failed: x.failed,
            rejected: x.rejected,
            lost: x.lost,
            latency_ms: x.latency.percentiles(),
            queue_len: q,
            utilization: x.utilization(now, workers(m)),
            outstanding: set.outstanding[k],
            in_rotation: set.in_rotation[k],
            crashed: n.is_down(),
            checks_failed: set.checks_failed[k],
        });
    }
    let checks_failed: u64 = set.checks_failed.iter().sum();
    if checks_failed > 0 {
        node.extra.insert("checks_failed".into(), checks_failed as f64);
    }
    node.arrivals = arrivals;
    node.completed = completed;
    node.failed = failed;
    node.rejected = rejected;
    node.lost = lost;
    node.wasted = wasted;
    node.latency_ms = latency.percentiles();
    node.wait_ms = Mean { mean: if wait_count == 0 { 0.0 } else { wait_sum as f64 / wait_count as f64 / 1000.0 } };
    node.utilization = if capacity == 0 { 0.0 } else { busy as f64 / capacity as f64 };
}

/// A replicated service's live state: its replicas', summed, and each one.
pub(super) fn fill_live(sim: &Sim, i: u32, live: &mut NodeLive) {
    let Some(set) = sim.replicas.set(i) else {
        return;
    };
    live.busy = 0;
    live.waiting = 0;
    live.workers = 0;
    for (k, &m) in set.members.iter().enumerate() {
        let n = &sim.nodes[m as usize];
        let KindRt::Worker(w) = &n.rt else { continue };
        let r = ReplicaLive {
            busy: w.busy,
            waiting: w.backlog.len() as u64,
            outstanding: set.outstanding[k],
            crashed: n.is_down(),
            in_rotation: set.in_rotation[k],
            failing_checks: set.failed_checks[k],
        };
        live.busy += r.busy;
        live.waiting += r.waiting;
        live.workers = live.workers.saturating_add(if w.workers == u32::MAX { 0 } else { w.workers });
        live.replicas.push(r);
    }
    // The service is down only when every replica is.
    live.crashed = live.replicas.iter().all(|r| r.crashed);
}

/// A link into a replicated service changed its `balance`.
pub(super) fn set_balance(sim: &mut Sim, link: u32, balance: Option<Balance>) {
    if let Some(Some(lb)) = sim.replicas.lbs.get_mut(link as usize) {
        lb.balance = balance.unwrap_or_default();
    }
}

/// The scenario node a run node stands for, and its replica number (1 for
/// an unreplicated node): traces and tokens name the service, not `svc#2`.
pub(super) fn logical(sim: &Sim, n: u32) -> (u32, u32) {
    match sim.replicas.set(n) {
        Some(set) => (set.node, set.members.iter().position(|&m| m == n).map_or(1, |k| k as u32 + 1)),
        None => (n, 1),
    }
}
