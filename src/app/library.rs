//! My scenarios: every scenario kept in this browser, listed from the top
//! bar with its name and when it was last edited, to open, rename or
//! delete. Opening anything else (an example, a link, a file, New) adds an
//! entry instead of replacing the one on screen, so nothing is lost
//! without being asked. The list's logic is `editor::library`; storage is
//! `saved.rs`.

use super::saved::{self, display_name};
use super::sig::text;
use super::state::{use_ctx, Ctx};
use crate::editor::library::{ago, MAX_ENTRIES};
use crate::engine::format::validate::Place;
use crate::engine::format::Scenario;
use leptos::prelude::*;

/// Shows `doc` as a new entry of My scenarios (or the unedited entry
/// already opened from the same `origin`), with its own undo history.
pub fn open_new(ctx: Ctx, doc: Scenario, origin: Option<String>) {
    ctx.run.reset();
    ctx.doc.with_untracked(saved::leave);
    let failed = saved::start(&doc, origin).err();
    ctx.load(doc);
    ctx.fit();
    ctx.alert.set(failed);
}

/// Opens the kept scenario `id`; a damaged one is named and left alone.
pub fn open_saved(ctx: Ctx, id: &str, name: &str) -> bool {
    if saved::open_id().as_deref() == Some(id) {
        return true;
    }
    match saved::read(id) {
        Ok(_) => {
            ctx.run.reset();
            ctx.doc.with_untracked(saved::leave);
            match saved::resume(id) {
                Ok(doc) => {
                    ctx.load(doc);
                    ctx.fit();
                    ctx.alert.set(None);
                    true
                }
                Err(e) => {
                    ctx.alert.set(Some(format!("“{}” could not be opened: {e}.", display_name(name))));
                    false
                }
            }
        }
        Err(e) => {
            ctx.alert.set(Some(format!(
                "“{}” could not be opened: {e}. It is left as it was in My scenarios.",
                display_name(name)
            )));
            false
        }
    }
}

/// What a row is doing: nothing, being renamed, or asking to confirm a delete.
#[derive(Clone, Debug, PartialEq)]
enum RowMode {
    Idle,
    Renaming(String),
    Deleting(String),
}

#[component]
pub fn MyScenarios() -> impl IntoView {
    let shown = RwSignal::new(false);
    let mode = RwSignal::new(RowMode::Idle);
    // Bumped by every change made here and by other tabs' changes.
    let rev = RwSignal::new(0_u32);
    let storage = window_event_listener_untyped("storage", move |_| rev.update(|r| *r += 1));
    on_cleanup(move || storage.remove());
    let button = NodeRef::<leptos::html::Button>::new();
    let close = move || {
        shown.set(false);
        mode.set(RowMode::Idle);
        if let Some(b) = button.get_untracked() {
            let _ = b.focus();
        }
    };
    let keys = window_event_listener(leptos::ev::keydown, move |ev: web_sys::KeyboardEvent| {
        if ev.key() == "Escape" && shown.get_untracked() {
            if mode.get_untracked() == RowMode::Idle {
                close();
            } else {
                mode.set(RowMode::Idle);
            }
        }
    });
    on_cleanup(move || keys.remove());
    let list = Memo::new(move |_| {
        rev.track();
        if !shown.get() {
            return Vec::new();
        }
        let ix = saved::list();
        ix.newest_first().into_iter().cloned().collect::<Vec<_>>()
    });
    let toggle = move |_| {
        rev.update(|r| *r += 1);
        mode.set(RowMode::Idle);
        shown.update(|s| *s = !*s);
    };
    let rows = move || {
        let now = saved::now_ms();
        let open_id = saved::open_id();
        list.get()
            .into_iter()
            .map(|e| {
                let name = display_name(&e.name).to_string();
                let is_open = open_id.as_deref() == Some(e.id.as_str());
                let when = ago(e.edited_ms, now);
                let id = e.id.clone();
                view! {
                    <li class=if is_open { "saved-row open" } else { "saved-row" }>
                        <Row id=id name=name is_open=is_open when=when mode=mode rev=rev on_open=close/>
                    </li>
                }
            })
            .collect_view()
    };
    view! {
        <div class="menu-wrap">
            // Named in words on wide screens; an icon (with its name for
            // assistive tech and a tooltip) where the top bar is tight.
            <button
                type="button"
                class="saved-button"
                node_ref=button
                aria-label="My scenarios"
                aria-haspopup="dialog"
                aria-expanded=text(move || shown.get().to_string())
                title="My scenarios: every scenario you worked on, kept in this browser"
                on:click=toggle
            >
                <svg class="btn-icon" viewBox="0 0 24 24" aria-hidden="true"><path d="M4 6a2 2 0 0 1 2-2h4l2 2h6a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H6a2 2 0 0 1-2-2z"/></svg>
                <span class="saved-label" aria-hidden="true">"My scenarios"</span>
            </button>
            <Show when=move || shown.get()>
                <div class="menu-backdrop" on:click=move |_| close()></div>
                <div class="popover saved-list" role="dialog" aria-label="My scenarios">
                    <div class="saved-head">
                        <p class="popover-title">"My scenarios"</p>
                        <button type="button" class="subtle" aria-label="Close My scenarios" on:click=move |_| close()>"Close"</button>
                    </div>
                    <p class="muted saved-note">
                        {text(move || {
                            let n = list.with(Vec::len);
                            format!("{n} of {MAX_ENTRIES} kept in this browser. Links, examples and files you open are added here; nothing is replaced.")
                        })}
                    </p>
                    <ul class="saved-rows">{rows}</ul>
                </div>
            </Show>
        </div>
    }
}

/// One kept scenario: its name and age, Open, Rename and Delete.
#[component]
fn Row(
    id: String,
    name: String,
    is_open: bool,
    when: String,
    mode: RwSignal<RowMode>,
    rev: RwSignal<u32>,
    on_open: impl Fn() + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let ctx = use_ctx();
    let renaming = {
        let id = id.clone();
        move || mode.with(|m| matches!(m, RowMode::Renaming(x) if *x == id))
    };
    let deleting = {
        let id = id.clone();
        move || mode.with(|m| matches!(m, RowMode::Deleting(x) if *x == id))
    };
    let open = {
        let (id, name) = (id.clone(), name.clone());
        move |_| {
            if open_saved(ctx, &id, &name) {
                on_open();
            }
            rev.update(|r| *r += 1);
        }
    };
    let rename_to = {
        let id = id.clone();
        move |text: String| {
            mode.set(RowMode::Idle);
            let r = if is_open {
                ctx.try_edit(|d| crate::editor::fields::set(d, &Place::Scenario, "name", &text))
            } else {
                saved::rename(&id, &text)
            };
            if let Err(e) = r {
                ctx.complain(format!("Rename: {e}"));
            }
            rev.update(|r| *r += 1);
        }
    };
    let delete = {
        let (id, name) = (id.clone(), name.clone());
        move |_| {
            mode.set(RowMode::Idle);
            match saved::delete(&id) {
                Ok(()) => {
                    ctx.say(format!("Deleted “{name}”"));
                    if is_open {
                        // The page shows something: the next most recent, or a blank one.
                        let next = saved::list().most_recent().map(|e| (e.id.clone(), e.name.clone()));
                        let opened = next.is_some_and(|(id, name)| open_saved(ctx, &id, &name));
                        if !opened {
                            open_new(ctx, Scenario { name: "Untitled".into(), ..Scenario::default() }, None);
                        }
                    }
                }
                Err(e) => ctx.complain(e),
            }
            rev.update(|r| *r += 1);
        }
    };
    let body = {
        let (id, name, when) = (id.clone(), name.clone(), when.clone());
        move || {
            if renaming() {
                let rename_to = rename_to.clone();
                let commit = rename_to.clone();
                return view! {
                    <input
                        type="text"
                        class="saved-rename"
                        maxlength="200"
                        aria-label=format!("New name for {name}")
                        prop:value=name.clone()
                        autofocus
                        on:keydown=move |ev: web_sys::KeyboardEvent| {
                            if ev.key() == "Enter" {
                                rename_to(event_target_value(&ev));
                            }
                        }
                        on:change=move |ev| commit(event_target_value(&ev))
                    />
                }
                .into_any();
            }
            if deleting() {
                return view! {
                    <p class="saved-confirm">{format!("Delete “{name}”? This cannot be undone.")}</p>
                    <div class="saved-actions">
                        <button type="button" class="danger" aria-label=format!("Yes, delete {name}") on:click=delete.clone()>"Yes, delete"</button>
                        <button type="button" on:click=move |_| mode.set(RowMode::Idle)>"Cancel"</button>
                    </div>
                }
                .into_any();
            }
            let (rid, did) = (id.clone(), id.clone());
            view! {
                <div class="saved-main">
                    <span class="saved-name">{name.clone()}</span>
                    <span class="saved-when">
                        {if is_open { format!("open now · edited {when}") } else { format!("edited {when}") }}
                    </span>
                </div>
                <div class="saved-actions">
                    <button type="button" aria-label=format!("Open {name}") disabled=is_open on:click=open.clone()>"Open"</button>
                    <button type="button" aria-label=format!("Rename {name}") on:click=move |_| mode.set(RowMode::Renaming(rid.clone()))>"Rename"</button>
                    <button type="button" class="danger subtle" aria-label=format!("Delete {name}") on:click=move |_| mode.set(RowMode::Deleting(did.clone()))>"Delete"</button>
                </div>
            }
            .into_any()
        }
    };
    body
}
