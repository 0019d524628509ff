//! Replications (`crosstalk run --replications N`): the table depends on
//! the seeds only, the warm-up leaves out what it says, the intervals are
//! Student's t intervals and hold the true value of a known model.

mod common;

use crosstalk::engine::budget::Budget;
use crosstalk::engine::replications::{self, mean_ci95, t975};
use crosstalk::runner::replicate;
use std::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_crosstalk");
const EXAMPLE: &str = "tests/fixtures/v1/model-example.json";

fn crosstalk(args: &[&str]) -> std::process::Output {
    Command::new(BIN).args(args).output().expect("the binary runs")
}

fn stdout(args: &[&str]) -> String {
    let out = crosstalk(args);
    assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn the_table_is_the_same_for_any_number_of_threads() {
    let one = stdout(&["run", EXAMPLE, "--replications", "6", "--jobs", "1", "--duration-ms", "20000"]);
    let two = stdout(&["run", EXAMPLE, "--replications", "6", "--jobs", "2", "--duration-ms", "20000"]);
    let five = stdout(&["run", EXAMPLE, "--replications", "6", "--jobs", "5", "--duration-ms", "20000"]);
    assert_eq!(one, two);
    assert_eq!(one, five);
    assert!(one.contains("6 replications, seeds 7 to 12"), "{one}");
    for metric in ["client success rate", "latency p50", "latency p99", "lost messages", "duplicates"] {
        assert!(one.contains(metric), "{metric} missing from\n{one}");
    }
    // --seed moves the seed list, and so the figures.
    let other = stdout(&["run", EXAMPLE, "--replications", "6", "--seed", "100", "--duration-ms", "20000"]);
    assert!(other.contains("seeds 100 to 105"), "{other}");
    assert_ne!(one.lines().nth(4), other.lines().nth(4), "{one}\n{other}");
}

#[test]
fn each_replication_is_the_plain_run_of_its_seed() {
    let s = common::scenario(&std::fs::read_to_string(EXAMPLE).unwrap());
    let seeds = replications::seeds(s.seed, 3);
    let samples = replicate::run_all(&s, &seeds, 5_000.0, Budget::default(), 2).unwrap();
    for (sample, seed) in samples.iter().zip(&seeds) {
        let mut one = s.clone();
        one.seed = *seed;
        let (sim, report) = common::run(&one);
        // A warm-up only changes what is counted, never the run.
        assert_eq!(sample.run_hash, sim.run_hash_hex(), "seed {seed}");
        assert!(sample.requests_ended < report.requests.started, "the warm-up left requests out");
    }
}

/// A front service crashes at 1 s for 0.5 s: its calls in flight to the
/// back service are lost, its callers time out or are refused.
const CRASH: &str = r#"{
  "crosstalk": 1, "name": "Crash early", "seed": 1, "duration_ms": 6000,
  "nodes": [
    { "id": "c", "kind": "client", "rate_per_s": 100, "arrival": "poisson" },
    { "id": "f", "kind": "service", "workers": 100, "work_ms": { "const": 1 } },
    { "id": "s", "kind": "service", "workers": 100, "work_ms": { "const": 200 } }
  ],
  "links": [ { "id": "l", "from": "c", "to": "f", "via": "http", "timeout_ms": 1000 },
             { "id": "m", "from": "f", "to": "s", "via": "http", "timeout_ms": 1000 } ],
  "faults": [ { "target": "f", "kind": "crash", "at_ms": 1000, "for_ms": 500 } ]
}"#;

#[test]
fn the_warm_up_leaves_out_what_ended_before_it() {
    let s = common::scenario(CRASH);
    let all = replicate::replicate(&s, 4, 0.0, Budget::default(), 2).unwrap();
    let after = replicate::replicate(&s, 4, 3_000.0, Budget::default(), 2).unwrap();
    let row = |sum: &replications::Summary, m: &str| sum.rows.iter().find(|r| r.metric == m).unwrap().clone();
    assert!(row(&all, "lost messages").mean > 0.0, "the crash loses work");
    assert!(row(&all, "client success rate").mean < 100.0);
    // After 3 s the service has been up for 1.5 s: nothing is lost, all succeed.
    assert_eq!(row(&after, "lost messages").mean, 0.0);
    assert_eq!(row(&after, "client success rate").mean, 100.0);
    assert_eq!(row(&after, "client success rate").half_width, Some(0.0));
    // Latency after the warm-up is the 201 ms of work plus the links'
    // latency (percentiles are kept to two significant digits).
    let p50 = row(&after, "latency p50").mean;
    assert!((201.0..=210.0).contains(&p50), "p50 {p50}");
    assert!(row(&all, "latency p99").mean > 1_000.0, "the timed-out requests count without a warm-up");
}

#[test]
fn the_interval_holds_a_known_success_rate() {
    // Each request fails with probability 0.2, independently: the success
    // rate's true mean is 80%.
    let s = common::scenario(
        r#"{ "crosstalk": 1, "name": "Coin", "seed": 11, "duration_ms": 10000,
        "nodes": [ { "id": "c", "kind": "client", "rate_per_s": 100, "arrival": "poisson" },
                   { "id": "s", "kind": "service", "workers": 50, "work_ms": { "exp": 5 }, "error_rate": 0.2 } ],
        "links": [ { "id": "l", "from": "c", "to": "s", "via": "http" } ] }"#,
    );
    let sum = replicate::replicate(&s, 30, 0.0, Budget::default(), 2).unwrap();
    let rate = &sum.rows[0];
    let h = rate.half_width.unwrap();
    assert!((rate.mean - 80.0).abs() <= h, "80% outside {} ± {h}", rate.mean);
    // ~1000 requests a run: sd of one run ~1.26 points, of the mean of 30
    // ~0.23, so the half width is near 0.47.
    assert!(h > 0.2 && h < 1.0, "half width {h}");
}

#[test]
fn t_quantiles_match_statrs() {
    use statrs::distribution::{ContinuousCDF, StudentsT};
    for df in 1..=999u32 {
        let exact = StudentsT::new(0.0, 1.0, df as f64).unwrap().inverse_cdf(0.975);
        let ours = t975(df);
        assert!((ours - exact).abs() < 1e-6, "df {df}: {ours} vs statrs {exact}");
    }
    let (_, h) = mean_ci95(&[10.0, 12.0]);
    assert!((h.unwrap() - 12.706204736174704).abs() < 1e-9);
}

#[test]
fn bad_counts_and_warm_ups_are_refused_with_a_message() {
    for (args, says) in [
        (vec!["--replications", "0"], "at least 1"),
        (vec!["--replications", "1001"], "at most 1000"),
        (vec!["--replications", "3", "--warmup-ms", "60000"], "warm-up"),
        (vec!["--jobs", "2"], "--replications"),
    ] {
        let mut all = vec!["run", EXAMPLE];
        all.extend(args);
        let out = crosstalk(&all);
        assert_eq!(out.status.code(), Some(2), "{all:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(says), "{all:?}: {err}");
        assert!(out.stdout.is_empty());
    }
}
