//! The memory a run holds, as the engine accounts for it: every event
//! waiting, request, message, remembered id, outbox row, result held for a
//! user and user of a browser node, at a fixed size each. Stale timers (a
//! one-day timeout left behind by every call) and held results are memory
//! the count of live requests does not see.
//!
//! The sizes are fixed numbers rather than `size_of`, so a run stops at the
//! same event natively and in wasm32; they are at least the native sizes (a
//! test checks), so the accounting errs on the safe side.

use super::event::Ev;
use super::guards::{at, busiest, holder, named, CHECK_EVERY};
use super::model::*;
use super::Sim;
use crate::engine::budget::{self, count, EVENT_BYTES, USER_BYTES};
use crate::engine::format::Via;
use crate::engine::kernel::clock::us_to_ms;

/// Memory is accounted every this many guard checks (it walks every node).
const MEMORY_EVERY: u64 = 64;

/// Bytes counted per live item: at least their native sizes (a test
/// checks), so the accounting errs on the safe side.
pub(super) const JOB_BYTES: u64 = 160;
pub(super) const MSG_BYTES: u64 = 128;
pub(super) const PUSH_BYTES: u64 = 48;
/// A remembered id in a hash set (with its share of empty slots).
pub(super) const ID_BYTES: u64 = 16;
pub(super) const OUTBOX_ROW_BYTES: u64 = 64;
/// A result held for a user (SSE resume, a poll not yet made).
pub(super) const HELD_BYTES: u64 = 24;

/// Memory the run holds, in bytes, as the engine accounts for it.
#[derive(Clone, Copy, Debug, Default)]
pub(super) struct Footprint {
    pub events: u64,
    pub items: u64,
    pub ids: u64,
    pub outbox: u64,
    pub held: u64,
    pub users: u64,
}

impl Footprint {
    pub fn total(&self) -> u64 {
        self.events + self.items + self.ids + self.outbox + self.held + self.users
    }
}

pub(super) fn footprint(sim: &Sim) -> Footprint {
    let (mut outbox, mut held, mut users) = (0u64, 0u64, 0u64);
    for n in &sim.nodes {
        match &n.rt {
            KindRt::Worker(w) => outbox += w.outbox.len() as u64,
            KindRt::Browser(b) => {
                held += b.waiting_results;
                users += b.users;
            }
            _ => {}
        }
    }
    Footprint {
        events: sim.queue.len() as u64 * EVENT_BYTES,
        items: sim.jobs.len() as u64 * JOB_BYTES
            + sim.msgs.len() as u64 * MSG_BYTES
            + sim.pushes.len() as u64 * PUSH_BYTES,
        ids: super::dedup::remembered(sim) as u64 * ID_BYTES,
        outbox: outbox * OUTBOX_ROW_BYTES,
        held: held * HELD_BYTES,
        users: users * USER_BYTES,
    }
}

pub(super) fn out_of_memory(sim: &Sim) -> Option<String> {
    if !(sim.events / CHECK_EVERY).is_multiple_of(MEMORY_EVERY) {
        return None;
    }
    let f = footprint(sim);
    if f.total() <= sim.watch.budget.memory_bytes {
        return None;
    }
    let parts = [f.events, f.items, f.ids, f.outbox, f.held];
    let biggest = (0..parts.len()).max_by_key(|i| parts[*i]).unwrap_or(0);
    let most = |f: &dyn Fn(&NodeRt) -> u64| {
        let top = (0..sim.nodes.len()).max_by_key(|i| f(&sim.nodes[*i])).unwrap_or(0);
        named(sim, top as u32)
    };
    let what = match biggest {
        0 => waiting_events(sim),
        1 => format!(
            "{} requests and messages alive, {}",
            count((sim.jobs.len() + sim.msgs.len() + sim.pushes.len()) as f64),
            holder(sim)
        ),
        2 => format!(
            "the ids services remember to spot duplicates, most at {}",
            most(&|n| match &n.rt {
                KindRt::Worker(w) => w.seen.as_ref().map_or(0, |s| s.len() as u64),
                _ => 0,
            })
        ),
        3 => format!(
            "outbox rows waiting for their broker's confirm, most at {} (is its broker down or far away?)",
            most(&|n| match &n.rt {
                KindRt::Worker(w) => w.outbox.len() as u64,
                _ => 0,
            })
        ),
        _ => format!(
            "results held for users who are offline or have not polled yet, most at {}",
            most(&|n| match &n.rt {
                KindRt::Browser(b) => b.waiting_results,
                _ => 0,
            })
        ),
    };
    Some(format!(
        "{}: the run needs more than {} of memory, most of it for {what}",
        at(sim),
        budget::bytes(sim.watch.budget.memory_bytes as f64)
    ))
}

/// What the waiting events are: usually timers that outlive their calls.
fn waiting_events(sim: &Sim) -> String {
    let (mut timeouts, mut visibility, mut polls, mut other) = (0u64, 0u64, 0u64, 0u64);
    sim.queue.for_each(|e| match e {
        Ev::CallTimeout { .. } => timeouts += 1,
        Ev::Visibility { .. } => visibility += 1,
        Ev::Poll { .. } => polls += 1,
        _ => other += 1,
    });
    let total = count((timeouts + visibility + polls + other) as f64);
    if timeouts >= visibility.max(polls).max(other) {
        let longest = sim
            .links
            .iter()
            .filter_map(|l| l.timeout_us.map(|t| (l, t)))
            .filter(|(l, _)| matches!(l.via, Via::Http | Via::Grpc | Via::SagaStep | Via::RequestReply))
            .max_by_key(|(_, t)| *t);
        if let Some((l, t)) = longest {
            return format!(
                "{total} waiting events, mostly call timeouts: link `{}` keeps a timer for {} ms after every call (timeout_ms; shorten it)",
                l.id,
                us_to_ms(t)
            );
        }
    }
    if visibility >= polls.max(other) && visibility > 0 {
        let longest = sim
            .nodes
            .iter()
            .filter_map(|n| match &n.rt {
                KindRt::Queue(q) => q.visibility_us.map(|v| (n, v)),
                _ => None,
            })
            .max_by_key(|(_, v)| *v);
        if let Some((n, v)) = longest {
            return format!(
                "{total} waiting events, mostly visibility timeouts: queue `{}` keeps a timer for {} ms after every delivery (visibility_timeout_ms; shorten it)",
                n.id,
                us_to_ms(v)
            );
        }
    }
    if polls >= other && polls > 0 {
        let most = sim
            .nodes
            .iter()
            .filter_map(|n| match &n.rt {
                KindRt::Browser(b) => Some((n, b.users)),
                _ => None,
            })
            .max_by_key(|(_, u)| *u);
        if let Some((n, users)) = most {
            return format!(
                "{total} waiting events, mostly polls: browser `{}` has {} users polling (model fewer users)",
                n.id,
                count(users as f64)
            );
        }
    }
    // Whatever else waits, the busiest node is the best lead.
    format!("{total} waiting events; {}", busiest(sim).unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::kernel::clock::Micros;
    use std::mem::size_of;

    #[test]
    fn accounted_sizes_are_at_least_the_real_ones() {
        // A slab slot adds a generation and the option's tag to each item.
        assert!(JOB_BYTES as usize >= size_of::<Job>() + 8, "Job is {} bytes", size_of::<Job>());
        assert!(MSG_BYTES as usize >= size_of::<Msg>() + 8, "Msg is {} bytes", size_of::<Msg>());
        assert!(PUSH_BYTES as usize >= size_of::<super::super::Push>() + 8);
        assert!(EVENT_BYTES as usize >= size_of::<(Micros, Ev)>());
    }
}
