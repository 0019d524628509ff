//! Retry with exponential backoff and jitter, exactly the four strategies of
//! AWS's "Exponential Backoff and Jitter" (Marc Brooker, 2015):
//!
//! - `none`: `min(max, base * multiplier^n)`
//! - `full`: uniform in `[0, that]`
//! - `equal`: half of it fixed, the other half uniform
//! - `decorrelated`: `min(max, uniform(base, previous * 3))`
//!
//! `n` counts retries from 0, so the first retry waits about `base_ms`.

use crate::engine::format::defaults as d;
use crate::engine::format::{Jitter, RetrySpec};
use crate::engine::kernel::rng::Stream;

#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RetryPolicy {
    /// Attempts including the first (1 = no retry).
    pub attempts: u32,
    pub base_ms: f64,
    pub multiplier: f64,
    pub max_ms: f64,
    pub jitter: Jitter,
}

impl RetryPolicy {
    /// No retry at all.
    pub const NONE: RetryPolicy =
        RetryPolicy { attempts: 1, base_ms: 0.0, multiplier: 1.0, max_ms: f64::INFINITY, jitter: Jitter::None };

    pub fn from_spec(spec: Option<&RetrySpec>) -> RetryPolicy {
        match spec {
            None => RetryPolicy::NONE,
            Some(s) => RetryPolicy {
                attempts: s.attempts.unwrap_or(d::RETRY_ATTEMPTS).max(1),
                base_ms: s.base_ms.unwrap_or(d::RETRY_BASE_MS),
                multiplier: s.multiplier.unwrap_or(d::RETRY_MULTIPLIER),
                max_ms: s.max_ms.unwrap_or(f64::INFINITY),
                jitter: s.jitter.unwrap_or_default(),
            },
        }
    }

    /// The wait before retry `n` (0-based), given the previous wait (for
    /// decorrelated jitter; pass `base_ms` before the first retry).
    pub fn backoff_ms(&self, n: u32, previous_ms: f64, rng: &mut Stream) -> f64 {
        let exp = (self.base_ms * libm::pow(self.multiplier, n as f64)).min(self.max_ms);
        match self.jitter {
            Jitter::None => exp,
            Jitter::Full => exp * rng.unit(),
            Jitter::Equal => exp / 2.0 + exp / 2.0 * rng.unit(),
            Jitter::Decorrelated => {
                let hi = (previous_ms * 3.0).max(self.base_ms);
                (self.base_ms + (hi - self.base_ms) * rng.unit()).min(self.max_ms)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy(jitter: Jitter) -> RetryPolicy {
        RetryPolicy { attempts: 5, base_ms: 100.0, multiplier: 2.0, max_ms: 1_000.0, jitter }
    }

    #[test]
    fn plain_backoff_doubles_up_to_the_cap() {
        let p = policy(Jitter::None);
        let mut r = Stream::new(1, "l");
        let waits: Vec<f64> = (0..6).map(|n| p.backoff_ms(n, 0.0, &mut r)).collect();
        assert_eq!(waits, vec![100.0, 200.0, 400.0, 800.0, 1000.0, 1000.0]);
    }

    #[test]
    fn jitters_stay_in_their_ranges() {
        let mut r = Stream::new(1, "l");
        for n in 0..8 {
            let cap = (100.0 * 2f64.powi(n as i32)).min(1000.0);
            let f = policy(Jitter::Full).backoff_ms(n, 0.0, &mut r);
            assert!((0.0..=cap).contains(&f));
            let e = policy(Jitter::Equal).backoff_ms(n, 0.0, &mut r);
            assert!((cap / 2.0..=cap).contains(&e));
            let d = policy(Jitter::Decorrelated).backoff_ms(n, 300.0, &mut r);
            assert!((100.0..=900.0).contains(&d));
        }
    }
}
