//! The example's "what to watch": one sentence that says where the lesson
//! is, shown under the run's state before and during the run, and folded
//! away with one click when it is in the way. Hidden while a guided lesson
//! is open: its panel says what to watch, step by step.

use super::sig::text;
use super::state::use_ctx;
use crate::editor::examples::lesson_for;
use leptos::prelude::*;

#[component]
pub fn Lesson() -> impl IntoView {
    let ctx = use_ctx();
    let lesson = move || ctx.doc.with(|d| lesson_for(&d.name));
    // Folded in an embedded player: the frame is small.
    let open = RwSignal::new(!super::share::embedded());
    let guided = use_context::<super::lessons::Lessons>().map(|l| l.open);
    move || {
        if guided.is_some_and(|g| g.with(Option::is_some)) {
            return None;
        }
        let l = lesson()?;
        // Folded, the text is hidden by the style sheet from the button's
        // aria-expanded: one signal drives both.
        Some(view! {
            <section class="lesson-box" aria-label="What to watch">
                <button
                    type="button"
                    class="lesson-toggle"
                    aria-expanded=text(move || open.get().to_string())
                    aria-controls="lesson-text"
                    title="Fold or show the hint"
                    on:click=move |_| open.update(|o| *o = !*o)
                >
                    <svg class="btn-icon" viewBox="0 0 24 24" aria-hidden="true"><path d="M9 18h6M10 21h4M12 3a6 6 0 0 0-4 10.5c.7.7 1 1.5 1 2.5h6c0-1 .3-1.8 1-2.5A6 6 0 0 0 12 3z"/></svg>
                    "What to watch"
                    <svg class="chevron" viewBox="0 0 24 24" aria-hidden="true"><path d="M6 9l6 6 6-6"/></svg>
                </button>
                <p id="lesson-text">{l}</p>
            </section>
        })
    }
}
