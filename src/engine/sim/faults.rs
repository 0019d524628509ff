//! Faults: crash, slow, errors and partition, scheduled in the scenario or
//! started and ended live (both through `timed`). A node's or link's fault state is recomputed from
//! every active fault on it, so overlapping faults add up and end cleanly.
//!
//! A crash loses the node's in-flight work (callers find out by timing
//! out), a queue loses what its persistence does not keep, a websocket
//! server drops its connections, a client stops sending. While down, a node
//! rejects what is sent to it.

use super::event::Ev;
use super::model::*;
use super::Sim;
use crate::engine::format::defaults::caps;
use crate::engine::format::{FaultKind, NodeKind};
use crate::engine::kernel::clock::Time;
use crate::engine::kernel::slab::Key;

pub(super) fn resolve(sim: &Sim, id: &str) -> Option<Target> {
    if let Some(r) = crate::engine::format::regions::split_target(id) {
        return sim.regions.index(r).map(Target::Region);
    }
    if let Some((node, Ok(k))) = crate::engine::format::scale::split_replica(id) {
        let n = sim.scenario.nodes.iter().position(|x| x.id == node)?;
        return super::replicas::member(sim, n as u32, k).map(Target::Replica);
    }
    if let Some(i) = sim.scenario.nodes.iter().position(|n| n.id == id) {
        return Some(Target::Node(i as u32));
    }
    sim.scenario.links.iter().position(|l| l.id == id).map(|i| Target::Link(i as u32))
}

pub(super) fn start(sim: &mut Sim, fi: u32) {
    let f = &mut sim.faults[fi as usize];
    if f.cancelled || f.active {
        return;
    }
    if f.kind == FaultKind::Replay {
        // A one-off: the group rewinds now, and there is nothing to end.
        if let Target::Link(l) = f.target {
            super::log_groups::replay(sim, l);
        }
        return;
    }
    f.active = true;
    let target = f.target;
    recompute(sim, target);
}

pub(super) fn end(sim: &mut Sim, fi: u32) {
    let f = &mut sim.faults[fi as usize];
    if !f.active {
        return;
    }
    f.active = false;
    let target = f.target;
    recompute(sim, target);
}

fn recompute(sim: &mut Sim, target: Target) {
    match target {
        Target::Node(n) => {
            for m in super::replicas::members_or_self(sim, n) {
                recompute_node(sim, m);
            }
            for l in 0..sim.links.len() as u32 {
                if sim.links[l as usize].from == n || sim.links[l as usize].to == n {
                    recompute_link(sim, l);
                }
            }
        }
        Target::Link(l) => recompute_link(sim, l),
        Target::Replica(m) => recompute_node(sim, m),
        // Every node of the region, as if each had the fault.
        Target::Region(r) => {
            for n in super::regions::nodes_in(sim, r) {
                recompute(sim, Target::Node(n));
            }
        }
    }
}

fn recompute_node(sim: &mut Sim, n: u32) {
    let active = sim.faults.iter().filter(|f| f.active && super::replicas::fault_covers(sim, f.target, n));
    let (mut down, mut slow, mut errors) = (0u32, 1.0f64, None);
    for f in active {
        match f.kind {
            FaultKind::Crash => down += 1,
            FaultKind::Slow => slow *= f.factor,
            FaultKind::Errors => errors = Some(f.rate),
            FaultKind::Partition | FaultKind::Replay => {}
        }
    }
    let node = &mut sim.nodes[n as usize];
    let was_down = node.is_down();
    node.down = down;
    node.slow = slow.min(caps::SLOW_PRODUCT);
    node.error_override = errors;
    match (was_down, down > 0) {
        (false, true) => crash(sim, n),
        (true, false) => recover(sim, n),
        _ => {}
    }
}

fn recompute_link(sim: &mut Sim, l: u32) {
    let (from, to) = (sim.links[l as usize].from, sim.links[l as usize].to);
    let (rf, rt) = (super::regions::region_of(sim, from), super::regions::region_of(sim, to));
    let covers = |t: Target| {
        t == Target::Link(l)
            || t == Target::Node(from)
            || t == Target::Node(to)
            || matches!(t, Target::Region(r) if r == rf || r == rt)
    };
    let mut partitioned = 0;
    let mut slow = 1.0;
    for f in sim.faults.iter().filter(|f| f.active) {
        match f.kind {
            FaultKind::Partition if covers(f.target) => partitioned += 1,
            FaultKind::Slow if f.target == Target::Link(l) => slow *= f.factor,
            _ => {}
        }
    }
    let link = &mut sim.links[l as usize];
    let healed = link.partitioned > 0 && partitioned == 0;
    link.partitioned = partitioned;
    link.slow = slow.min(caps::SLOW_PRODUCT);
    if healed {
        // Consumers cut off by the partition can take messages again.
        if sim.nodes[from as usize].kind == NodeKind::Queue {
            super::queues::dispatch(sim, from);
        }
        if super::logs::log(sim, from).is_some() {
            super::logs::fetch_all(sim, from);
        }
    }
}

fn crash(sim: &mut Sim, n: u32) {
    let now = sim.now;
    match sim.nodes[n as usize].kind {
        NodeKind::Service | NodeKind::Saga | NodeKind::Websocket | NodeKind::Database => {
            // In-flight work dies with the process; requests still on the
            // wire will find the node down and be refused.
            let doomed: Vec<Key> = sim
                .jobs
                .iter()
                .filter(|(_, j)| j.node == n && (j.phase != Phase::Transit || j.reserved))
                .map(|(k, _)| k)
                .collect();
            super::outbox::unsent_at_crash(sim, n, &doomed);
            for k in doomed {
                super::jobs::lose(sim, k);
            }
            let node = &mut sim.nodes[n as usize];
            if let KindRt::Worker(w) = &mut node.rt {
                w.backlog.clear();
                w.busy = 0;
            }
            node.metrics.busy.set(now, 0);
            node.metrics.waiting.set(now, 0);
            super::outbox::sender_crashed(sim, n);
            super::browsers::server_crashed(sim, n);
            if sim.dbs.is_some() {
                super::databases::replica_down(sim, n);
            }
        }
        NodeKind::Queue => super::durability::crash(sim, n),
        NodeKind::Topic => {
            for h in super::topics::backlogs(sim, n) {
                sim.nodes[h as usize].down += 1;
                super::durability::crash(sim, h);
            }
        }
        NodeKind::Client => super::clients::arm(sim, n),
        NodeKind::Browser => super::browsers::browser_down(sim, n),
        // An exchange keeps nothing: while down it refuses what is published.
        NodeKind::Exchange => {}
    }
    if !sim.log_topics.is_empty() {
        super::log_groups::member_down(sim, n);
    }
}

fn recover(sim: &mut Sim, n: u32) {
    match sim.nodes[n as usize].kind {
        NodeKind::Service | NodeKind::Saga | NodeKind::Websocket | NodeKind::Database => {
            if sim.dbs.is_some() {
                super::databases::replica_up(sim, n);
            }
            super::outbox::relay_outbox(sim, n);
            let consumed: Vec<u32> = match &sim.nodes[n as usize].rt {
                KindRt::Worker(w) => w.consumes.iter().map(|c| c.0).collect(),
                _ => Vec::new(),
            };
            for q in consumed {
                super::queues::dispatch(sim, q);
            }
        }
        NodeKind::Queue => super::queues::dispatch(sim, n),
        NodeKind::Topic => {
            for h in super::topics::backlogs(sim, n) {
                let node = &mut sim.nodes[h as usize];
                node.down = node.down.saturating_sub(1);
                super::queues::dispatch(sim, h);
            }
            // A log loses nothing (Kafka keeps it on disk): reading resumes.
            if super::logs::log(sim, n).is_some() {
                super::logs::fetch_all(sim, n);
            }
        }
        NodeKind::Exchange => {}
        NodeKind::Client => super::clients::arm(sim, n),
        NodeKind::Browser => {
            let KindRt::Browser(br) = &sim.nodes[n as usize].rt else {
                return;
            };
            let users: Vec<u32> = (0..br.conn.len() as u32).collect();
            let now = sim.now;
            for u in users {
                sim.schedule(now.after(1 + u as u64 % 1000), Ev::Reconnect { browser: n, user: u });
            }
        }
    }
    if !sim.log_topics.is_empty() {
        super::log_groups::member_up(sim, n);
    }
}
