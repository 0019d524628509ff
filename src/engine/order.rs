//! One stable sort for the cold paths (messages, exports, the editor's
//! lists). Each `sort_by` on a new element type or closure compiles the
//! standard library's stable sort again, about 5 KiB of wasm each; every
//! caller here shares one copy, sorting indices (docs/PERFORMANCE.md,
//! "Size, session 17"). The result is exactly `slice::sort_by`'s: a stable
//! sort by the same comparison.

use std::cmp::Ordering;

/// `v` sorted stably by `cmp`, as `v.sort_by(cmp)` sorts it.
pub fn sort_by<T>(v: &mut Vec<T>, mut cmp: impl FnMut(&T, &T) -> Ordering) {
    let mut order: Vec<usize> = (0..v.len()).collect();
    sort_indices(&mut order, &mut |a, b| cmp(&v[a], &v[b]));
    let mut slots: Vec<Option<T>> = std::mem::take(v).into_iter().map(Some).collect();
    v.extend(order.into_iter().filter_map(|i| slots[i].take()));
}

/// The one compiled stable sort: indices, by a comparison of what they index.
#[inline(never)]
fn sort_indices(order: &mut [usize], cmp: &mut dyn FnMut(usize, usize) -> Ordering) {
    order.sort_by(|a, b| cmp(*a, *b));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sorts_as_the_standard_stable_sort_does() {
        // Pairs compared by their first half only: ties keep their order.
        let mut seed = 7u64;
        for len in [0, 1, 2, 5, 20, 21, 64, 300] {
            let v: Vec<(u8, usize)> = (0..len)
                .map(|i| {
                    seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                    ((seed >> 59) as u8, i)
                })
                .collect();
            let mut ours = v.clone();
            sort_by(&mut ours, |a, b| b.0.cmp(&a.0));
            let mut std = v.clone();
            std.sort_by_key(|x| std::cmp::Reverse(x.0));
            assert_eq!(ours, std, "length {len}");
        }
        let mut words = vec!["b".to_string(), "a".to_string(), "c".to_string(), "a".to_string()];
        sort_by(&mut words, |a, b| a.cmp(b));
        assert_eq!(words, ["a", "a", "b", "c"]);
    }
}
