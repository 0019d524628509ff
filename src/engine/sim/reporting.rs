//! Reading a run: the report (the runner's JSON, the app's results), the
//! live state of nodes and links, and traces with names instead of indices.

use super::model::*;
use super::Sim;
use crate::engine::kernel::clock::us_to_ms;
use crate::engine::report::{BreakerReport, FanOutReport, GroupReport, LinkReport, Mean, MeanMax, NodeReport, Report};
use crate::engine::trace::{Hop, HopKind, Trace, NO_LINK};
use crate::engine::view::{LinkLive, NodeLive};

pub(super) fn report(sim: &Sim) -> Report {
    let now = sim.now;
    let mut r = Report {
        run_hash: sim.run_hash_hex(),
        events: sim.events,
        sim_ms: us_to_ms(now),
        seed: sim.scenario.seed,
        finished: sim.is_finished(),
        stopped: sim.stopped.clone(),
        ..Report::default()
    };
    for (i, spec) in sim.scenario.nodes.iter().enumerate() {
        let n = &sim.nodes[i];
        let m = &n.metrics;
        let workers = match &n.rt {
            KindRt::Worker(w) if w.workers != u32::MAX => w.workers as u64,
            _ => 0,
        };
        let mut node = NodeReport {
            kind: spec.kind.as_str().to_string(),
            label: spec.display_name().to_string(),
            arrivals: m.arrivals,
            completed: m.completed,
            failed: m.failed,
            rejected: m.rejected,
            lost: m.lost,
            wasted: m.wasted,
            duplicates: m.duplicates,
            deduplicated: m.deduplicated,
            latency_ms: m.latency.percentiles(),
            wait_ms: Mean { mean: m.wait_mean_ms() },
            queue_len: m.waiting.mean_max(now),
            utilization: m.utilization(now, workers),
            messages: crate::engine::report::MessageCounts { duplicates: m.duplicates, ..Default::default() },
            requests: (spec.kind == crate::engine::format::NodeKind::Client).then(|| {
                let mut r = m.requests.clone();
                r.in_flight = r.started.saturating_sub(r.ok + r.failed + r.timed_out);
                r
            }),
            extra: crate::engine::kernel::ordered::ordered(m.extra.iter().map(|(k, v)| (k.to_string(), *v as f64))),
            replicas: Vec::new(),
        };
        live_extras(sim, i, &mut node);
        super::replicas::fill_report(sim, i as u32, &mut node);
        super::databases::fill_report(sim, i, &mut node);
        r.nodes.insert(spec.id.clone(), node);
    }
    groups(sim, &mut r);
    // The ledger's rows: each link's counts, summed at the node it ends at.
    for (li, l) in sim.links.iter().enumerate() {
        let mut c = l.ledger.clone();
        c.in_flight = c.sent.saturating_sub(c.ended());
        if let Some(to) = sim.scenario.nodes.get(l.to as usize) {
            if let Some(row) = r.nodes.get_mut(&to.id) {
                let dup = row.messages.duplicates;
                row.messages.add(&c);
                row.messages.duplicates = dup;
            }
        }
        let fan_out = sim.fans.get(li).map(|f| FanOutReport {
            requests: f.draws,
            made: f.made,
            mean: if f.draws == 0 { 0.0 } else { f.made as f64 / f.draws as f64 },
        });
        let deliveries = (l.via == crate::engine::format::Via::Consume).then(|| {
            let mut d = l.deliveries.clone();
            d.in_flight = d.sent.saturating_sub(d.ended());
            d
        });
        r.links.insert(l.id.clone(), LinkReport { messages: c, deliveries, fan_out });
    }
    super::connections::fill_report(sim, &mut r);
    r.regions = super::regions::report(sim);
    r.messages = sim.ledger.clone();
    r.messages.in_flight = sim.ledger.sent.saturating_sub(sim.ledger.ended());
    r.requests = sim.requests.clone();
    r.requests.in_flight = r.requests.started - r.requests.ok - r.requests.failed - r.requests.timed_out;
    for l in &sim.links {
        if let Some(b) = &l.breaker {
            r.breakers.insert(
                l.id.clone(),
                BreakerReport {
                    state: b.state().as_str().to_string(),
                    rejected: b.rejected,
                    transitions: b.transitions.iter().map(|(t, s)| (us_to_ms(*t), s.as_str().to_string())).collect(),
                },
            );
        }
    }
    r
}

/// Every log topic's consumer groups.
fn groups(sim: &Sim, r: &mut Report) {
    let now = sim.now;
    for &t in &sim.log_topics {
        let Some(log) = super::logs::log(sim, t) else { continue };
        let topic = &sim.nodes[t as usize].id;
        for g in &log.groups {
            let partition_lag: Vec<u64> =
                g.cursors.iter().zip(&log.parts).map(|(c, p)| p.end() - c.committed.max(p.start)).collect();
            let owners = g
                .cursors
                .iter()
                .map(|c| {
                    g.members.get(c.owner as usize).map(|m| sim.links[m.link as usize].id.clone()).unwrap_or_default()
                })
                .collect();
            r.groups.push(GroupReport {
                topic: topic.clone(),
                group: g.name.clone(),
                members: g.members.len() as u32,
                live_members: g.members.iter().filter(|m| m.in_group && !m.down).count() as u32,
                partitions: log.parts.len() as u32,
                lag: g.lag.mean_max(now),
                lag_now: g.lag.value,
                partition_lag,
                owners,
                series: g.series.clone(),
            });
        }
    }
}

/// Figures that describe the node now rather than count events.
fn live_extras(sim: &Sim, i: usize, node: &mut NodeReport) {
    match &sim.nodes[i].rt {
        KindRt::Browser(b) => {
            let connected = b.connected;
            node.extra.insert("connected_users".into(), connected as f64);
            if let Some(s) = &b.store {
                node.extra.insert("delivered_late".into(), s.delivered_late as f64);
                node.extra.insert("held_now".into(), s.count as f64);
                node.extra.insert("expired".into(), s.expired as f64);
                if s.late.count() > 0 {
                    let p = s.late.percentiles();
                    node.extra.insert("late_delay_mean_ms".into(), p.mean);
                    node.extra.insert("late_delay_p50_ms".into(), p.p50);
                    node.extra.insert("late_delay_p99_ms".into(), p.p99);
                }
            }
        }
        KindRt::Worker(w) if !w.outbox.is_empty() || w.order.is_some() => {
            if !w.outbox.is_empty() {
                node.extra.insert("outbox_pending".into(), w.outbox.len() as f64);
            }
            if let Some(o) = &w.order {
                if sim.nodes[i].kind == crate::engine::format::NodeKind::Service {
                    node.extra.insert("out_of_order".into(), o.out_of_order as f64);
                }
            }
        }
        KindRt::Topic(t) if t.log.is_some() => {
            let now = sim.now;
            if let Some(log) = &t.log {
                let lag = log
                    .groups
                    .iter()
                    .map(|g| g.lag.mean_max(now))
                    .fold(MeanMax::default(), |a, b| MeanMax { mean: a.mean.max(b.mean), max: a.max.max(b.max) });
                // The worst group's lag: what the results panel shows for the topic.
                node.extra.insert("lag_mean".into(), lag.mean);
                node.extra.insert("lag_max".into(), lag.max);
                node.extra.insert("lag".into(), log.groups.iter().map(|g| g.lag.value).max().unwrap_or(0) as f64);
                node.extra.insert("retained".into(), log.parts.iter().map(|p| p.entries.len()).sum::<usize>() as f64);
            }
        }
        KindRt::Topic(_) => {
            let backlog: usize = super::topics::backlogs(sim, i as u32)
                .iter()
                .map(|h| match &sim.nodes[*h as usize].rt {
                    KindRt::Queue(q) => q.ready.len(),
                    _ => 0,
                })
                .sum();
            if backlog > 0 {
                node.extra.insert("backlog".into(), backlog as f64);
            }
        }
        _ => {}
    }
    if sim.nodes[i].kind == crate::engine::format::NodeKind::Websocket {
        node.extra.insert("connections".into(), connections_of(sim, i as u32) as f64);
    }
}

fn connections_of(sim: &Sim, server: u32) -> u64 {
    sim.nodes
        .iter()
        .filter_map(|n| match &n.rt {
            KindRt::Browser(b) => Some(b),
            _ => None,
        })
        .flat_map(|b| b.servers.iter().zip(&b.per_server).filter(|((s, _), _)| *s == server).map(|(_, c)| *c))
        .sum()
}

pub(super) fn node_live(sim: &Sim) -> Vec<NodeLive> {
    (0..sim.scenario.nodes.len())
        .map(|i| {
            let n = &sim.nodes[i];
            let mut live = NodeLive {
                crashed: n.is_down(),
                degraded: n.slow != 1.0 || n.error_override.is_some(),
                ..NodeLive::default()
            };
            match &n.rt {
                KindRt::Worker(w) => {
                    live.busy = w.busy;
                    live.workers = if w.workers == u32::MAX { 0 } else { w.workers };
                    live.waiting = w.backlog.len() as u64;
                }
                KindRt::Queue(q) => {
                    live.waiting = q.ready.len() as u64;
                    live.unacked = q.unacked;
                }
                KindRt::Topic(t) if t.log.is_some() => {
                    if let Some(log) = &t.log {
                        live.group_lag = log.groups.iter().map(|g| g.lag.value).collect();
                        live.waiting = live.group_lag.iter().sum();
                        live.partition_lag = (0..log.parts.len())
                            .map(|p| {
                                let part = &log.parts[p];
                                log.groups
                                    .iter()
                                    .map(|g| part.end() - g.cursors[p].committed.max(part.start))
                                    .max()
                                    .unwrap_or(part.entries.len() as u64)
                            })
                            .collect();
                    }
                }
                KindRt::Topic(_) => {
                    live.waiting = super::topics::backlogs(sim, i as u32)
                        .iter()
                        .map(|h| match &sim.nodes[*h as usize].rt {
                            KindRt::Queue(q) => q.ready.len() as u64,
                            _ => 0,
                        })
                        .sum();
                }
                KindRt::Browser(b) => {
                    live.connections = b.connected;
                    live.waiting = b.users - b.connected;
                }
                KindRt::Client(_) | KindRt::Exchange(_) => {}
            }
            if n.kind == crate::engine::format::NodeKind::Websocket {
                live.connections = connections_of(sim, i as u32);
            }
            super::replicas::fill_live(sim, i as u32, &mut live);
            live.stale_reads = super::databases::stale_reads(sim, i);
            live
        })
        .collect()
}

pub(super) fn link_live(sim: &Sim) -> Vec<LinkLive> {
    sim.links
        .iter()
        .map(|l| LinkLive { breaker: l.breaker.as_ref().map(|b| b.state()), partitioned: l.partitioned > 0 })
        .collect()
}

pub(super) fn trace(sim: &Sim, id: u64) -> Option<Trace> {
    let raw = sim.traces.get(id)?;
    let hops = raw
        .iter()
        .map(|h| {
            // A replica's hop names its service; the detail says which replica.
            let (node, replica) = super::replicas::logical(sim, h.node);
            let mut detail = detail(h.kind, h.detail);
            let database =
                sim.nodes.get(node as usize).is_some_and(|n| n.kind == crate::engine::format::NodeKind::Database);
            if database && sim.replicas.set(node).is_some() {
                // A database's replica 1 is its primary; faults name the others `db#2`...
                let id = &sim.nodes[node as usize].id;
                let which = if replica == 1 { "primary".to_string() } else { format!("replica {id}#{replica}") };
                detail = if detail.is_empty() { which } else { format!("{detail}, {which}") };
            } else if replica > 1 || sim.replicas.set(node).is_some() {
                detail = if detail.is_empty() {
                    format!("replica {replica}")
                } else {
                    format!("{detail}, replica {replica}")
                };
            }
            Hop {
                at_ms: us_to_ms(h.at_us),
                kind: h.kind,
                node: sim.nodes.get(node as usize).map(|n| n.id.clone()).unwrap_or_default(),
                link: (h.link != NO_LINK).then(|| sim.links.get(h.link as usize).map(|l| l.id.clone())).flatten(),
                detail,
            }
        })
        .collect();
    Some(Trace { id, hops })
}

fn detail(kind: HopKind, d: u32) -> String {
    match kind {
        HopKind::Send if d > 1 => format!("attempt {d}"),
        HopKind::Retry => format!("retry in {d} ms"),
        HopKind::Reject if d == 1 => "circuit breaker open".into(),
        HopKind::Deliver if d > 1 => format!("delivery {d}"),
        HopKind::Ok if d == 1 => "degraded: an optional call failed".into(),
        HopKind::Compensate => format!("undo step {d}"),
        HopKind::Push => format!("user {d}"),
        HopKind::Write | HopKind::Read => {
            let key = d & !super::databases::STALE_BIT;
            let key = if key == super::databases::STALE_BIT - 1 { "no key".to_string() } else { format!("key k{key}") };
            if d & super::databases::STALE_BIT != 0 {
                format!("{key}, stale")
            } else {
                key
            }
        }
        HopKind::End => match d {
            0 => "ok".into(),
            1 => "error".into(),
            2 => "timed out".into(),
            _ => "rejected".into(),
        },
        _ => String::new(),
    }
}
