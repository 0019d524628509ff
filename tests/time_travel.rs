//! Time travel and what-if forks: the state at any instant, reached from a
//! checkpoint forwards or backwards, is the state a run from zero has
//! there; a fork is the original event for event up to its instant, and
//! its scenario, run on its own, is the branch.

use crosstalk::editor::examples::by_key;
use crosstalk::engine::fork::{fork, Intervention};
use crosstalk::engine::format::{FaultKind, Scenario};
use crosstalk::engine::timeline::{Timeline, MAX_POINTS};
use crosstalk::engine::view::Token;
use crosstalk::engine::{Sim, SimOptions};
use serde_json::json;

fn leetcode(rate_per_s: f64) -> Scenario {
    let mut s = by_key("leetcode").expect("the LeetCode example").scenario();
    s.nodes.iter_mut().filter(|n| n.id == "coders").for_each(|n| n.rate_per_s = Some(rate_per_s));
    s
}

/// Everything the app shows of an instant.
fn state(sim: &Sim) -> String {
    let mut tokens: Vec<Token> = Vec::new();
    sim.tokens(&mut tokens);
    let series: Vec<_> = (0..sim.scenario().nodes.len()).map(|i| format!("{:?}", sim.series(i))).collect();
    format!(
        "{} {} {} {:?} {:?} {:?} {:?} {:?}",
        sim.now_us(),
        sim.events(),
        sim.run_hash_hex(),
        sim.report(),
        sim.node_live(),
        sim.link_live(),
        tokens.len(),
        series
    )
}

fn fresh_at(s: &Scenario, t_us: u64) -> Sim {
    let mut sim = Sim::new(s, SimOptions::interactive()).expect("valid");
    sim.advance_to(t_us, u64::MAX);
    sim
}

#[test]
fn any_instant_forwards_and_backwards_is_the_run_from_zero_there() {
    let s = leetcode(200.0);
    let mut timeline = Timeline::new(SimOptions::interactive());
    let mut sim = Sim::new(&s, SimOptions::interactive()).unwrap();
    // Forwards past the crash of the WebSocket gateway (30 s to 35 s), back
    // into it, back to the start, forwards again, to the end.
    for t in [41_000_000u64, 31_234_567, 2_000_001, 0, 33_000_000, 60_000_000, 12_500_000] {
        timeline.seek(&mut sim, t);
        assert_eq!(sim.now_us(), t);
        assert_eq!(state(&sim), state(&fresh_at(&s, t)), "at {t} µs");
    }
    assert!(timeline.len() >= 20, "a checkpoint every 2 s of a 60 s run: {}", timeline.len());
    // A run that reached its end and went back runs to the same end.
    timeline.seek(&mut sim, 10_000_000);
    sim.run_to_end();
    let mut whole = Sim::new(&s, SimOptions::interactive()).unwrap();
    whole.run_to_end();
    assert_eq!(sim.run_hash_hex(), whole.run_hash_hex());
}

#[test]
fn a_long_run_keeps_a_bounded_number_of_checkpoints() {
    let mut s = leetcode(5.0);
    s.duration_ms = 600_000.0;
    let mut timeline = Timeline::new(SimOptions::default());
    let mut sim = Sim::new(&s, SimOptions::default()).unwrap();
    timeline.seek(&mut sim, s.duration_ms as u64 * 1000);
    assert!(timeline.len() <= MAX_POINTS && timeline.len() >= MAX_POINTS / 2, "{}", timeline.len());
    timeline.seek(&mut sim, 123_456_789);
    assert_eq!(sim.run_hash_hex(), {
        let mut f = Sim::new(&s, SimOptions::default()).unwrap();
        f.advance_to(123_456_789, u64::MAX);
        f.run_hash_hex()
    });
}

#[test]
fn after_a_live_action_going_back_rebuilds_from_the_recorded_scenario() {
    let s = leetcode(100.0);
    let mut timeline = Timeline::new(SimOptions::default());
    let mut sim = Sim::new(&s, SimOptions::default()).unwrap();
    timeline.seek(&mut sim, 20_000_000);
    sim.change_now("judge", "workers", json!(40)).unwrap();
    timeline.clear();
    timeline.seek(&mut sim, 25_000_000);
    let ahead = sim.run_hash_hex();
    timeline.seek(&mut sim, 5_000_000);
    assert_eq!(sim.scenario().changes.len(), 1, "the recorded action stays in the run");
    timeline.seek(&mut sim, 25_000_000);
    assert_eq!(sim.run_hash_hex(), ahead);
}

/// The original and the branch, each run from zero up to `t_us`.
fn both_at(a: &Scenario, b: &Scenario, t_us: u64) -> (Sim, Sim) {
    (fresh_at(a, t_us), fresh_at(b, t_us))
}

#[test]
fn a_fork_is_the_original_up_to_its_instant_and_its_own_run_after() {
    let s = leetcode(400.0);
    let mut timeline = Timeline::new(SimOptions::interactive());
    let mut at = Sim::new(&s, SimOptions::interactive()).unwrap();
    let interventions = [
        Intervention::Change { target: "judge".into(), field: "workers".into(), value: json!(64) },
        Intervention::Fault { target: "api".into(), kind: FaultKind::Crash },
        Intervention::Fault { target: "l3".into(), kind: FaultKind::Slow },
        Intervention::Recover { target: "ws".into() },
    ];
    for (what, t) in interventions.iter().zip([12_345_678u64, 20_000_000, 7_000_000, 31_000_000]) {
        timeline.seek(&mut at, t);
        let (branch, when_ms) = fork(&at, what).unwrap_or_else(|e| panic!("{what:?}: {e}"));
        let fork_us = (when_ms * 1000.0).round() as u64;
        assert!(fork_us >= t && fork_us <= t + 1, "{what:?} at {fork_us}");
        assert!(branch.name.contains("what if"), "{}", branch.name);
        // The same events, in the same order, up to the fork: the same hash.
        let (a, b) = both_at(&s, &branch, fork_us - 1);
        assert_eq!(a.events(), b.events(), "{what:?}");
        assert_eq!(a.run_hash_hex(), b.run_hash_hex(), "{what:?}: the run-hash prefix differs");
        assert_eq!(state(&a), state(&b).replace(&b.scenario().name, &a.scenario().name));
        // After it, the branch is its own run, and the same run whether it
        // forked from the checkpoint or starts from zero (`crosstalk run`).
        let mut from_fork = at.clone();
        match what {
            Intervention::Change { target, field, value } => {
                from_fork.change_now(target, field, value.clone()).unwrap();
            }
            Intervention::Fault { target, kind } => {
                let f = branch.faults.last().unwrap().clone();
                assert_eq!((&f.target, f.kind), (target, *kind));
                from_fork.fault_now(f).unwrap();
            }
            Intervention::Recover { target } => from_fork.clear_faults(target),
        }
        from_fork.run_to_end();
        let mut alone = Sim::new(&branch, SimOptions::default()).unwrap();
        alone.run_to_end();
        let mut original = Sim::new(&s, SimOptions::default()).unwrap();
        original.run_to_end();
        assert_eq!(alone.run_hash_hex(), from_fork.run_hash_hex(), "{what:?}");
        assert_ne!(alone.run_hash_hex(), original.run_hash_hex(), "{what:?} changed nothing");
        // The branch is a scenario like any: it survives JSON and links.
        let again = crosstalk::engine::format::load(&branch.to_json_pretty()).unwrap();
        let mut reread = Sim::new(&again, SimOptions::default()).unwrap();
        reread.run_to_end();
        assert_eq!(reread.run_hash_hex(), alone.run_hash_hex());
    }
}

#[test]
fn a_fork_that_cannot_be_made_says_what_is_wrong_by_name() {
    let s = leetcode(50.0);
    let mut at = Sim::new(&s, SimOptions::default()).unwrap();
    at.advance_to(10_000_000, u64::MAX);
    let change = |target: &str, field: &str, value: serde_json::Value| Intervention::Change {
        target: target.into(),
        field: field.into(),
        value,
    };
    let err = |what: Intervention| fork(&at, &what).unwrap_err();
    assert!(err(change("ghost", "workers", json!(2))).contains("`ghost`"));
    assert!(err(change("judge", "wrkers", json!(2))).contains("`wrkers`"));
    let refused = err(change("judge", "workers", json!(0)));
    assert!(refused.contains("`judge`") && refused.contains("workers") && refused.contains("at least 1"), "{refused}");
    assert!(err(change("l1", "timeout_ms", json!("soon"))).contains("link `l1`"));
    assert!(err(Intervention::Fault { target: "nowhere".into(), kind: FaultKind::Crash }).contains("nowhere"));
    let none = err(Intervention::Recover { target: "api".into() });
    assert!(none.contains("no fault is active on `api`"), "{none}");
    let mut over = at.clone();
    over.run_to_end();
    assert!(fork(&over, &change("judge", "workers", json!(2))).unwrap_err().contains("over"));
}
