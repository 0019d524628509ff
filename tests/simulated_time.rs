//! Simulated time never wraps, never stops and never runs backwards, whatever
//! a scenario asks for within the documented caps. Each test is a finding of
//! the hostile-input campaign (issue 12): before the fix, `now + gap` wrapped
//! past 2^64 microseconds and the run hung or produced impossible numbers.
//!
//! Runs are bounded by an event budget here, so a regression fails instead
//! of hanging the test suite.

mod common;
use common::scenario;
use crosstalk::engine::report::Report;
use crosstalk::engine::{Sim, SimOptions};

/// Runs to the end within `max_events`; fails (with the scenario's name)
/// if simulated time did not reach the end by then.
fn run_within(json: &str, max_events: u64) -> Report {
    let s = scenario(json);
    let mut sim = Sim::new(&s, SimOptions::default()).expect("valid");
    let mut left = max_events;
    while !sim.is_finished() && left > 0 {
        left -= sim.advance_to(sim.end_us(), left.min(10_000));
    }
    assert!(
        sim.is_finished(),
        "`{}` still at {} ms of {} ms after {max_events} events: simulated time stopped",
        s.name,
        sim.now_ms(),
        sim.end_us() / 1000
    );
    sim.audit().expect("balanced books");
    sim.report()
}

#[test]
fn a_client_whose_rate_drops_to_almost_nothing_just_stops_sending() {
    // 10 requests a second, then one every 3 million years.
    let r = run_within(
        r#"{"crosstalk":1,"name":"tiny rate","duration_ms":2000,
            "nodes":[{"id":"c","kind":"client","arrival":"uniform","rate_per_s":10,"schedule":[[1000,1e-14]]},
                     {"id":"s","kind":"service"}],
            "links":[{"from":"c","to":"s","via":"http"}]}"#,
        100_000,
    );
    assert!(r.stopped.is_none(), "{:?}", r.stopped);
    assert!((9..=11).contains(&r.requests.started), "started {}", r.requests.started);
}

#[test]
fn a_poisson_client_at_1e_minus_20_per_second_sends_nothing_more() {
    // Before: the wrapped gap put millions of arrivals at one instant.
    let r = run_within(
        r#"{"crosstalk":1,"name":"tiny poisson","duration_ms":2000,"seed":4,
            "nodes":[{"id":"c","kind":"client","rate_per_s":10,"schedule":[[1000,1e-20]]},
                     {"id":"s","kind":"service","workers":100}],
            "links":[{"from":"c","to":"s","via":"http"}]}"#,
        100_000,
    );
    assert!(r.requests.started < 40, "started {}", r.requests.started);
}

#[test]
fn a_crashed_client_with_a_tiny_rate_recovers_without_stopping_time() {
    let r = run_within(
        r#"{"crosstalk":1,"name":"tiny rate after recovery","duration_ms":3000,
            "nodes":[{"id":"c","kind":"client","arrival":"uniform","rate_per_s":10,"schedule":[[500,1e-14]]},
                     {"id":"s","kind":"service"}],
            "links":[{"from":"c","to":"s","via":"http"}],
            "faults":[{"target":"c","kind":"crash","at_ms":1000,"for_ms":500}]}"#,
        100_000,
    );
    assert!(r.requests.started <= 6, "started {}", r.requests.started);
}

#[test]
fn stacked_slow_faults_never_make_a_link_faster() {
    // 1 ms each way and 1 ms of work: 3 ms. Six x1000 slowdowns on the link
    // stretch each crossing far beyond the run; before, the stretched
    // latency wrapped and calls took 1 ms.
    let json = |faults: &str| {
        format!(
            r#"{{"crosstalk":1,"name":"stacked slow","duration_ms":2000,
                "nodes":[{{"id":"c","kind":"client","rate_per_s":10}},{{"id":"s","kind":"service","work_ms":1}}],
                "links":[{{"id":"l","from":"c","to":"s","via":"http"}}],"faults":[{faults}]}}"#
        )
    };
    let plain = run_within(&json(""), 100_000);
    assert!((plain.nodes["c"].latency_ms.p50 - 3.0).abs() < 0.1, "{:?}", plain.nodes["c"].latency_ms);
    let slow = r#"{"target":"l","kind":"slow","factor":1000}"#;
    let stacked = run_within(&json(&[slow; 6].join(",")), 100_000);
    assert_eq!(stacked.requests.ok, 0, "nothing crosses a link slowed a million times in 2 s");
    assert_eq!(stacked.nodes["s"].arrivals, 0);
    assert!(stacked.requests.in_flight > 0);
}

#[test]
fn stacked_slow_faults_on_a_day_of_work_end_after_the_run_not_before_now() {
    // A day of work stretched by six x1000 slow faults: far past the end,
    // never wrapped around to "already done".
    let faults = [r#"{"target":"s","kind":"slow","factor":1000}"#; 6].join(",");
    let r = run_within(
        &format!(
            r#"{{"crosstalk":1,"name":"long work","duration_ms":1000,
            "nodes":[{{"id":"c","kind":"client","rate_per_s":50}},
                     {{"id":"s","kind":"service","workers":1000,"work_ms":86400000}}],
            "links":[{{"id":"l","from":"c","to":"s","via":"http","timeout_ms":86400000}}],
            "faults":[{faults}]}}"#
        ),
        100_000,
    );
    assert_eq!(r.requests.ok + r.requests.failed + r.requests.timed_out, 0, "{:?}", r.requests);
}

#[test]
fn simulated_time_is_only_added_through_the_time_trait() {
    // STYLE.md: time arithmetic goes through one small type, so no u64
    // addition on simulated time can wrap. A plain `now + d` in the engine
    // is how the findings above happened; `now.after(d)` saturates.
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/engine/sim");
    let names = ["now", "depart", "arrive", "arrived", "enqueued", "trace_start"];
    let mut offenders = Vec::new();
    for entry in std::fs::read_dir(&dir).expect("src/engine/sim") {
        let path = entry.expect("entry").path();
        let text = std::fs::read_to_string(&path).expect("source");
        for (i, line) in text.lines().enumerate() {
            let code = line.split("//").next().unwrap_or("");
            for name in names {
                for op in ["+", "-"] {
                    for pattern in [format!("{name} {op} "), format!("{name} {op}= "), format!("{name}{op}")] {
                        let hit = code.match_indices(&pattern).any(|(at, _)| {
                            let before = code[..at].chars().next_back();
                            !before.is_some_and(|c| c.is_alphanumeric() || c == '_')
                        });
                        if hit && !code.contains(&format!("{name}->")) {
                            offenders.push(format!("{}:{}: {}", path.display(), i + 1, line.trim()));
                        }
                    }
                }
            }
        }
    }
    offenders.dedup();
    assert!(offenders.is_empty(), "use Time::after / Time::since:\n{}", offenders.join("\n"));
}

/// The hash of `json` run one event per slice, the way a slow frame loop
/// might, and run to the end at once.
fn hash_by_slices_and_at_once(json: &str) -> (String, String, u64) {
    let s = scenario(json);
    let mut sliced = Sim::new(&s, SimOptions::default()).expect("valid");
    let mut guard = 0;
    while !sliced.is_finished() && guard < 1_000_000 {
        sliced.advance_to(sliced.end_us(), 1);
        guard += 1;
    }
    let mut whole = Sim::new(&s, SimOptions::default()).expect("valid");
    whole.run_to_end();
    (sliced.run_hash_hex(), whole.run_hash_hex(), whole.events())
}

#[test]
fn a_run_is_finished_only_once_every_event_at_its_last_instant_ran() {
    // Two faults and a metrics tick at exactly the end: a slice that stops
    // between them must not end the run (the browser's Run to end and the
    // runner would disagree on the hash).
    let (sliced, whole, _) = hash_by_slices_and_at_once(
        r#"{"crosstalk":1,"duration_ms":1000,
            "nodes":[{"id":"c","kind":"client","rate_per_s":5},{"id":"s","kind":"service"}],
            "links":[{"from":"c","to":"s","via":"http"}],
            "faults":[{"target":"s","kind":"crash","at_ms":1000},{"target":"c","kind":"crash","at_ms":1000}]}"#,
    );
    assert_eq!(sliced, whole);
}

#[test]
fn a_run_shorter_than_a_microsecond_still_runs_its_first_instant() {
    // 0.0004 ms rounds to 0 us: the run starts at its end, with a fault
    // at that instant. Run to the end at once or in slices: the same run.
    let (sliced, whole, events) = hash_by_slices_and_at_once(
        r#"{"crosstalk":1,"duration_ms":0.0004,
            "nodes":[{"id":"c","kind":"client"}],"faults":[{"target":"c","kind":"crash","at_ms":0}]}"#,
    );
    assert_eq!(sliced, whole);
    assert!(events >= 1, "the fault at 0 ms ran");
}
