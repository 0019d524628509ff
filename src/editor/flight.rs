//! What the eye sees of the tokens in flight.
//!
//! The engine's tokens live exactly as long as their network hop: a 1 ms
//! HTTP hop at real-time speed is on screen for one millisecond, which no
//! one can see. So each token the engine reports becomes a *flight* that
//! takes at least [`MIN_FLIGHT_MS`] of animation time to cross its link:
//! a fast hop is slowed down for the eye, a slow one (a 2 s latency) still
//! moves exactly as the engine says. Flights whose token already arrived
//! finish their trip, then go. The animation clock only runs while the
//! simulation runs, so Pause freezes everything in place.
//!
//! A token is recognised from frame to frame by its trace, link, kind and
//! direction (the engine hands out no token ids).

use crate::engine::view::{Token, TokenKind, TokenTone};
use std::collections::HashMap;

/// Animation milliseconds a token takes at least to cross a link.
pub const MIN_FLIGHT_MS: f64 = 450.0;
/// Flights kept at most: past it, tokens that already arrived are dropped
/// first, so a 1000× run cannot flood the canvas or the memory.
pub const MAX_FLIGHTS: usize = 6_000;

type Key = (u64, u32, u8, bool);

fn key(t: &Token) -> Key {
    (t.trace, t.link, kind_code(t.kind), t.backwards)
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Flight {
    pub link: u32,
    pub kind: TokenKind,
    pub tone: TokenTone,
    pub trace: u64,
    pub backwards: bool,
    /// The key it carries (`u32::MAX` without one): drawn in its key's colour.
    pub key: u32,
    /// Animation time it was first seen.
    born_ms: f64,
    /// How far the engine's token is (0 at departure, 1 at arrival); 1 once
    /// the engine no longer reports it.
    engine: f64,
    /// Whether the engine still reports it.
    live: bool,
}

impl Flight {
    /// The fraction of the way travelled now (0 at departure, 1 at arrival).
    pub fn travelled(&self, anim_ms: f64) -> f64 {
        let eye = ((anim_ms - self.born_ms) / MIN_FLIGHT_MS).clamp(0.0, 1.0);
        self.engine.min(eye)
    }

    /// The position along the link, measured from its `from` node, as the
    /// engine's `Token::progress` is.
    pub fn progress(&self, anim_ms: f64) -> f64 {
        let f = self.travelled(anim_ms);
        if self.backwards {
            1.0 - f
        } else {
            f
        }
    }
}

#[derive(Debug, Default)]
pub struct Flights {
    flights: Vec<Flight>,
    next: Vec<Flight>,
    index: HashMap<Key, usize>,
    used: Vec<bool>,
}

impl Flights {
    /// Takes this frame's tokens from the engine at animation time `anim_ms`.
    pub fn update(&mut self, tokens: &[Token], anim_ms: f64) {
        self.index.clear();
        for (i, f) in self.flights.iter().enumerate() {
            let k = (f.trace, f.link, kind_code(f.kind), f.backwards);
            self.index.insert(k, i);
        }
        self.used.clear();
        self.used.resize(self.flights.len(), false);
        self.next.clear();
        for t in tokens {
            let travelled = f64::from(if t.backwards { 1.0 - t.progress } else { t.progress }).clamp(0.0, 1.0);
            match self.index.get(&key(t)) {
                Some(&i) if !self.used[i] => {
                    self.used[i] = true;
                    let mut f = self.flights[i];
                    f.engine = travelled;
                    f.tone = t.tone;
                    f.live = true;
                    self.next.push(f);
                }
                _ => self.next.push(Flight {
                    link: t.link,
                    kind: t.kind,
                    tone: t.tone,
                    trace: t.trace,
                    backwards: t.backwards,
                    key: t.key,
                    born_ms: anim_ms,
                    engine: travelled,
                    live: true,
                }),
            }
        }
        // Tokens that arrived finish their trip on screen.
        let room = MAX_FLIGHTS.saturating_sub(self.next.len());
        let mut kept = 0;
        for (i, f) in self.flights.iter().enumerate().rev() {
            if self.used[i] || kept >= room {
                continue;
            }
            let done = Flight { engine: 1.0, live: false, ..*f };
            if done.travelled(anim_ms) < 1.0 {
                self.next.push(done);
                kept += 1;
            }
        }
        std::mem::swap(&mut self.flights, &mut self.next);
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

    pub fn clear(&mut self) {
        self.flights.clear();
    }
}

fn kind_code(k: TokenKind) -> u8 {
    match k {
        TokenKind::Request => 0,
        TokenKind::Response => 1,
        TokenKind::Message => 2,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn token(trace: u64, progress: f32) -> Token {
        Token {
            link: 0,
            progress,
            backwards: false,
            kind: TokenKind::Request,
            tone: TokenTone::Pending,
            trace,
            key: u32::MAX,
        }
    }

    #[test]
    fn a_one_millisecond_hop_is_still_seen_crossing() {
        let mut f = Flights::default();
        f.update(&[token(1, 0.5)], 0.0);
        // The engine says it arrived; the eye still sees it on its way.
        f.update(&[], 100.0);
        assert_eq!(f.len(), 1);
        let p = f.iter().next().unwrap().progress(100.0);
        assert!((p - 100.0 / MIN_FLIGHT_MS).abs() < 1e-9, "{p}");
        f.update(&[], MIN_FLIGHT_MS + 1.0);
        assert!(f.is_empty());
    }

    #[test]
    fn a_slow_hop_moves_as_the_engine_says() {
        let mut f = Flights::default();
        f.update(&[token(1, 0.0)], 0.0);
        f.update(&[token(1, 0.1)], 10_000.0);
        let p = f.iter().next().unwrap().progress(10_000.0);
        assert!((p - 0.1).abs() < 1e-6, "{p}");
    }

    #[test]
    fn answers_travel_backwards() {
        let mut f = Flights::default();
        let t = Token { backwards: true, kind: TokenKind::Response, ..token(2, 1.0) };
        f.update(&[t], 0.0);
        assert_eq!(f.iter().next().unwrap().progress(0.0), 1.0);
        f.update(&[], MIN_FLIGHT_MS / 2.0);
        assert!((f.iter().next().unwrap().progress(MIN_FLIGHT_MS / 2.0) - 0.5).abs() < 1e-9);
    }

    #[test]
    fn a_flood_is_capped() {
        let mut f = Flights::default();
        for round in 0..3u64 {
            let many: Vec<Token> = (0..4_000).map(|i| token(round * 10_000 + i, 0.2)).collect();
            f.update(&many, round as f64);
        }
        assert!(f.len() <= MAX_FLIGHTS);
    }
}
