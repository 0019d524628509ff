//! Validation: every reason a scenario cannot run, each naming the node, link
//! or field at fault, plus warnings for fields that do nothing where they are.
//!
//! The engine only ever sees scenarios that passed [`validate`]; the app shows
//! each problem next to the field it names.

use super::defaults::caps;
use super::dist::Dist;
use super::scenario::*;
use super::wiring;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

mod brokers;
mod regions;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Severity {
    Error,
    Warning,
}

/// What a problem is about.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Place {
    Scenario,
    Node(String),
    Link(String),
    /// A fault by its position in `faults`.
    Fault(usize),
    /// A scheduled change by its position in `changes`.
    Change(usize),
}

#[derive(Clone, Debug, PartialEq)]
pub struct Problem {
    pub severity: Severity,
    pub place: Place,
    /// The field at fault, when there is one (`workers`, `retry.attempts`).
    pub field: Option<String>,
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.place {
            Place::Scenario => {}
            Place::Node(id) => write!(f, "node `{id}`: ")?,
            Place::Link(id) => write!(f, "link `{id}`: ")?,
            Place::Fault(i) => write!(f, "fault #{}: ", i + 1)?,
            Place::Change(i) => write!(f, "change #{}: ", i + 1)?,
        }
        if let Some(field) = &self.field {
            write!(f, "{field}: ")?;
        }
        write!(f, "{}", self.message)
    }
}

/// Every problem of `s`, errors first. The scenario can run iff no error.
pub fn validate(s: &Scenario) -> Vec<Problem> {
    let mut v = Validator { out: Vec::new() };
    v.scenario(s);
    // Errors first, each group in the order found (a partition, not a
    // sort: the stable sort's code is large in the browser bundle).
    let (mut errors, warnings): (Vec<Problem>, Vec<Problem>) =
        v.out.into_iter().partition(|p| p.severity == Severity::Error);
    errors.extend(warnings);
    errors
}

/// The errors alone.
pub fn errors(s: &Scenario) -> Vec<Problem> {
    validate(s).into_iter().filter(|p| p.severity == Severity::Error).collect()
}

struct Validator {
    out: Vec<Problem>,
}

/// A node or link as a change left it.
enum Spec {
    Node(NodeSpec),
    Link(LinkSpec),
}

/// Fields each node kind uses; any other optional field set on it is a warning.
pub(crate) fn node_fields(kind: NodeKind) -> &'static [&'static str] {
    match kind {
        NodeKind::Client => &["rate_per_s", "arrival", "schedule", "keys", "poison_rate"],
        NodeKind::Service => &[
            "workers",
            "backlog",
            "work_ms",
            "error_rate",
            "idempotent",
            "job_timeout_ms",
            "replicas",
            "health_check_ms",
            "unhealthy_after",
            "health_timeout_ms",
        ],
        NodeKind::Saga => &["workers", "backlog", "work_ms", "error_rate"],
        NodeKind::Queue => &[
            "capacity",
            "max_deliveries",
            "dead_letter",
            "visibility_timeout_ms",
            "redelivery_delay_ms",
            "persistence",
            "snapshot_every_ms",
            "fifo",
            "dedup_window_ms",
        ],
        NodeKind::Topic => &["delivery", "persistence", "snapshot_every_ms", "partitions", "retention_ms"],
        NodeKind::Exchange => &["type", "alternate"],
        NodeKind::Websocket => &["reconnect_ms", "accept_per_s"],
        NodeKind::Browser => &["users", "reconnect_ms", "reconnect_jitter", "online_ms", "offline_ms"],
        NodeKind::Database => &["workers", "work_ms", "replicas", "replication_lag_ms"],
    }
}

fn set_node_fields(n: &NodeSpec) -> Vec<&'static str> {
    let mut f = Vec::new();
    let mut add = |name: &'static str, set: bool| {
        if set {
            f.push(name)
        }
    };
    add("rate_per_s", n.rate_per_s.is_some());
    add("arrival", n.arrival.is_some());
    add("schedule", n.schedule.is_some());
    add("workers", n.workers.is_some());
    add("backlog", n.backlog.is_some());
    add("work_ms", n.work_ms.is_some());
    add("error_rate", n.error_rate.is_some());
    add("idempotent", n.idempotent.is_some());
    add("capacity", n.capacity.is_some());
    add("max_deliveries", n.max_deliveries.is_some());
    add("dead_letter", n.dead_letter.is_some());
    add("visibility_timeout_ms", n.visibility_timeout_ms.is_some());
    add("redelivery_delay_ms", n.redelivery_delay_ms.is_some());
    add("persistence", n.persistence.is_some());
    add("snapshot_every_ms", n.snapshot_every_ms.is_some());
    add("delivery", n.delivery.is_some());
    add("reconnect_ms", n.reconnect_ms.is_some());
    add("users", n.users.is_some());
    add("keys", n.keys.is_some());
    add("poison_rate", n.poison_rate.is_some());
    add("job_timeout_ms", n.job_timeout_ms.is_some());
    add("fifo", n.fifo.is_some());
    add("dedup_window_ms", n.dedup_window_ms.is_some());
    add("partitions", n.partitions.is_some());
    add("retention_ms", n.retention_ms.is_some());
    add("type", n.exchange_type.is_some());
    add("alternate", n.alternate.is_some());
    add("online_ms", n.online_ms.is_some());
    add("offline_ms", n.offline_ms.is_some());
    add("reconnect_jitter", n.reconnect_jitter.is_some());
    add("accept_per_s", n.accept_per_s.is_some());
    add("replicas", n.replicas.is_some());
    add("health_check_ms", n.health_check_ms.is_some());
    add("unhealthy_after", n.unhealthy_after.is_some());
    add("health_timeout_ms", n.health_timeout_ms.is_some());
    add("replication_lag_ms", n.replication_lag_ms.is_some());
    f
}

/// The fields a link of `via` uses (the others are warned about); the
/// inspector shows them in this order.
pub fn link_fields(via: Via) -> &'static [&'static str] {
    match via {
        Via::Http => &[
            "latency_ms",
            "timeout_ms",
            "retry",
            "circuit_breaker",
            "optional",
            "balance",
            "connection",
            "pool",
            "count",
            "protocol",
            "request_kb",
            "response_kb",
            "bandwidth_mbps",
        ],
        Via::Grpc | Via::SagaStep => &[
            "latency_ms",
            "timeout_ms",
            "retry",
            "circuit_breaker",
            "optional",
            "balance",
            "connection",
            "pool",
            "count",
            "request_kb",
            "response_kb",
            "bandwidth_mbps",
        ],
        Via::RequestReply => &["latency_ms", "timeout_ms", "optional", "balance"],
        Via::Enqueue => &["latency_ms", "outbox", "optional", "count"],
        Via::Publish => &["latency_ms", "outbox", "optional", "routing_keys", "count"],
        Via::Poll => &["latency_ms", "interval_ms", "count"],
        Via::Consume => &["latency_ms", "prefetch", "redelivery_delay_ms"],
        Via::Subscribe => {
            &["latency_ms", "group", "commit", "commit_every_ms", "session_timeout_ms", "rebalance_ms", "balance"]
        }
        Via::Push => &["latency_ms", "store_and_forward", "retention_ms", "count"],
        Via::Bind => &["latency_ms", "pattern"],
        Via::Sse => &["latency_ms", "count"],
        Via::Write => &[
            "latency_ms",
            "timeout_ms",
            "retry",
            "circuit_breaker",
            "optional",
            "connection",
            "pool",
            "request_kb",
            "response_kb",
            "bandwidth_mbps",
            "count",
        ],
        Via::Read => &[
            "latency_ms",
            "timeout_ms",
            "retry",
            "circuit_breaker",
            "optional",
            "read_from",
            "connection",
            "pool",
            "request_kb",
            "response_kb",
            "bandwidth_mbps",
            "count",
        ],
    }
}

fn set_link_fields(l: &LinkSpec) -> Vec<&'static str> {
    [
        ("latency_ms", l.latency_ms.is_some()),
        ("timeout_ms", l.timeout_ms.is_some()),
        ("retry", l.retry.is_some()),
        ("circuit_breaker", l.circuit_breaker.is_some()),
        ("optional", l.optional.is_some()),
        ("outbox", l.outbox.is_some()),
        ("interval_ms", l.interval_ms.is_some()),
        ("count", l.count.is_some()),
        ("balance", l.balance.is_some()),
        ("connection", l.connection.is_some()),
        ("pool", l.pool.is_some()),
        ("protocol", l.protocol.is_some()),
        ("request_kb", l.request_kb.is_some()),
        ("response_kb", l.response_kb.is_some()),
        ("bandwidth_mbps", l.bandwidth_mbps.is_some()),
        ("routing_keys", l.routing_keys.is_some()),
        ("pattern", l.pattern.is_some()),
        ("prefetch", l.prefetch.is_some()),
        ("redelivery_delay_ms", l.redelivery_delay_ms.is_some()),
        ("group", l.group.is_some()),
        ("commit", l.commit.is_some()),
        ("commit_every_ms", l.commit_every_ms.is_some()),
        ("session_timeout_ms", l.session_timeout_ms.is_some()),
        ("rebalance_ms", l.rebalance_ms.is_some()),
        ("store_and_forward", l.store_and_forward.is_some()),
        ("retention_ms", l.retention_ms.is_some()),
        ("read_from", l.read_from.is_some()),
    ]
    .into_iter()
    .filter(|(_, set)| *set)
    .map(|(n, _)| n)
    .collect()
}

/// A number as a message shows it: 1e308 as `1e308`, not 309 digits.
fn shown(v: f64) -> String {
    if v != 0.0 && !(1e-6..1e15).contains(&v.abs()) {
        format!("{v:e}")
    } else {
        format!("{v}")
    }
}

/// Whether `id` is 1 to 64 of `A-Z a-z 0-9 _ -`.
pub fn id_is_valid(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= caps::ID_CHARS
        && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

impl Validator {
    fn push(&mut self, severity: Severity, place: &Place, field: Option<&str>, message: String) {
        self.out.push(Problem { severity, place: place.clone(), field: field.map(String::from), message });
    }

    fn err(&mut self, place: &Place, field: Option<&str>, message: impl Into<String>) {
        self.push(Severity::Error, place, field, message.into());
    }

    fn warn(&mut self, place: &Place, field: Option<&str>, message: impl Into<String>) {
        self.push(Severity::Warning, place, field, message.into());
    }

    /// A duration or amount: finite, not negative, at most `cap`.
    fn number(&mut self, place: &Place, field: &str, v: f64, cap: f64) {
        if !v.is_finite() {
            self.err(place, Some(field), "must be a finite number");
        } else if v < 0.0 {
            self.err(place, Some(field), format!("must not be negative (got {})", shown(v)));
        } else if v > cap {
            self.err(place, Some(field), format!("{} is above the limit of {cap}", shown(v)));
        }
    }

    fn fraction(&mut self, place: &Place, field: &str, v: f64) {
        if !(0.0..=1.0).contains(&v) {
            self.err(place, Some(field), format!("must be between 0 and 1 (got {v})"));
        }
    }

    fn dist(&mut self, place: &Place, field: &str, d: &Dist) {
        if let Some(p) = d.problem() {
            self.err(place, Some(field), p);
        } else if d.numbers().iter().any(|v| *v > caps::ANY_MS) {
            self.err(place, Some(field), format!("above the limit of {} ms", caps::ANY_MS));
        }
    }

    fn scenario(&mut self, s: &Scenario) {
        let top = Place::Scenario;
        if s.crosstalk != FORMAT_VERSION {
            self.err(&top, Some("crosstalk"), format!("format version {} is not {}", s.crosstalk, FORMAT_VERSION));
        }
        if s.name.chars().count() > caps::TEXT_CHARS {
            self.err(&top, Some("name"), format!("longer than {} characters", caps::TEXT_CHARS));
        }
        self.number(&top, "duration_ms", s.duration_ms, caps::DURATION_MS);
        if s.duration_ms.is_finite() && s.duration_ms <= 0.0 {
            self.err(&top, Some("duration_ms"), "must be above 0");
        }
        if s.nodes.len() > caps::NODES {
            self.err(&top, Some("nodes"), format!("{} nodes is above the limit of {}", s.nodes.len(), caps::NODES));
        }
        if s.links.len() > caps::LINKS {
            self.err(&top, Some("links"), format!("{} links is above the limit of {}", s.links.len(), caps::LINKS));
        }
        if s.faults.len() > caps::FAULTS {
            self.err(&top, Some("faults"), format!("{} faults is above the limit of {}", s.faults.len(), caps::FAULTS));
        }
        self.ids(s);
        let kinds = crate::engine::kernel::ordered::ordered(s.nodes.iter().map(|n| (n.id.as_str(), n.kind)));
        for n in &s.nodes {
            self.node(n, &kinds);
        }
        for l in &s.links {
            self.link(l, &kinds);
        }
        for (i, f) in s.faults.iter().enumerate() {
            self.fault(i, f, s);
        }
        self.brokers(s, &kinds);
        self.regions(s);
        self.reads(s);
        if s.changes.len() > caps::CHANGES {
            self.err(
                &top,
                Some("changes"),
                format!("{} changes is above the limit of {}", s.changes.len(), caps::CHANGES),
            );
        } else {
            self.changes(s);
        }
        self.cycles(s);
        self.polls(s);
    }

    /// A read from a replica of a database without replicas reads the
    /// primary (as Rails does when no replica is configured): a warning,
    /// so setting `read_from` before `replicas` loses nothing.
    fn reads(&mut self, s: &Scenario) {
        use super::database::{read_replicas, ReadFrom};
        for l in s.links.iter().filter(|l| l.via == Via::Read) {
            let Some(db) = s.node(&l.to).filter(|n| n.kind == NodeKind::Database) else { continue };
            let from = l.read_from.unwrap_or_default();
            if from != ReadFrom::Primary && read_replicas(db) == 0 {
                self.warn(
                    &Place::Link(l.id.clone()),
                    Some("read_from"),
                    format!(
                        "`{}` reads the primary: database `{}` has no read replicas (set its `replicas`)",
                        from.as_str(),
                        db.id
                    ),
                );
            }
        }
    }

    /// Polling is a client too: every user asks once per `interval_ms`, so
    /// its requests are held to the clients' rate cap (a million users
    /// polling every microsecond would be 10^12 requests a second).
    fn polls(&mut self, s: &Scenario) {
        for l in s.links.iter().filter(|l| l.via == Via::Poll) {
            let Some(browser) = s.node(&l.to).filter(|n| n.kind == NodeKind::Browser) else {
                continue;
            };
            let users = browser.users.unwrap_or(super::defaults::BROWSER_USERS) as f64;
            let interval_ms = l.interval_ms.unwrap_or(super::defaults::POLL_INTERVAL_MS);
            if !(interval_ms.is_finite() && interval_ms > 0.0) {
                continue; // Refused above.
            }
            let per_s = users * 1000.0 / interval_ms;
            if per_s > caps::RATE_PER_S {
                let fastest = users * 1000.0 / caps::RATE_PER_S;
                self.err(
                    &Place::Link(l.id.clone()),
                    Some("interval_ms"),
                    format!(
                        "{users} users of `{}` polling every {interval_ms} ms make {per_s:.0} polls/s, above the limit of {}/s (poll every {fastest} ms or more, or model fewer users)",
                        browser.id, caps::RATE_PER_S
                    ),
                );
            }
        }
    }

    /// Each change is checked like the field itself, against the values
    /// the earlier changes left (changes apply in time order).
    fn changes(&mut self, s: &Scenario) {
        if s.changes.is_empty() {
            return;
        }
        let mut now = s.clone();
        let kinds = crate::engine::kernel::ordered::ordered(s.nodes.iter().map(|n| (n.id.as_str(), n.kind)));
        for i in super::changes::in_time_order(s) {
            let c = &s.changes[i];
            let p = Place::Change(i);
            self.number(&p, "at_ms", c.at_ms, caps::ANY_MS);
            let mut inner = Validator { out: Vec::new() };
            let (what, applied) = if let Some(n) = now.node(&c.target) {
                let r = super::changes::apply_node(n, &c.field, &c.value);
                if let Ok(n) = &r {
                    inner.node(n, &kinds);
                }
                (format!("node `{}`", c.target), r.map(Spec::Node))
            } else if let Some(l) = now.link(&c.target) {
                let r = super::changes::apply_link(l, &c.field, &c.value);
                if let Ok(l) = &r {
                    inner.link(l, &kinds);
                }
                (format!("link `{}`", c.target), r.map(Spec::Link))
            } else {
                self.err(&p, Some("target"), format!("no node or link `{}`", c.target));
                continue;
            };
            let spec = match applied {
                Err(super::changes::ChangeError::Field(m)) => {
                    self.err(&p, Some("field"), format!("{what}: {m}"));
                    continue;
                }
                Err(super::changes::ChangeError::Value(m)) => {
                    self.err(&p, Some("value"), format!("{what} {m}"));
                    continue;
                }
                Ok(spec) => spec,
            };
            let nested = format!("{}.", c.field);
            let about = |f: &Option<String>| f.as_deref().is_some_and(|f| f == c.field || f.starts_with(&nested));
            let mut refused = false;
            for x in inner.out.into_iter().filter(|x| x.severity == Severity::Error && about(&x.field)) {
                let field = x.field.as_deref().unwrap_or(&c.field);
                self.err(&p, Some("value"), format!("{what} {field}: {}", x.message));
                refused = true;
            }
            if refused {
                continue;
            }
            match spec {
                Spec::Node(n) => {
                    if let Some(slot) = now.nodes.iter_mut().find(|x| x.id == n.id) {
                        *slot = n;
                    }
                }
                Spec::Link(l) => {
                    if let Some(slot) = now.links.iter_mut().find(|x| x.id == l.id) {
                        *slot = l;
                    }
                }
            }
        }
    }

    fn ids(&mut self, s: &Scenario) {
        let mut seen = BTreeSet::new();
        let ids = s.nodes.iter().map(|n| (n.id.as_str(), true)).chain(s.links.iter().map(|l| (l.id.as_str(), false)));
        for (id, is_node) in ids {
            let place = if is_node { Place::Node(id.to_string()) } else { Place::Link(id.to_string()) };
            if !id_is_valid(id) {
                self.err(&place, Some("id"), format!("`{id}` is not 1 to 64 of A-Z a-z 0-9 _ -"));
            } else if !seen.insert(id) {
                self.err(&place, Some("id"), format!("`{id}` is used twice (ids are unique across nodes and links)"));
            }
        }
    }

    fn node(&mut self, n: &NodeSpec, kinds: &BTreeMap<&str, NodeKind>) {
        let p = Place::Node(n.id.clone());
        if n.label.chars().count() > caps::TEXT_CHARS {
            self.err(&p, Some("label"), format!("longer than {} characters", caps::TEXT_CHARS));
        }
        if !n.x.is_finite() || !n.y.is_finite() {
            self.err(&p, Some("x"), "position must be finite");
        }
        let uses = node_fields(n.kind);
        for f in set_node_fields(n) {
            if !uses.contains(&f) {
                self.warn(&p, Some(f), format!("does nothing on a {}", n.kind.as_str()));
            }
        }
        if let Some(r) = n.rate_per_s {
            self.number(&p, "rate_per_s", r, caps::RATE_PER_S);
        }
        if let Some(steps) = &n.schedule {
            if steps.len() > caps::SCHEDULE_STEPS {
                self.err(&p, Some("schedule"), format!("more than {} steps", caps::SCHEDULE_STEPS));
            }
            for (at, rate) in steps {
                self.number(&p, "schedule", *at, caps::ANY_MS);
                self.number(&p, "schedule", *rate, caps::RATE_PER_S);
            }
        }
        if let Some(w) = n.workers {
            if w == 0 {
                self.err(&p, Some("workers"), "must be at least 1");
            } else if w > caps::WORKERS {
                self.err(&p, Some("workers"), format!("{w} is above the limit of {}", caps::WORKERS));
            }
        }
        if let Some(d) = &n.work_ms {
            self.dist(&p, "work_ms", d);
        }
        if let Some(e) = n.error_rate {
            self.fraction(&p, "error_rate", e);
        }
        if n.max_deliveries == Some(0) {
            self.err(&p, Some("max_deliveries"), "must be at least 1");
        } else if n.max_deliveries.is_some_and(|m| m > caps::MAX_DELIVERIES) {
            self.err(&p, Some("max_deliveries"), format!("above the limit of {}", caps::MAX_DELIVERIES));
        }
        if let Some(dlq) = &n.dead_letter {
            match kinds.get(dlq.as_str()) {
                None => self.err(&p, Some("dead_letter"), format!("no node `{dlq}`")),
                Some(_) if *dlq == n.id => {
                    self.err(&p, Some("dead_letter"), "a queue cannot be its own dead-letter queue")
                }
                Some(NodeKind::Queue | NodeKind::Exchange) => {}
                Some(k) => self.err(
                    &p,
                    Some("dead_letter"),
                    format!("`{dlq}` is a {}, not a queue or an exchange", k.as_str()),
                ),
            }
        }
        for (field, v) in [
            ("visibility_timeout_ms", n.visibility_timeout_ms),
            ("redelivery_delay_ms", n.redelivery_delay_ms),
            ("snapshot_every_ms", n.snapshot_every_ms),
            ("reconnect_ms", n.reconnect_ms),
        ] {
            if let Some(v) = v {
                self.number(&p, field, v, caps::ANY_MS);
            }
        }
        if n.snapshot_every_ms.is_some_and(|v| v <= 0.0) {
            self.err(&p, Some("snapshot_every_ms"), "must be above 0");
        }
        if n.visibility_timeout_ms.is_some_and(|v| v <= 0.0) {
            self.err(&p, Some("visibility_timeout_ms"), "must be above 0");
        }
        if let Some(u) = n.users {
            if u > caps::USERS {
                self.err(&p, Some("users"), format!("{u} is above the limit of {}", caps::USERS));
            }
        }
        self.scale_node(&p, n);
        if let Some(a) = n.accept_per_s {
            self.number(&p, "accept_per_s", a, caps::RATE_PER_S);
            if a < 1.0 {
                self.err(&p, Some("accept_per_s"), format!("must be at least 1 (got {a}); omit it for no limit"));
            }
        }
    }

    fn link(&mut self, l: &LinkSpec, kinds: &BTreeMap<&str, NodeKind>) {
        let p = Place::Link(l.id.clone());
        let from = kinds.get(l.from.as_str());
        let to = kinds.get(l.to.as_str());
        if from.is_none() {
            self.err(&p, Some("from"), format!("no node `{}`", l.from));
        }
        if to.is_none() {
            self.err(&p, Some("to"), format!("no node `{}`", l.to));
        }
        if let (Some(f), Some(t)) = (from, to) {
            if l.from == l.to {
                self.err(&p, None, format!("`{}` links to itself", l.from));
            } else if let Err(e) = wiring::check(l.via, (&l.from, *f), (&l.to, *t)) {
                self.err(&p, Some("via"), e);
            }
        }
        let uses = link_fields(l.via);
        for f in set_link_fields(l) {
            if !uses.contains(&f) {
                self.warn(&p, Some(f), format!("does nothing on a `{}` link", l.via.as_str()));
            }
        }
        if let Some(d) = &l.latency_ms {
            self.dist(&p, "latency_ms", d);
        }
        if let Some(t) = l.timeout_ms {
            self.number(&p, "timeout_ms", t, caps::ANY_MS);
            if t == 0.0 {
                self.err(&p, Some("timeout_ms"), "must be above 0 (omit it for no timeout)");
            }
        }
        if let Some(d) = l.redelivery_delay_ms {
            self.number(&p, "redelivery_delay_ms", d, caps::ANY_MS);
        }
        if let Some(i) = l.interval_ms {
            self.number(&p, "interval_ms", i, caps::ANY_MS);
            if i == 0.0 {
                self.err(&p, Some("interval_ms"), "must be above 0");
            }
        }
        if let Some(r) = &l.retry {
            self.retry(&p, r);
        }
        if let Some(why) = super::fanout::problem(l) {
            self.err(&p, Some("count"), why);
        }
        self.connection(&p, l);
        if let Some(b) = &l.circuit_breaker {
            self.breaker(&p, b);
        }
    }

    fn retry(&mut self, p: &Place, r: &RetrySpec) {
        if let Some(a) = r.attempts {
            if a == 0 {
                self.err(p, Some("retry.attempts"), "must be at least 1 (it counts the first try)");
            } else if a > caps::RETRY_ATTEMPTS {
                self.err(p, Some("retry.attempts"), format!("{a} is above the limit of {}", caps::RETRY_ATTEMPTS));
            }
        }
        for (field, v) in [("retry.base_ms", r.base_ms), ("retry.max_ms", r.max_ms)] {
            if let Some(v) = v {
                self.number(p, field, v, caps::ANY_MS);
            }
        }
        if let Some(m) = r.multiplier {
            if !m.is_finite() || !(1.0..=100.0).contains(&m) {
                self.err(p, Some("retry.multiplier"), format!("must be between 1 and 100 (got {m})"));
            }
        }
    }

    fn breaker(&mut self, p: &Place, b: &BreakerSpec) {
        if let Some(r) = b.failure_rate {
            if !(r > 0.0 && r <= 1.0) {
                self.err(p, Some("circuit_breaker.failure_rate"), format!("must be above 0 and at most 1 (got {r})"));
            }
        }
        for (field, v) in [
            ("circuit_breaker.window", b.window),
            ("circuit_breaker.min_calls", b.min_calls),
            ("circuit_breaker.half_open_calls", b.half_open_calls),
        ] {
            match v {
                Some(0) => self.err(p, Some(field), "must be at least 1"),
                Some(n) if n > caps::BREAKER_WINDOW => {
                    self.err(p, Some(field), format!("{n} is above the limit of {}", caps::BREAKER_WINDOW))
                }
                _ => {}
            }
        }
        if let Some(o) = b.open_ms {
            self.number(p, "circuit_breaker.open_ms", o, caps::ANY_MS);
        }
        self.breaker_window(p, b);
    }

    /// The window's fields must fit its type (count- or time-based).
    fn breaker_window(&mut self, p: &Place, b: &BreakerSpec) {
        let time = b.window_type == Some(WindowType::Time);
        if let Some(w) = b.window_ms {
            self.number(p, "circuit_breaker.window_ms", w, caps::ANY_MS);
            if w == 0.0 {
                self.err(p, Some("circuit_breaker.window_ms"), "must be above 0");
            }
        }
        match b.min_failures {
            Some(0) => self.err(p, Some("circuit_breaker.min_failures"), "must be at least 1"),
            Some(n) if n > caps::BREAKER_WINDOW => self.err(
                p,
                Some("circuit_breaker.min_failures"),
                format!("{n} is above the limit of {}", caps::BREAKER_WINDOW),
            ),
            _ => {}
        }
        let only = |field: &str, set: bool, for_time: bool| (set && for_time != time).then(|| field.to_string());
        for field in [
            only("circuit_breaker.window_ms", b.window_ms.is_some(), true),
            only("circuit_breaker.min_failures", b.min_failures.is_some(), true),
            only("circuit_breaker.window", b.window.is_some(), false),
        ]
        .into_iter()
        .flatten()
        {
            let why = if time {
                "does nothing with `window_type: \"time\"` (the window is `window_ms`)"
            } else {
                "does nothing unless `window_type` is \"time\""
            };
            self.warn(p, Some(&field), why);
        }
    }

    /// Connections and payloads of a call link.
    fn connection(&mut self, p: &Place, l: &LinkSpec) {
        match l.pool {
            Some(0) => self.err(p, Some("pool"), "must be at least 1 (omit it for no limit)"),
            Some(n) if n > caps::POOL => self.err(p, Some("pool"), format!("{n} is above the limit of {}", caps::POOL)),
            _ => {}
        }
        for (field, v) in [("request_kb", l.request_kb), ("response_kb", l.response_kb)] {
            if let Some(v) = v {
                self.number(p, field, v, caps::PAYLOAD_KB);
            }
        }
        if let Some(b) = l.bandwidth_mbps {
            self.number(p, "bandwidth_mbps", b, caps::BANDWIDTH_MBPS);
            if b == 0.0 {
                self.err(p, Some("bandwidth_mbps"), "must be above 0 (omit it for unlimited)");
            } else if b > 0.0 && b < 0.001 {
                self.err(p, Some("bandwidth_mbps"), format!("must be at least 0.001 (1 kbit/s; got {b})"));
            }
        }
    }

    /// Replicas and health checks of a service.
    fn scale_node(&mut self, p: &Place, n: &NodeSpec) {
        if let Some(lag) = &n.replication_lag_ms {
            self.dist(p, "replication_lag_ms", lag);
        }
        match n.replicas {
            Some(0) if n.kind == NodeKind::Database => {}
            Some(0) => self.err(p, Some("replicas"), "must be at least 1"),
            Some(r) if r > caps::REPLICAS => {
                self.err(p, Some("replicas"), format!("{r} is above the limit of {}", caps::REPLICAS))
            }
            _ => {}
        }
        if let Some(h) = n.health_check_ms {
            self.number(p, "health_check_ms", h, caps::ANY_MS);
            if h > 0.0 && h < 1.0 {
                self.err(p, Some("health_check_ms"), format!("must be 0 (no checks) or at least 1 ms (got {h})"));
            }
        }
        if let Some(t) = n.health_timeout_ms {
            self.number(p, "health_timeout_ms", t, caps::ANY_MS);
            if t < 1.0 {
                self.err(p, Some("health_timeout_ms"), format!("must be at least 1 ms (got {t})"));
            }
        }
        match n.unhealthy_after {
            Some(0) => self.err(p, Some("unhealthy_after"), "must be at least 1"),
            Some(u) if u > caps::RETRY_ATTEMPTS * 50 => {
                self.err(p, Some("unhealthy_after"), format!("{u} is above the limit of {}", caps::RETRY_ATTEMPTS * 50))
            }
            _ => {}
        }
    }

    fn fault(&mut self, i: usize, f: &FaultSpec, s: &Scenario) {
        let p = Place::Fault(i);
        if self.region_fault(i, f, s) {
            self.fault_fields(&p, f);
            return;
        }
        let replica = super::scale::split_replica(&f.target).is_some();
        if let Some(why) = super::scale::replica_target_problem(s, &f.target) {
            self.err(&p, Some("target"), why);
        } else if replica && f.kind == FaultKind::Partition {
            self.err(&p, Some("kind"), "`partition` applies to links or whole nodes, not to one replica");
        }
        let is_node = replica || s.node(&f.target).is_some();
        let is_link = s.link(&f.target).is_some();
        if !is_node && !is_link {
            self.err(&p, Some("target"), format!("no node or link `{}`", f.target));
        } else if is_link && matches!(f.kind, FaultKind::Crash | FaultKind::Errors) {
            self.err(&p, Some("kind"), format!("`{}` applies to nodes; `{}` is a link", f.kind.as_str(), f.target));
        }
        // `replay` is checked with the brokers (it needs a log subscription).
        self.fault_fields(&p, f);
    }

    /// A fault's times, factor and rate, whatever its target.
    fn fault_fields(&mut self, p: &Place, f: &FaultSpec) {
        let p = p.clone();
        self.number(&p, "at_ms", f.at_ms, caps::ANY_MS);
        if let Some(d) = f.for_ms {
            self.number(&p, "for_ms", d, caps::ANY_MS);
        }
        match f.kind {
            FaultKind::Slow => match f.factor {
                None => self.err(&p, Some("factor"), "a `slow` fault needs a factor (e.g. 5)"),
                Some(x) if !x.is_finite() || x <= 0.0 || x > caps::SLOW_FACTOR => {
                    self.err(&p, Some("factor"), format!("must be above 0 and at most {} (got {x})", caps::SLOW_FACTOR))
                }
                _ => {}
            },
            FaultKind::Errors => match f.rate {
                None => self.err(&p, Some("rate"), "an `errors` fault needs a rate between 0 and 1"),
                Some(r) => self.fraction(&p, "rate", r),
            },
            FaultKind::Crash | FaultKind::Partition | FaultKind::Replay => {}
        }
        if f.factor.is_some() && f.kind != FaultKind::Slow {
            self.warn(&p, Some("factor"), "only a `slow` fault uses a factor");
        }
        if f.rate.is_some() && f.kind != FaultKind::Errors {
            self.warn(&p, Some("rate"), "only an `errors` fault uses a rate");
        }
    }

    /// Work that flows in a circle never ends: a request that calls itself
    /// back, or a message that comes back to the queue it left, multiplies
    /// until memory runs out. Refuse such cycles and name them. Dead letters
    /// flow too: two queues that dead-letter into each other bounce a
    /// poison message forever (with instant, failing consumers, at one
    /// instant of simulated time).
    fn cycles(&mut self, s: &Scenario) {
        // Edges: (to, true for a dead-letter edge).
        let mut out: BTreeMap<&str, Vec<(&str, bool)>> = BTreeMap::new();
        for l in &s.links {
            if l.via != Via::Poll {
                out.entry(l.from.as_str()).or_default().push((l.to.as_str(), false));
            }
        }
        for n in s.nodes.iter().filter(|n| n.kind == NodeKind::Queue) {
            if let Some(dlq) = n.dead_letter.as_deref() {
                out.entry(n.id.as_str()).or_default().push((dlq, true));
            }
        }
        // Iterative DFS with colours; reports the first cycle found.
        let mut colour: BTreeMap<&str, u8> = BTreeMap::new();
        for start in s.nodes.iter().map(|n| n.id.as_str()) {
            if colour.get(start).copied().unwrap_or(0) != 0 {
                continue;
            }
            let mut stack: Vec<(&str, usize)> = vec![(start, 0)];
            let mut path: Vec<&str> = vec![start];
            // Whether the hop into each node of `path` is a dead letter.
            let mut path_dlq: Vec<bool> = vec![false];
            colour.insert(start, 1);
            while let Some((node, next)) = stack.last_mut() {
                let edges = out.get(*node).map(|v| v.as_slice()).unwrap_or(&[]);
                if let Some(&(to, dead_letters)) = edges.get(*next) {
                    *next += 1;
                    match colour.get(to).copied().unwrap_or(0) {
                        0 => {
                            colour.insert(to, 1);
                            stack.push((to, 0));
                            path.push(to);
                            path_dlq.push(dead_letters);
                        }
                        1 => {
                            let at = path.iter().position(|n| *n == to).unwrap_or(0);
                            let mut names: Vec<&str> = path[at..].to_vec();
                            names.push(to);
                            // Which hops are dead letters, to say so.
                            let mut dlq: Vec<bool> = path_dlq[at + 1..].to_vec();
                            dlq.push(dead_letters);
                            let notes: Vec<String> = names
                                .windows(2)
                                .zip(dlq)
                                .filter(|(_, d)| *d)
                                .map(|(w, _)| format!("`{}` dead-letters into `{}`", w[0], w[1]))
                                .collect();
                            let why = if notes.is_empty() { String::new() } else { format!(" ({})", notes.join(", ")) };
                            self.err(
                                &Place::Scenario,
                                Some("links"),
                                format!("work would loop forever: {}{why}", names.join(" → ")),
                            );
                            return;
                        }
                        _ => {}
                    }
                } else {
                    colour.insert(node, 2);
                    stack.pop();
                    path.pop();
                    path_dlq.pop();
                }
            }
        }
    }
}
