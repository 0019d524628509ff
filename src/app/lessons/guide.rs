//! The decision guide: the texts' checklists as boxes to tick, a
//! recommendation with its reasons, and the lessons that show them
//! (`editor::guide` does the weighing).

use super::{catalog, part, use_lessons};
use crate::app::sig::{flag, text};
use crate::editor::guide::{advise, Lean, QUESTIONS};
use leptos::prelude::*;

#[component]
pub fn Guide() -> impl IntoView {
    let l = use_lessons();
    let ticked = RwSignal::new(Vec::<&'static str>::new());
    let handle = window_event_listener(leptos::ev::keydown, move |ev: web_sys::KeyboardEvent| {
        if ev.key() == "Escape" && l.guide.get_untracked() {
            l.guide.set(false);
        }
    });
    on_cleanup(move || handle.remove());
    let advice = move || ticked.with(|t| advise(t));
    let column = move |lean: Lean| {
        QUESTIONS
            .iter()
            .filter(|q| q.lean == lean)
            .map(|q| {
                let key = q.key;
                let toggle = move |ev: leptos::ev::Event| {
                    let on = event_target_checked(&ev);
                    ticked.update(|t| {
                        t.retain(|k| *k != key);
                        if on {
                            t.push(key);
                        }
                    });
                };
                view! {
                    <li><label><input type="checkbox" on:change=toggle prop:checked=flag(move || ticked.with(|t| t.contains(&key)))/>{q.text}</label></li>
                }
                .into_any()
            })
            .collect::<Vec<_>>()
    };
    part(Box::new(move || {
        if !l.guide.get() {
            return ().into_any();
        }
        let reasons = move || -> AnyView {
            advice()
                .reasons
                .into_iter()
                .map(|(what, why)| view! { <li><strong>{what}</strong>": "{why}</li> }.into_any())
                .collect::<Vec<_>>()
                .into_any()
        };
        let lessons = move || -> AnyView {
            advice()
                .lessons
                .into_iter()
                .filter_map(|name| {
                    let i = catalog::index_of(name)?;
                    let title = catalog::get(i)?.title;
                    Some(view! { <li><button type="button" class="link-button" on:click=move |_| l.open_lesson(i, None)>{format!("Open lesson: {title}")}</button></li> }.into_any())
                })
                .collect::<Vec<_>>()
                .into_any()
        };
        view! {
            <div class="modal-backdrop" on:click=move |_| l.guide.set(false)></div>
            <div class="modal guide" role="dialog" aria-modal="true" aria-labelledby="guide-title">
                <header class="modal-head">
                    <h2 id="guide-title">"Sync or async? The decision guide"</h2>
                    <p class="muted">"Tick what applies to the interaction you are designing."</p>
                    <button type="button" on:click=move |_| l.guide.set(false)>"Close"</button>
                </header>
                <div class="modal-body guide-body">
                    <fieldset>
                        <legend>"Use synchronous when…"</legend>
                        <ul class="checklist">{column(Lean::Sync)}</ul>
                    </fieldset>
                    <fieldset>
                        <legend>"Use asynchronous when…"</legend>
                        <ul class="checklist">{column(Lean::Async)}</ul>
                    </fieldset>
                    <section class="advice" aria-live="polite" aria-label="Recommendation">
                        <h3>{text(move || advice().headline)}</h3>
                        <ul class="reasons">{part(Box::new(reasons))}</ul>
                        <ul class="advice-lessons">{part(Box::new(lessons))}</ul>
                    </section>
                </div>
            </div>
        }
        .into_any()
    }))
}
