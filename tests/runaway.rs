//! Runaway scenarios: work that would never end, or take hours, or eat the
//! machine's memory. Each is refused before it runs, or stops with a
//! message that names the node or link that exploded and suggests a fix,
//! in bounded time and memory. The cases are findings of issue 12.

mod common;
use common::scenario;
use crosstalk::engine::format::{self, load};

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
