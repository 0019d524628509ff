//! Building a run from a validated scenario: resolve ids to indices, apply
//! the documented defaults, seed every node's and link's random stream, and
//! schedule what starts on its own (client arrivals, faults, ticks, polls).

use super::event::Ev;
use super::model::*;
use super::tokens::Tokens;
use super::{Sim, SimOptions};
use crate::engine::format::defaults as d;
use crate::engine::format::{Delivery, Dist, FaultKind, NodeKind, Persistence, Scenario, Via};
use crate::engine::kernel::clock::{ms_to_us, Micros};
use crate::engine::kernel::events::EventQueue;
use crate::engine::kernel::hash::RunHash;
use crate::engine::kernel::ordered::ordered;
use crate::engine::kernel::rng::Stream;
use crate::engine::kernel::slab::Slab;
use crate::engine::links::breaker::{Breaker, BreakerConfig};
use crate::engine::links::retry::RetryPolicy;
use crate::engine::metrics::{bucket_width_us, NodeMetrics};
use crate::engine::report::{MessageCounts, RequestCounts};
use crate::engine::trace::TraceLog;
use std::collections::{BTreeMap, VecDeque};

pub(super) fn build(s: &Scenario, options: SimOptions, traces: TraceLog) -> Sim {
    let index = ordered(s.nodes.iter().enumerate().map(|(i, n)| (n.id.as_str(), i as u32)));
    let node_of = |id: &str| index.get(id).copied().unwrap_or(NONE);
    let end = ms_to_us(s.duration_ms);

    let mut links: Vec<LinkRt> = s.links.iter().map(|l| link_rt(l, node_of(&l.from), node_of(&l.to), s.seed)).collect();
    for (l, spec) in links.iter_mut().zip(&s.links) {
        l.keyed_send = spec.via == Via::Enqueue
            && s.node(&spec.to).is_some_and(|n| n.kind == NodeKind::Queue && n.fifo == Some(true));
    }

    let mut nodes: Vec<NodeRt> = s
        .nodes
        .iter()
        .map(|n| NodeRt {
            id: n.id.clone(),
            kind: n.kind,
            rng: Stream::new(s.seed, &n.id),
            down: 0,
            slow: 1.0,
            error_override: None,
            metrics: NodeMetrics { series_on: options.series, ..NodeMetrics::default() },
            out: Vec::new(),
            rt: kind_rt(n, node_of(n.dead_letter.as_deref().unwrap_or("")), s.seed),
        })
        .collect();

    // Steps of each node, and the wiring each kind needs.
    for (i, l) in links.iter().enumerate() {
        let i = i as u32;
        let (from, to) = (l.from as usize, l.to as usize);
        match l.via {
            Via::Consume => {
                if let KindRt::Queue(q) = &mut nodes[from].rt {
                    q.consumers.push((l.to, i));
                }
                if let KindRt::Worker(w) = &mut nodes[to].rt {
                    w.consumes.push((l.from, i));
                }
            }
            Via::Subscribe => {
                if let KindRt::Topic(t) = &mut nodes[from].rt {
                    t.subscriptions.push((i, NONE));
                }
            }
            Via::Push | Via::Sse | Via::Poll => {
                nodes[from].out.push(i);
                if let KindRt::Browser(b) = &mut nodes[to].rt {
                    b.servers.push((l.from, i));
                    if l.store_us.is_some() {
                        b.store.get_or_insert_with(Default::default);
                    }
                }
            }
            // Bindings are the exchange's routing table (see `exchanges`).
            Via::Bind => {}
            _ => nodes[from].out.push(i),
        }
    }

    for l in &links {
        if l.outbox {
            if let KindRt::Worker(w) = &mut nodes[l.from as usize].rt {
                w.has_outbox = true;
            }
        }
    }

    // A service can see the same id twice when a caller retries, a queue
    // redelivers or a durable subscription replays: only then remember ids.
    for l in &links {
        let repeats = match l.via {
            Via::Http | Via::Grpc | Via::SagaStep => l.retry.attempts > 1 || l.timeout_us.is_some(),
            Via::Consume | Via::Subscribe | Via::RequestReply => true,
            _ => false,
        };
        if repeats {
            if let KindRt::Worker(w) = &mut nodes[l.to as usize].rt {
                w.seen.get_or_insert_with(Default::default);
            }
        }
    }

    let replicas = super::replicas::expand(&mut nodes, &links, s, options.series);
    let keys = s.nodes.iter().filter_map(|n| n.keys).max().unwrap_or(0);
    let mut sim = Sim {
        scenario: s.clone(),
        current: s.clone(),
        timed: Default::default(),
        last_event_at: None,
        now: 0,
        end,
        queue: EventQueue::default(),
        hash: RunHash::default(),
        events: 0,
        nodes,
        links,
        jobs: Slab::default(),
        msgs: Slab::default(),
        pushes: Slab::default(),
        faults: Vec::new(),
        ledger: MessageCounts::default(),
        requests: RequestCounts::default(),
        next_trace: 0,
        next_op: 0,
        bucket_us: bucket_width_us(end),
        bucket_start: 0,
        traces,
        tokens: Tokens::new(options.track_tokens),
        stopped: None,
        done: false,
        series: options.series,
        key_seq: vec![0; keys as usize],
        routing_keys: Vec::new(),
        log_topics: Vec::new(),
        log_entries: 0,
        watch: Default::default(),
        replicas,
        conns: super::connections::build(s),
        regions: super::regions::Regions::build(s),
        dbs: None,
        fans: super::fanout::Fans::build(s),
    };
    super::databases::build(&mut sim);
    if super::ordering::scenario_has_keys(s) {
        for n in &mut sim.nodes {
            if let KindRt::Worker(w) = &mut n.rt {
                w.order = Some(Box::default());
            }
        }
    }
    super::exchanges::build(&mut sim);
    super::logs::build(&mut sim);
    super::topics::add_durable_backlogs(&mut sim);
    super::browsers::connect_all(&mut sim);
    // Faults and changes go through the same calls as live actions, so a
    // recorded action replays exactly as it ran.
    for f in &s.faults {
        super::timed::add_fault(&mut sim, f);
    }
    for i in 0..s.changes.len() {
        super::timed::add_change(&mut sim, i);
    }
    super::replicas::start_checks(&mut sim);
    for i in 0..sim.nodes.len() as u32 {
        super::clients::start(&mut sim, i);
    }
    let first_tick: Micros = sim.bucket_us;
    if first_tick <= sim.end {
        sim.schedule(first_tick, Ev::Tick);
    }
    sim
}

pub(super) fn kind_rt(n: &crate::engine::format::NodeSpec, dead_letter: u32, seed: u64) -> KindRt {
    match n.kind {
        NodeKind::Client => {
            let mut schedule: Vec<(Micros, f64)> =
                n.schedule.iter().flatten().map(|(at, r)| (ms_to_us(*at), *r)).collect();
            // By time; steps at the same time keep their order (the last wins).
            let by_time = ordered(schedule.iter().enumerate().map(|(i, (at, r))| ((*at, i), *r)));
            schedule = by_time.into_iter().map(|((at, _), r)| (at, r)).collect();
            KindRt::Client(ClientRt {
                rate_per_s: n.rate_per_s.unwrap_or(d::CLIENT_RATE_PER_S),
                mean_gap_us: 1e6 / n.rate_per_s.unwrap_or(d::CLIENT_RATE_PER_S),
                arrival: n.arrival.unwrap_or_default(),
                schedule,
                generation: 0,
                keys: n.keys.unwrap_or(0),
                poison_rate: n.poison_rate.unwrap_or(0.0),
                tag_rng: (n.keys.unwrap_or(0) > 0 || n.poison_rate.unwrap_or(0.0) > 0.0)
                    .then(|| Box::new(Stream::new(seed, &format!("{}#tags", n.id)))),
                fraction: 0,
            })
        }
        NodeKind::Service | NodeKind::Saga | NodeKind::Websocket => {
            let unbounded = n.kind != NodeKind::Service && n.workers.is_none();
            let work_default = if n.kind == NodeKind::Service { d::SERVICE_WORK_MS } else { d::SAGA_WORK_MS };
            KindRt::Worker(WorkerRt {
                workers: if unbounded { u32::MAX } else { n.workers.unwrap_or(d::SERVICE_WORKERS) },
                busy: 0,
                backlog: VecDeque::new(),
                backlog_cap: n.backlog.unwrap_or(u64::MAX),
                work: n.work_ms.unwrap_or(Dist::Const(work_default)),
                error_rate: n.error_rate.unwrap_or(0.0),
                idempotent: n.idempotent.unwrap_or(false),
                seen: None,
                consumes: Vec::new(),
                next_consume: 0,
                outbox: BTreeMap::new(),
                outbox_by_msg: BTreeMap::new(),
                has_outbox: false,
                job_timeout_us: n.job_timeout_ms.map(ms_to_us),
                logs: Vec::new(),
                order: None,
                accept_per_s: n.accept_per_s.map_or(u32::MAX, |a| a.min(u32::MAX as f64) as u32),
                accepted: (0, 0),
            })
        }
        NodeKind::Database => KindRt::Worker(WorkerRt {
            workers: n.workers.unwrap_or(d::DATABASE_WORKERS),
            busy: 0,
            backlog: VecDeque::new(),
            backlog_cap: u64::MAX,
            work: n.work_ms.unwrap_or(Dist::Const(d::DATABASE_WORK_MS)),
            error_rate: 0.0,
            idempotent: true,
            seen: None,
            consumes: Vec::new(),
            next_consume: 0,
            outbox: BTreeMap::new(),
            outbox_by_msg: BTreeMap::new(),
            has_outbox: false,
            job_timeout_us: None,
            logs: Vec::new(),
            order: None,
            accept_per_s: u32::MAX,
            accepted: (0, 0),
        }),
        NodeKind::Queue => KindRt::Queue(queue_rt(n, dead_letter)),
        NodeKind::Topic => KindRt::Topic(TopicRt {
            durable: n.delivery.unwrap_or_default() == Delivery::Durable,
            subscriptions: Vec::new(),
            log: None,
        }),
        NodeKind::Exchange => KindRt::Exchange(super::exchanges::ExchangeRt::new(n)),
        NodeKind::Browser => KindRt::Browser(BrowserRt {
            users: n.users.unwrap_or(d::BROWSER_USERS),
            servers: Vec::new(),
            conn: Vec::new(),
            attempts: Vec::new(),
            per_server: Vec::new(),
            connected: 0,
            // Set from the browser's own `reconnect_ms` or, failing that, its
            // servers' (see `browsers::connect_all`).
            reconnect_us: n.reconnect_ms.map(ms_to_us).unwrap_or(Micros::MAX),
            jitter: n.reconnect_jitter.unwrap_or(true),
            held: BTreeMap::new(),
            pending_poll: BTreeMap::new(),
            presence: super::presence::PresenceRt::from_spec(n),
            store: None,
            waiting_results: 0,
        }),
    }
}

/// A link's runtime from its spec, with the documented defaults.
pub(super) fn link_rt(l: &crate::engine::format::LinkSpec, from: u32, to: u32, seed: u64) -> LinkRt {
    LinkRt {
        id: l.id.clone(),
        via: l.via,
        from,
        to,
        latency: l.latency_ms.unwrap_or(Dist::Const(match l.via {
            Via::Http => d::HTTP_LATENCY_MS,
            Via::Grpc => d::GRPC_LATENCY_MS,
            Via::Write | Via::Read => d::DATABASE_LATENCY_MS,
            _ => d::LINK_LATENCY_MS,
        })),
        timeout_us: match (l.timeout_ms, l.via) {
            (Some(t), _) => Some(ms_to_us(t)),
            (None, Via::RequestReply) => Some(ms_to_us(d::REQUEST_REPLY_TIMEOUT_MS)),
            (None, _) => None,
        },
        retry: RetryPolicy::from_spec(l.retry.as_ref()),
        breaker: l.circuit_breaker.as_ref().map(|b| Breaker::new(BreakerConfig::from_spec(b))),
        optional: l.optional.unwrap_or(false),
        outbox: l.outbox.unwrap_or(false),
        interval_us: ms_to_us(l.interval_ms.unwrap_or(d::POLL_INTERVAL_MS)).max(1),
        rng: Stream::new(seed, &l.id),
        partitioned: 0,
        slow: 1.0,
        ledger: MessageCounts::default(),
        deliveries: MessageCounts::default(),
        prefetch: if l.via == Via::Consume { l.prefetch } else { None },
        unacked: 0,
        redelivery_us: (l.via == Via::Consume).then_some(l.redelivery_delay_ms).flatten().map(ms_to_us),
        routing: None,
        store_us: (l.via == Via::Push && l.store_and_forward == Some(true))
            .then(|| ms_to_us(l.retention_ms.unwrap_or(d::STORE_RETENTION_MS))),
        // Set by `build` (it needs the receiving node) and by `exchanges::build`.
        keyed_send: false,
    }
}

/// A queue's runtime; also used for a durable subscription's hidden backlog.
pub(super) fn queue_rt(n: &crate::engine::format::NodeSpec, dead_letter: u32) -> QueueRt {
    let persistence = n.persistence.unwrap_or(Persistence::Memory);
    QueueRt {
        ready: VecDeque::new(),
        capacity: n.capacity.unwrap_or(u64::MAX),
        max_deliveries: n.max_deliveries.unwrap_or(d::QUEUE_MAX_DELIVERIES),
        dead_letter,
        visibility_us: n.visibility_timeout_ms.map(ms_to_us),
        redelivery_us: ms_to_us(n.redelivery_delay_ms.unwrap_or(d::QUEUE_REDELIVERY_DELAY_MS)),
        persistence,
        snapshot_us: ms_to_us(n.snapshot_every_ms.unwrap_or(d::SNAPSHOT_EVERY_MS)).max(1),
        consumers: Vec::new(),
        next_consumer: 0,
        unacked: 0,
        owner: NONE,
        fifo: (n.kind == NodeKind::Queue && n.fifo == Some(true))
            .then(|| Box::new(super::fifo::FifoRt::new(ms_to_us(n.dedup_window_ms.unwrap_or(d::DEDUP_WINDOW_MS))))),
        counted: 0,
    }
}

/// Whether a fault kind makes sense on its target (validation already
/// refused the rest; this keeps live injection honest too).
pub(super) fn fault_fits(kind: FaultKind, target: Target) -> bool {
    !matches!(
        (kind, target),
        (FaultKind::Crash | FaultKind::Errors, Target::Link(_))
            | (FaultKind::Partition | FaultKind::Replay, Target::Replica(_))
            | (FaultKind::Replay, Target::Node(_) | Target::Region(_))
    )
}
