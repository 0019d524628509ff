//! Property tests over random valid scenarios of every node and link kind,
//! with random faults: no panic, every message and request accounted for
//! (checked against the live state during the run), the same seed gives
//! the same run hash and another seed another. The brokers' kinds and
//! fields are in the mix: keys, poison, job timeouts, FIFO queues, log
//! topics with consumer groups and replays, exchanges with bindings and
//! alternates, prefetch, presence and store-and-forward.

mod common;
use crosstalk::engine::format::{self, wiring, FaultKind, NodeKind, Scenario, Via};
use crosstalk::engine::{Sim, SimOptions};
use proptest::prelude::*;
use serde_json::{json, Value};

/// A tiny deterministic generator for building scenarios from one number.
struct Dice(u64);

impl Dice {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        let z = self.0 ^ (self.0 >> 33);
        z.wrapping_mul(0xff51afd7ed558ccd) ^ (z >> 29)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
    fn pick<'a, T>(&mut self, xs: &'a [T]) -> &'a T {
        &xs[self.below(xs.len() as u64) as usize]
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
}

fn dist(d: &mut Dice) -> Value {
    match d.below(5) {
        0 => json!(d.below(30) + 1),
        1 => json!({ "exp": d.below(30) + 1 }),
        2 => json!({ "uniform": [1, d.below(40) + 2] }),
        3 => json!({ "normal": [d.below(20) + 5, 3] }),
        _ => json!({ "lognormal": { "p50": 5, "p99": d.below(100) + 6 } }),
    }
}

/// A random valid scenario: links only go from earlier to later nodes, so
/// there is never a cycle; the first node is always a Poisson client.
fn random_scenario(recipe: u64) -> Scenario {
    let mut d = Dice(recipe);
    let n = 2 + d.below(8) as usize;
    let mut nodes = vec![json!({"id":"n0","kind":"client","rate_per_s": 5 + d.below(150)})];
    let mut kinds = vec![NodeKind::Client];
    for i in 1..n {
        let kind = *d.pick(&NodeKind::ALL);
        let mut node = json!({"id": format!("n{i}"), "kind": kind.as_str()});
        let o = node.as_object_mut().unwrap();
        match kind {
            NodeKind::Client => {
                o.insert("rate_per_s".into(), json!(d.below(100)));
                if d.chance(30) {
                    o.insert("arrival".into(), json!("uniform"));
                }
                if d.chance(30) {
                    o.insert("schedule".into(), json!([[1000, d.below(200)], [3000, 0]]));
                }
                client_tags(&mut d, o);
            }
            NodeKind::Service | NodeKind::Saga => {
                o.insert("workers".into(), json!(1 + d.below(8)));
                o.insert("work_ms".into(), dist(&mut d));
                if d.chance(50) {
                    o.insert("error_rate".into(), json!(d.below(40) as f64 / 100.0));
                }
                if d.chance(30) {
                    o.insert("backlog".into(), json!(d.below(20)));
                }
                if kind == NodeKind::Service && d.chance(50) {
                    o.insert("idempotent".into(), json!(true));
                }
                if kind == NodeKind::Service && d.chance(30) {
                    o.insert("job_timeout_ms".into(), json!(5 + d.below(200)));
                }
            }
            NodeKind::Database => {
                o.insert("workers".into(), json!(1 + d.below(6)));
                o.insert("replicas".into(), json!(d.below(3)));
                o.insert("replication_lag_ms".into(), dist(&mut d));
            }
            NodeKind::Queue => {
                if d.chance(40) {
                    o.insert("capacity".into(), json!(1 + d.below(50)));
                }
                o.insert("max_deliveries".into(), json!(1 + d.below(4)));
                if d.chance(40) {
                    o.insert("visibility_timeout_ms".into(), json!(20 + d.below(200)));
                }
                if d.chance(40) {
                    o.insert("redelivery_delay_ms".into(), json!(d.below(100)));
                }
                o.insert("persistence".into(), json!(*d.pick(&["memory", "aof_always", "aof_everysec", "snapshot"])));
                if d.chance(30) {
                    o.insert("fifo".into(), json!(true));
                    if d.chance(50) {
                        o.insert("dedup_window_ms".into(), json!(100 + d.below(5000)));
                    }
                }
            }
            NodeKind::Topic => {
                let delivery = *d.pick(&["at_most_once", "durable", "log", "log"]);
                o.insert("delivery".into(), json!(delivery));
                if delivery == "log" {
                    o.insert("partitions".into(), json!(1 + d.below(6)));
                    if d.chance(40) {
                        o.insert("retention_ms".into(), json!(100 + d.below(3000)));
                    }
                }
            }
            NodeKind::Exchange => {
                o.insert("type".into(), json!(*d.pick(&["direct", "topic", "fanout"])));
            }
            NodeKind::Websocket => {
                o.insert("reconnect_ms".into(), json!(50 + d.below(500)));
            }
            NodeKind::Browser => {
                o.insert("users".into(), json!(1 + d.below(50)));
                if d.chance(40) {
                    o.insert("online_ms".into(), dist(&mut d));
                    o.insert("offline_ms".into(), json!({ "exp": 10 + d.below(500) }));
                }
            }
        }
        nodes.push(node);
        kinds.push(kind);
    }
    // Dead-letter queues: a later queue (FIFO for a FIFO queue) or exchange;
    // alternates: a later queue or exchange.
    let fifo = |nodes: &Vec<Value>, j: usize| nodes[j]["fifo"] == json!(true);
    for i in 0..n {
        if kinds[i] == NodeKind::Queue && d.chance(50) {
            let is_fifo = fifo(&nodes, i);
            let target = (i + 1..n).find(|j| match kinds[*j] {
                NodeKind::Queue => fifo(&nodes, *j) == is_fifo || !is_fifo,
                NodeKind::Exchange => !is_fifo,
                _ => false,
            });
            if let Some(j) = target {
                nodes[i].as_object_mut().unwrap().insert("dead_letter".into(), json!(format!("n{j}")));
            }
        }
        if kinds[i] == NodeKind::Exchange && d.chance(50) {
            if let Some(j) = (i + 1..n).find(|j| matches!(kinds[*j], NodeKind::Queue | NodeKind::Exchange)) {
                nodes[i].as_object_mut().unwrap().insert("alternate".into(), json!(format!("n{j}")));
            }
        }
    }
    let is_log = |nodes: &Vec<Value>, i: usize| nodes[i]["delivery"] == json!("log");
    let mut links = Vec::new();
    for i in 0..n {
        for j in i + 1..n {
            let choices = wiring::choices(kinds[i], kinds[j]);
            if choices.is_empty() || !d.chance(45) {
                continue;
            }
            let via = *d.pick(&choices);
            let mut l =
                json!({"id": format!("l{i}_{j}"), "from": format!("n{i}"), "to": format!("n{j}"), "via": via.as_str()});
            let o = l.as_object_mut().unwrap();
            if d.chance(40) {
                o.insert("latency_ms".into(), dist(&mut d));
            }
            if matches!(via, Via::Http | Via::Grpc | Via::SagaStep | Via::RequestReply) && d.chance(60) {
                o.insert("timeout_ms".into(), json!(20 + d.below(300)));
            }
            if matches!(via, Via::Http | Via::Grpc | Via::SagaStep) {
                if d.chance(50) {
                    let jitter = *d.pick(&["none", "full", "equal", "decorrelated"]);
                    o.insert(
                        "retry".into(),
                        json!({"attempts": 1 + d.below(4), "base_ms": 1 + d.below(50), "jitter": jitter}),
                    );
                }
                if d.chance(30) {
                    o.insert("circuit_breaker".into(), json!({"window": 1 + d.below(20), "min_calls": 1 + d.below(20), "open_ms": 10 + d.below(500), "half_open_calls": 1 + d.below(5)}));
                }
                if d.chance(20) {
                    o.insert("optional".into(), json!(true));
                }
            }
            if matches!(via, Via::Enqueue | Via::Publish) && d.chance(40) {
                o.insert("outbox".into(), json!(true));
            }
            if via == Via::Poll {
                o.insert("interval_ms".into(), json!(50 + d.below(500)));
            }
            broker_link(&mut d, o, via, kinds[j], is_log(&nodes, i));
            links.push(l);
        }
    }
    let mut faults = Vec::new();
    let targets: Vec<String> =
        (0..n).map(|i| format!("n{i}")).chain(links.iter().map(|l| l["id"].as_str().unwrap().to_string())).collect();
    let log_subscriptions: Vec<String> = links
        .iter()
        .filter(|l| l["via"] == json!("subscribe"))
        .filter(|l| is_log(&nodes, l["from"].as_str().unwrap()[1..].parse().unwrap()))
        .map(|l| l["id"].as_str().unwrap().to_string())
        .collect();
    for _ in 0..d.below(4) {
        let target = d.pick(&targets).clone();
        let is_link = target.starts_with('l');
        let kind = if log_subscriptions.contains(&target) {
            *d.pick(&[FaultKind::Partition, FaultKind::Slow, FaultKind::Replay, FaultKind::Replay])
        } else if is_link {
            *d.pick(&[FaultKind::Partition, FaultKind::Slow])
        } else {
            *d.pick(&[FaultKind::Crash, FaultKind::Slow, FaultKind::Errors, FaultKind::Partition])
        };
        let mut f = json!({"target": target, "kind": kind.as_str(), "at_ms": d.below(3000)});
        let o = f.as_object_mut().unwrap();
        if d.chance(80) {
            o.insert("for_ms".into(), json!(1 + d.below(2000)));
        }
        match kind {
            FaultKind::Slow => {
                o.insert("factor".into(), json!(1 + d.below(10)));
            }
            FaultKind::Errors => {
                o.insert("rate".into(), json!(d.below(100) as f64 / 100.0));
            }
            _ => {}
        }
        faults.push(f);
    }
    let doc = json!({
        "crosstalk": 1, "seed": d.next() % 1000, "duration_ms": 1000 + d.below(5000),
        "nodes": nodes, "links": links, "faults": faults,
    });
    match format::from_value_checked(doc.clone()) {
        Ok(s) => s,
        Err(e) => panic!("generator made an invalid scenario ({e}):\n{doc}"),
    }
}

/// Keys and poison on a client.
fn client_tags(d: &mut Dice, o: &mut serde_json::Map<String, Value>) {
    if d.chance(40) {
        o.insert("keys".into(), json!(1 + d.below(20)));
    }
    if d.chance(20) {
        o.insert("poison_rate".into(), json!(d.below(20) as f64 / 100.0));
    }
}

/// The broker fields of a link of `via` ending at a node of kind `to`.
fn broker_link(d: &mut Dice, o: &mut serde_json::Map<String, Value>, via: Via, to: NodeKind, from_log: bool) {
    const WORDS: &[&str] = &["a.b", "a.c", "x", "a.b.c", "", "b"];
    const PATTERNS: &[&str] = &["#", "a.*", "*.b", "a.#", "x", "", "*", "#.c"];
    match via {
        Via::Publish if to == NodeKind::Exchange && d.chance(70) => {
            let keys: Vec<Value> = (0..1 + d.below(3)).map(|_| json!([*d.pick(WORDS), 1 + d.below(5)])).collect();
            o.insert("routing_keys".into(), json!(keys));
        }
        Via::Bind if d.chance(80) => {
            o.insert("pattern".into(), json!(*d.pick(PATTERNS)));
        }
        Via::Consume if d.chance(30) => {
            o.insert("prefetch".into(), json!(1 + d.below(10)));
        }
        Via::Subscribe if from_log => {
            if d.chance(60) {
                o.insert("group".into(), json!(*d.pick(&["g1", "g2"])));
            }
            if d.chance(70) {
                o.insert("commit".into(), json!(*d.pick(&["auto", "after_processing", "before_processing"])));
            }
            if d.chance(40) {
                o.insert("session_timeout_ms".into(), json!(100 + d.below(2000)));
            }
            if d.chance(40) {
                o.insert("commit_every_ms".into(), json!(50 + d.below(2000)));
            }
            if d.chance(40) {
                o.insert("rebalance_ms".into(), json!(d.below(500)));
            }
        }
        Via::Push if d.chance(50) => {
            o.insert("store_and_forward".into(), json!(true));
            if d.chance(50) {
                o.insert("retention_ms".into(), json!(50 + d.below(3000)));
            }
        }
        _ => {}
    }
}

fn run_checked(s: &Scenario, inject: bool) -> (u64, crosstalk::engine::report::Report) {
    let mut sim = Sim::new(s, SimOptions { keep_traces: 50, track_tokens: true, series: true }).expect("valid");
    let slice = sim.end_us() / 7 + 1;
    let mut t = 0;
    let mut tokens = Vec::new();
    while !sim.is_finished() {
        t += slice;
        sim.advance_to(t, u64::MAX);
        if let Err(e) = sim.audit() {
            panic!("{e}\nscenario: {}", s.to_json());
        }
        sim.tokens(&mut tokens);
        assert!(tokens.iter().all(|k| (0.0..=1.0).contains(&k.progress)));
        if inject && t == slice {
            let target = s.nodes.last().unwrap().id.clone();
            let crash = format::FaultSpec {
                target: target.clone(),
                kind: FaultKind::Crash,
                at_ms: 0.0,
                for_ms: Some(300.0),
                factor: None,
                rate: None,
            };
            sim.inject(crash).expect("a crash fits any node");
            sim.clear_faults(&s.nodes[0].id);
        }
        let _ = sim.node_live();
        let _ = sim.link_live();
        for id in sim.recent_traces() {
            assert!(sim.trace(id).is_some());
        }
    }
    let r = sim.report();
    assert_eq!(r.messages.sent, r.messages.accounted(), "{}", s.to_json());
    (sim.run_hash(), r)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn random_scenarios_account_for_every_message(recipe in any::<u64>()) {
        let s = random_scenario(recipe);
        run_checked(&s, false);
    }

    #[test]
    fn live_faults_keep_the_books_balanced(recipe in any::<u64>()) {
        let s = random_scenario(recipe);
        run_checked(&s, true);
    }

    #[test]
    fn same_seed_same_run_other_seed_other_run(recipe in any::<u64>()) {
        let s = random_scenario(recipe);
        let (a, ra) = run_checked(&s, false);
        let (b, _) = run_checked(&s, false);
        prop_assert_eq!(a, b, "same seed, different hash: {}", s.to_json());
        // Tokens and traces are views: they must not change the run.
        let mut plain = Sim::new(&s, SimOptions::default()).unwrap();
        plain.run_to_end();
        prop_assert_eq!(plain.run_hash(), a);
        if ra.requests.started > 0 {
            let mut other = s.clone();
            other.seed = s.seed.wrapping_add(1);
            let (c, _) = run_checked(&other, false);
            prop_assert_ne!(a, c, "seed {} and {} gave the same run: {}", s.seed, other.seed, s.to_json());
        }
    }
}

/// A scenario with every broker in one diagram and random settings: keyed
/// and poisoned requests, a log with consumer groups (one a queue), an
/// exchange with bindings, an alternate and a dead-letter exchange, FIFO
/// queues, prefetch, job timeouts, and browsers that come and go behind a
/// store-and-forward push; faults anywhere, replays included.
fn broker_scenario(recipe: u64) -> Scenario {
    let mut d = Dice(recipe);
    let pick = |d: &mut Dice, xs: &[&str]| xs[d.below(xs.len() as u64) as usize].to_string();
    let commit = |d: &mut Dice| pick(d, &["auto", "after_processing", "before_processing"]);
    let fifo = d.chance(50);
    let doc = json!({
        "crosstalk": 1, "seed": d.next() % 1000, "duration_ms": 2000 + d.below(6000),
        "nodes": [
            {"id": "c", "kind": "client", "rate_per_s": 20 + d.below(300), "keys": 1 + d.below(30), "poison_rate": d.below(10) as f64 / 100.0},
            {"id": "api", "kind": "service", "workers": 1 + d.below(16), "work_ms": {"exp": 1 + d.below(5)}},
            {"id": "log", "kind": "topic", "delivery": "log", "partitions": 1 + d.below(6), "retention_ms": 100 + d.below(3000)},
            {"id": "m1", "kind": "service", "workers": 1 + d.below(4), "work_ms": {"exp": 1 + d.below(20)}, "error_rate": d.below(30) as f64 / 100.0, "job_timeout_ms": 50 + d.below(200)},
            {"id": "m2", "kind": "service", "workers": 1 + d.below(4), "work_ms": {"exp": 1 + d.below(20)}},
            {"id": "sink", "kind": "queue", "fifo": fifo, "max_deliveries": 1 + d.below(3), "dead_letter": if fifo { "fdlq" } else { "dlx" }},
            {"id": "fdlq", "kind": "queue", "fifo": true},
            {"id": "x", "kind": "exchange", "type": pick(&mut d, &["direct", "topic", "fanout"]), "alternate": "alt"},
            {"id": "alt", "kind": "queue"},
            {"id": "dlx", "kind": "exchange", "type": "fanout"},
            {"id": "dead", "kind": "queue"},
            {"id": "q1", "kind": "queue", "fifo": d.chance(40), "max_deliveries": 1 + d.below(3), "redelivery_delay_ms": d.below(50), "visibility_timeout_ms": 20 + d.below(300)},
            {"id": "w", "kind": "service", "workers": 1 + d.below(8), "work_ms": {"exp": 1 + d.below(20)}, "error_rate": d.below(30) as f64 / 100.0, "job_timeout_ms": 30 + d.below(200)},
            {"id": "ws", "kind": "websocket"},
            {"id": "b", "kind": "browser", "users": 1 + d.below(40), "online_ms": {"exp": 50 + d.below(2000)}, "offline_ms": {"exp": 50 + d.below(2000)}}
        ],
        "links": [
            {"id": "l1", "from": "c", "to": "api", "via": "http", "timeout_ms": 100 + d.below(500)},
            {"id": "l2", "from": "api", "to": "log", "via": "publish"},
            {"id": "l3", "from": "api", "to": "x", "via": "publish", "outbox": d.chance(30),
             "routing_keys": [["a.b", 1 + d.below(5)], ["a.c", 1 + d.below(5)], ["zz", 1]]},
            {"id": "s1", "from": "log", "to": "m1", "via": "subscribe", "group": "g1", "commit": commit(&mut d),
             "session_timeout_ms": 100 + d.below(1000), "rebalance_ms": d.below(300), "commit_every_ms": 50 + d.below(500)},
            {"id": "s2", "from": "log", "to": "m2", "via": "subscribe", "group": pick(&mut d, &["g1", "g2"]), "commit": commit(&mut d)},
            {"id": "s3", "from": "log", "to": "sink", "via": "subscribe"},
            {"id": "k1", "from": "sink", "to": "w", "via": "consume", "prefetch": 1 + d.below(5)},
            {"id": "b1", "from": "x", "to": "q1", "via": "bind", "pattern": pick(&mut d, &["a.*", "#", "a.b", "*.c", "a"])},
            {"id": "k2", "from": "q1", "to": "w", "via": "consume", "prefetch": 1 + d.below(20)},
            {"id": "b2", "from": "dlx", "to": "dead", "via": "bind"},
            {"id": "p1", "from": "m2", "to": "ws", "via": "http"},
            {"id": "p2", "from": "ws", "to": "b", "via": "push", "store_and_forward": d.chance(70), "retention_ms": 100 + d.below(2000)}
        ],
        "faults": (0..d.below(5)).map(|_| {
            let target = pick(&mut d, &["m1", "m2", "w", "x", "log", "q1", "sink", "ws", "b", "s1", "s2", "api"]);
            let kind = match target.as_str() {
                "s1" | "s2" => "replay",
                _ => "crash",
            };
            json!({"target": target, "kind": kind, "at_ms": d.below(3000), "for_ms": 1 + d.below(1500)})
        }).collect::<Vec<_>>()
    });
    match format::from_value_checked(doc.clone()) {
        Ok(s) => s,
        Err(e) => panic!("generator made an invalid scenario ({e}):\n{doc}"),
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

    #[test]
    fn every_broker_at_once_keeps_the_books_and_replays(recipe in any::<u64>()) {
        let s = broker_scenario(recipe);
        let (a, _) = run_checked(&s, recipe % 2 == 0);
        let (b, _) = run_checked(&s, recipe % 2 == 0);
        prop_assert_eq!(a, b, "same seed, different hash: {}", s.to_json());
    }
}

/// A changeable field of `s` and a value for it, picked by `r`.
fn random_change(s: &Scenario, r: u64) -> Option<(String, &'static str, Value)> {
    let n = s.nodes.len() + s.links.len();
    if n == 0 {
        return None;
    }
    let i = (r % n as u64) as usize;
    let v = (r >> 8) % 8;
    if let Some(node) = s.nodes.get(i) {
        let (field, value) = match node.kind {
            NodeKind::Client => ("rate_per_s", json!(v as f64 * 7.0)),
            NodeKind::Service => ("workers", json!(v + 1)),
            NodeKind::Saga => ("error_rate", json!(v as f64 / 8.0)),
            NodeKind::Queue => ("max_deliveries", json!(v + 1)),
            NodeKind::Topic => ("persistence", json!("aof_always")),
            NodeKind::Websocket | NodeKind::Browser => ("reconnect_ms", json!(100 + v * 50)),
            // An exchange has nothing that may change during a run.
            NodeKind::Exchange => return None,
            NodeKind::Database => ("replication_lag_ms", json!(v * 20)),
        };
        return Some((node.id.clone(), field, value));
    }
    let l = &s.links[i - s.nodes.len()];
    let (field, value) = if l.via.is_sync_call() {
        if v.is_multiple_of(2) {
            ("timeout_ms", json!(5 + v * 40))
        } else {
            ("retry.attempts", json!(v % 4 + 1))
        }
    } else {
        ("latency_ms", json!({"exp": v as f64}))
    };
    Some((l.id.clone(), field, value))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    /// Changes made live keep every message accounted for, and the scenario
    /// that records them replays the same run; design warnings never panic.
    #[test]
    fn live_changes_keep_the_books_and_replay(recipe in any::<u64>()) {
        let s = random_scenario(recipe);
        let _ = crosstalk::engine::lint::lint(&s);
        let mut live = Sim::new(&s, SimOptions::interactive()).expect("valid");
        let mut x = recipe | 1;
        let mut rnd = move || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        let end = live.end_us();
        let mut at = 0;
        for _ in 0..4 {
            at += rnd() % (end / 4).max(1);
            live.advance_to(at.min(end), rnd() % 400 + 1);
            if let Some((target, field, value)) = random_change(&s, rnd()) {
                if live.is_finished() {
                    break;
                }
                live.change_now(&target, field, value).unwrap_or_else(|e| panic!("{e}: {}", s.to_json()));
            }
            if let Err(e) = live.audit() {
                panic!("{e}\nscenario: {}", live.scenario().to_json());
            }
        }
        live.run_to_end();
        if let Err(e) = live.audit() {
            panic!("{e}\nscenario: {}", live.scenario().to_json());
        }
        let mut replay = Sim::new(live.scenario(), SimOptions::default()).expect("what was recorded is valid");
        replay.run_to_end();
        prop_assert_eq!(replay.run_hash(), live.run_hash(), "{}", live.scenario().to_json());
    }
}
