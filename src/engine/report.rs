//! What a run reports: the runner's `--json` shape (MODEL.md) and what the
//! app's results panel reads. Plain data, serializable.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Report {
    /// 16 hex digits over the event trace: same scenario + seed = same hash.
    pub run_hash: String,
    /// Events processed.
    pub events: u64,
    /// Simulated time reached, ms.
    pub sim_ms: f64,
    pub seed: u64,
    /// Whether the run reached its end.
    pub finished: bool,
    pub nodes: BTreeMap<String, NodeReport>,
    pub messages: MessageCounts,
    /// Client requests, end to end.
    pub requests: RequestCounts,
    /// Circuit breakers by link id.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub breakers: BTreeMap<String, BreakerReport>,
    /// Why the run stopped early, if it did (an overload).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stopped: Option<String>,
    /// Consumer groups of log topics, in topic and group order.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub groups: Vec<GroupReport>,
    /// Messages and calls between regions; only for scenarios with regions.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub regions: Option<RegionReport>,
    /// Each link's row of the ledger, by link id.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub links: BTreeMap<String, LinkReport>,
}

/// One link's figures: its messages and call attempts by how they ended,
/// and on a link with a `count`, its fan-out.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct LinkReport {
    pub messages: MessageCounts,
    /// On a `consume` link: the queue's deliveries to its consumer (each
    /// redelivery again), by how the consumer ended them. Its `messages`
    /// stay empty: a queued message is counted on the link into the queue.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub deliveries: Option<MessageCounts>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fan_out: Option<FanOutReport>,
}

/// A counted link's fan-out so far.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct FanOutReport {
    /// Requests that reached the link (each drew its count).
    pub requests: u64,
    /// Calls or messages they made over it (first attempts; retries are in
    /// `messages`).
    pub made: u64,
    /// `made / requests`: calls or messages per request (0 before any).
    pub mean: f64,
}

/// How much of a run's traffic crossed between regions.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct RegionReport {
    /// Messages and call attempts sent over any link.
    pub sent: u64,
    /// Those sent over a link between nodes of two different regions.
    pub crossed: u64,
    /// `crossed / sent` (0 when nothing was sent): the cross-region share.
    pub share: f64,
    /// The links that cross regions, in scenario order.
    pub links: Vec<String>,
    /// The regions the scenario names, sorted.
    pub regions: Vec<String>,
}

impl Report {
    /// The consumer group `group` of log topic `topic`.
    pub fn group(&self, topic: &str, group: &str) -> Option<&GroupReport> {
        self.groups.iter().find(|g| g.topic == topic && g.group == group)
    }
}

/// A consumer group of a log topic.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct GroupReport {
    pub topic: String,
    pub group: String,
    /// Subscribe links in the group, and how many are in it and up now.
    pub members: u32,
    pub live_members: u32,
    pub partitions: u32,
    /// Messages appended and not yet committed by the group (Kafka's
    /// consumer lag), over time and now.
    pub lag: MeanMax,
    pub lag_now: u64,
    /// Per-partition lag now, and each partition's owner (a link id, or "").
    pub partition_lag: Vec<u64>,
    pub owners: Vec<String>,
    /// Mean lag per bucket (when series are kept).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub series: Vec<f64>,
}

/// Every message or call attempt sent over a link ends in exactly one of
/// these states; `sent` is their sum.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MessageCounts {
    pub sent: u64,
    pub delivered: u64,
    pub failed: u64,
    pub timed_out: u64,
    pub rejected: u64,
    pub dead_lettered: u64,
    pub dropped: u64,
    pub lost: u64,
    /// Deleted by a log's retention before their consumer group read them.
    pub expired: u64,
    /// Resends a FIFO queue accepted without enqueuing them again.
    pub deduplicated: u64,
    pub in_flight: u64,
    /// Side effects executed twice for one id on a non-idempotent service.
    pub duplicates: u64,
}

/// The end states of the ledger, to count one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum End {
    Delivered,
    Failed,
    TimedOut,
    Rejected,
    DeadLettered,
    Dropped,
    Lost,
    Expired,
    Deduplicated,
}

impl MessageCounts {
    /// Counts one message ending in `end`.
    #[inline]
    pub fn end(&mut self, end: End) {
        match end {
            End::Delivered => self.delivered += 1,
            End::Failed => self.failed += 1,
            End::TimedOut => self.timed_out += 1,
            End::Rejected => self.rejected += 1,
            End::DeadLettered => self.dead_lettered += 1,
            End::Dropped => self.dropped += 1,
            End::Lost => self.lost += 1,
            End::Expired => self.expired += 1,
            End::Deduplicated => self.deduplicated += 1,
        }
    }

    /// Adds `other` (a row) into these counts (a total).
    pub fn add(&mut self, other: &MessageCounts) {
        self.sent += other.sent;
        self.delivered += other.delivered;
        self.failed += other.failed;
        self.timed_out += other.timed_out;
        self.rejected += other.rejected;
        self.dead_lettered += other.dead_lettered;
        self.dropped += other.dropped;
        self.lost += other.lost;
        self.expired += other.expired;
        self.deduplicated += other.deduplicated;
        self.in_flight += other.in_flight;
        self.duplicates += other.duplicates;
    }

    /// Messages in a final state (everything but `in_flight`).
    pub fn ended(&self) -> u64 {
        self.delivered
            + self.failed
            + self.timed_out
            + self.rejected
            + self.dead_lettered
            + self.dropped
            + self.lost
            + self.expired
            + self.deduplicated
    }

    /// The sum of the end states, in flight included (must equal `sent`).
    pub fn accounted(&self) -> u64 {
        self.ended() + self.in_flight
    }
}

/// Requests started by clients, by how they ended for the user.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestCounts {
    pub started: u64,
    pub ok: u64,
    /// Ended with an error, rejected calls included.
    pub failed: u64,
    pub timed_out: u64,
    pub in_flight: u64,
}

impl RequestCounts {
    /// Adds `other` (a client's row) into these counts (a total).
    pub fn add(&mut self, other: &RequestCounts) {
        self.started += other.started;
        self.ok += other.ok;
        self.failed += other.failed;
        self.timed_out += other.timed_out;
        self.in_flight += other.in_flight;
    }
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Percentiles {
    pub mean: f64,
    pub p50: f64,
    pub p95: f64,
    pub p99: f64,
    pub max: f64,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Mean {
    pub mean: f64,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct MeanMax {
    pub mean: f64,
    pub max: f64,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct NodeReport {
    pub kind: String,
    pub label: String,
    /// Requests or messages that reached the node.
    pub arrivals: u64,
    /// Finished well (a service's ok answers, a queue's acked messages).
    pub completed: u64,
    /// Finished badly (errors, dead-lettered or dropped messages).
    pub failed: u64,
    /// Refused on arrival (full backlog or queue, node down).
    pub rejected: u64,
    /// Lost in a crash.
    pub lost: u64,
    /// Work finished after the caller had given up.
    pub wasted: u64,
    /// Side effects executed twice for one id (non-idempotent services).
    pub duplicates: u64,
    /// Redelivered ids an idempotent service recognised and skipped.
    pub deduplicated: u64,
    /// Arrival to completion at this node.
    pub latency_ms: Percentiles,
    /// Waiting for a worker, or in a queue, before service.
    pub wait_ms: Mean,
    /// Waiting items (backlog or ready messages), time-weighted.
    pub queue_len: MeanMax,
    /// Busy workers over all workers, time-weighted (0 for nodes without workers).
    pub utilization: f64,
    /// The ledger's rows: messages and call attempts sent to this node (over
    /// the links that end here), by how they ended. Summed over the nodes
    /// they are the report's `messages`; `duplicates` are this node's own.
    pub messages: MessageCounts,
    /// A client's requests by how they ended for its users (summed over the
    /// clients: the report's `requests`); `None` for other kinds.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub requests: Option<RequestCounts>,
    /// Kind-specific figures (a browser's connected users, a saga's
    /// compensations, a queue's acknowledged-then-lost messages...).
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub extra: BTreeMap<String, f64>,
    /// A replicated service's replicas, replica 1 first (the node's own
    /// figures are their sums); empty for everything else.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub replicas: Vec<ReplicaReport>,
}

/// One replica of a replicated service.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ReplicaReport {
    /// `svc#1`, `svc#2`...
    pub id: String,
    pub arrivals: u64,
    pub completed: u64,
    pub failed: u64,
    pub rejected: u64,
    pub lost: u64,
    pub latency_ms: Percentiles,
    pub queue_len: MeanMax,
    pub utilization: f64,
    /// Requests the balancer sent that have not finished, now.
    pub outstanding: u64,
    /// Whether the balancer sends to it now (health checks).
    pub in_rotation: bool,
    /// Down now (a crash fault).
    pub crashed: bool,
    /// Health checks it failed over the run (refused, timed out, erred).
    #[serde(default)]
    pub checks_failed: u64,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct BreakerReport {
    /// `closed`, `open` or `half_open` now.
    pub state: String,
    /// Calls refused while open.
    pub rejected: u64,
    /// Every change, as (ms, new state).
    pub transitions: Vec<(f64, String)>,
}

/// One second of simulated time at one node, for the app's charts.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Bucket {
    /// Start of the bucket, in whole seconds.
    pub t_s: u32,
    /// Completions in this second.
    pub throughput: u32,
    pub errors: u32,
    /// 99th percentile latency of completions in this second, ms.
    pub p99_ms: f64,
    /// Mean waiting items over this second.
    pub queue_len: f64,
}
