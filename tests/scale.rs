//! Scale-out against theory: replicas behind a balancer (MODEL.md "Format
//! additions"). Random balancing of Poisson traffic makes independent M/M/1
//! queues; round robin spreads evenly; two choices beat one; a crashed
//! replica keeps its share until `unhealthy_after` failed health checks.

mod common;
use common::{rel, run, run_json, scenario};
use crosstalk::engine::format::{self, Severity};
use crosstalk::engine::{Sim, SimOptions};

/// `users` calling `api` (replicated) over a zero-latency link.
fn replicated(rate: f64, arrival: &str, replicas: u32, workers: u32, work: &str, balance: &str, extra: &str) -> String {
    format!(
        r#"{{"crosstalk":1,"seed":5,"duration_ms":DURATION,
        "nodes":[{{"id":"users","kind":"client","rate_per_s":{rate},"arrival":"{arrival}"}},
                 {{"id":"api","kind":"service","workers":{workers},"work_ms":{work},"replicas":{replicas}{extra}}}],
        "links":[{{"id":"call","from":"users","to":"api","via":"http","latency_ms":0,"balance":"{balance}"}}]}}"#
    )
}

fn with_duration(json: String, ms: f64) -> String {
    json.replace("DURATION", &ms.to_string())
}

#[test]
fn random_balancing_of_poisson_traffic_makes_independent_mm1_queues() {
    // Poisson thinning: each of 3 replicas sees Poisson(80/s); μ = 100/s,
    // so each is M/M/1 with Wq = ρ / (μ - λ) = 40 ms and utilization 0.8.
    let r = run_json(&with_duration(replicated(240.0, "poisson", 3, 1, r#"{"exp":10}"#, "random", ""), 6_000_000.0));
    let api = &r.nodes["api"];
    assert!(rel(api.wait_ms.mean, 40.0) < 0.03, "wait {} ms vs M/M/1 40 ms", api.wait_ms.mean);
    assert!(rel(api.utilization, 0.8) < 0.01, "utilization {}", api.utilization);
    assert_eq!(api.replicas.len(), 3);
    for rep in &api.replicas {
        assert!(rel(rep.utilization, 0.8) < 0.02, "{}: utilization {}", rep.id, rep.utilization);
    }
}

#[test]
fn round_robin_spreads_requests_evenly() {
    let r = run_json(&with_duration(replicated(1000.0, "poisson", 7, 2, "1", "round_robin", ""), 10_000.0));
    let counts: Vec<u64> = r.nodes["api"].replicas.iter().map(|x| x.arrivals).collect();
    let (lo, hi) = (counts.iter().min().copied().unwrap_or(0), counts.iter().max().copied().unwrap_or(0));
    assert!(hi - lo <= 1, "round robin is even to one request: {counts:?}");
    assert_eq!(counts.iter().sum::<u64>(), r.nodes["api"].arrivals);
}

#[test]
fn two_choices_cut_the_tail_that_random_picks_leave() {
    // ρ = 0.9 over 10 single-worker replicas: random picks are 10 M/M/1
    // queues (p99 sojourn = ln(100) / (μ - λ) = 460 ms); the power of two
    // choices keeps queues short (Mitzenmacher), least outstanding shorter.
    let p99 = |balance: &str| {
        let r = run_json(&with_duration(replicated(900.0, "poisson", 10, 1, r#"{"exp":10}"#, balance, ""), 600_000.0));
        r.nodes["api"].latency_ms.p99
    };
    let (random, p2c, least) = (p99("random"), p99("p2c"), p99("least_outstanding"));
    assert!(rel(random, 460.5) < 0.1, "random p99 {random} ms vs M/M/1 460 ms");
    assert!(p2c < random / 3.0, "p2c p99 {p2c} ms vs random {random} ms");
    assert!(least <= p2c * 1.05, "least outstanding p99 {least} ms vs p2c {p2c} ms");
}

/// Uniform arrivals at 300/s over 3 replicas (100/s each, round robin);
/// replica 2 crashes at 10.0005 s for 10 s; checks every second.
fn crash_scenario(checks: &str) -> String {
    let json = replicated(300.0, "uniform", 3, 4, "1", "round_robin", checks);
    let json = with_duration(json, 30_000.0);
    json.replace(r#""links""#, r#""faults":[{"target":"api#2","kind":"crash","at_ms":10000.5,"for_ms":10000}],"links""#)
}

#[test]
fn a_dead_replica_gets_traffic_until_health_checks_notice_and_rejoins_after() {
    let r = run_json(&crash_scenario(r#","health_check_ms":1000,"unhealthy_after":3"#));
    let reps = &r.nodes["api"].replicas;
    // Failed checks at 11, 12 and 13 s: out of rotation at 13 s. From
    // 10.0005 s to 13 s it gets every third request: 3 s at 100/s.
    let refused = reps[1].rejected;
    assert!((298..=301).contains(&refused), "refused by the dead replica: {refused}");
    assert_eq!(reps[0].rejected + reps[2].rejected, 0);
    // Back at the first passing check (21 s): it serves again.
    // 10 s before the crash, 9 s after 21 s: about 1900 served.
    assert!(reps[1].completed > 1_850, "replica 2 served {} after it rejoined", reps[1].completed);
    assert!(reps[1].in_rotation && !reps[1].crashed);
    // Nobody else failed: the others took its share.
    assert_eq!(r.requests.failed, refused);
}

#[test]
fn without_health_checks_a_dead_replica_gets_its_share_for_the_whole_crash() {
    let r = run_json(&crash_scenario(r#","health_check_ms":0"#));
    let refused = r.nodes["api"].replicas[1].rejected;
    // 100/s for 10 s.
    assert!((999..=1001).contains(&refused), "refused {refused}");
}

#[test]
fn a_crash_of_the_service_takes_down_every_replica() {
    let json = crash_scenario("").replace("api#2", "api");
    let r = run_json(&json);
    let reps = &r.nodes["api"].replicas;
    assert!(reps.iter().all(|x| x.rejected > 900), "{reps:?}");
}

#[test]
fn one_replica_runs_exactly_as_no_replicas_field() {
    let base = with_duration(replicated(200.0, "poisson", 1, 2, r#"{"exp":5}"#, "round_robin", ""), 20_000.0);
    let without = base.replace(r#","replicas":1"#, "").replace(r#","balance":"round_robin""#, "");
    assert_ne!(base, without);
    let hash = |j: &str| {
        let mut sim = Sim::new(&scenario(j), SimOptions::default()).expect("valid");
        sim.run_to_end();
        sim.run_hash_hex()
    };
    assert_eq!(hash(&base), hash(&without));
}

#[test]
fn replicated_runs_are_deterministic_and_keep_the_books() {
    let json = crash_scenario(r#","health_check_ms":500"#).replace("round_robin", "p2c");
    let s = scenario(&json);
    let (a, ra) = run(&s);
    let (b, _) = run(&s);
    assert_eq!(a.run_hash(), b.run_hash());
    let sum: u64 = ra.nodes["api"].replicas.iter().map(|x| x.arrivals).sum();
    assert_eq!(sum, ra.nodes["api"].arrivals);
}

#[test]
fn bad_replica_settings_are_refused_naming_the_field() {
    let bad = |json: &str| -> Vec<String> {
        let v: serde_json::Value = serde_json::from_str(json).expect("json");
        let s: format::Scenario = serde_json::from_value(v).expect("shape");
        format::validate(&s).into_iter().filter(|p| p.severity == Severity::Error).map(|p| p.to_string()).collect()
    };
    let json = with_duration(replicated(10.0, "poisson", 3, 1, "1", "round_robin", ""), 1000.0);
    let e = bad(&json.replace(r#""links""#, r#""faults":[{"target":"api#9","kind":"crash"}],"links""#));
    assert!(e.iter().any(|m| m.contains("fault #1") && m.contains("target") && m.contains("3 replicas")), "{e:?}");
    let e = bad(&json.replace(r#""links""#, r#""faults":[{"target":"users#2","kind":"crash"}],"links""#));
    assert!(e.iter().any(|m| m.contains("only services have replicas")), "{e:?}");
    let e = bad(&json.replace(r#""replicas":3"#, r#""replicas":0"#));
    assert!(e.iter().any(|m| m.contains("node `api`") && m.contains("replicas")), "{e:?}");
    let e = bad(&json.replace(r#""replicas":3"#, r#""replicas":3,"unhealthy_after":0"#));
    assert!(e.iter().any(|m| m.contains("unhealthy_after")), "{e:?}");
    assert!(format::parse(&json.replace("round_robin", "fastest")).is_err());
}

#[test]
fn a_live_crash_of_one_replica_is_recorded_and_replays() {
    let json = with_duration(replicated(300.0, "poisson", 3, 2, r#"{"exp":3}"#, "least_outstanding", ""), 20_000.0);
    let s = scenario(&json);
    let mut sim = Sim::new(&s, SimOptions::default()).expect("valid");
    sim.advance_to(5_000_000, u64::MAX);
    let fault = format::FaultSpec {
        target: "api#3".into(),
        kind: format::FaultKind::Crash,
        at_ms: 0.0,
        for_ms: Some(4000.0),
        factor: None,
        rate: None,
    };
    sim.fault_now(fault).expect("a replica can crash live");
    assert!(sim.node_live()[1].replicas[2].crashed);
    sim.run_to_end();
    let mut again = Sim::new(sim.scenario(), SimOptions::default()).expect("valid");
    again.run_to_end();
    assert_eq!(sim.run_hash(), again.run_hash());
}

#[test]
fn every_new_field_survives_a_share_link() {
    let json = with_duration(
        replicated(50.0, "poisson", 3, 2, "1", "p2c", r#","health_check_ms":2000,"unhealthy_after":2"#),
        5_000.0,
    )
    .replace(
        r#""balance":"p2c""#,
        r#""balance":"p2c","connection":"per_request","pool":4,"protocol":"soap","request_kb":2.5,"response_kb":7,"bandwidth_mbps":50"#,
    );
    let s = scenario(&json);
    let back = crosstalk::engine::codec::decode(&crosstalk::engine::codec::encode(&s)).expect("decodes");
    assert_eq!(back, s);
    let hash = |s: &format::Scenario| {
        let mut sim = Sim::new(s, SimOptions::default()).expect("valid");
        sim.run_to_end();
        sim.run_hash()
    };
    assert_eq!(hash(&back), hash(&s));
}
