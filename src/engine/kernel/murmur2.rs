//! MurmurHash2 (Austin Appleby's 32-bit hash) with the seed Kafka uses,
//! so a keyed message lands on the partition a Kafka producer would pick:
//! `(murmur2(key bytes) & 0x7fffffff) % partitions` (Kafka's
//! `BuiltInPartitioner.partitionForKey`, with `Utils.toPositive`).

/// Kafka's seed for its partitioner's murmur2.
const SEED: u32 = 0x9747_b28c;
const M: u32 = 0x5bd1_e995;
const R: u32 = 24;

/// The 32-bit hash, as Kafka's `Utils.murmur2` returns it (a signed int).
pub fn murmur2(data: &[u8]) -> i32 {
    let mut h = SEED ^ data.len() as u32;
    let mut blocks = data.chunks_exact(4);
    for b in &mut blocks {
        let mut k = u32::from_le_bytes([b[0], b[1], b[2], b[3]]);
        k = k.wrapping_mul(M);
        k ^= k >> R;
        k = k.wrapping_mul(M);
        h = h.wrapping_mul(M);
        h ^= k;
    }
    let tail = blocks.remainder();
    if !tail.is_empty() {
        for (i, byte) in tail.iter().enumerate() {
            h ^= (*byte as u32) << (8 * i);
        }
        h = h.wrapping_mul(M);
    }
    h ^= h >> 13;
    h = h.wrapping_mul(M);
    h ^= h >> 15;
    h as i32
}

/// The partition of a keyed message among `partitions` (at least 1).
pub fn partition_for_key(key: &[u8], partitions: u32) -> u32 {
    ((murmur2(key) as u32) & 0x7fff_ffff) % partitions.max(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Kafka's own vectors: `UtilsTest.testMurmur2` in apache/kafka
    /// (clients/src/test/java/org/apache/kafka/common/utils/UtilsTest.java,
    /// at commit 1eb7644349cb07139d6a3c1ad1986979647cac99).
    #[test]
    fn kafkas_test_vectors() {
        let cases: &[(&[u8], i32)] = &[
            (b"21", -973_932_308),
            (b"foobar", -790_332_482),
            (b"a-little-bit-long-string", -985_981_536),
            (b"a-little-bit-longer-string", -1_486_304_829),
            (b"lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8", -58_897_971),
            (b"abc", 479_470_107),
        ];
        for (data, want) in cases {
            assert_eq!(murmur2(data), *want, "{}", String::from_utf8_lossy(data));
        }
    }

    #[test]
    fn partitions_are_positive_and_in_range() {
        // -973932308 & 0x7fffffff = 1173551340; mod 8 = 4.
        assert_eq!(partition_for_key(b"21", 8), 1_173_551_340 % 8);
        for k in 0..1000u32 {
            assert!(partition_for_key(format!("k{k}").as_bytes(), 7) < 7);
        }
    }
}
