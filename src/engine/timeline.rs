//! Time travel: any instant of a run, forwards and backwards, from
//! checkpoints rather than recordings.
//!
//! Runs are deterministic, so the state at time `t` is the state of the
//! latest checkpoint before `t` run on to `t`. A checkpoint is a clone of
//! the [`Sim`] taken every [`Timeline::every_us`] of simulated time as the
//! run passes (RaftScope keeps its checkpoints the same way); going back
//! costs one clone plus at most that much re-simulation, however long the
//! run. Checkpoints hold one run of one scenario: a live action changes
//! the scenario, and the owner calls [`Timeline::clear`].

use crate::engine::{Sim, SimOptions};

/// Simulated time between checkpoints by default, microseconds.
pub const EVERY_US: u64 = 2_000_000;
/// At most this many checkpoints: a longer run spaces them further apart
/// (every other one is dropped), so memory stays bounded.
pub const MAX_POINTS: usize = 64;

/// Checkpoints of one run, oldest first.
pub struct Timeline {
    every_us: u64,
    options: SimOptions,
    points: Vec<Sim>,
}

impl Timeline {
    pub fn new(options: SimOptions) -> Timeline {
        Timeline { every_us: EVERY_US, options, points: Vec::new() }
    }

    /// Simulated time between checkpoints now.
    pub fn every_us(&self) -> u64 {
        self.every_us
    }

    /// How many checkpoints are kept.
    pub fn len(&self) -> usize {
        self.points.len()
    }

    pub fn is_empty(&self) -> bool {
        self.points.is_empty()
    }

    /// Forgets every checkpoint (the run's scenario changed).
    pub fn clear(&mut self) {
        self.points.clear();
        self.every_us = EVERY_US;
    }

    /// Keeps a checkpoint of `sim` if it ran a checkpoint's interval past
    /// the last one (a run moved back to an earlier time adds nothing: its
    /// checkpoints are there already).
    pub fn note(&mut self, sim: &Sim) {
        let due = match self.points.last() {
            None => true,
            Some(p) => sim.events() > p.events() && sim.now_us() >= p.now_us().saturating_add(self.every_us),
        };
        if !due {
            return;
        }
        self.points.push(sim.clone());
        if self.points.len() > MAX_POINTS {
            // Keep the first and every other one after it.
            let mut i = 0;
            self.points.retain(|_| {
                i += 1;
                i % 2 == 1
            });
            self.every_us = self.every_us.saturating_mul(2);
        }
    }

    /// Moves `sim` to simulated time `t_us` (clamped to the run): forwards
    /// by running on (keeping checkpoints on the way), backwards from the
    /// latest checkpoint at or before `t_us`, or from a fresh build of
    /// `sim`'s scenario when there is none. The state is exactly the one a
    /// run from zero has at `t_us`.
    pub fn seek(&mut self, sim: &mut Sim, t_us: u64) {
        let t = t_us.min(sim.end_us());
        // The latest checkpoint at or before `t`: a jump back starts there,
        // and so does a jump forwards past it (cloning beats re-running).
        let from = self.points.iter().rposition(|p| p.now_us() <= t);
        let ahead = from.is_some_and(|i| self.points[i].events() > sim.events());
        if t < sim.now_us() || ahead {
            *sim = match from {
                Some(i) => self.points[i].clone(),
                None => match Sim::new(sim.scenario(), self.options) {
                    Ok(fresh) => {
                        self.points.clear();
                        fresh
                    }
                    Err(_) => return, // It was built from it: cannot happen.
                },
            };
        }
        self.note(sim);
        // Forwards in checkpoint-sized slices, keeping one after each.
        while sim.now_us() < t && !sim.is_finished() {
            let next = sim.now_us().saturating_add(self.every_us).min(t);
            sim.advance_to(next, u64::MAX);
            self.note(sim);
        }
        // Whatever remains at `t` itself runs too (a run that stopped part
        // way through an instant).
        sim.advance_to(t, u64::MAX);
    }
}
