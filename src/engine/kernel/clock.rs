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

/// Fractions of a microsecond in [`after_exactly`]: 2^-32 us.
const FRACTION_BITS: u32 = 32;

/// The instant `gap_us` after `now` plus `fraction` (in 2^-32 us), as a
/// whole microsecond and the fraction left over for the next gap.
///
/// Arrivals keep the fraction their gaps carry instead of rounding each gap
/// to a whole microsecond: at a million requests a second, rounding every
/// gap (and keeping them at least 1 us apart) loses a quarter of them.
/// Several arrivals may share one microsecond. The fraction is an integer,
/// so the sum of many gaps never depends on float rounding order.
#[inline]
pub fn after_exactly(now: Micros, fraction: u32, gap_us: f64) -> (Micros, u32) {
    const ONE: f64 = (1u64 << FRACTION_BITS) as f64;
    let gap = gap_us.max(0.0);
    if gap >= (1u64 << 31) as f64 {
        // Over half an hour: a fraction of a microsecond no longer matters.
        return (now.after(gap as Micros), fraction);
    }
    // Below 2^63, plus a fraction below 2^32: no overflow.
    let total = (gap * ONE + 0.5) as u64 + fraction as u64;
    (now.after(total >> FRACTION_BITS), total as u32)
}

/// Arithmetic on simulated time. Every addition to a point in time goes
/// through here: it saturates, so a huge duration (a rate of 1e-20/s, a day
/// of work stretched by stacked slow faults) lands far past the end of the
/// run instead of wrapping around to the past, where the event queue would
/// run it at once and time would stop.
pub trait Time: Sized {
    /// The instant `d` after `self`.
    fn after(self, d: Micros) -> Micros;
    /// The time from `earlier` to `self` (0 if `earlier` is later).
    fn since(self, earlier: Micros) -> Micros;
    /// This duration stretched by `factor` (a `slow` fault), rounded.
    fn stretched(self, factor: f64) -> Micros;
}

impl Time for Micros {
    #[inline]
    fn after(self, d: Micros) -> Micros {
        self.saturating_add(d)
    }

    #[inline]
    fn since(self, earlier: Micros) -> Micros {
        self.saturating_sub(earlier)
    }

    #[inline]
    fn stretched(self, factor: f64) -> Micros {
        if factor == 1.0 {
            return self;
        }
        // Float-to-integer casts saturate (and NaN gives 0): no wrap here.
        (self as f64 * factor).round() as Micros
    }
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

    #[test]
    fn exact_arrivals_keep_fractions_of_a_microsecond() {
        // A third of a microsecond a million times: exactly 333,333 us.
        let (mut t, mut f) = (0, 0);
        for _ in 0..1_000_000 {
            (t, f) = after_exactly(t, f, 1.0 / 3.0);
        }
        assert_eq!(t, 333_333);
        // Gaps below a microsecond share microseconds.
        assert_eq!(after_exactly(10, 0, 0.25), (10, 1 << 30));
        // Huge, infinite or NaN gaps land at the end of time, not before now.
        assert_eq!(after_exactly(10, 0, 1e26).0, u64::MAX);
        assert_eq!(after_exactly(10, 7, f64::INFINITY).0, u64::MAX);
        assert_eq!(after_exactly(10, 7, f64::NAN), (10, 7));
    }

    #[test]
    fn time_saturates_instead_of_wrapping() {
        assert_eq!(5u64.after(3), 8);
        assert_eq!((u64::MAX - 1).after(10), u64::MAX);
        assert_eq!(3u64.since(5), 0);
        assert_eq!(8u64.since(5), 3);
        assert_eq!(1_000u64.stretched(2.5), 2_500);
        assert_eq!(86_400_000_000u64.stretched(1e18), u64::MAX);
        assert_eq!(7u64.stretched(f64::NAN), 0);
    }
}
