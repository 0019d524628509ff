//! The inspector's fields: which settings each node kind, link kind and
//! fault has, with their units, documented defaults and one line of help,
//! and how a field's text is read into the document.
//!
//! Setting a field is all or nothing: the text is parsed, put into a copy of
//! the document, and the copy is validated; if the validator names this
//! field, the edit is refused with its message and the document (and so
//! the engine) never sees the bad value.

use super::doc;
use super::parse::{self, fmt_num};
use crate::engine::format::database::ReadFrom;
use crate::engine::format::defaults as d;
use crate::engine::format::scale::{Balance, Connection, Protocol};
use crate::engine::format::validate::Place;
use crate::engine::format::{
    Arrival, BreakerSpec, CommitMode, Delivery, ExchangeType, FaultKind, Jitter, LinkSpec, NodeKind, NodeSpec,
    Persistence, RetrySpec, Scenario, Via, WindowType,
};

/// How a field is edited.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Input {
    /// Free text (names, labels, ids).
    Text,
    /// A number that is not negative (rates, factors).
    Number,
    /// A duration: typed and shown with a unit ("250 ms", "20 s"), stored in
    /// milliseconds.
    Duration,
    /// A whole number.
    Integer,
    /// Between 0 and 1.
    Fraction,
    /// A distribution of durations.
    Dist,
    /// One of a fixed list.
    Choice(&'static [&'static str]),
    /// A checkbox.
    Bool,
    /// A queue (or an exchange) of this scenario, or none.
    Queue,
    /// A rate schedule, "time: rate, ...".
    Schedule,
    /// Weighted routing keys, "key:weight, ...".
    RoutingKeys,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Field {
    /// The key in the format (`workers`, `retry.attempts`).
    pub key: &'static str,
    pub label: &'static str,
    /// Shown after the input ("ms", "/s").
    pub unit: &'static str,
    pub input: Input,
    /// What an empty field means, as shown next to it.
    pub default: String,
    pub help: &'static str,
}

fn field(
    key: &'static str,
    label: &'static str,
    unit: &'static str,
    input: Input,
    default: impl Into<String>,
    help: &'static str,
) -> Field {
    Field { key, label, unit, input, default: default.into(), help }
}

const ARRIVALS: &[&str] = &["poisson", "uniform"];
const PERSISTENCE: &[&str] = &["memory", "aof_always", "aof_everysec", "snapshot"];
const DELIVERY: &[&str] = &["at_most_once", "durable", "log"];
const EXCHANGE_TYPES: &[&str] = &["direct", "topic", "fanout"];
const COMMIT: &[&str] = &["auto", "after_processing", "before_processing"];
const JITTER: &[&str] = &["none", "full", "equal", "decorrelated"];
const WINDOW_TYPES: &[&str] = &["count", "time"];

fn ms(v: f64) -> String {
    parse::duration_text(v)
}

fn workers() -> Field {
    field(
        "workers",
        "Workers",
        "",
        Input::Integer,
        d::SERVICE_WORKERS.to_string(),
        "Requests handled at once; a synchronous call holds its worker until it returns.",
    )
}

fn backlog() -> Field {
    field(
        "backlog",
        "Backlog",
        "requests",
        Input::Integer,
        "unbounded",
        "Requests that may wait for a worker; past it they are rejected.",
    )
}

fn error_rate() -> Field {
    field("error_rate", "Error rate", "0–1", Input::Fraction, "0", "Share of requests that fail (0.1 or 10%).")
}

fn persistence(help: &'static str) -> [Field; 2] {
    [
        field("persistence", "Persistence", "", Input::Choice(PERSISTENCE), "memory", help),
        field(
            "snapshot_every_ms",
            "Snapshot every",
            "",
            Input::Duration,
            ms(d::SNAPSHOT_EVERY_MS),
            "With snapshot persistence: how often a snapshot is taken (Redis RDB).",
        ),
    ]
}

/// The settings of a node of `kind`, in the order the inspector shows them.
pub fn node_fields(kind: NodeKind) -> Vec<Field> {
    let mut v = kind_fields(kind);
    v.extend(broker_node_fields(kind));
    v
}

fn kind_fields(kind: NodeKind) -> Vec<Field> {
    match kind {
        NodeKind::Client => vec![
            field(
                "rate_per_s",
                "Rate",
                "/s",
                Input::Number,
                fmt_num(d::CLIENT_RATE_PER_S),
                "Requests per second the users send.",
            ),
            field(
                "arrival",
                "Arrival",
                "",
                Input::Choice(ARRIVALS),
                "poisson",
                "poisson: random gaps, like real users; uniform: evenly spaced.",
            ),
            field(
                "schedule",
                "Schedule",
                "",
                Input::Schedule,
                "steady",
                "Rate changes over time: 20s: 200/s means 200/s from 20 s on.",
            ),
        ],
        // The fields a lesson asks for first (workers, work, errors); the
        // rest after them.
        NodeKind::Service => vec![
            workers(),
            field(
                "work_ms",
                "Work time",
                "",
                Input::Dist,
                ms(d::SERVICE_WORK_MS),
                "How long one request keeps a worker busy.",
            ),
            error_rate(),
            backlog(),
            field(
                "idempotent",
                "Idempotent",
                "",
                Input::Bool,
                "no",
                "Recognises a redelivered id and skips the side effect.",
            ),
            field(
                "replicas",
                "Replicas",
                "",
                Input::Integer,
                "1",
                "Copies behind a load balancer, each with these workers and backlog; crash one as id#2.",
            ),
            field(
                "health_check_ms",
                "Health check every",
                "",
                Input::Duration,
                ms(d::HEALTH_CHECK_MS),
                "How often the balancer probes each replica (Kubernetes: 10 s); 0 = never.",
            ),
            field(
                "unhealthy_after",
                "Unhealthy after",
                "failed checks",
                Input::Integer,
                d::UNHEALTHY_AFTER.to_string(),
                "Failed probes in a row before a replica stops getting traffic (Kubernetes: 3).",
            ),
            field(
                "health_timeout_ms",
                "Probe timeout",
                "",
                Input::Duration,
                ms(d::HEALTH_TIMEOUT_MS),
                "A probe not answered this fast fails: a crashed, saturated or slowed replica (Kubernetes: 1 s).",
            ),
        ],
        NodeKind::Saga => vec![
            workers(),
            field(
                "work_ms",
                "Work time",
                "",
                Input::Dist,
                ms(d::SAGA_WORK_MS),
                "The orchestrator's own work per saga.",
            ),
            error_rate(),
            backlog(),
        ],
        NodeKind::Queue => {
            let mut v = vec![
                field(
                    "capacity",
                    "Capacity",
                    "messages",
                    Input::Integer,
                    "unbounded",
                    "A full queue rejects new messages.",
                ),
                field(
                    "max_deliveries",
                    "Max deliveries",
                    "",
                    Input::Integer,
                    d::QUEUE_MAX_DELIVERIES.to_string(),
                    "Attempts before a message is dead-lettered or dropped.",
                ),
                field(
                    "dead_letter",
                    "Dead-letter queue",
                    "",
                    Input::Queue,
                    "none: dropped",
                    "Where messages go after their last failed delivery.",
                ),
                field(
                    "visibility_timeout_ms",
                    "Visibility timeout",
                    "",
                    Input::Duration,
                    "none",
                    "An unacknowledged delivery comes back after this long (SQS).",
                ),
                field(
                    "redelivery_delay_ms",
                    "Redelivery delay",
                    "",
                    Input::Duration,
                    ms(d::QUEUE_REDELIVERY_DELAY_MS),
                    "Wait before a nacked message is offered again.",
                ),
            ];
            v.extend(persistence(
                "What survives a crash: memory loses all, AOF logs writes, snapshots lose recent ones.",
            ));
            v
        }
        NodeKind::Topic => {
            let mut v = vec![field(
                "delivery",
                "Delivery",
                "",
                Input::Choice(DELIVERY),
                "at_most_once",
                "at_most_once: a subscriber down at publish time misses it (Redis Pub/Sub); durable: it catches up.",
            )];
            v.extend(persistence("With durable delivery: what the backlog survives a crash with."));
            v
        }
        NodeKind::Exchange => Vec::new(),
        NodeKind::Websocket => vec![
            field(
                "reconnect_ms",
                "Reconnect after",
                "",
                Input::Duration,
                ms(d::WEBSOCKET_RECONNECT_MS),
                "Browsers reconnect this long (jittered) after the server drops them.",
            ),
            field(
                "accept_per_s",
                "Accepts",
                "/s",
                Input::Number,
                "no limit",
                "New connections it takes per second; the rest are refused and retry later.",
            ),
        ],
        NodeKind::Database => vec![
            field(
                "workers",
                "Connections",
                "",
                Input::Integer,
                d::DATABASE_WORKERS.to_string(),
                "Queries run at once, on the primary and on each replica; the rest wait (HikariCP's pool: 10).",
            ),
            field(
                "work_ms",
                "Query time",
                "",
                Input::Dist,
                ms(d::DATABASE_WORK_MS),
                "How long one read or write keeps a connection busy.",
            ),
            field(
                "replicas",
                "Read replicas",
                "",
                Input::Integer,
                d::DATABASE_REPLICAS.to_string(),
                "Copies fed by asynchronous replication, read by read_from: replica; crash one as id#2.",
            ),
            field(
                "replication_lag_ms",
                "Replication lag",
                "",
                Input::Dist,
                ms(d::REPLICATION_LAG_MS),
                "How long a committed write takes to reach each replica, applied in commit order.",
            ),
        ],
        NodeKind::Browser => vec![
            field(
                "users",
                "Users",
                "",
                Input::Integer,
                d::BROWSER_USERS.to_string(),
                "People with the page open, each connected to one server.",
            ),
            field(
                "reconnect_jitter",
                "Jittered reconnects",
                "",
                Input::Bool,
                "yes",
                "Spread reconnects at random; without, dropped users all return at once.",
            ),
        ],
    }
}

/// The broker settings (issue 8) of a node of `kind`.
fn broker_node_fields(kind: NodeKind) -> Vec<Field> {
    match kind {
        NodeKind::Client => vec![
            field(
                "keys",
                "Keys",
                "",
                Input::Integer,
                "0: none",
                "Each request carries a key k0..k(n-1) and a per-key sequence number, so order per key can be checked.",
            ),
            field(
                "poison_rate",
                "Poison share",
                "0–1",
                Input::Fraction,
                "0",
                "Share of requests whose work never ends where it runs (a while(true) submission) until a job timeout.",
            ),
        ],
        NodeKind::Service => vec![field(
            "job_timeout_ms",
            "Job timeout",
            "",
            Input::Duration,
            "none",
            "Work running longer is killed as a failure; a poison request's work ends only this way.",
        )],
        NodeKind::Queue => vec![
            field(
                "fifo",
                "FIFO",
                "",
                Input::Bool,
                "no",
                "SQS FIFO: in order per key, one message in flight per key; a failing message blocks its key.",
            ),
            field(
                "dedup_window_ms",
                "Dedup window",
                "",
                Input::Duration,
                ms(d::DEDUP_WINDOW_MS),
                "FIFO: a resend of the same message within this window is accepted but not enqueued (SQS).",
            ),
        ],
        NodeKind::Topic => vec![
            field(
                "partitions",
                "Partitions",
                "",
                Input::Integer,
                d::LOG_PARTITIONS.to_string(),
                "Log (Kafka): a keyed message goes to murmur2(key) mod partitions; one reader per partition per group.",
            ),
            field(
                "retention_ms",
                "Retention",
                "",
                Input::Duration,
                "unbounded",
                "Log: messages older than this are deleted, read or not; unread ones end expired.",
            ),
        ],
        NodeKind::Exchange => vec![
            field(
                "type",
                "Type",
                "",
                Input::Choice(EXCHANGE_TYPES),
                "topic",
                "direct: the key equals the pattern; topic: * is one word, # any; fanout: every binding.",
            ),
            field(
                "alternate",
                "Alternate",
                "",
                Input::Queue,
                "none: dropped",
                "Where a message no binding matches goes (RabbitMQ alternate exchange); else it is unroutable.",
            ),
        ],
        NodeKind::Browser => vec![
            field(
                "online_ms",
                "Online for",
                "",
                Input::Dist,
                "always",
                "How long each user stays connected before going offline (set with Offline for).",
            ),
            field(
                "offline_ms",
                "Offline for",
                "",
                Input::Dist,
                "never",
                "How long a user stays offline before coming back; pushes meanwhile are lost or stored.",
            ),
        ],
        NodeKind::Saga | NodeKind::Websocket | NodeKind::Database => Vec::new(),
    }
}

/// What decides which settings a node shows besides its kind: bit 0 a log
/// topic, bit 1 a FIFO queue (the inspector redraws when it changes).
pub fn node_variant(n: &NodeSpec) -> u8 {
    u8::from(n.delivery == Some(Delivery::Log)) | u8::from(n.fifo == Some(true)) << 1
}

/// The settings of node `n` as the inspector shows them: a log topic's
/// partitions only on a log, a FIFO queue's window only when FIFO.
pub fn node_fields_of(n: &NodeSpec) -> Vec<Field> {
    node_fields_for(n.kind, node_variant(n))
}

/// The same from the node's kind and [`node_variant`].
pub fn node_fields_for(kind: NodeKind, variant: u8) -> Vec<Field> {
    let (log, fifo) = (variant & 1 != 0, variant & 2 != 0);
    node_fields(kind)
        .into_iter()
        .filter(|f| match f.key {
            "partitions" | "retention_ms" => log,
            "persistence" | "snapshot_every_ms" if kind == NodeKind::Topic => !log,
            "dedup_window_ms" => fifo,
            _ => true,
        })
        .collect()
}

/// The fields a link of `via` uses (the validator warns about the others).
pub fn link_uses(via: Via) -> &'static [&'static str] {
    crate::engine::format::validate::link_fields(via)
}

fn latency_default(via: Via) -> f64 {
    match via {
        Via::Http => d::HTTP_LATENCY_MS,
        Via::Grpc => d::GRPC_LATENCY_MS,
        Via::Write | Via::Read => d::DATABASE_LATENCY_MS,
        _ => d::LINK_LATENCY_MS,
    }
}

/// The settings of a link, in the order the inspector shows them: the
/// ones a lesson reaches for first (latency, timeout, retry, breaker), then
/// the rest, then the retry's and the breaker's own settings, which appear
/// only once the retry or breaker is switched on (their keys have a dot).
pub fn link_fields(via: Via, retry_on: bool, breaker_on: bool) -> Vec<Field> {
    let uses = link_uses(via);
    let mut v =
        vec![field("latency_ms", "Latency", "", Input::Dist, ms(latency_default(via)), "Network time, each way.")];
    if uses.contains(&"timeout_ms") {
        let default = if via == Via::RequestReply { ms(d::REQUEST_REPLY_TIMEOUT_MS) } else { "none".into() };
        v.push(field(
            "timeout_ms",
            "Timeout",
            "",
            Input::Duration,
            default,
            "The caller gives up after this long; the callee keeps working.",
        ));
    }
    if uses.contains(&"interval_ms") {
        v.push(field(
            "interval_ms",
            "Poll every",
            "",
            Input::Duration,
            ms(d::POLL_INTERVAL_MS),
            "How often the browser asks.",
        ));
    }
    if uses.contains(&"retry") {
        v.push(field(
            "retry",
            "Retry",
            "",
            Input::Bool,
            "no",
            "Try again after a failure or timeout, with exponential backoff.",
        ));
    }
    if uses.contains(&"circuit_breaker") {
        v.push(field(
            "circuit_breaker",
            "Circuit breaker",
            "",
            Input::Bool,
            "no",
            "Fails fast while the callee keeps failing (resilience4j).",
        ));
    }
    if uses.contains(&"optional") {
        v.push(field(
            "optional",
            "Optional",
            "",
            Input::Bool,
            "no",
            "A failure here degrades the request instead of failing it.",
        ));
    }
    if uses.contains(&"outbox") {
        v.push(field(
            "outbox",
            "Outbox",
            "",
            Input::Bool,
            "no",
            "Written in the sender's transaction and relayed: never lost on a crash, maybe sent twice.",
        ));
    }
    if uses.contains(&"count") {
        v.push(field(
            "count",
            "Count (fan-out)",
            "",
            Input::Text,
            "1",
            "Calls or messages per request: a number or a distribution (exp 5, uniform 1 10, zipf 1000000 1.5 for followers). Calls run in parallel; the request waits for all and fails if any fails after its retries.",
        ));
    }
    if uses.contains(&"balance") {
        v.push(field(
            "balance",
            "Load balancing",
            "",
            Input::Choice(Balance::NAMES),
            "round_robin",
            "Into a service with replicas: which replica takes each call (p2c: the less busy of two at random).",
        ));
    }
    if uses.contains(&"read_from") {
        v.push(field(
            "read_from",
            "Read from",
            "",
            Input::Choice(ReadFrom::NAMES),
            "primary",
            "primary: always fresh; replica: may be stale; primary_after_write: your own writes from the primary until replicated.",
        ));
    }
    if uses.contains(&"connection") {
        v.extend(connection_fields(via, uses.contains(&"protocol")));
    }
    v.extend(broker_link_fields(uses));
    if retry_on && uses.contains(&"retry") {
        v.extend(retry_fields());
    }
    if breaker_on && uses.contains(&"circuit_breaker") {
        v.extend(breaker_fields());
    }
    v
}

/// A call link's connection, pool and payload settings.
fn connection_fields(via: Via, protocol: bool) -> Vec<Field> {
    let (req, resp) = crate::engine::format::scale::payload_defaults(via, None);
    let mut v = Vec::new();
    if protocol {
        v.push(field(
            "protocol",
            "Protocol",
            "",
            Input::Choice(Protocol::NAMES),
            "rest",
            "API style: sets the payload sizes (REST JSON, GraphQL query + only the fields asked for, SOAP XML).",
        ));
    }
    v.extend([
        field(
            "connection",
            "Connection",
            "",
            Input::Choice(Connection::NAMES),
            "keep_alive",
            "per_request opens TCP + TLS 1.3 for every call: two extra round trips.",
        ),
        field(
            "pool",
            "Pool",
            "calls",
            Input::Integer,
            "no limit",
            "Calls in flight at once on this link; the rest wait, and the wait counts against the timeout.",
        ),
        field(
            "request_kb",
            "Request size",
            "kB",
            Input::Number,
            fmt_num(req),
            "Bytes each call carries, headers included (default by protocol).",
        ),
        field(
            "response_kb",
            "Response size",
            "kB",
            Input::Number,
            fmt_num(resp),
            "Bytes each answer carries, headers included (default by protocol).",
        ),
        field(
            "bandwidth_mbps",
            "Bandwidth",
            "Mbit/s",
            Input::Number,
            "unlimited",
            "Each way; sizes take time only with a bandwidth, and more than it queues.",
        ),
    ]);
    v
}

/// The broker settings of a link (issue 8) among `uses`.
fn broker_link_fields(uses: &[&str]) -> Vec<Field> {
    let all = [
        field(
            "routing_keys",
            "Routing keys",
            "key:weight",
            Input::RoutingKeys,
            "the empty key",
            "Into an exchange: each message takes one key by weight, e.g. order.created.eu:3, order.paid:1.",
        ),
        field(
            "pattern",
            "Pattern",
            "",
            Input::Text,
            d::BIND_PATTERN,
            "Binding key: * is exactly one word, # zero or more (AMQP); \"\" binds the empty key.",
        ),
        field(
            "prefetch",
            "Prefetch",
            "messages",
            Input::Integer,
            "the consumer's workers",
            "Deliveries the consumer may hold unacknowledged; a crashed consumer's come back (RabbitMQ basic.qos).",
        ),
        field(
            "redelivery_delay_ms",
            "Redelivery delay",
            "",
            Input::Duration,
            "the queue's",
            "Wait before a message this consumer nacked is offered again (overrides the queue's).",
        ),
        field(
            "group",
            "Consumer group",
            "",
            Input::Text,
            "this link's id",
            "Subscriptions with one group share the partitions; every group reads every message (Kafka).",
        ),
        field(
            "commit",
            "Commit",
            "",
            Input::Choice(COMMIT),
            "auto",
            "auto: on a timer (a crash replays since the last commit); after: at least once; before: at most once.",
        ),
        field(
            "commit_every_ms",
            "Interval",
            "",
            Input::Duration,
            ms(d::COMMIT_EVERY_MS),
            "With auto commit: how often offsets are committed (Kafka auto.commit.interval.ms).",
        ),
        field(
            "session_timeout_ms",
            "Session timeout",
            "",
            Input::Duration,
            ms(d::SESSION_TIMEOUT_MS),
            "A crashed member keeps its partitions this long before they move (Kafka session.timeout.ms).",
        ),
        field(
            "rebalance_ms",
            "Rebalance pause",
            "",
            Input::Duration,
            ms(d::REBALANCE_MS),
            "An eager rebalance stops the whole group this long.",
        ),
        field(
            "store_and_forward",
            "Store and forward",
            "",
            Input::Bool,
            "no",
            "Pushes for offline users wait and are delivered when they are back (WhatsApp).",
        ),
        field(
            "retention_ms",
            "Keep for",
            "",
            Input::Duration,
            "30 days",
            "With store and forward: how long a held push waits before it expires.",
        ),
    ];
    all.into_iter().filter(|f| uses.contains(&f.key)).collect()
}

/// What decides which broker settings a link shows besides its kind: bit 0
/// from a log, 1 into an exchange, 2 from a fanout exchange, 3 auto commit,
/// 4 store and forward.
pub fn link_variant(s: &Scenario, l: &LinkSpec) -> u8 {
    let from = s.node(&l.from);
    let log = from.is_some_and(|n| n.kind == NodeKind::Topic && n.delivery == Some(Delivery::Log));
    let into_exchange = s.node(&l.to).is_some_and(|n| n.kind == NodeKind::Exchange);
    let fanout = from.is_some_and(|n| n.exchange_type == Some(ExchangeType::Fanout));
    let commit_auto = l.commit.unwrap_or_default() == CommitMode::Auto;
    u8::from(log)
        | u8::from(into_exchange) << 1
        | u8::from(fanout) << 2
        | u8::from(commit_auto) << 3
        | u8::from(l.store_and_forward == Some(true)) << 4
}

/// The settings of link `l` in `s` as the inspector shows them: the log
/// settings only on a log's subscription, routing keys only into an
/// exchange, a pattern only where the exchange reads it.
pub fn link_fields_of(s: &Scenario, l: &LinkSpec) -> Vec<Field> {
    link_fields_for(l.via, l.retry.is_some(), l.circuit_breaker.is_some(), link_variant(s, l))
}

/// The same from the link's kind, its retry and breaker switches and [`link_variant`].
pub fn link_fields_for(via: Via, retry_on: bool, breaker_on: bool, variant: u8) -> Vec<Field> {
    let bit = |i: u8| variant & (1 << i) != 0;
    let (log, into_exchange, fanout, commit_auto, stored) = (bit(0), bit(1), bit(2), bit(3), bit(4));
    link_fields(via, retry_on, breaker_on)
        .into_iter()
        .filter(|f| match f.key {
            "group" | "commit" | "session_timeout_ms" | "rebalance_ms" => log,
            "commit_every_ms" => log && commit_auto,
            "routing_keys" => into_exchange,
            "pattern" => !fanout,
            "retention_ms" => stored,
            _ => true,
        })
        .collect()
}

fn retry_fields() -> [Field; 5] {
    [
        field(
            "retry.attempts",
            "Attempts",
            "",
            Input::Integer,
            d::RETRY_ATTEMPTS.to_string(),
            "Including the first try.",
        ),
        field(
            "retry.base_ms",
            "Backoff base",
            "",
            Input::Duration,
            ms(d::RETRY_BASE_MS),
            "Wait before the first retry.",
        ),
        field(
            "retry.multiplier",
            "Multiplier",
            "×",
            Input::Number,
            fmt_num(d::RETRY_MULTIPLIER),
            "Each wait is this many times the last.",
        ),
        field("retry.max_ms", "Backoff cap", "", Input::Duration, "none", "No wait is longer than this."),
        field(
            "retry.jitter",
            "Jitter",
            "",
            Input::Choice(JITTER),
            "none",
            "Randomises waits so retries do not arrive in waves (AWS).",
        ),
    ]
}

fn breaker_fields() -> [Field; 8] {
    [
        field(
            "circuit_breaker.window_type",
            "Window type",
            "",
            Input::Choice(WINDOW_TYPES),
            "count",
            "Count the last calls, or the calls of the last window_ms (resilience4j).",
        ),
        field(
            "circuit_breaker.window_ms",
            "Time window",
            "",
            Input::Duration,
            ms(d::BREAKER_WINDOW_MS),
            "Time-based: the calls of this last stretch count.",
        ),
        field(
            "circuit_breaker.min_failures",
            "Failures to open",
            "",
            Input::Integer,
            d::BREAKER_MIN_FAILURES.to_string(),
            "Time-based: opens once this many failed within the window.",
        ),
        field(
            "circuit_breaker.failure_rate",
            "Failure rate",
            "0–1",
            Input::Fraction,
            fmt_num(d::BREAKER_FAILURE_RATE),
            "Opens when this share of the window failed.",
        ),
        field(
            "circuit_breaker.window",
            "Window",
            "calls",
            Input::Integer,
            d::BREAKER_WINDOW.to_string(),
            "The last calls it counts.",
        ),
        field(
            "circuit_breaker.min_calls",
            "Min calls",
            "calls",
            Input::Integer,
            d::BREAKER_MIN_CALLS.to_string(),
            "Calls needed before it may open.",
        ),
        field(
            "circuit_breaker.open_ms",
            "Open for",
            "",
            Input::Duration,
            ms(d::BREAKER_OPEN_MS),
            "How long it fails fast before testing again.",
        ),
        field(
            "circuit_breaker.half_open_calls",
            "Half-open calls",
            "",
            Input::Integer,
            d::BREAKER_HALF_OPEN_CALLS.to_string(),
            "Trial calls that decide whether it closes.",
        ),
    ]
}

/// The settings of a fault of `kind`.
pub fn fault_fields(kind: FaultKind) -> Vec<Field> {
    let mut v = vec![
        field("at_ms", "Starts at", "", Input::Duration, "0 ms", "Simulated time it begins."),
        field("for_ms", "Lasts", "", Input::Duration, "until the end", "How long it lasts."),
    ];
    match kind {
        FaultKind::Slow => v.push(field(
            "factor",
            "Slowdown",
            "×",
            Input::Number,
            "required",
            "Work (or latency) takes this many times longer.",
        )),
        FaultKind::Errors => {
            v.push(field("rate", "Failing share", "0–1", Input::Fraction, "required", "The error rate while it lasts."))
        }
        FaultKind::Crash | FaultKind::Partition => {}
        // A replay happens once, at its start.
        FaultKind::Replay => v.truncate(1),
    }
    v
}

/// The scenario's own settings.
pub fn scenario_fields() -> Vec<Field> {
    vec![field("duration_ms", "Duration", "", Input::Duration, ms(d::DURATION_MS), "Simulated time a run covers.")]
}

fn opt<T: ToString>(v: Option<T>) -> String {
    v.map(|x| x.to_string()).unwrap_or_default()
}

fn opt_num(v: Option<f64>) -> String {
    v.map(fmt_num).unwrap_or_default()
}

fn opt_dur(v: Option<f64>) -> String {
    v.map(parse::duration_text).unwrap_or_default()
}

/// The format's enums by their JSON names, read and written without serde
/// (a serde round trip per enum costs the wasm more than these tables).
trait Named: Copy + PartialEq + 'static {
    const NAMES: &'static [(Self, &'static str)];
}

impl Named for Arrival {
    const NAMES: &'static [(Self, &'static str)] = &[(Arrival::Poisson, "poisson"), (Arrival::Uniform, "uniform")];
}

impl Named for Persistence {
    const NAMES: &'static [(Self, &'static str)] = &[
        (Persistence::Memory, "memory"),
        (Persistence::AofAlways, "aof_always"),
        (Persistence::AofEverysec, "aof_everysec"),
        (Persistence::Snapshot, "snapshot"),
    ];
}

impl Named for Delivery {
    const NAMES: &'static [(Self, &'static str)] =
        &[(Delivery::AtMostOnce, "at_most_once"), (Delivery::Durable, "durable"), (Delivery::Log, "log")];
}

impl Named for ExchangeType {
    const NAMES: &'static [(Self, &'static str)] =
        &[(ExchangeType::Direct, "direct"), (ExchangeType::Topic, "topic"), (ExchangeType::Fanout, "fanout")];
}

impl Named for CommitMode {
    const NAMES: &'static [(Self, &'static str)] = &[
        (CommitMode::Auto, "auto"),
        (CommitMode::AfterProcessing, "after_processing"),
        (CommitMode::BeforeProcessing, "before_processing"),
    ];
}

impl Named for Jitter {
    const NAMES: &'static [(Self, &'static str)] = &[
        (Jitter::None, "none"),
        (Jitter::Full, "full"),
        (Jitter::Equal, "equal"),
        (Jitter::Decorrelated, "decorrelated"),
    ];
}

impl Named for WindowType {
    const NAMES: &'static [(Self, &'static str)] = &[(WindowType::Count, "count"), (WindowType::Time, "time")];
}

impl Named for Via {
    const NAMES: &'static [(Self, &'static str)] = &[
        (Via::Http, "http"),
        (Via::Grpc, "grpc"),
        (Via::Enqueue, "enqueue"),
        (Via::Consume, "consume"),
        (Via::Publish, "publish"),
        (Via::Subscribe, "subscribe"),
        (Via::Push, "push"),
        (Via::Sse, "sse"),
        (Via::Poll, "poll"),
        (Via::SagaStep, "saga_step"),
        (Via::RequestReply, "request_reply"),
        (Via::Bind, "bind"),
        (Via::Write, "write"),
        (Via::Read, "read"),
    ];
}

impl Named for ReadFrom {
    const NAMES: &'static [(Self, &'static str)] = &[
        (ReadFrom::Primary, "primary"),
        (ReadFrom::Replica, "replica"),
        (ReadFrom::PrimaryAfterWrite, "primary_after_write"),
    ];
}

impl Named for Balance {
    const NAMES: &'static [(Self, &'static str)] = &[
        (Balance::RoundRobin, "round_robin"),
        (Balance::Random, "random"),
        (Balance::LeastOutstanding, "least_outstanding"),
        (Balance::P2c, "p2c"),
    ];
}

impl Named for Connection {
    const NAMES: &'static [(Self, &'static str)] =
        &[(Connection::KeepAlive, "keep_alive"), (Connection::PerRequest, "per_request")];
}

impl Named for Protocol {
    const NAMES: &'static [(Self, &'static str)] =
        &[(Protocol::Rest, "rest"), (Protocol::Graphql, "graphql"), (Protocol::Soap, "soap")];
}

impl Named for FaultKind {
    const NAMES: &'static [(Self, &'static str)] = &[
        (FaultKind::Crash, "crash"),
        (FaultKind::Slow, "slow"),
        (FaultKind::Errors, "errors"),
        (FaultKind::Partition, "partition"),
        (FaultKind::Replay, "replay"),
    ];
}

fn enum_text<T: Named>(v: &Option<T>) -> String {
    v.and_then(|v| T::NAMES.iter().find(|(x, _)| *x == v)).map(|(_, n)| n.to_string()).unwrap_or_default()
}

fn enum_parse<T: Named>(text: &str) -> Result<Option<T>, String> {
    let t = text.trim();
    if t.is_empty() {
        return Ok(None);
    }
    match T::NAMES.iter().find(|(_, n)| *n == t) {
        Some((v, _)) => Ok(Some(*v)),
        None => {
            let names: Vec<&str> = T::NAMES.iter().map(|(_, n)| *n).collect();
            Err(format!("`{t}` is not one of {}", names.join(", ")))
        }
    }
}

/// The text a field shows: empty when the default applies.
pub fn get(s: &Scenario, place: &Place, key: &str) -> String {
    match place {
        Place::Scenario => match key {
            "name" => s.name.clone(),
            "seed" => s.seed.to_string(),
            "duration_ms" => parse::duration_text(s.duration_ms),
            _ => String::new(),
        },
        Place::Node(id) => s.node(id).map(|n| node_get(n, key)).unwrap_or_default(),
        Place::Link(id) => s.link(id).map(|l| link_get(l, key)).unwrap_or_default(),
        Place::Fault(i) => s
            .faults
            .get(*i)
            .map(|f| match key {
                "at_ms" => parse::duration_text(f.at_ms),
                "for_ms" => opt_dur(f.for_ms),
                "factor" => opt_num(f.factor),
                "rate" => opt_num(f.rate),
                "kind" => f.kind.as_str().to_string(),
                "target" => f.target.clone(),
                _ => String::new(),
            })
            .unwrap_or_default(),
        // Changes are listed, not edited field by field.
        Place::Change(_) => String::new(),
    }
}

fn node_get(n: &NodeSpec, key: &str) -> String {
    match key {
        "id" => n.id.clone(),
        "label" => n.label.clone(),
        "rate_per_s" => opt_num(n.rate_per_s),
        "arrival" => enum_text(&n.arrival),
        "schedule" => n.schedule.as_deref().map(parse::schedule_text).unwrap_or_default(),
        "workers" => opt(n.workers),
        "backlog" => opt(n.backlog),
        "work_ms" => n.work_ms.as_ref().map(parse::dist_text).unwrap_or_default(),
        "error_rate" => opt_num(n.error_rate),
        "idempotent" => opt(n.idempotent),
        "capacity" => opt(n.capacity),
        "max_deliveries" => opt(n.max_deliveries),
        "dead_letter" => n.dead_letter.clone().unwrap_or_default(),
        "visibility_timeout_ms" => opt_dur(n.visibility_timeout_ms),
        "redelivery_delay_ms" => opt_dur(n.redelivery_delay_ms),
        "persistence" => enum_text(&n.persistence),
        "snapshot_every_ms" => opt_dur(n.snapshot_every_ms),
        "delivery" => enum_text(&n.delivery),
        "reconnect_ms" => opt_dur(n.reconnect_ms),
        "users" => opt(n.users),
        "keys" => opt(n.keys),
        "poison_rate" => opt_num(n.poison_rate),
        "job_timeout_ms" => opt_dur(n.job_timeout_ms),
        "fifo" => opt(n.fifo),
        "dedup_window_ms" => opt_dur(n.dedup_window_ms),
        "partitions" => opt(n.partitions),
        "retention_ms" => opt_dur(n.retention_ms),
        "type" => enum_text(&n.exchange_type),
        "alternate" => n.alternate.clone().unwrap_or_default(),
        "online_ms" => n.online_ms.as_ref().map(parse::dist_text).unwrap_or_default(),
        "offline_ms" => n.offline_ms.as_ref().map(parse::dist_text).unwrap_or_default(),
        "reconnect_jitter" => opt(n.reconnect_jitter),
        "accept_per_s" => opt_num(n.accept_per_s),
        "replicas" => opt(n.replicas),
        "health_check_ms" => opt_dur(n.health_check_ms),
        "unhealthy_after" => opt(n.unhealthy_after),
        "health_timeout_ms" => opt_dur(n.health_timeout_ms),
        "replication_lag_ms" => n.replication_lag_ms.as_ref().map(parse::dist_text).unwrap_or_default(),
        _ => String::new(),
    }
}

fn link_get(l: &crate::engine::format::LinkSpec, key: &str) -> String {
    let r = l.retry.as_ref();
    let b = l.circuit_breaker.as_ref();
    match key {
        "id" => l.id.clone(),
        "via" => l.via.as_str().to_string(),
        "latency_ms" => l.latency_ms.as_ref().map(parse::dist_text).unwrap_or_default(),
        "timeout_ms" => opt_dur(l.timeout_ms),
        "interval_ms" => opt_dur(l.interval_ms),
        "optional" => opt(l.optional),
        "outbox" => opt(l.outbox),
        "balance" => enum_text(&l.balance),
        "read_from" => enum_text(&l.read_from),
        "connection" => enum_text(&l.connection),
        "protocol" => enum_text(&l.protocol),
        "pool" => opt(l.pool),
        "count" => l.count.as_ref().map(parse::count_text).unwrap_or_default(),
        "request_kb" => opt_num(l.request_kb),
        "response_kb" => opt_num(l.response_kb),
        "bandwidth_mbps" => opt_num(l.bandwidth_mbps),
        "retry" => r.is_some().to_string(),
        "circuit_breaker" => b.is_some().to_string(),
        "retry.attempts" => opt(r.and_then(|r| r.attempts)),
        "retry.base_ms" => opt_dur(r.and_then(|r| r.base_ms)),
        "retry.multiplier" => opt_num(r.and_then(|r| r.multiplier)),
        "retry.max_ms" => opt_dur(r.and_then(|r| r.max_ms)),
        "retry.jitter" => enum_text(&r.and_then(|r| r.jitter)),
        "circuit_breaker.failure_rate" => opt_num(b.and_then(|b| b.failure_rate)),
        "circuit_breaker.window" => opt(b.and_then(|b| b.window)),
        "circuit_breaker.min_calls" => opt(b.and_then(|b| b.min_calls)),
        "circuit_breaker.open_ms" => opt_dur(b.and_then(|b| b.open_ms)),
        "circuit_breaker.half_open_calls" => opt(b.and_then(|b| b.half_open_calls)),
        "routing_keys" => l.routing_keys.as_deref().map(parse::routing_keys_text).unwrap_or_default(),
        // The empty binding key is written as "" (an empty field means the default).
        "pattern" => l
            .pattern
            .as_deref()
            .map(|p| if p.is_empty() { "\"\"".to_string() } else { p.to_string() })
            .unwrap_or_default(),
        "prefetch" => opt(l.prefetch),
        "redelivery_delay_ms" => opt_dur(l.redelivery_delay_ms),
        "group" => l.group.clone().unwrap_or_default(),
        "commit" => enum_text(&l.commit),
        "commit_every_ms" => opt_dur(l.commit_every_ms),
        "session_timeout_ms" => opt_dur(l.session_timeout_ms),
        "rebalance_ms" => opt_dur(l.rebalance_ms),
        "store_and_forward" => opt(l.store_and_forward),
        "retention_ms" => opt_dur(l.retention_ms),
        "circuit_breaker.window_type" => enum_text(&b.and_then(|b| b.window_type)),
        "circuit_breaker.window_ms" => opt_dur(b.and_then(|b| b.window_ms)),
        "circuit_breaker.min_failures" => opt(b.and_then(|b| b.min_failures)),
        _ => String::new(),
    }
}

/// The document with `key` of `place` set from `text`, or the message to
/// show by the field. The document is checked whole: a value the validator
/// refuses for this field is refused here.
pub fn set(s: &Scenario, place: &Place, key: &str, text: &str) -> Result<Scenario, String> {
    let mut next = s.clone();
    match place {
        Place::Scenario => scenario_set(&mut next, key, text)?,
        Place::Node(id) => {
            if key == "id" {
                doc::rename_id(&mut next, id, text)?;
                return Ok(next);
            }
            let n = next.nodes.iter_mut().find(|n| n.id == *id).ok_or_else(|| format!("no node `{id}`"))?;
            node_set(n, key, text)?;
        }
        Place::Link(id) => {
            match key {
                "id" => {
                    doc::rename_id(&mut next, id, text)?;
                    return Ok(next);
                }
                "via" => {
                    let via = enum_parse::<Via>(text)?.ok_or_else(|| "choose how the link talks".to_string())?;
                    doc::set_via(&mut next, id, via)?;
                    return Ok(next);
                }
                _ => {}
            }
            let l = next.links.iter_mut().find(|l| l.id == *id).ok_or_else(|| format!("no link `{id}`"))?;
            link_set(l, key, text)?;
        }
        Place::Fault(i) => {
            if key == "kind" {
                let kind = enum_parse::<FaultKind>(text)?.ok_or_else(|| "choose a kind of fault".to_string())?;
                doc::set_fault_kind(&mut next, *i, kind);
            } else {
                let f = next.faults.get_mut(*i).ok_or_else(|| format!("no fault #{}", i + 1))?;
                match key {
                    "at_ms" => f.at_ms = parse::opt_duration_ms(text)?.unwrap_or(0.0),
                    "for_ms" => f.for_ms = parse::opt_duration_ms(text)?,
                    "factor" => f.factor = parse::number(text)?,
                    "rate" => f.rate = parse::fraction(text)?,
                    _ => return Err(format!("no field `{key}`")),
                }
            }
        }
        Place::Change(_) => return Err(format!("no field `{key}`")),
    }
    if let Some(message) = doc::field_errors(&next, place, key).into_iter().next() {
        return Err(message);
    }
    if key == "replicas" {
        // Fewer replicas must not strand a fault on `svc#k`.
        use crate::engine::format::{validate, Severity};
        let before: Vec<String> = validate::validate(s).into_iter().map(|p| p.to_string()).collect();
        let stranded = validate::validate(&next)
            .into_iter()
            .find(|p| p.severity == Severity::Error && !before.contains(&p.to_string()));
        if let Some(p) = stranded {
            return Err(p.to_string());
        }
    }
    Ok(next)
}

fn scenario_set(s: &mut Scenario, key: &str, text: &str) -> Result<(), String> {
    match key {
        "name" => s.name = text.trim().to_string(),
        "seed" => s.seed = parse::integer(text)?.ok_or_else(|| "a seed is a whole number".to_string())?,
        "duration_ms" => {
            s.duration_ms = parse::opt_duration_ms(text)?.unwrap_or(d::DURATION_MS);
        }
        _ => return Err(format!("no field `{key}`")),
    }
    Ok(())
}

fn node_set(n: &mut NodeSpec, key: &str, text: &str) -> Result<(), String> {
    match key {
        "label" => n.label = text.trim().to_string(),
        "rate_per_s" => n.rate_per_s = parse::number(text)?,
        "arrival" => n.arrival = enum_parse::<Arrival>(text)?,
        "schedule" => n.schedule = parse::schedule(text)?,
        "workers" => n.workers = parse::small_integer(text)?,
        "backlog" => n.backlog = parse::integer(text)?,
        "work_ms" => n.work_ms = parse::dist(text)?,
        "error_rate" => n.error_rate = parse::fraction(text)?,
        "idempotent" => n.idempotent = parse::boolean(text)?,
        "capacity" => n.capacity = parse::integer(text)?,
        "max_deliveries" => n.max_deliveries = parse::small_integer(text)?,
        "dead_letter" => {
            let t = text.trim();
            n.dead_letter = (!t.is_empty()).then(|| t.to_string());
        }
        "visibility_timeout_ms" => n.visibility_timeout_ms = parse::opt_duration_ms(text)?,
        "redelivery_delay_ms" => n.redelivery_delay_ms = parse::opt_duration_ms(text)?,
        "persistence" => n.persistence = enum_parse::<Persistence>(text)?,
        "snapshot_every_ms" => n.snapshot_every_ms = parse::opt_duration_ms(text)?,
        "delivery" => n.delivery = enum_parse::<Delivery>(text)?,
        "reconnect_ms" => n.reconnect_ms = parse::opt_duration_ms(text)?,
        "users" => n.users = parse::integer(text)?,
        "keys" => n.keys = parse::small_integer(text)?,
        "poison_rate" => n.poison_rate = parse::fraction(text)?,
        "job_timeout_ms" => n.job_timeout_ms = parse::opt_duration_ms(text)?,
        "fifo" => n.fifo = parse::boolean(text)?,
        "dedup_window_ms" => n.dedup_window_ms = parse::opt_duration_ms(text)?,
        "partitions" => n.partitions = parse::small_integer(text)?,
        "retention_ms" => n.retention_ms = parse::opt_duration_ms(text)?,
        "type" => n.exchange_type = enum_parse::<ExchangeType>(text)?,
        "alternate" => n.alternate = some_text(text),
        "online_ms" => n.online_ms = parse::dist(text)?,
        "offline_ms" => n.offline_ms = parse::dist(text)?,
        "reconnect_jitter" => n.reconnect_jitter = parse::boolean(text)?,
        "accept_per_s" => n.accept_per_s = parse::number(text)?,
        "replicas" => n.replicas = parse::small_integer(text)?,
        "health_check_ms" => n.health_check_ms = parse::opt_duration_ms(text)?,
        "unhealthy_after" => n.unhealthy_after = parse::small_integer(text)?,
        "health_timeout_ms" => n.health_timeout_ms = parse::opt_duration_ms(text)?,
        "replication_lag_ms" => n.replication_lag_ms = parse::dist(text)?,
        _ => return Err(format!("no field `{key}`")),
    }
    Ok(())
}

/// Trimmed text, or none when empty.
fn some_text(text: &str) -> Option<String> {
    let t = text.trim();
    (!t.is_empty()).then(|| t.to_string())
}

fn link_set(l: &mut crate::engine::format::LinkSpec, key: &str, text: &str) -> Result<(), String> {
    if let Some(sub) = key.strip_prefix("retry.") {
        let r = l.retry.get_or_insert_with(RetrySpec::default);
        match sub {
            "attempts" => r.attempts = parse::small_integer(text)?,
            "base_ms" => r.base_ms = parse::opt_duration_ms(text)?,
            "multiplier" => r.multiplier = parse::number(text)?,
            "max_ms" => r.max_ms = parse::opt_duration_ms(text)?,
            "jitter" => r.jitter = enum_parse::<Jitter>(text)?,
            _ => return Err(format!("no field `{key}`")),
        }
        return Ok(());
    }
    if let Some(sub) = key.strip_prefix("circuit_breaker.") {
        let b = l.circuit_breaker.get_or_insert_with(BreakerSpec::default);
        match sub {
            "failure_rate" => b.failure_rate = parse::fraction(text)?,
            "window" => b.window = parse::small_integer(text)?,
            "min_calls" => b.min_calls = parse::small_integer(text)?,
            "open_ms" => b.open_ms = parse::opt_duration_ms(text)?,
            "half_open_calls" => b.half_open_calls = parse::small_integer(text)?,
            "window_type" => b.window_type = enum_parse::<WindowType>(text)?,
            "window_ms" => b.window_ms = parse::opt_duration_ms(text)?,
            "min_failures" => b.min_failures = parse::small_integer(text)?,
            _ => return Err(format!("no field `{key}`")),
        }
        return Ok(());
    }
    match key {
        "latency_ms" => l.latency_ms = parse::dist(text)?,
        "timeout_ms" => l.timeout_ms = parse::opt_duration_ms(text)?,
        "interval_ms" => l.interval_ms = parse::opt_duration_ms(text)?,
        "optional" => l.optional = parse::boolean(text)?,
        "outbox" => l.outbox = parse::boolean(text)?,
        "balance" => l.balance = enum_parse::<Balance>(text)?,
        "read_from" => l.read_from = enum_parse::<ReadFrom>(text)?,
        "connection" => l.connection = enum_parse::<Connection>(text)?,
        "protocol" => l.protocol = enum_parse::<Protocol>(text)?,
        "pool" => l.pool = parse::small_integer(text)?,
        "count" => l.count = parse::count(text)?,
        "request_kb" => l.request_kb = parse::number(text)?,
        "response_kb" => l.response_kb = parse::number(text)?,
        "bandwidth_mbps" => l.bandwidth_mbps = parse::number(text)?,
        "retry" => {
            l.retry = (parse::boolean(text)? == Some(true)).then(|| l.retry.clone().unwrap_or_default());
        }
        "circuit_breaker" => {
            l.circuit_breaker =
                (parse::boolean(text)? == Some(true)).then(|| l.circuit_breaker.clone().unwrap_or_default());
        }
        "routing_keys" => l.routing_keys = parse::routing_keys(text)?,
        "pattern" => {
            let t = text.trim();
            l.pattern = match t {
                "" => None,
                "\"\"" => Some(String::new()),
                _ => Some(t.to_string()),
            };
        }
        "prefetch" => l.prefetch = parse::small_integer(text)?,
        "redelivery_delay_ms" => l.redelivery_delay_ms = parse::opt_duration_ms(text)?,
        "group" => l.group = some_text(text),
        "commit" => l.commit = enum_parse::<CommitMode>(text)?,
        "commit_every_ms" => l.commit_every_ms = parse::opt_duration_ms(text)?,
        "session_timeout_ms" => l.session_timeout_ms = parse::opt_duration_ms(text)?,
        "rebalance_ms" => l.rebalance_ms = parse::opt_duration_ms(text)?,
        "store_and_forward" => l.store_and_forward = parse::boolean(text)?,
        "retention_ms" => l.retention_ms = parse::opt_duration_ms(text)?,
        _ => return Err(format!("no field `{key}`")),
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::editor::geometry::Point;

    fn doc_with(kind: NodeKind) -> (Scenario, Place) {
        let mut s = Scenario::default();
        let id = doc::add_node(&mut s, kind, Point::default(), true);
        (s, Place::Node(id))
    }

    #[test]
    fn every_field_of_every_kind_reads_back_what_was_set() {
        for kind in NodeKind::ALL {
            let (s, place) = doc_with(kind);
            for f in node_fields(kind) {
                let text = match f.input {
                    Input::Number => "7",
                    Input::Duration => "1.5 s",
                    Input::Integer => "3",
                    Input::Fraction => "0.25",
                    Input::Dist => "exp 20 ms",
                    Input::Choice(options) => options[1],
                    Input::Bool => "true",
                    Input::Queue | Input::Text => continue,
                    Input::Schedule => "0 ms: 10/s, 20 s: 100/s",
                    Input::RoutingKeys => "a.b:2, c:1",
                };
                let next = set(&s, &place, f.key, text).unwrap_or_else(|e| panic!("{kind:?} {}: {e}", f.key));
                assert_eq!(get(&next, &place, f.key), text, "{kind:?} {}", f.key);
                let cleared = set(&next, &place, f.key, "").unwrap();
                assert_eq!(get(&cleared, &place, f.key), "", "{kind:?} {}", f.key);
            }
        }
    }

    #[test]
    fn an_invalid_value_never_reaches_the_document() {
        let (s, place) = doc_with(NodeKind::Service);
        let e = set(&s, &place, "workers", "0").unwrap_err();
        assert_eq!(e, "must be at least 1");
        let e = set(&s, &place, "workers", "many").unwrap_err();
        assert!(e.contains("not a whole number"), "{e}");
        assert!(set(&s, &place, "error_rate", "2").is_err());
        assert!(set(&s, &place, "workers", "999999").unwrap_err().contains("limit"));
    }

    #[test]
    fn a_queue_cannot_dead_letter_into_itself() {
        let (s, place) = doc_with(NodeKind::Queue);
        let e = set(&s, &place, "dead_letter", "queue1").unwrap_err();
        assert!(e.contains("its own"), "{e}");
    }

    #[test]
    fn retry_settings_switch_on_the_retry() {
        let mut s = Scenario::default();
        let a = doc::add_node(&mut s, NodeKind::Client, Point::default(), true);
        let b = doc::add_node(&mut s, NodeKind::Service, Point::default(), true);
        let l = doc::connect(&mut s, &a, &b).unwrap();
        let place = Place::Link(l);
        // latency, timeout, retry, breaker, optional, count, balance, then
        // protocol, connection, pool, request and response size, bandwidth.
        assert_eq!(link_fields(Via::Http, false, false).len(), 13);
        let s = set(&s, &place, "retry.attempts", "4").unwrap();
        assert_eq!(get(&s, &place, "retry"), "true");
        let s = set(&s, &place, "retry", "false").unwrap();
        assert_eq!(s.links[0].retry, None);
        let s = set(&s, &place, "circuit_breaker", "true").unwrap();
        assert_eq!(s.links[0].circuit_breaker, Some(BreakerSpec::default()));
        assert!(set(&s, &place, "circuit_breaker.failure_rate", "0").is_err());
        assert!(set(&s, &place, "via", "push").is_err());
        let s = set(&s, &place, "via", "grpc").unwrap();
        assert_eq!(s.links[0].via, Via::Grpc);
    }

    #[test]
    fn faults_need_their_one_setting() {
        let (mut s, _) = doc_with(NodeKind::Service);
        let i = doc::add_fault(&mut s, "service1", FaultKind::Slow);
        let place = Place::Fault(i);
        assert!(set(&s, &place, "factor", "").unwrap_err().contains("needs a factor"));
        let s = set(&s, &place, "kind", "errors").unwrap();
        assert_eq!(s.faults[0].rate, Some(0.5));
        assert_eq!(s.faults[0].factor, None);
    }

    #[test]
    fn enum_names_are_the_formats() {
        fn check<T: Named + serde::Serialize>(choices: &[&str]) {
            let names: Vec<&str> = T::NAMES.iter().map(|(_, n)| *n).collect();
            for (v, n) in T::NAMES {
                assert_eq!(serde_json::to_value(v).unwrap(), serde_json::json!(n));
            }
            if !choices.is_empty() {
                assert_eq!(names, choices);
            }
        }
        check::<Arrival>(ARRIVALS);
        check::<Persistence>(PERSISTENCE);
        check::<Delivery>(DELIVERY);
        check::<ExchangeType>(EXCHANGE_TYPES);
        check::<CommitMode>(COMMIT);
        check::<Jitter>(JITTER);
        check::<Via>(&[]);
        check::<FaultKind>(&[]);
        check::<Balance>(Balance::NAMES);
        check::<Connection>(Connection::NAMES);
        check::<Protocol>(Protocol::NAMES);
        check::<ReadFrom>(ReadFrom::NAMES);
        assert_eq!(Via::NAMES.len(), Via::ALL.len());
    }

    #[test]
    fn the_empty_binding_key_is_written_as_two_quotes() {
        let mut s = Scenario::default();
        let x = doc::add_node(&mut s, NodeKind::Exchange, Point::default(), true);
        let q = doc::add_node(&mut s, NodeKind::Queue, Point::new(300.0, 0.0), true);
        let l = doc::connect(&mut s, &x, &q).unwrap();
        let place = Place::Link(l);
        let s = set(&s, &place, "pattern", "\"\"").unwrap();
        assert_eq!(s.links[0].pattern.as_deref(), Some(""));
        assert_eq!(get(&s, &place, "pattern"), "\"\"");
        let s = set(&s, &place, "pattern", "").unwrap();
        assert_eq!(s.links[0].pattern, None);
    }

    #[test]
    fn the_fields_a_lesson_asks_for_come_first() {
        let keys = |v: Vec<Field>| -> Vec<&str> { v.iter().map(|f| f.key).collect() };
        assert_eq!(keys(node_fields(NodeKind::Service))[..3], ["workers", "work_ms", "error_rate"]);
        let http = keys(link_fields(Via::Http, true, true));
        assert_eq!(http[..4], ["latency_ms", "timeout_ms", "retry", "circuit_breaker"]);
        // The breaker's switch is not pushed down by the retry's settings.
        assert!(http.iter().position(|k| *k == "circuit_breaker") < http.iter().position(|k| k.contains('.')));
    }

    #[test]
    fn durations_are_typed_with_units_and_stored_in_ms() {
        let mut s = Scenario::default();
        let a = doc::add_node(&mut s, NodeKind::Client, Point::default(), true);
        let b = doc::add_node(&mut s, NodeKind::Service, Point::default(), true);
        let l = doc::connect(&mut s, &a, &b).unwrap();
        let link = Place::Link(l);
        let s = set(&s, &link, "timeout_ms", "20s").unwrap();
        assert_eq!(s.links[0].timeout_ms, Some(20_000.0));
        assert_eq!(get(&s, &link, "timeout_ms"), "20 s");
        let s = set(&s, &link, "latency_ms", "exp 1.5 s").unwrap();
        assert_eq!(s.links[0].latency_ms, Some(crate::engine::format::Dist::Exp(1_500.0)));
        let s = set(&s, &Place::Scenario, "duration_ms", "2m").unwrap();
        assert_eq!((s.duration_ms, get(&s, &Place::Scenario, "duration_ms")), (120_000.0, "2 min".to_string()));
        let s = set(&s, &Place::Node(a.clone()), "schedule", "0:10, 20s:100").unwrap();
        assert_eq!(s.nodes[0].schedule, Some(vec![(0.0, 10.0), (20_000.0, 100.0)]));
        assert_eq!(get(&s, &Place::Node(a), "schedule"), "0 ms: 10/s, 20 s: 100/s");
        for bad in ["-5s", "5 parsecs", "1e999"] {
            let e = set(&Scenario::default(), &Place::Scenario, "duration_ms", bad).unwrap_err();
            assert!(!e.is_empty(), "{bad}");
        }
    }

    #[test]
    fn a_count_is_a_number_or_a_distribution_and_nonsense_is_refused() {
        let mut s = Scenario::default();
        let a = doc::add_node(&mut s, NodeKind::Client, Point::default(), true);
        let b = doc::add_node(&mut s, NodeKind::Service, Point::default(), true);
        let link = Place::Link(doc::connect(&mut s, &a, &b).unwrap());
        assert!(link_fields(Via::Http, false, false).iter().any(|f| f.key == "count" && !f.help.is_empty()));
        for text in ["3", "exp 5", "uniform 1 10", "zipf 1000000 1.5"] {
            let next = set(&s, &link, "count", text).unwrap_or_else(|e| panic!("{text}: {e}"));
            assert_eq!(get(&next, &link, "count"), text);
        }
        let z = set(&s, &link, "count", "zipf 1000 1.2").unwrap();
        assert_eq!(z.links[0].count, Some(crate::engine::format::Dist::Zipf { n: 1000.0, s: 1.2 }));
        for bad in ["-2", "many", "zipf 0 1", "exp", "1e300", "gamma 3"] {
            let e = set(&s, &link, "count", bad).unwrap_err();
            assert!(!e.is_empty(), "{bad}");
        }
        assert_eq!(set(&s, &link, "count", "").unwrap().links[0].count, None);
    }

    #[test]
    fn no_setting_is_listed_twice() {
        for kind in NodeKind::ALL {
            let keys: Vec<&str> = node_fields(kind).iter().map(|f| f.key).collect();
            let mut unique = keys.clone();
            unique.sort();
            unique.dedup();
            assert_eq!(keys.len(), unique.len(), "{kind:?}: {keys:?}");
        }
        for via in Via::ALL {
            let keys: Vec<&str> = link_fields(via, true, true).iter().map(|f| f.key).collect();
            let mut unique = keys.clone();
            unique.sort();
            unique.dedup();
            assert_eq!(keys.len(), unique.len(), "{via:?}: {keys:?}");
        }
    }

    #[test]
    fn link_fields_follow_the_link_kind() {
        let keys = |via| -> Vec<&str> { link_fields(via, true, true).iter().map(|f| f.key).collect() };
        assert_eq!(keys(Via::Consume), vec!["latency_ms", "prefetch", "redelivery_delay_ms"]);
        assert_eq!(keys(Via::Bind), vec!["latency_ms", "pattern"]);
        assert!(keys(Via::Subscribe).contains(&"commit"));
        assert!(keys(Via::Push).contains(&"store_and_forward"));
        assert!(keys(Via::Enqueue).contains(&"outbox"));
        assert!(keys(Via::Http).contains(&"circuit_breaker.window"));
    }
}
