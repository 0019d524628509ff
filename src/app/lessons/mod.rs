//! Lessons in the app: the gallery (one click from the first screen), the
//! lesson panel beside the canvas, the comparison view (A/B) and the
//! decision guide.
//!
//! What a step means and whether it holds is the engine's business
//! (`engine::lesson`): this module runs the lesson's scenario through the
//! app's own run and edit paths, stops the run at the marks the lesson
//! asks for (`follow.rs`), and shows each step ticking as the run goes.
//! Progress is kept per lesson in localStorage and in the link
//! (`#…&lesson=NAME&step=3`), so a teacher can send "lesson 4, step 3".

mod catalog;
mod compare;
mod follow;
mod gallery;
mod guide;
mod panel;
mod progress;
mod thumb;

pub use compare::{CompareBar, CompareView};
pub use panel::LessonPanel;

use crate::app::run::{FollowerRef, Run, Status};
use crate::app::share;
use crate::app::state::Ctx;
use crate::editor::lessons;
use crate::engine::fragment::Fragment;
use crate::engine::lesson::{phase_marks, Do, Lesson, Step};
use follow::LessonFollower;
use leptos::prelude::*;
use std::cell::RefCell;
use std::rc::Rc;

/// A part of a view that changes, type-erased: all such parts share one
/// copy of Leptos' rendering glue instead of one per closure (as `sig.rs`
/// does for texts), which keeps the download small.
pub type Part = Box<dyn Fn() -> AnyView + Send + Sync>;

pub fn part(f: Part) -> impl IntoView {
    move || f()
}

/// The lessons' state, shared by their components.
#[derive(Clone, Copy)]
pub struct Lessons {
    pub gallery: RwSignal<bool>,
    pub guide: RwSignal<bool>,
    /// The open lesson (its index in the gallery).
    pub open: RwSignal<Option<usize>>,
    /// Per step of the open lesson: done.
    pub done: RwSignal<Vec<bool>>,
    /// Per step: the latest verdict of its check on the run(s) so far.
    pub judged: RwSignal<Vec<Option<crate::engine::lesson::Judgement>>>,
    pub compare: compare::Compare,
    /// The follower of the canvas's run while a lesson is open.
    follower: StoredValue<Rc<RefCell<LessonFollower>>, LocalStorage>,
    ctx: Ctx,
}

pub fn use_lessons() -> Lessons {
    use_context::<Lessons>().expect("Lessons are provided by App")
}

/// Sets up lessons and comparisons, and opens what the link asks for
/// (variant B, a lesson at a step), saying what it could not open.
pub fn provide(ctx: Ctx) {
    let l = Lessons {
        gallery: RwSignal::new(false),
        guide: RwSignal::new(false),
        open: RwSignal::new(None),
        done: RwSignal::new(Vec::new()),
        judged: RwSignal::new(Vec::new()),
        compare: compare::Compare::new(),
        follower: StoredValue::new_local(Rc::default()),
        ctx,
    };
    provide_context(l);
    l.compare.start_loops();
    compare::keep_runs_fresh(ctx, l.compare);
    let builder: share::FragmentBuilder = Rc::new(move |doc| l.fragment_for(doc));
    share::set_fragment_builder(Some(builder));
    l.open_link(&share::fragment_parts());
    panel::tick_steps(l);
    // The address bar follows the lesson's step and the comparison.
    Effect::new(move |_| {
        l.open.track();
        l.done.track();
        l.compare.other.track();
        l.compare.editing.track();
        ctx.doc.with_untracked(share::show_in_address_bar);
    });
}

impl Lessons {
    /// The open lesson.
    pub fn lesson(&self) -> Option<Lesson> {
        self.open.get().and_then(catalog::get)
    }

    fn lesson_untracked(&self) -> Option<Lesson> {
        self.open.get_untracked().and_then(catalog::get)
    }

    /// The step the learner is on (tracked): the first not done, leaving
    /// behind checks of a phase a `set` step has moved past (their run is
    /// gone, so they can no longer tick).
    pub fn current(&self) -> usize {
        self.with_lesson(|lesson| {
            // The run waits before a timed action: that is the step now.
            if let Some(i) = self.waiting_action(lesson) {
                return i;
            }
            self.done.with(|d| {
                let phase = Self::phase_of(lesson, d);
                (0..d.len()).find(|i| !d[*i] && lesson.phase_of(*i) >= phase).unwrap_or(d.len())
            })
        })
        .unwrap_or(0)
    }

    /// The timed action the run is paused before, if it is (tracked).
    pub fn waiting_action(&self, lesson: &Lesson) -> Option<usize> {
        let run = self.runs(lesson)[0];
        if run.status.get() != Status::Paused {
            return None;
        }
        let at = self.follower(lesson, 0).borrow().paused_at?;
        let phase = self.done.with(|d| Self::phase_of(lesson, d));
        lesson.action_marks(phase).into_iter().find(|(_, t)| *t == at).map(|(i, _)| i)
    }

    /// Reads the open lesson in place (tracked), without copying it.
    fn with_lesson<R>(&self, f: impl FnOnce(&Lesson) -> R) -> Option<R> {
        let i = self.open.get()?;
        catalog::all().get(i).map(f)
    }

    /// How many `set` steps are done: which scenario the lesson is at.
    fn phase_of(lesson: &Lesson, done: &[bool]) -> usize {
        lesson.steps.iter().zip(done).filter(|(s, d)| **d && matches!(s, Step::Action(a) if a.what == Do::Set)).count()
    }

    pub fn phase(&self) -> usize {
        self.with_lesson(|l| self.done.with(|d| Self::phase_of(l, d))).unwrap_or(0)
    }

    /// The runs a lesson's steps watch: the canvas's, or a comparison's two.
    pub fn runs(&self, lesson: &Lesson) -> Vec<Run> {
        if lesson.is_comparison() {
            self.compare.runs().to_vec()
        } else {
            vec![self.ctx.run]
        }
    }

    pub fn follower(&self, lesson: &Lesson, v: usize) -> Rc<RefCell<LessonFollower>> {
        if lesson.is_comparison() {
            self.compare.follower(v)
        } else {
            self.follower.get_value()
        }
    }

    /// Opens lesson `i` (at 1-based step `at`, steps before it counted as
    /// done; else where the learner left it), its scenario as an entry of
    /// My scenarios.
    pub fn open_lesson(&self, i: usize, at: Option<usize>) {
        self.open_lesson_with(i, at, false);
    }

    /// As [`Self::open_lesson`]; `keep_doc`: the canvas already shows the
    /// scenario to use as A (a link that carries its own).
    fn open_lesson_with(&self, i: usize, at: Option<usize>, keep_doc: bool) {
        let Some(lesson) = catalog::get(i) else { return };
        let ctx = self.ctx;
        let mut done = progress::load(&lesson.name, lesson.steps.len());
        if let Some(step) = at {
            let step = step.clamp(1, lesson.steps.len());
            for (k, d) in done.iter_mut().enumerate() {
                *d = k + 1 < step;
            }
        }
        let phase = Self::phase_of(&lesson, &done);
        let scenarios = match lesson.phase_scenarios(phase, &lessons::apply_set) {
            Ok(s) => s,
            Err(e) => {
                ctx.complain(format!("Lesson {}: {e}", lesson.title));
                return;
            }
        };
        self.gallery.set(false);
        self.guide.set(false);
        self.compare.end(ctx);
        ctx.run.reset();
        let [a, b] = scenarios;
        if !keep_doc {
            crate::app::library::open_new(ctx, a.unwrap_or_default(), Some(format!("lesson:{}", lesson.name)));
            ctx.alert.set(None);
        }
        if let Some(b) = b {
            self.compare.start(ctx, Some(b), lesson.labels.clone());
            // Comparison lessons start in the comparison view once they ask
            // for it (their first step), or at once when past it.
            let opened =
                lesson.steps.iter().zip(&done).any(|(s, d)| *d && matches!(s, Step::Action(a) if a.what == Do::OpenB));
            self.compare.open.set(opened);
        }
        let follower: FollowerRef = self.follower.get_value();
        ctx.run.follow((!lesson.is_comparison()).then_some(follower));
        self.done.set(done);
        self.open.set(Some(i));
        self.replan();
        refit(ctx);
    }

    pub fn close_lesson(&self) {
        self.ctx.run.follow(None);
        if self.lesson_untracked().is_some_and(|l| l.is_comparison()) {
            self.compare.end(self.ctx);
        }
        self.open.set(None);
        self.done.set(Vec::new());
        refit(self.ctx);
    }

    /// Marks step `i` done (and keeps the progress).
    pub fn mark_done(&self, i: usize) {
        let Some(lesson) = self.lesson_untracked() else { return };
        // Only a real change may notify: the ticking effect reads `done`.
        let open = self.done.with_untracked(|d| d.get(i) == Some(&false));
        if open {
            self.done.update(|d| d[i] = true);
            self.done.with_untracked(|d| progress::save(&lesson.name, d));
            self.update_pauses();
        }
    }

    /// Starts the lesson again from its first step and scenario.
    pub fn start_over(&self) {
        let Some(i) = self.open.get_untracked() else { return };
        if let Some(l) = catalog::get(i) {
            progress::clear(&l.name);
        }
        self.open_lesson(i, Some(1));
    }

    /// The marks of the current phase, for the next run(s), with pauses
    /// before the timed actions not done yet.
    pub fn replan(&self) {
        let Some(lesson) = self.lesson_untracked() else { return };
        let scenarios: [Option<crate::engine::format::Scenario>; 2] = if lesson.is_comparison() {
            match self.compare.docs(self.ctx) {
                Some([a, b]) => [Some(a), Some(b)],
                None => return,
            }
        } else {
            [Some(self.ctx.doc.get_untracked()), None]
        };
        let phase = self.done.with_untracked(|d| Self::phase_of(&lesson, d));
        let marks = phase_marks(&lesson, phase, &scenarios);
        let pauses = self.pauses(&lesson, phase);
        for (v, m) in marks.into_iter().enumerate() {
            if scenarios[v].is_some() {
                let p = if v == 0 { pauses.clone() } else { Vec::new() };
                self.follower(&lesson, v).borrow_mut().plan(m, p);
            }
        }
    }

    fn pauses(&self, lesson: &Lesson, phase: usize) -> Vec<u64> {
        self.done.with_untracked(|done| {
            lesson
                .action_marks(phase)
                .into_iter()
                .filter(|(i, _)| !done.get(*i).copied().unwrap_or(false))
                .map(|(_, t)| t)
                .collect()
        })
    }

    fn update_pauses(&self) {
        let Some(lesson) = self.lesson_untracked() else { return };
        let phase = self.done.with_untracked(|d| Self::phase_of(&lesson, d));
        let pauses = self.pauses(&lesson, phase);
        self.follower(&lesson, 0).borrow_mut().pauses = pauses;
    }

    /// The link's fragment: the scenario (A), variant B, the lesson and step.
    fn fragment_for(&self, doc: &crate::engine::format::Scenario) -> String {
        let c = self.compare;
        let mut f = Fragment::default();
        let other = c.other.with_untracked(|o| o.as_ref().map(crate::engine::codec::encode));
        let here = crate::engine::codec::encode(doc);
        match (other, c.editing.get_untracked()) {
            (Some(o), 1) => {
                f.scenario = Some(o);
                f.b = Some(here);
            }
            (o, _) => {
                f.scenario = Some(here);
                f.b = o;
            }
        }
        if let Some(l) = self.lesson_untracked() {
            f.lesson = Some(l.name.clone());
            let current = untrack(|| self.current());
            f.step = Some((current + 1).min(l.steps.len()).to_string());
        }
        f.render()
    }

    /// Opens the parts of a link beyond its scenario; a broken part is
    /// named in the alert and the rest still opens.
    pub fn open_link(&self, parts: &Fragment) {
        let ctx = self.ctx;
        // What the scenario part already said (opening a lesson clears it).
        let prior = ctx.alert.get_untracked();
        let mut problems: Vec<String> = Vec::new();
        let step = match parts.step_number() {
            Some(Ok(n)) => Some(n),
            Some(Err(e)) => {
                problems.push(e);
                None
            }
            None => None,
        };
        let mut lesson_opened = false;
        if let Some(name) = &parts.lesson {
            match catalog::index_of(name) {
                Some(i) => {
                    let steps = catalog::get(i).map_or(0, |l| l.steps.len());
                    if step.is_some_and(|s| s > steps) {
                        problems.push(format!("lesson `{name}` has {steps} steps, not {}", step.unwrap_or(0)));
                    }
                    // A link's own scenario (on the canvas already) wins
                    // over the lesson's: the teacher may have changed it.
                    let own = parts.scenario.is_some() && prior.is_none();
                    self.open_lesson_with(i, step.or(Some(1)), own);
                    lesson_opened = true;
                }
                None => problems.push(format!(
                    "there is no lesson `{}` (it may be from a newer Crosstalk)",
                    name.chars().take(60).collect::<String>()
                )),
            }
        }
        if let Some(b) = &parts.b {
            match share::from_link(b) {
                Ok(b) if lesson_opened && self.compare.active() => {
                    let _ = self.compare.change(ctx, 1, |_| Ok(b));
                    self.compare.open.set(true);
                }
                Ok(b) => {
                    self.compare.start(ctx, Some(b), compare::plain_labels());
                }
                Err(e) => problems.push(format!("its variant B could not be read ({e})")),
            }
        }
        if !parts.unknown.is_empty() {
            problems.push(format!("it has parts this version does not know ({})", parts.unknown.join(", ")));
        }
        // A scenario part that failed has said so already (`prior`, which
        // also says the previous work is shown): say it opened only if it did.
        let scenario_opened = parts.scenario.is_some() && prior.is_none();
        let failed_before = prior.is_some();
        let mut messages: Vec<String> = prior.into_iter().collect();
        if !problems.is_empty() {
            let opened = match (scenario_opened || lesson_opened, lesson_opened) {
                (_, true) => "The lesson opened, but",
                (true, false) => "The scenario opened, but",
                _ if failed_before => "Also,",
                _ => "Your previous work is shown:",
            };
            messages.push(format!("{opened} part of this link could not be used: {}.", problems.join("; ")));
        }
        if !messages.is_empty() {
            ctx.alert.set(Some(messages.join(" ")));
        }
    }

    /// A lesson step's action, done through the app's own paths.
    pub fn act(&self, i: usize) {
        let Some(lesson) = self.lesson_untracked() else { return };
        let Some(Step::Action(a)) = lesson.steps.get(i).cloned() else { return };
        let ctx = self.ctx;
        let comparison = lesson.is_comparison();
        let refuse = |r: Result<(), String>| {
            if let Err(e) = r {
                ctx.complain(e);
            }
        };
        match a.what {
            Do::Run | Do::RunToEnd => {
                let to_end = a.what == Do::RunToEnd;
                if comparison {
                    self.compare.open.set(true);
                    self.compare.reset_runs();
                    self.replan();
                    self.compare.run_both(ctx, to_end, a.speed);
                } else {
                    if ctx.run.status.get_untracked() == Status::Finished {
                        ctx.run.reset();
                    }
                    if let Some(s) = a.speed {
                        ctx.run.set_speed(s);
                    }
                    let doc = ctx.doc.get_untracked();
                    refuse(if to_end { ctx.run.run_to_end(&doc) } else { ctx.run.play(&doc) });
                }
                if !to_end {
                    self.mark_done(i);
                }
            }
            Do::Pause | Do::Crash | Do::Recover | Do::Slow | Do::Errors => {
                // The run waits before the fault of the scenario: carry on
                // and it happens.
                self.mark_done(i);
                let doc = ctx.doc.get_untracked();
                let run = self.runs(&lesson)[0];
                refuse(run.play(&doc));
            }
            Do::Set => {
                for v in 0..2 {
                    if !a.variants[v] {
                        continue;
                    }
                    let r = if comparison {
                        self.compare.change(ctx, v, |d| lessons::apply_set(d, &a))
                    } else {
                        ctx.try_edit(|d| lessons::apply_set(d, &a))
                    };
                    if let Err(e) = r {
                        ctx.complain(format!("This step could not change the scenario: {e}"));
                        return;
                    }
                }
                self.mark_done(i);
                if comparison {
                    self.compare.reset_runs();
                }
                self.replan();
            }
            Do::OpenB => {
                if self.compare.active() {
                    self.compare.open.set(true);
                } else {
                    self.compare.start(ctx, None, compare::plain_labels());
                }
                self.mark_done(i);
            }
        }
    }
}

/// Fits the diagram once the panels have their new widths (two frames:
/// the first lays them out).
pub fn refit(ctx: Ctx) {
    request_animation_frame(move || request_animation_frame(move || ctx.fit()));
}

/// Over the canvas, from the first screen: the gallery (and from there the
/// guide), and comparing the scenario with a variant.
#[component]
pub fn StageChips() -> impl IntoView {
    let l = use_lessons();
    view! {
        <div class="stage-chips" role="group" aria-label="Learn and compare">
            <button type="button" class="accent" aria-haspopup="dialog" title="Guided lessons: every case study of the texts, step by step"
                on:click=move |_| l.gallery.set(true)>
                <svg class="btn-icon" viewBox="0 0 24 24" aria-hidden="true"><path d="M4 5.5A2.5 2.5 0 0 1 6.5 3H20v15H6.5A2.5 2.5 0 0 0 4 20.5zM4 20.5A2.5 2.5 0 0 0 6.5 23H20v-5"/></svg>
                "Lessons"
            </button>
            <CompareButton/>
        </div>
    }
}

/// Duplicates the scenario on the canvas as variant B (or shows the
/// comparison there is), beside the run's results.
#[component]
pub fn CompareButton() -> impl IntoView {
    let l = use_lessons();
    let compare = move |_| {
        let c = l.compare;
        if c.active() {
            c.open.set(true)
        } else {
            c.start(l.ctx, None, compare::plain_labels())
        }
        l.gallery.set(false);
    };
    view! {
        <button type="button" class="compare-button" title="Duplicate this scenario as variant B and run the two side by side, same seed"
            on:click=compare>
            "Compare A/B"
        </button>
    }
}

/// The gallery and the guide, when open.
#[component]
pub fn Overlays() -> impl IntoView {
    view! {
        <gallery::Gallery/>
        <guide::Guide/>
    }
}
