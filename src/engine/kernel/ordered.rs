//! Building ordered maps by inserting, not by `collect()`.
//!
//! `BTreeMap: FromIterator` sorts its input with the standard library's
//! stable sort and then bulk-builds the tree: fast, but every key type
//! instantiates a few KiB of sort code, and the browser bundle pays for each
//! one. Inserting one by one reuses the tree's own code.

use std::collections::BTreeMap;

/// The map of `pairs`; a later pair wins over an earlier one with its key,
/// as with `collect()`.
pub fn ordered<K: Ord, V>(pairs: impl IntoIterator<Item = (K, V)>) -> BTreeMap<K, V> {
    let mut map = BTreeMap::new();
    for (k, v) in pairs {
        map.insert(k, v);
    }
    map
}

#[cfg(test)]
mod tests {
    #[test]
    fn later_pairs_win_like_collect() {
        let m = super::ordered([(2, "b"), (1, "a"), (2, "c")]);
        assert_eq!(m.into_iter().collect::<Vec<_>>(), vec![(1, "a"), (2, "c")]);
    }
}
