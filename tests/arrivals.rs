//! Clients send the rate they are asked for, at any rate up to the cap.
//!
//! Time inside is whole microseconds, but arrivals keep the fraction of a
//! microsecond their gaps carry (and several may share one microsecond), so
//! a client at 1,000,000/s sends a million a second. Before (issue 12),
//! every gap was rounded to a whole microsecond of at least 1: Poisson at
//! 1,000,000/s delivered 738,443/s and at 500,000/s 453,264/s.

mod common;
use common::scenario;
use crosstalk::engine::{Sim, SimOptions};

/// Requests a lone client starts in `duration_ms`.
fn started(rate_per_s: f64, arrival: &str, duration_ms: f64, seed: u64) -> u64 {
    let s = scenario(&format!(
        r#"{{"crosstalk":1,"seed":{seed},"duration_ms":{duration_ms},
            "nodes":[{{"id":"c","kind":"client","rate_per_s":{rate_per_s},"arrival":"{arrival}"}},
                     {{"id":"s","kind":"service","workers":100000,"work_ms":0}}],
            "links":[{{"from":"c","to":"s","via":"http","latency_ms":0}}]}}"#
    ));
    let mut sim = Sim::new(&s, SimOptions::default()).expect("valid");
    sim.run_to_end();
    assert!(sim.report().stopped.is_none());
    sim.report().requests.started
}

#[test]
fn poisson_arrivals_deliver_a_million_a_second() {
    // Poisson: the count in one second has sd sqrt(n) = 1000; 5 sd is 0.5%.
    let n = started(1_000_000.0, "poisson", 1_000.0, 1) as f64;
    assert!((n - 1e6).abs() < 5_000.0, "{n} of 1,000,000");
}

#[test]
fn poisson_arrivals_deliver_half_a_million_a_second() {
    let n = started(500_000.0, "poisson", 2_000.0, 2) as f64;
    assert!((n - 1e6).abs() < 5_000.0, "{n} of 1,000,000 in 2 s");
}

#[test]
fn poisson_counts_over_seeds_average_the_rate_asked() {
    // 20 seeds of 300,000/s for 100 ms: 600,000 arrivals, sd 775.
    let total: u64 = (0..20).map(|seed| started(300_000.0, "poisson", 100.0, seed)).sum();
    assert!((total as f64 - 600_000.0).abs() < 3_900.0, "{total} of 600,000");
}

#[test]
fn evenly_spaced_arrivals_keep_fractions_of_a_microsecond() {
    // 1/600,000 s is 1.67 us: rounded gaps gave 500,000/s.
    let n = started(600_000.0, "uniform", 1_000.0, 1);
    assert!((599_999..=600_001).contains(&n), "{n} of 600,000");
    // And at low rates: 3/s is 333,333.33 us apart.
    let n = started(3.0, "uniform", 10_000.0, 1);
    assert!((29..=30).contains(&n), "{n} of 30");
}
