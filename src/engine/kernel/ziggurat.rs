//! Ziggurat samplers for the exponential and normal distributions
//! (Marsaglia and Tsang, 2000, with Doornik's separate bits for the layer
//! and the uniform). About 99% of samples cost one random word, a multiply
//! and a compare; only the rare wedge and tail cases call `libm`. The tables
//! are built once with `libm`, so samples are the same bits natively and in
//! wasm.

use std::sync::OnceLock;

const LAYERS: usize = 256;

struct Tables {
    /// Right edges of the layers, `x[0]` the base strip's, `x[256] = 0`.
    x: [f64; LAYERS + 1],
    /// The density at each edge.
    f: [f64; LAYERS + 1],
}

/// Builds the tables for a decreasing density `f` with inverse `f_inv`,
/// tail start `r` and layer area `v`.
fn build(r: f64, v: f64, f: fn(f64) -> f64, f_inv: fn(f64) -> f64) -> Tables {
    let mut x = [0.0; LAYERS + 1];
    x[0] = v / f(r);
    x[1] = r;
    for i in 1..LAYERS - 1 {
        x[i + 1] = f_inv(v / x[i] + f(x[i]));
    }
    x[LAYERS] = 0.0;
    let mut fs = [0.0; LAYERS + 1];
    for i in 0..=LAYERS {
        fs[i] = f(x[i]);
    }
    Tables { x, f: fs }
}

// Marsaglia and Tsang's published constants, digits as published.
#[allow(clippy::excessive_precision)]
const EXP_R: f64 = 7.697_117_470_131_049_72;
#[allow(clippy::excessive_precision)]
const EXP_V: f64 = 0.003_949_659_822_581_557_199_3;
#[allow(clippy::excessive_precision)]
const NORM_R: f64 = 3.654_152_885_361_008_8;
#[allow(clippy::excessive_precision)]
const NORM_V: f64 = 0.004_928_673_233_974_651_9;

fn exp_tables() -> &'static Tables {
    static T: OnceLock<Tables> = OnceLock::new();
    T.get_or_init(|| build(EXP_R, EXP_V, |x| libm::exp(-x), |y| -libm::log(y)))
}

fn normal_tables() -> &'static Tables {
    static T: OnceLock<Tables> = OnceLock::new();
    T.get_or_init(|| build(NORM_R, NORM_V, |x| libm::exp(-0.5 * x * x), |y| libm::sqrt(-2.0 * libm::log(y))))
}

const TO_UNIT: f64 = 1.0 / (1u64 << 53) as f64;

/// A standard exponential sample (mean 1) from the random words of `next`.
#[inline]
pub fn exp1(mut next: impl FnMut() -> u64) -> f64 {
    let t = exp_tables();
    loop {
        let bits = next();
        let i = (bits & 0xff) as usize;
        let x = (bits >> 11) as f64 * TO_UNIT * t.x[i];
        if x < t.x[i + 1] {
            return x;
        }
        if i == 0 {
            // The tail beyond r is r + Exp(1): memorylessness.
            return EXP_R - libm::log(1.0 - (next() >> 11) as f64 * TO_UNIT);
        }
        let y = t.f[i] + (next() >> 11) as f64 * TO_UNIT * (t.f[i + 1] - t.f[i]);
        if y < libm::exp(-x) {
            return x;
        }
    }
}

/// A standard normal sample (mean 0, sd 1) from the random words of `next`.
#[inline]
pub fn normal1(mut next: impl FnMut() -> u64) -> f64 {
    let t = normal_tables();
    loop {
        let bits = next();
        let i = (bits & 0xff) as usize;
        let sign = if bits & 0x100 == 0 { 1.0 } else { -1.0 };
        let x = (bits >> 11) as f64 * TO_UNIT * t.x[i];
        if x < t.x[i + 1] {
            return sign * x;
        }
        if i == 0 {
            // Marsaglia's tail method for x > r.
            loop {
                let a = -libm::log(1.0 - (next() >> 11) as f64 * TO_UNIT) / NORM_R;
                let b = -libm::log(1.0 - (next() >> 11) as f64 * TO_UNIT);
                if 2.0 * b > a * a {
                    return sign * (NORM_R + a);
                }
            }
        }
        let y = t.f[i] + (next() >> 11) as f64 * TO_UNIT * (t.f[i + 1] - t.f[i]);
        if y < libm::exp(-0.5 * x * x) {
            return sign * x;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::kernel::rng::Stream;

    #[test]
    fn tables_close_at_zero() {
        // The last computed edge must be small and positive, or the
        // constants do not describe 256 layers of this density.
        for t in [exp_tables(), normal_tables()] {
            assert!(t.x[LAYERS - 1] > 0.0 && t.x[LAYERS - 1] < 0.5, "{}", t.x[LAYERS - 1]);
            assert!(t.x.windows(2).skip(1).all(|w| w[0] > w[1]));
        }
    }

    /// Kolmogorov-Smirnov distance of n samples from a CDF.
    fn ks(mut v: Vec<f64>, cdf: impl Fn(f64) -> f64) -> f64 {
        v.sort_by(|a, b| a.total_cmp(b));
        let n = v.len() as f64;
        v.iter()
            .enumerate()
            .map(|(i, x)| {
                let c = cdf(*x);
                (c - i as f64 / n).abs().max((c - (i + 1) as f64 / n).abs())
            })
            .fold(0.0, f64::max)
    }

    #[test]
    fn exponential_samples_follow_the_distribution() {
        let mut s = Stream::new(1, "zig");
        let v: Vec<f64> = (0..200_000).map(|_| s.exp(1.0)).collect();
        // 1.63 / sqrt(n) is the 1% critical value.
        let d = ks(v, |x| 1.0 - (-x).exp());
        assert!(d < 1.63 / (200_000f64).sqrt(), "KS distance {d}");
    }

    #[test]
    fn normal_samples_follow_the_distribution() {
        let mut s = Stream::new(2, "zig");
        let v: Vec<f64> = (0..200_000).map(|_| s.std_normal()).collect();
        let cdf = |x: f64| 0.5 * (1.0 + libm::erf(x / std::f64::consts::SQRT_2));
        let d = ks(v, cdf);
        assert!(d < 1.63 / (200_000f64).sqrt(), "KS distance {d}");
    }

    #[test]
    fn tails_are_reached() {
        let mut s = Stream::new(3, "zig");
        let beyond = (0..2_000_000).filter(|_| s.exp(1.0) > EXP_R).count();
        // P(X > 7.697) = 4.5e-4: about 906 of 2M.
        assert!((750..1070).contains(&beyond), "{beyond}");
    }
}
