//! Runaway scenarios: work that would never end, or take hours, or eat the
//! machine's memory. Each is refused before it runs, or stops with a
//! message that names the node or link that exploded and suggests a fix,
//! in bounded time and memory. The cases are findings of issue 12.

mod common;
use common::scenario;
use crosstalk::engine::budget::Budget;
use crosstalk::engine::format::{self, load};
use crosstalk::engine::{Sim, SimOptions};

/// The first error validation finds, as shown to the user.
fn refused(json: &str) -> String {
    let s = load::parse(json).expect("parses");
    match load::check(&s) {
        Ok(()) => panic!("accepted: {json}"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn queues_that_dead_letter_into_each_other_are_refused() {
    // With failing, instant consumers a poison message bounced between the
    // two forever at one instant: the run hung.
    let m = refused(
        r#"{"crosstalk":1,"duration_ms":2000,
            "nodes":[{"id":"c","kind":"client","rate_per_s":10},
                     {"id":"a","kind":"queue","dead_letter":"b","max_deliveries":1},
                     {"id":"b","kind":"queue","dead_letter":"a","max_deliveries":1},
                     {"id":"s","kind":"service","work_ms":0,"error_rate":1},
                     {"id":"t","kind":"service","work_ms":0,"error_rate":1}],
            "links":[{"from":"c","to":"a","via":"enqueue"},{"from":"a","to":"s","via":"consume"},
                     {"from":"b","to":"t","via":"consume"}]}"#,
    );
    assert!(m.contains("loop forever") && m.contains("a → b → a"), "{m}");
    assert!(m.contains("`a` dead-letters into `b`") && m.contains("`b` dead-letters into `a`"), "{m}");
}

#[test]
fn dead_letters_that_come_back_through_a_service_are_refused() {
    let m = refused(
        r#"{"crosstalk":1,
            "nodes":[{"id":"c","kind":"client"},{"id":"a","kind":"queue","dead_letter":"dlq"},
                     {"id":"dlq","kind":"queue"},{"id":"s","kind":"service","error_rate":1},
                     {"id":"redrive","kind":"service"}],
            "links":[{"from":"c","to":"a","via":"enqueue"},{"from":"a","to":"s","via":"consume"},
                     {"from":"dlq","to":"redrive","via":"consume"},{"from":"redrive","to":"a","via":"enqueue"}]}"#,
    );
    assert!(m.contains("a → dlq → redrive → a") && m.contains("`a` dead-letters into `dlq`"), "{m}");
}

#[test]
fn a_dead_letter_queue_at_the_end_of_the_line_is_fine() {
    let s = scenario(
        r#"{"crosstalk":1,
            "nodes":[{"id":"c","kind":"client"},{"id":"a","kind":"queue","dead_letter":"dlq"},
                     {"id":"dlq","kind":"queue"},{"id":"s","kind":"service","error_rate":0.5},
                     {"id":"audit","kind":"service"}],
            "links":[{"from":"c","to":"a","via":"enqueue"},{"from":"a","to":"s","via":"consume"},
                     {"from":"dlq","to":"audit","via":"consume"}]}"#,
    );
    assert!(format::validate::errors(&s).is_empty());
}

#[test]
fn polling_faster_than_the_rate_cap_is_refused_naming_the_link() {
    // A million users polling every microsecond: 10^12 polls a second,
    // which would have run for hours.
    let m = refused(
        r#"{"crosstalk":1,"duration_ms":1000,
            "nodes":[{"id":"ws","kind":"websocket"},{"id":"b","kind":"browser","users":1000000}],
            "links":[{"id":"p","from":"ws","to":"b","via":"poll","interval_ms":0.001}]}"#,
    );
    assert!(m.starts_with("link `p`: interval_ms:") && m.contains("1000000/s"), "{m}");
    assert!(m.contains("poll every 1000 ms or more"), "{m}");
}

/// Why `Sim::new` refuses `json`.
fn refused_to_run(json: &str) -> String {
    match Sim::new(&scenario(json), SimOptions::default()) {
        Ok(_) => panic!("accepted: {json}"),
        Err(e) => e.to_string(),
    }
}

/// Runs under `budget` until the end, a stop, or `max_events` (a
/// regression must fail, not hang); returns the stop message.
fn stop_message(json: &str, budget: Budget, max_events: u64) -> String {
    let s = scenario(json);
    let mut sim = Sim::with_budget(&s, SimOptions::default(), budget).expect("runs");
    let mut left = max_events;
    while !sim.is_finished() && left > 0 {
        left -= sim.advance_to(sim.end_us(), left.min(1_000_000));
    }
    sim.audit().expect("balanced books");
    match sim.stopped() {
        Some(m) => m.to_string(),
        None => panic!("did not stop: {} events, now {} ms", sim.events(), sim.now_ms()),
    }
}

#[test]
fn a_day_at_the_rate_cap_is_refused_with_a_duration_that_fits() {
    let m = refused_to_run(
        r#"{"crosstalk":1,"duration_ms":86400000,
            "nodes":[{"id":"c","kind":"client","rate_per_s":1000000},{"id":"s","kind":"service","workers":100}],
            "links":[{"from":"c","to":"s","via":"http"}]}"#,
    );
    assert!(m.starts_with("duration_ms: this run would take about"), "{m}");
    assert!(m.contains("above the budget of 1.0 billion events"), "{m}");
    assert!(m.contains("service `s` would receive 86.4 billion") && m.contains("client `c`"), "{m}");
    assert!(m.contains("shorten the run to 4 min (duration_ms 240000)"), "{m}");
}

#[test]
fn five_hundred_clients_at_the_rate_cap_are_refused() {
    let nodes: Vec<String> =
        (0..499).map(|i| format!(r#"{{"id":"c{i}","kind":"client","rate_per_s":1000000}}"#)).collect();
    let links: Vec<String> = (0..499).map(|i| format!(r#"{{"from":"c{i}","to":"s","via":"http"}}"#)).collect();
    let m = refused_to_run(&format!(
        r#"{{"crosstalk":1,"nodes":[{},{{"id":"s","kind":"service","workers":1000}}],"links":[{}]}}"#,
        nodes.join(","),
        links.join(",")
    ));
    assert!(m.contains("service `s` would receive") && m.contains("497 more clients"), "{m}");
    assert!(m.contains("shorten the run to 500 ms (duration_ms 500)"), "{m}");
}

#[test]
fn a_topic_with_497_subscribers_at_the_rate_cap_is_refused_before_it_eats_the_memory() {
    // Before: it ran and aborted at 4 GiB after a simulated minute.
    let subs: Vec<String> =
        (0..497).map(|i| format!(r#"{{"id":"s{i}","kind":"service","workers":10,"work_ms":0}}"#)).collect();
    let links: Vec<String> = (0..497).map(|i| format!(r#"{{"from":"t","to":"s{i}","via":"subscribe"}}"#)).collect();
    let m = refused_to_run(&format!(
        r#"{{"crosstalk":1,"nodes":[{{"id":"c","kind":"client","rate_per_s":1000000}},{{"id":"t","kind":"topic"}},{}],
            "links":[{{"from":"c","to":"t","via":"publish"}},{}]}}"#,
        subs.join(","),
        links.join(",")
    ));
    assert!(m.contains("each client request becomes 498 requests and messages"), "{m}");
    assert!(m.contains("`t` sends 497 per request it gets"), "{m}");
}

#[test]
fn an_exponential_fan_out_of_instant_calls_is_refused_before_running() {
    // Each of 30 services calls the next one twice, in no time: 2^30 calls
    // per request at one instant, never many alive at once.
    let (nodes, links) = fan_out_chain(30);
    let m = refused_to_run(&format!(
        r#"{{"crosstalk":1,"duration_ms":2000,"nodes":[{{"id":"c","kind":"client","rate_per_s":1}},{nodes}],"links":[{{"from":"c","to":"s0","via":"http","latency_ms":0}},{links}]}}"#
    ));
    assert!(m.contains("because work fans out") && m.contains("`s0` sends 2 per request it gets"), "{m}");
    assert!(m.contains("service `s29` alone would receive"), "{m}");
}

/// `n` services, each calling the next twice with no latency and no work.
fn fan_out_chain(n: usize) -> (String, String) {
    let nodes: Vec<String> =
        (0..n).map(|i| format!(r#"{{"id":"s{i}","kind":"service","workers":100000,"work_ms":0}}"#)).collect();
    let mut links = Vec::new();
    for i in 0..n - 1 {
        for _ in 0..2 {
            links.push(format!(r#"{{"from":"s{i}","to":"s{}","via":"http","latency_ms":0}}"#, i + 1));
        }
    }
    (nodes.join(","), links.join(","))
}

#[test]
fn instant_work_that_keeps_multiplying_stops_when_time_stops() {
    // Past the estimate (a budget of everything), the run itself notices
    // that simulated time no longer moves.
    let (nodes, links) = fan_out_chain(30);
    let json = format!(
        r#"{{"crosstalk":1,"duration_ms":2000,"nodes":[{{"id":"c","kind":"client","rate_per_s":1}},{nodes}],"links":[{{"from":"c","to":"s0","via":"http","latency_ms":0}},{links}]}}"#
    );
    let everything = Budget { events: u64::MAX, memory_bytes: u64::MAX };
    let m = stop_message(&json, everything, 40_000_000);
    assert!(m.starts_with("simulated time stopped at"), "{m}");
    assert!(m.contains("service `s29`") && m.contains("latency_ms"), "{m}");
}

#[test]
fn a_retry_storm_into_a_failing_service_is_refused_naming_the_link() {
    // Twenty attempts for every call into a service that always fails:
    // twenty times the work, seen before the run starts.
    let m = refused_to_run(
        r#"{"crosstalk":1,"duration_ms":60000,
            "nodes":[{"id":"c","kind":"client","rate_per_s":1000000},
                     {"id":"s","kind":"service","workers":100000,"work_ms":0,"error_rate":1}],
            "links":[{"id":"storm","from":"c","to":"s","via":"http","latency_ms":0,
                      "retry":{"attempts":20,"base_ms":0}}]}"#,
    );
    assert!(m.contains("service `s` would receive 1.2 billion requests and messages"), "{m}");
    assert!(m.contains("link `storm` tries each call 20.0 times on average (retry.attempts)"), "{m}");
    assert!(m.contains("fails 100% of the time, a retry storm"), "{m}");
}

#[test]
fn a_retry_storm_of_timeouts_stops_at_the_budget_naming_the_link() {
    // Calls that time out after 1 ms into work of 10 ms, retried twenty
    // times: the estimate cannot see timeouts, the run's budget can.
    let m = stop_message(
        r#"{"crosstalk":1,"duration_ms":1000,
            "nodes":[{"id":"c","kind":"client","rate_per_s":1000000},
                     {"id":"s","kind":"service","workers":100000,"work_ms":10}],
            "links":[{"id":"storm","from":"c","to":"s","via":"http","latency_ms":0,"timeout_ms":1,
                      "retry":{"attempts":20,"base_ms":0}}]}"#,
        Budget { events: 8_000_000, ..Budget::default() },
        20_000_000,
    );
    assert!(m.contains("the budget of one run: service `s` received"), "{m}");
    assert!(m.contains("link `storm` retries each call up to 20 times and calls time out after 1 ms"), "{m}");
}

#[test]
fn timers_that_outlive_their_calls_stop_at_the_memory_budget_naming_the_link() {
    // Every call leaves a one-day timeout timer in the queue: memory that
    // the count of live requests does not see.
    let m = stop_message(
        r#"{"crosstalk":1,"duration_ms":60000,
            "nodes":[{"id":"c","kind":"client","rate_per_s":1000000},{"id":"s","kind":"service","workers":1000,"work_ms":0}],
            "links":[{"id":"slow_to_give_up","from":"c","to":"s","via":"http","latency_ms":0,"timeout_ms":86400000}]}"#,
        Budget { memory_bytes: 64 << 20, ..Budget::default() },
        20_000_000,
    );
    assert!(m.contains("the run needs more than 64 MiB of memory"), "{m}");
    assert!(m.contains("link `slow_to_give_up` keeps a timer for 86400000 ms"), "{m}");
}

#[test]
fn a_consumer_behind_a_queue_remembers_only_ids_that_can_come_back() {
    // Before: every id ever consumed stayed in the service's set
    // (1.6 GiB after a simulated minute at this rate).
    let s = scenario(
        r#"{"crosstalk":1,"duration_ms":3000,
            "nodes":[{"id":"c","kind":"client","rate_per_s":1000000},{"id":"q","kind":"queue"},
                     {"id":"s","kind":"service","workers":1000,"work_ms":0}],
            "links":[{"from":"c","to":"q","via":"enqueue"},{"from":"q","to":"s","via":"consume"}]}"#,
    );
    let mut sim = Sim::new(&s, SimOptions::default()).expect("runs");
    let mut peak = 0;
    while !sim.is_finished() {
        sim.advance_to(sim.now_us() + 100_000, u64::MAX);
        peak = peak.max(sim.memory_bytes());
    }
    assert!(sim.report().messages.delivered > 2_900_000);
    assert!(peak < 4 << 20, "peak {peak} bytes");
}

#[test]
fn building_499_browsers_of_a_million_polled_users_is_refused_before_allocating() {
    let nodes: Vec<String> = (0..499).map(|i| format!(r#"{{"id":"b{i}","kind":"browser","users":1000000}}"#)).collect();
    let links: Vec<String> = (0..499).map(|i| format!(r#"{{"from":"ws","to":"b{i}","via":"poll"}}"#)).collect();
    let m = refused_to_run(&format!(
        r#"{{"crosstalk":1,"nodes":[{{"id":"ws","kind":"websocket"}},{}],"links":[{}]}}"#,
        nodes.join(","),
        links.join(",")
    ));
    assert!(m.starts_with("node `b0`: users: 499 browser nodes hold 499 million users"), "{m}");
    assert!(m.contains("above the limit of 1.0 GiB"), "{m}");
}

#[test]
fn a_websocket_crash_with_a_million_users_reconnects_them_all() {
    // Before, each reconnect counted every user: 180 s for 10 simulated s.
    let (sim, r) = common::run(&scenario(
        r#"{"crosstalk":1,"duration_ms":10000,
            "nodes":[{"id":"ws1","kind":"websocket"},{"id":"ws2","kind":"websocket"},
                     {"id":"b","kind":"browser","users":1000000,"reconnect_ms":500}],
            "links":[{"from":"ws1","to":"b","via":"push"},{"from":"ws2","to":"b","via":"push"}],
            "faults":[{"target":"ws1","kind":"crash","at_ms":1000,"for_ms":5000}]}"#,
    ));
    let b = &r.nodes["b"];
    assert_eq!(b.extra["disconnects"], 500_000.0);
    assert_eq!(b.extra["reconnects"], 500_000.0);
    assert_eq!(b.extra["connected_users"], 1_000_000.0);
    assert!(sim.is_finished() && r.stopped.is_none());
}

#[test]
fn a_broker_far_away_does_not_make_each_outbox_confirm_walk_every_row() {
    // 50,000 outboxed messages a second whose confirms take a second to
    // come back: 50,000 rows pending. Each confirm used to walk them all
    // (128 s for these 2 simulated seconds; now under one).
    let (sim, r) = common::run(&scenario(
        r#"{"crosstalk":1,"duration_ms":2000,
            "nodes":[{"id":"c","kind":"client","rate_per_s":50000},{"id":"s","kind":"service","workers":1000,"work_ms":0},
                     {"id":"q","kind":"queue"}],
            "links":[{"from":"c","to":"s","via":"http","latency_ms":0},
                     {"from":"s","to":"q","via":"enqueue","outbox":true,"latency_ms":500}]}"#,
    ));
    let pending = r.nodes["s"].extra["outbox_pending"];
    assert!((45_000.0..55_000.0).contains(&pending), "{pending} rows wait for their confirm");
    assert!(sim.is_finished() && r.stopped.is_none());
}

#[test]
fn a_durable_topic_with_400_subscriptions_keeps_its_backlog_without_summing_them() {
    // The topic's waiting level is the sum of its subscriptions' backlogs;
    // it was summed over all 400 on every message (23 s; now under one).
    let subs: Vec<String> =
        (0..400).map(|i| format!(r#"{{"id":"s{i}","kind":"service","workers":4,"work_ms":1}}"#)).collect();
    let links: Vec<String> = (0..400).map(|i| format!(r#"{{"from":"t","to":"s{i}","via":"subscribe"}}"#)).collect();
    let (sim, r) = common::run(&scenario(&format!(
        r#"{{"crosstalk":1,"duration_ms":2000,
            "nodes":[{{"id":"c","kind":"client","rate_per_s":2000}},{{"id":"t","kind":"topic","delivery":"durable"}},{}],
            "links":[{{"from":"c","to":"t","via":"publish"}},{}]}}"#,
        subs.join(","),
        links.join(",")
    )));
    // Each subscriber takes 4 at a time for 1 ms: 4,000/s, twice the rate.
    let backlog = &r.nodes["t"].queue_len;
    assert!(backlog.max >= 400.0 && backlog.mean < 2_000.0, "{backlog:?}");
    assert!(r.nodes["t"].extra.get("backlog").copied().unwrap_or(0.0) <= backlog.max);
    assert!(sim.is_finished());
}
