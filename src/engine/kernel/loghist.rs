//! A log-linear latency histogram: the bucket layout and percentile rule of
//! an `hdrhistogram` with 2 significant digits, lowest value 1 and auto
//! resizing, so every report reads exactly what that histogram read, for
//! less work per sample (two records per request were 5% of a run).
//!
//! Values below 256 have a bucket each; above, each power of two is cut
//! into 128 equal buckets (a bucket is under 1% of its values wide). The
//! counts sit in one array indexed as hdrhistogram indexes its own.

/// log2 of half the sub-buckets (2 significant digits: 2 * 10^2 <= 256).
const HALF_MAG: u32 = 7;
const HALF: usize = 1 << HALF_MAG;
/// Values whose bucket is 0 are those below 2^(HALF_MAG + 1).
const MASK: u64 = (1 << (HALF_MAG + 1)) - 1;
const LZ_BASE: u32 = 64 - HALF_MAG - 1;

#[derive(Clone, Debug, Default)]
pub struct LogHist {
    counts: Vec<u32>,
    total: u64,
    /// The largest value recorded (0: none).
    max: u64,
}

#[inline(always)]
fn bucket_of(v: u64) -> u32 {
    LZ_BASE - (v | MASK).leading_zeros()
}

#[inline(always)]
fn index_of(v: u64) -> usize {
    let b = bucket_of(v);
    (((b + 1) as usize) << HALF_MAG) + (v >> b) as usize - HALF
}

/// The lowest value of bucket `index`.
fn value_for(index: usize) -> u64 {
    let mut bucket = (index >> HALF_MAG) as i64 - 1;
    let mut sub = (index & (HALF - 1)) as u64 + HALF as u64;
    if bucket < 0 {
        sub -= HALF as u64;
        bucket = 0;
    }
    sub << bucket
}

/// The lowest value counted with `v`.
pub fn lowest_equivalent(v: u64) -> u64 {
    let b = bucket_of(v);
    (v >> b) << b
}

/// The width of the bucket `v` falls in.
fn range_of(v: u64) -> u64 {
    1 << bucket_of(v)
}

/// The highest value counted with `v`.
pub fn highest_equivalent(v: u64) -> u64 {
    if v == u64::MAX {
        u64::MAX
    } else {
        lowest_equivalent(v).saturating_add(range_of(v)) - 1
    }
}

/// The middle (rounded up) of the values counted with `v`.
pub fn median_equivalent(v: u64) -> u64 {
    lowest_equivalent(v).saturating_add(range_of(v) >> 1)
}

impl LogHist {
    /// Counts one sample of `v` (a count that would pass `u32::MAX` in its
    /// bucket is dropped, as hdrhistogram's `u32` counts drop it).
    #[inline]
    pub fn record(&mut self, v: u64) {
        let i = index_of(v);
        if i >= self.counts.len() {
            self.grow(i);
        }
        let c = &mut self.counts[i];
        if *c == u32::MAX {
            return;
        }
        *c += 1;
        self.total += 1;
        if v > self.max {
            self.max = v;
        }
    }

    #[cold]
    fn grow(&mut self, i: usize) {
        // Whole powers of two at a time, as hdrhistogram resizes.
        let len = ((i >> HALF_MAG) + 1) << HALF_MAG;
        self.counts.resize(len.max(2 * HALF), 0);
    }

    /// Samples counted.
    pub fn len(&self) -> u64 {
        self.total
    }

    pub fn is_empty(&self) -> bool {
        self.total == 0
    }

    /// The highest value counted with the largest sample (0 when empty).
    pub fn max(&self) -> u64 {
        if self.max == 0 {
            0
        } else {
            highest_equivalent(self.max)
        }
    }

    /// hdrhistogram's `value_at_quantile`: the highest value of the first
    /// bucket where the running count reaches `ceil(q * total)` (at least
    /// 1); the lowest for `q = 0`; 0 when empty.
    pub fn value_at_quantile(&self, q: f64) -> u64 {
        let q = if q > 1.0 { 1.0 } else { q };
        let target = ((q * self.total as f64).ceil() as u64).max(1);
        let mut seen = 0u64;
        for (i, &c) in self.counts.iter().enumerate() {
            seen += c as u64;
            if seen >= target {
                let v = value_for(i);
                return if q == 0.0 { lowest_equivalent(v) } else { highest_equivalent(v) };
            }
        }
        0
    }

    pub fn reset(&mut self) {
        self.counts.iter_mut().for_each(|c| *c = 0);
        self.total = 0;
        self.max = 0;
    }

    /// Adds `other`'s counts (a bucket's sum capped at `u32::MAX`).
    pub fn add(&mut self, other: &LogHist) {
        if other.counts.len() > self.counts.len() {
            self.counts.resize(other.counts.len(), 0);
        }
        for (c, &o) in self.counts.iter_mut().zip(&other.counts) {
            let sum = c.saturating_add(o);
            self.total += (sum - *c) as u64;
            *c = sum;
        }
        self.max = self.max.max(other.max);
    }

    /// Takes away `earlier`'s counts (an earlier copy of this histogram).
    pub fn subtract(&mut self, earlier: &LogHist) {
        for (c, &o) in self.counts.iter_mut().zip(&earlier.counts) {
            let left = c.saturating_sub(o);
            self.total -= (*c - left) as u64;
            *c = left;
        }
        self.max = self.counts.iter().rposition(|&c| c > 0).map_or(0, value_for);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use hdrhistogram::Histogram;

    fn hdr() -> Histogram<u32> {
        Histogram::new(2).expect("valid precision")
    }

    /// xorshift: random values over many magnitudes, without a dependency.
    fn values(seed: u64, n: usize) -> Vec<u64> {
        let mut x = seed | 1;
        (0..n)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                // 1 to about 2^40, log-uniform, plus some exact powers of two.
                let shift = x % 41;
                match x % 7 {
                    0 => 1 << shift,
                    _ => ((x >> 8) >> (64 - 8 - shift).min(63)).max(1),
                }
            })
            .collect()
    }

    const QS: [f64; 12] = [0.0, 0.001, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99, 0.999, 1.0, 1.5];

    fn same(mine: &LogHist, theirs: &Histogram<u32>) {
        assert_eq!(mine.len(), theirs.len());
        assert_eq!(mine.max(), theirs.max());
        for q in QS {
            let (a, b) = (mine.value_at_quantile(q), theirs.value_at_quantile(q));
            assert_eq!(a, b, "q {q}");
            assert_eq!(median_equivalent(a), theirs.median_equivalent(b), "q {q}");
        }
    }

    #[test]
    fn percentiles_match_hdrhistogram_on_random_data() {
        for seed in 1..40u64 {
            let n = (seed as usize * 97) % 5_000 + 1;
            let (mut mine, mut theirs) = (LogHist::default(), hdr());
            for v in values(seed, n) {
                mine.record(v);
                theirs.record(v).expect("in range");
            }
            same(&mine, &theirs);
            for v in values(seed + 1000, 50) {
                assert_eq!(lowest_equivalent(v), theirs.lowest_equivalent(v), "{v}");
                assert_eq!(highest_equivalent(v), theirs.highest_equivalent(v), "{v}");
                assert_eq!(median_equivalent(v), theirs.median_equivalent(v), "{v}");
            }
        }
    }

    #[test]
    fn merging_and_taking_away_match_hdrhistogram() {
        let (mut a, mut ha) = (LogHist::default(), hdr());
        let (mut b, mut hb) = (LogHist::default(), hdr());
        for v in values(7, 3_000) {
            a.record(v);
            ha.record(v).expect("in range");
        }
        let (earlier, hearlier) = (a.clone(), ha.clone());
        for v in values(8, 2_000) {
            b.record(v);
            hb.record(v).expect("in range");
            a.record(v / 3 + 1);
            ha.record(v / 3 + 1).expect("in range");
        }
        a.add(&b);
        ha.add(&hb).expect("adds");
        same(&a, &ha);
        a.subtract(&earlier);
        ha.subtract(&hearlier).expect("subtracts");
        same(&a, &ha);
        a.reset();
        ha.reset();
        same(&a, &ha);
        assert!(a.is_empty());
    }

    #[test]
    fn small_values_have_a_bucket_each() {
        let mut h = LogHist::default();
        for v in [1, 2, 255, 256, 257, 1_000_000] {
            h.record(v);
        }
        assert_eq!(h.value_at_quantile(0.2), 2);
        assert_eq!(h.value_at_quantile(0.4), 255);
        // 256 and 257 share a bucket of width 2.
        assert_eq!(h.value_at_quantile(0.6), 257);
        assert_eq!(h.max(), highest_equivalent(1_000_000));
    }
}
