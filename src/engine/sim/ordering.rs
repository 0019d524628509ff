//! Keys and per-key order, as the systems that promise it define it.
//!
//! A client with `keys` gives each request a key `k0`..`k{keys-1}` (one key
//! space for the whole scenario, like a Kafka record key or an SQS FIFO
//! message group id) and the next sequence number of that key; every
//! message the request causes carries both. A service counts work on a key
//! that completes after work with a higher sequence number of the same key
//! has completed: `out_of_order`. Competing consumers on a plain queue break
//! that order; a log partition or a FIFO message group keeps it.

use super::model::*;
use super::Sim;
use crate::engine::kernel::idset::IdHasher;
use std::collections::HashMap;
use std::hash::BuildHasherDefault;

/// Up to this many keys a node keeps its highest sequence numbers in a
/// plain array (8 bytes a key, cache friendly: this runs per completion);
/// beyond, in a map that only holds the keys it has seen.
const DENSE_KEYS: u32 = 65_536;

/// The highest sequence number completed per key at one node. Only looked
/// up, never iterated, so the map's layout cannot leak into a run.
#[derive(Default)]
pub struct KeyOrder {
    dense: Vec<u64>,
    sparse: HashMap<u32, u64, BuildHasherDefault<IdHasher>>,
    pub out_of_order: u64,
}

impl KeyOrder {
    /// Work with `tag` completed here.
    #[inline]
    pub fn completed(&mut self, tag: Tag) {
        let top = if tag.key() < DENSE_KEYS {
            let k = tag.key() as usize;
            if k >= self.dense.len() {
                self.dense.resize(k + 1, 0);
            }
            &mut self.dense[k]
        } else {
            self.sparse.entry(tag.key()).or_insert(0)
        };
        if tag.seq() < *top {
            self.out_of_order += 1;
        } else {
            *top = tag.seq();
        }
    }
}

/// Whether any client of the scenario sends keys.
pub(super) fn scenario_has_keys(s: &crate::engine::format::Scenario) -> bool {
    s.nodes.iter().any(|n| n.keys.is_some_and(|k| k > 0))
}

/// A client draws its next request's tag (nothing is drawn when the
/// client has neither keys nor poison, so old runs keep their numbers).
pub(super) fn draw_tag(sim: &mut Sim, node: u32) -> Tag {
    let KindRt::Client(c) = &mut sim.nodes[node as usize].rt else { return Tag::NONE };
    let (keys, poison_rate) = (c.keys, c.poison_rate);
    let Some(rng) = c.tag_rng.as_deref_mut() else { return Tag::NONE };
    let (mut key, mut seq) = (NONE, 0);
    if keys > 0 {
        key = rng.below(keys as u64) as u32;
        seq = match sim.key_seq.get_mut(key as usize) {
            Some(s) => {
                *s += 1;
                *s
            }
            None => 0,
        };
    }
    let poison = poison_rate > 0.0 && rng.chance(poison_rate);
    Tag::new(key, seq, poison)
}

/// The bytes of key `k<i>`, as a producer would serialize the string.
pub(super) fn key_bytes(key: u32, buf: &mut [u8; 12]) -> &[u8] {
    buf[0] = b'k';
    let mut digits = [0u8; 10];
    let mut n = key;
    let mut len = 0;
    loop {
        digits[len] = b'0' + (n % 10) as u8;
        len += 1;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    for i in 0..len {
        buf[1 + i] = digits[len - 1 - i];
    }
    &buf[..1 + len]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_tag_packs_key_sequence_and_poison() {
        let t = Tag::new(999_999, 123_456_789, true);
        assert_eq!((t.key(), t.seq(), t.poison()), (999_999, 123_456_789, true));
        let t = Tag::new(0, 1, false);
        assert_eq!((t.key(), t.seq(), t.poison()), (0, 1, false));
        assert_eq!(Tag::NONE.key(), NONE);
        assert!(!Tag::NONE.poison());
    }

    #[test]
    fn key_bytes_spell_the_key() {
        let mut b = [0u8; 12];
        assert_eq!(key_bytes(0, &mut b), b"k0");
        assert_eq!(key_bytes(4_294_967_295, &mut b), b"k4294967295");
        assert_eq!(key_bytes(37, &mut b), b"k37");
    }

    #[test]
    fn a_lower_sequence_after_a_higher_one_is_out_of_order() {
        let mut o = KeyOrder::default();
        let t = |key, seq| Tag::new(key, seq, false);
        o.completed(t(1, 1));
        o.completed(t(1, 3));
        o.completed(t(2, 1));
        o.completed(t(1, 2));
        o.completed(t(1, 3)); // a redelivery of the same message is not out of order
        assert_eq!(o.out_of_order, 1);
    }
}
