//! resilience4j settings for every link's retry, circuit breaker and
//! timeout, as Spring Boot's `application.yml` takes them
//! (`resilience4j.retry.instances`, `resilience4j.circuitbreaker.instances`,
//! `resilience4j.timelimiter.instances`), one instance per link, named by
//! the link's id. Defaults the diagram leaves out are written out, so the
//! file says what the simulation used.
//!
//! Where the models differ, a comment says so: AWS's jitters map onto
//! resilience4j's `randomizedWaitFactor` (full jitter waits in [0, w], the
//! factor 1.0 in [0, 2w]: the same mean); a time-based breaker's "after N
//! failures" has no resilience4j rule of its own, so it becomes
//! `minimumNumberOfCalls: N` with the failure rate threshold.

use crate::engine::format::defaults as d;
use crate::engine::format::{BreakerSpec, Jitter, LinkSpec, RetrySpec, Scenario, WindowType};
use std::fmt::Write;

/// A YAML double-quoted scalar (ids are safe, but a YAML key such as
/// `true`, `null` or `1e3` would not stay a string unquoted).
fn quoted(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if c.is_control() => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A duration the way Spring reads one (`100ms`, `60s`).
fn duration(ms: f64) -> String {
    let ms = ms.max(0.0);
    if ms >= 1000.0 && ms % 1000.0 == 0.0 {
        format!("{}s", ms / 1000.0)
    } else if ms.fract() == 0.0 {
        format!("{ms}ms")
    } else {
        // Spring durations are whole units: microseconds keep the value.
        format!("{}us", (ms * 1000.0).round())
    }
}

/// A comment line naming the link (labels are user text: one line only).
fn about(s: &Scenario, l: &LinkSpec) -> String {
    let name = |id: &str| {
        let n = s.node(id).map_or(id, |n| n.display_name());
        n.chars().map(|c| if c.is_control() { ' ' } else { c }).collect::<String>()
    };
    format!("# {} -> {} ({})", name(&l.from), name(&l.to), l.via.as_str())
}

fn retry(out: &mut String, r: &RetrySpec) {
    let base = r.base_ms.unwrap_or(d::RETRY_BASE_MS);
    let _ = writeln!(out, "        maxAttempts: {}", r.attempts.unwrap_or(d::RETRY_ATTEMPTS));
    let _ = writeln!(out, "        waitDuration: {}", duration(base));
    let _ = writeln!(out, "        enableExponentialBackoff: true");
    let _ = writeln!(out, "        exponentialBackoffMultiplier: {}", r.multiplier.unwrap_or(d::RETRY_MULTIPLIER));
    if let Some(max) = r.max_ms {
        let _ = writeln!(out, "        exponentialMaxWaitDuration: {}", duration(max));
    }
    let factor = match r.jitter.unwrap_or_default() {
        Jitter::None => None,
        Jitter::Full => Some(("1.0", "full jitter waits in [0, w]; this waits in [0, 2w], the same mean")),
        Jitter::Equal => Some(("0.5", "equal jitter waits in [w/2, w]; this waits in [w/2, 3w/2]")),
        Jitter::Decorrelated => Some(("0.5", "decorrelated jitter has no resilience4j equivalent")),
    };
    if let Some((f, why)) = factor {
        let _ = writeln!(out, "        enableRandomizedWait: true");
        let _ = writeln!(out, "        randomizedWaitFactor: {f}  # {why}");
    }
}

fn breaker(out: &mut String, b: &BreakerSpec) {
    let rate = b.failure_rate.unwrap_or(d::BREAKER_FAILURE_RATE) * 100.0;
    if b.window_type == Some(WindowType::Time) {
        let secs = (b.window_ms.unwrap_or(d::BREAKER_WINDOW_MS) / 1000.0).ceil().max(1.0);
        let failures = b.min_failures.unwrap_or(d::BREAKER_MIN_FAILURES);
        let _ = writeln!(out, "        slidingWindowType: TIME_BASED");
        let _ = writeln!(out, "        slidingWindowSize: {secs}  # seconds");
        let _ = writeln!(
            out,
            "        minimumNumberOfCalls: {failures}  # the diagram opens after {failures} failures in the window"
        );
    } else {
        let _ = writeln!(out, "        slidingWindowType: COUNT_BASED");
        let _ = writeln!(out, "        slidingWindowSize: {}", b.window.unwrap_or(d::BREAKER_WINDOW));
        let _ = writeln!(out, "        minimumNumberOfCalls: {}", b.min_calls.unwrap_or(d::BREAKER_MIN_CALLS));
    }
    let _ = writeln!(out, "        failureRateThreshold: {rate}");
    let _ = writeln!(out, "        waitDurationInOpenState: {}", duration(b.open_ms.unwrap_or(d::BREAKER_OPEN_MS)));
    let _ = writeln!(
        out,
        "        permittedNumberOfCallsInHalfOpenState: {}",
        b.half_open_calls.unwrap_or(d::BREAKER_HALF_OPEN_CALLS)
    );
    let _ = writeln!(out, "        automaticTransitionFromOpenToHalfOpenEnabled: false");
}

/// One `instances:` block: each link `pick` returns settings for.
fn section<'a, T>(
    out: &mut String,
    s: &'a Scenario,
    name: &str,
    pick: impl Fn(&'a LinkSpec) -> Option<T>,
    write: impl Fn(&mut String, T),
) {
    let links: Vec<(&'a LinkSpec, T)> = s.links.iter().filter_map(|l| pick(l).map(|v| (l, v))).collect();
    let _ = writeln!(out, "  {name}:");
    if links.is_empty() {
        let _ = writeln!(out, "    instances: {{}}");
        return;
    }
    let _ = writeln!(out, "    instances:");
    for (l, v) in links {
        let _ = writeln!(out, "      {}", about(s, l));
        let _ = writeln!(out, "      {}:", quoted(&l.id));
        write(out, v);
    }
}

/// The YAML for `s`.
pub fn yaml(s: &Scenario) -> String {
    let mut out = String::new();
    let name: String = s.name.chars().map(|c| if c.is_control() { ' ' } else { c }).collect();
    let _ = writeln!(out, "# resilience4j settings exported by Crosstalk from \"{name}\"");
    out.push_str("resilience4j:\n");
    section(&mut out, s, "retry", |l| l.retry.as_ref(), retry);
    section(&mut out, s, "circuitbreaker", |l| l.circuit_breaker.as_ref(), breaker);
    section(
        &mut out,
        s,
        "timelimiter",
        |l| l.timeout_ms,
        |out, ms| {
            let _ = writeln!(out, "        timeoutDuration: {}", duration(ms));
            let _ = writeln!(
                out,
                "        cancelRunningFuture: false  # the callee keeps working after the caller gives up"
            );
        },
    );
    out
}

#[cfg(test)]
mod tests {
    use super::duration;

    #[test]
    fn durations_read_as_spring_reads_them() {
        assert_eq!(duration(100.0), "100ms");
        assert_eq!(duration(60_000.0), "60s");
        assert_eq!(duration(1500.0), "1500ms");
        assert_eq!(duration(0.5), "500us");
    }
}
