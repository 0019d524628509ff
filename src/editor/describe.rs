//! Short texts the canvas shows under a node's name and beside a link: the
//! settings that matter at a glance, with the defaults filled in so what
//! is drawn is what a run will use.

use super::chart::fmt_ms;
use super::parse::fmt_num;
use crate::engine::format::defaults as d;
use crate::engine::format::{Delivery, Dist, ExchangeType, LinkSpec, NodeKind, NodeSpec, Persistence, Via};

fn dist_short(dist: Option<&Dist>, default_ms: f64) -> String {
    match dist {
        None => fmt_ms(default_ms),
        Some(Dist::Const(m)) => fmt_ms(*m),
        Some(Dist::Exp(m)) => format!("~{}", fmt_ms(*m)),
        Some(other) => format!("~{}", fmt_ms(other.mean_ms())),
    }
}

/// One line under a node's name: "16 workers · ~20 ms".
pub fn node_summary(n: &NodeSpec) -> String {
    match n.kind {
        NodeKind::Client => {
            let rate = n.rate_per_s.unwrap_or(d::CLIENT_RATE_PER_S);
            let ramp = if n.schedule.as_ref().is_some_and(|s| !s.is_empty()) { " · scheduled" } else { "" };
            let mut s = format!("{}/s{ramp}", fmt_num(rate));
            if let Some(k) = n.keys.filter(|k| *k > 0) {
                s.push_str(&format!(" · {k} keys"));
            }
            if let Some(p) = n.poison_rate.filter(|p| *p > 0.0) {
                s.push_str(&format!(" · {}% poison", fmt_num((p * 1000.0).round() / 10.0)));
            }
            s
        }
        NodeKind::Service | NodeKind::Saga => {
            let w = n.workers.unwrap_or(d::SERVICE_WORKERS);
            let default_ms = if n.kind == NodeKind::Saga { d::SAGA_WORK_MS } else { d::SERVICE_WORK_MS };
            let mut s =
                format!("{w} worker{} · {}", if w == 1 { "" } else { "s" }, dist_short(n.work_ms.as_ref(), default_ms));
            if let Some(e) = n.error_rate.filter(|e| *e > 0.0) {
                s.push_str(&format!(" · {}% err", fmt_num((e * 1000.0).round() / 10.0)));
            }
            if let Some(t) = n.job_timeout_ms {
                s.push_str(&format!(" · kill at {}", fmt_ms(t)));
            }
            s
        }
        NodeKind::Queue => {
            let mut parts = Vec::new();
            if n.fifo == Some(true) {
                parts.push("FIFO".to_string());
            }
            if let Some(c) = n.capacity {
                parts.push(format!("cap {c}"));
            }
            parts.push(format!("{}× tries", n.max_deliveries.unwrap_or(d::QUEUE_MAX_DELIVERIES)));
            if n.dead_letter.is_some() {
                parts.push("DLQ".into());
            }
            parts.push(persistence(n.persistence).into());
            parts.join(" · ")
        }
        NodeKind::Topic => match n.delivery.unwrap_or_default() {
            Delivery::AtMostOnce => "at most once".into(),
            Delivery::Durable => format!("durable · {}", persistence(n.persistence)),
            Delivery::Log => {
                let p = n.partitions.unwrap_or(d::LOG_PARTITIONS);
                let mut s = format!("log · {p} partition{}", if p == 1 { "" } else { "s" });
                if let Some(r) = n.retention_ms {
                    s.push_str(&format!(" · keep {}", fmt_ms(r)));
                }
                s
            }
        },
        NodeKind::Exchange => {
            let t = match n.exchange_type.unwrap_or_default() {
                ExchangeType::Direct => "direct",
                ExchangeType::Topic => "topic",
                ExchangeType::Fanout => "fanout",
            };
            if n.alternate.is_some() {
                format!("{t} · alternate")
            } else {
                t.to_string()
            }
        }
        NodeKind::Database => {
            let w = n.workers.unwrap_or(d::DATABASE_WORKERS);
            let mut s = format!("{w} conn · {}", dist_short(n.work_ms.as_ref(), d::DATABASE_WORK_MS));
            let r = crate::engine::format::database::read_replicas(n);
            if r > 0 {
                let lag = n.replication_lag_ms.unwrap_or(crate::engine::format::Dist::Const(d::REPLICATION_LAG_MS));
                s.push_str(&format!(
                    " · {r} replica{} · lag {}",
                    if r == 1 { "" } else { "s" },
                    dist_short(Some(&lag), 0.0)
                ));
            }
            s
        }
        NodeKind::Websocket => format!("reconnect {}", fmt_ms(n.reconnect_ms.unwrap_or(d::WEBSOCKET_RECONNECT_MS))),
        NodeKind::Browser => {
            let users = format!("{} users", n.users.unwrap_or(d::BROWSER_USERS));
            if n.online_ms.is_some() && n.offline_ms.is_some() {
                format!("{users} · come and go")
            } else {
                users
            }
        }
    }
}

/// Where a read goes, as the caption says it.
fn read_from_words(r: crate::engine::format::database::ReadFrom) -> &'static str {
    use crate::engine::format::database::ReadFrom;
    match r {
        ReadFrom::Primary => "primary",
        ReadFrom::Replica => "replica",
        ReadFrom::PrimaryAfterWrite => "own writes from primary",
    }
}

fn persistence(p: Option<Persistence>) -> &'static str {
    match p.unwrap_or_default() {
        Persistence::Memory => "in memory",
        Persistence::AofAlways => "AOF always",
        Persistence::AofEverysec => "AOF 1 s",
        Persistence::Snapshot => "snapshots",
    }
}

/// A link's fan-out as the canvas shows it: "×5" for a constant count,
/// "×~234" (the mean) for a distribution; None without one.
pub fn count_label(l: &LinkSpec) -> Option<String> {
    let c = l.count.as_ref().filter(|_| crate::engine::format::fanout::applies(l.via))?;
    let mean = crate::engine::format::fanout::rounded_mean(c);
    Some(match c {
        Dist::Const(_) => format!("×{}", fmt_num(mean)),
        _ => format!("×~{}", fmt_num(mean.round())),
    })
}

/// A fan-out measured in a run, per request, as the canvas writes counts:
/// "×5", "×4.98", "×0.5", "×765", "×12,345".
pub fn measured_fan_out(mean: f64) -> String {
    if mean >= 100.0 {
        format!("×{}", crate::editor::figures::fmt_exact(mean.round() as u64))
    } else {
        let t = format!("{mean:.2}");
        let t = t.trim_end_matches('0').trim_end_matches('.');
        format!("×{t}")
    }
}

/// The words beside a link: its kind and what it adds ("http · 1 s timeout · retry ×3").
pub fn link_caption(l: &LinkSpec) -> String {
    let mut parts = vec![via_name(l.via).to_string()];
    if let Some(c) = count_label(l) {
        parts[0] = format!("{} {c}", parts[0]);
    }
    if let Some(t) = l.timeout_ms {
        parts.push(format!("{} timeout", fmt_ms(t)));
    }
    if let Some(r) = &l.retry {
        parts.push(format!("retry ×{}", r.attempts.unwrap_or(d::RETRY_ATTEMPTS)));
    }
    if l.circuit_breaker.is_some() {
        parts.push("breaker".into());
    }
    if l.outbox == Some(true) {
        parts.push("outbox".into());
    }
    if l.optional == Some(true) {
        parts.push("optional".into());
    }
    if let Some(p) = &l.pattern {
        parts.push(format!("`{p}`"));
    }
    if let Some(keys) = &l.routing_keys {
        parts.push(format!("{} routing key{}", keys.len(), if keys.len() == 1 { "" } else { "s" }));
    }
    if let Some(g) = &l.group {
        parts.push(format!("group {g}"));
    }
    if let Some(p) = l.prefetch {
        parts.push(format!("prefetch {p}"));
    }
    if l.store_and_forward == Some(true) {
        parts.push("store and forward".into());
    }
    if let Some(r) = l.read_from {
        parts.push(read_from_words(r).into());
    }
    parts.join(" · ")
}

/// The caption on the canvas: the kind and the resilience it adds.
pub fn short_caption(l: &LinkSpec) -> String {
    let mut parts = vec![via_name(l.via)];
    if l.retry.is_some() {
        parts.push("retry");
    }
    if l.circuit_breaker.is_some() {
        parts.push("breaker");
    }
    if l.outbox == Some(true) {
        parts.push("outbox");
    }
    if l.store_and_forward == Some(true) {
        parts.push("stored");
    }
    if let Some(r) = l.read_from {
        parts.push(read_from_words(r));
    }
    let mut text = parts.join(" · ");
    if let Some(c) = count_label(l) {
        text = text.replacen(via_name(l.via), &format!("{} {c}", via_name(l.via)), 1);
    }
    if let Some(p) = &l.pattern {
        text.push_str(&format!(" {}", fit_label(p, 18)));
    }
    text
}

/// How people say a link kind.
pub fn via_name(v: Via) -> &'static str {
    match v {
        Via::Http => "HTTP",
        Via::Grpc => "gRPC",
        Via::Enqueue => "enqueue",
        Via::Consume => "consume",
        Via::Publish => "publish",
        Via::Subscribe => "subscribe",
        Via::Push => "push",
        Via::Sse => "SSE",
        Via::Poll => "poll",
        Via::SagaStep => "saga step",
        Via::RequestReply => "request/reply",
        Via::Bind => "bind",
        Via::Write => "write",
        Via::Read => "read",
    }
}

/// What a link kind means, in a sentence, for the inspector.
pub fn via_blurb(v: Via) -> &'static str {
    match v {
        Via::Http => "Request and response; the caller's worker waits for the answer.",
        Via::Grpc => "Like HTTP, with lower latency.",
        Via::Enqueue => "Fire and forget into a queue.",
        Via::Consume => "The service takes messages off the queue; ack on success, nack on failure.",
        Via::Publish => "Sends to a topic (every subscription gets a copy) or to an exchange (routed by key).",
        Via::Subscribe => "Receives every message published to the topic; on a log, as one member of a consumer group.",
        Via::Push => "The WebSocket server pushes to connected users; lost while they are disconnected.",
        Via::Sse => "Server-sent events: one way, resumes from the last event id after a reconnect.",
        Via::Poll => "The browser asks every so often.",
        Via::SagaStep => "One step of the saga, called in link order and compensated on failure.",
        Via::RequestReply => "Asynchronous request with a correlation id; the caller's worker is free while it waits.",
        Via::Bind => {
            "A binding: the exchange copies each message whose routing key matches the pattern into the queue."
        }
        Via::Write => "Writes the request's key to the database's primary; the worker waits for the commit.",
        Via::Read => "Reads the request's key from the primary or a replica; a replica may return an older version.",
    }
}

/// Whether a scenario uses any broker feature (keys, poison, logs,
/// exchanges, FIFO queues, presence, store-and-forward): the results table
/// then shows the brokers' columns.
pub fn uses_brokers(s: &crate::engine::format::Scenario) -> bool {
    s.nodes.iter().any(|n| {
        n.kind == NodeKind::Exchange
            || n.delivery == Some(Delivery::Log)
            || n.fifo == Some(true)
            || n.keys.is_some_and(|k| k > 0)
            || n.poison_rate.is_some_and(|p| p > 0.0)
            || n.online_ms.is_some()
    }) || s.links.iter().any(|l| l.store_and_forward == Some(true))
}

/// A label cut to fit a node's box.
pub fn fit_label(text: &str, max_chars: usize) -> String {
    if text.chars().count() <= max_chars {
        text.to_string()
    } else {
        let cut: String = text.chars().take(max_chars.saturating_sub(1)).collect();
        format!("{}…", cut.trim_end())
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_measured_fan_out_reads_like_the_canvas() {
        use super::measured_fan_out as f;
        assert_eq!((f(5.0), f(4.9834), f(0.5), f(0.0)), ("×5".into(), "×4.98".into(), "×0.5".into(), "×0".into()));
        assert_eq!((f(765.4), f(12_345.0)), ("×765".into(), "×12,345".into()));
    }

    use super::*;

    #[test]
    fn summaries_show_the_defaults_a_run_uses() {
        let s = NodeSpec::new("pay", NodeKind::Service);
        assert_eq!(node_summary(&s), "1 worker · 10 ms");
        let c = NodeSpec::new("app", NodeKind::Client);
        assert_eq!(node_summary(&c), "10/s");
        let q = NodeSpec { dead_letter: Some("dlq".into()), ..NodeSpec::new("q", NodeKind::Queue) };
        assert_eq!(node_summary(&q), "5× tries · DLQ · in memory");
    }

    #[test]
    fn a_service_summary_mentions_errors() {
        let s = NodeSpec {
            workers: Some(4),
            work_ms: Some(Dist::Exp(20.0)),
            error_rate: Some(0.1),
            ..NodeSpec::new("sms", NodeKind::Service)
        };
        assert_eq!(node_summary(&s), "4 workers · ~20 ms · 10% err");
    }

    #[test]
    fn captions_list_what_a_link_adds() {
        let mut l = LinkSpec::new("l1", "a", "b", Via::Http);
        l.timeout_ms = Some(1000.0);
        l.retry = Some(Default::default());
        assert_eq!(link_caption(&l), "HTTP · 1.00 s timeout · retry ×3");
    }

    #[test]
    fn a_counted_link_shows_its_fan_out() {
        let mut l = LinkSpec::new("l1", "a", "b", Via::Http);
        assert_eq!(count_label(&l), None);
        l.count = Some(Dist::Const(5.0));
        assert_eq!(short_caption(&l), "HTTP ×5");
        l.count = Some(Dist::Exp(3.4));
        assert!(link_caption(&l).starts_with("HTTP ×~3"), "{}", link_caption(&l));
        l.count = Some(Dist::Zipf { n: 100_000.0, s: 1.5 });
        assert_eq!(count_label(&l).as_deref(), Some("×~242"));
    }

    #[test]
    fn long_labels_are_cut_with_an_ellipsis() {
        assert_eq!(fit_label("Payments", 10), "Payments");
        assert_eq!(fit_label("A very long service name", 10), "A very lo…");
    }
}
