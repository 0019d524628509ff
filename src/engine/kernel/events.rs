//! The event queue, ordered by (time, sequence number). The sequence number
//! makes events at the same instant run in the order they were scheduled,
//! so a run never depends on the queue's internal layout.
//!
//! A discrete-event simulation only ever schedules at or after the current
//! time, so the keys it pops never decrease. That is what a radix heap needs
//! (Ahuja, Mehlhorn, Orlin and Tarjan, 1990): an item sits in the bucket of
//! the highest bit where its key differs from the last key popped; popping
//! redistributes only the lowest non-empty bucket. Pushes are an append,
//! and each item moves a handful of times in its life instead of climbing
//! and sifting through a binary heap.

use super::clock::Micros;

/// Keys are `time << 64 | sequence`: unique and, popped, never decreasing.
type Key = u128;

const BUCKETS: usize = 129;

pub struct EventQueue<E> {
    buckets: Vec<Vec<(Key, E)>>,
    /// Bit `i` set when bucket `i` is not empty.
    nonempty: u128,
    /// Bucket 128 is tracked apart (a u128 mask has bits 0..=127).
    top_nonempty: bool,
    last: Key,
    next_seq: u64,
    len: usize,
}

impl<E> Default for EventQueue<E> {
    fn default() -> Self {
        EventQueue {
            buckets: (0..BUCKETS).map(|_| Vec::new()).collect(),
            nonempty: 0,
            top_nonempty: false,
            last: 0,
            next_seq: 0,
            len: 0,
        }
    }
}

#[inline]
fn bucket_of(key: Key, last: Key) -> usize {
    (128 - (key ^ last).leading_zeros()) as usize
}

impl<E> EventQueue<E> {
    /// Schedules `event` at `at`, which must not be before the last event
    /// popped (the simulator never schedules in the past).
    #[inline]
    pub fn push(&mut self, at: Micros, event: E) {
        let key = ((at as u128) << 64) | self.next_seq as u128;
        self.next_seq += 1;
        // Clamp rather than corrupt the order should a caller ever err.
        let key = key.max(self.last);
        self.put(key, event);
        self.len += 1;
    }

    #[inline]
    fn put(&mut self, key: Key, event: E) {
        let b = bucket_of(key, self.last);
        self.buckets[b].push((key, event));
        if b < 128 {
            self.nonempty |= 1 << b;
        } else {
            self.top_nonempty = true;
        }
    }

    /// Makes bucket 0 hold the minimum, if there is any item.
    fn settle(&mut self) -> bool {
        if self.nonempty & 1 != 0 {
            return true;
        }
        let b = if self.nonempty != 0 {
            self.nonempty.trailing_zeros() as usize
        } else if self.top_nonempty {
            128
        } else {
            return false;
        };
        let items = std::mem::take(&mut self.buckets[b]);
        if b < 128 {
            self.nonempty &= !(1 << b);
        } else {
            self.top_nonempty = false;
        }
        self.last = items.iter().map(|(k, _)| *k).min().expect("a non-empty bucket");
        let mut items = items;
        for (k, e) in items.drain(..) {
            self.put(k, e);
        }
        // Give the emptied bucket its allocation back for the next round.
        if self.buckets[b].capacity() == 0 {
            self.buckets[b] = items;
        }
        true
    }

    /// The time of the next event.
    #[inline]
    pub fn peek_time(&mut self) -> Option<Micros> {
        if self.settle() {
            self.buckets[0].last().map(|(k, _)| (*k >> 64) as Micros)
        } else {
            None
        }
    }

    #[inline]
    pub fn pop(&mut self) -> Option<(Micros, E)> {
        if !self.settle() {
            return None;
        }
        let (key, event) = self.buckets[0].pop()?;
        if self.buckets[0].is_empty() {
            self.nonempty &= !1;
        }
        self.len -= 1;
        Some(((key >> 64) as Micros, event))
    }

    pub fn len(&self) -> usize {
        self.len
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
