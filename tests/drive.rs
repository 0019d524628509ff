//! The way the app drives a run (`editor::drive`, used by the Web Worker
//! and the page's fallback): in slices that stand at a lesson's marks, and
//! in jumps of the timeline. Same seed, same stops: the same numbers as a
//! straight native run (the lesson runner's), whatever the slicing.

use crosstalk::editor::drive::{self, Seen, Stop};
use crosstalk::editor::examples::by_key;
use crosstalk::engine::format::Scenario;
use crosstalk::engine::lesson::{Snapshot, Watch};
use crosstalk::engine::timeline::Timeline;
use crosstalk::engine::{Sim, SimOptions};

fn leetcode() -> Scenario {
    by_key("leetcode").expect("the LeetCode example").scenario()
}

/// Marks every 2.5 s, a few at adjacent microseconds, one during the
/// gateway's crash (30 s to 35 s) and one at the end.
fn marks(s: &Scenario) -> Vec<u64> {
    let end = (s.duration_ms * 1000.0) as u64;
    let mut m: Vec<u64> = (1..24).map(|i| i * 2_500_000).collect();
    m.extend([7_000_001, 7_000_002, 31_000_000, end]);
    m
}

/// The marks as the lesson runner sees them: one straight run.
fn straight(s: &Scenario, marks: Vec<u64>) -> (Vec<Snapshot>, String) {
    let mut sim = Sim::new(s, SimOptions::interactive()).unwrap();
    let mut watch = Watch::new(marks);
    while !sim.is_finished() {
        let t = watch.next_stop_us().unwrap_or(sim.end_us());
        sim.advance_to(t, u64::MAX);
        watch.observe(&sim);
    }
    (watch.snapshots, sim.run_hash_hex())
}

/// The stops a lesson's follower asks for (the µs before each mark ahead).
fn stops(watch: &Watch, pauses: &[u64]) -> Vec<Stop> {
    watch.ahead().iter().map(|&t| Stop { at_us: t - 1, pause: pauses.contains(&t) }).collect()
}

#[test]
fn a_run_in_small_slices_stands_at_every_mark_and_sees_what_a_straight_run_sees() {
    let s = leetcode();
    let (want, hash) = straight(&s, marks(&s));
    assert!(want.len() >= 25, "{} snapshots", want.len());
    let pauses = [10_000_000, 31_000_000];
    for slice_events in [1, 37, 5_000, u64::MAX] {
        let mut sim = Sim::new(&s, SimOptions::interactive()).unwrap();
        let mut watch = Watch::new(marks(&s));
        let mut chunk = 64;
        let mut paused_at = Vec::new();
        let mut slices = 0;
        while !sim.is_finished() {
            let mut seen: Vec<Seen> = Vec::new();
            // Real time at its pace: each slice aims 700 ms on.
            let goal = sim.now_us() + 700_000;
            let ahead = stops(&watch, &pauses);
            drive::advance_stopping(
                &mut sim,
                goal,
                &ahead,
                slice_events,
                f64::INFINITY,
                &mut chunk,
                &|| 0.0,
                &mut seen,
            );
            for v in &seen {
                for t in watch.observe_snapshot(&v.snapshot, v.finished) {
                    if pauses.contains(&t) {
                        paused_at.push(t);
                        assert_eq!(sim.now_us(), t - 1, "the slice ends at the pause");
                    }
                }
            }
            slices += 1;
            assert!(slices < 50_000_000, "it ends");
        }
        assert_eq!(paused_at, pauses, "slices of {slice_events} events: paused at each timed action");
        assert_eq!(watch.snapshots, want, "slices of {slice_events} events: the same snapshots");
        assert_eq!(sim.run_hash_hex(), hash, "slices of {slice_events} events: the same run");
    }
}

#[test]
fn a_step_stands_at_the_next_mark_before_running_past_it() {
    let s = leetcode();
    let mut sim = Sim::new(&s, SimOptions::interactive()).unwrap();
    sim.advance_to(2_499_990, u64::MAX);
    let stop = Stop { at_us: 2_499_999, pause: false };
    let mut seen = Vec::new();
    let mut chunk = 1;
    // One event at a time until the run stands at the stop.
    for _ in 0..100_000 {
        drive::advance_stopping(&mut sim, stop.at_us, &[stop], 1, f64::INFINITY, &mut chunk, &|| 0.0, &mut seen);
        if !seen.is_empty() {
            break;
        }
    }
    assert_eq!(seen.len(), 1);
    assert_eq!(seen[0].snapshot.at_us, stop.at_us);
    let mut fresh = Sim::new(&s, SimOptions::interactive()).unwrap();
    fresh.advance_to(stop.at_us, u64::MAX);
    assert_eq!(seen[0].snapshot, Snapshot::of(&fresh), "what a run straight to there shows");
}

#[test]
fn jumps_back_and_forth_show_each_instant_as_a_run_from_zero_does_and_see_the_marks_on_the_way() {
    let s = leetcode();
    let mut sim = Sim::new(&s, SimOptions::interactive()).unwrap();
    let mut timeline = Timeline::new(SimOptions::interactive());
    timeline.note(&sim);
    let (want, _) = straight(&s, marks(&s));
    let mut watch = Watch::new(marks(&s));
    for t in [31_000_000, 10_000_000, 33_500_000, 10_000_000, 0, 59_999_000, 20_000_000, 60_000_000] {
        if t < sim.now_us() {
            watch.rewind(t);
        }
        let ahead: Vec<Stop> = stops(&watch, &[]).into_iter().filter(|s| s.at_us < t).collect();
        assert!(t < sim.now_us() || ahead.first().is_none_or(|s| s.at_us >= sim.now_us()), "no mark left behind");
        let mut seen = Vec::new();
        drive::seek(&mut sim, &mut timeline, t, &ahead, &mut seen);
        for v in &seen {
            watch.observe_snapshot(&v.snapshot, v.finished);
        }
        let mut fresh = Sim::new(&s, SimOptions::interactive()).unwrap();
        fresh.advance_to(t, u64::MAX);
        assert_eq!(sim.now_us(), fresh.now_us(), "at {t} µs");
        assert_eq!(sim.events(), fresh.events(), "events at {t} µs");
        assert_eq!(sim.report(), fresh.report(), "the figures at {t} µs");
        assert_eq!(sim.node_live(), fresh.node_live(), "the nodes at {t} µs");
        // Every mark up to here seen, each as the straight run saw it.
        let n = watch.snapshots.len();
        assert_eq!(&watch.snapshots[..], &want[..n], "the marks seen by {t} µs");
    }
}
