//! What the app draws while a run goes: tokens travelling along links and the
//! live state of each node. Plain data, read from a [`super::Sim`] each frame.

use serde::{Deserialize, Serialize};

/// What a token on a link is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TokenKind {
    /// A call on its way to the callee.
    Request,
    /// An answer on its way back to the caller.
    Response,
    /// A queued, published or pushed message.
    Message,
}

/// How the thing a token carries is going, for its colour.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TokenTone {
    /// Not decided yet (requests, messages).
    Pending,
    /// A successful answer or a delivery.
    Ok,
    /// An error answer or a refusal.
    Error,
    /// A retry of an earlier attempt.
    Retry,
    /// A message being dead-lettered.
    DeadLetter,
}

/// One thing in flight on a link.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Token {
    /// Index of the link in `scenario.links`.
    pub link: u32,
    /// Fraction of the way travelled, 0..=1, measured from the link's `from`
    /// node to its `to` node (a response travels from 1 back to 0).
    pub progress: f32,
    /// Whether it travels from `to` back to `from` (answers).
    pub backwards: bool,
    pub kind: TokenKind,
    pub tone: TokenTone,
    /// The trace it belongs to (clicking a token opens it).
    pub trace: u64,
    /// The key it carries (`u32::MAX` without one): tokens of one key share a colour.
    pub key: u32,
}

/// Circuit breaker states, as resilience4j names them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BreakerState {
    Closed,
    Open,
    HalfOpen,
}

impl BreakerState {
    pub fn as_str(self) -> &'static str {
        match self {
            BreakerState::Closed => "closed",
            BreakerState::Open => "open",
            BreakerState::HalfOpen => "half_open",
        }
    }
}

/// A node as it is right now.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct NodeLive {
    /// Busy workers (services, sagas), 0 for other kinds.
    pub busy: u32,
    /// Workers (0 when the kind has none or they are unbounded).
    pub workers: u32,
    /// Waiting items: a service's backlog, a queue's ready messages, a
    /// durable topic's backlog, a browser's disconnected users.
    pub waiting: u64,
    /// Messages handed to consumers and not yet acknowledged (queues).
    pub unacked: u64,
    /// Open connections (websocket servers, browsers).
    pub connections: u64,
    /// Down because of a crash fault.
    pub crashed: bool,
    /// Slowed down or erroring because of a fault.
    pub degraded: bool,
    /// A log topic: lag per partition now (the largest of its groups').
    pub partition_lag: Vec<u64>,
    /// A log topic: each consumer group's lag now, in the order of
    /// `format::groups::consumer_groups`.
    pub group_lag: Vec<u64>,
    /// A replicated service's replicas, replica 1 first (empty otherwise).
    pub replicas: Vec<ReplicaLive>,
    /// A database, or a node that reads one: stale reads so far.
    #[serde(default)]
    pub stale_reads: Option<u64>,
}

/// One replica as it is right now.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ReplicaLive {
    pub busy: u32,
    pub waiting: u64,
    /// Requests its balancer sent that have not finished.
    pub outstanding: u64,
    pub crashed: bool,
    /// Whether the balancer sends to it (its health checks pass).
    pub in_rotation: bool,
    /// Health checks failed in a row now (it leaves rotation at the
    /// service's `unhealthy_after`).
    #[serde(default)]
    pub failing_checks: u32,
}

/// A link as it is right now.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LinkLive {
    pub breaker: Option<BreakerState>,
    pub partitioned: bool,
}

/// Something that set off along a link: what the app animates. Most hops
/// take a millisecond or less of simulated time, far below one frame at any
/// useful speed, so the app draws each departure for a visible moment
/// rather than only what happens to be in flight when a frame is drawn.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Departure {
    /// Index of the link in `scenario.links`.
    pub link: u32,
    /// When it left, microseconds of simulated time.
    pub at_us: u64,
    /// How long it travels, microseconds (0 for an instant hop).
    pub travel_us: u64,
    /// Whether it travels from `to` back to `from` (answers).
    pub backwards: bool,
    pub kind: TokenKind,
    pub tone: TokenTone,
    pub trace: u64,
    /// The key it carries (`u32::MAX` without one).
    pub key: u32,
}
