//! Traces: the story of one client request, hop by hop.
//!
//! Keeping every hop of every request would cost memory proportional to the
//! run, so the engine keeps the hops of the most recent traces (a bounded
//! number chosen by [`super::SimOptions::keep_traces`]). Runs are
//! deterministic, so an older trace can always be rebuilt by replaying the
//! scenario with [`super::Sim::replay_trace`].

use serde::{Deserialize, Serialize};

/// What happened at one hop.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
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
    /// A database committed a write of the request's key.
    Write,
    /// A database answered a read of the request's key.
    Read,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Hop {
    pub at_ms: f64,
    pub kind: HopKind,
    /// Node id where it happened.
    pub node: String,
    /// Link id it travelled or was sent on, when there is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub link: Option<String>,
    /// A few words more ("attempt 2", "after 400 ms backoff").
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub detail: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
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
///
/// Trace ids are handed out in order (1, 2, 3, ...) as clients start
/// requests, so the most recent `keep` of them fit a ring indexed by
/// `id % keep`: a new trace takes over the slot of the one `keep` older,
/// reusing its buffer. Recording a hop is then one index, not a map lookup
/// and an allocation (which made traces cost more than the rest of the run).
#[derive(Clone, Debug, Default)]
pub(crate) struct TraceLog {
    keep: usize,
    /// Only this trace, when replaying for one.
    only: Option<u64>,
    /// The highest trace id seen start.
    newest: u64,
    slots: Vec<Slot>,
}

#[derive(Clone, Debug, Default)]
struct Slot {
    /// The trace held here; 0 (never a trace id) when empty.
    id: u64,
    hops: Vec<RawHop>,
}

/// A slot whose buffer grew past this (a retry storm) gives it back when reused.
const SLOT_KEEP_CAPACITY: usize = 256;

impl TraceLog {
    pub fn new(keep: usize) -> TraceLog {
        TraceLog { keep, slots: (0..keep).map(|_| Slot::default()).collect(), ..TraceLog::default() }
    }

    pub fn only(trace: u64) -> TraceLog {
        TraceLog { only: Some(trace), ..TraceLog::new(1) }
    }

    #[inline]
    pub fn enabled(&self) -> bool {
        self.keep > 0
    }

    #[inline]
    fn slot_of(&self, trace: u64) -> usize {
        (trace % self.keep as u64) as usize
    }

    pub fn record(&mut self, trace: u64, hop: RawHop) {
        if self.keep == 0 || self.only.is_some_and(|t| t != trace) {
            return;
        }
        let i = self.slot_of(trace);
        let slot = &mut self.slots[i];
        if slot.id == trace {
            slot.hops.push(hop);
            return;
        }
        // A trace we dropped already (or never saw start) is not revived,
        // except the very first hop of a new trace.
        if hop.kind != HopKind::Start && self.only.is_none() {
            return;
        }
        slot.id = trace;
        slot.hops.clear();
        if slot.hops.capacity() > SLOT_KEEP_CAPACITY {
            slot.hops.shrink_to(SLOT_KEEP_CAPACITY);
        }
        slot.hops.push(hop);
        self.newest = self.newest.max(trace);
    }

    pub fn get(&self, trace: u64) -> Option<&[RawHop]> {
        if self.keep == 0 || trace == 0 {
            return None;
        }
        let slot = &self.slots[self.slot_of(trace)];
        (slot.id == trace).then_some(slot.hops.as_slice())
    }

    /// Trace ids kept, newest last.
    pub fn ids(&self) -> impl Iterator<Item = u64> + '_ {
        let first = self.newest.saturating_sub(self.keep as u64).saturating_add(1).max(1);
        (first..=self.newest).filter(|&id| self.get(id).is_some())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hop(kind: HopKind, at_us: u64) -> RawHop {
        RawHop { at_us, kind, node: 0, link: NO_LINK, detail: 0 }
    }

    #[test]
    fn keeps_the_most_recent_traces_in_order() {
        let mut log = TraceLog::new(3);
        for id in 1..=5 {
            log.record(id, hop(HopKind::Start, id));
            log.record(id, hop(HopKind::End, id + 10));
        }
        assert_eq!(log.ids().collect::<Vec<_>>(), vec![3, 4, 5]);
        assert_eq!(log.get(1), None);
        assert_eq!(log.get(4).map(|h| h.len()), Some(2));
        // A late hop of a dropped trace does not take a slot back.
        log.record(2, hop(HopKind::Ack, 99));
        assert_eq!(log.get(2), None);
        assert_eq!(log.get(5).map(|h| h[1].kind), Some(HopKind::End));
    }

    #[test]
    fn replay_keeps_only_the_asked_trace() {
        let mut log = TraceLog::only(7);
        for id in 5..=9 {
            log.record(id, hop(HopKind::Start, id));
        }
        log.record(7, hop(HopKind::End, 20));
        assert_eq!(log.ids().collect::<Vec<_>>(), vec![7]);
        assert_eq!(log.get(7).map(|h| h.len()), Some(2));
    }

    #[test]
    fn keeping_none_records_nothing() {
        let mut log = TraceLog::new(0);
        log.record(1, hop(HopKind::Start, 0));
        assert!(!log.enabled());
        assert_eq!(log.get(1), None);
        assert_eq!(log.ids().count(), 0);
    }
}
