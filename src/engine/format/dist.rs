//! Distributions of durations (`work_ms`, `latency_ms`).
//!
//! The format accepts a bare number (a constant) or one of
//! `{"const": m}`, `{"exp": mean}`, `{"uniform": [lo, hi]}`,
//! `{"normal": [mean, sd]}` (clamped at 0),
//! `{"lognormal": {"p50": a, "p99": b}}` and, for heavy-tailed counts
//! (followers per user), `{"zipf": {"n": 1000000, "s": 1.5}}`: the whole
//! numbers 1..=n with P(k) proportional to k^-s.

use serde::de::Error as _;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{json, Value};

/// A distribution of a duration in milliseconds.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Dist {
    Const(f64),
    Exp(f64),
    Uniform(f64, f64),
    Normal(f64, f64),
    LogNormal {
        p50: f64,
        p99: f64,
    },
    /// Whole numbers `1..=n` with P(k) proportional to `k^-s` (Zipf): most
    /// draws small, a few huge (a celebrity's followers).
    Zipf {
        n: f64,
        s: f64,
    },
}

/// The largest `n` of a Zipf distribution (a billion followers).
pub const ZIPF_MAX_N: f64 = 1e9;
/// The largest exponent `s` of a Zipf distribution.
pub const ZIPF_MAX_S: f64 = 20.0;

impl Dist {
    /// The mean in milliseconds (used for defaults shown in the app and for
    /// quick capacity estimates, never for sampling).
    pub fn mean_ms(&self) -> f64 {
        match *self {
            Dist::Const(m) | Dist::Exp(m) | Dist::Normal(m, _) => m,
            Dist::Uniform(lo, hi) => (lo + hi) / 2.0,
            Dist::LogNormal { p50, p99 } => {
                let sigma = lognormal_sigma(p50, p99);
                p50 * libm::exp(sigma * sigma / 2.0)
            }
            Dist::Zipf { n, s } => zipf_power_sum(n, s - 1.0) / zipf_power_sum(n, s),
        }
    }

    /// Every number in the distribution, for validation.
    pub fn numbers(&self) -> Vec<f64> {
        match *self {
            Dist::Const(m) | Dist::Exp(m) => vec![m],
            Dist::Uniform(a, b) | Dist::Normal(a, b) => vec![a, b],
            Dist::LogNormal { p50, p99 } => vec![p50, p99],
            Dist::Zipf { n, s } => vec![n, s],
        }
    }

    /// Why the parameters make no sense, if they don't.
    pub fn problem(&self) -> Option<String> {
        if self.numbers().iter().any(|v| !v.is_finite() || *v < 0.0) {
            return Some("must be finite and not negative".into());
        }
        match *self {
            Dist::Uniform(lo, hi) if lo > hi => Some(format!("uniform [{lo}, {hi}]: lo is above hi")),
            Dist::LogNormal { p50, p99 } if p50 <= 0.0 || p99 < p50 => {
                Some(format!("lognormal needs 0 < p50 <= p99 (got p50 {p50}, p99 {p99})"))
            }
            Dist::Zipf { n, .. } if !(1.0..=ZIPF_MAX_N).contains(&n) || n.fract() != 0.0 => {
                Some(format!("zipf needs a whole n from 1 to {ZIPF_MAX_N:e} (got n {n})"))
            }
            Dist::Zipf { s, .. } if s <= 0.0 || s > ZIPF_MAX_S => {
                Some(format!("zipf needs 0 < s <= {ZIPF_MAX_S} (got s {s})"))
            }
            _ => None,
        }
    }

    /// A short human form: "exp 20 ms", "const 50 ms".
    pub fn describe(&self) -> String {
        match *self {
            Dist::Const(m) => format!("{m} ms"),
            Dist::Exp(m) => format!("exp, mean {m} ms"),
            Dist::Uniform(a, b) => format!("uniform {a}–{b} ms"),
            Dist::Normal(m, s) => format!("normal {m} ± {s} ms"),
            Dist::LogNormal { p50, p99 } => format!("lognormal p50 {p50}, p99 {p99} ms"),
            Dist::Zipf { n, s } => format!("zipf 1–{n}, s {s}"),
        }
    }

    pub fn to_value(self) -> Value {
        match self {
            Dist::Const(m) => json!(m),
            Dist::Exp(m) => json!({ "exp": m }),
            Dist::Uniform(a, b) => json!({ "uniform": [a, b] }),
            Dist::Normal(m, s) => json!({ "normal": [m, s] }),
            Dist::LogNormal { p50, p99 } => json!({ "lognormal": { "p50": p50, "p99": p99 } }),
            Dist::Zipf { n, s } => json!({ "zipf": { "n": n, "s": s } }),
        }
    }

    pub fn from_value(v: &Value) -> Result<Dist, String> {
        if let Some(n) = v.as_f64() {
            return Ok(Dist::Const(n));
        }
        let obj = v
            .as_object()
            .ok_or_else(|| format!("expected a number of ms or an object like {{\"exp\": 20}}, got {v}"))?;
        if obj.len() != 1 {
            return Err(format!(
                "a distribution has exactly one of const, exp, uniform, normal, lognormal, zipf; got {v}"
            ));
        }
        let (name, arg) = obj.iter().next().expect("one entry");
        let num = |x: &Value| x.as_f64().ok_or_else(|| format!("{name}: expected a number, got {x}"));
        let pair = |x: &Value| -> Result<(f64, f64), String> {
            match x.as_array().map(|a| a.as_slice()) {
                Some([a, b]) => Ok((num(a)?, num(b)?)),
                _ => Err(format!("{name}: expected two numbers like [10, 30], got {x}")),
            }
        };
        match name.as_str() {
            "const" => Ok(Dist::Const(num(arg)?)),
            "exp" => Ok(Dist::Exp(num(arg)?)),
            "uniform" => pair(arg).map(|(a, b)| Dist::Uniform(a, b)),
            "normal" => pair(arg).map(|(a, b)| Dist::Normal(a, b)),
            "lognormal" => {
                let o = arg
                    .as_object()
                    .filter(|o| o.len() == 2 && o.contains_key("p50") && o.contains_key("p99"))
                    .ok_or_else(|| format!("lognormal: expected {{\"p50\": a, \"p99\": b}}, got {arg}"))?;
                Ok(Dist::LogNormal { p50: num(&o["p50"])?, p99: num(&o["p99"])? })
            }
            "zipf" => {
                let o = arg
                    .as_object()
                    .filter(|o| o.len() == 2 && o.contains_key("n") && o.contains_key("s"))
                    .ok_or_else(|| format!("zipf: expected {{\"n\": 1000000, \"s\": 1.5}}, got {arg}"))?;
                Ok(Dist::Zipf { n: num(&o["n"])?, s: num(&o["s"])? })
            }
            other => {
                Err(format!("unknown distribution `{other}` (expected const, exp, uniform, normal, lognormal or zipf)"))
            }
        }
    }
}

/// `sum k^-p` for k in 1..=n: exactly for the first terms, the rest by
/// Euler-Maclaurin (the integral, half the end terms and the first
/// derivative correction), which is exact to about 1e-12 relative past
/// a thousand terms. Zipf means need it at `p = s` and `p = s - 1`.
pub fn zipf_power_sum(n: f64, p: f64) -> f64 {
    const EXACT: f64 = 1000.0;
    let n = libm::floor(n.max(1.0));
    let term = |k: f64| libm::pow(k, -p);
    let head_end = n.min(EXACT);
    let mut sum = 0.0;
    let mut k = 1.0;
    while k <= head_end {
        sum += term(k);
        k += 1.0;
    }
    if n <= EXACT {
        return sum;
    }
    // Tail k = a+1..=n with a = EXACT: the integral from a to n plus
    // (f(n) - f(a)) / 2 and (f'(n) - f'(a)) / 12.
    let a = EXACT;
    let integral = if (p - 1.0).abs() < 1e-12 {
        libm::log(n) - libm::log(a)
    } else {
        (libm::pow(n, 1.0 - p) - libm::pow(a, 1.0 - p)) / (1.0 - p)
    };
    let d = |k: f64| -p * libm::pow(k, -p - 1.0);
    sum + integral + (term(n) - term(a)) / 2.0 + (d(n) - d(a)) / 12.0
}

/// z of the 99th percentile of the standard normal distribution.
pub const Z99: f64 = 2.326_347_874_040_841;

/// The sigma of a lognormal with the given median and 99th percentile.
pub fn lognormal_sigma(p50: f64, p99: f64) -> f64 {
    (libm::log(p99) - libm::log(p50)) / Z99
}

impl Serialize for Dist {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.to_value().serialize(s)
    }
}

impl<'de> Deserialize<'de> for Dist {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let v = Value::deserialize(d)?;
        Dist::from_value(&v).map_err(D::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_form_round_trips() {
        for text in [
            "20",
            r#"{"exp":20}"#,
            r#"{"uniform":[1,3]}"#,
            r#"{"normal":[10,2]}"#,
            r#"{"lognormal":{"p50":10,"p99":100}}"#,
            r#"{"zipf":{"n":1000,"s":1.5}}"#,
        ] {
            let d: Dist = serde_json::from_str(text).unwrap();
            let back: Dist = serde_json::from_value(d.to_value()).unwrap();
            assert_eq!(d, back, "{text}");
        }
        let c: Dist = serde_json::from_str(r#"{"const": 5}"#).unwrap();
        assert_eq!(c, Dist::Const(5.0));
    }

    #[test]
    fn bad_forms_say_what_is_wrong() {
        let e = serde_json::from_str::<Dist>(r#"{"gamma": 3}"#).unwrap_err().to_string();
        assert!(e.contains("unknown distribution `gamma`"), "{e}");
        let e = serde_json::from_str::<Dist>(r#"{"uniform": 3}"#).unwrap_err().to_string();
        assert!(e.contains("two numbers"), "{e}");
        assert!(Dist::Uniform(5.0, 1.0).problem().is_some());
        assert!(Dist::Exp(-1.0).problem().is_some());
        assert!(Dist::LogNormal { p50: 10.0, p99: 5.0 }.problem().is_some());
    }

    #[test]
    fn zipf_mean_matches_a_brute_force_sum() {
        for (n, s) in [(1.0, 2.0), (10.0, 1.0), (5_000.0, 1.5), (200_000.0, 1.1), (200_000.0, 0.8)] {
            let (mut num, mut den) = (0.0, 0.0);
            for k in 1..=(n as u64) {
                let w = libm::pow(k as f64, -s);
                num += k as f64 * w;
                den += w;
            }
            let got = Dist::Zipf { n, s }.mean_ms();
            assert!((got - num / den).abs() <= 1e-9 * (num / den), "n {n} s {s}: {got} vs {}", num / den);
        }
    }

    #[test]
    fn zipf_refuses_what_it_cannot_draw() {
        assert!(Dist::Zipf { n: 0.0, s: 1.0 }.problem().is_some());
        assert!(Dist::Zipf { n: 2.5, s: 1.0 }.problem().is_some());
        assert!(Dist::Zipf { n: 1e12, s: 1.0 }.problem().is_some());
        assert!(Dist::Zipf { n: 100.0, s: 0.0 }.problem().is_some());
        assert!(Dist::Zipf { n: 100.0, s: f64::NAN }.problem().is_some());
        assert!(Dist::Zipf { n: 100.0, s: 1.2 }.problem().is_none());
        let e = serde_json::from_str::<Dist>(r#"{"zipf": [10, 1]}"#).unwrap_err().to_string();
        assert!(e.contains("zipf: expected"), "{e}");
    }

    #[test]
    fn lognormal_mean_is_above_its_median() {
        let d = Dist::LogNormal { p50: 10.0, p99: 100.0 };
        assert!(d.mean_ms() > 10.0);
    }
}
