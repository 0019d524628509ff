//! Scheduled changes and live actions: a change is validated like its
//! field, takes effect at its time and not before (the run is the same
//! event for event until then), and an action made live replays from the
//! scenario that records it to the very same run.

mod common;
use common::scenario;
use crosstalk::editor::examples::EXAMPLES;
use crosstalk::engine::codec;
use crosstalk::engine::format::{self, ChangeSpec, FaultKind, FaultSpec, NodeKind, Scenario};
use crosstalk::engine::{Sim, SimOptions};
use serde_json::json;

fn change(at_ms: f64, target: &str, field: &str, value: serde_json::Value) -> ChangeSpec {
    ChangeSpec { at_ms, target: target.into(), field: field.into(), value }
}

fn crash(target: &str) -> FaultSpec {
    FaultSpec { target: target.into(), kind: FaultKind::Crash, at_ms: 0.0, for_ms: None, factor: None, rate: None }
}

/// The busiest service of a scenario (the one a change is most visible on).
fn a_service(s: &Scenario) -> String {
    s.nodes.iter().find(|n| n.kind == NodeKind::Service).map(|n| n.id.clone()).expect("a service")
}

fn run_to_end(s: &Scenario) -> Sim {
    let mut sim = Sim::new(s, SimOptions::default()).expect("valid");
    sim.run_to_end();
    sim
}

#[test]
fn a_run_with_changes_is_the_run_without_them_until_the_first_change() {
    for e in EXAMPLES {
        let base = e.scenario();
        let svc = a_service(&base);
        let mut changed = base.clone();
        changed.changes =
            vec![change(30_000.0, &svc, "workers", json!(1)), change(45_000.0, &svc, "error_rate", json!(0.5))];
        let first_us = 30_000_000;
        let mut a = Sim::new(&base, SimOptions::interactive()).unwrap();
        let mut b = Sim::new(&changed, SimOptions::interactive()).unwrap();
        a.advance_to(first_us - 1, u64::MAX);
        b.advance_to(first_us - 1, u64::MAX);
        assert_eq!(a.run_hash(), b.run_hash(), "{}: same hash until the change", e.key);
        assert_eq!(a.events(), b.events(), "{}", e.key);
        assert_eq!(a.report(), b.report(), "{}: same figures until the change", e.key);
        a.run_to_end();
        b.run_to_end();
        assert_ne!(a.run_hash(), b.run_hash(), "{}: the change changed the run", e.key);
        b.audit().unwrap();
    }
}

#[test]
fn live_actions_replay_from_the_scenario_that_records_them() {
    for e in EXAMPLES {
        let base = e.scenario();
        let svc = a_service(&base);
        let mut live = Sim::new(&base, SimOptions::interactive()).unwrap();
        // Sliced like the app does, stopping mid-instant now and then.
        let mut t = 0;
        while live.now_us() < 20_800_000 {
            t += 16_667;
            live.advance_to(t.min(20_800_000), 300);
        }
        live.fault_now(crash(&svc)).unwrap();
        assert!(!live.active_faults(&svc).is_empty(), "{}: crashed at once", e.key);
        live.step(3);
        live.change_now(&svc, "workers", json!(3)).unwrap();
        live.advance_to(36_100_000, u64::MAX);
        for i in live.active_faults(&svc) {
            live.end_fault_now(i).unwrap();
        }
        live.advance_to(40_000_000, 777);
        live.change_now(&svc, "workers", json!(8)).unwrap();
        live.change_now(&svc, "work_ms", json!({"exp": 5})).unwrap();
        live.run_to_end();
        live.audit().unwrap();

        let recorded = live.scenario().clone();
        assert_eq!(recorded.changes.len(), 3, "{}", e.key);
        assert!(recorded.faults.last().unwrap().for_ms.is_some(), "{}: Recover set for_ms", e.key);
        let replay = run_to_end(&recorded);
        assert_eq!(live.run_hash(), replay.run_hash(), "{}: the replay is the run watched", e.key);
        assert_eq!(live.events(), replay.events(), "{}", e.key);
        // Through a share link, as the runner reads it.
        let link = codec::link("http://x/", &recorded);
        let decoded = codec::decode(&link).unwrap();
        assert_eq!(run_to_end(&decoded).run_hash(), live.run_hash(), "{}: via the link", e.key);
    }
}

#[test]
fn a_live_action_lands_after_the_last_event_of_its_instant() {
    let s = &EXAMPLES[0].scenario();
    let mut sim = Sim::new(s, SimOptions::default()).unwrap();
    sim.advance_to(5_000_500, u64::MAX);
    assert_eq!(sim.live_at_us(), 5_000_500, "nothing ran at exactly 5.0005 s");
    sim.step(1);
    let t = sim.now_us();
    assert_eq!(sim.live_at_us(), t + 1, "an event ran now: the next microsecond");
    let f = sim.fault_now(crash("sms")).unwrap();
    assert_eq!(format::load::check(sim.scenario()), Ok(()));
    assert_eq!((f.at_ms * 1000.0).round() as u64, t + 1);
}

#[test]
fn ending_a_scheduled_fault_early_replays_too() {
    let s = EXAMPLES[0].scenario(); // sms crashes 20 s to 35 s
    let mut live = Sim::new(&s, SimOptions::default()).unwrap();
    live.advance_to(25_000_500, u64::MAX);
    assert_eq!(live.active_faults("sms"), vec![0]);
    let f = live.end_fault_now(0).unwrap();
    assert_eq!(f.for_ms, Some(5_000.5));
    assert!(live.active_faults("sms").is_empty());
    assert!(live.end_fault_now(0).unwrap_err().contains("not active"));
    live.run_to_end();
    assert_eq!(run_to_end(live.scenario()).run_hash(), live.run_hash());
}

#[test]
fn a_change_is_refused_by_name_like_the_field_itself() {
    let mut s = EXAMPLES[0].scenario();
    let message = |s: &Scenario| format::load::check(s).unwrap_err().to_string();
    s.changes = vec![change(1000.0, "ghost", "workers", json!(2))];
    assert_eq!(message(&s), "change #1: target: no node or link `ghost`");
    s.changes = vec![change(1000.0, "pay", "wrkers", json!(2))];
    assert_eq!(message(&s), "change #1: field: node `pay`: a service has no field `wrkers`");
    s.changes = vec![change(1000.0, "pay", "workers", json!(0))];
    assert_eq!(message(&s), "change #1: value: node `pay` workers: must be at least 1");
    s.changes = vec![change(1000.0, "pay", "workers", json!("many"))];
    assert!(message(&s).starts_with("change #1: value: node `pay` workers:"), "{}", message(&s));
    s.changes = vec![change(1000.0, "l1", "retry.attempts", json!(99))];
    assert!(message(&s).contains("link `l1` retry.attempts: 99 is above the limit"), "{}", message(&s));
    s.changes = vec![change(1000.0, "app", "schedule", json!([[0, 5]]))];
    assert!(message(&s).contains("change `rate_per_s` instead"), "{}", message(&s));
    s.changes = vec![change(-1.0, "pay", "workers", json!(2))];
    assert!(message(&s).starts_with("change #1: at_ms:"), "{}", message(&s));
    // A change is checked against what the earlier ones left.
    s.changes = vec![change(1000.0, "sms_q", "dead_letter", json!("pay"))];
    assert!(message(&s).contains("`pay` is a service, not a queue"), "{}", message(&s));
    // The same from a file: the shape is checked by name too.
    let text = r#"{"crosstalk":1,"nodes":[{"id":"a","kind":"service"}],"changes":[{"at_ms":1,"target":"a"}]}"#;
    let e = format::load(text).unwrap_err().to_string();
    assert!(e.starts_with("change #1:") && e.contains("field"), "{e}");
    // The engine refuses the same live.
    let mut sim = Sim::new(&EXAMPLES[0].scenario(), SimOptions::default()).unwrap();
    sim.advance_to(1_000_000, u64::MAX);
    assert_eq!(sim.change_now("pay", "workers", json!(0)).unwrap_err(), "node `pay` workers: must be at least 1");
    assert!(sim.change_now("ghost", "workers", json!(1)).unwrap_err().contains("ghost"));
    assert!(sim.scenario().changes.is_empty(), "a refused change is not recorded");
}

/// One overloaded service behind a client, for what changes do to work.
const OVERLOAD: &str = r#"{"crosstalk":1,"seed":5,"duration_ms":20000,
    "nodes":[{"id":"c","kind":"client","rate_per_s":200,"arrival":"uniform"},
             {"id":"s","kind":"service","workers":1,"work_ms":20}],
    "links":[{"id":"l","from":"c","to":"s","via":"http"}]}"#;

#[test]
fn more_workers_drain_the_backlog_and_fewer_let_running_jobs_finish() {
    let mut s = scenario(OVERLOAD);
    s.changes = vec![change(5_000.0, "s", "workers", json!(8)), change(12_000.0, "s", "workers", json!(2))];
    let mut sim = Sim::new(&s, SimOptions::interactive()).unwrap();
    sim.advance_to(5_000_000 - 1, u64::MAX);
    let before = sim.node_live()[1].clone();
    assert_eq!(before.busy, 1);
    assert!(before.waiting > 700, "1 worker at 50/s under 200/s: the backlog grows ({})", before.waiting);
    sim.advance_to(5_000_000, u64::MAX);
    let after = sim.node_live()[1].clone();
    assert_eq!((after.busy, after.workers), (8, 8), "the new workers start on waiting requests at once");
    sim.advance_to(11_999_999, u64::MAX);
    assert_eq!(sim.node_live()[1].waiting, 0, "8 workers at 400/s drained it");
    sim.advance_to(12_000_000, u64::MAX);
    let cut = sim.node_live()[1].clone();
    assert_eq!(cut.workers, 2);
    assert!(cut.busy > 2, "running jobs finish on the workers that go ({} busy)", cut.busy);
    sim.advance_to(12_030_000, u64::MAX);
    assert!(sim.node_live()[1].busy <= 2, "and nothing new starts on them");
    sim.audit().unwrap();
    sim.run_to_end();
    sim.audit().unwrap();
}

#[test]
fn a_rate_change_and_a_timeout_change_apply_from_their_time() {
    let mut s = scenario(OVERLOAD);
    s.nodes[1].workers = Some(16);
    s.changes = vec![change(10_000.0, "c", "rate_per_s", json!(20)), change(10_000.0, "l", "timeout_ms", json!(1))];
    let sim = run_to_end(&s);
    let r = sim.report();
    // 10 s at 200/s, then 10 s at 20/s (uniform arrivals: exact counts).
    let started = r.requests.started;
    assert!((2_195..=2_205).contains(&started), "{started}");
    // Every call after 10 s waits 2 ms for a 20 ms answer: it times out.
    assert!(r.requests.timed_out >= 195, "{:?}", r.requests);
}

#[test]
fn the_top_figures_are_the_sums_of_their_rows_on_every_example() {
    let mut docs: Vec<(String, Scenario)> = EXAMPLES.iter().map(|e| (e.key.to_string(), e.scenario())).collect();
    docs.push(("overload".into(), scenario(OVERLOAD)));
    for (name, s) in docs {
        for until in [s.duration_ms * 500.0, s.duration_ms * 1000.0] {
            let mut sim = Sim::new(&s, SimOptions::default()).unwrap();
            sim.advance_to(until as u64, u64::MAX);
            let r = sim.report();
            let mut req = crosstalk::engine::report::RequestCounts::default();
            let mut msgs = crosstalk::engine::report::MessageCounts::default();
            for (id, n) in &r.nodes {
                if let Some(q) = &n.requests {
                    assert_eq!(q.started, q.ok + q.failed + q.timed_out + q.in_flight, "{name}: {id}");
                    req.add(q);
                }
                msgs.add(&n.messages);
            }
            assert_eq!(req, r.requests, "{name}: requests = the sum of the clients' rows");
            assert_eq!(msgs, r.messages, "{name}: messages = the sum of the nodes' rows");
            // And the links' own ledgers add up to it (the audit checks).
            sim.audit().unwrap();
            assert_eq!(r.messages.sent, r.messages.accounted(), "{name}");
        }
    }
}
