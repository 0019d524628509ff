//! Connections and payloads against their closed forms: a per-request
//! connection adds exactly two round trips (4 x latency), a pool of N over
//! constant work caps throughput at N / work, a payload takes size /
//! bandwidth each way, and a link asked for more than its bandwidth queues.

mod common;
use common::{rel, run_json};
use crosstalk::engine::format::{self, Severity};

/// A client (uniform arrivals) calling `api` over `link_extra`.
fn call(rate: f64, duration_ms: f64, work: &str, workers: u32, link_extra: &str) -> String {
    format!(
        r#"{{"crosstalk":1,"seed":9,"duration_ms":{duration_ms},
        "nodes":[{{"id":"app","kind":"client","rate_per_s":{rate},"arrival":"uniform"}},
                 {{"id":"api","kind":"service","workers":{workers},"work_ms":{work}}}],
        "links":[{{"id":"l1","from":"app","to":"api","via":"http"{link_extra}}}]}}"#
    )
}

#[test]
fn a_connection_per_request_adds_exactly_four_latencies() {
    let kept = run_json(&call(20.0, 10_000.0, "5", 50, r#","latency_ms":20"#));
    let fresh = run_json(&call(20.0, 10_000.0, "5", 50, r#","latency_ms":20,"connection":"per_request""#));
    let (a, b) = (kept.nodes["app"].latency_ms.mean, fresh.nodes["app"].latency_ms.mean);
    assert!((a - 45.0).abs() < 1e-9, "keep-alive: 2 x 20 + 5 = {a}");
    assert!((b - a - 80.0).abs() < 1e-9, "TCP + TLS 1.3: 4 x 20 ms more, got {}", b - a);
    let started = fresh.nodes["app"].requests.as_ref().map_or(0, |r| r.started);
    assert_eq!(fresh.nodes["app"].extra["handshakes"], started as f64, "one handshake per call");
}

#[test]
fn a_pool_of_n_caps_throughput_at_n_over_work() {
    // 4 slots, 100 ms each: at most 40 calls/s, though the service has 100
    // workers and 100/s are offered.
    let r = run_json(&call(100.0, 20_000.0, "100", 100, r#","latency_ms":0,"pool":4"#));
    let done = r.nodes["api"].completed as f64;
    assert!(rel(done, 800.0) < 0.01, "completed {done} in 20 s, cap 40/s");
    assert!(r.nodes["api"].utilization < 0.05, "the service is idle: {}", r.nodes["api"].utilization);
    assert!(r.nodes["app"].extra["pool_wait_ms.l1"] > 1000.0, "callers wait for slots");
}

#[test]
fn waiting_for_a_pool_slot_counts_against_the_timeout() {
    // One slot, 100 ms of work, a call every 50 ms, 250 ms timeout: the
    // queue for the slot grows by one every 100 ms, so waits pass 250 ms.
    let open = run_json(&call(20.0, 10_000.0, "100", 10, r#","latency_ms":0,"timeout_ms":250"#));
    assert_eq!(open.requests.timed_out, 0, "without a pool nothing waits");
    let pooled = run_json(&call(20.0, 10_000.0, "100", 10, r#","latency_ms":0,"timeout_ms":250,"pool":1"#));
    assert!(pooled.requests.timed_out > 50, "timed out while waiting: {}", pooled.requests.timed_out);
    assert!(pooled.nodes["app"].extra["pool_wait_ms.l1"] > 100.0, "{:?}", pooled.nodes["app"].extra);
}

#[test]
fn payloads_take_their_size_over_the_bandwidth_each_way() {
    // 100 kB up and 400 kB down at 8 Mbit/s: 100 ms and 400 ms.
    let r = run_json(&call(
        1.0,
        20_000.0,
        "5",
        1,
        r#","latency_ms":10,"request_kb":100,"response_kb":400,"bandwidth_mbps":8"#,
    ));
    let mean = r.nodes["app"].latency_ms.mean;
    assert!((mean - (100.0 + 400.0 + 20.0 + 5.0)).abs() < 1e-6, "mean {mean} ms");
}

#[test]
fn a_link_asked_for_more_than_its_bandwidth_queues() {
    // 3 answers/s of 400 kB at 8 Mbit/s need 1.2 s of wire per second.
    let under = run_json(&call(2.0, 60_000.0, "1", 10, r#","response_kb":400,"bandwidth_mbps":8"#));
    let over = run_json(&call(3.0, 60_000.0, "1", 10, r#","response_kb":400,"bandwidth_mbps":8"#));
    assert!(under.nodes["app"].latency_ms.max < 500.0, "under capacity: {:?}", under.nodes["app"].latency_ms);
    assert!(
        over.nodes["app"].latency_ms.max > 10_000.0,
        "over capacity the wait grows: {:?}",
        over.nodes["app"].latency_ms
    );
}

#[test]
fn the_four_protocols_carry_their_documented_payloads() {
    // At 1 Mbit/s a kB takes 8 ms: the transfer is 8 x (request + response).
    let mean = |via: &str, protocol: &str| {
        let json = call(1.0, 20_000.0, "0", 1, &format!(r#","latency_ms":0,"bandwidth_mbps":1{protocol}"#));
        run_json(&json.replace(r#""via":"http""#, &format!(r#""via":"{via}""#))).nodes["app"].latency_ms.mean
    };
    let rest = mean("http", "");
    let graphql = mean("http", r#","protocol":"graphql""#);
    let soap = mean("http", r#","protocol":"soap""#);
    let grpc = mean("grpc", "");
    assert!((rest - 8.0 * (0.8 + 1.8)).abs() < 0.01, "rest {rest}");
    assert!((graphql - 8.0 * (1.3 + 1.4)).abs() < 0.01, "graphql {graphql}");
    assert!((soap - 8.0 * (1.6 + 3.3)).abs() < 0.01, "soap {soap}");
    assert!((grpc - 8.0 * (0.1 + 0.4)).abs() < 0.01, "grpc {grpc}");
    assert!(grpc < rest && rest < soap);
}

#[test]
fn bad_connection_settings_name_the_link_and_field() {
    let errors = |extra: &str| -> Vec<String> {
        let s: format::Scenario = serde_json::from_str(&call(1.0, 1000.0, "1", 1, extra)).expect("shape");
        format::validate(&s).into_iter().filter(|p| p.severity == Severity::Error).map(|p| p.to_string()).collect()
    };
    let e = errors(r#","bandwidth_mbps":0"#);
    assert!(e.iter().any(|m| m.starts_with("link `l1`: bandwidth_mbps: must be above 0")), "{e:?}");
    let e = errors(r#","pool":0"#);
    assert!(e.iter().any(|m| m.starts_with("link `l1`: pool:")), "{e:?}");
    let e = errors(r#","request_kb":-1"#);
    assert!(e.iter().any(|m| m.contains("request_kb") && m.contains("negative")), "{e:?}");
    assert!(format::parse(&call(1.0, 1000.0, "1", 1, r#","connection":"sometimes""#)).is_err());
}
