//! The scenario document, format version 1 (see MODEL.md).
//!
//! A scenario is the whole diagram: nodes, links, faults, seed and duration.
//! It is what files, share links and the editor's undo history carry. Nodes
//! and links are flat records: the fields that apply depend on `kind`/`via`,
//! and validation says when a field is set where it does nothing. Omitted
//! fields stay `None` here; the engine applies the defaults of
//! [`super::defaults`], which the app shows next to each field.

use super::dist::Dist;
use serde::{Deserialize, Serialize};

/// The format version this build writes and the newest it reads.
pub const FORMAT_VERSION: u32 = 1;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    /// The format version (`1`).
    #[serde(deserialize_with = "super::whole::u32_")]
    pub crosstalk: u32,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub name: String,
    #[serde(default = "default_seed", deserialize_with = "super::whole::u64_")]
    pub seed: u64,
    #[serde(default = "default_duration_ms")]
    pub duration_ms: f64,
    #[serde(default)]
    pub nodes: Vec<NodeSpec>,
    #[serde(default)]
    pub links: Vec<LinkSpec>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub faults: Vec<FaultSpec>,
    /// Field values that change during the run (live edits, what-ifs).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub changes: Vec<ChangeSpec>,
    /// `[["us", "eu", 40], ...]`: one-way latency (ms) added to every link
    /// between nodes of those two regions (see `super::regions`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub regions: Vec<RegionPair>,
}

/// Two regions and the one-way latency between them, ms.
pub type RegionPair = (String, String, f64);

fn default_seed() -> u64 {
    1
}

fn default_duration_ms() -> f64 {
    super::defaults::DURATION_MS
}

impl Default for Scenario {
    fn default() -> Self {
        Scenario {
            crosstalk: FORMAT_VERSION,
            name: String::new(),
            seed: default_seed(),
            duration_ms: default_duration_ms(),
            nodes: Vec::new(),
            links: Vec::new(),
            faults: Vec::new(),
            changes: Vec::new(),
            regions: Vec::new(),
        }
    }
}

impl Scenario {
    pub fn node(&self, id: &str) -> Option<&NodeSpec> {
        self.nodes.iter().find(|n| n.id == id)
    }

    pub fn link(&self, id: &str) -> Option<&LinkSpec> {
        self.links.iter().find(|l| l.id == id)
    }

    /// Pretty JSON, as files are written.
    pub fn to_json_pretty(&self) -> String {
        super::json::to_string_pretty(self).expect("a scenario always serializes")
    }

    /// Compact JSON, as share links carry it.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("a scenario always serializes")
    }
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NodeKind {
    Client,
    #[default]
    Service,
    Queue,
    Topic,
    Websocket,
    Browser,
    Saga,
    /// A RabbitMQ exchange: routes each message to the queues bound to it.
    Exchange,
    /// A database (PostgreSQL, MySQL): a primary, read replicas, versions per key.
    Database,
}

impl NodeKind {
    pub const ALL: [NodeKind; 9] = [
        NodeKind::Client,
        NodeKind::Service,
        NodeKind::Queue,
        NodeKind::Topic,
        NodeKind::Exchange,
        NodeKind::Websocket,
        NodeKind::Browser,
        NodeKind::Saga,
        NodeKind::Database,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            NodeKind::Client => "client",
            NodeKind::Service => "service",
            NodeKind::Queue => "queue",
            NodeKind::Topic => "topic",
            NodeKind::Websocket => "websocket",
            NodeKind::Browser => "browser",
            NodeKind::Saga => "saga",
            NodeKind::Exchange => "exchange",
            NodeKind::Database => "database",
        }
    }

    /// The name people read in the palette.
    pub fn title(self) -> &'static str {
        match self {
            NodeKind::Client => "Client",
            NodeKind::Service => "Service",
            NodeKind::Queue => "Queue",
            NodeKind::Topic => "Topic",
            NodeKind::Websocket => "WebSocket server",
            NodeKind::Browser => "Browsers",
            NodeKind::Saga => "Saga orchestrator",
            NodeKind::Exchange => "Exchange",
            NodeKind::Database => "Database",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Via {
    Http,
    Grpc,
    Enqueue,
    Consume,
    Publish,
    Subscribe,
    Push,
    Sse,
    Poll,
    SagaStep,
    RequestReply,
    /// A RabbitMQ binding: from an exchange to a queue, with a pattern.
    Bind,
    /// A service writes its request's key to a database (a synchronous call).
    Write,
    /// A service reads its request's key from a database (`read_from`).
    Read,
}

impl Via {
    pub const ALL: [Via; 14] = [
        Via::Http,
        Via::Grpc,
        Via::Enqueue,
        Via::Consume,
        Via::Publish,
        Via::Subscribe,
        Via::Push,
        Via::Sse,
        Via::Poll,
        Via::SagaStep,
        Via::RequestReply,
        Via::Bind,
        Via::Write,
        Via::Read,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Via::Http => "http",
            Via::Grpc => "grpc",
            Via::Enqueue => "enqueue",
            Via::Consume => "consume",
            Via::Publish => "publish",
            Via::Subscribe => "subscribe",
            Via::Push => "push",
            Via::Sse => "sse",
            Via::Poll => "poll",
            Via::SagaStep => "saga_step",
            Via::RequestReply => "request_reply",
            Via::Bind => "bind",
            Via::Write => "write",
            Via::Read => "read",
        }
    }

    /// Calls that hold the caller until the answer comes back.
    pub fn is_sync_call(self) -> bool {
        matches!(self, Via::Http | Via::Grpc | Via::SagaStep | Via::Write | Via::Read)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Arrival {
    #[default]
    Poisson,
    /// Evenly spaced arrivals, `1 / rate_per_s` apart.
    Uniform,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Persistence {
    #[default]
    Memory,
    AofAlways,
    AofEverysec,
    Snapshot,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Delivery {
    #[default]
    AtMostOnce,
    Durable,
    /// A partitioned, retained log read by consumer groups (Kafka, Redis Streams).
    Log,
}

/// How a RabbitMQ exchange matches routing keys against its bindings.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum ExchangeType {
    /// The routing key equals the binding's pattern.
    Direct,
    /// AMQP topic patterns: `*` one word, `#` zero or more.
    #[default]
    Topic,
    /// Every binding, whatever the key.
    Fanout,
}

/// When a Kafka consumer commits the offset it has read up to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum CommitMode {
    /// Every `commit_every_ms` (Kafka's `enable.auto.commit`, its default).
    #[default]
    Auto,
    /// After each message is processed: at least once.
    AfterProcessing,
    /// Before each message is processed: at most once.
    BeforeProcessing,
}

/// One node. Which fields apply depends on `kind` (see MODEL.md).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct NodeSpec {
    pub id: String,
    pub kind: NodeKind,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub label: String,
    #[serde(default)]
    pub x: f64,
    #[serde(default)]
    pub y: f64,

    // client
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rate_per_s: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub arrival: Option<Arrival>,
    /// `[[at_ms, rate_per_s], ...]`: the rate from each time on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schedule: Option<Vec<(f64, f64)>>,
    /// Keys `k0`..`k{keys-1}` a request draws from (one key space per scenario).
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "super::whole::opt_u32")]
    pub keys: Option<u32>,
    /// Share of requests whose work never ends (a `while(true)` submission).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub poison_rate: Option<f64>,

    // service (and saga)
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "super::whole::opt_u32")]
    pub workers: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "super::whole::opt_u64")]
    pub backlog: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub work_ms: Option<Dist>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_rate: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub idempotent: Option<bool>,
    /// Work running longer than this is killed as a failure.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub job_timeout_ms: Option<f64>,

    // queue (persistence also for durable topics)
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "super::whole::opt_u64")]
    pub capacity: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "super::whole::opt_u32")]
    pub max_deliveries: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dead_letter: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub visibility_timeout_ms: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub redelivery_delay_ms: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub persistence: Option<Persistence>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub snapshot_every_ms: Option<f64>,
    /// SQS FIFO: per-key order, one message in flight per key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fifo: Option<bool>,
    /// SQS FIFO: a resend of the same message within this window is dropped.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dedup_window_ms: Option<f64>,

    // topic
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delivery: Option<Delivery>,
    /// A log topic's partitions.
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "super::whole::opt_u32")]
    pub partitions: Option<u32>,
    /// A log topic deletes messages older than this, read or not.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retention_ms: Option<f64>,

    // exchange
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub exchange_type: Option<ExchangeType>,
    /// Where messages no binding matches go: a queue or an exchange.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alternate: Option<String>,

    // websocket
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reconnect_ms: Option<f64>,

    // browser
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "super::whole::opt_u64")]
    pub users: Option<u64>,
    /// How long a user stays online before going offline (presence).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub online_ms: Option<Dist>,
    /// How long a user stays offline before coming back.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub offline_ms: Option<Dist>,
    /// Whether reconnect waits are jittered (default true); without jitter
    /// every dropped user comes back at the same instant.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reconnect_jitter: Option<bool>,

    // websocket
    /// New connections (handshakes) a server accepts per second; the rest
    /// are refused and retried with backoff. Default: unlimited.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub accept_per_s: Option<f64>,

    // service: scale-out (see `super::scale`)
    /// Copies of the service, each with its own workers and backlog (1).
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "super::whole::opt_u32")]
    pub replicas: Option<u32>,
    /// How often the balancer probes each replica (10000; 0 = never).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub health_check_ms: Option<f64>,
    /// Failed probes in a row that take a replica out of rotation (3).
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "super::whole::opt_u32")]
    pub unhealthy_after: Option<u32>,
    /// How long a probe may take before it counts as failed (1000).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub health_timeout_ms: Option<f64>,

    // any node
    /// The region the node runs in (none: links to it never cross regions).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,

    // database (`workers`, `work_ms` and `replicas` too; see `super::database`)
    /// How long a committed write takes to reach each read replica (100).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replication_lag_ms: Option<Dist>,
}

impl NodeSpec {
    /// A node of `kind` with no optional field set.
    pub fn new(id: impl Into<String>, kind: NodeKind) -> NodeSpec {
        NodeSpec { id: id.into(), kind, ..NodeSpec::default() }
    }

    /// The label shown to people: the label, or the id when there is none.
    pub fn display_name(&self) -> &str {
        if self.label.trim().is_empty() {
            &self.id
        } else {
            &self.label
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Jitter {
    #[default]
    None,
    Full,
    Equal,
    Decorrelated,
}

/// Retry with exponential backoff, as in AWS's "Exponential Backoff and Jitter".
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct RetrySpec {
    /// Attempts including the first.
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "super::whole::opt_u32")]
    pub attempts: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub base_ms: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub multiplier: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_ms: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub jitter: Option<Jitter>,
}

/// How a circuit breaker's sliding window is measured (resilience4j's
/// `slidingWindowType`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum WindowType {
    /// The last `window` calls (COUNT_BASED).
    #[default]
    Count,
    /// The calls of the last `window_ms` (TIME_BASED).
    Time,
}

/// A circuit breaker with resilience4j's semantics: count-based by
/// default, time-based with `window_type: "time"` ("after 5 failures in
/// 30 s, open for 60 s").
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct BreakerSpec {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub window_type: Option<WindowType>,
    /// Time-based: the window's length.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub window_ms: Option<f64>,
    /// Time-based: failures within the window that open the breaker.
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "super::whole::opt_u32")]
    pub min_failures: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failure_rate: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "super::whole::opt_u32")]
    pub window: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "super::whole::opt_u32")]
    pub min_calls: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub open_ms: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "super::whole::opt_u32")]
    pub half_open_calls: Option<u32>,
}

/// One link. Which fields apply depends on `via` (see MODEL.md).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LinkSpec {
    /// Optional in files: a link without one is named `l<position>`.
    #[serde(default)]
    pub id: String,
    pub from: String,
    pub to: String,
    pub via: Via,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub latency_ms: Option<Dist>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeout_ms: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry: Option<RetrySpec>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub circuit_breaker: Option<BreakerSpec>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub optional: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outbox: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub interval_ms: Option<f64>,
    /// Sending links: how many calls or messages one request makes over
    /// it (a distribution, rounded; 1). Calls run in parallel and the
    /// request waits for all (see `super::fanout`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub count: Option<Dist>,
    /// Into a replicated service: how a replica is chosen (round robin).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub balance: Option<super::scale::Balance>,
    /// Call links: `keep_alive` (default) or a new TCP + TLS 1.3 connection
    /// per call (`per_request`: two extra round trips).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub connection: Option<super::scale::Connection>,
    /// Call links: at most this many calls in flight; the rest wait.
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "super::whole::opt_u32")]
    pub pool: Option<u32>,
    /// `http` links: the API style, which sets the payload defaults.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub protocol: Option<super::scale::Protocol>,
    /// Kilobytes (1000 bytes) each request carries, headers included.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_kb: Option<f64>,
    /// Kilobytes each answer carries, headers included.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub response_kb: Option<f64>,
    /// The link's bandwidth each way, megabits per second (unlimited).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bandwidth_mbps: Option<f64>,

    /// `publish` into an exchange: `[[routing_key, weight], ...]`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub routing_keys: Option<Vec<(String, f64)>>,
    /// `bind`: the binding key (`*` one word, `#` zero or more).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pattern: Option<String>,
    /// `consume`: deliveries the consumer may hold unacknowledged.
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "super::whole::opt_u32")]
    pub prefetch: Option<u32>,
    /// `consume`: how long a message the consumer nacked waits before it is
    /// delivered again (MODEL.md names it on `consume`; it overrides the
    /// queue's own `redelivery_delay_ms` for this consumer's nacks).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub redelivery_delay_ms: Option<f64>,
    /// `subscribe` from a log topic: the consumer group.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub commit: Option<CommitMode>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub commit_every_ms: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session_timeout_ms: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rebalance_ms: Option<f64>,
    /// `push`: hold pushes for offline users and deliver them on return.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub store_and_forward: Option<bool>,
    /// `push` with store-and-forward: how long a held push is kept.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retention_ms: Option<f64>,
    /// `read`: the primary (default), a replica, or the primary for the
    /// writer's own key until its write reached the replicas.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub read_from: Option<super::database::ReadFrom>,
}

impl LinkSpec {
    pub fn new(id: impl Into<String>, from: impl Into<String>, to: impl Into<String>, via: Via) -> LinkSpec {
        LinkSpec {
            id: id.into(),
            from: from.into(),
            to: to.into(),
            via,
            latency_ms: None,
            timeout_ms: None,
            retry: None,
            circuit_breaker: None,
            optional: None,
            outbox: None,
            interval_ms: None,
            count: None,
            balance: None,
            connection: None,
            pool: None,
            protocol: None,
            request_kb: None,
            response_kb: None,
            bandwidth_mbps: None,
            routing_keys: None,
            pattern: None,
            prefetch: None,
            redelivery_delay_ms: None,
            group: None,
            commit: None,
            commit_every_ms: None,
            session_timeout_ms: None,
            rebalance_ms: None,
            store_and_forward: None,
            retention_ms: None,
            read_from: None,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FaultKind {
    /// The node stops: in-flight work is lost.
    Crash,
    /// Work takes `factor` times longer (or a link's latency, on a link).
    Slow,
    /// The error rate becomes `rate`.
    Errors,
    /// The link (or every link of the node) drops everything.
    Partition,
    /// A log subscription's consumer group rewinds to the oldest retained message.
    Replay,
}

impl FaultKind {
    pub const ALL: [FaultKind; 5] =
        [FaultKind::Crash, FaultKind::Slow, FaultKind::Errors, FaultKind::Partition, FaultKind::Replay];

    pub fn as_str(self) -> &'static str {
        match self {
            FaultKind::Crash => "crash",
            FaultKind::Slow => "slow",
            FaultKind::Errors => "errors",
            FaultKind::Partition => "partition",
            FaultKind::Replay => "replay",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FaultSpec {
    /// A node id, or a link id for `partition` and `slow`.
    pub target: String,
    pub kind: FaultKind,
    #[serde(default)]
    pub at_ms: f64,
    /// How long it lasts; omitted: until the end of the run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub for_ms: Option<f64>,
    /// `slow`: the factor work (or latency) is multiplied by.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub factor: Option<f64>,
    /// `errors`: the error rate while it lasts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rate: Option<f64>,
}

/// A scheduled change: at `at_ms` the field `field` of node or link `target`
/// takes `value` (as the field is written in the format; `null` puts back
/// its default). Nested fields are dotted: `retry.attempts`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChangeSpec {
    #[serde(default)]
    pub at_ms: f64,
    pub target: String,
    pub field: String,
    pub value: serde_json::Value,
}
