//! Conformance with /work/shared/MODEL.md, as an outside tester checks it:
//! scenarios written from MODEL.md's wording alone (its field names, its
//! defaults left out), run through the command-line runner
//! (`crosstalk run - --json`), and the printed report read by the names
//! MODEL.md gives. Numbers are checked against theory where MODEL.md implies
//! it, and every run against the accounting invariant: every message ends in
//! exactly one state, and `sent` is their sum.

mod common;
use common::END_STATES;
use serde_json::{json, Value};

/// `crosstalk ARGS` with `stdin`: (exit code, stdout, stderr).
fn cli(args: &[&str], stdin: &str) -> (i32, String, String) {
    let args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
    let mut input = stdin.as_bytes();
    let out = crosstalk::runner::main_with(&args, &mut input);
    (out.code, out.stdout, out.stderr)
}

/// `crosstalk run - --json [extra]` on a scenario: the printed report.
fn run_with(scenario: &Value, extra: &[&str]) -> Value {
    let mut args = vec!["run", "-", "--json"];
    args.extend_from_slice(extra);
    let (code, out, err) = cli(&args, &scenario.to_string());
    assert_eq!(code, 0, "crosstalk run refused the scenario: {err}");
    let r: Value = serde_json::from_str(&out).expect("run --json prints one JSON object");
    conserved(&r);
    r
}

fn run(scenario: &Value) -> Value {
    run_with(scenario, &[])
}

/// The error `crosstalk run` prints for a scenario it refuses.
fn refused(scenario: &Value) -> String {
    let (code, out, err) = cli(&["run", "-", "--json"], &scenario.to_string());
    assert_eq!(code, 2, "expected a refusal, got: {out}");
    err
}

/// MODEL.md "Accounting": sent = the sum of the end states, for the whole
/// ledger and for every link's row.
fn conserved(r: &Value) {
    let check = |m: &Value, what: &str| {
        let sum: u64 = END_STATES.iter().map(|k| m[k].as_u64().unwrap_or(0)).sum();
        assert_eq!(m["sent"].as_u64(), Some(sum), "{what}: sent is not the sum of the end states: {m}");
    };
    check(&r["messages"], "messages");
    if let Some(links) = r["links"].as_object() {
        for (id, l) in links {
            check(&l["messages"], &format!("link {id}"));
        }
    }
    let q = &r["requests"];
    let ended: u64 = ["ok", "failed", "timed_out", "in_flight"].iter().map(|k| q[k].as_u64().unwrap()).sum();
    assert_eq!(q["started"].as_u64(), Some(ended), "every request ends in one state: {q}");
}

fn scenario(duration_ms: u64, nodes: Value, links: Value) -> Value {
    json!({"crosstalk": 1, "seed": 7, "duration_ms": duration_ms, "nodes": nodes, "links": links})
}

fn with(mut s: Value, key: &str, v: Value) -> Value {
    s[key] = v;
    s
}

fn n(r: &Value, node: &str, field: &str) -> f64 {
    r["nodes"][node][field].as_f64().unwrap_or_else(|| panic!("nodes.{node}.{field} missing: {}", r["nodes"][node]))
}

fn extra(r: &Value, node: &str, field: &str) -> f64 {
    r["nodes"][node]["extra"][field].as_f64().unwrap_or(0.0)
}

fn m(r: &Value, field: &str) -> u64 {
    r["messages"][field].as_u64().unwrap_or_else(|| panic!("messages.{field} missing"))
}

fn rq(r: &Value, field: &str) -> u64 {
    r["requests"][field].as_u64().unwrap()
}

fn lat(r: &Value, node: &str) -> f64 {
    r["nodes"][node]["latency_ms"]["mean"].as_f64().unwrap()
}

/// MODEL.md's own example, verbatim.
const MODEL_EXAMPLE: &str = r#"{
  "crosstalk": 1,
  "name": "Payments with SMS over a queue",
  "seed": 7,
  "duration_ms": 60000,
  "nodes": [
    { "id": "app", "kind": "client", "label": "Mobile app", "x": 80, "y": 200,
      "rate_per_s": 50, "arrival": "poisson" },
    { "id": "pay", "kind": "service", "label": "Payments", "x": 300, "y": 200,
      "workers": 16, "work_ms": { "exp": 20 } },
    { "id": "sms_q", "kind": "queue", "label": "SMS jobs", "x": 520, "y": 300,
      "max_deliveries": 3, "dead_letter": "sms_dlq" },
    { "id": "sms_dlq", "kind": "queue", "label": "SMS DLQ", "x": 700, "y": 400 },
    { "id": "sms", "kind": "service", "label": "SMS sender", "x": 700, "y": 300,
      "workers": 4, "work_ms": { "const": 50 }, "error_rate": 0.1 }
  ],
  "links": [
    { "id": "l1", "from": "app", "to": "pay", "via": "http", "timeout_ms": 1000,
      "retry": { "attempts": 3, "base_ms": 100, "jitter": "full" } },
    { "id": "l2", "from": "pay", "to": "sms_q", "via": "enqueue" },
    { "id": "l3", "from": "sms_q", "to": "sms", "via": "consume" }
  ],
  "faults": [ { "target": "sms", "kind": "crash", "at_ms": 20000, "for_ms": 15000 } ]
}"#;

#[test]
fn the_report_has_every_field_model_md_names() {
    let s: Value = serde_json::from_str(MODEL_EXAMPLE).unwrap();
    let r = run(&s);
    assert!(r["run_hash"].as_str().is_some_and(|h| !h.is_empty()));
    assert!(r["events"].as_u64().unwrap() > 0);
    assert_eq!(r["sim_ms"].as_f64(), Some(60000.0));
    for id in ["app", "pay", "sms_q", "sms_dlq", "sms"] {
        let node = &r["nodes"][id];
        for f in ["arrivals", "completed", "failed", "utilization"] {
            assert!(node[f].is_number(), "nodes.{id}.{f}");
        }
        for f in ["mean", "p50", "p95", "p99"] {
            assert!(node["latency_ms"][f].is_number(), "nodes.{id}.latency_ms.{f}");
        }
        assert!(node["wait_ms"]["mean"].is_number(), "nodes.{id}.wait_ms.mean");
        assert!(node["queue_len"]["mean"].is_number() && node["queue_len"]["max"].is_number(), "nodes.{id}.queue_len");
    }
    for f in END_STATES.iter().chain(&["sent", "duplicates"]) {
        assert!(r["messages"][f].is_u64(), "messages.{f}");
    }
    // The SMS sender fails 10% of deliveries: redelivered until the third.
    let deliveries = n(&r, "sms", "arrivals");
    let failed_share = n(&r, "sms", "failed") / deliveries;
    assert!((failed_share - 0.1).abs() < 0.02, "sms fails {failed_share:.3} of deliveries, error_rate 0.1");
    // Nothing of the queue is lost by the consumer's crash (memory
    // persistence loses only on the queue's own crash): it waits.
    assert_eq!(n(&r, "sms_q", "lost"), 0.0);
    assert!(r["nodes"]["sms_q"]["queue_len"]["max"].as_f64().unwrap() > 100.0, "15 s of SMS jobs wait");
    // Same scenario + seed = same run.
    assert_eq!(run(&s)["run_hash"], r["run_hash"]);
}

#[test]
fn defaults_one_worker_and_one_ms_each_way_for_http_half_for_grpc() {
    // A service without `workers` has one: at 50/s of 10 ms work it is 50%
    // busy and requests queue (M/D/1: Wq = rho S / (2 (1 - rho)) = 5 ms).
    let nodes = json!([{"id": "c", "kind": "client", "rate_per_s": 50},
                       {"id": "s", "kind": "service", "work_ms": 10}]);
    let r = run(&scenario(200_000, nodes.clone(), json!([{"id": "l", "from": "c", "to": "s", "via": "http"}])));
    let rho = n(&r, "s", "utilization");
    assert!((rho - 0.5).abs() < 0.02, "utilization {rho}, expected 0.5 with one worker");
    let wait = r["nodes"]["s"]["wait_ms"]["mean"].as_f64().unwrap();
    let md1 = rho * 10.0 / (2.0 * (1.0 - rho));
    assert!((wait - md1).abs() < 0.15 * md1, "wait {wait} ms, M/D/1 {md1:.2} ms");
    // Little's law: L = lambda W (arrivals per ms times the mean wait).
    let lambda = n(&r, "s", "arrivals") / 200_000.0;
    let l = r["nodes"]["s"]["queue_len"]["mean"].as_f64().unwrap();
    assert!((l - lambda * wait).abs() < 0.02 * l, "queue_len.mean {l} vs lambda W {}", lambda * wait);
    // Latency at the client = at the service + the link both ways.
    assert!((lat(&r, "c") - lat(&r, "s") - 2.0).abs() < 1e-6, "http: 1 ms each way");
    let g = run(&scenario(20_000, nodes, json!([{"id": "l", "from": "c", "to": "s", "via": "grpc"}])));
    assert!((lat(&g, "c") - lat(&g, "s") - 1.0).abs() < 1e-6, "grpc: 0.5 ms each way");
}

fn failing_calls(retry: Value, duration_ms: u64) -> Value {
    scenario(
        duration_ms,
        json!([{"id": "c", "kind": "client", "rate_per_s": 100},
               {"id": "s", "kind": "service", "workers": 1000, "work_ms": 0, "error_rate": 1}]),
        json!([{"id": "l", "from": "c", "to": "s", "via": "http", "latency_ms": 0, "retry": retry}]),
    )
}

#[test]
fn retries_make_attempts_including_the_first_with_aws_backoff_and_jitter() {
    // Every attempt fails, so a request's latency is the sum of its two
    // backoffs: base 100, multiplier 2 (default).
    let none = run(&failing_calls(json!({"attempts": 3, "base_ms": 100}), 20_000));
    let ended = rq(&none, "started") - rq(&none, "in_flight");
    assert!(m(&none, "sent") >= 3 * ended && m(&none, "sent") <= 3 * rq(&none, "started"), "3 attempts each");
    assert!((lat(&none, "c") - 300.0).abs() < 1e-9, "no jitter: 100 + 200 ms");
    assert_eq!(rq(&none, "ok"), 0);
    // Full jitter: uniform(0, b) each, mean 50 + 100. Equal: b/2 +
    // uniform(0, b/2), mean 75 + 150. Decorrelated: uniform(base, 3 prev)
    // from prev = base: mean 200, then (100 + 3 * 200) / 2 = 350.
    for (jitter, mean) in [("full", 150.0), ("equal", 225.0), ("decorrelated", 550.0)] {
        let r = run(&failing_calls(json!({"attempts": 3, "base_ms": 100, "jitter": jitter}), 100_000));
        let got = lat(&r, "c");
        assert!((got - mean).abs() < 0.03 * mean, "{jitter}: mean {got:.1} ms, expected {mean}");
    }
    // multiplier and max_ms: 100, 300, then 900 capped at 500.
    let capped = run(&failing_calls(json!({"attempts": 4, "base_ms": 100, "multiplier": 3, "max_ms": 500}), 5_000));
    assert!((lat(&capped, "c") - 900.0).abs() < 1e-9);
}

#[test]
fn retries_against_a_flaky_service_follow_the_geometric_series() {
    let s = scenario(
        100_000,
        json!([{"id": "c", "kind": "client", "rate_per_s": 100},
               {"id": "s", "kind": "service", "workers": 100, "work_ms": 1, "error_rate": 0.5}]),
        json!([{"id": "l", "from": "c", "to": "s", "via": "http", "retry": {"attempts": 3, "base_ms": 10}}]),
    );
    let r = run(&s);
    let started = rq(&r, "started") as f64;
    let attempts = m(&r, "sent") as f64 / started;
    assert!((attempts - 1.75).abs() < 0.03, "{attempts:.3} attempts per request, 1 + 0.5 + 0.25");
    let ok = rq(&r, "ok") as f64 / started;
    assert!((ok - 0.875).abs() < 0.01, "success {ok:.3}, 1 - 0.5^3");
}

#[test]
fn a_timeout_gives_up_while_the_callee_keeps_working_and_the_work_is_wasted() {
    let s = scenario(
        10_000,
        json!([{"id": "c", "kind": "client", "rate_per_s": 10, "arrival": "uniform"},
               {"id": "s", "kind": "service", "workers": 100, "work_ms": 100}]),
        json!([{"id": "l", "from": "c", "to": "s", "via": "http", "timeout_ms": 50}]),
    );
    let r = run(&s);
    assert_eq!(rq(&r, "ok"), 0);
    assert_eq!(rq(&r, "timed_out") + rq(&r, "in_flight"), rq(&r, "started"));
    assert!(rq(&r, "timed_out") >= 98);
    assert_eq!(n(&r, "s", "completed"), n(&r, "s", "wasted"), "every answer came after its caller gave up");
    assert!((lat(&r, "c") - 50.0).abs() < 1e-9, "the caller waits exactly timeout_ms");
    assert_eq!(m(&r, "timed_out"), rq(&r, "timed_out"));
}

#[test]
fn retried_timeouts_duplicate_on_a_plain_service_and_are_skipped_on_an_idempotent_one() {
    let make = |idempotent: bool| {
        scenario(
            20_000,
            json!([{"id": "c", "kind": "client", "rate_per_s": 10, "arrival": "uniform"},
                   {"id": "s", "kind": "service", "workers": 100, "work_ms": {"exp": 100}, "idempotent": idempotent}]),
            json!([{"id": "l", "from": "c", "to": "s", "via": "http", "timeout_ms": 100,
                    "retry": {"attempts": 3, "base_ms": 10}}]),
        )
    };
    let plain = run(&make(false));
    let idem = run(&make(true));
    assert!(m(&plain, "duplicates") > 20, "a retried call whose first attempt finished charges twice");
    assert_eq!(m(&idem, "duplicates"), 0);
    assert_eq!(n(&idem, "s", "deduplicated"), m(&plain, "duplicates") as f64, "the same repeats, skipped");
}

#[test]
fn a_circuit_breaker_with_model_md_defaults_opens_after_100_calls_and_fails_fast() {
    let s = scenario(
        30_000,
        json!([{"id": "c", "kind": "client", "rate_per_s": 100},
               {"id": "s", "kind": "service", "workers": 100, "work_ms": 1, "error_rate": 1}]),
        json!([{"id": "l", "from": "c", "to": "s", "via": "http", "circuit_breaker": {}}]),
    );
    let r = run(&s);
    // min_calls 100, failure_rate 0.5: opens at the 100th failure, and
    // stays open 60 s (longer than the run). Calls already on their way
    // when it opened still arrive.
    let reached = n(&r, "s", "arrivals");
    assert!((100.0..=105.0).contains(&reached), "{reached} calls reached the service");
    assert_eq!(rq(&r, "failed") + rq(&r, "in_flight"), rq(&r, "started"), "open calls fail fast");
    // Half-open after open_ms: half_open_calls trials, then open again.
    let short = with(
        s.clone(),
        "links",
        json!([{"id": "l", "from": "c", "to": "s", "via": "http",
                "circuit_breaker": {"window": 10, "min_calls": 10, "open_ms": 1000, "half_open_calls": 2}}]),
    );
    let r = run(&short);
    let reached = n(&r, "s", "arrivals");
    assert!((10.0 + 29.0 * 2.0..=10.0 + 30.0 * 3.0).contains(&reached), "{reached}: 10, then ~2 trials a second");
}

#[test]
fn a_full_backlog_rejects_and_an_optional_call_only_degrades() {
    let s = scenario(
        10_000,
        json!([{"id": "c", "kind": "client", "rate_per_s": 100, "arrival": "uniform"},
               {"id": "s", "kind": "service", "workers": 1, "backlog": 2, "work_ms": 20}]),
        json!([{"id": "l", "from": "c", "to": "s", "via": "http", "latency_ms": 0}]),
    );
    let r = run(&s);
    // Offered 100/s, served 50/s: half is rejected.
    assert!((n(&r, "s", "rejected") / n(&r, "s", "arrivals") - 0.5).abs() < 0.01);
    assert_eq!(r["nodes"]["s"]["queue_len"]["max"].as_f64(), Some(2.0), "never more than the backlog waits");
    assert_eq!(m(&r, "rejected"), n(&r, "s", "rejected") as u64);

    let chain = |optional: bool| {
        scenario(
            10_000,
            json!([{"id": "c", "kind": "client", "rate_per_s": 100, "arrival": "uniform"},
                   {"id": "a", "kind": "service", "workers": 10, "work_ms": 1},
                   {"id": "b", "kind": "service", "workers": 10, "work_ms": 1, "error_rate": 1}]),
            json!([{"id": "l1", "from": "c", "to": "a", "via": "http"},
                   {"id": "l2", "from": "a", "to": "b", "via": "http", "optional": optional}]),
        )
    };
    let opt = run(&chain(true));
    assert_eq!(rq(&opt, "failed"), 0, "an optional call failing only degrades");
    let req = run(&chain(false));
    assert_eq!(rq(&req, "ok"), 0, "a failed required call fails the request");
}

fn queue_pipeline(queue: Value, consumer: Value, consume: Value, rate: f64, duration_ms: u64) -> Value {
    let mut nodes =
        vec![json!({"id": "c", "kind": "client", "rate_per_s": rate, "arrival": "uniform"}), queue, consumer];
    if nodes[1]["dead_letter"] == "dlq" {
        nodes.push(json!({"id": "dlq", "kind": "queue"}));
    }
    let mut consume = consume;
    consume["id"] = json!("cs");
    consume["from"] = json!("q");
    consume["to"] = json!("s");
    consume["via"] = json!("consume");
    scenario(duration_ms, Value::Array(nodes), json!([{"id": "e", "from": "c", "to": "q", "via": "enqueue"}, consume]))
}

#[test]
fn failed_deliveries_dead_letter_after_max_deliveries_or_drop_without_a_dead_letter_queue() {
    let consumer = json!({"id": "s", "kind": "service", "workers": 10, "work_ms": 1, "error_rate": 0.5});
    let dl = run(&queue_pipeline(
        json!({"id": "q", "kind": "queue", "max_deliveries": 3, "dead_letter": "dlq"}),
        consumer.clone(),
        json!({}),
        100.0,
        100_000,
    ));
    let sent = m(&dl, "sent") as f64;
    let share = m(&dl, "dead_lettered") as f64 / sent;
    assert!((share - 0.125).abs() < 0.01, "dead-lettered {share:.3}: three failures in a row, 0.5^3");
    assert_eq!(n(&dl, "dlq", "arrivals"), m(&dl, "dead_lettered") as f64);
    assert_eq!(m(&dl, "dropped"), 0);
    let dropped = run(&queue_pipeline(
        json!({"id": "q", "kind": "queue", "max_deliveries": 3}),
        consumer,
        json!({}),
        100.0,
        100_000,
    ));
    assert_eq!(m(&dropped, "dead_lettered"), 0);
    assert_eq!(m(&dropped, "dropped") as f64, extra(&dropped, "q", "dropped"), "dropped and counted");
    assert!((m(&dropped, "dropped") as f64 / sent - 0.125).abs() < 0.01);
}

#[test]
fn a_full_queue_rejects_the_enqueue() {
    let r = run(&queue_pipeline(
        json!({"id": "q", "kind": "queue", "capacity": 5}),
        json!({"id": "s", "kind": "service", "workers": 1, "work_ms": 20}),
        json!({}),
        100.0,
        10_000,
    ));
    assert!(m(&r, "rejected") > 400, "offered twice what the consumer takes: about half rejected");
    assert_eq!(r["nodes"]["q"]["queue_len"]["max"].as_f64(), Some(5.0));
}

#[test]
fn a_visibility_timeout_brings_an_unacked_delivery_back() {
    let r = run(&queue_pipeline(
        json!({"id": "q", "kind": "queue", "visibility_timeout_ms": 50, "max_deliveries": 3}),
        json!({"id": "s", "kind": "service", "workers": 100, "work_ms": {"uniform": [0, 100]}}),
        json!({}),
        100.0,
        10_000,
    ));
    // Half the deliveries outlast the timeout and come back; the consumer
    // still finishes them, so the redelivery runs the side effect twice.
    let deliveries = n(&r, "s", "arrivals");
    assert!(deliveries > 1.6 * m(&r, "sent") as f64);
    assert!(m(&r, "duplicates") > 500);
    let dropped = m(&r, "dropped") as f64 / m(&r, "sent") as f64;
    assert!((dropped - 0.125).abs() < 0.03, "three timeouts in a row: {dropped:.3}");
}

#[test]
fn redelivery_delay_ms_on_the_consume_link_as_model_md_places_it() {
    let consumer = json!({"id": "s", "kind": "service", "workers": 100, "work_ms": 1, "error_rate": 0.5});
    let on_link = run(&queue_pipeline(
        json!({"id": "q", "kind": "queue"}),
        consumer.clone(),
        json!({"redelivery_delay_ms": 1000}),
        1.0,
        100_000,
    ));
    let on_queue = run(&queue_pipeline(
        json!({"id": "q", "kind": "queue", "redelivery_delay_ms": 1000}),
        consumer.clone(),
        json!({}),
        1.0,
        100_000,
    ));
    let none = run(&queue_pipeline(json!({"id": "q", "kind": "queue"}), consumer, json!({}), 1.0, 100_000));
    assert_eq!(on_link["run_hash"], on_queue["run_hash"], "the same delay, wherever it is written");
    assert!(lat(&on_link, "q") > 500.0, "a nacked message waits a second: {}", lat(&on_link, "q"));
    assert!(lat(&none, "q") < 10.0);
    let err = refused(&queue_pipeline(
        json!({"id": "q", "kind": "queue"}),
        json!({"id": "s", "kind": "service"}),
        json!({"redelivery_delay_ms": -1}),
        1.0,
        1_000,
    ));
    assert!(err.contains("`cs`") && err.contains("redelivery_delay_ms"), "{err}");
}

fn crashed_broker(persistence: &str, at_ms: u64) -> Value {
    let mut s = queue_pipeline(
        json!({"id": "q", "kind": "queue", "persistence": persistence}),
        json!({"id": "s", "kind": "service", "workers": 1, "work_ms": 1000}),
        json!({}),
        100.0,
        20_000,
    );
    s["faults"] = json!([{"target": "q", "kind": "crash", "at_ms": at_ms, "for_ms": 1000}]);
    s
}

#[test]
fn a_broker_crash_loses_what_its_persistence_does_not_keep() {
    // 100 messages a second pile up (the consumer takes one a second).
    let memory = run(&crashed_broker("memory", 10_500));
    // memory: everything waiting, and the delivery the consumer holds.
    let waiting = memory["nodes"]["q"]["queue_len"]["max"].as_f64().unwrap();
    let lost = m(&memory, "lost") as f64;
    assert!(lost >= waiting && lost <= waiting + 1.0, "memory: lost {lost}, {waiting} were waiting");
    let always = run(&crashed_broker("aof_always", 10_500));
    assert_eq!(m(&always, "lost"), 0, "aof_always: nothing");
    let everysec = run(&crashed_broker("aof_everysec", 10_500));
    assert!((40..=60).contains(&m(&everysec, "lost")), "aof_everysec: the half second since the fsync");
    // snapshot_every_ms 3000: snapshots at 9 s, so 1.5 s of messages.
    let mut snap = crashed_broker("snapshot", 10_500);
    snap["nodes"][1]["snapshot_every_ms"] = json!(3000);
    let snap = run(&snap);
    assert!((140..=160).contains(&m(&snap, "lost")), "snapshot: since the last snapshot, {}", m(&snap, "lost"));
    // While down the queue rejects what is sent to it.
    assert_eq!(m(&always, "rejected"), 100);
}

fn fan_out(delivery: Option<&str>) -> Value {
    let mut topic = json!({"id": "t", "kind": "topic"});
    if let Some(d) = delivery {
        topic["delivery"] = json!(d);
    }
    let mut s = scenario(
        10_000,
        json!([{"id": "c", "kind": "client", "rate_per_s": 100, "arrival": "uniform"}, topic,
               {"id": "a", "kind": "service", "workers": 10, "work_ms": 1},
               {"id": "b", "kind": "service", "workers": 10, "work_ms": 1}]),
        json!([{"id": "p", "from": "c", "to": "t", "via": "publish"},
               {"id": "sa", "from": "t", "to": "a", "via": "subscribe"},
               {"id": "sb", "from": "t", "to": "b", "via": "subscribe"}]),
    );
    s["faults"] = json!([{"target": "b", "kind": "crash", "at_ms": 2000, "for_ms": 3000}]);
    s
}

#[test]
fn pub_sub_copies_to_every_subscription_at_most_once_or_durably() {
    let amo = run(&fan_out(None));
    let published = n(&amo, "t", "arrivals");
    assert_eq!(n(&amo, "a", "arrivals"), published, "every subscription gets its own copy");
    // Redis Pub/Sub (the default): b misses what was published while down.
    let missed = published - n(&amo, "b", "arrivals");
    assert!((missed - 300.0).abs() <= 1.0, "missed {missed}, 3 s at 100/s");
    assert_eq!(m(&amo, "lost") as f64, missed);
    let durable = run(&fan_out(Some("durable")));
    assert!(n(&durable, "b", "completed") >= published - 2.0, "the backlog catches up");
    assert_eq!(m(&durable, "lost"), 0);
}

fn browsers(via: &str) -> Value {
    let mut s = scenario(
        10_000,
        json!([{"id": "c", "kind": "client", "rate_per_s": 100, "arrival": "uniform"},
               {"id": "s", "kind": "service", "workers": 10, "work_ms": 1},
               {"id": "ws", "kind": "websocket"},
               {"id": "br", "kind": "browser", "users": 100}]),
        json!([{"id": "l1", "from": "c", "to": "s", "via": "http"},
               {"id": "l2", "from": "s", "to": "ws", "via": "http"},
               {"id": "l3", "from": "ws", "to": "br", "via": via}]),
    );
    s["faults"] = json!([{"target": "ws", "kind": "crash", "at_ms": 2000, "for_ms": 1000}]);
    s
}

#[test]
fn websocket_pushes_to_disconnected_users_are_lost_sse_resumes_polling_waits() {
    let push = run(&browsers("push"));
    assert!(extra(&push, "br", "pushes_lost") > 0.0, "users still reconnecting miss pushes");
    assert_eq!(extra(&push, "br", "disconnects"), 100.0, "a crash drops every connection");
    assert_eq!(extra(&push, "br", "reconnects"), 100.0, "and every user comes back");
    // A push reaches its user 3 ms after the request: 1 ms client hop,
    // 1 ms work, 1 ms to the server, the push link's 0 ms.
    assert!((lat(&push, "br") - 3.0).abs() < 1e-9);
    let sse = run(&browsers("sse"));
    assert_eq!(m(&sse, "lost"), 0, "SSE resumes from the last event id");
    assert_eq!(n(&sse, "br", "arrivals"), n(&sse, "ws", "completed"));
    let poll = run(&browsers("poll"));
    // Polling every 1000 ms (default): a result waits half an interval on
    // average.
    let waited = lat(&poll, "br") - 3.0;
    assert!((waited - 500.0).abs() < 60.0, "results wait {waited:.0} ms for the next poll");
}

fn saga(faults: Value) -> Value {
    let mut s = scenario(
        10_000,
        json!([{"id": "c", "kind": "client", "rate_per_s": 10, "arrival": "uniform"},
               {"id": "g", "kind": "saga"},
               {"id": "hotel", "kind": "service", "workers": 10, "work_ms": 1},
               {"id": "flight", "kind": "service", "workers": 10, "work_ms": 1},
               {"id": "card", "kind": "service", "workers": 10, "work_ms": 1}]),
        json!([{"id": "l", "from": "c", "to": "g", "via": "http"},
               {"id": "s1", "from": "g", "to": "hotel", "via": "saga_step"},
               {"id": "s2", "from": "g", "to": "flight", "via": "saga_step"},
               {"id": "s3", "from": "g", "to": "card", "via": "saga_step"}]),
    );
    s["faults"] = faults;
    s
}

#[test]
fn a_saga_failing_at_step_3_compensates_steps_2_and_1() {
    let r = run(&saga(json!([{"target": "card", "kind": "errors", "rate": 1, "at_ms": 0}])));
    let sagas = n(&r, "g", "arrivals");
    assert_eq!(extra(&r, "g", "compensations"), 2.0 * sagas);
    assert_eq!(n(&r, "hotel", "arrivals"), 2.0 * sagas, "do and undo");
    assert_eq!(n(&r, "flight", "arrivals"), 2.0 * sagas);
    assert_eq!(rq(&r, "ok"), 0);
    let fine = run(&saga(json!([])));
    assert_eq!(extra(&fine, "g", "committed"), n(&fine, "g", "arrivals"));
    assert_eq!(n(&fine, "card", "arrivals"), n(&fine, "g", "arrivals"));
}

#[test]
fn request_reply_counts_late_replies_as_orphans() {
    let s = scenario(
        10_000,
        json!([{"id": "c", "kind": "client", "rate_per_s": 10, "arrival": "uniform"},
               {"id": "a", "kind": "service", "workers": 10, "work_ms": 1},
               {"id": "q", "kind": "queue"},
               {"id": "b", "kind": "service", "workers": 10, "work_ms": {"uniform": [0, 200]}}]),
        json!([{"id": "l", "from": "c", "to": "a", "via": "http"},
               {"id": "rr", "from": "a", "to": "q", "via": "request_reply", "timeout_ms": 100},
               {"id": "cs", "from": "q", "to": "b", "via": "consume"}]),
    );
    let r = run(&s);
    let orphans = extra(&r, "a", "orphan_replies");
    assert!(orphans > 25.0 && orphans < 65.0, "about half the replies come after 100 ms: {orphans}");
    assert_eq!(orphans as u64, rq(&r, "timed_out"));
}

fn dual_write(outbox: bool) -> Value {
    let mut s = scenario(
        10_000,
        json!([{"id": "c", "kind": "client", "rate_per_s": 100, "arrival": "uniform"},
               {"id": "a", "kind": "service", "workers": 100, "work_ms": 5},
               {"id": "x", "kind": "service", "workers": 100, "work_ms": 100},
               {"id": "q", "kind": "queue"},
               {"id": "b", "kind": "service", "workers": 10, "work_ms": 1}]),
        json!([{"id": "l", "from": "c", "to": "a", "via": "http", "timeout_ms": 1000},
               {"id": "h", "from": "a", "to": "x", "via": "http"},
               {"id": "e", "from": "a", "to": "q", "via": "enqueue", "outbox": outbox},
               {"id": "cs", "from": "q", "to": "b", "via": "consume"}]),
    );
    s["faults"] = json!([{"target": "a", "kind": "crash", "at_ms": 3000, "for_ms": 1000}]);
    s
}

#[test]
fn a_sender_crash_between_commit_and_send_loses_the_message_unless_an_outbox_keeps_it() {
    // `a` commits, calls `x` (100 ms), then enqueues: the crash at 3 s
    // catches ten committed requests waiting on `x`.
    let dual = run(&dual_write(false));
    let outbox = run(&dual_write(true));
    let lost = extra(&dual, "a", "dual_write_lost");
    assert_eq!(lost, 10.0, "the ten committed requests' messages are never sent");
    assert_eq!(extra(&outbox, "a", "dual_write_lost"), 0.0);
    assert_eq!(extra(&outbox, "a", "outbox_resent"), lost, "the relay sends exactly those after recovery");
    assert_eq!(n(&outbox, "q", "arrivals"), n(&dual, "q", "arrivals") + lost);
}

fn faulty(fault: Value, timeout: bool) -> Value {
    let mut link = json!({"id": "l", "from": "c", "to": "s", "via": "http"});
    if timeout {
        link["timeout_ms"] = json!(1000);
    }
    let mut s = scenario(
        10_000,
        json!([{"id": "c", "kind": "client", "rate_per_s": 100, "arrival": "uniform"},
               {"id": "s", "kind": "service", "workers": 100, "work_ms": 10}]),
        json!([link]),
    );
    s["faults"] = json!([fault]);
    s
}

#[test]
fn faults_crash_slow_errors_and_partition() {
    let crash = run(&faulty(json!({"target": "s", "kind": "crash", "at_ms": 0, "for_ms": 5000}), true));
    assert!((m(&crash, "rejected") as f64 - 500.0).abs() <= 2.0, "a crashed service rejects what is sent to it");
    let slow = run(&faulty(json!({"target": "s", "kind": "slow", "factor": 3, "at_ms": 0, "for_ms": 5000}), true));
    assert!((lat(&slow, "s") - 20.0).abs() < 0.2, "half the run at 30 ms, half at 10");
    let errors = run(&faulty(json!({"target": "s", "kind": "errors", "rate": 0.5, "at_ms": 0}), true));
    let share = rq(&errors, "failed") as f64 / rq(&errors, "started") as f64;
    assert!((share - 0.5).abs() < 0.05);
    let cut = run(&faulty(json!({"target": "l", "kind": "partition", "at_ms": 0, "for_ms": 5000}), true));
    assert!((m(&cut, "dropped") as f64 - 500.0).abs() <= 2.0, "a partitioned link drops everything");
    assert_eq!(rq(&cut, "timed_out"), m(&cut, "dropped"), "and its callers time out");
}

fn keyed(queue: Value) -> Value {
    scenario(
        10_000,
        json!([{"id": "c", "kind": "client", "rate_per_s": 200, "keys": 10},
               {"id": "a", "kind": "service", "workers": 10, "work_ms": 1}, queue,
               {"id": "b", "kind": "service", "workers": 8, "work_ms": {"exp": 20}}]),
        json!([{"id": "l", "from": "c", "to": "a", "via": "http"},
               {"id": "e", "from": "a", "to": "q", "via": "enqueue"},
               {"id": "cs", "from": "q", "to": "b", "via": "consume"}]),
    )
}

#[test]
fn competing_consumers_break_key_order_and_a_fifo_queue_keeps_it() {
    let plain = run(&keyed(json!({"id": "q", "kind": "queue"})));
    assert!(extra(&plain, "b", "out_of_order") > 0.0);
    let fifo = run(&keyed(json!({"id": "q", "kind": "queue", "fifo": true})));
    assert_eq!(r_extra_present(&fifo, "b", "out_of_order"), Some(0.0));
}

fn r_extra_present(r: &Value, node: &str, field: &str) -> Option<f64> {
    r["nodes"][node]["extra"][field].as_f64()
}

#[test]
fn a_fifo_queue_accepts_a_resend_within_the_window_without_enqueuing_it() {
    let make = |fifo: bool| {
        scenario(
            10_000,
            json!([{"id": "c", "kind": "client", "rate_per_s": 100, "keys": 5},
                   {"id": "s", "kind": "service", "workers": 100, "work_ms": {"exp": 50}},
                   {"id": "q", "kind": "queue", "fifo": fifo},
                   {"id": "b", "kind": "service", "workers": 10, "work_ms": 1}]),
            json!([{"id": "l", "from": "c", "to": "s", "via": "http", "timeout_ms": 50,
                    "retry": {"attempts": 3, "base_ms": 10}},
                   {"id": "e", "from": "s", "to": "q", "via": "enqueue"},
                   {"id": "cs", "from": "q", "to": "b", "via": "consume"}]),
        )
    };
    let plain = run(&make(false));
    let fifo = run(&make(true));
    assert_eq!(m(&plain, "deduplicated"), 0);
    let dedup = m(&fifo, "deduplicated");
    assert!(dedup > 100);
    assert_eq!(n(&fifo, "b", "completed") + dedup as f64, n(&plain, "b", "completed"));
}

fn log(extra_links: Value, partitions: u32) -> Value {
    let mut links = vec![json!({"id": "p", "from": "c", "to": "t", "via": "publish"})];
    links.extend(extra_links.as_array().unwrap().iter().cloned());
    scenario(
        10_000,
        json!([{"id": "c", "kind": "client", "rate_per_s": 100, "keys": 20, "arrival": "uniform"},
               {"id": "t", "kind": "topic", "delivery": "log", "partitions": partitions},
               {"id": "a", "kind": "service", "workers": 4, "work_ms": 5},
               {"id": "b", "kind": "service", "workers": 4, "work_ms": 5},
               {"id": "g", "kind": "service", "workers": 4, "work_ms": 5}]),
        Value::Array(links),
    )
}

#[test]
fn log_topics_consumer_groups_share_partitions_and_every_group_reads_everything() {
    let r = run(&log(
        json!([{"id": "sa", "from": "t", "to": "a", "via": "subscribe", "group": "x"},
               {"id": "sb", "from": "t", "to": "b", "via": "subscribe", "group": "x"},
               {"id": "sg", "from": "t", "to": "g", "via": "subscribe"}]),
        4,
    ));
    let published = n(&r, "t", "arrivals");
    let group_x = n(&r, "a", "arrivals") + n(&r, "b", "arrivals");
    assert!((group_x - published).abs() <= 2.0, "group x reads each message once");
    assert!((n(&r, "g", "arrivals") - published).abs() <= 2.0, "group sg (the link id) reads them all too");
    let groups = r["groups"].as_array().expect("per-group report");
    assert_eq!(groups.len(), 2);
    for g in groups {
        assert!(g["lag"]["mean"].is_number() && g["lag"]["max"].is_number(), "lag mean and max: {g}");
    }
    // One message at a time per partition: one partition caps a group at
    // one in flight, however many workers.
    let single = run(&log(json!([{"id": "sa", "from": "t", "to": "a", "via": "subscribe"}]), 1));
    assert!(n(&single, "a", "utilization") <= 0.25 + 1e-9, "4 workers, 1 partition: at most one busy");
}

#[test]
fn log_commit_modes_on_a_consumer_crash() {
    let crash = |commit: &str| {
        let mut s = log(json!([{"id": "sa", "from": "t", "to": "a", "via": "subscribe", "commit": commit}]), 4);
        s["faults"] = json!([{"target": "a", "kind": "crash", "at_ms": 3003, "for_ms": 1000}]);
        run(&s)
    };
    let auto = crash("auto");
    // auto commits every 5000 ms: nothing was committed at 3 s, so the
    // group replays from the start: the side effects run again.
    assert!(m(&auto, "duplicates") > 250);
    let after = crash("after_processing");
    assert_eq!(m(&after, "duplicates"), 0, "at least once replays only the messages in hand");
    let before = crash("before_processing");
    assert_eq!(m(&before, "duplicates"), 0);
    assert_eq!(m(&before, "lost"), n(&before, "a", "lost") as u64, "at most once loses the messages in hand");
}

#[test]
fn exchanges_route_by_amqp_patterns_and_drop_unroutable_messages() {
    let make = |kind: Option<&str>| {
        let mut x = json!({"id": "x", "kind": "exchange"});
        if let Some(k) = kind {
            x["type"] = json!(k);
        }
        scenario(
            10_000,
            json!([{"id": "c", "kind": "client", "rate_per_s": 100, "arrival": "uniform"}, x,
                   {"id": "q1", "kind": "queue"}, {"id": "q2", "kind": "queue"},
                   {"id": "s1", "kind": "service", "workers": 10, "work_ms": 1},
                   {"id": "s2", "kind": "service", "workers": 10, "work_ms": 1}]),
            json!([{"id": "p", "from": "c", "to": "x", "via": "publish",
                    "routing_keys": [["order.created.eu", 1], ["order.paid.us", 1], ["user.x", 2]]},
                   {"id": "b1", "from": "x", "to": "q1", "via": "bind", "pattern": "order.*.eu"},
                   {"id": "b2", "from": "x", "to": "q2", "via": "bind", "pattern": "order.#"},
                   {"id": "c1", "from": "q1", "to": "s1", "via": "consume"},
                   {"id": "c2", "from": "q2", "to": "s2", "via": "consume"}]),
        )
    };
    let topic = run(&make(None));
    let published = n(&topic, "x", "arrivals");
    let q1 = n(&topic, "q1", "arrivals") / published;
    let q2 = n(&topic, "q2", "arrivals") / published;
    assert!((q1 - 0.25).abs() < 0.04 && (q2 - 0.5).abs() < 0.04, "q1 {q1:.2} (created.eu), q2 {q2:.2} (order.#)");
    assert_eq!(m(&topic, "dropped") as f64, extra(&topic, "x", "unroutable"));
    assert!((extra(&topic, "x", "unroutable") / published - 0.5).abs() < 0.04, "user.x matches nothing");
    let fanout = run(&make(Some("fanout")));
    assert_eq!(n(&fanout, "q1", "arrivals"), n(&fanout, "x", "arrivals"), "fanout: every binding");
    assert_eq!(n(&fanout, "q2", "arrivals"), n(&fanout, "x", "arrivals"));
}

#[test]
fn fan_out_count_regions_and_per_request_connections_add_what_model_md_says() {
    let base = |link: Value, extra_top: Option<(&str, Value)>, regions: bool| {
        let (cr, sr) = if regions { (json!("us"), json!("eu")) } else { (Value::Null, Value::Null) };
        let mut c = json!({"id": "c", "kind": "client", "rate_per_s": 10, "arrival": "uniform"});
        let mut s = json!({"id": "s", "kind": "service", "workers": 100, "work_ms": 0});
        if regions {
            c["region"] = cr;
            s["region"] = sr;
        }
        let mut doc = scenario(10_000, json!([c, s]), json!([link]));
        if let Some((k, v)) = extra_top {
            doc[k] = v;
        }
        doc
    };
    let per_request = run(&base(
        json!({"id": "l", "from": "c", "to": "s", "via": "http", "latency_ms": 5, "connection": "per_request"}),
        None,
        false,
    ));
    assert!((lat(&per_request, "c") - 30.0).abs() < 1e-9, "TCP + TLS 1.3: 4 x latency before the call's 2");
    let payload = run(&base(
        json!({"id": "l", "from": "c", "to": "s", "via": "http", "latency_ms": 5,
               "request_kb": 100, "response_kb": 100, "bandwidth_mbps": 8}),
        None,
        false,
    ));
    assert!((lat(&payload, "c") - 210.0).abs() < 1e-9, "100 kB at 8 Mbit/s: 100 ms each way");
    let count = run(&base(json!({"id": "l", "from": "c", "to": "s", "via": "http", "count": 4}), None, false));
    let calls = n(&count, "s", "arrivals");
    let done = n(&count, "c", "completed");
    assert!(calls == 4.0 * done || calls == 4.0 * (done + 1.0), "{calls} calls for {done} requests: 4 each");
    let far = run(&base(
        json!({"id": "l", "from": "c", "to": "s", "via": "http", "latency_ms": 5}),
        Some(("regions", json!([["us", "eu", 40]]))),
        true,
    ));
    assert!((lat(&far, "c") - 90.0).abs() < 1e-9, "40 ms region latency each way");
    assert_eq!(far["regions"]["share"].as_f64(), Some(1.0));
}

#[test]
fn a_replica_read_inside_the_replication_lag_is_stale() {
    let make = |read_from: Option<&str>| {
        let mut read = json!({"id": "r", "from": "s", "to": "db", "via": "read"});
        if let Some(f) = read_from {
            read["read_from"] = json!(f);
        }
        scenario(
            10_000,
            json!([{"id": "c", "kind": "client", "rate_per_s": 100, "keys": 1},
                   {"id": "s", "kind": "service", "workers": 100, "work_ms": 0},
                   {"id": "db", "kind": "database", "replicas": 1}]),
            json!([{"id": "l", "from": "c", "to": "s", "via": "http"},
                   {"id": "w", "from": "s", "to": "db", "via": "write"}, read]),
        )
    };
    let primary = run(&make(None));
    assert_eq!(extra(&primary, "db", "stale_reads"), 0.0, "read_from primary (default) is never stale");
    let replica = run(&make(Some("replica")));
    assert_eq!(extra(&replica, "db", "stale_reads"), extra(&replica, "db", "reads"), "written 1 ms before, lag 100");
    // Database defaults: work_ms 2, 10 connections (the primary's row).
    let db1 = &primary["nodes"]["db"]["replicas"][0];
    let queries = db1["arrivals"].as_f64().unwrap();
    assert!((lat(&primary, "db") - 2.0).abs() < 0.01);
    let busy = queries * 2.0 / (10_000.0 * 10.0);
    assert!((db1["utilization"].as_f64().unwrap() - busy).abs() < 1e-3, "{db1}");
}

#[test]
fn share_links_seed_and_duration_flags_and_scheduled_changes() {
    let doc = MODEL_EXAMPLE;
    let (code, link, err) = cli(&["link", "-"], doc);
    assert_eq!(code, 0, "{err}");
    let link = link.trim();
    assert!(link.contains("#s1."));
    let (_, by_link, _) = cli(&["run", link, "--json"], "");
    let (_, by_file, _) = cli(&["run", "-", "--json"], doc);
    let a: Value = serde_json::from_str(&by_link).unwrap();
    let b: Value = serde_json::from_str(&by_file).unwrap();
    assert_eq!(a["run_hash"], b["run_hash"], "a share link runs to the same hash");
    let s: Value = serde_json::from_str(doc).unwrap();
    let short = run_with(&s, &["--seed", "8", "--duration-ms", "4999"]);
    assert_eq!(short["sim_ms"].as_f64(), Some(4999.0));
    assert_ne!(short["run_hash"], b["run_hash"]);
    // A run is identical, hash included, to the same scenario without its
    // changes up to the first change's time.
    let changed = with(s.clone(), "changes", json!([{"at_ms": 5000, "target": "pay", "field": "workers", "value": 2}]));
    let before = run_with(&changed, &["--seed", "8", "--duration-ms", "4999"]);
    assert_eq!(before["run_hash"], short["run_hash"]);
    assert_ne!(run(&changed)["run_hash"], b["run_hash"]);
}

#[test]
fn adding_a_node_does_not_reshuffle_anyone_elses_random_numbers() {
    let one = scenario(
        10_000,
        json!([{"id": "c", "kind": "client", "rate_per_s": 50},
               {"id": "s", "kind": "service", "work_ms": {"exp": 10}}]),
        json!([{"id": "l", "from": "c", "to": "s", "via": "http", "latency_ms": {"exp": 1}}]),
    );
    let mut two = one.clone();
    two["nodes"].as_array_mut().unwrap().insert(0, json!({"id": "c0", "kind": "client", "rate_per_s": 50}));
    two["nodes"].as_array_mut().unwrap().push(json!({"id": "s0", "kind": "service", "work_ms": {"exp": 10}}));
    two["links"].as_array_mut().unwrap().insert(0, json!({"id": "l0", "from": "c0", "to": "s0", "via": "http"}));
    let (a, b) = (run(&one), run(&two));
    assert_eq!(a["nodes"]["s"], b["nodes"]["s"]);
    assert_eq!(a["nodes"]["c"], b["nodes"]["c"]);
}

#[test]
fn bad_input_is_refused_with_the_node_or_link_and_field_named() {
    let unknown = refused(&scenario(1000, json!([{"id": "a", "kind": "client", "rate": 5}]), json!([])));
    assert!(unknown.contains("`a`") && unknown.contains("rate"), "{unknown}");
    let attempts = refused(&failing_calls(json!({"attempts": 0}), 1000));
    assert!(attempts.contains("`l`") && attempts.contains("retry.attempts"), "{attempts}");
    let wiring = refused(&scenario(
        1000,
        json!([{"id": "a", "kind": "client"}, {"id": "s", "kind": "service"}]),
        json!([{"id": "x", "from": "a", "to": "s", "via": "consume"}]),
    ));
    assert!(wiring.contains("`x`") && wiring.contains("consume"), "{wiring}");
    let newer = refused(&json!({"crosstalk": 2, "nodes": [], "links": []}));
    assert!(newer.contains("version 2"), "{newer}");
}

#[test]
fn a_client_schedule_sets_the_rate_at_its_times() {
    let s = scenario(
        10_000,
        json!([{"id": "c", "kind": "client", "rate_per_s": 10, "arrival": "uniform",
                "schedule": [[2000, 100], [4000, 0]]},
               {"id": "s", "kind": "service", "workers": 100, "work_ms": 1}]),
        json!([{"id": "l", "from": "c", "to": "s", "via": "http"}]),
    );
    let r = run(&s);
    // 2 s at 10/s, 2 s at 100/s, then nothing.
    let started = rq(&r, "started");
    assert!((215..=221).contains(&started), "{started} requests, 20 + 200 expected");
}

#[test]
fn a_crashed_replica_keeps_its_share_until_unhealthy_after_failed_checks() {
    let s = with(
        scenario(
            60_000,
            json!([{"id": "c", "kind": "client", "rate_per_s": 100, "arrival": "uniform"},
                   {"id": "s", "kind": "service", "workers": 10, "work_ms": 1, "replicas": 4}]),
            json!([{"id": "l", "from": "c", "to": "s", "via": "http"}]),
        ),
        "faults",
        json!([{"target": "s#2", "kind": "crash", "at_ms": 5000}]),
    );
    let r = run(&s);
    // Probes every 10 s (health_check_ms) fail at 10, 20 and 30 s
    // (unhealthy_after 3): a quarter of 100/s is refused for those 25 s.
    let refused = m(&r, "rejected");
    assert!((615..=635).contains(&refused), "{refused} calls refused, 25 s x 25/s expected");
    let replicas = r["nodes"]["s"]["replicas"].as_array().unwrap();
    assert_eq!(replicas[1]["id"], "s#2");
    assert_eq!(replicas[1]["in_rotation"], false);
    assert_eq!(replicas[0]["in_rotation"], true);
}

#[test]
fn log_retention_expires_unread_messages_and_replay_rewinds_a_group() {
    let make = |retention: Option<u64>, faults: Value| {
        let mut topic = json!({"id": "t", "kind": "topic", "delivery": "log"});
        if let Some(ms) = retention {
            topic["retention_ms"] = json!(ms);
        }
        let mut s = scenario(
            10_000,
            json!([{"id": "c", "kind": "client", "rate_per_s": 100, "arrival": "uniform"}, topic,
                   {"id": "a", "kind": "service", "workers": 1, "work_ms": 20}]),
            json!([{"id": "p", "from": "c", "to": "t", "via": "publish"},
                   {"id": "sa", "from": "t", "to": "a", "via": "subscribe", "commit": "after_processing"}]),
        );
        s["faults"] = faults;
        s
    };
    // The reader takes 50/s of 100/s: what it has not read after 1 s expires.
    let kept = run(&make(Some(1000), json!([])));
    assert!(m(&kept, "expired") > 700, "{} expired", m(&kept, "expired"));
    let unbounded = run(&make(None, json!([])));
    assert_eq!(m(&unbounded, "expired"), 0, "retention_ms defaults to unbounded");
    let fast = |s: Value| {
        let mut s = s;
        s["nodes"][2]["work_ms"] = json!(1);
        s
    };
    let replayed = run(&fast(make(None, json!([{"target": "sa", "kind": "replay", "at_ms": 5000}]))));
    let once = run(&fast(make(None, json!([]))));
    let again = n(&replayed, "a", "arrivals") - n(&once, "a", "arrivals");
    assert!((again - 500.0).abs() <= 2.0, "replay at 5 s reads the first 5 s again: {again}");
    assert_eq!(m(&replayed, "duplicates") as f64, again);
}

#[test]
fn a_region_fault_takes_down_every_node_in_the_region() {
    let s = json!({"crosstalk": 1, "seed": 7, "duration_ms": 10000,
        "regions": [["us", "eu", 10]],
        "nodes": [{"id": "c", "kind": "client", "rate_per_s": 100, "region": "us"},
                  {"id": "eu1", "kind": "service", "workers": 10, "work_ms": 1, "region": "eu"},
                  {"id": "us1", "kind": "service", "workers": 10, "work_ms": 1, "region": "us"}],
        "links": [{"id": "a", "from": "c", "to": "eu1", "via": "http"},
                  {"id": "b", "from": "c", "to": "us1", "via": "http"}],
        "faults": [{"target": "region:eu", "kind": "crash", "at_ms": 0, "for_ms": 5000}]});
    let r = run(&s);
    let half = n(&r, "c", "arrivals") / 2.0;
    assert!((n(&r, "eu1", "rejected") - half).abs() < 0.1 * half, "eu is down half the run");
    assert_eq!(n(&r, "us1", "rejected"), 0.0, "us is untouched");
}

#[test]
fn request_reply_frees_the_callers_worker_while_it_waits() {
    let s = scenario(
        10_000,
        json!([{"id": "c", "kind": "client", "rate_per_s": 100, "arrival": "uniform"},
               {"id": "a", "kind": "service", "workers": 1, "work_ms": 1},
               {"id": "b", "kind": "service", "workers": 100, "work_ms": 500}]),
        json!([{"id": "l", "from": "c", "to": "a", "via": "http"},
               {"id": "rr", "from": "a", "to": "b", "via": "request_reply", "timeout_ms": 1000}]),
    );
    let r = run(&s);
    // One worker, 100 requests a second each waiting 500 ms for its reply:
    // only possible if the wait does not hold the worker.
    assert!(rq(&r, "ok") > 900);
    assert!((n(&r, "a", "utilization") - 0.1).abs() < 0.01, "busy 1 ms per request");
    assert_eq!(rq(&r, "timed_out"), 0);
}
