//! Fan-out (`count` on a sending link): how many calls or messages one
//! request makes over the link. A distribution, drawn once per request and
//! rounded to a whole number; absent means 1, exactly as before the field
//! existed.
//!
//! Calls (`http`, `grpc`, `saga_step`) of one link run in parallel, each
//! with the link's own timeout, retries, breaker and pool, and the request
//! waits for all of them (scatter-gather, a GraphQL resolver's N+1). It
//! fails if any of them failed after its retries, once all have ended (no
//! cancellation of the others: they run on and are counted). Messages
//! (`enqueue`, `publish`) are N messages; pushes (`push`, `sse`, `poll`)
//! go to N distinct users (a tweet to N followers).

use super::defaults::caps;
use super::dist::Dist;
use super::scenario::{LinkSpec, Via};

/// Whether `count` does something on a `via` link.
pub fn applies(via: Via) -> bool {
    matches!(
        via,
        Via::Http | Via::Grpc | Via::SagaStep | Via::Enqueue | Via::Publish | Via::Push | Via::Sse | Via::Poll
    )
}

/// Why a link's `count` is refused, if it is.
pub fn problem(l: &LinkSpec) -> Option<String> {
    let d = l.count.as_ref()?;
    if let Some(p) = d.problem() {
        return Some(p);
    }
    if d.numbers().iter().any(|v| *v > caps::COUNT as f64) {
        return Some(format!(
            "{} is above the limit of {} calls or messages per request",
            d.describe_count(),
            caps::COUNT
        ));
    }
    if l.outbox == Some(true) && !is_one(d) {
        return Some("cannot be combined with `outbox` (the outbox keeps one row per request and link)".into());
    }
    None
}

/// A constant 1: the same run as no `count` at all.
pub fn is_one(d: &Dist) -> bool {
    matches!(d, Dist::Const(c) if libm::round(*c) == 1.0)
}

/// The mean number of calls or messages per request (1 without a count):
/// what the work estimator multiplies by.
pub fn mean(l: &LinkSpec) -> f64 {
    match (&l.count, applies(l.via)) {
        (Some(d), true) => rounded_mean(d),
        _ => 1.0,
    }
}

/// The mean of `d` as drawn: rounded, at least 0, at most the cap. For a
/// constant that is its rounding; otherwise rounding moves the mean by
/// less than half, so the plain mean (clamped) is used.
pub fn rounded_mean(d: &Dist) -> f64 {
    match d {
        Dist::Const(c) => libm::round(*c).clamp(0.0, caps::COUNT as f64),
        other => other.mean_ms().clamp(0.0, caps::COUNT as f64),
    }
}

impl Dist {
    /// The distribution as a count reads: "3", "exp, mean 5", "zipf 1–1e6, s 1.5".
    pub fn describe_count(&self) -> String {
        match *self {
            Dist::Const(c) => format!("{c}"),
            Dist::Exp(m) => format!("exp, mean {m}"),
            Dist::Uniform(a, b) => format!("uniform {a}–{b}"),
            Dist::Normal(m, s) => format!("normal {m} ± {s}"),
            Dist::LogNormal { p50, p99 } => format!("lognormal p50 {p50}, p99 {p99}"),
            Dist::Zipf { n, s } => format!("zipf 1–{n}, s {s}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn link(count: Dist) -> LinkSpec {
        let mut l = LinkSpec::new("l", "a", "b", Via::Http);
        l.count = Some(count);
        l
    }

    #[test]
    fn bad_counts_say_why() {
        assert!(problem(&link(Dist::Const(-1.0))).unwrap().contains("not negative"));
        assert!(problem(&link(Dist::Const(f64::NAN))).unwrap().contains("finite"));
        assert!(problem(&link(Dist::Const(1e12))).unwrap().contains("above the limit"));
        assert!(problem(&link(Dist::Zipf { n: 1e8, s: 1.2 })).unwrap().contains("above the limit"));
        assert_eq!(problem(&link(Dist::Zipf { n: 1e6, s: 1.2 })), None);
        let mut outboxed = link(Dist::Const(3.0));
        outboxed.via = Via::Enqueue;
        outboxed.outbox = Some(true);
        assert!(problem(&outboxed).unwrap().contains("outbox"));
    }

    #[test]
    fn means_are_what_a_request_sends() {
        assert_eq!(mean(&LinkSpec::new("l", "a", "b", Via::Http)), 1.0);
        assert_eq!(mean(&link(Dist::Const(2.6))), 3.0);
        assert_eq!(mean(&link(Dist::Exp(4.0))), 4.0);
        let mut consume = link(Dist::Const(9.0));
        consume.via = Via::Consume;
        assert_eq!(mean(&consume), 1.0, "count does nothing on a consume link");
    }
}
