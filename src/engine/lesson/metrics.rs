//! The metrics a condition can name, and how each is read from a snapshot
//! of a run. A path is resolved against the scenario once (so a missing
//! node, link or metric is a message, not a zero), then read as often as
//! the app refreshes.
//!
//! Counts only grow during a run; over a window they are taken as the
//! difference between the window's end and start. Levels (a queue's length
//! now, a percentile, a breaker's state) have no such difference and are
//! read at one instant.

use super::watch::Snapshot;
use crate::engine::format::Scenario;
use crate::engine::report::{MessageCounts, NodeReport, RequestCounts};

/// Kind-specific counters of `NodeReport::extra` that only grow. A node
/// that never bumped one reads 0. New counters in the engine go here to be
/// usable in lessons.
pub const COUNT_EXTRAS: &[&str] = &[
    "acked_then_lost",
    "checks_failed",
    "committed",
    "compensated",
    "compensations",
    "delivered_late",
    "disconnects",
    "dropped",
    "dual_write_lost",
    "expired",
    "failed_steps",
    "fan_out_calls",
    "handshakes",
    "held_for_offline",
    "held_for_resume",
    "job_timeouts",
    "lost_at_most_once",
    "missed_while_down",
    "no_subscriber",
    "orphan_replies",
    "out_of_order",
    "outbox_resent",
    "polls",
    "processing_errors",
    "pushes_lost",
    "rebalances",
    "reconnect_attempts",
    "reconnects",
    "reconnects_refused",
    "reads",
    "replays",
    "routed",
    "session_timeouts",
    "skipped_after_errors",
    "stale_reads",
    "stuck",
    "unroutable",
    "user_not_connected_here",
    "went_offline",
    "writes",
];

/// Kind-specific levels of `NodeReport::extra` (values now).
pub const LEVEL_EXTRAS: &[&str] = &[
    "backlog",
    "connected_users",
    "connections",
    "held_now",
    "lag",
    "lag_max",
    "lag_mean",
    "late_delay_mean_ms",
    "late_delay_p50_ms",
    "late_delay_p99_ms",
    "outbox_pending",
    "retained",
    "stale_age_max_ms",
    "stale_age_mean_ms",
    "stale_age_p99_ms",
];

const REQUEST_FIELDS: &[&str] = &["started", "ok", "failed", "timed_out", "in_flight"];
const MESSAGE_FIELDS: &[&str] = &[
    "sent",
    "delivered",
    "failed",
    "timed_out",
    "rejected",
    "dead_lettered",
    "dropped",
    "lost",
    "expired",
    "deduplicated",
    "in_flight",
    "duplicates",
];
const NODE_COUNTS: &[&str] =
    &["arrivals", "completed", "failed", "rejected", "lost", "wasted", "duplicates", "deduplicated"];
const NODE_LEVELS: &[&str] = &[
    "utilization",
    "latency_ms.mean",
    "latency_ms.p50",
    "latency_ms.p95",
    "latency_ms.p99",
    "latency_ms.max",
    "wait_ms.mean",
    "queue_len.mean",
    "queue_len.max",
];
/// What a node is doing right now (the app's live marks).
const NODE_NOW: &[&str] = &["waiting", "busy", "unacked", "connections", "down"];
const BREAKER_COUNTS: &[&str] = &["rejected", "opened", "half_opened", "closed"];
/// Traffic between regions: counts `sent` and `crossed`, the level `share`.
const REGION_FIELDS: &[&str] = &["sent", "crossed", "share"];

/// A resolved metric: where to read it.
#[derive(Clone, Debug, PartialEq)]
pub enum Lookup {
    Request(&'static str),
    Message(&'static str),
    /// A node (by index in the scenario) and its field.
    Node(usize, String, &'static str),
    Breaker(String, &'static str),
    /// Simulated seconds so far (the window's length, over a window).
    Seconds,
    /// The report's cross-region figures (`regions.share`).
    Regions(&'static str),
}

/// Whether the path names a count (grows during a run), without needing
/// the scenario.
pub fn is_count(path: &[String]) -> bool {
    let p: Vec<&str> = path.iter().map(String::as_str).collect();
    match p.as_slice() {
        ["requests", f] => REQUEST_FIELDS.contains(f) && *f != "in_flight",
        ["messages", f] => MESSAGE_FIELDS.contains(f) && *f != "in_flight",
        ["nodes", _, f] => NODE_COUNTS.contains(f) || COUNT_EXTRAS.contains(f),
        ["breakers", _, f] => BREAKER_COUNTS.contains(f),
        ["run", "seconds"] => true,
        ["regions", f] => *f != "share" && REGION_FIELDS.contains(f),
        _ => false,
    }
}

fn pick(list: &'static [&'static str], name: &str) -> Option<&'static str> {
    list.iter().copied().find(|f| *f == name)
}

/// Resolves `path` against `scenario`, or says what does not exist.
pub fn resolve(path: &[String], scenario: &Scenario) -> Result<Lookup, String> {
    let text = path.join(".");
    let p: Vec<&str> = path.iter().map(String::as_str).collect();
    let unknown = |what: &str, known: &[&str]| format!("`{text}`: no {what}; try one of {}", known.join(", "));
    match p.as_slice() {
        ["requests", f] => {
            pick(REQUEST_FIELDS, f).map(Lookup::Request).ok_or_else(|| unknown("such count", REQUEST_FIELDS))
        }
        ["messages", f] => {
            pick(MESSAGE_FIELDS, f).map(Lookup::Message).ok_or_else(|| unknown("such count", MESSAGE_FIELDS))
        }
        ["run", "seconds"] => Ok(Lookup::Seconds),
        ["regions", f] => {
            if scenario.nodes.iter().all(|n| n.region.is_none()) {
                return Err(format!("`{text}`: no node of the scenario has a region"));
            }
            pick(REGION_FIELDS, f).map(Lookup::Regions).ok_or_else(|| unknown("such region figure", REGION_FIELDS))
        }
        ["nodes", id, rest @ ..] => {
            let index = scenario
                .nodes
                .iter()
                .position(|n| n.id == *id)
                .ok_or_else(|| format!("`{text}`: the scenario has no node `{id}`"))?;
            let field = rest.join(".");
            let all: Vec<&str> = NODE_COUNTS.iter().chain(NODE_LEVELS).chain(NODE_NOW).copied().collect();
            let found = [NODE_COUNTS, NODE_LEVELS, NODE_NOW, COUNT_EXTRAS, LEVEL_EXTRAS]
                .into_iter()
                .find_map(|list| pick(list, &field));
            match found {
                Some(f) => Ok(Lookup::Node(index, id.to_string(), f)),
                None if field.is_empty() => Err(format!("`{text}`: name a metric of node `{id}`, e.g. {id}.failed")),
                None => Err(format!(
                    "`{text}`: nodes have no metric `{field}`; try one of {} (or a kind's own count, e.g. {})",
                    all.join(", "),
                    COUNT_EXTRAS[..4].join(", ")
                )),
            }
        }
        ["breakers", id, f] => {
            let link = scenario.link(id).ok_or_else(|| format!("`{text}`: the scenario has no link `{id}`"))?;
            if link.circuit_breaker.is_none() {
                return Err(format!("`{text}`: link `{id}` has no circuit breaker"));
            }
            pick(BREAKER_COUNTS, f)
                .or((*f == "open").then_some("open"))
                .map(|f| Lookup::Breaker(id.to_string(), f))
                .ok_or_else(|| unknown("such breaker figure", &["opened", "half_opened", "closed", "rejected", "open"]))
        }
        [first, ..] => Err(format!(
            "`{text}`: a metric starts with requests, messages, nodes, breakers, regions or run (not `{first}`)"
        )),
        [] => Err("an empty metric".into()),
    }
}

fn request(r: &RequestCounts, f: &str) -> u64 {
    match f {
        "started" => r.started,
        "ok" => r.ok,
        "failed" => r.failed,
        "timed_out" => r.timed_out,
        _ => r.in_flight,
    }
}

fn message(m: &MessageCounts, f: &str) -> u64 {
    match f {
        "sent" => m.sent,
        "delivered" => m.delivered,
        "failed" => m.failed,
        "timed_out" => m.timed_out,
        "rejected" => m.rejected,
        "dead_lettered" => m.dead_lettered,
        "dropped" => m.dropped,
        "lost" => m.lost,
        "expired" => m.expired,
        "deduplicated" => m.deduplicated,
        "duplicates" => m.duplicates,
        _ => m.in_flight,
    }
}

fn node(n: &NodeReport, f: &str) -> f64 {
    match f {
        "arrivals" => n.arrivals as f64,
        "completed" => n.completed as f64,
        "failed" => n.failed as f64,
        "rejected" => n.rejected as f64,
        "lost" => n.lost as f64,
        "wasted" => n.wasted as f64,
        "duplicates" => n.duplicates as f64,
        "deduplicated" => n.deduplicated as f64,
        "utilization" => n.utilization,
        "latency_ms.mean" => n.latency_ms.mean,
        "latency_ms.p50" => n.latency_ms.p50,
        "latency_ms.p95" => n.latency_ms.p95,
        "latency_ms.p99" => n.latency_ms.p99,
        "latency_ms.max" => n.latency_ms.max,
        "wait_ms.mean" => n.wait_ms.mean,
        "queue_len.mean" => n.queue_len.mean,
        "queue_len.max" => n.queue_len.max,
        extra => n.extra.get(extra).copied().unwrap_or(0.0),
    }
}

/// Reads a resolved metric at one instant.
pub fn read(l: &Lookup, s: &Snapshot) -> f64 {
    match l {
        Lookup::Request(f) => request(&s.report.requests, f) as f64,
        Lookup::Message(f) => message(&s.report.messages, f) as f64,
        Lookup::Seconds => s.at_us as f64 / 1e6,
        Lookup::Node(i, id, f) => {
            if NODE_NOW.contains(f) {
                let Some(live) = s.live.get(*i) else { return 0.0 };
                return match *f {
                    "waiting" => live.waiting as f64,
                    "busy" => live.busy as f64,
                    "unacked" => live.unacked as f64,
                    "connections" => live.connections as f64,
                    _ => live.crashed as u8 as f64,
                };
            }
            s.report.nodes.get(id).map(|n| node(n, f)).unwrap_or(0.0)
        }
        Lookup::Regions(f) => {
            let Some(r) = &s.report.regions else { return 0.0 };
            match *f {
                "sent" => r.sent as f64,
                "crossed" => r.crossed as f64,
                _ => r.share,
            }
        }
        Lookup::Breaker(id, f) => {
            let Some(b) = s.report.breakers.get(id) else { return 0.0 };
            let count = |state: &str| b.transitions.iter().filter(|(_, s)| s == state).count() as f64;
            match *f {
                "rejected" => b.rejected as f64,
                "opened" => count("open"),
                "half_opened" => count("half_open"),
                "closed" => count("closed"),
                _ => (b.state == "open") as u8 as f64,
            }
        }
    }
}

/// Whether a resolved metric is a count (its difference over a window means
/// something).
pub fn lookup_is_count(l: &Lookup) -> bool {
    match l {
        Lookup::Request(f) | Lookup::Message(f) => *f != "in_flight",
        Lookup::Seconds => true,
        Lookup::Node(_, _, f) => NODE_COUNTS.contains(f) || COUNT_EXTRAS.contains(f),
        Lookup::Breaker(_, f) => BREAKER_COUNTS.contains(f),
        Lookup::Regions(f) => *f != "share",
    }
}

/// A value as a person reads it: whole numbers whole, the rest to three
/// significant digits.
pub fn fmt_value(v: f64) -> String {
    if !v.is_finite() {
        return "—".into();
    }
    if v == v.trunc() && v.abs() < 1e15 {
        return format!("{}", v as i64);
    }
    let digits = (3 - (v.abs().log10().floor() as i32) - 1).clamp(0, 6) as usize;
    let s = format!("{v:.digits$}");
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::format::{LinkSpec, NodeKind, NodeSpec, Via};

    fn path(t: &str) -> Vec<String> {
        t.split('.').map(String::from).collect()
    }

    fn scenario() -> Scenario {
        let mut s = Scenario::default();
        s.nodes.push(NodeSpec::new("app", NodeKind::Client));
        s.nodes.push(NodeSpec::new("pay", NodeKind::Service));
        s.links.push(LinkSpec::new("l1", "app", "pay", Via::Http));
        s
    }

    #[test]
    fn missing_nodes_links_and_metrics_are_named() {
        let s = scenario();
        assert!(resolve(&path("nodes.sms.failed"), &s).unwrap_err().contains("no node `sms`"));
        assert!(resolve(&path("nodes.pay.fialed"), &s).unwrap_err().contains("no metric `fialed`"));
        assert!(resolve(&path("breakers.l1.opened"), &s).unwrap_err().contains("no circuit breaker"));
        assert!(resolve(&path("breakers.l9.opened"), &s).unwrap_err().contains("no link `l9`"));
        assert!(resolve(&path("messages.lots"), &s).unwrap_err().contains("lost"));
        assert!(resolve(&path("latency"), &s).unwrap_err().contains("starts with"));
        assert_eq!(resolve(&path("nodes.pay.latency_ms.p99"), &s), Ok(Lookup::Node(1, "pay".into(), "latency_ms.p99")));
        assert_eq!(resolve(&path("nodes.pay.stuck"), &s), Ok(Lookup::Node(1, "pay".into(), "stuck")));
    }

    #[test]
    fn counts_are_told_from_levels() {
        assert!(is_count(&path("messages.lost")));
        assert!(!is_count(&path("messages.in_flight")));
        assert!(is_count(&path("nodes.x.pushes_lost")));
        assert!(!is_count(&path("nodes.x.connected_users")));
        assert!(!is_count(&path("nodes.x.latency_ms.p99")));
        assert!(is_count(&path("nodes.q.out_of_order")) && is_count(&path("nodes.x.unroutable")));
        assert!(!is_count(&path("nodes.log.lag")) && !is_count(&path("nodes.p.late_delay_mean_ms")));
    }

    #[test]
    fn values_print_like_people_write_them() {
        assert_eq!(fmt_value(612.0), "612");
        assert_eq!(fmt_value(0.953), "0.953");
        assert_eq!(fmt_value(12.3456), "12.3");
        assert_eq!(fmt_value(0.0), "0");
    }
}
