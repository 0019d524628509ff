//! The example scenarios of the Examples menu: the flows of the texts the
//! product was made from (PhonePe's SMS, LeetCode's judge, food ordering, a
//! booking saga, a retry storm, and the brokers they compare: Slack's
//! ordering, Kafka, RabbitMQ, SQS FIFO, WhatsApp, LeetCode's `while(true)`),
//! each with the one thing to watch.
//!
//! They are JSON files beside this one, so the command-line runner and the
//! tests read exactly what the app loads.

use crate::engine::format::{load, Scenario};

pub struct Example {
    /// Stable name (tests and links to examples use it).
    pub key: &'static str,
    pub title: &'static str,
    /// The scenario's own `name` (how a loaded example is recognised).
    pub name: &'static str,
    /// What to watch when it runs.
    pub lesson: &'static str,
    json: &'static str,
}

impl Example {
    /// The scenario; an example that failed to parse would be a bug caught
    /// by the tests below, so the app gets an empty document rather than a
    /// panic.
    pub fn scenario(&self) -> Scenario {
        load::parse(self.json).unwrap_or_default()
    }

    pub fn json(&self) -> &'static str {
        self.json
    }
}

pub const EXAMPLES: &[Example] = &[
    Example {
        key: "payments-queue",
        name: "Payments with SMS over a queue",
        title: "Payments, SMS over a queue",
        lesson: "The SMS sender crashes at 20 s; payments keep succeeding and the SMS jobs wait in the queue.",
        json: include_str!("examples/payments_queue.json"),
    },
    Example {
        key: "payments-http",
        name: "Payments with SMS over HTTP",
        title: "Payments, SMS over HTTP",
        lesson: "Same crash, but payments call SMS synchronously: while it is down, payments fail too.",
        json: include_str!("examples/payments_http.json"),
    },
    Example {
        key: "leetcode",
        name: "LeetCode: submit, judge, push the verdict",
        title: "LeetCode judge: queue, pub/sub, WebSocket",
        lesson: "Submissions queue up for the judges; verdicts reach the browser over pub/sub and a WebSocket that crashes at 30 s.",
        json: include_str!("examples/leetcode.json"),
    },
    Example {
        key: "food",
        name: "Food ordering: sync checks, async kitchen",
        title: "Food ordering: sync checks, async kitchen",
        lesson: "Stock and payment are checked while the customer waits; the kitchen works off a queue and slows down at 25 s.",
        json: include_str!("examples/food_ordering.json"),
    },
    Example {
        key: "saga",
        name: "Booking saga with compensations",
        title: "Booking saga with compensations",
        lesson: "When charging the card fails, the saga cancels the flight and the hotel, in reverse order.",
        json: include_str!("examples/booking_saga.json"),
    },
    Example {
        key: "retry-storm",
        name: "Retry storm, tamed by a circuit breaker",
        title: "Retry storm and a circuit breaker",
        lesson: "The catalog slows down at 15 s; retries multiply the load until the breaker opens. Switch the breaker off to see the storm.",
        json: include_str!("examples/retry_storm.json"),
    },
    Example {
        key: "ordering",
        name: "Ordering: competing consumers vs. partitions by key",
        title: "Ordering: competing consumers vs. partitions by key (Slack)",
        lesson: "Same keyed chat traffic twice: the queue's competing workers finish messages of a conversation out of order; the log, partitioned by key, keeps every conversation in order (out of order: 0), even when both slow down at 20 s.",
        json: include_str!("examples/ordering.json"),
    },
    Example {
        key: "kafka-crash",
        name: "Kafka consumer crash: auto-commit replays, at-most-once loses",
        title: "Kafka consumer crash: auto-commit replays, at-most-once loses",
        lesson: "Both consumers crash at 19.9 s for 3 s. Billing auto-commits every 5 s, so after it rejoins it replays what it did since its last commit (duplicates); emails commits before processing: nothing is replayed, but the messages in hand at the crash are lost.",
        json: include_str!("examples/kafka_crash.json"),
    },
    Example {
        key: "rabbit-routing",
        name: "RabbitMQ topic routing with a dead-letter exchange",
        title: "RabbitMQ topic routing with a dead-letter exchange",
        lesson: "Each order takes one routing key by weight and reaches every queue whose binding matches; order.refund.mx matches none and goes to the alternate queue; billing's failures go through the dead-letter exchange after 3 deliveries, and when billing crashes at 20 s the messages it had prefetched are delivered again.",
        json: include_str!("examples/rabbit_routing.json"),
    },
    Example {
        key: "sqs-fifo",
        name: "SQS FIFO: order per message group",
        title: "SQS FIFO: order per message group",
        lesson: "The standard queue applies an account's updates out of order; the FIFO queue never does, but a while(true) update blocks its account for 3 × 2 s until it is dead-lettered, as do the failures from 20 s: watch the FIFO queue's wait.",
        json: include_str!("examples/sqs_fifo.json"),
    },
    Example {
        key: "whatsapp",
        name: "WhatsApp: store-and-forward for offline users",
        title: "WhatsApp: store-and-forward for offline users",
        lesson: "Phones are offline a third of the time. The plain gateway loses what is pushed meanwhile (pushes lost); the store-and-forward gateway loses nothing and delivers it when the phone is back (delivered late), even across the gateways' crash at 40 s.",
        json: include_str!("examples/whatsapp.json"),
    },
    Example {
        key: "leetcode-poison",
        name: "LeetCode: a while(true) submission, queue vs. HTTP",
        title: "A while(true) submission: queue vs. HTTP",
        lesson: "2% of submissions never end: each hangs a judge until its 5 s limit. Behind the queue the backend answers at once and poison ends in the DLQ; over HTTP each holds a backend worker for the 3 s call timeout and its coder times out. When the judges crash at 20 s, the queue holds the work; HTTP fails it.",
        json: include_str!("examples/leetcode_poison.json"),
    },
];

/// Wall-clock seconds within which a newcomer who presses Run sees the
/// first scheduled fault (the moment each example's lesson starts).
pub const FIRST_FAULT_WITHIN_S: f64 = 4.0;

/// Speeds a run starts at, slowest first: real time when it shows the
/// lesson soon enough, else the first that brings the first fault within
/// [`FIRST_FAULT_WITHIN_S`].
const START_SPEEDS: [f64; 7] = [1.0, 2.0, 5.0, 10.0, 20.0, 50.0, 100.0];

/// The speed to run `s` at first: its first fault within a few seconds of
/// pressing Run (a scenario without faults runs in real time).
pub fn start_speed(s: &Scenario) -> f64 {
    let first_ms = s.faults.iter().map(|f| f.at_ms).filter(|t| t.is_finite() && *t > 0.0).reduce(f64::min);
    let Some(first_ms) = first_ms else {
        return 1.0;
    };
    START_SPEEDS.into_iter().find(|v| first_ms / 1000.0 / v <= FIRST_FAULT_WITHIN_S).unwrap_or(100.0)
}

/// What a newcomer sees on a first visit.
pub fn starter() -> Scenario {
    EXAMPLES[0].scenario()
}

pub fn by_key(key: &str) -> Option<&'static Example> {
    EXAMPLES.iter().find(|e| e.key == key)
}

/// What to watch in a scenario that is one of the examples.
pub fn lesson_for(scenario_name: &str) -> Option<&'static str> {
    EXAMPLES.iter().find(|e| e.name == scenario_name).map(|e| e.lesson)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_example_loads_and_validates() {
        for e in EXAMPLES {
            let s = load::load(e.json).unwrap_or_else(|err| panic!("{}: {err}", e.key));
            assert!(!s.nodes.is_empty(), "{}", e.key);
            assert_eq!(s.name, e.name, "{}", e.key);
            assert_eq!(e.scenario(), s);
        }
    }

    #[test]
    fn every_example_is_free_of_warnings() {
        use crate::engine::format::validate;
        for e in EXAMPLES {
            let problems = validate::validate(&e.scenario());
            assert!(problems.is_empty(), "{}: {problems:?}", e.key);
        }
    }

    #[test]
    fn every_example_shows_its_first_fault_within_seconds_of_run() {
        for e in EXAMPLES {
            let s = e.scenario();
            let first = s.faults.iter().map(|f| f.at_ms).reduce(f64::min).expect("every example has a fault");
            let speed = start_speed(&s);
            let wall_s = first / 1000.0 / speed;
            assert!(wall_s <= FIRST_FAULT_WITHIN_S, "{}: first fault after {wall_s} s at {speed}x", e.key);
            // And no faster than needed: the next slower speed would be too slow.
            if let Some(slower) = START_SPEEDS.iter().rev().find(|v| **v < speed) {
                assert!(first / 1000.0 / slower > FIRST_FAULT_WITHIN_S, "{}: {speed}x is needlessly fast", e.key);
            }
        }
        assert_eq!(start_speed(&Scenario::default()), 1.0);
    }

    #[test]
    fn the_starter_is_the_model_example() {
        let s = starter();
        assert_eq!(s.name, "Payments with SMS over a queue");
        assert_eq!(by_key("saga").map(|e| e.key), Some("saga"));
    }
}
