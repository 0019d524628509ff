//! The documented defaults and caps of format version 1.
//!
//! The engine applies these when a field is omitted; the app shows them next
//! to each field, so a user always sees the value a run used.

/// Run length when a scenario gives none.
pub const DURATION_MS: f64 = 60_000.0;

pub const CLIENT_RATE_PER_S: f64 = 10.0;
pub const SERVICE_WORKERS: u32 = 1;
pub const SERVICE_WORK_MS: f64 = 10.0;
/// A saga orchestrator keeps no worker busy while it waits for its steps.
pub const SAGA_WORK_MS: f64 = 0.0;

pub const QUEUE_MAX_DELIVERIES: u32 = 5;
pub const QUEUE_REDELIVERY_DELAY_MS: f64 = 0.0;
pub const SNAPSHOT_EVERY_MS: f64 = 5_000.0;
/// `aof_everysec` fsyncs once a second (Redis `appendfsync everysec`).
pub const AOF_EVERYSEC_MS: f64 = 1_000.0;

pub const WEBSOCKET_RECONNECT_MS: f64 = 1_000.0;
pub const BROWSER_USERS: u64 = 100;
pub const POLL_INTERVAL_MS: f64 = 1_000.0;

pub const HTTP_LATENCY_MS: f64 = 1.0;
pub const GRPC_LATENCY_MS: f64 = 0.5;
/// Every other link (queues, topics, pushes): MODEL.md gives a network
/// latency to calls only, and a queue's textbook behaviour (M/M/c) holds
/// only if delivery adds nothing to the work. Set `latency_ms` for a hop
/// that costs time.
pub const LINK_LATENCY_MS: f64 = 0.0;
/// A request-reply caller waits this long for its reply when no timeout is set.
pub const REQUEST_REPLY_TIMEOUT_MS: f64 = 30_000.0;

pub const RETRY_ATTEMPTS: u32 = 3;
pub const RETRY_BASE_MS: f64 = 100.0;
pub const RETRY_MULTIPLIER: f64 = 2.0;
/// Saga compensations are retried this many times (attempts in all).
pub const COMPENSATION_ATTEMPTS: u32 = 3;

pub const BREAKER_FAILURE_RATE: f64 = 0.5;
pub const BREAKER_WINDOW: u32 = 100;
pub const BREAKER_MIN_CALLS: u32 = 100;
pub const BREAKER_OPEN_MS: f64 = 60_000.0;
pub const BREAKER_HALF_OPEN_CALLS: u32 = 10;
/// A time-based window's length: resilience4j's `slidingWindowSize` (100)
/// read as seconds, as its TIME_BASED type does.
pub const BREAKER_WINDOW_MS: f64 = 100_000.0;
/// Failures within a time-based window that open the breaker (the texts'
/// "after 5 failures in 30 s").
pub const BREAKER_MIN_FAILURES: u32 = 5;

/// Replicas: a probe every 10 s, out after 3 failures in a row
/// (Kubernetes' `periodSeconds` and `failureThreshold` defaults).
pub const HEALTH_CHECK_MS: f64 = 10_000.0;
pub const UNHEALTHY_AFTER: u32 = 3;
/// A probe not answered within 1 s fails (Kubernetes' `timeoutSeconds`).
pub const HEALTH_TIMEOUT_MS: f64 = 1_000.0;

/// Payload defaults (kB, headers included) of one call whose data is about
/// 1 kB as JSON; docs/FORMAT.md gives the sources. HTTP/1.1 headers are
/// ~0.8 kB (SPDY whitepaper: "typical header sizes of 700-800 bytes").
pub const REST_REQUEST_KB: f64 = 0.8;
pub const REST_RESPONSE_KB: f64 = 1.8;
/// The query text travels in every request; the answer has only the
/// fields asked for.
pub const GRAPHQL_REQUEST_KB: f64 = 1.3;
pub const GRAPHQL_RESPONSE_KB: f64 = 1.4;
/// A SOAP envelope around the same data as XML (~2.5x the JSON).
pub const SOAP_REQUEST_KB: f64 = 1.6;
pub const SOAP_RESPONSE_KB: f64 = 3.3;
/// Protobuf bodies (3-10x smaller than XML) under HPACK-compressed
/// HTTP/2 headers.
pub const GRPC_REQUEST_KB: f64 = 0.1;
pub const GRPC_RESPONSE_KB: f64 = 0.4;
/// A database: 10 connections (HikariCP's `maximumPoolSize` default), a
/// 2 ms query (an indexed read or a small write's commit), no replicas,
/// 100 ms replication lag (an asynchronous replica under load: PostgreSQL
/// streaming replication and MySQL replicas typically trail by tens to
/// hundreds of milliseconds), in the same datacenter as its callers.
pub const DATABASE_WORKERS: u32 = 10;
pub const DATABASE_WORK_MS: f64 = 2.0;
pub const DATABASE_REPLICAS: u32 = 0;
pub const REPLICATION_LAG_MS: f64 = 100.0;
pub const DATABASE_LATENCY_MS: f64 = 0.5;
/// A log topic's partitions when none are given.
pub const LOG_PARTITIONS: u32 = 1;
/// Kafka's `auto.commit.interval.ms`.
pub const COMMIT_EVERY_MS: f64 = 5_000.0;
/// Kafka's `session.timeout.ms` (since Kafka 3.0).
pub const SESSION_TIMEOUT_MS: f64 = 45_000.0;
/// How long an eager rebalance stops the whole group.
pub const REBALANCE_MS: f64 = 1_000.0;
/// Attempts at a log message whose processing fails before the consumer
/// skips it: Spring Kafka's `DefaultErrorHandler` (a `FixedBackOff` of 9
/// retries without delay, then the record is logged and skipped).
pub const LOG_ERROR_ATTEMPTS: u32 = 10;
/// SQS FIFO's deduplication interval: five minutes.
pub const DEDUP_WINDOW_MS: f64 = 300_000.0;
/// A binding without a pattern takes every message of a topic exchange.
pub const BIND_PATTERN: &str = "#";
/// WhatsApp keeps undelivered messages for 30 days: longer than any run.
pub const STORE_RETENTION_MS: f64 = 2_592_000_000.0;

/// Caps: past these a scenario is refused with a message, so a typo like
/// 10^9 requests per second cannot freeze a tab or exhaust memory.
pub mod caps {
    pub const NODES: usize = 500;
    pub const LINKS: usize = 2_000;
    pub const FAULTS: usize = 1_000;
    pub const CHANGES: usize = 1_000;
    pub const SCHEDULE_STEPS: usize = 1_000;
    pub const TEXT_CHARS: usize = 200;
    pub const ID_CHARS: usize = 64;
    /// One simulated day.
    pub const DURATION_MS: f64 = 86_400_000.0;
    /// Any `_ms` field: one simulated day.
    pub const ANY_MS: f64 = 86_400_000.0;
    pub const RATE_PER_S: f64 = 1_000_000.0;
    pub const WORKERS: u32 = 100_000;
    /// Replicas of one service (each is a node of the run).
    pub const REPLICAS: u32 = 1_000;
    /// Payload of one call or answer: 1 GB.
    pub const PAYLOAD_KB: f64 = 1_000_000.0;
    /// 1 Tbit/s.
    pub const BANDWIDTH_MBPS: f64 = 1_000_000.0;
    pub const POOL: u32 = 1_000_000;
    /// Calls or messages one request makes over one link (`count`).
    pub const COUNT: u32 = 1_000_000;
    pub const USERS: u64 = 1_000_000;
    pub const RETRY_ATTEMPTS: u32 = 20;
    pub const MAX_DELIVERIES: u32 = 1_000;
    pub const BREAKER_WINDOW: u32 = 100_000;
    pub const SLOW_FACTOR: f64 = 1_000.0;
    pub const KEYS: u32 = 1_000_000;
    pub const PARTITIONS: u32 = 1_000;
    pub const ROUTING_KEYS: usize = 100;
    /// AMQP routing keys and binding keys are short strings: 255 bytes.
    pub const KEY_BYTES: usize = 255;
    /// AMQP's `prefetch-count` is a 16-bit number.
    pub const PREFETCH: u32 = 65_535;
    /// Messages kept in all log topics at once; past it the run stops with
    /// an overload message (set a `retention_ms`).
    pub const LOG_ENTRIES: usize = 4_000_000;
    /// A push's store-and-forward retention: 30 days.
    pub const STORE_RETENTION_MS: f64 = super::STORE_RETENTION_MS;
    /// Overlapping `slow` faults multiply, up to this factor: a million
    /// times a day is still a finite time, and far past any run's end.
    pub const SLOW_PRODUCT: f64 = 1_000_000.0;
    /// Requests, messages and calls alive at once in one run. Past it the run
    /// stops with an overload error instead of eating the machine's memory.
    pub const LIVE_ITEMS: usize = 2_000_000;
    /// Events one run may process: about a minute of the engine's work
    /// natively, two in a browser. A run estimated above it is refused
    /// before it starts; a run that gets there (a retry storm) stops.
    pub const EVENTS: u64 = 1_000_000_000;
    /// Memory one run may hold, as the engine accounts for it.
    pub const MEMORY_BYTES: u64 = 1 << 30;
    /// Events at one instant of simulated time before the run is stopped
    /// as stuck: instant work that keeps multiplying.
    pub const EVENTS_AT_ONE_INSTANT: u64 = 10_000_000;
}
