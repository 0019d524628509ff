//! Per-node measurements: counts, latency and wait distributions
//! (a log-linear histogram, `kernel::loghist`), time-weighted levels (waiting items, busy workers) and
//! the per-second series the app charts.
//!
//! Sums are kept in integer microseconds, so a mean never depends on the
//! order floats were added in.

use crate::engine::kernel::clock::{us_to_ms, Micros, US_PER_S};
use crate::engine::kernel::loghist::{self, LogHist};
use crate::engine::report::{Bucket, MeanMax, Percentiles};

/// A quantity that changes at instants (queue length, busy workers), with
/// its integral over time for the time-weighted mean.
#[derive(Clone, Debug, Default)]
pub struct Level {
    pub value: u64,
    last: Micros,
    integral: u128,
    pub max: u64,
}

impl Level {
    #[inline]
    pub fn set(&mut self, now: Micros, value: u64) {
        self.integral += self.value as u128 * now.saturating_sub(self.last) as u128;
        self.last = now;
        self.value = value;
        if value > self.max {
            self.max = value;
        }
    }

    #[inline]
    pub fn add(&mut self, now: Micros, delta: i64) {
        let v = (self.value as i64 + delta).max(0) as u64;
        self.set(now, v);
    }

    /// The integral up to `now` (value × microseconds).
    pub fn integral_at(&self, now: Micros) -> u128 {
        self.integral + self.value as u128 * now.saturating_sub(self.last) as u128
    }

    pub fn mean(&self, now: Micros) -> f64 {
        if now == 0 {
            return self.value as f64;
        }
        self.integral_at(now) as f64 / now as f64
    }

    pub fn mean_max(&self, now: Micros) -> MeanMax {
        MeanMax { mean: self.mean(now), max: self.max as f64 }
    }
}

/// A latency distribution in microseconds: exact mean, percentiles to two
/// significant digits (within 1%). Three digits would make every histogram
/// eight times longer, and the app reads every node's percentiles a few
/// times a second: on a 400-node diagram that was 4.4 ms per refresh.
#[derive(Clone, Debug)]
pub struct Latency {
    hist: LogHist,
    sum_us: u128,
    count: u64,
}

impl Default for Latency {
    fn default() -> Self {
        Latency::with_precision(2)
    }
}

impl Latency {
    /// Two significant digits (the only precision `LogHist` has).
    pub fn with_precision(_sigfig: u8) -> Latency {
        Latency { hist: LogHist::default(), sum_us: 0, count: 0 }
    }

    #[inline]
    pub fn record(&mut self, us: Micros) {
        // A bucket's count overflow (over 4e9 samples) loses the sample.
        self.hist.record(us.max(1));
        self.sum_us += us as u128;
        self.count += 1;
    }

    pub fn count(&self) -> u64 {
        self.count
    }

    pub fn mean_ms(&self) -> f64 {
        if self.count == 0 {
            0.0
        } else {
            self.sum_us as f64 / self.count as f64 / 1000.0
        }
    }

    pub fn quantile_ms(&self, q: f64) -> f64 {
        if self.count == 0 {
            return 0.0;
        }
        let v = self.hist.value_at_quantile(q);
        us_to_ms(loghist::median_equivalent(v))
    }

    pub fn percentiles(&self) -> Percentiles {
        Percentiles {
            mean: self.mean_ms(),
            p50: self.quantile_ms(0.50),
            p95: self.quantile_ms(0.95),
            p99: self.quantile_ms(0.99),
            max: if self.count == 0 { 0.0 } else { us_to_ms(self.hist.max()) },
        }
    }

    pub fn clear(&mut self) {
        self.hist.reset();
        self.sum_us = 0;
        self.count = 0;
    }

    /// Adds `other`'s samples to these (several clients into one, or a
    /// replicated service's replicas).
    pub fn merge(&mut self, other: &Latency) {
        self.hist.add(&other.hist);
        self.sum_us += other.sum_us;
        self.count += other.count;
    }

    /// The samples recorded after `earlier` was taken (a warm-up left out):
    /// `earlier` must be an earlier copy of this same distribution.
    pub fn since(&self, earlier: &Latency) -> Latency {
        let mut out = self.clone();
        out.hist.subtract(&earlier.hist);
        out.sum_us = self.sum_us.saturating_sub(earlier.sum_us);
        out.count = self.count.saturating_sub(earlier.count);
        out
    }

    /// The value at quantile `q` in whole microseconds (the bucket's
    /// median, as [`Latency::quantile_ms`]), or `None` with no sample.
    pub fn quantile_us(&self, q: f64) -> Option<Micros> {
        (self.count > 0).then(|| loghist::median_equivalent(self.hist.value_at_quantile(q)))
    }
}

/// Everything measured at one node.
#[derive(Clone, Debug, Default)]
pub struct NodeMetrics {
    pub arrivals: u64,
    pub completed: u64,
    pub failed: u64,
    pub rejected: u64,
    pub lost: u64,
    pub wasted: u64,
    pub duplicates: u64,
    pub deduplicated: u64,
    /// A client's own requests by how they ended (other kinds: zero).
    pub requests: crate::engine::report::RequestCounts,
    pub latency: Latency,
    pub wait_sum_us: u128,
    pub wait_count: u64,
    pub waiting: Level,
    pub busy: Level,
    pub series: Series,
    /// Whether `series` is kept (the app's charts; the runner skips it).
    pub series_on: bool,
    /// Kind-specific counters (orphan replies, acknowledged-then-lost...).
    pub extra: std::collections::BTreeMap<&'static str, u64>,
}

impl NodeMetrics {
    #[inline]
    pub fn bump(&mut self, name: &'static str) {
        *self.extra.entry(name).or_insert(0) += 1;
    }

    #[inline]
    pub fn record_wait(&mut self, us: Micros) {
        self.wait_sum_us += us as u128;
        self.wait_count += 1;
    }

    pub fn wait_mean_ms(&self) -> f64 {
        if self.wait_count == 0 {
            0.0
        } else {
            self.wait_sum_us as f64 / self.wait_count as f64 / 1000.0
        }
    }

    /// A completion (good or bad) at `now` that arrived at `arrived`.
    #[inline]
    pub fn finish(&mut self, now: Micros, arrived: Micros, ok: bool) {
        let us = now.saturating_sub(arrived);
        self.latency.record(us);
        if self.series_on {
            self.series.finish(us, ok);
        }
        if ok {
            self.completed += 1;
        } else {
            self.failed += 1;
        }
    }

    /// Busy workers over `workers`, time-weighted up to `now`.
    pub fn utilization(&self, now: Micros, workers: u64) -> f64 {
        if workers == 0 || now == 0 {
            0.0
        } else {
            self.busy.integral_at(now) as f64 / (now as f64 * workers as f64)
        }
    }
}

/// Per-bucket figures of one node. Buckets are one simulated second wide, or
/// wider for runs longer than [`MAX_BUCKETS`] seconds, so memory stays bounded.
#[derive(Clone, Debug, Default)]
pub struct Series {
    pub buckets: Vec<Bucket>,
    throughput: u32,
    errors: u32,
    hist: Option<Latency>,
    waiting_integral_at_start: u128,
}

/// At most this many buckets per node.
pub const MAX_BUCKETS: u64 = 3_600;

/// The bucket width for a run of `duration_us`.
pub fn bucket_width_us(duration_us: Micros) -> Micros {
    let seconds = duration_us.div_ceil(US_PER_S).max(1);
    seconds.div_ceil(MAX_BUCKETS) * US_PER_S
}

impl Series {
    #[inline]
    fn finish(&mut self, us: Micros, ok: bool) {
        if ok {
            self.throughput += 1;
        } else {
            self.errors += 1;
        }
        self.hist.get_or_insert_with(|| Latency::with_precision(2)).record(us);
    }

    /// Closes the bucket `[start, now)`.
    pub fn close(&mut self, start: Micros, now: Micros, waiting: &Level) {
        let width = now.saturating_sub(start).max(1);
        let integral = waiting.integral_at(now);
        let p99 = self.hist.as_ref().map(|h| h.quantile_ms(0.99)).unwrap_or(0.0);
        self.buckets.push(Bucket {
            t_s: (start / US_PER_S) as u32,
            throughput: self.throughput,
            errors: self.errors,
            p99_ms: p99,
            queue_len: (integral - self.waiting_integral_at_start) as f64 / width as f64,
        });
        self.waiting_integral_at_start = integral;
        self.throughput = 0;
        self.errors = 0;
        if let Some(h) = self.hist.as_mut() {
            h.clear();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn level_mean_is_time_weighted() {
        let mut l = Level::default();
        l.set(0, 2);
        l.set(1_000, 4);
        // 2 for 1000 us, 4 for 3000 us -> (2000 + 12000) / 4000 = 3.5
        assert_eq!(l.mean(4_000), 3.5);
        assert_eq!(l.max, 4);
    }

    #[test]
    fn percentiles_of_a_constant_are_the_constant() {
        let mut l = Latency::default();
        for _ in 0..100 {
            l.record(50_000);
        }
        let p = l.percentiles();
        assert_eq!(p.mean, 50.0);
        assert!((p.p50 - 50.0).abs() < 0.05 && (p.p99 - 50.0).abs() < 0.05, "{p:?}");
    }

    #[test]
    fn long_runs_get_wider_buckets() {
        assert_eq!(bucket_width_us(60 * US_PER_S), US_PER_S);
        assert_eq!(bucket_width_us(86_400 * US_PER_S), 24 * US_PER_S);
    }
}
