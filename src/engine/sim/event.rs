//! The events of a run. Small `Copy` values: everything bigger lives in the
//! slabs and is referred to by key, so the heap stays compact and nothing
//! allocates per event.

use super::model::Outcome;
use crate::engine::kernel::slab::Key;

#[derive(Clone, Copy, Debug)]
pub enum Ev {
    /// A client's next request (ignored if `generation` is stale).
    ClientNext {
        node: u32,
        generation: u32,
    },
    /// A client's rate changes to schedule step `step`.
    ClientRate {
        node: u32,
        step: u32,
    },
    /// A request reaches its node.
    JobArrive {
        job: Key,
    },
    /// A worker finishes a request's own work.
    WorkDone {
        job: Key,
    },
    /// An answer reaches the caller.
    Reply {
        job: Key,
        seq: u32,
        outcome: Outcome,
        token: u32,
    },
    /// The caller stops waiting for attempt `seq`.
    CallTimeout {
        job: Key,
        seq: u32,
    },
    /// The caller retries after its backoff.
    Retry {
        job: Key,
        seq: u32,
    },
    /// A message reaches its queue (or topic).
    MsgArrive {
        msg: Key,
    },
    /// A nacked message's redelivery delay is over.
    MsgReady {
        msg: Key,
    },
    /// Delivery `delivery` of a message was not acked in time.
    Visibility {
        msg: Key,
        delivery: u32,
    },
    /// The broker confirms an outboxed message: the sender's relay marks it sent.
    OutboxConfirm {
        node: u32,
        op: u64,
    },
    /// A push, SSE event or poll answer reaches a user.
    PushArrive {
        push: Key,
    },
    /// A disconnected user tries to reconnect.
    Reconnect {
        browser: u32,
        user: u32,
    },
    /// A user polls its server.
    Poll {
        browser: u32,
        user: u32,
    },
    /// A request-reply answer reaches the waiting caller (on node `from`).
    ReplyBack {
        job: Key,
        seq: u32,
        outcome: Outcome,
        token: u32,
        from: u32,
    },
    FaultStart {
        fault: u32,
    },
    FaultEnd {
        fault: u32,
    },
    /// A scheduled change (`scenario.changes[change]`) takes effect.
    Change {
        change: u32,
    },
    /// Closes the metrics buckets.
    Tick,
    /// A health-check round of replica set `set`.
    HealthCheck {
        set: u32,
    },
    /// The probe of replica `replica` (position in its set) sent at the
    /// last check did not answer within the probe timeout.
    ProbeTimeout {
        set: u32,
        replica: u32,
    },
    /// Events of the brokers' features (kept in one variant, out of the
    /// way of the events every run has).
    Broker(BrokerEv),
}

/// Events only scenarios with broker features schedule.
#[derive(Clone, Copy, Debug)]
pub enum BrokerEv {
    /// A job's work ran past its node's `job_timeout_ms`: it is killed.
    JobTimeout { job: Key },
    /// A log topic deletes what is older than its retention.
    LogExpire { topic: u32 },
    /// An eager rebalance of a consumer group ends: partitions are assigned.
    RebalanceEnd { topic: u32, group: u16, generation: u32 },
    /// A crashed group member's session runs out (ignored if it came back).
    SessionTimeout { topic: u32, group: u16, member: u16, epoch: u32 },
    /// A group member with `commit: auto` commits its offsets.
    AutoCommit { topic: u32, group: u16, member: u16 },
    /// A user of a browser node goes offline or comes back (presence).
    Presence { browser: u32, user: u32 },
}

impl Ev {
    /// The words the run hash folds for this event.
    #[inline]
    pub fn hash_words(&self) -> (u64, u64) {
        match *self {
            Ev::ClientNext { node, generation } => (1, ((node as u64) << 32) | generation as u64),
            Ev::ClientRate { node, step } => (2, ((node as u64) << 32) | step as u64),
            Ev::JobArrive { job } => (3, job.word()),
            Ev::WorkDone { job } => (4, job.word()),
            Ev::Reply { job, seq, outcome, .. } => (5 | (outcome as u64) << 8 | (seq as u64) << 16, job.word()),
            Ev::CallTimeout { job, seq } => (6 | (seq as u64) << 16, job.word()),
            Ev::Retry { job, seq } => (7 | (seq as u64) << 16, job.word()),
            Ev::MsgArrive { msg } => (8, msg.word()),
            Ev::MsgReady { msg } => (9, msg.word()),
            Ev::Visibility { msg, delivery } => (10 | (delivery as u64) << 16, msg.word()),
            Ev::OutboxConfirm { node, op } => (11 | (node as u64) << 16, op),
            Ev::PushArrive { push } => (12, push.word()),
            Ev::Reconnect { browser, user } => (13, ((browser as u64) << 32) | user as u64),
            Ev::Poll { browser, user } => (14, ((browser as u64) << 32) | user as u64),
            Ev::ReplyBack { job, seq, outcome, .. } => (15 | (outcome as u64) << 8 | (seq as u64) << 16, job.word()),
            Ev::FaultStart { fault } => (16, fault as u64),
            Ev::FaultEnd { fault } => (17, fault as u64),
            Ev::Tick => (18, 0),
            Ev::Change { change } => (19, change as u64),
            Ev::HealthCheck { set } => (26, set as u64),
            Ev::ProbeTimeout { set, replica } => (27 | (replica as u64) << 16, set as u64),
            Ev::Broker(b) => b.hash_words(),
        }
    }
}

impl BrokerEv {
    #[inline]
    pub fn hash_words(&self) -> (u64, u64) {
        match *self {
            BrokerEv::JobTimeout { job } => (20, job.word()),
            BrokerEv::LogExpire { topic } => (21, topic as u64),
            BrokerEv::RebalanceEnd { topic, group, generation } => {
                (22 | (group as u64) << 16, ((topic as u64) << 32) | generation as u64)
            }
            BrokerEv::SessionTimeout { topic, group, member, epoch } => {
                (23 | (group as u64) << 16 | (member as u64) << 32, ((topic as u64) << 32) | epoch as u64)
            }
            BrokerEv::AutoCommit { topic, group, member } => {
                (24 | (group as u64) << 16 | (member as u64) << 32, topic as u64)
            }
            BrokerEv::Presence { browser, user } => (25, ((browser as u64) << 32) | user as u64),
        }
    }
}
