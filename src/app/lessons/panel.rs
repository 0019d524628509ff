//! The lesson panel beside the canvas: the story, the steps (each action
//! with its button, each check ticking itself when the run confirms it,
//! with the values it read), and why it happens.

use super::{catalog, part, use_lessons, Lessons};
use crate::app::run::Status;
use crate::app::sig::{flag, text};
use crate::app::state::use_ctx;
use crate::engine::kernel::clock::ms_to_us;
use crate::engine::lesson::{judge, Do, Judgement, Lesson, RunView, Snapshot, Step, Verdict};
use leptos::prelude::*;

/// Judges the checks of the current phase on the run(s) so far, and ticks
/// every step the run has confirmed: checks that hold, timed actions the
/// run went past, runs started or finished.
pub fn tick_steps(l: Lessons) {
    let ctx = l.ctx;
    Effect::new(move |_| {
        let Some(lesson) = l.lesson() else {
            return;
        };
        let runs = l.runs(&lesson);
        let phase = l.phase();
        // What each run says now (tracked: the effect reruns on refresh).
        let states: Vec<(Status, Snapshot)> = runs
            .iter()
            .map(|r| {
                let status = r.status.get();
                let snap = r.snap.with(|s| Snapshot {
                    at_us: ms_to_us(s.now_ms),
                    report: s.report.clone(),
                    live: s.nodes.clone(),
                });
                (status, snap)
            })
            .collect();
        let docs: Vec<crate::engine::format::Scenario> = if lesson.is_comparison() {
            (0..2).filter_map(|v| l.compare.doc(ctx, v)).collect()
        } else {
            vec![ctx.doc.get()]
        };
        if docs.len() != states.len() {
            return;
        }
        let followers: Vec<_> = (0..runs.len()).map(|v| l.follower(&lesson, v)).collect();
        let borrowed: Vec<_> = followers.iter().map(|f| f.borrow()).collect();
        let mut views: [Option<RunView>; 2] = [None, None];
        for (v, ((status, snap), doc)) in states.iter().zip(&docs).enumerate() {
            if *status != Status::Idle {
                views[v] = Some(RunView {
                    scenario: doc,
                    now: snap,
                    marks: borrowed[v].snapshots(),
                    finished: *status == Status::Finished,
                });
            }
        }
        let all_idle = states.iter().all(|(s, _)| *s == Status::Idle);
        let mut judged = Vec::with_capacity(lesson.steps.len());
        for (i, step) in lesson.steps.iter().enumerate() {
            let j = match step {
                Step::Observe(o) if lesson.phase_of(i) == phase && !all_idle => {
                    // A comparison's checks wait for both runs.
                    let ready =
                        if lesson.is_comparison() { views.iter().all(Option::is_some) } else { views[0].is_some() };
                    ready.then(|| judge(&o.check, o.at_ms, &views))
                }
                _ => None,
            };
            judged.push(j);
        }
        drop(borrowed);
        // Steps the run has confirmed.
        let now_us = states.first().map(|(_, s)| s.at_us).unwrap_or(0);
        let first_status = states.first().map(|(s, _)| *s).unwrap_or(Status::Idle);
        let all_finished = states.iter().all(|(s, _)| *s == Status::Finished);
        let mut confirmed = Vec::new();
        for (i, step) in lesson.steps.iter().enumerate() {
            if lesson.phase_of(i) != phase {
                continue;
            }
            let yes = match step {
                Step::Observe(_) => judged[i].as_ref().is_some_and(|j| j.verdict == Verdict::Holds),
                Step::Action(a) => match a.what {
                    Do::Run => first_status != Status::Idle,
                    Do::RunToEnd => all_finished,
                    Do::OpenB => l.compare.open.get(),
                    Do::Set => false,
                    _ => a.at_ms.is_some_and(|ms| first_status != Status::Idle && now_us >= ms_to_us(ms)),
                },
            };
            if yes {
                confirmed.push(i);
            }
        }
        if l.judged.with_untracked(|j| *j != judged) {
            l.judged.set(judged);
        }
        for i in confirmed {
            l.mark_done(i);
        }
    });
    // A new run of the current phase (after a reset or a change): plan its
    // marks again. A change of layout only keeps the run and its marks.
    Effect::new(move |_| {
        let Some(lesson) = l.lesson() else { return };
        let runs = l.runs(&lesson);
        let idle = runs.iter().all(|r| r.status.get() == Status::Idle);
        ctx.doc.track();
        l.compare.other.track();
        if idle {
            l.replan();
        }
    });
    // The run stopped before a timed action: its button takes the focus,
    // so the next key press does it.
    Effect::new(move |_| {
        let Some(lesson) = l.lesson() else { return };
        if let Some(i) = l.waiting_action(&lesson) {
            request_animation_frame(move || {
                if let Some(el) = document().get_element_by_id(&format!("lesson-step-{i}-do")) {
                    use wasm_bindgen::JsCast;
                    if let Ok(b) = el.dyn_into::<web_sys::HtmlElement>() {
                        let _ = b.focus();
                    }
                }
            });
        }
    });
}

#[component]
pub fn LessonPanel() -> impl IntoView {
    let l = use_lessons();
    part(Box::new(move || match l.open.get().and_then(|i| Some((i, catalog::get(i)?))) {
        Some((i, lesson)) => view! { <Panel index=i lesson=lesson/> }.into_any(),
        None => ().into_any(),
    }))
}

#[component]
fn Panel(index: usize, lesson: Lesson) -> impl IntoView {
    let l = use_lessons();
    let ctx = use_ctx();
    let total = catalog::all().len();
    let copied = RwSignal::new(false);
    let share_step = move |_| {
        let link = ctx.doc.with_untracked(crate::app::share::link);
        crate::app::share::copy(&link, move |ok| copied.set(ok));
        ctx.say("Link to this lesson and step copied");
    };
    let steps: Vec<AnyView> = lesson
        .steps
        .iter()
        .enumerate()
        .map(|(i, s)| view! { <StepItem index=i step=s.clone() lesson=lesson.clone()/> }.into_any())
        .collect();
    let done_count = text(move || {
        let (d, n) = l.done.with(|d| (d.iter().filter(|x| **x).count(), d.len()));
        format!("{d} of {n} steps done")
    });
    let all_done = flag(move || l.done.with(|d| !d.is_empty() && d.iter().all(|x| *x)));
    let paragraphs = |ps: &[String]| ps.iter().map(|p| view! { <p>{p.clone()}</p> }.into_any()).collect::<Vec<_>>();
    let story = paragraphs(&lesson.story);
    let why = paragraphs(&lesson.why);
    let source = lesson.source.clone().map(|s| view! { <p class="lesson-source">"From the texts: "{s}</p> }.into_any());
    view! {
        <aside class="lesson-panel" aria-label="Lesson">
            <header class="lesson-head">
                <p class="lesson-kicker">{format!("Lesson {} of {total} · {}", index + 1, lesson.group.title())}</p>
                <h2>{lesson.title.clone()}</h2>
                <div class="lesson-tools">
                    <button type="button" class="subtle" on:click=move |_| l.gallery.set(true)>"Lesson gallery"</button>
                    <button type="button" class="subtle" on:click=share_step title="Copy a link that opens this lesson at this step">
                        {text(move || if copied.get() { "Link copied".into() } else { "Link to this step".into() })}
                    </button>
                    <button type="button" class="subtle" on:click=move |_| l.start_over()>"Start over"</button>
                    <button type="button" class="subtle" aria-label="Close the lesson" title="Close the lesson" on:click=move |_| l.close_lesson()>"Close"</button>
                </div>
            </header>
            <div class="lesson-scroll">
                <section class="lesson-story" aria-label="Story">{story}{source}</section>
                <h3 class="lesson-steps-title">"Steps " <span class="muted">{done_count}</span></h3>
                <ol class="lesson-steps">{steps}</ol>
                <details class="lesson-why" open=all_done>
                    <summary>"Why it happens"</summary>
                    {why}
                </details>
            </div>
        </aside>
    }
}

#[component]
fn StepItem(index: usize, step: Step, lesson: Lesson) -> impl IntoView {
    let l = use_lessons();
    let done = move || l.done.with(|d| d.get(index).copied().unwrap_or(false));
    let current = move || l.current() == index;
    let judged = move || l.judged.with(|j| j.get(index).cloned().flatten());
    let state = move || -> &'static str {
        if done() {
            return "done";
        }
        match judged().map(|j| j.verdict) {
            Some(Verdict::Fails) => "fails",
            Some(Verdict::Broken) => "broken",
            _ if current() => "current",
            _ => "todo",
        }
    };
    let class = text(move || format!("lesson-step {}", state()));
    let mark = text(move || {
        match state() {
            "done" => "✓",
            "fails" => "✗",
            "broken" => "!",
            "current" => "▶",
            _ => "",
        }
        .to_string()
    });
    let status_text = text(move || {
        match state() {
            "done" => "done",
            "fails" => "the run says otherwise",
            "broken" => "this check cannot be judged",
            "current" => "current step",
            _ => "to do",
        }
        .to_string()
    });
    let body = match &step {
        Step::Observe(o) => {
            let check = o.check.source.clone();
            let when = o.at_ms.map(|ms| format!(" (at {} s)", ms / 1000.0)).unwrap_or_default();
            view! {
                <p class="step-text">{o.text.clone()}</p>
                <p class="step-check"><code>{check}{when}</code></p>
                <p class="step-value" aria-live="polite">{text(move || judged().map(|j: Judgement| j.detail).unwrap_or_default())}</p>
            }
            .into_any()
        }
        Step::Action(a) => {
            let a = a.clone();
            let timed = a.what.is_timed();
            let mark_us = a.at_ms.map(ms_to_us);
            let lesson_c = lesson.clone();
            let starts_run = matches!(a.what, Do::Run | Do::RunToEnd);
            let ready = flag(move || {
                if starts_run {
                    // Pressed again mid-run it would start the runs over
                    // (a comparison resets both): it waits for them.
                    return !l.runs(&lesson_c).iter().any(|r| r.status.get().is_active());
                }
                if !timed {
                    return true;
                }
                // A timed action's button works while the run waits before it.
                let run = l.runs(&lesson_c)[0];
                run.status.get() == Status::Paused && l.follower(&lesson_c, 0).borrow().paused_at == mark_us
            });
            let hint = a
                .at_ms
                .map(|ms| view! { <span class="muted step-when">{format!("at {} s", ms / 1000.0)}</span> }.into_any());
            let id = format!("lesson-step-{index}-do");
            view! {
                <p class="step-text">{a.text.clone()}</p>
                <p class="step-do">
                    <button type="button" id=id class=text(move || if current() { "primary".into() } else { String::new() })
                        disabled=flag(move || !ready.get())
                        on:click=move |_| l.act(index)>{a.button.clone()}</button>
                    {hint}
                </p>
            }
            .into_any()
        }
    };
    view! {
        <li class=class aria-current=text(move || if current() { "step".into() } else { "false".into() })>
            <span class="step-mark" aria-hidden="true">{mark}</span>
            <div class="step-body">
                <span class="visually-hidden">{status_text}</span>
                {body}
            </div>
        </li>
    }
}
