//! The brokers' lessons of the Examples menu, each checked by the number
//! its "what to watch" points at. The runner's copies in `examples/` are
//! the app's, byte for byte.

mod common;
use common::run;
use crosstalk::editor::examples::{by_key, Example};
use crosstalk::engine::report::Report;

fn example(key: &str) -> &'static Example {
    by_key(key).unwrap_or_else(|| panic!("no example `{key}`"))
}

fn report(key: &str) -> Report {
    run(&example(key).scenario()).1
}

fn extra(r: &Report, node: &str, name: &str) -> f64 {
    r.nodes[node].extra.get(name).copied().unwrap_or(0.0)
}

#[test]
fn the_runners_examples_are_the_apps() {
    for (file, key) in [
        ("ordering", "ordering"),
        ("kafka-crash", "kafka-crash"),
        ("rabbit-routing", "rabbit-routing"),
        ("sqs-fifo", "sqs-fifo"),
        ("whatsapp", "whatsapp"),
        ("leetcode-poison", "leetcode-poison"),
    ] {
        let on_disk = std::fs::read_to_string(format!("examples/{file}.json")).expect("example file");
        assert_eq!(on_disk, example(key).json(), "examples/{file}.json differs from the app's {key}");
    }
}

#[test]
fn competing_consumers_break_key_order_and_partitions_keep_it() {
    let r = report("ordering");
    let queue = extra(&r, "fanout_q", "out_of_order");
    let log = extra(&r, "fanout_log", "out_of_order");
    assert!(queue > 50.0, "8 competing workers reorder a conversation's messages: {queue}");
    assert_eq!(log, 0.0, "one reader per partition keeps every key in order");
    // Both flows carry the same load and keep up with it.
    let done = |n: &str| r.nodes[n].completed as f64;
    assert!(done("fanout_log") > 0.98 * r.nodes["senders_log"].arrivals as f64);
    assert!(done("fanout_q") > 0.98 * r.nodes["senders_q"].arrivals as f64);
}

#[test]
fn auto_commit_replays_after_a_crash_and_at_most_once_loses() {
    let r = report("kafka-crash");
    // 100 messages/s; the last auto-commit before the crash at 19.9 s was at
    // 15 s: about 4.9 s of billing's work comes round again.
    let replayed = r.nodes["billing"].duplicates as f64;
    assert!((400.0..=520.0).contains(&replayed), "about 4.9 s x 100/s replayed: {replayed}");
    assert_eq!(r.nodes["emails"].duplicates, 0, "at most once: nothing is read twice");
    let lost = extra(&r, "events", "lost_at_most_once");
    assert!((1.0..=8.0).contains(&lost), "what emails held at the crash (up to one per partition): {lost}");
    assert_eq!(r.messages.lost as f64, lost);
}

#[test]
fn topic_routing_follows_the_bindings_and_failures_reach_the_dlx() {
    let r = report("rabbit-routing");
    let published = r.nodes["orders"].arrivals as f64;
    // Weights 3 created.eu, 2 created.us, 4 paid.eu, 1 refund.mx (of 10).
    let share = |q: &str| r.nodes[q].arrivals as f64 / published;
    assert!((share("billing_q") - 0.4).abs() < 0.02, "order.paid.*: {}", share("billing_q"));
    assert!((share("eu_q") - 0.7).abs() < 0.02, "*.*.eu: {}", share("eu_q"));
    assert!((share("audit_q") - 0.5).abs() < 0.02, "order.created.#: {}", share("audit_q"));
    let unroutable = extra(&r, "orders", "unroutable");
    assert!((unroutable / published - 0.1).abs() < 0.02, "order.refund.mx matches nothing");
    assert_eq!(r.nodes["unrouted"].arrivals as f64, unroutable, "the alternate queue takes them all");
    // 30% failures, 3 deliveries: 0.3^3 of billing's messages are dead-lettered.
    let dead = r.nodes["dead"].arrivals as f64;
    let expected = 0.027 * r.nodes["billing_q"].arrivals as f64;
    assert!((dead - expected).abs() < 0.35 * expected, "{dead} dead letters, about {expected}");
    assert_eq!(r.messages.dead_lettered as f64, dead);
}

#[test]
fn fifo_keeps_each_group_in_order_and_a_poison_message_blocks_its_group() {
    let r = report("sqs-fifo");
    assert!(extra(&r, "ledger_std", "out_of_order") > 50.0);
    assert_eq!(extra(&r, "ledger_fifo", "out_of_order"), 0.0);
    // Head-of-line blocking: messages behind a poison message wait for its
    // three 2 s attempts; the standard queue never makes anyone wait.
    let (fifo_wait, std_wait) = (r.nodes["fifo"].wait_ms.mean, r.nodes["standard"].wait_ms.mean);
    assert!(fifo_wait > 20.0 * std_wait.max(1.0), "FIFO wait {fifo_wait} ms vs standard {std_wait} ms");
    assert!(r.nodes["fifo_dlq"].arrivals > 0 && r.nodes["standard_dlq"].arrivals > 0);
}

#[test]
fn store_and_forward_delivers_late_what_plain_push_loses() {
    let r = report("whatsapp");
    let pushed = r.nodes["ws_plain"].completed as f64;
    let lost = extra(&r, "phones_plain", "pushes_lost");
    // Online 20 s, offline 10 s on average: a third of the pushes find nobody.
    assert!((lost / pushed - 1.0 / 3.0).abs() < 0.06, "plain push loses about a third: {lost} of {pushed}");
    assert_eq!(extra(&r, "phones_store", "pushes_lost"), 0.0, "store and forward loses nothing");
    let late = extra(&r, "phones_store", "delivered_late");
    assert!((late / pushed - 1.0 / 3.0).abs() < 0.06, "a third arrives late: {late}");
    // Going offline disconnects: no more phones are connected than exist,
    // and the phones waiting to connect never exceed them either.
    for phones in ["phones_store", "phones_plain"] {
        assert!(extra(&r, phones, "connected_users") <= 300.0, "{phones}: {}", extra(&r, phones, "connected_users"));
        assert!(r.nodes[phones].queue_len.max <= 300.0, "{phones}: {}", r.nodes[phones].queue_len.max);
    }
    let delay = extra(&r, "phones_store", "late_delay_mean_ms");
    assert!(
        (4_000.0..=12_000.0).contains(&delay),
        "held until the phone is back (offline 10 s on average): {delay} ms"
    );
}

#[test]
fn poison_hangs_judges_but_only_http_makes_coders_wait_for_it() {
    let r = report("leetcode-poison");
    // Behind the queue: every coder is answered, poison ends in the DLQ.
    assert_eq!(r.nodes["coders_q"].failed, 0);
    let poison = r.nodes["jobs_dlq"].arrivals;
    assert!(poison >= 10, "2% of about 1200 submissions, minus those still being tried: {poison}");
    assert!(r.nodes["judges_q"].completed as f64 > 0.95 * r.nodes["coders_q"].arrivals as f64);
    // Over HTTP: each poison submission holds a backend worker until the
    // 3 s call timeout, and its coder gets nothing.
    let timed_out = r.nodes["coders_h"].failed;
    assert!(timed_out >= 10, "{timed_out}");
    assert!(r.nodes["api_h"].latency_ms.p99 >= 2_900.0);
    let (h, q) = (r.nodes["api_h"].utilization, r.nodes["api_q"].utilization);
    assert!(h > 20.0 * q, "the backend's workers: {h} over HTTP vs {q} behind the queue");
    assert!(r.nodes["judges_h"].wasted > 0, "judges keep spinning after the caller gave up");
}
