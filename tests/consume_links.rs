//! A `consume` link's row counts the queue's deliveries to its consumer:
//! each delivery (redeliveries again) ends once, acked, nacked, timed out by
//! the queue's visibility timeout or lost with a crash, and the acks add up
//! to the messages the queue reports delivered.

mod common;
use common::run_json;
use crosstalk::engine::report::{MessageCounts, Report};

/// Orders go into `q`, consumed by `workers` (and `spare` when `two`).
fn queue_scenario(consumer: &str, queue_extra: &str, faults: &str, two: bool) -> String {
    let spare = if two { r#",{"id":"spare","kind":"service","workers":2,"work_ms":{"exp":5}}"# } else { "" };
    let spare_link = if two { r#",{"id":"take2","from":"q","to":"spare","via":"consume"}"# } else { "" };
    format!(
        r#"{{"crosstalk":1,"seed":5,"duration_ms":60000,
        "nodes":[{{"id":"shop","kind":"client","rate_per_s":100}},
                 {{"id":"q","kind":"queue","dead_letter":"dlq"{queue_extra}}},
                 {{"id":"dlq","kind":"queue"}},
                 {{"id":"workers","kind":"service",{consumer}}}{spare}],
        "links":[{{"id":"put","from":"shop","to":"q","via":"enqueue"}},
                 {{"id":"take","from":"q","to":"workers","via":"consume"}}{spare_link}],
        "faults":[{faults}]}}"#
    )
}

fn deliveries(r: &Report, link: &str) -> MessageCounts {
    r.links[link].deliveries.clone().unwrap_or_else(|| panic!("{link} has no deliveries"))
}

/// Every delivery ends in exactly one state or is still in flight.
fn adds_up(d: &MessageCounts) {
    let ended = d.delivered + d.failed + d.rejected + d.timed_out + d.lost;
    assert_eq!(d.sent, ended + d.in_flight, "{d:?}");
}

#[test]
fn a_consume_row_counts_deliveries_and_its_acks_are_the_queues_deliveries() {
    let r = run_json(&queue_scenario(r#""workers":4,"work_ms":{"exp":10},"error_rate":0.2"#, "", "", false));
    let put = &r.links["put"].messages;
    let take = deliveries(&r, "take");
    adds_up(&take);
    assert!(take.sent > 5000, "{take:?}");
    assert_eq!(take.delivered, put.delivered, "each acked delivery is one message delivered");
    // A failed delivery comes back until max_deliveries (5): sent = acked + nacked + in flight.
    assert_eq!(take.sent, take.delivered + take.failed + take.in_flight);
    let p = take.failed as f64 / (take.delivered + take.failed) as f64;
    assert!((p - 0.2).abs() < 0.02, "the consumer fails 20% of its deliveries: {p}");
    // A message dead-lettered took five failed deliveries.
    assert!(put.dead_lettered > 0 && take.failed >= 5 * put.dead_lettered, "{put:?} {take:?}");
    // Links that are not consume links have no delivery row.
    assert!(r.links["put"].deliveries.is_none());
}

#[test]
fn two_consumers_share_the_acks() {
    let r = run_json(&queue_scenario(r#""workers":2,"work_ms":{"exp":5}"#, "", "", true));
    let (a, b) = (deliveries(&r, "take"), deliveries(&r, "take2"));
    adds_up(&a);
    adds_up(&b);
    assert!(a.sent > 1000 && b.sent > 1000, "free consumers take turns: {a:?} {b:?}");
    assert_eq!(a.delivered + b.delivered, r.links["put"].messages.delivered);
}

#[test]
fn a_visibility_timeout_shorter_than_the_work_times_deliveries_out() {
    // Work of 50 ms against a 20 ms visibility timeout: the queue hands the
    // message to the next free worker before the first one is done.
    let r = run_json(&queue_scenario(
        r#""workers":8,"work_ms":{"const":50}"#,
        r#","visibility_timeout_ms":20,"max_deliveries":3"#,
        "",
        false,
    ));
    let take = deliveries(&r, "take");
    adds_up(&take);
    assert!(take.timed_out > 0, "{take:?}");
    assert_eq!(take.delivered, 0, "no delivery outlives its visibility: {take:?}");
}

#[test]
fn a_crashed_consumer_loses_the_deliveries_it_held() {
    let r = run_json(&queue_scenario(
        r#""workers":4,"work_ms":{"const":30}"#,
        "",
        r#"{"target":"workers","kind":"crash","at_ms":20000,"for_ms":5000}"#,
        false,
    ));
    let take = deliveries(&r, "take");
    adds_up(&take);
    assert!((1..=4).contains(&take.lost), "the four it was working on: {take:?}");
    assert_eq!(take.delivered, r.links["put"].messages.delivered);
}
