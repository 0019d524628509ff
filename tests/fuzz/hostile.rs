//! A structured generator of hostile scenarios: documents shaped like real
//! ones (every node kind and link kind, faults, schedules) whose values come
//! from where bugs live: zero, the smallest and largest numbers a field
//! takes, just past its cap, fractions of a microsecond, a day, 1e-20 and
//! 1e300; and whose wiring includes the runaway patterns issue 12 found
//! (fan-out chains, dead-letter loops, topics with many subscribers, a
//! million polled users, stacked slow faults, rates that drop to nothing).
//! Random bytes rarely get past the JSON parser; these reach the engine.

use serde_json::{json, Map, Value};

/// A small, seeded, portable generator (PCG-style LCG with a mixer): the
/// same input number gives the same input everywhere.
pub struct Dice(u64);

impl Dice {
    pub fn new(seed: u64) -> Dice {
        let mut d = Dice(seed ^ 0x9e37_79b9_7f4a_7c15);
        d.next();
        d
    }
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        let z = self.0 ^ (self.0 >> 33);
        z.wrapping_mul(0xff51afd7ed558ccd) ^ (z >> 29)
    }
    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
    pub fn index(&mut self, n: usize) -> usize {
        self.below(n as u64) as usize
    }
    pub fn pick<'a, T>(&mut self, xs: &'a [T]) -> &'a T {
        &xs[self.index(xs.len())]
    }
    pub fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
    pub fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
}

const NODE_KINDS: [&str; 7] = ["client", "service", "queue", "topic", "websocket", "browser", "saga"];
const VIAS: [&str; 11] =
    ["http", "grpc", "enqueue", "consume", "publish", "subscribe", "push", "sse", "poll", "saga_step", "request_reply"];

/// A value outside what the field accepts: rare, so that most scenarios
/// still get past validation and reach the engine.
fn invalid(d: &mut Dice) -> bool {
    d.chance(2)
}

/// A duration in ms: mostly ordinary, often extreme, rarely invalid.
pub fn ms(d: &mut Dice) -> Value {
    if invalid(d) {
        return json!(*d.pick(&[86_400_001.0, 1e300, -1.0]));
    }
    match d.below(14) {
        0 => json!(0),
        1 => json!(0.0004),
        2 => json!(0.0006),
        3 => json!(0.001),
        4 => json!(86_400_000),
        5 => json!(5e-324),
        6 => json!(0.5),
        _ => json!(d.below(500) as f64 + d.unit()),
    }
}

/// A rate per second: ordinary, at the cap, or vanishingly small.
fn rate(d: &mut Dice) -> Value {
    if invalid(d) {
        return json!(*d.pick(&[1_000_001.0, -5.0, 1e308]));
    }
    match d.below(14) {
        0 => json!(0),
        1 => json!(1e-20),
        2 => json!(1e-14),
        3 => json!(1_000_000),
        4 => json!(333_333.3),
        5 => json!(d.below(1_000_000)),
        _ => json!(d.below(2000)),
    }
}

/// A whole number field: ordinary, at its cap, or written as a float.
fn whole(d: &mut Dice, cap: u64) -> Value {
    if invalid(d) {
        return json!(*d.pick(&[json!(0), json!(cap + 1), json!(u64::MAX), json!(1.5)]));
    }
    match d.below(10) {
        0 => json!(cap),
        1 => json!(16.0),
        2 => json!(1),
        _ => json!(1 + d.below(cap.min(64))),
    }
}

pub fn dist(d: &mut Dice) -> Value {
    match d.below(8) {
        0 => ms(d),
        1 => json!({ "exp": ms(d) }),
        2 => {
            let (a, b) = (ms(d), ms(d));
            let ordered = a.as_f64() <= b.as_f64() || invalid(d);
            if ordered {
                json!({ "uniform": [a, b] })
            } else {
                json!({ "uniform": [b, a] })
            }
        }
        3 => json!({ "normal": [ms(d), ms(d)] }),
        4 => {
            let p50 = 0.001 + d.below(100) as f64 * d.unit();
            let p99 = if invalid(d) { p50 / 2.0 } else { p50 * (1.0 + d.below(1000) as f64) };
            json!({ "lognormal": { "p50": p50, "p99": p99 } })
        }
        5 => json!({ "const": ms(d) }),
        _ => json!(d.below(30)),
    }
}

fn id(d: &mut Dice, i: usize) -> String {
    match d.below(1000) {
        0 => String::new(),
        1 => format!("bad id {i}"),
        2 => "x".repeat(65),
        3 => format!("{}{i}", "é"),
        4 => "n0".into(),
        _ => format!("n{i}"),
    }
}

fn label(d: &mut Dice) -> Value {
    match d.below(100) {
        0..=5 => json!("<img src=x onerror=alert(1)>"),
        6 => json!("x".repeat(201)),
        7..=12 => json!("日本語 ✓ \u{202e}rtl"),
        _ => json!(format!("Node {}", d.below(100))),
    }
}

/// One node of `kind` with hostile field values.
fn node(d: &mut Dice, i: usize, kind: &str, users_cap: u64) -> Value {
    let mut o = Map::new();
    o.insert("id".into(), json!(id(d, i)));
    o.insert("kind".into(), json!(kind));
    if d.chance(30) {
        o.insert("label".into(), label(d));
    }
    if d.chance(20) {
        o.insert("x".into(), json!(*d.pick(&[0.0, -1e308, 1e308, 12.5])));
    }
    let put = |o: &mut Map<String, Value>, k: &str, v: Value| {
        o.insert(k.into(), v);
    };
    match kind {
        "client" => {
            put(&mut o, "rate_per_s", rate(d));
            if d.chance(40) {
                put(&mut o, "arrival", json!(*d.pick(&["poisson", "uniform"])));
            }
            if d.chance(40) {
                let steps: Vec<Value> = (0..d.below(5)).map(|_| json!([ms(d), rate(d)])).collect();
                put(&mut o, "schedule", json!(steps));
            }
        }
        "service" | "saga" => {
            if d.chance(80) {
                put(&mut o, "workers", whole(d, 100_000));
            }
            if d.chance(30) {
                put(&mut o, "backlog", whole(d, 1_000));
            }
            if d.chance(70) {
                put(&mut o, "work_ms", dist(d));
            }
            if d.chance(40) {
                let rate = if invalid(d) { *d.pick(&[1.5, -0.1]) } else { *d.pick(&[0.0, 0.5, 1.0, 0.01]) };
                put(&mut o, "error_rate", json!(rate));
            }
            if d.chance(30) {
                put(&mut o, "idempotent", json!(d.chance(50)));
            }
        }
        "queue" => {
            for (k, p) in [("capacity", 30), ("max_deliveries", 50)] {
                if d.chance(p) {
                    put(&mut o, k, whole(d, 1_000));
                }
            }
            for (k, p) in [("visibility_timeout_ms", 30), ("redelivery_delay_ms", 30), ("snapshot_every_ms", 20)] {
                if d.chance(p) {
                    put(&mut o, k, ms(d));
                }
            }
            if d.chance(40) {
                put(&mut o, "persistence", json!(*d.pick(&["memory", "aof_always", "aof_everysec", "snapshot"])));
            }
        }
        "topic" if d.chance(60) => {
            put(&mut o, "delivery", json!(*d.pick(&["at_most_once", "durable"])));
        }
        "websocket" if d.chance(50) => {
            put(&mut o, "reconnect_ms", ms(d));
        }
        "browser" => {
            // A million users now and then: the build and reconnect paths
            // at their cap (rarely: each costs milliseconds).
            let users = if d.chance(2) { json!(users_cap) } else { whole(d, 200) };
            put(&mut o, "users", users);
            if d.chance(40) {
                put(&mut o, "reconnect_ms", ms(d));
            }
        }
        _ => {}
    }
    // A field that does nothing on this kind (a warning, not an error).
    if d.chance(5) {
        put(&mut o, "capacity", json!(3));
    }
    Value::Object(o)
}

fn link(d: &mut Dice, from: &str, to: &str, via: &str, k: usize) -> Value {
    let mut o = Map::new();
    if d.chance(90) {
        o.insert("id".into(), json!(format!("l{k}")));
    }
    o.insert("from".into(), json!(from));
    o.insert("to".into(), json!(to));
    o.insert("via".into(), json!(via));
    if d.chance(40) {
        o.insert("latency_ms".into(), dist(d));
    }
    if d.chance(30) {
        let t = ms(d);
        // Zero is refused ("omit it for no timeout"): usually avoid it.
        o.insert("timeout_ms".into(), if t == json!(0) && !invalid(d) { json!(0.001) } else { t });
    }
    if d.chance(30) {
        let mut r = Map::new();
        r.insert("attempts".into(), whole(d, 20));
        if d.chance(70) {
            r.insert("base_ms".into(), ms(d));
        }
        if d.chance(40) {
            let m = if invalid(d) { *d.pick(&[101.0, 0.5]) } else { *d.pick(&[1.0, 2.0, 100.0]) };
            r.insert("multiplier".into(), json!(m));
        }
        if d.chance(30) {
            r.insert("max_ms".into(), ms(d));
        }
        if d.chance(50) {
            r.insert("jitter".into(), json!(*d.pick(&["none", "full", "equal", "decorrelated"])));
        }
        o.insert("retry".into(), Value::Object(r));
    }
    if d.chance(15) {
        o.insert(
            "circuit_breaker".into(),
            json!({"failure_rate": *d.pick(&[0.5, 1.0, 0.0001]), "window": whole(d, 100_000),
                   "min_calls": whole(d, 100_000), "open_ms": ms(d), "half_open_calls": whole(d, 100)}),
        );
    }
    if d.chance(15) {
        o.insert("optional".into(), json!(d.chance(50)));
    }
    if d.chance(15) {
        o.insert("outbox".into(), json!(d.chance(70)));
    }
    if via == "poll" || d.chance(5) {
        o.insert("interval_ms".into(), ms(d));
    }
    Value::Object(o)
}

/// A hostile scenario as JSON.
pub fn scenario(d: &mut Dice) -> Value {
    let mut nodes = Vec::new();
    let mut links = Vec::new();
    match d.below(20) {
        // Runaway shapes found by issue 12's campaign.
        0 => fan_out_chain(d, &mut nodes, &mut links),
        1 => dead_letter_loop(d, &mut nodes, &mut links),
        2 => wide_topic(d, &mut nodes, &mut links),
        _ => random_graph(d, &mut nodes, &mut links),
    }
    let ids: Vec<String> = nodes
        .iter()
        .filter_map(|n| n["id"].as_str().map(String::from))
        .chain(links.iter().filter_map(|l| l["id"].as_str().map(String::from)))
        .collect();
    let node_ids: Vec<String> = nodes.iter().filter_map(|n| n["id"].as_str().map(String::from)).collect();
    let mut faults = Vec::new();
    for _ in 0..d.below(5) {
        faults.push(fault(d, &ids, &node_ids));
    }
    if d.chance(10) && !ids.is_empty() {
        // Stacked slow faults on one target.
        let target = d.pick(&ids).clone();
        for _ in 0..6 {
            faults.push(json!({"target": target, "kind": "slow", "factor": 1000}));
        }
    }
    let mut doc = json!({
        "crosstalk": 1,
        "seed": d.next(),
        "duration_ms": match d.below(10) { 0 => ms(d), 1 => json!(86_400_000), _ => json!(1 + d.below(5000)) },
        "nodes": nodes, "links": links, "faults": faults,
    });
    if d.chance(20) {
        doc["name"] = label(d);
    }
    doc
}

fn fault(d: &mut Dice, ids: &[String], node_ids: &[String]) -> Value {
    let target = if ids.is_empty() || invalid(d) { "ghost".to_string() } else { d.pick(ids).clone() };
    let on_node = node_ids.contains(&target);
    let kind = if on_node || invalid(d) {
        *d.pick(&["crash", "slow", "errors", "partition", "crash", "slow"])
    } else {
        *d.pick(&["slow", "partition"])
    };
    let mut f = json!({"target": target, "kind": kind, "at_ms": ms(d)});
    if d.chance(70) {
        f["for_ms"] = ms(d);
    }
    match kind {
        "slow" => {
            f["factor"] = json!(if invalid(d) { *d.pick(&[1001.0, 0.0]) } else { *d.pick(&[1000.0, 0.001, 2.0]) })
        }
        "errors" => f["rate"] = json!(if invalid(d) { 2.0 } else { *d.pick(&[0.0, 1.0, 0.3]) }),
        _ => {}
    }
    f
}

/// Nodes of random kinds joined mostly by links their kinds allow.
fn random_graph(d: &mut Dice, nodes: &mut Vec<Value>, links: &mut Vec<Value>) {
    let most = if d.chance(5) { 60 } else { 9 };
    let n = 1 + d.index(most);
    let mut kinds = vec!["client"];
    for _ in 1..n {
        kinds.push(*d.pick(&NODE_KINDS));
    }
    for (i, k) in kinds.iter().enumerate() {
        nodes.push(node(d, i, k, 1_000_000));
    }
    let node_ids: Vec<String> = nodes.iter().map(|x| x["id"].as_str().unwrap_or("").to_string()).collect();
    for i in 0..n {
        if kinds[i] == "queue" && d.chance(30) {
            // Usually a later queue, rarely any node at all (cycles too).
            let later: Vec<usize> = (i + 1..n).filter(|j| kinds[*j] == "queue").collect();
            let j = if invalid(d) {
                d.index(n)
            } else if later.is_empty() {
                continue;
            } else {
                *d.pick(&later)
            };
            nodes[i]["dead_letter"] = json!(node_ids[j]);
        }
    }
    let count = d.below(2 * n as u64 + 2) as usize;
    for k in 0..count {
        // Forwards (no cycles), rarely any way at all.
        let a = d.index(n);
        let b = if !invalid(d) && a + 1 < n { a + 1 + d.index(n - a - 1) } else { d.index(n) };
        if a == b && !invalid(d) {
            continue;
        }
        let via = match allowed_via(d, kinds[a], kinds[b]) {
            Some(via) => via,
            None if invalid(d) => *d.pick(&VIAS),
            None => continue,
        };
        links.push(link(d, &node_ids[a], &node_ids[b], via, k));
    }
}

/// A link kind that joins these two kinds, if one does (usually chosen).
fn allowed_via(d: &mut Dice, from: &str, to: &str) -> Option<&'static str> {
    use crosstalk::engine::format::{wiring, NodeKind};
    let kind = |s: &str| NodeKind::ALL.into_iter().find(|k| k.as_str() == s);
    let choices = wiring::choices(kind(from)?, kind(to)?);
    if choices.is_empty() || invalid(d) {
        return None;
    }
    Some(d.pick(&choices).as_str())
}

/// Services in a line, each calling the next `k` times with no latency.
fn fan_out_chain(d: &mut Dice, nodes: &mut Vec<Value>, links: &mut Vec<Value>) {
    let depth = 2 + d.index(40);
    let k = 1 + d.index(3);
    nodes.push(json!({"id": "c", "kind": "client", "rate_per_s": rate(d)}));
    for i in 0..depth {
        nodes.push(json!({"id": format!("s{i}"), "kind": "service", "workers": 100_000, "work_ms": 0}));
    }
    links.push(json!({"id": "in", "from": "c", "to": "s0", "via": "http", "latency_ms": 0}));
    for i in 0..depth - 1 {
        for j in 0..k {
            links.push(json!({"id": format!("f{i}_{j}"), "from": format!("s{i}"), "to": format!("s{}", i + 1),
                              "via": *d.pick(&["http", "grpc", "enqueue"]), "latency_ms": 0}));
        }
    }
    // An enqueue needs a queue: now and then leave the mistake in.
    if !invalid(d) {
        for l in links.iter_mut().filter(|l| l["via"] == "enqueue") {
            l["via"] = json!("http");
        }
    }
}

/// Two queues that dead-letter into each other, with failing consumers.
fn dead_letter_loop(d: &mut Dice, nodes: &mut Vec<Value>, links: &mut Vec<Value>) {
    nodes.push(json!({"id": "c", "kind": "client", "rate_per_s": rate(d)}));
    nodes.push(json!({"id": "a", "kind": "queue", "dead_letter": "b", "max_deliveries": whole(d, 1000)}));
    nodes.push(json!({"id": "b", "kind": "queue", "dead_letter": if d.chance(70) { "a" } else { "b" }}));
    nodes.push(json!({"id": "s", "kind": "service", "work_ms": 0, "error_rate": 1}));
    nodes.push(json!({"id": "t", "kind": "service", "work_ms": 0, "error_rate": 1}));
    links.push(json!({"from": "c", "to": "a", "via": "enqueue"}));
    links.push(json!({"from": "a", "to": "s", "via": "consume"}));
    links.push(json!({"from": "b", "to": "t", "via": "consume"}));
    if d.chance(50) {
        links.push(json!({"from": "t", "to": "a", "via": "enqueue"}));
    }
}

/// A topic with many subscribers at a high rate.
fn wide_topic(d: &mut Dice, nodes: &mut Vec<Value>, links: &mut Vec<Value>) {
    let most = if d.chance(20) { 497 } else { 40 };
    let subs = 1 + d.index(most);
    nodes.push(json!({"id": "c", "kind": "client", "rate_per_s": rate(d)}));
    nodes.push(json!({"id": "t", "kind": "topic", "delivery": *d.pick(&["at_most_once", "durable"])}));
    links.push(json!({"from": "c", "to": "t", "via": "publish", "outbox": d.chance(30)}));
    for i in 0..subs {
        let kind = *d.pick(&["service", "queue", "websocket", "saga"]);
        nodes.push(json!({"id": format!("s{i}"), "kind": kind}));
        links.push(json!({"from": "t", "to": format!("s{i}"), "via": "subscribe"}));
    }
}
