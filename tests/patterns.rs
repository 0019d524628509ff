//! The messaging patterns of the seeds, each checked by the number that
//! teaches its lesson.

mod common;
use common::{run, run_json, scenario};
use crosstalk::engine::trace::HopKind;
use crosstalk::engine::{Sim, SimOptions};

fn pubsub(delivery: &str) -> String {
    format!(
        r#"{{"crosstalk":1,"seed":21,"duration_ms":40000,
        "nodes":[{{"id":"pub","kind":"client","rate_per_s":100}},
                 {{"id":"events","kind":"topic","delivery":"{delivery}"}},
                 {{"id":"sub","kind":"service","workers":10,"work_ms":1}}],
        "links":[{{"id":"p","from":"pub","to":"events","via":"publish"}},
                 {{"id":"s","from":"events","to":"sub","via":"subscribe"}}],
        "faults":[{{"target":"sub","kind":"crash","at_ms":10000,"for_ms":10000}}]}}"#
    )
}

#[test]
fn at_most_once_loses_what_a_down_subscriber_misses() {
    let r = run_json(&pubsub("at_most_once"));
    let missed = r.nodes["events"].extra["missed_while_down"];
    assert!((850.0..1150.0).contains(&missed), "about 100/s x 10 s missed: {missed}");
    assert!(r.messages.lost as f64 >= missed);
}

#[test]
fn durable_subscription_loses_nothing_and_catches_up() {
    let r = run_json(&pubsub("durable"));
    assert_eq!(r.messages.lost, 0);
    let published = r.nodes["pub"].arrivals;
    let processed = r.nodes["sub"].completed;
    assert!(published - processed < 20, "caught up: {processed} of {published}");
    assert!(r.nodes["events"].queue_len.max > 800.0, "the backlog held the outage");
}

fn broker(persistence: &str, crash_at_ms: f64) -> crosstalk::engine::report::Report {
    run_json(&format!(
        r#"{{"crosstalk":1,"seed":5,"duration_ms":20000,
        "nodes":[{{"id":"producer","kind":"client","rate_per_s":100,"arrival":"uniform"}},
                 {{"id":"q","kind":"queue","persistence":"{persistence}","snapshot_every_ms":5000}}],
        "links":[{{"id":"e","from":"producer","to":"q","via":"enqueue","latency_ms":0}}],
        "faults":[{{"target":"q","kind":"crash","at_ms":{crash_at_ms},"for_ms":1000}}]}}"#
    ))
}

#[test]
fn each_persistence_mode_loses_exactly_what_it_does_not_keep() {
    // 100 writes a second at 10 ms, 20 ms, ...; the crash comes 5 ms after
    // the 50th write past 10 s.
    let always = broker("aof_always", 10_505.0);
    assert_eq!(always.messages.lost, 0);
    // Redis appendfsync everysec: up to one second of writes.
    let everysec = broker("aof_everysec", 10_505.0);
    assert_eq!(everysec.messages.lost, 50, "the writes since the fsync at 10 s");
    assert!(everysec.messages.lost <= 100);
    // RDB snapshots every 5 s: everything since the one at 10 s.
    let snapshot = broker("snapshot", 12_505.0);
    assert_eq!(snapshot.messages.lost, 250);
    let memory = broker("memory", 10_505.0);
    assert_eq!(memory.messages.lost, 1050);
    for r in [&everysec, &snapshot, &memory] {
        assert_eq!(r.nodes["q"].extra["acked_then_lost"] as u64, r.messages.lost);
    }
}

fn orders(outbox: bool, idempotent: bool) -> crosstalk::engine::report::Report {
    run_json(&format!(
        r#"{{"crosstalk":1,"seed":9,"duration_ms":30000,
        "nodes":[{{"id":"shop","kind":"client","rate_per_s":200}},
                 {{"id":"orders","kind":"service","workers":32,"work_ms":{{"exp":5}}}},
                 {{"id":"events","kind":"queue"}},
                 {{"id":"billing","kind":"service","workers":16,"work_ms":2,"idempotent":{idempotent}}}],
        "links":[{{"id":"a","from":"shop","to":"orders","via":"http"}},
                 {{"id":"b","from":"orders","to":"events","via":"enqueue","latency_ms":20,"outbox":{outbox}}},
                 {{"id":"c","from":"events","to":"billing","via":"consume"}}],
        "faults":[{{"target":"orders","kind":"crash","at_ms":5000,"for_ms":500}},
                  {{"target":"orders","kind":"crash","at_ms":12000,"for_ms":500}},
                  {{"target":"orders","kind":"crash","at_ms":20000,"for_ms":500}}]}}"#
    ))
}

#[test]
fn outbox_loses_nothing_where_dual_write_loses_some() {
    let dual = orders(false, false);
    let outbox = orders(true, false);
    let lost_events =
        |r: &crosstalk::engine::report::Report| r.nodes["orders"].extra.get("dual_write_lost").copied().unwrap_or(0.0);
    assert!(lost_events(&dual) > 0.0, "dual write loses the messages in flight at a crash");
    assert_eq!(dual.messages.lost, lost_events(&dual) as u64);
    // The outbox loses no event: the relay resends them.
    assert_eq!(lost_events(&outbox), 0.0);
    assert_eq!(outbox.messages.lost, 0);
    assert!(outbox.nodes["orders"].extra["outbox_resent"] > 0.0);
    // Never lost, sometimes twice: every commit reached billing at least once.
    let commits = outbox.nodes["orders"].completed;
    assert!(outbox.nodes["billing"].completed + 50 >= commits);
    let idem = orders(true, true);
    assert_eq!(idem.messages.duplicates, 0, "an idempotent consumer ignores the resends");
}

fn saga(fail_service: &str, crash: &str) -> String {
    format!(
        r#"{{"crosstalk":1,"name":"booking","seed":3,"duration_ms":10000,
        "nodes":[{{"id":"users","kind":"client","rate_per_s":20,"schedule":[[8000,0]]}},
                 {{"id":"booking","kind":"saga"}},
                 {{"id":"hotel","kind":"service","workers":20,"work_ms":5}},
                 {{"id":"flight","kind":"service","workers":20,"work_ms":5}},
                 {{"id":"card","kind":"service","workers":20,"work_ms":5}},
                 {{"id":"email","kind":"service","workers":20,"work_ms":5}}],
        "links":[{{"id":"start","from":"users","to":"booking","via":"http"}},
                 {{"id":"s1","from":"booking","to":"hotel","via":"saga_step"}},
                 {{"id":"s2","from":"booking","to":"flight","via":"saga_step"}},
                 {{"id":"s3","from":"booking","to":"card","via":"saga_step"}},
                 {{"id":"s4","from":"booking","to":"email","via":"saga_step"}}],
        "faults":[{{"target":"{fail_service}","kind":"errors","rate":1}}{crash}]}}"#
    )
}

#[test]
fn a_saga_failing_at_step_k_compensates_k_minus_1_steps_in_reverse() {
    let s = scenario(&saga("card", ""));
    let mut sim = Sim::new(&s, SimOptions { keep_traces: 10_000, ..SimOptions::default() }).unwrap();
    sim.run_to_end();
    let r = sim.report();
    let sagas = r.nodes["users"].arrivals;
    let b = &r.nodes["booking"].extra;
    assert_eq!(b["compensated"] as u64, sagas);
    assert_eq!(b["compensations"] as u64, 2 * sagas, "step 3 failed: undo steps 2 and 1");
    assert_eq!(r.nodes["hotel"].arrivals, 2 * sagas, "do + undo");
    assert_eq!(r.nodes["flight"].arrivals, 2 * sagas);
    assert_eq!(r.nodes["email"].arrivals, 0, "never reached");
    assert_eq!(r.requests.failed, sagas);
    let trace = sim.trace(*sim.recent_traces().first().unwrap()).unwrap();
    let undone: Vec<String> =
        trace.hops.iter().filter(|h| h.kind == HopKind::Compensate).filter_map(|h| h.link.clone()).collect();
    assert_eq!(undone, vec!["s2", "s1"], "reverse order");
}

#[test]
fn a_compensation_that_keeps_failing_leaves_the_saga_stuck() {
    // Card answers slowly (and always fails), so sagas wait there when the
    // hotel goes down: their hotel compensation cannot run.
    let r = run_json(&saga("card", r#",{"target":"hotel","kind":"crash","at_ms":3000,"for_ms":600000}"#).replace(
        r#"{"id":"card","kind":"service","workers":20,"work_ms":5}"#,
        r#"{"id":"card","kind":"service","workers":20,"work_ms":200}"#,
    ));
    let b = &r.nodes["booking"].extra;
    assert!(b["stuck"] > 0.0, "hotel is down: its compensation cannot run");
    assert!(b.get("committed").is_none());
}

#[test]
fn sagas_commit_when_every_step_succeeds() {
    let r = run_json(&saga("nobody", "").replace(r#"{"target":"nobody","kind":"errors","rate":1}"#, ""));
    assert_eq!(r.nodes["booking"].extra["committed"] as u64, r.nodes["users"].arrivals);
}

fn leetcode(delivery: &str) -> String {
    let (last_node, last_links) = match delivery {
        "poll" => (
            r#"{"id":"results","kind":"service","workers":8,"work_ms":1}"#,
            r#"{"id":"store","from":"judges","to":"results","via":"http"},
               {"id":"ask","from":"results","to":"browsers","via":"poll","interval_ms":2000}"#,
        ),
        _ => (
            r#"{"id":"verdicts","kind":"topic"},{"id":"ws","kind":"websocket"}"#,
            r#"{"id":"pub","from":"judges","to":"verdicts","via":"publish"},
               {"id":"sub","from":"verdicts","to":"ws","via":"subscribe"},
               {"id":"push","from":"ws","to":"browsers","via":"push"}"#,
        ),
    };
    format!(
        r#"{{"crosstalk":1,"seed":8,"duration_ms":60000,
        "nodes":[{{"id":"users","kind":"client","rate_per_s":50}},
                 {{"id":"api","kind":"service","workers":16,"work_ms":2}},
                 {{"id":"jobs","kind":"queue"}},
                 {{"id":"judges","kind":"service","workers":8,"work_ms":{{"exp":50}}}},
                 {{"id":"browsers","kind":"browser","users":1000}},
                 {last_node}],
        "links":[{{"id":"submit","from":"users","to":"api","via":"http"}},
                 {{"id":"enq","from":"api","to":"jobs","via":"enqueue"}},
                 {{"id":"take","from":"jobs","to":"judges","via":"consume"}},
                 {last_links}]}}"#
    )
}

#[test]
fn websocket_push_beats_polling_and_polling_costs_users_over_interval() {
    let ws = run_json(&leetcode("push"));
    let poll = run_json(&leetcode("poll"));
    let ws_p50 = ws.nodes["browsers"].latency_ms.p50;
    let poll_p50 = poll.nodes["browsers"].latency_ms.p50;
    assert!(ws.nodes["browsers"].completed > 2500);
    assert!(poll.nodes["browsers"].completed > 2500);
    assert!(poll_p50 > ws_p50 + 500.0, "push {ws_p50} ms vs poll {poll_p50} ms");
    // 1000 users polling every 2 s: 500 requests a second.
    let polls_per_s = poll.nodes["results"].extra["polls"] / 60.0;
    assert!((polls_per_s - 500.0).abs() < 15.0, "{polls_per_s} polls/s");
}

fn chat(via: &str) -> String {
    format!(
        r#"{{"crosstalk":1,"seed":4,"duration_ms":30000,
        "nodes":[{{"id":"senders","kind":"client","rate_per_s":200}},
                 {{"id":"chat","kind":"service","workers":16,"work_ms":1}},
                 {{"id":"backplane","kind":"topic"}},
                 {{"id":"ws1","kind":"websocket","reconnect_ms":2000}},
                 {{"id":"ws2","kind":"websocket","reconnect_ms":2000}},
                 {{"id":"people","kind":"browser","users":2000,"reconnect_ms":2000}}],
        "links":[{{"id":"send","from":"senders","to":"chat","via":"http"}},
                 {{"id":"pub","from":"chat","to":"backplane","via":"publish"}},
                 {{"id":"sub1","from":"backplane","to":"ws1","via":"subscribe"}},
                 {{"id":"sub2","from":"backplane","to":"ws2","via":"subscribe"}},
                 {{"id":"p1","from":"ws1","to":"people","via":"{via}"}},
                 {{"id":"p2","from":"ws2","to":"people","via":"{via}"}}],
        "faults":[{{"target":"ws1","kind":"crash","at_ms":10000,"for_ms":5000}}]}}"#
    )
}

#[test]
fn a_websocket_server_crash_drops_users_who_reconnect_and_miss_pushes() {
    let (sim, r) = run(&scenario(&chat("push")));
    let p = &r.nodes["people"].extra;
    assert_eq!(p["disconnects"], 1000.0, "half the users were on ws1");
    assert!(p["reconnects"] >= 1000.0);
    assert!(p["pushes_lost"] > 0.0, "pushes to disconnected users are gone");
    assert_eq!(p["connected_users"], 2000.0, "everyone is back by the end");
    // Messages for users on the other server are not this server's to send.
    assert!(r.nodes["ws1"].extra["user_not_connected_here"] > 0.0);
    let series = sim.series(5);
    let disconnected_peak = series.iter().map(|b| b.queue_len).fold(0.0, f64::max);
    assert!(disconnected_peak > 100.0, "the reconnect wave shows: {disconnected_peak}");
}

#[test]
fn sse_resumes_from_the_last_event_id() {
    let r = run_json(&chat("sse"));
    assert_eq!(r.nodes["people"].extra.get("pushes_lost"), None);
    assert!(r.nodes["people"].extra["held_for_resume"] > 0.0);
}

fn redelivery(idempotent: bool) -> crosstalk::engine::report::Report {
    run_json(&format!(
        r#"{{"crosstalk":1,"seed":6,"duration_ms":20000,
        "nodes":[{{"id":"shop","kind":"client","rate_per_s":50}},
                 {{"id":"charges","kind":"queue","visibility_timeout_ms":100,"max_deliveries":10}},
                 {{"id":"pay","kind":"service","workers":20,"work_ms":{{"uniform":[50,150]}},"idempotent":{idempotent}}}],
        "links":[{{"id":"e","from":"shop","to":"charges","via":"enqueue"}},
                 {{"id":"c","from":"charges","to":"pay","via":"consume"}}]}}"#
    ))
}

#[test]
fn redeliveries_charge_twice_unless_the_service_is_idempotent() {
    let plain = redelivery(false);
    assert!(plain.messages.duplicates > 100, "charged twice: {}", plain.messages.duplicates);
    assert_eq!(plain.nodes["pay"].duplicates, plain.messages.duplicates);
    let idem = redelivery(true);
    assert_eq!(idem.messages.duplicates, 0);
    assert!(idem.nodes["pay"].deduplicated > 100);
}

#[test]
fn request_reply_frees_the_caller_and_counts_late_replies_as_orphans() {
    let r = run_json(
        r#"{"crosstalk":1,"seed":2,"duration_ms":20000,
        "nodes":[{"id":"users","kind":"client","rate_per_s":20},
                 {"id":"orders","kind":"service","workers":2,"work_ms":1},
                 {"id":"pricing_q","kind":"queue"},
                 {"id":"pricing","kind":"service","workers":20,"work_ms":{"uniform":[100,500]}}],
        "links":[{"id":"in","from":"users","to":"orders","via":"http"},
                 {"id":"rr","from":"orders","to":"pricing_q","via":"request_reply","timeout_ms":300},
                 {"id":"c","from":"pricing_q","to":"pricing","via":"consume"}]}"#,
    );
    let orders = &r.nodes["orders"];
    // With 2 workers and 100-500 ms replies, a blocking call would saturate.
    assert!(orders.utilization < 0.05, "workers are free while waiting: {}", orders.utilization);
    assert!(orders.extra["orphan_replies"] > 50.0);
    assert!(r.requests.ok > 0 && r.requests.timed_out > 0);
}
