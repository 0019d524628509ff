//! Log topics as Kafka runs them: partitions by key, consumer groups,
//! commits and crashes, rebalances, replays and retention.

mod common;
use common::{run, run_json, scenario};
use crosstalk::engine::kernel::murmur2::partition_for_key;
use crosstalk::engine::report::Report;

/// One publisher, a log of `partitions`, and the subscribe links `subs`
/// (JSON objects without from/via) to services `c0`, `c1`, ...
fn log_scenario(rate: f64, partitions: u32, extra_topic: &str, subs: &[&str], consumers: &str, faults: &str) -> String {
    let subs: Vec<String> = subs
        .iter()
        .enumerate()
        .map(|(i, s)| format!(r#"{{"id":"s{i}","from":"t","to":"c{i}","via":"subscribe"{s}}}"#))
        .collect();
    let nodes: Vec<String> =
        (0..subs.len()).map(|i| format!(r#"{{"id":"c{i}","kind":"service",{consumers}}}"#)).collect();
    format!(
        r#"{{"crosstalk":1,"seed":3,"duration_ms":60000,
        "nodes":[{{"id":"p","kind":"client","rate_per_s":{rate},"arrival":"uniform"}},
                 {{"id":"t","kind":"topic","delivery":"log","partitions":{partitions}{extra_topic}}},
                 {}],
        "links":[{{"id":"pub","from":"p","to":"t","via":"publish"}},{}],
        "faults":[{faults}]}}"#,
        nodes.join(","),
        subs.join(",")
    )
}

fn group(r: &Report) -> &crosstalk::engine::report::GroupReport {
    r.group("t", "g").expect("group g of log t")
}

fn extra(r: &Report, node: &str, name: &str) -> f64 {
    r.nodes[node].extra.get(name).copied().unwrap_or(0.0)
}

#[test]
fn a_groups_parallelism_is_its_partitions() {
    // 2 members x 16 workers, but 2 partitions read one message at a time:
    // at 10 ms a message, at most 2 x 100 messages a second get done.
    let json = log_scenario(1000.0, 2, "", &[r#","group":"g""#, r#","group":"g""#], r#""workers":16,"work_ms":10"#, "");
    let r = run_json(&json);
    let done = r.nodes["c0"].completed + r.nodes["c1"].completed;
    assert!(done <= 2 * 100 * 60 + 2, "no more than 2 partitions' worth: {done}");
    assert!(done >= 2 * 100 * 60 * 95 / 100, "and both partitions busy all the time: {done}");
    assert!(r.nodes["c0"].utilization < 0.07, "15 of 16 workers idle: {}", r.nodes["c0"].utilization);
    let g = &group(&r);
    assert!(g.lag.max > 40_000.0, "the rest piles up as lag: {:?}", g.lag);
}

#[test]
fn members_beyond_the_partition_count_sit_idle() {
    let json = log_scenario(
        100.0,
        2,
        "",
        &[r#","group":"g""#, r#","group":"g""#, r#","group":"g""#],
        r#""workers":4,"work_ms":1"#,
        "",
    );
    let r = run_json(&json);
    assert!(r.nodes["c0"].completed > 2_000 && r.nodes["c1"].completed > 2_000);
    assert_eq!(r.nodes["c2"].arrivals, 0, "a third member of a 2-partition group gets nothing");
    assert_eq!(group(&r).owners, vec!["s0".to_string(), "s1".to_string()]);
}

#[test]
fn every_group_reads_every_message() {
    let json = log_scenario(50.0, 3, "", &[r#","group":"a""#, r#","group":"b""#], r#""workers":4,"work_ms":1"#, "");
    let r = run_json(&json);
    let published = r.nodes["p"].arrivals;
    assert!(r.nodes["c0"].completed + 2 >= published && r.nodes["c1"].completed + 2 >= published);
    assert_eq!(r.messages.sent, published + 2 * published, "the publish and one copy per group");
}

#[test]
fn a_keyed_message_lands_on_kafkas_partition() {
    // One key, four partitions, one member per partition: only the member
    // owning murmur2("k0") mod 4 ever reads anything.
    let json = r#"{"crosstalk":1,"seed":2,"duration_ms":10000,
        "nodes":[{"id":"p","kind":"client","rate_per_s":50,"keys":1},
                 {"id":"t","kind":"topic","delivery":"log","partitions":4},
                 {"id":"c0","kind":"service"},{"id":"c1","kind":"service"},
                 {"id":"c2","kind":"service"},{"id":"c3","kind":"service"}],
        "links":[{"id":"pub","from":"p","to":"t","via":"publish"},
                 {"id":"s0","from":"t","to":"c0","via":"subscribe","group":"g"},
                 {"id":"s1","from":"t","to":"c1","via":"subscribe","group":"g"},
                 {"id":"s2","from":"t","to":"c2","via":"subscribe","group":"g"},
                 {"id":"s3","from":"t","to":"c3","via":"subscribe","group":"g"}]}"#;
    let r = run_json(json);
    let p = partition_for_key(b"k0", 4) as usize;
    for c in 0..4 {
        let got = r.nodes[&format!("c{c}")].arrivals;
        if c == p {
            assert!(got > 400, "partition {p} has every message: {got}");
        } else {
            assert_eq!(got, 0, "member {c} owns a partition no message maps to");
        }
    }
}

fn crash_at(commit: &str, at_ms: f64) -> Report {
    let json = log_scenario(
        100.0,
        4,
        "",
        &[&format!(r#","group":"g","commit":"{commit}""#)],
        r#""workers":8,"work_ms":{"exp":20}"#,
        &format!(r#"{{"target":"c0","kind":"crash","at_ms":{at_ms},"for_ms":2000}}"#),
    );
    run_json(&json)
}

#[test]
fn auto_commit_every_5_s_replays_about_5_s_after_a_crash() {
    // Commits at 5, 10, 15, 20 s; a crash just before 20 s replays 15..20 s.
    let r = crash_at("auto", 19_990.0);
    let replayed = r.nodes["c0"].duplicates as f64;
    assert!((450.0..=510.0).contains(&replayed), "about 5 s x 100/s: {replayed}");
    assert_eq!(r.messages.lost, 0, "at least once");
    // Just after a commit, almost nothing comes round again.
    let r = crash_at("auto", 15_100.0);
    assert!(r.nodes["c0"].duplicates <= 20, "{}", r.nodes["c0"].duplicates);
}

#[test]
fn after_processing_replays_only_what_was_in_hand_and_before_processing_loses_it() {
    let after = crash_at("after_processing", 19_990.0);
    assert_eq!(after.messages.lost, 0);
    assert!(after.nodes["c0"].duplicates <= 4, "at most one per partition: {}", after.nodes["c0"].duplicates);
    let before = crash_at("before_processing", 19_990.0);
    assert_eq!(before.nodes["c0"].duplicates, 0, "at most once: no replay");
    assert!((1..=4).contains(&before.messages.lost), "the messages in hand: {}", before.messages.lost);
    assert_eq!(extra(&before, "t", "lost_at_most_once"), before.messages.lost as f64);
}

#[test]
fn a_dead_members_partitions_move_after_the_session_timeout() {
    // Two members; one crashes for good at 10 s. Its partitions stall until
    // its 45 s session ends, then the other member takes them.
    let json = log_scenario(
        100.0,
        4,
        "",
        &[r#","group":"g""#, r#","group":"g""#],
        r#""workers":8,"work_ms":2"#,
        r#"{"target":"c1","kind":"crash","at_ms":10000}"#,
    );
    let (sim, r) = run(&scenario(&json));
    let g = &group(&r);
    // Two partitions at 25/s each stall for 45 s (plus the 1 s rebalance).
    assert!(g.lag.max >= 2.0 * 25.0 * 45.0 * 0.9, "lag while the session runs: {}", g.lag.max);
    assert!(g.lag_now < 200, "caught up once the partitions moved: {}", g.lag_now);
    assert_eq!(g.live_members, 1);
    assert_eq!(g.owners, vec!["s0".to_string(); 4]);
    assert_eq!(extra(&r, "t", "session_timeouts"), 1.0);
    assert!(sim.is_finished());
}

#[test]
fn a_member_that_comes_back_rejoins_and_the_group_pauses_to_rebalance() {
    let json = log_scenario(
        100.0,
        4,
        "",
        &[r#","group":"g","rebalance_ms":3000"#, r#","group":"g""#],
        r#""workers":8,"work_ms":2"#,
        r#"{"target":"c1","kind":"crash","at_ms":10000,"for_ms":5000}"#,
    );
    let r = run_json(&json);
    assert_eq!(extra(&r, "t", "rebalances"), 1.0, "the member rejoined within its session");
    assert_eq!(extra(&r, "t", "session_timeouts"), 0.0);
    // During the 3 s pause nobody reads: 3 s x 100/s of lag at least.
    assert!(group(&r).lag.max >= 300.0, "{:?}", group(&r).lag);
    assert_eq!(group(&r).live_members, 2);
}

#[test]
fn a_replay_fault_rewinds_the_group_to_the_oldest_message() {
    let json = log_scenario(
        50.0,
        2,
        "",
        &[r#","group":"g""#],
        r#""workers":4,"work_ms":1"#,
        r#"{"target":"s0","kind":"replay","at_ms":30000}"#,
    );
    let r = run_json(&json);
    let replayed = r.nodes["c0"].duplicates as f64;
    assert!((1400.0..=1520.0).contains(&replayed), "30 s x 50/s read again: {replayed}");
    assert_eq!(extra(&r, "t", "replays"), 1.0);
}

#[test]
fn retention_expires_what_a_slow_group_had_not_read() {
    // 100/s in, 50/s out (one partition, 20 ms each), 10 s retention.
    let json =
        log_scenario(100.0, 1, r#","retention_ms":10000"#, &[r#","group":"g""#], r#""workers":4,"work_ms":20"#, "");
    let r = run_json(&json);
    let expired = r.messages.expired as f64;
    assert!(expired > 1_500.0, "the slow group falls behind and loses the oldest: {expired}");
    assert_eq!(extra(&r, "t", "expired"), expired);
    assert!(extra(&r, "t", "retained") <= 1_001.0, "about 10 s x 100/s kept");
    // A group that keeps up loses nothing to retention.
    let json =
        log_scenario(100.0, 1, r#","retention_ms":10000"#, &[r#","group":"g""#], r#""workers":4,"work_ms":2"#, "");
    assert_eq!(run_json(&json).messages.expired, 0);
}

#[test]
fn processing_errors_are_retried_then_skipped() {
    // Every message fails: the consumer tries each 10 times (Spring Kafka's
    // default error handler) and moves on, so the partition still advances.
    let json = log_scenario(10.0, 1, "", &[r#","group":"g""#], r#""workers":1,"work_ms":1,"error_rate":1"#, "");
    let r = run_json(&json);
    let published = r.nodes["p"].arrivals;
    assert!(r.messages.failed + 1 >= published, "{} of {published} given up", r.messages.failed);
    assert!(r.nodes["c0"].failed >= 10 * (published - 1));
    assert!(extra(&r, "t", "skipped_after_errors") + 1.0 >= published as f64);
}
