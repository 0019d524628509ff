//! What the eye sees of the messages on the move.
//!
//! Most hops take a millisecond or none of simulated time (an enqueue, a
//! consume, a publish, a push default to 0 ms), far below one frame at any
//! useful speed: drawing only what the engine has in flight when a frame is
//! drawn shows almost nothing of the asynchronous half of a flow. So the
//! app reads every *departure* the engine reports and turns it into a
//! *flight* that takes at least [`MIN_FLIGHT_MS`] of animation time to
//! cross its link: a fast hop is slowed down for the eye, a slow one (a 2 s
//! latency) still moves exactly as the engine says.
//!
//! Two more rules keep a flow readable:
//! - **One token per burst.** Departures on the same link that start
//!   moving within `BURST_MS` of each other, in the same direction, kind
//!   and tone, travel together and are drawn as one token with a count (a 1000× run would otherwise bury the
//!   diagram under thousands of dots).
//! - **Hops in order.** A hop that leaves a node starts moving when the
//!   token that brought its trace there has arrived on screen, so a publish
//!   visibly reaches the topic and *then* splits into one copy per
//!   subscription, and a verdict visibly travels the whole way to the
//!   browser. The wait is capped at [`MAX_LAG_MS`], so the picture never
//!   drifts far behind the run.
//!
//! The animation clock only runs while the simulation runs, so Pause
//! freezes everything in place.

use crate::engine::view::{Departure, TokenKind, TokenTone};

/// Animation milliseconds a token takes at least to cross a link.
pub const MIN_FLIGHT_MS: f64 = 450.0;
/// How long a hop waits at most for the token before it to arrive on
/// screen (two crossings): past it, the picture keeps up with the run.
pub const MAX_LAG_MS: f64 = 2.0 * MIN_FLIGHT_MS;
/// Flights kept at most: past it the oldest are dropped, so a 1000× run
/// cannot flood the canvas or the memory.
pub const MAX_FLIGHTS: usize = 6_000;
/// Departures that start moving within the same slice of this many
/// animation milliseconds share a token: a busy link shows a few tokens
/// with counts (three per crossing), not a solid line of dots.
const BURST_MS: f64 = 150.0;

#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Flight {
    pub link: u32,
    pub kind: TokenKind,
    pub tone: TokenTone,
    /// The first trace of the burst (clicking the token opens it).
    pub trace: u64,
    pub backwards: bool,
    /// The key of the burst's first message (`u32::MAX` without one): the
    /// token is drawn in its key's colour.
    pub key: u32,
    /// How many messages the token stands for.
    pub count: u32,
    /// Animation time it starts moving on screen.
    start_ms: f64,
    /// When it left and how long it travels, simulated microseconds.
    at_us: u64,
    travel_us: u64,
}

impl Flight {
    /// How far the engine says it is (0 at departure, 1 at arrival).
    fn engine(&self, now_us: u64) -> f64 {
        if self.travel_us == 0 {
            return if now_us >= self.at_us { 1.0 } else { 0.0 };
        }
        (now_us.saturating_sub(self.at_us) as f64 / self.travel_us as f64).clamp(0.0, 1.0)
    }

    /// Whether it has started moving on screen.
    pub fn started(&self, anim_ms: f64) -> bool {
        anim_ms >= self.start_ms
    }

    /// The fraction of the way travelled (0 at departure, 1 at arrival):
    /// never ahead of the engine, never faster than the eye can follow.
    pub fn travelled(&self, anim_ms: f64, now_us: u64) -> f64 {
        let eye = ((anim_ms - self.start_ms) / MIN_FLIGHT_MS).clamp(0.0, 1.0);
        self.engine(now_us).min(eye)
    }

    /// The position along the link, measured from its `from` node, as the
    /// engine's `Token::progress` is.
    pub fn progress(&self, anim_ms: f64, now_us: u64) -> f64 {
        let f = self.travelled(anim_ms, now_us);
        if self.backwards {
            1.0 - f
        } else {
            f
        }
    }
}

/// Which node a link starts and ends at (indices in `scenario.nodes`).
pub type Ends = (u32, u32);

/// Slots of the two lookup tables below (powers of two).
const REACH_SLOTS: usize = 8_192;
const BURST_SLOTS: usize = 2_048;

/// Spreads a key over a table of `slots` (a power of two): Fibonacci hashing.
fn slot(key: u64, slots: usize) -> usize {
    (key.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> (64 - slots.trailing_zeros())) as usize
}

#[derive(Debug, Default)]
pub struct Flights {
    flights: Vec<Flight>,
    /// Simulated time of the last update.
    now_us: u64,
    /// When a trace's latest token reaches a node on screen: a fixed table
    /// of (trace, node, time), one entry per slot. A newer entry takes the
    /// slot of an older one; losing it only spares a hop its wait, so no
    /// map (and no hashing library in the bundle) is needed.
    reach: Vec<(u64, u32, f64)>,
    /// The bursts still taking messages, the same way: (key, flight index).
    bursts: Vec<(BurstKey, usize)>,
}

impl Flights {
    /// Takes what left since the last update (`departures`, oldest first),
    /// at simulated time `now_us` and animation time `anim_ms`, and drops
    /// the flights that have arrived. `ends` gives each link's two nodes.
    pub fn update(&mut self, departures: &[Departure], ends: &[Ends], now_us: u64, anim_ms: f64) {
        self.now_us = now_us;
        self.flights.retain(|f| f.travelled(anim_ms, now_us) < 1.0);
        self.reach.resize(REACH_SLOTS, (0, u32::MAX, f64::NEG_INFINITY));
        self.bursts.clear();
        self.bursts.resize(BURST_SLOTS, (NO_BURST, 0));
        for (i, f) in self.flights.iter().enumerate() {
            let key = burst_key(f.link, f.kind, f.backwards, f.tone, f.start_ms);
            self.bursts[slot(key, BURST_SLOTS)] = (key, i);
        }
        for d in departures {
            let Some(&(from, to)) = ends.get(d.link as usize) else {
                continue;
            };
            let (leaves, reaches) = if d.backwards { (to, from) } else { (from, to) };
            // Wait for the token that brought this trace here, within reason.
            let (trace, node, at) = self.reach[reach_slot(d.trace, leaves)];
            let start =
                if (trace, node) == (d.trace, leaves) && at > anim_ms { at.min(anim_ms + MAX_LAG_MS) } else { anim_ms };
            self.reach[reach_slot(d.trace, reaches)] = (d.trace, reaches, start + MIN_FLIGHT_MS);
            let key = burst_key(d.link, d.kind, d.backwards, d.tone, start);
            let s = slot(key, BURST_SLOTS);
            match self.bursts[s] {
                (k, i) if k == key && i < self.flights.len() => {
                    let f = &mut self.flights[i];
                    f.count = f.count.saturating_add(1);
                }
                _ => {
                    self.bursts[s] = (key, self.flights.len());
                    self.flights.push(Flight {
                        link: d.link,
                        kind: d.kind,
                        tone: d.tone,
                        trace: d.trace,
                        backwards: d.backwards,
                        key: d.key,
                        count: 1,
                        start_ms: start,
                        at_us: d.at_us,
                        travel_us: d.travel_us,
                    });
                }
            }
        }
        if self.flights.len() > MAX_FLIGHTS {
            let excess = self.flights.len() - MAX_FLIGHTS;
            self.flights.drain(..excess);
        }
    }

    /// Simulated time of the last update (for `Flight::progress`).
    pub fn now_us(&self) -> u64 {
        self.now_us
    }

    pub fn iter(&self) -> impl Iterator<Item = &Flight> {
        self.flights.iter()
    }

    pub fn len(&self) -> usize {
        self.flights.len()
    }

    pub fn is_empty(&self) -> bool {
        self.flights.is_empty()
    }

    /// Forgets every flight (a run that ended or was reset).
    pub fn clear(&mut self) {
        self.flights.clear();
        self.reach.clear();
        self.bursts.clear();
    }
}

/// Link, kind, direction, tone and start slice, packed: messages with the
/// same key travel as one token.
type BurstKey = u64;
const NO_BURST: BurstKey = u64::MAX;

fn burst_key(link: u32, kind: TokenKind, backwards: bool, tone: TokenTone, start_ms: f64) -> BurstKey {
    let slice = (start_ms / BURST_MS).floor() as i64 as u64 & 0xFF_FFFF;
    (u64::from(link) << 32)
        | (slice << 8)
        | (u64::from(kind_code(kind)) << 4)
        | (u64::from(tone_code(tone)) << 1)
        | u64::from(backwards)
}

fn reach_slot(trace: u64, node: u32) -> usize {
    slot(trace ^ (u64::from(node) << 40) ^ u64::from(node), REACH_SLOTS)
}

fn kind_code(k: TokenKind) -> u8 {
    match k {
        TokenKind::Request => 0,
        TokenKind::Response => 1,
        TokenKind::Message => 2,
    }
}

fn tone_code(t: TokenTone) -> u8 {
    match t {
        TokenTone::Pending => 0,
        TokenTone::Ok => 1,
        TokenTone::Error => 2,
        TokenTone::Retry => 3,
        TokenTone::DeadLetter => 4,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Links of a small LeetCode: 0 api->queue, 1 queue->judge,
    /// 2 judge->topic, 3 topic->ws, 4 topic->mail, 5 client->api.
    const ENDS: [Ends; 6] = [(1, 2), (2, 3), (3, 4), (4, 5), (4, 6), (0, 1)];

    fn dep(link: u32, trace: u64, at_us: u64, travel_us: u64) -> Departure {
        Departure {
            link,
            at_us,
            travel_us,
            backwards: false,
            kind: TokenKind::Message,
            tone: TokenTone::Pending,
            trace,
            key: u32::MAX,
        }
    }

    fn on_screen(f: &Flights, anim_ms: f64) -> Vec<(u32, f64)> {
        f.iter().filter(|t| t.started(anim_ms)).map(|t| (t.link, t.progress(anim_ms, f.now_us()))).collect()
    }

    #[test]
    fn an_instant_hop_is_still_seen_crossing() {
        let mut f = Flights::default();
        f.update(&[dep(0, 1, 0, 0)], &ENDS, 0, 0.0);
        assert_eq!(f.len(), 1);
        f.update(&[], &ENDS, 5_000, 100.0);
        let p = on_screen(&f, 100.0)[0].1;
        assert!((p - 100.0 / MIN_FLIGHT_MS).abs() < 1e-9, "{p}");
        f.update(&[], &ENDS, 5_000, MIN_FLIGHT_MS + 1.0);
        assert!(f.is_empty());
    }

    #[test]
    fn a_slow_hop_moves_as_the_engine_says() {
        let mut f = Flights::default();
        f.update(&[dep(0, 1, 0, 2_000_000)], &ENDS, 0, 0.0);
        f.update(&[], &ENDS, 200_000, 10_000.0);
        let p = on_screen(&f, 10_000.0)[0].1;
        assert!((p - 0.1).abs() < 1e-9, "{p}");
    }

    #[test]
    fn answers_travel_backwards() {
        let mut f = Flights::default();
        let d = Departure { backwards: true, kind: TokenKind::Response, ..dep(5, 2, 0, 0) };
        f.update(&[d], &ENDS, 0, 0.0);
        assert_eq!(on_screen(&f, 0.0)[0].1, 1.0);
        f.update(&[], &ENDS, 0, MIN_FLIGHT_MS / 2.0);
        assert!((on_screen(&f, MIN_FLIGHT_MS / 2.0)[0].1 - 0.5).abs() < 1e-9);
    }

    #[test]
    fn a_burst_on_one_link_is_one_token_with_a_count() {
        let mut f = Flights::default();
        let burst: Vec<Departure> = (0..40).map(|i| dep(1, i, i * 10, 0)).collect();
        f.update(&burst, &ENDS, 400, 0.0);
        assert_eq!(f.len(), 1);
        assert_eq!(f.iter().next().map(|t| t.count), Some(40));
        // Another link's departures are another token.
        f.update(&[dep(0, 99, 500, 0)], &ENDS, 500, 16.0);
        assert_eq!(f.len(), 2);
    }

    #[test]
    fn a_publish_splits_into_its_copies_when_it_reaches_the_topic() {
        let mut f = Flights::default();
        // The publish and both subscriptions happen at the same simulated
        // instant, so the engine reports them in one frame.
        f.update(&[dep(2, 7, 0, 0), dep(3, 7, 0, 0), dep(4, 7, 0, 0)], &ENDS, 0, 0.0);
        let mid = MIN_FLIGHT_MS / 2.0;
        f.update(&[], &ENDS, 0, mid);
        assert_eq!(on_screen(&f, mid).iter().map(|t| t.0).collect::<Vec<_>>(), vec![2], "only the publish moves first");
        let later = MIN_FLIGHT_MS * 1.5;
        f.update(&[], &ENDS, 0, later);
        let mut links: Vec<u32> = on_screen(&f, later).iter().map(|t| t.0).collect();
        links.sort_unstable();
        assert_eq!(links, vec![3, 4], "then one copy per subscription, side by side");
    }

    #[test]
    fn a_long_chain_never_lags_more_than_the_cap() {
        let mut f = Flights::default();
        let chain: Vec<Departure> = (0..5).map(|l| dep(l, 3, 0, 0)).collect();
        f.update(&chain, &ENDS, 0, 0.0);
        assert!(f.iter().all(|t| t.start_ms <= MAX_LAG_MS), "{:?}", f.iter().map(|t| t.start_ms).collect::<Vec<_>>());
        assert!(f.iter().any(|t| t.start_ms == MAX_LAG_MS), "the chain did wait");
    }

    #[test]
    fn clearing_leaves_nothing_on_screen() {
        let mut f = Flights::default();
        f.update(&[dep(0, 1, 0, 1_000_000)], &ENDS, 0, 0.0);
        f.clear();
        assert!(f.is_empty());
    }

    /// Plays `key` the way the app does (60 frames a second at the speed
    /// a newcomer gets) and returns the link kinds that had a token on
    /// screen in at least one of the frames sampled ten times a second.
    fn kinds_seen(key: &str) -> (Vec<&'static str>, Vec<&'static str>) {
        use crate::editor::examples::{by_key, start_speed};
        use crate::engine::{Sim, SimOptions};
        let s = by_key(key).expect("example").scenario();
        let index = |id: &str| s.nodes.iter().position(|n| n.id == id).unwrap_or(0) as u32;
        let ends: Vec<Ends> = s.links.iter().map(|l| (index(&l.from), index(&l.to))).collect();
        let mut sim = Sim::new(&s, SimOptions::interactive()).expect("runs");
        let step_us = (1000.0 / 60.0 * start_speed(&s) * 1000.0) as u64;
        let (mut f, mut out, mut seen) = (Flights::default(), Vec::new(), Vec::new());
        for frame in 0u64.. {
            if sim.is_finished() {
                break;
            }
            sim.advance_to(sim.now_us() + step_us, u64::MAX);
            sim.take_departures(&mut out);
            let anim = frame as f64 * 1000.0 / 60.0;
            f.update(&out, &ends, sim.now_us(), anim);
            if frame % 6 == 0 {
                seen.extend(f.iter().filter(|t| t.started(anim)).map(|t| s.links[t.link as usize].via.as_str()));
            }
        }
        seen.sort_unstable();
        seen.dedup();
        let mut all: Vec<&str> = s.links.iter().map(|l| l.via.as_str()).collect();
        all.sort_unstable();
        all.dedup();
        (seen, all)
    }

    #[test]
    fn every_link_kind_of_the_async_examples_is_seen_carrying_tokens() {
        for key in ["leetcode", "food", "payments-queue", "saga"] {
            let (seen, all) = kinds_seen(key);
            assert_eq!(seen, all, "{key}");
        }
    }

    #[test]
    fn a_flood_is_capped() {
        let mut f = Flights::default();
        for round in 0..3u64 {
            // Every departure its own trace on its own made-up link.
            let ends: Vec<Ends> = (0..4_000).map(|_| (0, 1)).collect();
            let many: Vec<Departure> = (0..4_000).map(|i| dep(i as u32, round * 10_000 + i, 0, 10_000_000)).collect();
            f.update(&many, &ends, 0, round as f64);
        }
        assert!(f.len() <= MAX_FLIGHTS);
    }
}
