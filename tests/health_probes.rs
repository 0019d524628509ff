//! Health checks that see more than crashes (Kubernetes probes, whose
//! `timeoutSeconds` default is 1 s): a replica whose probe is not answered
//! within `health_timeout_ms` (slowed until it falls behind, or saturated)
//! or that answers with errors fails its checks and leaves rotation; a
//! healthy or merely slow-but-idle replica does not. Scenarios from before
//! the probe timeout keep their run hashes.

mod common;
use common::{run_json, scenario};
use crosstalk::engine::format;
use crosstalk::engine::{Sim, SimOptions};

/// 300 uniform requests/s over 3 replicas of `workers` workers with
/// exponential work of `work_ms`, checks every second, out after 3, and
/// `faults` (JSON array text).
fn three_replicas(workers: u32, work_ms: f64, extra: &str, faults: &str) -> String {
    format!(
        r#"{{"crosstalk":1,"seed":3,"duration_ms":40000,
        "nodes":[{{"id":"users","kind":"client","rate_per_s":300,"arrival":"uniform"}},
                 {{"id":"api","kind":"service","workers":{workers},"work_ms":{{"exp":{work_ms}}},"replicas":3,
                   "health_check_ms":1000,"unhealthy_after":3{extra}}}],
        "links":[{{"id":"call","from":"users","to":"api","via":"http","latency_ms":0,"timeout_ms":5000}}],
        "faults":{faults}}}"#
    )
}

const SLOW_2: &str = r#"[{"target":"api#2","kind":"slow","factor":4,"at_ms":10000,"for_ms":20000}]"#;

#[test]
fn a_replica_slowed_until_it_falls_behind_fails_its_probes_and_leaves_rotation() {
    // 100/s each, 2 workers of 10 ms: half busy. Slowed 4x, replica 2 can
    // serve 50/s of its 100/s: its backlog grows by ~50/s, and a probe
    // waits (w + 1) / 2 x 40 ms for a worker: past 1 s once ~50 wait.
    let r = run_json(&three_replicas(2, 10.0, "", SLOW_2));
    let api = &r.nodes["api"];
    let slow = &api.replicas[1];
    assert!(slow.checks_failed >= 3, "the slowed replica failed {} checks", slow.checks_failed);
    assert_eq!(api.replicas[0].checks_failed + api.replicas[2].checks_failed, 0, "{:?}", api.replicas);
    assert_eq!(api.extra.get("checks_failed").copied(), Some(slow.checks_failed as f64));
    // Out of rotation, it stops getting its third: the others take more.
    assert!(slow.arrivals < api.replicas[0].arrivals - 1000, "{:?}", api.replicas);

    // With a probe timeout longer than any wait, the same slow replica
    // passes every check and keeps its full share.
    let patient = run_json(&three_replicas(2, 10.0, r#","health_timeout_ms":3600000"#, SLOW_2));
    let p = &patient.nodes["api"];
    assert_eq!(p.replicas[1].checks_failed, 0);
    assert!(p.replicas[1].arrivals.abs_diff(p.replicas[0].arrivals) <= 1, "{:?}", p.replicas);
    // And users wait longer behind it.
    assert!(patient.nodes["users"].latency_ms.p99 > r.nodes["users"].latency_ms.p99, "detection cuts the tail");
}

#[test]
fn a_slow_replica_with_idle_workers_still_passes() {
    // Slowed 2x at a quarter load, replica 2 is half busy: probes find a
    // free worker and answer (a probe does not measure latency).
    let faults = SLOW_2.replace(r#""factor":4"#, r#""factor":2"#);
    let r = run_json(&three_replicas(4, 10.0, "", &faults));
    assert!(r.nodes["api"].replicas.iter().all(|x| x.checks_failed == 0), "{:?}", r.nodes["api"].replicas);
    assert!(!r.nodes["api"].extra.contains_key("checks_failed"));
}

#[test]
fn an_erroring_replica_answers_its_probes_with_errors_and_is_taken_out() {
    // Replica 2 fails everything from 10 s for 10 s: after its probes at
    // 11, 12 and 13 s fail it gets nothing. Until then its third
    // of the requests fail: about 3 s x 100/s (the fault starts just after
    // the check at 10 s).
    let faults = r#"[{"target":"api#2","kind":"errors","rate":1,"at_ms":10000.5,"for_ms":10000}]"#;
    let r = run_json(&three_replicas(4, 1.0, "", faults));
    let api = &r.nodes["api"];
    // Every probe from 11 s to 20 s fails (the fault ends at 20.0005 s).
    assert_eq!(api.replicas[1].checks_failed, 10, "{:?}", api.replicas);
    let failed = api.replicas[1].failed;
    assert!((295..=305).contains(&failed), "failed on replica 2: {failed}");
    // Without checks it fails its share for the whole fault.
    let blind =
        run_json(&three_replicas(4, 1.0, "", faults).replace(r#""health_check_ms":1000"#, r#""health_check_ms":0"#));
    let failed = blind.nodes["api"].replicas[1].failed;
    assert!((995..=1005).contains(&failed), "failed without checks: {failed}");
}

#[test]
fn a_partly_erroring_replica_fails_probes_at_the_fault_rate() {
    // A 50% errors fault: each probe fails with probability 1/2, so three
    // in a row happen now and then, and a passing probe puts it back.
    let faults = r#"[{"target":"api#2","kind":"errors","rate":0.5,"at_ms":0,"for_ms":40000}]"#;
    let r = run_json(&three_replicas(4, 1.0, "", faults));
    let n = r.nodes["api"].replicas[1].checks_failed;
    // 40 probes, each failing with p = 0.5.
    assert!((10..=30).contains(&n), "failed probes {n} of 40");
}

#[test]
fn a_probe_that_times_out_counts_at_the_timeout_not_at_the_check() {
    // One worker, 1 s of work: the first request holds the worker, the
    // second waits; at the check at 5 s a probe would wait ~2 s > 0.5 s.
    let json = r#"{"crosstalk":1,"seed":1,"duration_ms":8000,
        "nodes":[{"id":"users","kind":"client","rate_per_s":50,"arrival":"uniform"},
                 {"id":"api","kind":"service","workers":1,"work_ms":1000,"replicas":2,
                  "health_check_ms":5000,"unhealthy_after":1,"health_timeout_ms":500}],
        "links":[{"id":"call","from":"users","to":"api","via":"http","latency_ms":0}]}"#;
    let s = scenario(json);
    let mut sim = Sim::new(&s, SimOptions::default()).expect("valid");
    let api = s.nodes.iter().position(|n| n.id == "api").expect("api");
    sim.advance_to(5_400_000, u64::MAX);
    let live = &sim.node_live()[api];
    assert!(live.replicas.iter().all(|r| r.in_rotation && r.failing_checks == 0), "{:?}", live.replicas);
    sim.advance_to(5_600_000, u64::MAX);
    let live = &sim.node_live()[api];
    // Both are saturated: both fail at 5.5 s, and the panic threshold keeps
    // the balancer sending to them anyway.
    assert!(live.replicas.iter().all(|r| !r.in_rotation && r.failing_checks == 1), "{:?}", live.replicas);
}

#[test]
fn a_full_backlog_refuses_the_probe() {
    // A backlog of 2 behind one 1 s worker is full within the first
    // second: the probe is refused at the check itself.
    let json = r#"{"crosstalk":1,"seed":1,"duration_ms":3000,
        "nodes":[{"id":"users","kind":"client","rate_per_s":50,"arrival":"uniform"},
                 {"id":"api","kind":"service","workers":1,"backlog":2,"work_ms":1000,"replicas":2,
                  "health_check_ms":2000,"unhealthy_after":1,"health_timeout_ms":60000}],
        "links":[{"id":"call","from":"users","to":"api","via":"http","latency_ms":0}]}"#;
    let s = scenario(json);
    let mut sim = Sim::new(&s, SimOptions::default()).expect("valid");
    sim.advance_to(2_000_001, u64::MAX);
    let live = &sim.node_live()[1];
    assert!(live.replicas.iter().all(|r| r.failing_checks == 1), "{:?}", live.replicas);
}

#[test]
fn replicated_scenarios_from_before_the_probe_timeout_keep_their_run_hashes() {
    // Hashes printed by the runner built from main before probes timed out
    // (`crosstalk run FILE --json`): the replica lesson's scenario with
    // checks every 5 s (as it was then), and every second. No replica is
    // saturated at a check, so no probe fails but the crashed replica's.
    let text = std::fs::read_to_string("lessons/replica-health-checks.json").expect("lesson");
    let lesson: serde_json::Value = serde_json::from_str(&text).expect("json");
    let mut s: format::Scenario = serde_json::from_value(lesson["scenario"].clone()).expect("scenario");
    let hash = |s: &format::Scenario| {
        let mut sim = Sim::new(s, SimOptions::default()).expect("runs");
        sim.run_to_end();
        sim.run_hash_hex()
    };
    s.nodes[1].health_check_ms = Some(5000.0);
    assert_eq!(hash(&s), "ae111b6cbcf15d5c");
    s.nodes[1].health_check_ms = Some(1000.0);
    assert_eq!(hash(&s), "f1b6ddd60139c7c8");
}

#[test]
fn a_bad_probe_timeout_is_refused_naming_the_field() {
    let json = three_replicas(2, 10.0, r#","health_timeout_ms":0"#, "[]");
    let s: format::Scenario = serde_json::from_str(&json).expect("shape");
    let e: Vec<String> = format::validate(&s).into_iter().map(|p| p.to_string()).collect();
    assert!(e.iter().any(|m| m.contains("node `api`") && m.contains("health_timeout_ms")), "{e:?}");
}
