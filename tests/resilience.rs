//! Resilience lessons: retries amplify load, circuit breakers follow
//! resilience4j's state machine, timeouts waste the callee's work, and the
//! seeds' payment lesson (SMS over HTTP vs behind a queue).

mod common;
use common::{run, run_json, scenario};

#[test]
fn n_retries_against_a_dead_dependency_make_n_plus_one_calls() {
    for retries in [0u32, 1, 2, 4] {
        let attempts = retries + 1;
        // Clients stop at 8 s so every request finishes before the end.
        let r = run_json(&format!(
            r#"{{"crosstalk":1,"seed":3,"duration_ms":12000,
            "nodes":[{{"id":"users","kind":"client","rate_per_s":50,"schedule":[[8000,0]]}},
                     {{"id":"dep","kind":"service","workers":64,"work_ms":5,"error_rate":1}}],
            "links":[{{"id":"call","from":"users","to":"dep","via":"http",
                       "retry":{{"attempts":{attempts},"base_ms":10,"jitter":"none"}}}}]}}"#
        ));
        let requests = r.nodes["users"].arrivals;
        assert_eq!(r.requests.in_flight, 0);
        assert_eq!(r.nodes["dep"].arrivals, requests * attempts as u64, "{retries} retries");
        assert_eq!(r.requests.failed, requests);
        assert_eq!(r.messages.failed, requests * attempts as u64);
    }
}

#[test]
fn breaker_opens_during_an_outage_and_closes_after_it() {
    let s = scenario(
        r#"{"crosstalk":1,"seed":4,"duration_ms":40000,
        "nodes":[{"id":"users","kind":"client","rate_per_s":100},
                 {"id":"dep","kind":"service","workers":50,"work_ms":{"exp":5}}],
        "links":[{"id":"call","from":"users","to":"dep","via":"http","timeout_ms":200,
                  "circuit_breaker":{"failure_rate":0.5,"window":20,"min_calls":20,"open_ms":3000,"half_open_calls":5}}],
        "faults":[{"target":"dep","kind":"crash","at_ms":10000,"for_ms":10000}]}"#,
    );
    let (_, r) = run(&s);
    let b = &r.breakers["call"];
    let states: Vec<&str> = b.transitions.iter().map(|(_, s)| s.as_str()).collect();
    let times: Vec<f64> = b.transitions.iter().map(|(t, _)| *t).collect();
    assert_eq!(states.first(), Some(&"open"), "{states:?}");
    assert!(times[0] > 10_000.0 && times[0] < 11_000.0, "opens soon after the crash: {times:?}");
    assert_eq!(states.last(), Some(&"closed"), "{states:?}");
    assert!(*times.last().unwrap() > 20_000.0, "closes only after recovery: {times:?}");
    // Every state follows the machine: open -> half_open -> open|closed.
    for w in states.windows(2) {
        let ok = matches!(
            (w[0], w[1]),
            ("open", "half_open") | ("half_open", "open") | ("half_open", "closed") | ("closed", "open")
        );
        assert!(ok, "illegal transition {w:?} in {states:?}");
    }
    // While down it keeps probing every open_ms: about 10 s / 3 s half-open trials.
    let trials = states.iter().filter(|s| **s == "half_open").count();
    assert!((3..=5).contains(&trials), "{trials} half-open trials: {states:?}");
    assert!(b.rejected > 500, "open calls fail fast: {}", b.rejected);
    // Failing fast spares the dead service: far fewer attempts than requests.
    assert!(r.nodes["dep"].rejected < 200, "calls reaching the crashed node: {}", r.nodes["dep"].rejected);
}

#[test]
fn a_timeout_leaves_the_callee_working_and_counts_the_waste() {
    let r = run_json(
        r#"{"crosstalk":1,"seed":2,"duration_ms":5000,
        "nodes":[{"id":"users","kind":"client","rate_per_s":20,"schedule":[[4000,0]]}],
        "links":[]}"#,
    );
    assert_eq!(r.requests.ok, r.requests.started);
    let r = run_json(
        r#"{"crosstalk":1,"seed":2,"duration_ms":5000,
        "nodes":[{"id":"users","kind":"client","rate_per_s":20,"schedule":[[4000,0]]},
                 {"id":"slow","kind":"service","workers":100,"work_ms":300}],
        "links":[{"id":"call","from":"users","to":"slow","via":"http","timeout_ms":100}]}"#,
    );
    assert_eq!(r.requests.timed_out, r.requests.started);
    assert_eq!(r.messages.timed_out, r.requests.started);
    let slow = &r.nodes["slow"];
    assert_eq!(slow.wasted, slow.completed, "every answer came after its caller gave up");
    assert!(slow.completed > 0);
}

fn payments(sms_link: &str, extra_nodes: &str, extra_links: &str) -> String {
    format!(
        r#"{{"crosstalk":1,"name":"payments","seed":7,"duration_ms":60000,
        "nodes":[{{"id":"app","kind":"client","rate_per_s":50}},
                 {{"id":"pay","kind":"service","workers":16,"work_ms":{{"exp":20}}}},
                 {{"id":"sms","kind":"service","workers":4,"work_ms":50}}{extra_nodes}],
        "links":[{{"id":"l1","from":"app","to":"pay","via":"http","timeout_ms":2000}},
                 {sms_link}{extra_links}],
        "faults":[{{"target":"sms","kind":"crash","at_ms":20000,"for_ms":15000}}]}}"#
    )
}

#[test]
fn sms_outage_fails_payments_when_sms_is_called_over_http() {
    let r = run_json(&payments(r#"{"id":"l2","from":"pay","to":"sms","via":"http","timeout_ms":1000}"#, "", ""));
    // Payments during the 15 s outage fail: about 50/s × 15 s of them.
    assert!(r.requests.failed > 500, "failed payments: {}", r.requests.failed);
    assert!(r.nodes["pay"].failed > 500);
}

#[test]
fn sms_outage_does_not_fail_payments_behind_a_queue() {
    let r = run_json(&payments(
        r#"{"id":"l2","from":"pay","to":"sms_q","via":"enqueue"}"#,
        r#",{"id":"sms_q","kind":"queue"}"#,
        r#",{"id":"l3","from":"sms_q","to":"sms","via":"consume"}"#,
    ));
    assert_eq!(r.requests.failed + r.requests.timed_out, 0, "no payment fails");
    let q = &r.nodes["sms_q"];
    // The backlog built up during the outage (about 50/s × 15 s)...
    assert!(q.queue_len.max > 600.0, "backlog peak {}", q.queue_len.max);
    // ...and drained after recovery: only the last moments are still queued.
    assert!(r.messages.in_flight < 60, "still in flight at the end: {}", r.messages.in_flight);
    assert!(q.completed + 60 > q.arrivals, "acked {} of {}", q.completed, q.arrivals);
}

#[test]
fn an_optional_call_degrades_instead_of_failing() {
    let r = run_json(&payments(
        r#"{"id":"l2","from":"pay","to":"sms","via":"http","timeout_ms":300,"optional":true}"#,
        "",
        "",
    ));
    assert_eq!(r.requests.failed + r.requests.timed_out, 0);
}

#[test]
fn a_full_backlog_rejects() {
    let r = run_json(
        r#"{"crosstalk":1,"seed":1,"duration_ms":10000,
        "nodes":[{"id":"users","kind":"client","rate_per_s":200},
                 {"id":"svc","kind":"service","workers":1,"backlog":5,"work_ms":10}],
        "links":[{"id":"call","from":"users","to":"svc","via":"http"}]}"#,
    );
    let s = &r.nodes["svc"];
    assert!(s.rejected > 900, "about half are refused: {}", s.rejected);
    assert!(s.queue_len.max <= 5.0);
    assert_eq!(r.messages.rejected, s.rejected);
}
