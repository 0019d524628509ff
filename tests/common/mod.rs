//! Helpers shared by the integration tests.
#![allow(dead_code)]

use crosstalk::engine::format::{self, Scenario};
use crosstalk::engine::report::Report;
use crosstalk::engine::{Sim, SimOptions};

/// The end states of the report's `messages` (MODEL.md's accounting:
/// `sent` is their sum, for the whole ledger and for each link's row).
pub const END_STATES: [&str; 10] = [
    "delivered",
    "failed",
    "timed_out",
    "rejected",
    "dead_lettered",
    "dropped",
    "lost",
    "expired",
    "deduplicated",
    "in_flight",
];

/// Parses and validates a scenario written as JSON text.
pub fn scenario(json: &str) -> Scenario {
    match format::load(json) {
        Ok(s) => s,
        Err(e) => panic!("test scenario is invalid: {e}"),
    }
}

/// Runs to the end, checking the accounting invariant along the way.
pub fn run(s: &Scenario) -> (Sim, Report) {
    let mut sim = Sim::new(s, SimOptions { series: true, ..SimOptions::default() }).expect("valid scenario");
    let end = sim.end_us();
    let slice = (end / 20).max(1);
    let mut t = 0;
    while !sim.is_finished() {
        t += slice;
        sim.advance_to(t, u64::MAX);
        if let Err(e) = sim.audit() {
            panic!("seed {}: {e}", s.seed);
        }
    }
    let r = sim.report();
    (sim, r)
}

pub fn run_json(json: &str) -> Report {
    run(&scenario(json)).1
}

/// Relative difference |a - b| / b.
pub fn rel(a: f64, b: f64) -> f64 {
    (a - b).abs() / b.abs()
}
