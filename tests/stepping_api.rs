//! The API the app drives: stepping in slices, tokens and departures,
//! live faults, traces (kept and replayed).

mod common;
use common::scenario;
use crosstalk::engine::format::{FaultKind, FaultSpec};
use crosstalk::engine::trace::HopKind;
use crosstalk::engine::view::TokenKind;
use crosstalk::engine::{Sim, SimOptions};

const FLOW: &str = r#"{"crosstalk":1,"seed":3,"duration_ms":20000,
    "nodes":[{"id":"app","kind":"client","rate_per_s":40},
             {"id":"api","kind":"service","workers":4,"work_ms":{"exp":20}},
             {"id":"q","kind":"queue","max_deliveries":2,"dead_letter":"dlq"},
             {"id":"dlq","kind":"queue"},
             {"id":"worker","kind":"service","workers":2,"work_ms":30,"error_rate":0.2}],
    "links":[{"id":"call","from":"app","to":"api","via":"http","latency_ms":5,"timeout_ms":500,
              "retry":{"attempts":2,"base_ms":50}},
             {"id":"put","from":"api","to":"q","via":"enqueue"},
             {"id":"take","from":"q","to":"worker","via":"consume"}]}"#;

#[test]
fn slicing_a_run_does_not_change_it() {
    let s = scenario(FLOW);
    let mut whole = Sim::new(&s, SimOptions::default()).unwrap();
    whole.run_to_end();
    let mut sliced = Sim::new(&s, SimOptions::interactive()).unwrap();
    let mut t = 0;
    while !sliced.is_finished() {
        t += 16_667;
        sliced.advance_to(t, 50);
    }
    assert_eq!(whole.run_hash(), sliced.run_hash());
    let mut stepped = Sim::new(&s, SimOptions::default()).unwrap();
    while !stepped.is_finished() {
        stepped.step(7);
    }
    assert_eq!(whole.run_hash(), stepped.run_hash());
    assert_eq!(whole.report(), stepped.report());
}

#[test]
fn tokens_show_where_things_are_and_departures_show_every_hop() {
    let s = scenario(FLOW);
    let mut sim = Sim::new(&s, SimOptions::interactive()).unwrap();
    let mut tokens = Vec::new();
    let mut departures = Vec::new();
    let mut seen_request = false;
    let mut instant_hops = 0;
    for step in 1..200 {
        sim.advance_to(step * 10_000, u64::MAX);
        sim.tokens(&mut tokens);
        for t in &tokens {
            assert!((0.0..=1.0).contains(&t.progress));
            seen_request |= t.kind == TokenKind::Request && t.link == 0;
        }
        sim.take_departures(&mut departures);
        instant_hops += departures.iter().filter(|d| d.travel_us == 0).count();
    }
    assert!(seen_request, "5 ms calls are seen in flight");
    assert!(instant_hops > 100, "zero-latency enqueues and deliveries still depart: {instant_hops}");
}

#[test]
fn a_fault_injected_live_takes_effect_and_clears() {
    let s = scenario(FLOW);
    let mut sim = Sim::new(&s, SimOptions::interactive()).unwrap();
    sim.advance_to(5_000_000, u64::MAX);
    let crash = FaultSpec {
        target: "worker".into(),
        kind: FaultKind::Crash,
        at_ms: 0.0,
        for_ms: None,
        factor: None,
        rate: None,
    };
    sim.inject(crash).unwrap();
    assert!(sim.node_live()[4].crashed);
    sim.advance_to(8_000_000, u64::MAX);
    assert!(sim.node_live()[2].waiting > 50, "the queue fills while its worker is down");
    sim.clear_faults("worker");
    assert!(!sim.node_live()[4].crashed);
    sim.run_to_end();
    sim.audit().unwrap();
    let bad =
        FaultSpec { target: "nope".into(), kind: FaultKind::Crash, at_ms: 0.0, for_ms: None, factor: None, rate: None };
    assert!(sim.inject(bad).unwrap_err().contains("nope"));
    let wrong =
        FaultSpec { target: "call".into(), kind: FaultKind::Crash, at_ms: 0.0, for_ms: None, factor: None, rate: None };
    assert!(sim.inject(wrong).is_err(), "a link cannot crash");
}

#[test]
fn a_trace_tells_the_story_and_replays_the_same() {
    let s = scenario(FLOW);
    let mut sim = Sim::new(&s, SimOptions::interactive()).unwrap();
    sim.advance_to(10_000_000, u64::MAX);
    let ids = sim.recent_traces();
    assert!(!ids.is_empty());
    let id = ids[ids.len() / 2];
    let trace = sim.trace(id).unwrap();
    assert_eq!(trace.hops.first().unwrap().kind, HopKind::Start);
    assert!(trace.hops.windows(2).all(|w| w[0].at_ms <= w[1].at_ms));
    assert!(trace.hops.iter().any(|h| h.kind == HopKind::End));
    assert!(trace.hops.iter().any(|h| h.node == "q"));
    let replayed = Sim::replay_trace(&s, id, sim.now_us()).unwrap();
    assert_eq!(replayed, trace);
}
