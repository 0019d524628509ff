//! Replicas x workers against queueing theory, and the scale-out fields
//! under random values: random balancing over c replicas of k workers is c
//! independent M/M/k queues (Erlang C); least outstanding comes close to
//! one M/M/(c·k) pool. Random replicas, balancing, connections, pools,
//! payloads and bandwidths keep the books, replay, and survive a share
//! link; bad values are refused naming the node or link and the field, and
//! the editor keeps the document.

mod common;
use common::{rel, run, run_json, scenario};
use crosstalk::editor::fields;
use crosstalk::engine::codec;
use crosstalk::engine::format::validate::Place;
use crosstalk::engine::format::{self, Scenario, Severity};
use proptest::prelude::*;
use serde_json::json;

/// Erlang C: the probability that an arrival waits in M/M/k with offered
/// load `a` = λ/μ (k > a).
fn erlang_c(k: u32, a: f64) -> f64 {
    let mut term = 1.0; // a^n / n!
    let mut below = 0.0;
    for n in 0..k {
        below += term;
        term *= a / f64::from(n + 1);
    }
    let rho = a / f64::from(k);
    let top = term / (1.0 - rho);
    top / (below + top)
}

/// Mean wait in queue of M/M/k, ms: C(k, a) / (kμ − λ).
fn mmk_wait_ms(k: u32, lambda_per_s: f64, mean_work_ms: f64) -> f64 {
    let mu = 1000.0 / mean_work_ms;
    erlang_c(k, lambda_per_s / mu) / (f64::from(k) * mu - lambda_per_s) * 1000.0
}

fn replicated(balance: &str, duration_ms: f64) -> String {
    // 480/s Poisson over 3 replicas of 2 workers, 10 ms exponential work:
    // ρ = 0.8 everywhere.
    format!(
        r#"{{"crosstalk":1,"seed":9,"duration_ms":{duration_ms},
        "nodes":[{{"id":"users","kind":"client","rate_per_s":480}},
                 {{"id":"api","kind":"service","workers":2,"work_ms":{{"exp":10}},"replicas":3,"health_check_ms":0}}],
        "links":[{{"id":"call","from":"users","to":"api","via":"http","latency_ms":0,"balance":"{balance}"}}]}}"#
    )
}

#[test]
fn erlang_c_matches_its_textbook_values() {
    // M/M/1: C = ρ. M/M/2 at a = 1.6: C = 6.4 / 9.
    assert!((erlang_c(1, 0.8) - 0.8).abs() < 1e-12);
    assert!((erlang_c(2, 1.6) - 6.4 / 9.0).abs() < 1e-12);
    assert!((mmk_wait_ms(2, 160.0, 10.0) - 6.4 / 9.0 / 40.0 * 1000.0).abs() < 1e-9);
}

#[test]
fn random_balancing_over_replicas_of_k_workers_makes_independent_mmk_queues() {
    // Poisson thinning: each replica sees Poisson(160/s) and is M/M/2:
    // Wq = C(2, 1.6) / (200 − 160) s = 17.8 ms.
    let expected = mmk_wait_ms(2, 160.0, 10.0);
    let r = run_json(&replicated("random", 3_000_000.0));
    let api = &r.nodes["api"];
    eprintln!("random over 3 x M/M/2: wait {:.3} ms, Erlang C {expected:.3} ms", api.wait_ms.mean);
    assert!(rel(api.wait_ms.mean, expected) < 0.04, "wait {} ms vs M/M/2 {expected} ms", api.wait_ms.mean);
    assert!(rel(api.utilization, 0.8) < 0.01, "utilization {}", api.utilization);
    for rep in &api.replicas {
        assert!(rel(rep.utilization, 0.8) < 0.02, "{}: utilization {}", rep.id, rep.utilization);
    }
}

#[test]
fn least_outstanding_comes_close_to_one_pool_of_all_workers() {
    // Joining the replica with the fewest outstanding requests never
    // leaves a worker idle while a request waits at arrival, so it waits
    // about as often as M/M/6 (λ = 480/s, Wq = 2.6 ms); a request queued
    // at one replica cannot move to another's free worker, so it waits a
    // little longer than in one shared pool. Far below random's M/M/2.
    let pooled = mmk_wait_ms(6, 480.0, 10.0);
    let split = mmk_wait_ms(2, 160.0, 10.0);
    let r = run_json(&replicated("least_outstanding", 3_000_000.0));
    let wait = r.nodes["api"].wait_ms.mean;
    eprintln!("least outstanding: wait {wait:.3} ms; M/M/6 {pooled:.3} ms; M/M/2 {split:.3} ms");
    assert!(wait >= pooled * 0.95, "least outstanding {wait} ms cannot beat one pool ({pooled} ms)");
    assert!(wait <= pooled * 1.5, "least outstanding {wait} ms vs M/M/6 {pooled} ms");
    assert!(wait < split / 3.0, "least outstanding {wait} ms vs random's M/M/2 {split} ms");
}

/// A client calling a replicated service over a call link with every
/// scale-out field drawn at random, and faults on single replicas.
#[allow(clippy::too_many_arguments)]
fn random_scale(
    seed: u64,
    replicas: u32,
    workers: u32,
    balance: usize,
    grpc: bool,
    protocol: usize,
    per_request: bool,
    pool: Option<u32>,
    kb: (f64, f64),
    bandwidth: Option<f64>,
    health: (u32, u32, u32),
    faults: Vec<(u32, usize, u32)>,
    timeout: Option<u32>,
) -> Scenario {
    let via = if grpc { "grpc" } else { "http" };
    let balance = ["round_robin", "random", "least_outstanding", "p2c"][balance];
    let connection = if per_request { "per_request" } else { "keep_alive" };
    let mut link = json!({"id":"call","from":"users","to":"api","via": via,
        "latency_ms": {"exp": 2}, "balance": balance, "connection": connection,
        "request_kb": kb.0, "response_kb": kb.1});
    let l = link.as_object_mut().expect("object");
    if !grpc {
        let protocol = ["rest", "graphql", "soap"][protocol];
        l.insert("protocol".into(), json!(protocol));
    }
    if let Some(p) = pool {
        l.insert("pool".into(), json!(p));
    }
    if let Some(b) = bandwidth {
        l.insert("bandwidth_mbps".into(), json!(b));
    }
    if let Some(t) = timeout {
        l.insert("timeout_ms".into(), json!(t));
        l.insert("retry".into(), json!({"attempts": 2, "base_ms": 5}));
    }
    let faults: Vec<_> = faults
        .into_iter()
        .map(|(k, kind, at)| {
            let target = format!("api#{}", 1 + k % replicas);
            match kind {
                0 => json!({"target": target, "kind": "crash", "at_ms": at, "for_ms": 1500}),
                1 => json!({"target": target, "kind": "slow", "factor": 8, "at_ms": at, "for_ms": 2000}),
                _ => json!({"target": target, "kind": "errors", "rate": 0.7, "at_ms": at, "for_ms": 2000}),
            }
        })
        .collect();
    let v = json!({
        "crosstalk": 1, "seed": seed, "duration_ms": 5000,
        "nodes": [
            {"id":"users","kind":"client","rate_per_s": 150},
            {"id":"api","kind":"service","workers": workers,"work_ms":{"exp": 8},"replicas": replicas,
             "health_check_ms": health.0, "unhealthy_after": health.1, "health_timeout_ms": health.2}
        ],
        "links": [link],
        "faults": faults,
    });
    scenario(&v.to_string())
}

fn scale_strategy() -> impl Strategy<Value = Scenario> {
    (
        (any::<u64>(), 1u32..=6, 1u32..=4, 0usize..4, any::<bool>(), 0usize..3, any::<bool>()),
        (
            proptest::option::of(1u32..=8),
            (0.0f64..20.0, 0.0f64..40.0),
            proptest::option::of(0.05f64..200.0),
            (0u32..=2000, 1u32..=4, 1u32..=1500),
            proptest::collection::vec((0u32..6, 0usize..3, 0u32..4000), 0..3),
            proptest::option::of(20u32..=500),
        ),
    )
        .prop_map(
            |(
                (seed, replicas, workers, balance, grpc, protocol, per_request),
                (pool, kb, bw, health, faults, timeout),
            )| {
                random_scale(
                    seed,
                    replicas,
                    workers,
                    balance,
                    grpc,
                    protocol,
                    per_request,
                    pool,
                    kb,
                    bw,
                    health,
                    faults,
                    timeout,
                )
            },
        )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn random_scale_out_settings_keep_the_books_replay_and_survive_a_share_link(s in scale_strategy()) {
        let errors: Vec<_> = format::validate(&s).into_iter().filter(|p| p.severity == Severity::Error).collect();
        prop_assert!(errors.is_empty(), "{errors:?}");
        // `run` audits the ledger every twentieth of the run.
        let (a, ra) = run(&s);
        let (b, _) = run(&s);
        prop_assert_eq!(a.run_hash(), b.run_hash(), "same seed, same run: {}", s.to_json());
        let api = &ra.nodes["api"];
        let replicas = s.nodes[1].replicas.unwrap_or(1);
        prop_assert_eq!(api.replicas.len() as u32, if replicas > 1 { replicas } else { 0 });
        let sum: u64 = api.replicas.iter().map(|x| x.arrivals).sum();
        if !api.replicas.is_empty() {
            prop_assert_eq!(sum, api.arrivals);
        }
        let back = codec::decode(&codec::encode(&s)).expect("decodes");
        prop_assert_eq!(&back, &s);
        let (c, _) = run(&back);
        prop_assert_eq!(c.run_hash(), a.run_hash());
    }
}

#[test]
fn every_scale_out_field_survives_a_share_link_with_its_value() {
    let s = random_scale(
        4,
        5,
        3,
        3,
        false,
        1,
        true,
        Some(6),
        (2.25, 17.5),
        Some(0.75),
        (2500, 4, 750),
        vec![(1, 1, 1000)],
        Some(300),
    );
    let back = codec::decode(&codec::link("https://x.test/", &s)).expect("decodes");
    assert_eq!(back, s);
    let (api, call) = (&back.nodes[1], &back.links[0]);
    assert_eq!((api.replicas, api.health_check_ms, api.unhealthy_after), (Some(5), Some(2500.0), Some(4)));
    assert_eq!(api.health_timeout_ms, Some(750.0));
    assert_eq!(call.balance.map(|b| b.as_str()), Some("p2c"));
    assert_eq!(
        (call.pool, call.request_kb, call.response_kb, call.bandwidth_mbps),
        (Some(6), Some(2.25), Some(17.5), Some(0.75))
    );
    assert!(call.connection.is_some() && call.protocol.is_some());
}

#[test]
fn bad_scale_out_input_is_refused_naming_the_node_or_link_and_the_field() {
    let s = random_scale(1, 3, 2, 0, false, 0, false, Some(4), (1.0, 1.0), Some(10.0), (1000, 3, 1000), vec![], None);
    let errors = |s: &Scenario| -> Vec<String> {
        format::validate(s).into_iter().filter(|p| p.severity == Severity::Error).map(|p| p.to_string()).collect()
    };
    // `api#9` on a 3-replica service.
    let mut bad = s.clone();
    bad.faults.push(format::FaultSpec {
        target: "api#9".into(),
        kind: format::FaultKind::Crash,
        at_ms: 100.0,
        for_ms: None,
        factor: None,
        rate: None,
    });
    let e = errors(&bad);
    assert!(e.iter().any(|m| m.contains("fault #1") && m.contains("`api` has 3 replicas")), "{e:?}");
    assert!(crosstalk::engine::Sim::new(&bad, Default::default()).is_err(), "a run refuses it too");

    // The editor refuses these edits (its message shows beside the field
    // edited) and keeps the document as it was.
    for (place, key, text) in [
        (Place::Link("call".into()), "bandwidth_mbps", "0"),
        (Place::Link("call".into()), "pool", "0"),
        (Place::Link("call".into()), "request_kb", "-2"),
        (Place::Link("call".into()), "balance", "fastest"),
        (Place::Link("call".into()), "connection", "sometimes"),
        (Place::Node("api".into()), "replicas", "0"),
        (Place::Node("api".into()), "unhealthy_after", "0"),
        (Place::Node("api".into()), "health_timeout_ms", "0"),
    ] {
        let e = fields::set(&s, &place, key, text).expect_err(key);
        assert!(!e.is_empty(), "{key}");
    }
    // Fewer replicas than a fault targets: refused, naming the fault.
    let mut faulty = s.clone();
    faulty.faults.push(format::FaultSpec {
        target: "api#3".into(),
        kind: format::FaultKind::Crash,
        at_ms: 100.0,
        for_ms: None,
        factor: None,
        rate: None,
    });
    let e = fields::set(&faulty, &Place::Node("api".into()), "replicas", "2").expect_err("api#3 would dangle");
    assert!(e.contains("api#3"), "{e}");
    let ok = fields::set(&s, &Place::Link("call".into()), "bandwidth_mbps", "0.5").expect("a valid edit");
    assert_eq!(ok.links[0].bandwidth_mbps, Some(0.5));
}
