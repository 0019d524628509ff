//! Lessons: a scenario (or two, for a comparison), a story, steps and why
//! it happens, with every observation step a condition on the run's
//! metrics that the run itself confirms.
//!
//! This is the one place conditions are understood. The app asks it, on
//! every refresh of a run, whether each step holds yet ([`watch::judge`]),
//! and stops its runs at the instants the checks need
//! ([`run::phase_marks`], [`watch::Watch`]); `tests/lessons.rs` and
//! `crosstalk lesson` run each lesson natively ([`run::run_lesson`]) and
//! require every check to hold: the lessons are golden tests of the
//! engine, and the engine's claims are the lessons.
//!
//! A check is judged at one instant, so the browser and the native run
//! agree: at its `at_ms`, at the end of its window (`while sms is down`),
//! or at the end of the run, except for counts that can only grow
//! compared upwards (`messages.lost > 500`), which tick the moment they
//! hold. See docs/LESSONS.md for the language.

pub mod cond;
pub mod metrics;
pub mod run;
pub mod spec;
pub mod watch;

pub use cond::{Check, Variant};
pub use run::{phase_marks, run_lesson, CheckResult, LessonRun};
pub use spec::{Action, Do, Group, Lesson, Observe, Step};
pub use watch::{judge, JudgeAt, Judgement, RunView, Snapshot, Verdict, Watch};
