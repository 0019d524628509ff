//! The figures the results show, as data: two groups that never mix,
//! requests (what the clients' users got, end to end) and messages (the
//! ledger: every message and call attempt over a link), each figure with
//! its one-line explanation and the per-node row it sums.
//!
//! Every figure at the top is the sum of its column in the node table:
//! requests over the clients, messages over the nodes they were sent to.

use crate::engine::report::{NodeReport, Report};

pub struct Figure {
    /// Stable name (`requests.ok`, `messages.lost`) for tests and styles.
    pub key: &'static str,
    pub label: &'static str,
    /// `good` (the one headline success), `ok`, `bad`, `warn` or "": how
    /// the value is coloured.
    pub tone: &'static str,
    /// One line: what the figure counts.
    pub help: &'static str,
    pub total: fn(&Report) -> u64,
    /// The node's share of the total (`None`: not counted at this node).
    pub row: fn(&NodeReport) -> Option<u64>,
}

pub const REQUESTS: [Figure; 5] = [
    Figure {
        key: "requests.started",
        label: "Sent",
        tone: "",
        help: "Requests the clients sent: each one a user action (a payment, a submission).",
        total: |r| r.requests.started,
        row: |n| n.requests.as_ref().map(|q| q.started),
    },
    Figure {
        key: "requests.ok",
        label: "OK",
        tone: "good",
        help: "Requests that succeeded end to end, as their client saw it.",
        total: |r| r.requests.ok,
        row: |n| n.requests.as_ref().map(|q| q.ok),
    },
    Figure {
        key: "requests.failed",
        label: "Failed",
        tone: "bad",
        help: "Requests that ended with an error, calls refused on the way (rejected) included.",
        total: |r| r.requests.failed,
        row: |n| n.requests.as_ref().map(|q| q.failed),
    },
    Figure {
        key: "requests.timed_out",
        label: "Timed out",
        tone: "bad",
        help: "Requests whose client stopped waiting: its timeout passed before the answer.",
        total: |r| r.requests.timed_out,
        row: |n| n.requests.as_ref().map(|q| q.timed_out),
    },
    Figure {
        key: "requests.in_flight",
        label: "In flight",
        tone: "",
        help: "Requests still waiting for their answer now.",
        total: |r| r.requests.in_flight,
        row: |n| n.requests.as_ref().map(|q| q.in_flight),
    },
];

pub const MESSAGES: [Figure; 10] = [
    Figure {
        key: "messages.sent",
        label: "Sent",
        tone: "",
        help: "Messages and call attempts sent over the links (a retry is one more).",
        total: |r| r.messages.sent,
        row: |n| Some(n.messages.sent),
    },
    Figure {
        key: "messages.delivered",
        label: "Delivered",
        tone: "ok",
        help: "Reached their node and were handled: a call answered OK, a message acked.",
        total: |r| r.messages.delivered,
        row: |n| Some(n.messages.delivered),
    },
    Figure {
        key: "messages.failed",
        label: "Failed",
        tone: "bad",
        help: "Call attempts answered with an error.",
        total: |r| r.messages.failed,
        row: |n| Some(n.messages.failed),
    },
    Figure {
        key: "messages.timed_out",
        label: "Timed out",
        tone: "bad",
        help: "Call attempts whose caller stopped waiting; the callee may still be working on them.",
        total: |r| r.messages.timed_out,
        row: |n| Some(n.messages.timed_out),
    },
    Figure {
        key: "messages.rejected",
        label: "Rejected",
        tone: "warn",
        help: "Refused on arrival: a full backlog or queue, or the node was down.",
        total: |r| r.messages.rejected,
        row: |n| Some(n.messages.rejected),
    },
    Figure {
        key: "messages.dead_lettered",
        label: "Dead-lettered",
        tone: "warn",
        help: "Moved to a dead-letter queue after their last delivery failed.",
        total: |r| r.messages.dead_lettered,
        row: |n| Some(n.messages.dead_lettered),
    },
    Figure {
        key: "messages.dropped",
        label: "Dropped",
        tone: "warn",
        help: "Thrown away: cut by a partition, no subscriber, or out of deliveries without a dead-letter queue.",
        total: |r| r.messages.dropped,
        row: |n| Some(n.messages.dropped),
    },
    Figure {
        key: "messages.lost",
        label: "Lost",
        tone: "bad",
        help: "Gone with a crash: unsaved broker data, a push to a disconnected user, a call whose caller died.",
        total: |r| r.messages.lost,
        row: |n| Some(n.messages.lost),
    },
    Figure {
        key: "messages.in_flight",
        label: "In flight",
        tone: "",
        help: "Sent and not ended yet: on the wire, waiting in a queue, or being worked on.",
        total: |r| r.messages.in_flight,
        row: |n| Some(n.messages.in_flight),
    },
    Figure {
        key: "messages.duplicates",
        label: "Duplicates",
        tone: "warn",
        help: "Side effects run twice for one id on a service that is not idempotent (a card charged twice).",
        total: |r| r.messages.duplicates,
        row: |n| Some(n.messages.duplicates),
    },
];

// One rule for the headline latency, here and in the A/B diff.
pub use crate::engine::headline::{headline, Headline};

/// A count in full with thousands separators ("575,123"); millions
/// shortened ("1.25M").
pub fn fmt_exact(n: u64) -> String {
    if n >= 10_000_000 {
        return format!("{:.1}M", n as f64 / 1e6);
    }
    if n >= 1_000_000 {
        return format!("{:.2}M", n as f64 / 1e6);
    }
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + 2);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::editor::examples::EXAMPLES;
    use crate::engine::{Sim, SimOptions};

    #[test]
    fn every_top_figure_is_the_sum_of_its_rows_on_every_example() {
        for e in EXAMPLES {
            let s = e.scenario();
            let mut sim = Sim::new(&s, SimOptions::default()).unwrap();
            for until in [s.duration_ms / 2.0, s.duration_ms] {
                sim.advance_to((until * 1000.0) as u64, u64::MAX);
                let r = sim.report();
                for f in REQUESTS.iter().chain(MESSAGES.iter()) {
                    let rows: u64 = r.nodes.values().filter_map(f.row).sum();
                    assert_eq!((f.total)(&r), rows, "{}: {} at {until} ms", e.key, f.key);
                }
                // Requests are the clients' rows only.
                for (id, n) in &r.nodes {
                    assert_eq!(n.requests.is_some(), n.kind == "client", "{}: {id}", e.key);
                }
            }
        }
    }

    #[test]
    fn each_figure_explains_itself_in_one_line() {
        for f in REQUESTS.iter().chain(MESSAGES.iter()) {
            assert!(!f.help.is_empty() && !f.help.contains('\n') && f.help.len() < 120, "{}", f.key);
        }
    }

    #[test]
    fn a_flow_that_ends_at_browsers_headlines_what_users_feel() {
        let e = crate::editor::examples::by_key("leetcode").unwrap();
        let s = e.scenario();
        let mut sim = Sim::new(&s, SimOptions::default()).unwrap();
        sim.run_to_end();
        let h = headline(&s, &sim.report()).unwrap();
        assert_eq!(h.at, "Open tabs");
        let (client, submit) = h.first_hop.clone().unwrap();
        assert_eq!(client, "Coders");
        // Judging takes hundreds of ms; the submit call a few.
        assert!(h.latency.p50 > 100.0 && submit.p50 < 50.0, "{h:?}");
        let e = crate::editor::examples::by_key("payments-http").unwrap();
        let s = e.scenario();
        let mut sim = Sim::new(&s, SimOptions::default()).unwrap();
        sim.run_to_end();
        let h = headline(&s, &sim.report()).unwrap();
        assert_eq!((h.at.as_str(), h.first_hop.is_none()), ("Mobile app", true));
    }

    #[test]
    fn counts_read_in_full() {
        assert_eq!(fmt_exact(0), "0");
        assert_eq!(fmt_exact(1952), "1,952");
        assert_eq!(fmt_exact(575_123), "575,123");
        assert_eq!(fmt_exact(1_250_000), "1.25M");
        assert_eq!(fmt_exact(12_500_000), "12.5M");
    }
}
