//! Time. The format speaks milliseconds (fractions allowed); inside, time is
//! whole microseconds in a `u64`, so ordering, hashing and replay are exact.

/// Simulated time in microseconds.
pub type Micros = u64;

pub const US_PER_MS: f64 = 1_000.0;
pub const US_PER_S: u64 = 1_000_000;

/// Milliseconds from the format to microseconds, rounded to the nearest.
/// Negative or non-finite inputs never get here (validation refuses them);
/// they map to 0 rather than panic.
#[inline]
pub fn ms_to_us(ms: f64) -> Micros {
    if ms.is_finite() && ms > 0.0 {
        let us = ms * US_PER_MS + 0.5;
        if us >= u64::MAX as f64 {
            u64::MAX
        } else {
            us as u64
        }
    } else {
        0
    }
}

#[inline]
pub fn us_to_ms(us: Micros) -> f64 {
    us as f64 / US_PER_MS
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conversions_round_to_the_microsecond() {
        assert_eq!(ms_to_us(1.0), 1_000);
        assert_eq!(ms_to_us(0.0004), 0);
        assert_eq!(ms_to_us(0.0006), 1);
        assert_eq!(ms_to_us(-5.0), 0);
        assert_eq!(ms_to_us(f64::NAN), 0);
        assert_eq!(us_to_ms(1_500), 1.5);
    }
}
