//! The gallery of every lesson, grouped as the texts group their topics,
//! each card with its diagram and the learner's progress. A modal dialog:
//! Escape or Close leaves it, Tab moves between cards.

use super::thumb::Thumb;
use super::{catalog, part, progress, use_lessons};
use crate::editor::lessons::grouped;
use leptos::prelude::*;

#[component]
pub fn Gallery() -> impl IntoView {
    let l = use_lessons();
    let handle = window_event_listener(leptos::ev::keydown, move |ev: web_sys::KeyboardEvent| {
        if ev.key() == "Escape" && l.gallery.get_untracked() {
            l.gallery.set(false);
        }
    });
    on_cleanup(move || handle.remove());
    let close_ref = NodeRef::<leptos::html::Button>::new();
    Effect::new(move |_| {
        if l.gallery.get() {
            request_animation_frame(move || {
                if let Some(b) = close_ref.get_untracked() {
                    let _ = b.focus();
                }
            });
        }
    });
    part(Box::new(move || {
        if !l.gallery.get() {
            return ().into_any();
        }
        let all = catalog::all();
        let mut number = 0;
        let groups = grouped(&all)
            .into_iter()
            .map(|(group, items)| {
                let cards = items
                    .into_iter()
                    .map(|lesson| {
                        number += 1;
                        let n = number;
                        let i = catalog::index_of(&lesson.name).unwrap_or(0);
                        let (done, steps) = progress::summary(&lesson.name, lesson.steps.len());
                        let status = match done {
                            0 => format!("{steps} steps"),
                            d if d == steps => "done".to_string(),
                            d => format!("{d} of {steps} steps done"),
                        };
                        let kind = if lesson.is_comparison() { "A/B" } else { "" };
                        view! {
                            <li>
                                <button type="button" class="lesson-card" data-lesson=lesson.name.clone() on:click=move |_| l.open_lesson(i, None)>
                                    <Thumb scenario=lesson.scenario.clone()/>
                                    <span class="card-title">{format!("{n}. {}", lesson.title)}</span>
                                    <span class="card-sub">{lesson.summary.clone()}</span>
                                    <span class="card-meta">
                                        <span>{status}</span>
                                        {(!kind.is_empty()).then(|| view! { <span class="badge">{kind}</span> }.into_any())}
                                    </span>
                                </button>
                            </li>
                        }
                        .into_any()
                    })
                    .collect::<Vec<_>>();
                let id = format!("lessons-{}", group.key());
                let labelled = id.clone();
                view! {
                    <section class="gallery-group" aria-labelledby=labelled>
                        <h3 id=id>{group.title()}</h3>
                        <ul class="gallery-cards">{cards}</ul>
                    </section>
                }
                .into_any()
            })
            .collect::<Vec<_>>();
        view! {
            <div class="modal-backdrop" on:click=move |_| l.gallery.set(false)></div>
            <div class="modal gallery" role="dialog" aria-modal="true" aria-labelledby="gallery-title">
                <header class="modal-head">
                    <h2 id="gallery-title">"Lessons"</h2>
                    <p class="muted">"Every case study of the texts, as a run you take step by step. Each step checks itself."</p>
                    <button type="button" class="subtle" on:click=move |_| { l.gallery.set(false); l.guide.set(true); }>"Sync or async? Decide"</button>
                    <super::CompareButton/>
                    <button type="button" node_ref=close_ref on:click=move |_| l.gallery.set(false)>"Close"</button>
                </header>
                <div class="modal-body">{groups}</div>
            </div>
        }
        .into_any()
    }))
}
