//! The run's state: nodes, links, requests and messages as the simulator
//! holds them. Plain data; the behaviour lives in the sibling modules.

use crate::engine::format::{Arrival, Dist, FaultKind, NodeKind, Persistence, Via};
use crate::engine::kernel::clock::Micros;
use crate::engine::kernel::idset::SeenIds;
use crate::engine::kernel::rng::Stream;
use crate::engine::kernel::slab::Key;
use crate::engine::links::breaker::{Breaker, Permit};
use crate::engine::links::retry::RetryPolicy;
use crate::engine::metrics::NodeMetrics;
use std::collections::{BTreeMap, VecDeque};

/// "No such index" for u32 fields.
pub const NONE: u32 = u32::MAX;

#[derive(Clone)]
pub struct NodeRt {
    pub id: String,
    pub kind: NodeKind,
    pub rng: Stream,
    /// Active crash faults: down while above 0.
    pub down: u32,
    /// Product of active `slow` factors.
    pub slow: f64,
    /// The error rate of the latest active `errors` fault.
    pub error_override: Option<f64>,
    pub metrics: NodeMetrics,
    /// Outgoing links in scenario order: the steps of each request here.
    pub out: Vec<u32>,
    pub rt: KindRt,
}

impl NodeRt {
    #[inline]
    pub fn is_down(&self) -> bool {
        self.down > 0
    }
}

#[derive(Clone)]
pub enum KindRt {
    Client(ClientRt),
    /// Services, sagas and websocket servers: workers, a backlog, steps.
    Worker(WorkerRt),
    Queue(QueueRt),
    Topic(TopicRt),
    Browser(BrowserRt),
    Exchange(super::exchanges::ExchangeRt),
}

/// What a request and every message it causes carry: its key and per-key
/// sequence number (Kafka's record key, SQS FIFO's message group), and
/// whether its work never ends (a poison message). Packed in one word, as
/// every job and message carries it: the key plus one in the top 20 bits
/// (0: no key; keys are capped below 2^20), the poison flag, then 43 bits
/// of sequence number.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Tag(u64);

const SEQ_BITS: u32 = 43;
const POISON: u64 = 1 << SEQ_BITS;
const KEY_SHIFT: u32 = SEQ_BITS + 1;

impl Tag {
    pub const NONE: Tag = Tag(0);

    pub fn new(key: u32, seq: u64, poison: bool) -> Tag {
        let key_bits = if key == NONE { 0 } else { (key as u64 + 1) << KEY_SHIFT };
        Tag(key_bits | (poison as u64) << SEQ_BITS | seq.min(POISON - 1))
    }

    /// The key's index, or NONE.
    #[inline]
    pub fn key(self) -> u32 {
        match self.0 >> KEY_SHIFT {
            0 => NONE,
            k => (k - 1) as u32,
        }
    }

    #[inline]
    pub fn seq(self) -> u64 {
        self.0 & (POISON - 1)
    }

    #[inline]
    pub fn poison(self) -> bool {
        self.0 & POISON != 0
    }
}

#[derive(Clone)]
pub struct ClientRt {
    /// Set with `set_rate`, which keeps `mean_gap_us` in step.
    pub rate_per_s: f64,
    /// 1e6 / `rate_per_s`: the mean gap, divided once per rate, not per arrival.
    pub mean_gap_us: f64,
    pub arrival: Arrival,
    /// `(from, rate)` steps, sorted by time.
    pub schedule: Vec<(Micros, f64)>,
    /// Bumped whenever the pending arrival must be forgotten.
    pub generation: u32,
    /// Keys requests draw from (0: none).
    pub keys: u32,
    pub poison_rate: f64,
    /// Draws keys and poison, apart from the arrival stream, so giving a
    /// client keys does not move its arrivals (common random numbers).
    pub tag_rng: Option<Box<Stream>>,
    /// Where in its microsecond the pending arrival falls, in 2^-32 us.
    pub fraction: u32,
}

impl ClientRt {
    pub fn set_rate(&mut self, rate_per_s: f64) {
        self.rate_per_s = rate_per_s;
        self.mean_gap_us = 1e6 / rate_per_s;
    }
}

#[derive(Clone)]
pub struct WorkerRt {
    /// `u32::MAX`: unbounded (sagas, websocket servers).
    pub workers: u32,
    pub busy: u32,
    pub backlog: VecDeque<Key>,
    pub backlog_cap: u64,
    pub work: Dist,
    pub error_rate: f64,
    pub idempotent: bool,
    /// Ids whose side effect ran here, when repeats are possible (only
    /// those that can still come back: see `dedup`).
    pub seen: Option<SeenIds>,
    /// Queues this node consumes, in link order: (queue node, consume link).
    pub consumes: Vec<(u32, u32)>,
    pub next_consume: usize,
    /// Some outgoing link writes to an outbox (checked before any work).
    pub has_outbox: bool,
    /// Outbox rows committed and not yet confirmed by the broker, by
    /// (job op, link).
    pub outbox: BTreeMap<(u64, u32), OutboxRow>,
    /// Work longer than this is killed as a failure.
    pub job_timeout_us: Option<Micros>,
    /// Log subscriptions this node is a member of: (topic, group, member).
    pub logs: Vec<(u32, u16, u16)>,
    /// Per-key order of completed work, when the scenario has keys.
    pub order: Option<Box<super::ordering::KeyOrder>>,
    /// Websocket servers: handshakes accepted per second (`u32::MAX`: no
    /// limit), and (second, accepted in it).
    pub accept_per_s: u32,
    pub accepted: (u64, u32),
    /// The key of each outbox row by its message id, so a confirm finds
    /// its row without walking them all.
    pub outbox_by_msg: BTreeMap<u64, (u64, u32)>,
}

impl WorkerRt {
    #[inline]
    pub fn has_free_worker(&self) -> bool {
        self.busy < self.workers && self.backlog.is_empty()
    }
}

/// A message written in the sender's transaction (outbox pattern), waiting
/// for the broker's confirm.
#[derive(Clone, Copy, Debug)]
pub struct OutboxRow {
    pub trace: u64,
    pub trace_start: Micros,
    /// The message's id: a resend carries the same one.
    pub msg_op: u64,
    pub tag: Tag,
    /// The routing key the first send took (a resend keeps it).
    pub rk: u32,
}

#[derive(Clone)]
pub struct QueueRt {
    pub ready: VecDeque<Key>,
    pub capacity: u64,
    pub max_deliveries: u32,
    pub dead_letter: u32,
    pub visibility_us: Option<Micros>,
    pub redelivery_us: Micros,
    pub persistence: Persistence,
    pub snapshot_us: Micros,
    /// Consumers: (worker node, consume link).
    pub consumers: Vec<(u32, u32)>,
    pub next_consumer: usize,
    pub unacked: u64,
    /// The topic whose durable subscription this hidden queue holds (NONE
    /// for a queue of the scenario).
    pub owner: u32,
    /// SQS FIFO state, for a FIFO queue.
    pub fifo: Option<Box<super::fifo::FifoRt>>,
    /// A hidden queue's length as last added into its topic's backlog.
    pub counted: u64,
}

#[derive(Clone)]
pub struct TopicRt {
    pub durable: bool,
    /// Per subscription: (subscribe link, hidden backlog queue node or NONE).
    pub subscriptions: Vec<(u32, u32)>,
    /// The partitions and consumer groups of a log topic.
    pub log: Option<Box<super::logs::LogRt>>,
}

#[derive(Clone)]
pub struct BrowserRt {
    pub users: u64,
    /// The websocket/SSE/poll servers linked to this browser: (node, link).
    pub servers: Vec<(u32, u32)>,
    /// Per user: index into `servers` of the connection, or NONE.
    pub conn: Vec<u32>,
    /// Per user: reconnect attempts since the last drop.
    pub attempts: Vec<u8>,
    /// Per server: open connections.
    pub per_server: Vec<u64>,
    /// Users connected to some server (the sum of `per_server`), kept so a
    /// reconnect does not count a million users.
    pub connected: u64,
    pub reconnect_us: Micros,
    /// Reconnect waits are jittered.
    pub jitter: bool,
    /// SSE: results held for disconnected users, replayed on reconnect
    /// (Last-Event-ID). (user, trace, origin start)
    pub held: BTreeMap<u64, Vec<(u64, Micros)>>,
    /// Poll: results waiting at a server for a user's next poll.
    pub pending_poll: BTreeMap<u64, Vec<(u64, Micros)>>,
    /// Users coming and going (online_ms / offline_ms).
    pub presence: Option<Box<super::presence::PresenceRt>>,
    /// Pushes held for offline users (store-and-forward links).
    pub store: Option<Box<super::store_forward::StoreRt>>,
    /// Results in `held` and `pending_poll` (for the memory guard).
    pub waiting_results: u64,
}

#[derive(Clone)]
pub struct LinkRt {
    pub id: String,
    pub via: Via,
    pub from: u32,
    pub to: u32,
    pub latency: Dist,
    pub timeout_us: Option<Micros>,
    pub retry: RetryPolicy,
    pub breaker: Option<Breaker>,
    pub optional: bool,
    pub outbox: bool,
    pub interval_us: Micros,
    pub rng: Stream,
    /// Active partitions covering this link.
    pub partitioned: u32,
    /// Product of active `slow` factors on this link.
    pub slow: f64,
    /// `consume`: deliveries the consumer may hold unacked (None: its workers).
    pub prefetch: Option<u32>,
    /// `consume` with a prefetch: deliveries it holds now.
    pub unacked: u32,
    /// `consume` with its own `redelivery_delay_ms`: the wait after its nacks.
    pub redelivery_us: Option<Micros>,
    /// `publish` into an exchange: routing key indices with cumulative weights.
    pub routing: Option<Box<[(u32, f64)]>>,
    /// `push` with store-and-forward: how long a held push is kept.
    pub store_us: Option<Micros>,
    /// A message sent over it needs a broker's attention at the sender: a
    /// routing key to draw, or a FIFO queue's deduplication id.
    pub keyed_send: bool,
    /// The ledger's row for this link.
    pub ledger: crate::engine::report::MessageCounts,
    /// `consume`: the queue's deliveries to this consumer, by how the
    /// consumer ended them (the message itself is in the ledger's row of
    /// the link into the queue). Empty on other links.
    pub deliveries: crate::engine::report::MessageCounts,
}

/// Who is waiting for a job's answer.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Origin {
    /// A client's own request: the user waits.
    Root,
    /// One attempt of a synchronous call from `caller` (http, grpc, saga step).
    Call { caller: Key, seq: u32, link: u32 },
    /// A queue delivery, acked or nacked when done.
    Delivery { msg: Key, delivery: u32, link: u32 },
    /// A pub/sub copy or a push: nobody waits for the answer.
    Copy { link: u32 },
    /// One call of a fan-out (`count`), made for `parent` at its node.
    Branch { parent: Key },
    /// A log message read by a consumer group member (`epoch` tells a
    /// stale read from the current one).
    Log { topic: u32, group: u16, partition: u16, epoch: u32, link: u32 },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Phase {
    /// Travelling to its node.
    Transit,
    /// In the backlog.
    Waiting,
    Working,
    /// Waiting for a synchronous call's answer.
    Calling,
    /// Waiting to retry a call.
    Backoff,
    /// Waiting for a request-reply answer with its worker released.
    Parked,
    /// Waiting for every call of a fan-out (`call.attempts`: how many are
    /// still going, `call.last`: the first failure).
    Gathering,
}

/// How an answer or a whole request ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    Ok,
    Error,
    Timeout,
    Rejected,
}

/// The synchronous call a job is making (one at a time: calls run in order).
#[derive(Clone, Copy, Debug, Default)]
pub struct CallState {
    pub link: u32,
    /// Attempts made so far.
    pub attempts: u32,
    /// Identifies the current attempt; answers and timeouts must match it.
    pub seq: u32,
    pub permit: Option<Permit>,
    pub prev_backoff_ms: f64,
    /// The current attempt's message is already in the ledger.
    pub accounted: bool,
    /// The idempotency key of the call, the same for every attempt.
    pub op: u64,
    /// Compensating saga step (undo) rather than doing it.
    pub compensating: bool,
    /// The last attempt's outcome, for the caller's own.
    pub last: Option<Outcome>,
    /// The current attempt holds a slot of its link's pool.
    pub pooled: bool,
}

#[derive(Clone)]
pub struct Job {
    pub node: u32,
    pub trace: u64,
    /// When the trace started at its client (for end-to-end latency).
    pub trace_start: Micros,
    /// Idempotency key of what this job does (repeats share it).
    pub op: u64,
    pub origin: Origin,
    pub arrived: Micros,
    pub phase: Phase,
    /// Index of the next outgoing link to run.
    pub step: u32,
    /// Holds one of its node's workers.
    pub holds_worker: bool,
    /// A queue delivery that reserved its worker before arriving.
    pub reserved: bool,
    pub call: CallState,
    /// An optional call failed: the answer is degraded, not failed.
    pub degraded: bool,
    /// Saga: the step that failed, once compensating.
    pub saga_failed_at: u32,
    /// Token slot while travelling, for drawing.
    pub token: u32,
    pub tag: Tag,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MsgState {
    Transit,
    Ready,
    Unacked,
    /// Waiting out a redelivery delay.
    Delayed,
}

#[derive(Clone)]
pub struct Msg {
    pub queue: u32,
    pub trace: u64,
    pub trace_start: Micros,
    pub op: u64,
    pub enqueued: Micros,
    pub deliveries: u32,
    pub state: MsgState,
    /// When the broker's persistence makes it survive a crash.
    pub durable_at: Micros,
    /// The link it travels or travelled over (enqueue, subscribe).
    pub link: u32,
    /// The node that sent it (NONE for a dead-lettered or relayed copy).
    pub sender: u32,
    /// Sent through the sender's outbox: the broker confirms it back.
    pub outbox: bool,
    /// Request-reply: the caller and attempt waiting for the answer.
    pub reply_to: Option<(Key, u32, u32)>,
    /// Already counted dead-lettered: what happens in the DLQ is not the ledger's.
    pub dead: bool,
    pub token: u32,
    pub tag: Tag,
    /// Routing key index (exchanges), or NONE for the empty key.
    pub rk: u32,
}

/// A fault as it runs.
#[derive(Clone)]
pub struct FaultRt {
    pub target: Target,
    pub kind: FaultKind,
    pub factor: f64,
    pub rate: f64,
    pub active: bool,
    /// A placeholder that never starts (keeps indices equal to `faults`).
    pub cancelled: bool,
    /// When it starts and, if it does, ends.
    pub start_at: Micros,
    pub end_at: Option<Micros>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Target {
    Node(u32),
    Link(u32),
    /// One replica of a service (`svc#2`), by its node in the run.
    Replica(u32),
    /// Every node of a region (`region:eu`), by its index in the run.
    Region(u32),
}
