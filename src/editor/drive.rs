//! How the app drives a run: toward a target in slices of wall time,
//! stopping on the way at a follower's instants (a lesson's marks) with a
//! snapshot at each, or jumping to an instant from checkpoints. Plain Rust,
//! so the Web Worker, the page's fallback and native tests drive a [`Sim`]
//! exactly alike (same seed, same stops: the same numbers).

use crate::engine::lesson::Snapshot;
use crate::engine::report::Bucket;
use crate::engine::timeline::Timeline;
use crate::engine::Sim;
use serde::{Deserialize, Serialize};

/// An instant a run must stand at on its way (µs), and whether it waits
/// there (a lesson's timed action) or goes on.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Stop {
    pub at_us: u64,
    pub pause: bool,
}

/// What a run looked like at a stop.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Seen {
    pub snapshot: Snapshot,
    /// The run ended there (every mark after it is seen at once).
    pub finished: bool,
}

impl Seen {
    pub fn of(sim: &Sim) -> Seen {
        Seen { snapshot: Snapshot::of(sim), finished: sim.is_finished() }
    }
}

/// Runs `sim` toward `goal_us` in chunks of about a millisecond each
/// (`chunk`, in events, adapts and is kept by the caller) until it gets
/// there or finishes (`true`), or has run `max_events` or the clock passed
/// `deadline_ms` (`false`).
pub fn advance(
    sim: &mut Sim,
    goal_us: u64,
    max_events: u64,
    deadline_ms: f64,
    chunk: &mut u64,
    clock: &dyn Fn() -> f64,
) -> bool {
    let mut left = max_events;
    loop {
        let asked = (*chunk).min(left);
        let t0 = clock();
        let ran = sim.advance_to(goal_us, asked);
        let took = clock() - t0;
        // About a millisecond per chunk keeps the budget check fine-grained.
        if took < 0.5 {
            *chunk = (*chunk * 2).min(1_000_000);
        } else if took > 2.0 {
            *chunk = (*chunk / 2).max(100);
        }
        left -= ran.min(left);
        // Fewer events than asked: the goal was reached.
        if ran < asked || sim.is_finished() {
            return true;
        }
        if left == 0 || clock() > deadline_ms {
            return false;
        }
    }
}

/// As [`advance`], standing at each of `stops` (in order) on the way: a
/// stop at or before the goal is reached first and what the run looks like
/// there goes into `seen`. The slice ends at a stop that pauses, at the
/// goal, or when its events or wall time are spent.
#[allow(clippy::too_many_arguments)]
pub fn advance_stopping(
    sim: &mut Sim,
    goal_us: u64,
    stops: &[Stop],
    max_events: u64,
    deadline_ms: f64,
    chunk: &mut u64,
    clock: &dyn Fn() -> f64,
    seen: &mut Vec<Seen>,
) {
    let start = sim.events();
    let left = |sim: &Sim| max_events.saturating_sub(sim.events() - start);
    for stop in stops {
        if stop.at_us > goal_us {
            break;
        }
        // A stop the run is past already is seen where the run stands.
        if stop.at_us >= sim.now_us() && !advance(sim, stop.at_us, left(sim), deadline_ms, chunk, clock) {
            return; // Out of events or time before the stop.
        }
        seen.push(Seen::of(sim));
        if stop.pause || stop.at_us == goal_us || sim.is_finished() || clock() > deadline_ms {
            return;
        }
    }
    if left(sim) > 0 {
        advance(sim, goal_us, left(sim), deadline_ms, chunk, clock);
    }
}

/// Moves `sim` to `t_us` from `timeline`'s checkpoints (exactly the state
/// a run from zero has then), standing on the way forwards at each of
/// `stops` before `t_us` (a lesson's marks are seen at their instants).
pub fn seek(sim: &mut Sim, timeline: &mut Timeline, t_us: u64, stops: &[Stop], seen: &mut Vec<Seen>) {
    for stop in stops {
        if stop.at_us >= t_us {
            break;
        }
        if stop.at_us >= sim.now_us() {
            timeline.seek(sim, stop.at_us);
        }
        seen.push(Seen::of(sim));
    }
    timeline.seek(sim, t_us);
}

/// The charts' series of every node, as the worker sends them: per node
/// one flat list of numbers, five a second (start, throughput, errors,
/// p99, queue length), not an object per second with its field names
/// (a 400-node run's series were 1.7 MB of JSON that way, and the page
/// reads every answer on its main thread).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Series(pub Vec<Vec<Bucket>>);

impl Series {
    pub fn of(sim: &Sim) -> Series {
        Series((0..sim.scenario().nodes.len()).map(|i| sim.series(i).to_vec()).collect())
    }
}

/// The numbers of one bucket, in the order [`Series`] sends them.
const BUCKET_FIELDS: usize = 5;

impl Serialize for Series {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeSeq;
        struct Node<'a>(&'a [Bucket]);
        impl Serialize for Node<'_> {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                let mut seq = s.serialize_seq(Some(self.0.len() * BUCKET_FIELDS))?;
                for b in self.0 {
                    seq.serialize_element(&b.t_s)?;
                    seq.serialize_element(&b.throughput)?;
                    seq.serialize_element(&b.errors)?;
                    seq.serialize_element(&b.p99_ms)?;
                    seq.serialize_element(&b.queue_len)?;
                }
                seq.end()
            }
        }
        let mut seq = s.serialize_seq(Some(self.0.len()))?;
        for node in &self.0 {
            seq.serialize_element(&Node(node))?;
        }
        seq.end()
    }
}

impl<'de> Deserialize<'de> for Series {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Series, D::Error> {
        let flat = Vec::<Vec<f64>>::deserialize(d)?;
        let count = |x: f64| if x.is_finite() && x >= 0.0 { x.min(f64::from(u32::MAX)) as u32 } else { 0 };
        let node = |v: Vec<f64>| {
            v.chunks_exact(BUCKET_FIELDS)
                .map(|b| Bucket {
                    t_s: count(b[0]),
                    throughput: count(b[1]),
                    errors: count(b[2]),
                    p99_ms: b[3],
                    queue_len: b[4],
                })
                .collect()
        };
        Ok(Series(flat.into_iter().map(node).collect()))
    }
}
