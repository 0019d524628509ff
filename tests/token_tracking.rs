//! Tokens turned off and on mid-run (a run to the end in the app's worker
//! records none; a Run after a Pause draws them again): the run is the same.

mod common;
use common::scenario;
use crosstalk::engine::{Sim, SimOptions};

const FLOW: &str = r#"{"crosstalk":1,"seed":5,"duration_ms":20000,
    "nodes":[{"id":"app","kind":"client","rate_per_s":40},
             {"id":"api","kind":"service","workers":4,"work_ms":{"exp":20}},
             {"id":"q","kind":"queue"},
             {"id":"worker","kind":"service","workers":2,"work_ms":30}],
    "links":[{"id":"call","from":"app","to":"api","via":"http","latency_ms":5,"timeout_ms":500},
             {"id":"put","from":"api","to":"q","via":"enqueue"},
             {"id":"take","from":"q","to":"worker","via":"consume"}]}"#;

#[test]
fn tokens_off_mid_run_record_no_departures_and_leave_the_run_unchanged() {
    let s = scenario(FLOW);
    let mut plain = Sim::new(&s, SimOptions::interactive()).unwrap();
    plain.run_to_end();

    let mut sim = Sim::new(&s, SimOptions::interactive()).unwrap();
    let mut departures = Vec::new();
    sim.advance_to(5_000_000, u64::MAX);
    sim.take_departures(&mut departures);
    assert!(departures.len() > 100, "tokens on: every hop departs ({})", departures.len());

    sim.set_track_tokens(false);
    sim.advance_to(10_000_000, u64::MAX);
    sim.take_departures(&mut departures);
    assert!(departures.is_empty(), "tokens off: nothing recorded ({} departures)", departures.len());

    sim.set_track_tokens(true);
    sim.advance_to(15_000_000, u64::MAX);
    sim.take_departures(&mut departures);
    assert!(departures.len() > 100, "tokens on again: hops depart again ({})", departures.len());
    assert!(departures.iter().all(|d| d.at_us >= 10_000_000), "only hops after tokens came back");

    sim.run_to_end();
    sim.audit().unwrap();
    assert_eq!(sim.run_hash(), plain.run_hash(), "tokens never change the run");
    assert_eq!(sim.report(), plain.report());
}
