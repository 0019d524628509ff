//! SQS FIFO queues: order per message group, exactly-once enqueue.
//!
//! A message's key is its message group id (keyless messages share one
//! group). Messages of a group are delivered in the order they arrived,
//! and while one of them is in flight (delivered and not yet acked, or
//! waiting out a redelivery) no other message of that group is delivered:
//! other groups keep flowing, and a message that keeps failing blocks its
//! own group until it is dead-lettered (head-of-line blocking). A message
//! that comes back goes to the head of its group.
//!
//! A resend of a message already accepted within `dedup_window_ms` (SQS's
//! five minutes) is accepted and not enqueued again: `deduplicated`. The
//! deduplication id is the message's id: an outbox relay resends the same
//! id, and so does a request that is retried or redelivered upstream and
//! sends again over the same link (the id of the request's work and the
//! link, as a producer would set `MessageDeduplicationId`).

use super::model::*;
use super::Sim;
use crate::engine::kernel::clock::Micros;
use crate::engine::kernel::idset::IdSet;
use crate::engine::kernel::slab::Key;
use std::collections::VecDeque;

/// A FIFO queue's groups in flight and its deduplication window. Sets are
/// only asked for membership, never iterated, so their layout cannot leak
/// into a run.
pub struct FifoRt {
    /// Groups with a message in flight (by key index; NONE for keyless).
    pub busy: IdSet,
    window_us: Micros,
    /// Deduplication ids accepted within the window, oldest first.
    accepted: IdSet,
    by_time: VecDeque<(Micros, u64)>,
}

impl FifoRt {
    pub fn new(window_us: Micros) -> FifoRt {
        FifoRt { busy: IdSet::default(), window_us, accepted: IdSet::default(), by_time: VecDeque::new() }
    }

    /// Whether a message with id `op` arriving at `now` is a resend.
    pub fn is_resend(&mut self, op: u64, now: Micros) -> bool {
        // An id leaves the window before it can be accepted again, so the
        // queue of acceptances never holds one id twice.
        while let Some(&(at, id)) = self.by_time.front() {
            if now.saturating_sub(at) < self.window_us {
                break;
            }
            self.by_time.pop_front();
            self.accepted.remove(&id);
        }
        if !self.accepted.insert(op) {
            return true;
        }
        self.by_time.push_back((now, op));
        false
    }
}

/// The id of a message a job sends into a FIFO queue over `link`: the same
/// for every resend of that job's work (above any id `new_op` hands out).
pub(super) fn dedup_id(job_op: u64, link: u32) -> u64 {
    (1 << 63) | (job_op << 16) | (link as u64 & 0xffff)
}

fn group(sim: &Sim, mk: Key) -> u32 {
    sim.msgs.get(mk).map(|m| m.tag.key()).unwrap_or(NONE)
}

/// The position in `ready` of the first message whose group is free.
pub(super) fn next_ready(sim: &Sim, q: &QueueRt) -> Option<usize> {
    let f = q.fifo.as_ref()?;
    q.ready.iter().position(|mk| !f.busy.contains(&(group(sim, *mk) as u64)))
}

/// Message `mk` of queue `qi` is in flight: its group waits.
pub(super) fn taken(sim: &mut Sim, qi: u32, mk: Key) {
    let g = group(sim, mk);
    if let KindRt::Queue(q) = &mut sim.nodes[qi as usize].rt {
        if let Some(f) = &mut q.fifo {
            f.busy.insert(g as u64);
        }
    }
}

/// Message `mk` of queue `qi` is no longer in flight (acked, back in the
/// queue, or dead-lettered): its group may go on.
pub(super) fn released(sim: &mut Sim, qi: u32, mk: Key) {
    if !matches!(&sim.nodes[qi as usize].rt, KindRt::Queue(q) if q.fifo.is_some()) {
        return;
    }
    let g = group(sim, mk);
    if let KindRt::Queue(q) = &mut sim.nodes[qi as usize].rt {
        if let Some(f) = &mut q.fifo {
            f.busy.remove(&(g as u64));
        }
    }
}
