//! A circuit breaker with resilience4j's semantics.
//!
//! - CLOSED, count-based (the default): outcomes go into a ring of the last
//!   `window` calls. Once at least `min(min_calls, window)` calls are
//!   recorded and the failure rate is at or above `failure_rate`, it opens.
//! - CLOSED, time-based (`window_type: "time"`, resilience4j's TIME_BASED
//!   sliding window): outcomes of the calls that ended in the last
//!   `window_ms` count. It opens once `min_failures` of them failed (the
//!   texts' "after 5 failures in 30 s"); if `failure_rate` is set, the
//!   rate over the window must also reach it with at least `min_calls`
//!   calls, which is resilience4j's own rule (set `min_failures: 1` for it
//!   alone). resilience4j sums the window in one-second buckets; here each
//!   call keeps its exact end time.
//! - OPEN: calls fail fast without reaching the callee. After `open_ms` the
//!   next call moves it to HALF_OPEN (resilience4j's default, without the
//!   automatic transition).
//! - HALF_OPEN: `half_open_calls` trial calls are let through, the rest are
//!   refused. When all trials have answered, the failure rate over them
//!   decides: at or above the threshold it opens again, otherwise it closes
//!   with an empty ring.
//!
//! Outcomes of calls let through in an earlier state are ignored (each state
//! change starts a new epoch).

use crate::engine::format::defaults as d;
use crate::engine::format::{BreakerSpec, WindowType};
use crate::engine::kernel::clock::{ms_to_us, Micros};
use crate::engine::view::BreakerState;
use std::collections::VecDeque;

#[derive(Clone, Copy, Debug, PartialEq)]
pub struct BreakerConfig {
    pub failure_rate: f64,
    pub window: u32,
    pub min_calls: u32,
    pub open_us: Micros,
    pub half_open_calls: u32,
    /// `Some` for a time-based window.
    pub time: Option<TimeWindow>,
}

/// A time-based window's rule.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct TimeWindow {
    pub window_us: Micros,
    pub min_failures: u32,
    /// The failure rate must also reach `failure_rate` (set explicitly).
    pub rate_rule: bool,
}

impl BreakerConfig {
    pub fn from_spec(s: &BreakerSpec) -> BreakerConfig {
        let time = (s.window_type == Some(WindowType::Time)).then(|| TimeWindow {
            window_us: ms_to_us(s.window_ms.unwrap_or(d::BREAKER_WINDOW_MS)).max(1),
            min_failures: s.min_failures.unwrap_or(d::BREAKER_MIN_FAILURES).max(1),
            rate_rule: s.failure_rate.is_some(),
        });
        BreakerConfig {
            failure_rate: s.failure_rate.unwrap_or(d::BREAKER_FAILURE_RATE),
            window: s.window.unwrap_or(d::BREAKER_WINDOW).max(1),
            min_calls: s.min_calls.unwrap_or(d::BREAKER_MIN_CALLS).max(1),
            open_us: ms_to_us(s.open_ms.unwrap_or(d::BREAKER_OPEN_MS)),
            half_open_calls: s.half_open_calls.unwrap_or(d::BREAKER_HALF_OPEN_CALLS).max(1),
            time,
        }
    }
}

#[derive(Clone, Debug)]
pub struct Breaker {
    cfg: BreakerConfig,
    state: BreakerState,
    epoch: u32,
    /// Last outcomes while closed: true = failure.
    ring: VecDeque<bool>,
    ring_failures: u32,
    /// Time-based: (end time, failed) of the calls in the window.
    timed: VecDeque<(Micros, bool)>,
    opened_at: Micros,
    trials_left: u32,
    trial_calls: u32,
    trial_failures: u32,
    /// Calls refused without being sent.
    pub rejected: u64,
    /// Every state change: (time, new state).
    pub transitions: Vec<(Micros, BreakerState)>,
}

/// Permission to make a call, carrying the epoch it was granted in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Permit(pub u32);

impl Breaker {
    /// New settings (a change during a run): the state stays; the window
    /// keeps its most recent outcomes that still fit.
    pub fn reconfigure(&mut self, cfg: BreakerConfig) {
        self.cfg = cfg;
        while self.ring.len() as u32 > cfg.window {
            if self.ring.pop_front() == Some(true) {
                self.ring_failures -= 1;
            }
        }
    }

    pub fn new(cfg: BreakerConfig) -> Breaker {
        Breaker {
            cfg,
            state: BreakerState::Closed,
            epoch: 0,
            ring: VecDeque::with_capacity(if cfg.time.is_some() { 0 } else { cfg.window.min(4096) as usize }),
            ring_failures: 0,
            timed: VecDeque::new(),
            opened_at: 0,
            trials_left: 0,
            trial_calls: 0,
            trial_failures: 0,
            rejected: 0,
            transitions: Vec::new(),
        }
    }

    pub fn state(&self) -> BreakerState {
        self.state
    }

    /// Asks to make a call at `now`; `None` means fail fast.
    pub fn try_acquire(&mut self, now: Micros) -> Option<Permit> {
        if self.state == BreakerState::Open && now >= self.opened_at.saturating_add(self.cfg.open_us) {
            self.enter(now, BreakerState::HalfOpen);
        }
        match self.state {
            BreakerState::Closed => Some(Permit(self.epoch)),
            BreakerState::HalfOpen if self.trials_left > 0 => {
                self.trials_left -= 1;
                Some(Permit(self.epoch))
            }
            _ => {
                self.rejected += 1;
                None
            }
        }
    }

    /// Records the outcome of a call made under `permit`.
    pub fn record(&mut self, now: Micros, permit: Permit, failed: bool) {
        if permit.0 != self.epoch {
            return;
        }
        match self.state {
            BreakerState::Closed if self.cfg.time.is_some() => self.record_timed(now, failed),
            BreakerState::Closed => {
                if self.ring.len() as u32 == self.cfg.window && self.ring.pop_front() == Some(true) {
                    self.ring_failures -= 1;
                }
                self.ring.push_back(failed);
                self.ring_failures += failed as u32;
                let calls = self.ring.len() as u32;
                if calls >= self.cfg.min_calls.min(self.cfg.window)
                    && self.ring_failures as f64 / calls as f64 >= self.cfg.failure_rate
                {
                    self.enter(now, BreakerState::Open);
                }
            }
            BreakerState::HalfOpen => {
                self.trial_calls += 1;
                self.trial_failures += failed as u32;
                if self.trial_calls >= self.cfg.half_open_calls {
                    let rate = self.trial_failures as f64 / self.trial_calls as f64;
                    let next = if rate >= self.cfg.failure_rate { BreakerState::Open } else { BreakerState::Closed };
                    self.enter(now, next);
                }
            }
            BreakerState::Open => {}
        }
    }

    /// A closed time-based breaker records an outcome.
    fn record_timed(&mut self, now: Micros, failed: bool) {
        let Some(tw) = self.cfg.time else { return };
        self.timed.push_back((now, failed));
        self.ring_failures += failed as u32;
        let since = now.saturating_sub(tw.window_us);
        while let Some(&(t, f)) = self.timed.front() {
            if t > since {
                break;
            }
            self.timed.pop_front();
            self.ring_failures -= f as u32;
        }
        let calls = self.timed.len() as u32;
        let rate_ok = !tw.rate_rule
            || (calls >= self.cfg.min_calls && self.ring_failures as f64 / calls as f64 >= self.cfg.failure_rate);
        if self.ring_failures >= tw.min_failures && rate_ok {
            self.enter(now, BreakerState::Open);
        }
    }

    fn enter(&mut self, now: Micros, state: BreakerState) {
        self.state = state;
        self.epoch = self.epoch.wrapping_add(1);
        self.transitions.push((now, state));
        match state {
            BreakerState::Open => self.opened_at = now,
            BreakerState::HalfOpen => {
                self.trials_left = self.cfg.half_open_calls;
                self.trial_calls = 0;
                self.trial_failures = 0;
            }
            BreakerState::Closed => {
                self.ring.clear();
                self.timed.clear();
                self.ring_failures = 0;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cfg() -> BreakerConfig {
        BreakerConfig { failure_rate: 0.5, window: 4, min_calls: 4, open_us: 1_000, half_open_calls: 2, time: None }
    }

    /// "After 5 failures in 30 s, open for 60 s."
    fn texts_rule() -> BreakerConfig {
        BreakerConfig {
            time: Some(TimeWindow { window_us: 30_000_000, min_failures: 5, rate_rule: false }),
            open_us: 60_000_000,
            ..cfg()
        }
    }

    fn call(b: &mut Breaker, now: Micros, failed: bool) -> bool {
        match b.try_acquire(now) {
            Some(p) => {
                b.record(now, p, failed);
                true
            }
            None => false,
        }
    }

    #[test]
    fn opens_at_the_threshold_only_after_min_calls() {
        let mut b = Breaker::new(cfg());
        assert!(call(&mut b, 0, true));
        assert!(call(&mut b, 1, true));
        assert!(call(&mut b, 2, false));
        assert_eq!(b.state(), BreakerState::Closed, "3 calls < min_calls");
        assert!(call(&mut b, 3, false));
        assert_eq!(b.state(), BreakerState::Open, "2 of 4 failed = 50%");
        assert!(!call(&mut b, 500, false), "open fails fast");
        assert_eq!(b.rejected, 1);
    }

    #[test]
    fn half_open_trials_decide() {
        let mut b = Breaker::new(cfg());
        for t in 0..4 {
            call(&mut b, t, true);
        }
        assert_eq!(b.state(), BreakerState::Open);
        // After open_us the next call is a trial.
        let p1 = b.try_acquire(1_003).unwrap();
        assert_eq!(b.state(), BreakerState::HalfOpen);
        let p2 = b.try_acquire(1_004).unwrap();
        assert!(b.try_acquire(1_005).is_none(), "only two trials");
        b.record(1_010, p1, false);
        b.record(1_011, p2, false);
        assert_eq!(b.state(), BreakerState::Closed);
        let states: Vec<BreakerState> = b.transitions.iter().map(|t| t.1).collect();
        assert_eq!(states, vec![BreakerState::Open, BreakerState::HalfOpen, BreakerState::Closed]);
    }

    #[test]
    fn a_failed_trial_reopens() {
        let mut b = Breaker::new(cfg());
        for t in 0..4 {
            call(&mut b, t, true);
        }
        call(&mut b, 2_000, true);
        call(&mut b, 2_001, false);
        assert_eq!(b.state(), BreakerState::Open);
    }

    #[test]
    fn late_outcomes_from_an_old_state_are_ignored() {
        let mut b = Breaker::new(cfg());
        let early = b.try_acquire(0).unwrap();
        for t in 0..4 {
            call(&mut b, t, true);
        }
        let before = b.transitions.len();
        b.record(10, early, true);
        assert_eq!(b.transitions.len(), before);
    }

    #[test]
    fn time_based_opens_after_five_failures_within_thirty_seconds() {
        let mut b = Breaker::new(texts_rule());
        let s = 1_000_000;
        // Four failures 10 s apart, among many successes: never five in 30 s.
        for i in 0..8 {
            call(&mut b, i * 10 * s, true);
            for k in 1..50 {
                call(&mut b, i * 10 * s + k * 1_000, false);
            }
        }
        assert_eq!(b.state(), BreakerState::Closed, "at most three failures fall in any 30 s");
        // Five within 30 s, however many successes between them: open.
        let t0 = 100 * s;
        for i in 0..5 {
            call(&mut b, t0 + i * 5 * s, true);
            call(&mut b, t0 + i * 5 * s + 1, false);
        }
        assert_eq!(b.state(), BreakerState::Open);
        assert_eq!(b.transitions[0].0, t0 + 20 * s, "opened at the fifth failure");
        // Open for 60 s: refused until then, a trial after.
        assert!(b.try_acquire(t0 + 20 * s + 59 * s).is_none());
        assert!(b.try_acquire(t0 + 20 * s + 60 * s).is_some());
        assert_eq!(b.state(), BreakerState::HalfOpen);
    }

    #[test]
    fn time_based_with_a_rate_needs_the_rate_too() {
        let mut c = texts_rule();
        c.time = Some(TimeWindow { window_us: 30_000_000, min_failures: 5, rate_rule: true });
        c.min_calls = 10;
        let mut b = Breaker::new(c);
        // 5 failures of 20 calls: 25% < 50%.
        for i in 0..20 {
            call(&mut b, i * 1_000, i % 4 == 0);
        }
        assert_eq!(b.state(), BreakerState::Closed);
        for i in 20..40 {
            call(&mut b, i * 1_000, true);
        }
        assert_eq!(b.state(), BreakerState::Open);
    }
}
