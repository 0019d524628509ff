//! A set of ids (idempotency keys) with a cheap multiplicative hash. Only
//! membership is ever asked, never iteration order, so the set's layout
//! cannot leak into a run; SipHash's DoS resistance buys nothing here.

use std::collections::HashSet;
use std::hash::{BuildHasherDefault, Hasher};

#[derive(Default)]
pub struct IdHasher(u64);

impl Hasher for IdHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 = (self.0 ^ *b as u64).wrapping_mul(0x0000_0100_0000_01b3);
        }
    }

    #[inline]
    fn write_u64(&mut self, v: u64) {
        // Ids are handed out in increasing order, so the low bits stay the
        // id itself: recent ids land in neighbouring buckets and inserts hit
        // warm cache lines. The top seven bits (hashbrown's tag) get a
        // multiplicative mix so probes still tell neighbours apart.
        let mixed = v.wrapping_mul(0x9e37_79b9_7f4a_7c15);
        self.0 = (v & ((1 << 57) - 1)) | (mixed & !((1 << 57) - 1));
    }
}

pub type IdSet = HashSet<u64, BuildHasherDefault<IdHasher>>;

/// The ids a service has run its side effect for, with the size at which
/// it is next pruned to the ids that can still come back (see
/// `sim::dedup`).
#[derive(Debug)]
pub struct SeenIds {
    pub ids: IdSet,
    pub prune_at: usize,
}

/// Below this many ids a set is never pruned: small sets cost nothing.
pub const MIN_PRUNE_AT: usize = 4_096;

impl Default for SeenIds {
    fn default() -> Self {
        SeenIds { ids: IdSet::default(), prune_at: MIN_PRUNE_AT }
    }
}

impl SeenIds {
    /// Records `id`; false if it was already there (a repeat).
    #[inline]
    pub fn insert(&mut self, id: u64) -> bool {
        self.ids.insert(id)
    }

    #[inline]
    pub fn is_due(&self) -> bool {
        self.ids.len() >= self.prune_at
    }

    pub fn len(&self) -> usize {
        self.ids.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }
}
