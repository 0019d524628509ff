//! Validation of the broker fields (issue 8): keys and poison, log topics
//! and their consumer groups, exchanges and bindings, FIFO queues, presence
//! and store-and-forward. Every message names the node or link and the field.

use super::super::amqp;
use super::super::defaults::caps;
use super::super::scenario::*;
use super::{Place, Validator};
use std::collections::BTreeMap;

fn is_log(s: &Scenario, id: &str) -> bool {
    s.node(id).is_some_and(|n| n.kind == NodeKind::Topic && n.delivery == Some(Delivery::Log))
}

/// A consumer group's name: what a Kafka `group.id` usually is.
fn group_is_valid(g: &str) -> bool {
    !g.is_empty()
        && g.len() <= caps::ID_CHARS
        && g.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.'))
}

impl Validator {
    pub(super) fn brokers(&mut self, s: &Scenario, kinds: &BTreeMap<&str, NodeKind>) {
        for n in &s.nodes {
            self.broker_node(n, s, kinds);
        }
        for l in &s.links {
            self.broker_link(l, s);
        }
        for (i, f) in s.faults.iter().enumerate() {
            if f.kind == FaultKind::Replay {
                self.replay(i, f, s);
            }
        }
    }

    /// A positive duration: above 0, at most a day.
    fn positive_ms(&mut self, p: &Place, field: &str, v: Option<f64>) {
        if let Some(v) = v {
            self.number(p, field, v, caps::ANY_MS);
            if v == 0.0 {
                self.err(p, Some(field), "must be above 0");
            }
        }
    }

    fn broker_node(&mut self, n: &NodeSpec, s: &Scenario, kinds: &BTreeMap<&str, NodeKind>) {
        let p = Place::Node(n.id.clone());
        if let Some(k) = n.keys {
            if k > caps::KEYS {
                self.err(&p, Some("keys"), format!("{k} is above the limit of {}", caps::KEYS));
            }
        }
        if let Some(r) = n.poison_rate {
            self.fraction(&p, "poison_rate", r);
        }
        self.positive_ms(&p, "job_timeout_ms", n.job_timeout_ms);
        self.positive_ms(&p, "dedup_window_ms", n.dedup_window_ms);
        self.positive_ms(&p, "retention_ms", n.retention_ms);
        let fifo = n.fifo == Some(true);
        if n.dedup_window_ms.is_some() && !fifo && n.kind == NodeKind::Queue {
            self.warn(&p, Some("dedup_window_ms"), "only a FIFO queue deduplicates (set `fifo`)");
        }
        if fifo {
            if let Some(dlq) = &n.dead_letter {
                let dlq_fifo = s.node(dlq).is_some_and(|d| d.kind == NodeKind::Queue && d.fifo == Some(true));
                if !dlq_fifo && dlq != &n.id && s.node(dlq).is_some() {
                    self.err(
                        &p,
                        Some("dead_letter"),
                        format!("`{dlq}` is not a FIFO queue: a FIFO queue's dead-letter queue must be FIFO too (SQS)"),
                    );
                }
            }
        }
        if n.kind == NodeKind::Topic {
            let log = n.delivery == Some(Delivery::Log);
            match n.partitions {
                Some(0) => self.err(&p, Some("partitions"), "must be at least 1"),
                Some(x) if x > caps::PARTITIONS => {
                    self.err(&p, Some("partitions"), format!("{x} is above the limit of {}", caps::PARTITIONS))
                }
                Some(_) if !log => self.warn(&p, Some("partitions"), "only a log topic has partitions"),
                _ => {}
            }
            if n.retention_ms.is_some() && !log {
                self.warn(&p, Some("retention_ms"), "only a log topic deletes old messages");
            }
            if log && n.persistence.is_some() {
                self.warn(
                    &p,
                    Some("persistence"),
                    "a log topic keeps every message on disk (Kafka): no persistence to set",
                );
            }
        }
        if let Some(alt) = &n.alternate {
            match kinds.get(alt.as_str()) {
                None => self.err(&p, Some("alternate"), format!("no node `{alt}`")),
                Some(_) if *alt == n.id => self.err(&p, Some("alternate"), "an exchange cannot be its own alternate"),
                Some(NodeKind::Queue | NodeKind::Exchange) => {}
                Some(k) => {
                    self.err(&p, Some("alternate"), format!("`{alt}` is a {}, not a queue or an exchange", k.as_str()))
                }
            }
        }
        for (field, d) in [("online_ms", &n.online_ms), ("offline_ms", &n.offline_ms)] {
            if let Some(d) = d {
                self.dist(&p, field, d);
            }
        }
        if n.kind == NodeKind::Browser && n.online_ms.is_some() != n.offline_ms.is_some() {
            let (set, missing) =
                if n.online_ms.is_some() { ("online_ms", "offline_ms") } else { ("offline_ms", "online_ms") };
            self.warn(&p, Some(set), format!("does nothing without `{missing}`: users stay online"));
        }
    }

    fn broker_link(&mut self, l: &LinkSpec, s: &Scenario) {
        let p = Place::Link(l.id.clone());
        let to = s.node(&l.to);
        if let Some(keys) = &l.routing_keys {
            if l.via == Via::Publish && to.is_some_and(|n| n.kind != NodeKind::Exchange) {
                self.warn(&p, Some("routing_keys"), "only a publish into an exchange uses routing keys");
            }
            if keys.is_empty() {
                self.err(&p, Some("routing_keys"), "give at least one [routing key, weight] (or leave it out)");
            }
            if keys.len() > caps::ROUTING_KEYS {
                self.err(&p, Some("routing_keys"), format!("more than {} routing keys", caps::ROUTING_KEYS));
            }
            for (key, weight) in keys {
                if key.len() > caps::KEY_BYTES {
                    self.err(&p, Some("routing_keys"), format!("`{key}` is longer than {} bytes", caps::KEY_BYTES));
                }
                if !weight.is_finite() || *weight <= 0.0 || *weight > 1e9 {
                    self.err(&p, Some("routing_keys"), format!("the weight of `{key}` must be above 0 (got {weight})"));
                }
            }
        }
        if let Some(pattern) = &l.pattern {
            if let Some(why) = amqp::pattern_problem(pattern) {
                self.err(&p, Some("pattern"), why);
            }
            let exchange = s.node(&l.from).filter(|n| n.kind == NodeKind::Exchange);
            match exchange.map(|x| x.exchange_type.unwrap_or_default()) {
                Some(ExchangeType::Fanout) => {
                    self.warn(&p, Some("pattern"), "a fanout exchange ignores patterns: every binding gets a copy")
                }
                Some(ExchangeType::Topic)
                    if amqp::words(pattern).iter().any(|w| *w != "*" && *w != "#" && w.contains(['*', '#'])) =>
                {
                    self.warn(&p, Some("pattern"), "`*` and `#` are wildcards only as whole words");
                }
                _ => {}
            }
        }
        match l.prefetch {
            Some(0) => self.err(&p, Some("prefetch"), "must be at least 1"),
            Some(x) if x > caps::PREFETCH => {
                self.err(&p, Some("prefetch"), format!("{x} is above the limit of {} (AMQP)", caps::PREFETCH))
            }
            _ => {}
        }
        let log_fields = [
            ("group", l.group.is_some()),
            ("commit", l.commit.is_some()),
            ("commit_every_ms", l.commit_every_ms.is_some()),
            ("session_timeout_ms", l.session_timeout_ms.is_some()),
            ("rebalance_ms", l.rebalance_ms.is_some()),
        ];
        if l.via == Via::Subscribe && s.node(&l.from).is_some() && !is_log(s, &l.from) {
            for (field, set) in log_fields {
                if set {
                    self.err(
                        &p,
                        Some(field),
                        format!(
                            "only a subscription of a log topic has this; `{}` is not a log (delivery \"log\")",
                            l.from
                        ),
                    );
                }
            }
        }
        if let Some(g) = &l.group {
            if !group_is_valid(g) {
                self.err(&p, Some("group"), format!("`{g}` is not 1 to 64 of A-Z a-z 0-9 _ - ."));
            }
        }
        self.positive_ms(&p, "commit_every_ms", l.commit_every_ms);
        self.positive_ms(&p, "session_timeout_ms", l.session_timeout_ms);
        if let Some(r) = l.rebalance_ms {
            self.number(&p, "rebalance_ms", r, caps::ANY_MS);
        }
        if l.commit_every_ms.is_some() && l.commit.is_some_and(|c| c != CommitMode::Auto) {
            self.warn(&p, Some("commit_every_ms"), "only `auto` commits on a timer");
        }
        if let Some(r) = l.retention_ms {
            // WhatsApp's 30 days, longer than any run, may be written out.
            self.number(&p, "retention_ms", r, caps::STORE_RETENTION_MS);
            if r == 0.0 {
                self.err(&p, Some("retention_ms"), "must be above 0");
            }
        }
        if l.retention_ms.is_some() && l.store_and_forward != Some(true) {
            self.warn(&p, Some("retention_ms"), "only a store-and-forward push keeps messages");
        }
    }

    fn replay(&mut self, i: usize, f: &FaultSpec, s: &Scenario) {
        let p = Place::Fault(i);
        let Some(l) = s.link(&f.target) else {
            if s.node(&f.target).is_some() {
                self.err(
                    &p,
                    Some("kind"),
                    format!(
                        "`replay` rewinds a consumer group: target a `subscribe` link of a log topic, not node `{}`",
                        f.target
                    ),
                );
            }
            return;
        };
        if l.via != Via::Subscribe {
            self.err(
                &p,
                Some("target"),
                format!("`replay` needs a `subscribe` link of a log topic; `{}` is a `{}` link", l.id, l.via.as_str()),
            );
        } else if !is_log(s, &l.from) {
            self.err(
                &p,
                Some("target"),
                format!("`replay` needs a log topic; `{}` is not a log (delivery \"log\")", l.from),
            );
        }
    }
}
