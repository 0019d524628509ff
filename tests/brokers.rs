//! RabbitMQ exchanges and prefetch, SQS FIFO queues, keys, presence and
//! store-and-forward, poison messages and job timeouts: each checked by
//! the number that shows it.

mod common;
use common::{run, run_json, scenario};
use crosstalk::engine::report::Report;
use crosstalk::engine::{Sim, SimOptions};

fn extra(r: &Report, node: &str, name: &str) -> f64 {
    r.nodes[node].extra.get(name).copied().unwrap_or(0.0)
}

/// A publisher into exchange `x` of `kind`, its routing keys, and queues
/// `q0..` bound with `patterns`, each drained by a fast consumer.
fn exchange(kind: &str, keys: &str, patterns: &[&str], x_extra: &str) -> Report {
    let mut nodes = vec![
        r#"{"id":"p","kind":"client","rate_per_s":1000}"#.to_string(),
        format!(r#"{{"id":"x","kind":"exchange","type":"{kind}"{x_extra}}}"#),
        r#"{"id":"alt","kind":"queue"}"#.to_string(),
    ];
    let mut links = vec![format!(r#"{{"id":"pub","from":"p","to":"x","via":"publish","routing_keys":{keys}}}"#)];
    for (i, pattern) in patterns.iter().enumerate() {
        nodes.push(format!(r#"{{"id":"q{i}","kind":"queue"}}"#));
        nodes.push(format!(r#"{{"id":"w{i}","kind":"service","workers":8,"work_ms":1}}"#));
        links.push(format!(r#"{{"id":"b{i}","from":"x","to":"q{i}","via":"bind","pattern":"{pattern}"}}"#));
        links.push(format!(r#"{{"id":"c{i}","from":"q{i}","to":"w{i}","via":"consume"}}"#));
    }
    run_json(&format!(
        r#"{{"crosstalk":1,"seed":9,"duration_ms":60000,"nodes":[{}],"links":[{}]}}"#,
        nodes.join(","),
        links.join(",")
    ))
}

#[test]
fn topic_exchange_shares_match_the_weights_within_2_percent() {
    let keys = r#"[["order.created.eu",5],["order.created.us",3],["order.paid.eu",2]]"#;
    let r = exchange("topic", keys, &["order.created.*", "*.*.eu", "#", "order.#.us"], "");
    let n = r.nodes["x"].arrivals as f64;
    let share = |q: &str| r.nodes[q].arrivals as f64 / n;
    for (q, want) in [("q0", 0.8), ("q1", 0.7), ("q2", 1.0), ("q3", 0.3)] {
        assert!((share(q) - want).abs() <= 0.02, "{q}: {} vs {want}", share(q));
    }
    assert_eq!(extra(&r, "x", "unroutable"), 0.0);
}

#[test]
fn a_message_reaches_a_queue_once_however_many_bindings_match() {
    // Two bindings into one queue both match: one copy.
    let json = r##"{"crosstalk":1,"seed":1,"duration_ms":10000,
        "nodes":[{"id":"p","kind":"client","rate_per_s":100},{"id":"x","kind":"exchange"},{"id":"q","kind":"queue"}],
        "links":[{"id":"pub","from":"p","to":"x","via":"publish","routing_keys":[["a.b",1]]},
                 {"id":"b1","from":"x","to":"q","via":"bind","pattern":"a.*"},
                 {"id":"b2","from":"x","to":"q","via":"bind","pattern":"#"}]}"##;
    let r = run_json(json);
    assert_eq!(r.nodes["q"].arrivals, r.nodes["x"].arrivals);
}

#[test]
fn direct_and_fanout_exchanges() {
    let keys = r#"[["eu",1],["us",1]]"#;
    let direct = exchange("direct", keys, &["eu", "#"], "");
    let n = direct.nodes["x"].arrivals as f64;
    assert!((direct.nodes["q0"].arrivals as f64 / n - 0.5).abs() < 0.02);
    assert_eq!(direct.nodes["q1"].arrivals, 0, "a direct exchange reads `#` literally");
    assert!((extra(&direct, "x", "unroutable") / n - 0.5).abs() < 0.02, "`us` has no binding");
    let fanout = exchange("fanout", keys, &["eu", "nothing"], "");
    assert_eq!(fanout.nodes["q0"].arrivals, fanout.nodes["x"].arrivals);
    assert_eq!(fanout.nodes["q1"].arrivals, fanout.nodes["x"].arrivals);
}

#[test]
fn unroutable_messages_are_dropped_or_go_to_the_alternate() {
    let keys = r#"[["a",1],["b",3]]"#;
    let r = exchange("direct", keys, &["a"], "");
    let unroutable = extra(&r, "x", "unroutable");
    assert!((unroutable / r.nodes["x"].arrivals as f64 - 0.75).abs() < 0.02);
    assert_eq!(r.messages.dropped as f64, unroutable, "without an alternate they end dropped");
    let r = exchange("direct", keys, &["a"], r#","alternate":"alt""#);
    assert_eq!(r.messages.dropped, 0);
    assert_eq!(r.nodes["alt"].arrivals as f64, extra(&r, "x", "unroutable"));
}

#[test]
fn a_queue_dead_letters_into_an_exchange_with_the_routing_key() {
    // Messages keep their routing key through the DLX: `eu` ones go to
    // `dead_eu`, `us` ones to `dead_us`.
    let json = r#"{"crosstalk":1,"seed":4,"duration_ms":20000,
        "nodes":[{"id":"p","kind":"client","rate_per_s":100},
                 {"id":"x","kind":"exchange","type":"direct"},
                 {"id":"q","kind":"queue","max_deliveries":2,"dead_letter":"dlx"},
                 {"id":"w","kind":"service","workers":4,"work_ms":1,"error_rate":1},
                 {"id":"dlx","kind":"exchange","type":"direct"},
                 {"id":"dead_eu","kind":"queue"},{"id":"dead_us","kind":"queue"}],
        "links":[{"id":"pub","from":"p","to":"x","via":"publish","routing_keys":[["eu",1],["us",1]]},
                 {"id":"b1","from":"x","to":"q","via":"bind","pattern":"eu"},
                 {"id":"b2","from":"x","to":"q","via":"bind","pattern":"us"},
                 {"id":"c","from":"q","to":"w","via":"consume"},
                 {"id":"d1","from":"dlx","to":"dead_eu","via":"bind","pattern":"eu"},
                 {"id":"d2","from":"dlx","to":"dead_us","via":"bind","pattern":"us"}]}"#;
    let r = run_json(json);
    let (eu, us) = (r.nodes["dead_eu"].arrivals, r.nodes["dead_us"].arrivals);
    assert_eq!(eu + us, r.messages.dead_lettered);
    assert!(eu > 700 && us > 700, "{eu} / {us}");
}

fn prefetch_scenario(prefetch: u32, faults: &str) -> String {
    format!(
        r#"{{"crosstalk":1,"seed":2,"duration_ms":30000,
        "nodes":[{{"id":"p","kind":"client","rate_per_s":400,"arrival":"uniform"}},{{"id":"q","kind":"queue"}},
                 {{"id":"slow","kind":"service","workers":8,"work_ms":50,"idempotent":true}},
                 {{"id":"other","kind":"service","workers":8,"work_ms":50}}],
        "links":[{{"id":"e","from":"p","to":"q","via":"enqueue"}},
                 {{"id":"c1","from":"q","to":"slow","via":"consume","prefetch":{prefetch}}},
                 {{"id":"c2","from":"q","to":"other","via":"consume"}}],
        "faults":[{faults}]}}"#
    )
}

#[test]
fn prefetch_below_the_workers_caps_a_consumers_concurrency() {
    let r = run_json(&prefetch_scenario(2, ""));
    // 2 of 8 workers at most: utilization at most a quarter.
    assert!(r.nodes["slow"].utilization <= 0.25 + 1e-9, "{}", r.nodes["slow"].utilization);
    assert!(r.nodes["other"].completed > 2 * r.nodes["slow"].completed);
}

#[test]
fn a_crashed_consumers_prefetched_messages_are_redelivered() {
    // `slow` holds up to 200 unacked (8 at work, the rest in its buffer).
    // When it crashes they all come back to the queue; none is lost.
    let s = scenario(&prefetch_scenario(200, r#"{"target":"slow","kind":"crash","at_ms":10000,"for_ms":5000}"#));
    let mut sim = Sim::new(&s, SimOptions::default()).expect("valid");
    sim.advance_to(9_990_000, u64::MAX);
    let held = sim.node_live()[1].unacked;
    assert!(held > 8, "more unacked than workers: {held}");
    let (_, r) = run(&s);
    assert_eq!(r.messages.lost, 0);
    assert_eq!(r.messages.dead_lettered + r.messages.dropped, 0);
    assert!(r.messages.delivered + r.messages.in_flight == r.messages.sent);
}

#[test]
fn fifo_deduplicates_an_outbox_resend_that_a_standard_queue_delivers_twice() {
    let orders = |fifo: bool| {
        run_json(&format!(
            r#"{{"crosstalk":1,"seed":9,"duration_ms":30000,
            "nodes":[{{"id":"shop","kind":"client","rate_per_s":200}},
                     {{"id":"orders","kind":"service","workers":32,"work_ms":{{"exp":5}}}},
                     {{"id":"events","kind":"queue","fifo":{fifo}}},
                     {{"id":"billing","kind":"service","workers":16,"work_ms":2}}],
            "links":[{{"id":"a","from":"shop","to":"orders","via":"http"}},
                     {{"id":"b","from":"orders","to":"events","via":"enqueue","latency_ms":20,"outbox":true}},
                     {{"id":"c","from":"events","to":"billing","via":"consume"}}],
            "faults":[{{"target":"orders","kind":"crash","at_ms":5000,"for_ms":500}},
                      {{"target":"orders","kind":"crash","at_ms":12000,"for_ms":500}}]}}"#
        ))
    };
    let standard = orders(false);
    assert!(standard.nodes["billing"].duplicates > 0, "the relay resends what was confirmed too late");
    let fifo = orders(true);
    assert!(fifo.messages.deduplicated > 0);
    assert_eq!(fifo.nodes["events"].deduplicated, fifo.messages.deduplicated);
    assert_eq!(fifo.nodes["billing"].duplicates, 0, "the FIFO queue took each message once");
}

#[test]
fn fifo_delivers_one_message_per_group_at_a_time() {
    // One key: however many workers, one message is in flight.
    let json = r#"{"crosstalk":1,"seed":5,"duration_ms":20000,
        "nodes":[{"id":"p","kind":"client","rate_per_s":50,"keys":1},{"id":"q","kind":"queue","fifo":true},
                 {"id":"w","kind":"service","workers":16,"work_ms":{"exp":10}}],
        "links":[{"id":"e","from":"p","to":"q","via":"enqueue"},{"id":"c","from":"q","to":"w","via":"consume"}]}"#;
    let r = run_json(json);
    assert!(r.nodes["w"].utilization <= 1.0 / 16.0 + 1e-9, "{}", r.nodes["w"].utilization);
    assert_eq!(extra(&r, "w", "out_of_order"), 0.0);
}

#[test]
fn one_key_space_across_clients_keeps_sequences_per_key() {
    // Two clients share keys k0..k4: a single worker applies everything in
    // the order it was sent, so nothing is out of order.
    let json = r#"{"crosstalk":1,"seed":5,"duration_ms":20000,
        "nodes":[{"id":"a","kind":"client","rate_per_s":20,"keys":5},{"id":"b","kind":"client","rate_per_s":20,"keys":5},
                 {"id":"w","kind":"service","workers":1,"work_ms":1}],
        "links":[{"id":"l1","from":"a","to":"w","via":"http","latency_ms":0},{"id":"l2","from":"b","to":"w","via":"http","latency_ms":0}]}"#;
    assert_eq!(extra(&run_json(json), "w", "out_of_order"), 0.0);
}

#[test]
fn keys_do_not_move_a_clients_arrivals() {
    // Keys come from their own random stream: the same arrivals, so an A/B
    // comparison differs only where the designs differ.
    let base = r#"{"crosstalk":1,"seed":5,"duration_ms":20000,
        "nodes":[{"id":"a","kind":"client","rate_per_s":20KEYS},{"id":"w","kind":"service","workers":1,"work_ms":{"exp":1}}],
        "links":[{"id":"l1","from":"a","to":"w","via":"http"}]}"#;
    let plain = run_json(&base.replace("KEYS", ""));
    let keyed = run_json(&base.replace("KEYS", r#","keys":7"#));
    assert_eq!(plain.nodes["w"].latency_ms, keyed.nodes["w"].latency_ms);
    assert_eq!(plain.nodes["a"].arrivals, keyed.nodes["a"].arrivals);
}

#[test]
fn poison_work_never_ends_without_a_job_timeout() {
    let json = |timeout: &str| {
        format!(
            r#"{{"crosstalk":1,"seed":7,"duration_ms":30000,
            "nodes":[{{"id":"p","kind":"client","rate_per_s":10,"poison_rate":0.1}},{{"id":"q","kind":"queue","max_deliveries":2,"dead_letter":"dlq"}},
                     {{"id":"dlq","kind":"queue"}},{{"id":"w","kind":"service","workers":10,"work_ms":5{timeout}}}],
            "links":[{{"id":"e","from":"p","to":"q","via":"enqueue"}},{{"id":"c","from":"q","to":"w","via":"consume"}}]}}"#
        )
    };
    // Without a timeout every poison message keeps a worker for good: after
    // ten of them (about 10 s) the consumer is stuck and the queue only grows.
    let stuck = run_json(&json(""));
    assert!(stuck.nodes["w"].completed < 150, "{}", stuck.nodes["w"].completed);
    assert!(stuck.nodes["q"].queue_len.max > 150.0, "{:?}", stuck.nodes["q"].queue_len);
    // A 1 s job timeout kills them; after 2 deliveries they are parked.
    let killed = run_json(&json(r#","job_timeout_ms":1000"#));
    let poison = killed.nodes["dlq"].arrivals as f64;
    assert!((20.0..=40.0).contains(&poison), "about 10% of 300: {poison}");
    assert!(extra(&killed, "w", "job_timeouts") >= 2.0 * poison);
    assert!(killed.nodes["w"].completed as f64 > 0.85 * killed.nodes["p"].arrivals as f64);
}

#[test]
fn the_service_a_client_calls_directly_passes_poison_on() {
    // The entry service accepts the request; the one behind it runs the work.
    let json = r#"{"crosstalk":1,"seed":7,"duration_ms":10000,
        "nodes":[{"id":"p","kind":"client","rate_per_s":10,"poison_rate":1},{"id":"api","kind":"service","workers":4,"work_ms":1},
                 {"id":"judge","kind":"service","workers":4,"work_ms":1,"job_timeout_ms":100}],
        "links":[{"id":"l1","from":"p","to":"api","via":"http"},{"id":"l2","from":"api","to":"judge","via":"http"}]}"#;
    let r = run_json(json);
    assert_eq!(r.nodes["api"].failed, r.nodes["judge"].failed, "the api fails only because the judge did");
    assert_eq!(extra(&r, "judge", "job_timeouts") as u64, r.nodes["judge"].arrivals - r.nodes["judge"].completed);
    assert_eq!(r.nodes["judge"].completed, 0);
}

fn presence(link_extra: &str) -> Report {
    run_json(&format!(
        r#"{{"crosstalk":1,"seed":12,"duration_ms":120000,
        "nodes":[{{"id":"s","kind":"client","rate_per_s":40}},{{"id":"ws","kind":"websocket"}},
                 {{"id":"phones","kind":"browser","users":200,"online_ms":{{"exp":20000}},"offline_ms":{{"exp":10000}}}}],
        "links":[{{"id":"l1","from":"s","to":"ws","via":"http"}},{{"id":"push","from":"ws","to":"phones","via":"push"{link_extra}}}]}}"#
    ))
}

#[test]
fn plain_push_keeps_losing_messages_to_offline_users() {
    let r = presence("");
    let pushed = r.nodes["ws"].completed as f64;
    let lost = extra(&r, "phones", "pushes_lost");
    assert!((lost / pushed - 1.0 / 3.0).abs() < 0.05, "{lost} of {pushed}");
}

#[test]
fn store_and_forward_holds_pushes_until_the_user_is_back() {
    let r = presence(r#","store_and_forward":true"#);
    assert_eq!(extra(&r, "phones", "pushes_lost"), 0.0);
    let pushed = r.nodes["ws"].completed as f64;
    let late = extra(&r, "phones", "delivered_late") + extra(&r, "phones", "held_now");
    assert!((late / pushed - 1.0 / 3.0).abs() < 0.05, "{late} of {pushed}");
    assert_eq!(r.messages.lost, 0);
    // A short retention expires what waits too long.
    let r = presence(r#","store_and_forward":true,"retention_ms":2000"#);
    assert!(r.messages.expired > 100, "{}", r.messages.expired);
    assert_eq!(extra(&r, "phones", "expired"), r.messages.expired as f64);
}

#[test]
fn offline_users_do_not_poll() {
    let json = |presence: &str| {
        format!(
            r#"{{"crosstalk":1,"seed":3,"duration_ms":60000,
            "nodes":[{{"id":"s","kind":"client","rate_per_s":1}},{{"id":"srv","kind":"service"}},{{"id":"b","kind":"browser","users":50{presence}}}],
            "links":[{{"id":"l1","from":"s","to":"srv","via":"http"}},{{"id":"poll","from":"srv","to":"b","via":"poll","interval_ms":1000}}]}}"#
        )
    };
    let always = extra(&run_json(&json("")), "srv", "polls");
    let away = extra(&run_json(&json(r#","online_ms":{"exp":10000},"offline_ms":{"exp":10000}"#)), "srv", "polls");
    assert!((away / always - 0.5).abs() < 0.1, "half the polls: {away} of {always}");
}
