//! The app's side of a lesson's marks: a [`Follower`] that stops a run at
//! every mark the lesson's checks need (windows, instants), keeps what it
//! saw there, and pauses before each timed action the learner has not done
//! yet, so its button is pressed at the moment it happens.

use crate::app::run::Follower;
use crate::editor::drive::{Seen, Stop};
use crate::engine::lesson::{Snapshot, Watch};

#[derive(Default)]
pub struct LessonFollower {
    watch: Watch,
    /// Marks (µs) the run pauses before.
    pub pauses: Vec<u64>,
    /// The mark the run paused before, until it moves on.
    pub paused_at: Option<u64>,
}

impl LessonFollower {
    /// A new plan for the next run (the old run's snapshots go).
    pub fn plan(&mut self, marks: Vec<u64>, pauses: Vec<u64>) {
        let mut all = marks;
        all.extend(pauses.iter().copied());
        self.watch = Watch::new(all);
        self.pauses = pauses;
        self.paused_at = None;
    }

    pub fn snapshots(&self) -> &[Snapshot] {
        &self.watch.snapshots
    }
}

impl Follower for LessonFollower {
    fn stops_ahead(&self, until_us: u64) -> Vec<Stop> {
        // The microsecond before each mark (see `Watch::next_stop_us`).
        let ahead = self.watch.ahead().iter().map(|&t| Stop { at_us: t - 1, pause: self.pauses.contains(&t) });
        ahead.take_while(|s| s.at_us <= until_us).collect()
    }

    fn at_stop(&mut self, seen: &Seen) -> bool {
        let hit = self.watch.observe_snapshot(&seen.snapshot, seen.finished);
        self.paused_at = hit.into_iter().find(|t| self.pauses.contains(t));
        self.paused_at.is_some()
    }

    fn restart(&mut self) {
        self.watch.restart();
        self.paused_at = None;
    }

    fn rewind(&mut self, now_us: u64) {
        self.watch.rewind(now_us);
        self.paused_at = None;
    }
}
