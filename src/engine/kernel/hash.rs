//! The run hash: a 64-bit digest folded over every event the run processes
//! (its time, kind and subject). Two runs agree on it only if they processed
//! the same events at the same instants, so it is the one number that says
//! "same run" across machines, natively and in wasm.

/// FNV-1a style folding of 64-bit words with a final avalanche.
#[derive(Clone, Copy, Debug)]
pub struct RunHash(u64);

const OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
const PRIME: u64 = 0x0000_0100_0000_01b3;

impl Default for RunHash {
    fn default() -> Self {
        RunHash(OFFSET)
    }
}

impl RunHash {
    #[inline]
    pub fn add(&mut self, word: u64) {
        // Multiply-xorshift per word: cheap, and every bit of `word` matters.
        self.0 = (self.0 ^ word).wrapping_mul(PRIME);
        self.0 ^= self.0 >> 29;
    }

    pub fn value(&self) -> u64 {
        // splitmix64's finaliser, so nearby states give unrelated hashes.
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
}

/// FNV-1a of a string: stable across platforms and versions (unlike std's
/// hashers), used to derive per-node random streams from ids.
pub fn fnv1a(text: &str) -> u64 {
    text.bytes().fold(OFFSET, |h, b| (h ^ b as u64).wrapping_mul(PRIME))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn order_matters() {
        let (mut a, mut b) = (RunHash::default(), RunHash::default());
        a.add(1);
        a.add(2);
        b.add(2);
        b.add(1);
        assert_ne!(a.value(), b.value());
    }

    #[test]
    fn fnv_is_stable() {
        // Published FNV-1a 64 test vector.
        assert_eq!(fnv1a("a"), 0xaf63_dc4c_8601_ec8c);
    }
}
