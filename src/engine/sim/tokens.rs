//! Tokens in flight, kept only when the app asks (`track_tokens`): each
//! thing travelling on a link has a slot with its link, departure and arrival
//! times, so a frame can draw it at the right fraction of the way.

use super::model::NONE;
use crate::engine::kernel::clock::Micros;
use crate::engine::view::{Departure, Token, TokenKind, TokenTone};

/// Departures kept between two reads; past it the oldest are overwritten
/// (at thousands per frame nobody can see them all anyway).
pub const MAX_DEPARTURES: usize = 4_096;

#[derive(Clone, Copy, Debug)]
struct Slot {
    link: u32,
    depart: Micros,
    arrive: Micros,
    backwards: bool,
    kind: TokenKind,
    tone: TokenTone,
    trace: u64,
    key: u32,
}

#[derive(Clone, Default)]
pub struct Tokens {
    on: bool,
    slots: Vec<Option<Slot>>,
    free: Vec<u32>,
    departures: Vec<Departure>,
    /// Next slot to overwrite once `departures` is full.
    ring: usize,
}

/// What a new token is.
#[derive(Clone, Copy, Debug)]
pub struct TokenSpec {
    pub link: u32,
    pub depart: Micros,
    pub arrive: Micros,
    pub backwards: bool,
    pub kind: TokenKind,
    pub tone: TokenTone,
    pub trace: u64,
    /// The key it carries (NONE without one), for colouring by key.
    pub key: u32,
}

impl Tokens {
    pub fn new(on: bool) -> Tokens {
        Tokens { on, ..Tokens::default() }
    }

    /// Starts or stops tracking new tokens; those in flight still end.
    pub fn set_on(&mut self, on: bool) {
        self.on = on;
    }

    /// Starts a token; returns its slot (NONE when not tracking).
    #[inline]
    pub fn start(&mut self, t: TokenSpec) -> u32 {
        if !self.on {
            return NONE;
        }
        self.track(t)
    }

    #[inline(never)]
    fn track(&mut self, t: TokenSpec) -> u32 {
        let d = Departure {
            link: t.link,
            at_us: t.depart,
            travel_us: t.arrive.saturating_sub(t.depart),
            backwards: t.backwards,
            kind: t.kind,
            tone: t.tone,
            trace: t.trace,
            key: t.key,
        };
        if self.departures.len() < MAX_DEPARTURES {
            self.departures.push(d);
        } else {
            self.departures[self.ring] = d;
            self.ring = (self.ring + 1) % MAX_DEPARTURES;
        }
        let slot = Slot {
            link: t.link,
            depart: t.depart,
            arrive: t.arrive,
            backwards: t.backwards,
            kind: t.kind,
            tone: t.tone,
            trace: t.trace,
            key: t.key,
        };
        match self.free.pop() {
            Some(i) => {
                self.slots[i as usize] = Some(slot);
                i
            }
            None => {
                self.slots.push(Some(slot));
                (self.slots.len() - 1) as u32
            }
        }
    }

    #[inline]
    pub fn end(&mut self, slot: u32) {
        if slot == NONE {
            return;
        }
        if let Some(s) = self.slots.get_mut(slot as usize) {
            if s.take().is_some() {
                self.free.push(slot);
            }
        }
    }

    /// Moves the departures since the last call into `out`, oldest first.
    pub fn take_departures(&mut self, out: &mut Vec<Departure>) {
        out.clear();
        out.extend_from_slice(&self.departures[self.ring..]);
        out.extend_from_slice(&self.departures[..self.ring]);
        self.departures.clear();
        self.ring = 0;
    }

    pub fn fill(&self, now: Micros, out: &mut Vec<Token>) {
        out.clear();
        for s in self.slots.iter().flatten() {
            let span = s.arrive.saturating_sub(s.depart).max(1) as f64;
            let f = (now.saturating_sub(s.depart) as f64 / span).clamp(0.0, 1.0) as f32;
            out.push(Token {
                link: s.link,
                progress: if s.backwards { 1.0 - f } else { f },
                backwards: s.backwards,
                kind: s.kind,
                tone: s.tone,
                trace: s.trace,
                key: s.key,
            });
        }
    }
}
