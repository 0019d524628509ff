//! Traces: the story of one client request, hop by hop.
//!
//! Keeping every hop of every request would cost memory proportional to the
//! run, so the engine keeps the hops of the most recent traces (a bounded
//! number chosen by [`super::SimOptions::keep_traces`]). Runs are
//! deterministic, so an older trace can always be rebuilt by replaying the
//! scenario with [`super::Sim::replay_trace`].

use serde::Serialize;
use std::collections::{BTreeMap, VecDeque};

/// What happened at one hop.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum HopKind {
    /// A client sent the request.
    Start,
    /// A call or message left over a link.
    Send,
    /// It reached a node.
    Arrive,
    /// Waiting in a backlog or queue.
    Wait,
    /// A worker started on it.
    Work,
    /// The node finished its work and answered well.
    Ok,
    /// The node answered with an error.
    Error,
    /// Refused (backlog or queue full, node down, breaker open).
    Reject,
    /// The caller gave up waiting.
    Timeout,
    /// The caller will try again after a backoff.
    Retry,
    /// A queue handed a message to a consumer.
    Deliver,
    Ack,
    Nack,
    DeadLetter,
    Drop,
    /// Lost in a crash.
    Lost,
    /// A saga step being undone.
    Compensate,
    /// A result reached a user's browser.
    Push,
    /// Done, as the client saw it.
    End,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Hop {
    pub at_ms: f64,
    pub kind: HopKind,
    /// Node id where it happened.
    pub node: String,
    /// Link id it travelled or was sent on, when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub link: Option<String>,
    /// A few words more ("attempt 2", "after 400 ms backoff").
    #[serde(skip_serializing_if = "String::is_empty")]
    pub detail: String,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Trace {
    pub id: u64,
    pub hops: Vec<Hop>,
}

/// A hop as recorded while running: indices, not strings.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct RawHop {
    pub at_us: u64,
    pub kind: HopKind,
    pub node: u32,
    pub link: u32,
    pub detail: u32,
}

pub(crate) const NO_LINK: u32 = u32::MAX;

/// The hops of the most recent `keep` traces.
#[derive(Debug, Default)]
pub(crate) struct TraceLog {
    keep: usize,
    /// Only this trace, when replaying for one.
    only: Option<u64>,
    order: VecDeque<u64>,
    hops: BTreeMap<u64, Vec<RawHop>>,
}

impl TraceLog {
    pub fn new(keep: usize) -> TraceLog {
        TraceLog { keep, ..TraceLog::default() }
    }

    pub fn only(trace: u64) -> TraceLog {
        TraceLog { keep: 1, only: Some(trace), ..TraceLog::default() }
    }

    #[inline]
    pub fn enabled(&self) -> bool {
        self.keep > 0
    }

    pub fn record(&mut self, trace: u64, hop: RawHop) {
        if self.keep == 0 || self.only.is_some_and(|t| t != trace) {
            return;
        }
        if let Some(v) = self.hops.get_mut(&trace) {
            v.push(hop);
            return;
        }
        // A trace we dropped already (or never saw start) is not revived,
        // except the very first hop of a new trace.
        if hop.kind != HopKind::Start && self.only.is_none() {
            return;
        }
        if self.order.len() >= self.keep {
            if let Some(old) = self.order.pop_front() {
                self.hops.remove(&old);
            }
        }
        self.order.push_back(trace);
        self.hops.insert(trace, vec![hop]);
    }

    pub fn get(&self, trace: u64) -> Option<&[RawHop]> {
        self.hops.get(&trace).map(|v| v.as_slice())
    }

    /// Trace ids kept, newest last.
    pub fn ids(&self) -> impl Iterator<Item = u64> + '_ {
        self.order.iter().copied()
    }
}
