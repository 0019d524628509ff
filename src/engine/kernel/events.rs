//! The event queue, ordered by time and, at the same instant, by the order
//! events were scheduled, so a run never depends on the queue's layout.
//!
//! A discrete-event simulation only ever schedules at or after the current
//! time, so the keys it pops never decrease. That is what a radix heap needs
//! (Ahuja, Mehlhorn, Orlin and Tarjan, 1990): an item sits in the bucket of
//! the highest bit where its time differs from the last time popped; popping
//! redistributes only the lowest non-empty bucket. Pushes are an append,
//! and each item moves a handful of times in its life instead of climbing
//! and sifting through a binary heap.

use super::clock::Micros;
use std::collections::VecDeque;

/// One bucket per bit: bucket `i` holds the times whose highest bit
/// differing from `last` is bit `i`.
const BUCKETS: usize = 64;

/// Events are stored by time alone. Ties still come out in scheduling order:
/// items with equal times always share a bucket, every move keeps their
/// relative order, and the bucket of the current instant is a FIFO.
#[derive(Clone)]
pub struct EventQueue<E> {
    /// Events at exactly `last`, in the order they were scheduled.
    current: VecDeque<E>,
    /// In place, not behind a pointer: a push indexes it directly.
    buckets: [Vec<(Micros, E)>; BUCKETS],
    /// Bit `i` set when `buckets[i]` is not empty.
    nonempty: u64,
    last: Micros,
    len: usize,
}

impl<E> Default for EventQueue<E> {
    fn default() -> Self {
        EventQueue {
            current: VecDeque::new(),
            buckets: std::array::from_fn(|_| Vec::new()),
            nonempty: 0,
            last: 0,
            len: 0,
        }
    }
}

// Events are small `Copy` values, read by copy (below): a move out of an
// `Option` split each event into its tag and the odd-sized rest, and the
// next reader's loads straddled those pieces (a store-forwarding stall on
// every event, the queue's largest cost in the M/M/1 profile).
impl<E: Copy> EventQueue<E> {
    /// Schedules `event` at `at`, which must not be before the last event
    /// popped (the simulator never schedules in the past; an earlier time is
    /// treated as now rather than corrupting the order).
    #[inline]
    pub fn push(&mut self, at: Micros, event: E) {
        let at = at.max(self.last);
        self.put(at, event);
        self.len += 1;
    }

    #[inline]
    fn put(&mut self, at: Micros, event: E) {
        if at == self.last {
            self.current.push_back(event);
        } else {
            // `at` differs from `last`, so some bit does: 0..=63.
            let b = (63 - (at ^ self.last).leading_zeros()) as usize;
            self.buckets[b].push((at, event));
            self.nonempty |= 1 << b;
        }
    }

    /// Makes `current` hold the earliest events, if there are any.
    #[inline(always)]
    fn settle(&mut self) -> bool {
        !self.current.is_empty() || self.refill()
    }

    /// Moves the earliest bucket's items down to where they belong now.
    #[inline(never)]
    fn refill(&mut self) -> bool {
        if self.nonempty == 0 {
            return false;
        }
        let b = self.nonempty.trailing_zeros() as usize;
        self.nonempty &= !(1 << b);
        let bucket = &mut self.buckets[b];
        if bucket.len() == 1 {
            // Small queues often hold one item per bucket: no scan, no moves.
            let (t, e) = bucket[0];
            bucket.clear();
            self.last = t;
            self.current.push_back(e);
            return true;
        }
        let mut items = std::mem::take(&mut self.buckets[b]);
        self.last = items.iter().map(|(t, _)| *t).min().unwrap_or(self.last);
        for (t, e) in items.drain(..) {
            self.put(t, e);
        }
        // Hand the allocation back to the emptied bucket for its next round.
        if self.buckets[b].capacity() == 0 {
            self.buckets[b] = items;
        }
        true
    }

    /// The time of the next event.
    #[inline]
    pub fn peek_time(&mut self) -> Option<Micros> {
        if self.settle() {
            Some(self.last)
        } else {
            None
        }
    }

    #[inline]
    pub fn pop(&mut self) -> Option<(Micros, E)> {
        if !self.settle() {
            return None;
        }
        let event = *self.current.front()?;
        self.current.pop_front();
        self.len -= 1;
        Some((self.last, event))
    }

    pub fn len(&self) -> usize {
        self.len
    }

    /// Every waiting event, in no particular order (for diagnosis only:
    /// a run must never depend on this order).
    pub fn for_each(&self, mut f: impl FnMut(&E)) {
        self.current.iter().for_each(&mut f);
        for bucket in &self.buckets {
            bucket.iter().for_each(|(_, e)| f(e));
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ties_keep_scheduling_order() {
        let mut q = EventQueue::default();
        q.push(5, 'b');
        q.push(3, 'a');
        q.push(5, 'c');
        q.push(5, 'd');
        let order: Vec<char> = std::iter::from_fn(|| q.pop().map(|(_, e)| e)).collect();
        assert_eq!(order, vec!['a', 'b', 'c', 'd']);
    }

    #[test]
    fn pops_in_order_while_pushing_like_a_simulation() {
        // Compare against a sorted reference under a DES-like workload.
        let mut q = EventQueue::default();
        let mut reference = std::collections::BTreeSet::new();
        let mut seq = 0u64;
        let mut x = 12345u64;
        let mut rand = || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        for i in 0..100u64 {
            q.push(i * 7, seq);
            reference.insert((i * 7, seq));
            seq += 1;
        }
        let mut now = 0;
        for _ in 0..100_000 {
            let (t, s) = q.pop().unwrap();
            let expected = reference.pop_first().unwrap();
            assert_eq!((t, s), expected);
            assert!(t >= now);
            now = t;
            for _ in 0..(rand() % 3) {
                let at = now + rand() % 5_000_000 * (rand() % 2);
                q.push(at, seq);
                reference.insert((at, seq));
                seq += 1;
            }
            if reference.is_empty() {
                break;
            }
        }
        assert_eq!(q.len(), reference.len());
    }
}
