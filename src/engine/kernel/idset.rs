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
