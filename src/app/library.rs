//! My scenarios: every scenario kept in this browser, listed from the top
//! bar with its name and when it was last edited, to open, rename or
//! delete. Opening anything else (an example, a link, a file, New) adds an
//! entry instead of replacing the one on screen, so nothing is lost
//! without being asked. The list's logic is `editor::library`; storage is
//! `saved.rs`.

use super::saved::{self, display_name};
use super::sig::{flag, text};
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

/// What the rows are doing: at most one is being renamed or asks to
/// confirm a delete (its id in one of the two).
#[derive(Clone, Copy)]
struct RowMode {
    renaming: RwSignal<Option<String>>,
    deleting: RwSignal<Option<String>>,
}

impl RowMode {
    fn new() -> RowMode {
        RowMode { renaming: RwSignal::new(None), deleting: RwSignal::new(None) }
    }

    fn idle(&self) -> bool {
        self.renaming.with_untracked(Option::is_none) && self.deleting.with_untracked(Option::is_none)
    }

    fn clear(&self) {
        self.renaming.set(None);
        self.deleting.set(None);
    }
}

#[component]
pub fn MyScenarios() -> impl IntoView {
    let shown = RwSignal::new(false);
    let mode = RowMode::new();
    // Notified by every change made here and by other tabs' changes.
    let rev = Trigger::new();
    let storage = window_event_listener_untyped("storage", move |_| rev.notify());
    on_cleanup(move || storage.remove());
    let button = NodeRef::<leptos::html::Button>::new();
    let close = move || {
        shown.set(false);
        mode.clear();
        if let Some(b) = button.get_untracked() {
            let _ = b.focus();
        }
    };
    let keys = window_event_listener(leptos::ev::keydown, move |ev: web_sys::KeyboardEvent| {
        if ev.key() == "Escape" && shown.get_untracked() {
            if mode.idle() {
                close();
            } else {
                mode.clear();
            }
        }
    });
    on_cleanup(move || keys.remove());
    let list = move || {
        rev.track();
        saved::list()
    };
    let toggle = move |_| {
        mode.clear();
        shown.update(|s| *s = !*s);
    };
    let rows = move || {
        let now = saved::now_ms();
        let open_id = saved::open_id();
        list()
            .entries
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
                            let n = list().entries.len();
                            format!("{n} of {MAX_ENTRIES} kept in this browser. Links, examples and files you open are added here; nothing is replaced.")
                        })}
                    </p>
                    <ul class="saved-rows">{rows}</ul>
                </div>
            </Show>
        </div>
    }
}

/// One kept scenario: its name and age, Open, Rename and Delete. The row
/// is built once with all its parts; renaming and confirming a delete
/// show some and hide others.
#[component]
fn Row(
    id: String,
    name: String,
    is_open: bool,
    when: String,
    mode: RowMode,
    rev: Trigger,
    on_open: impl Fn() + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let ctx = use_ctx();
    // Hidden unless the row is in state `which` (0 idle, 1 renaming, 2 deleting).
    let shows = |which: u8| {
        let id = id.clone();
        flag(move || {
            let state = if mode.renaming.with(|r| r.as_ref() == Some(&id)) {
                1
            } else if mode.deleting.with(|d| d.as_ref() == Some(&id)) {
                2
            } else {
                0
            };
            state != which
        })
    };
    let open = {
        let (id, name) = (id.clone(), name.clone());
        move |_| {
            if open_saved(ctx, &id, &name) {
                on_open();
            }
            rev.notify();
        }
    };
    let rename_to = {
        let id = id.clone();
        move |text: String| {
            if mode.renaming.with_untracked(Option::is_none) {
                return;
            }
            mode.clear();
            let r = if is_open {
                ctx.try_edit(|d| crate::editor::fields::set(d, &Place::Scenario, "name", &text))
            } else {
                saved::rename(&id, &text)
            };
            if let Err(e) = r {
                ctx.complain(format!("Rename: {e}"));
            }
            rev.notify();
        }
    };
    let delete = {
        let (id, name) = (id.clone(), name.clone());
        move |_| {
            mode.clear();
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
            rev.notify();
        }
    };
    let (rid, did) = (id.clone(), id.clone());
    let start_rename = move |_| {
        mode.clear();
        mode.renaming.set(Some(rid.clone()));
        // The box appears with this change: give it the keyboard.
        request_animation_frame(|| {
            let input = document().query_selector("input.saved-rename:not([hidden])").ok().flatten();
            if let Some(el) = input.and_then(|e| wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlInputElement>(e).ok()) {
                let _ = el.focus();
                el.select();
            }
        });
    };
    let commit = rename_to.clone();
    let when = if is_open { format!("open now · edited {when}") } else { format!("edited {when}") };
    view! {
        <div class="saved-main" hidden=shows(0)>
            <span class="saved-name" title=name.clone()>{name.clone()}</span>
            <span class="saved-when">{when}</span>
        </div>
        <div class="saved-actions" hidden=shows(0)>
            <button type="button" aria-label=format!("Open {name}") disabled=is_open on:click=open>"Open"</button>
            <button type="button" aria-label=format!("Rename {name}") on:click=start_rename>"Rename"</button>
            <button type="button" class="danger subtle" aria-label=format!("Delete {name}") on:click=move |_| {
                mode.clear();
                mode.deleting.set(Some(did.clone()));
            }>"Delete"</button>
        </div>
        <input
            type="text"
            class="saved-rename"
            maxlength="200"
            hidden=shows(1)
            aria-label=format!("New name for {name}")
            prop:value=name.clone()
            on:keydown=move |ev: web_sys::KeyboardEvent| {
                if ev.key() == "Enter" {
                    rename_to(event_target_value(&ev));
                }
            }
            on:change=move |ev| commit(event_target_value(&ev))
        />
        <p class="saved-confirm" hidden=shows(2)>{format!("Delete “{name}”? This cannot be undone.")}</p>
        <div class="saved-actions" hidden=shows(2)>
            <button type="button" class="danger" aria-label=format!("Yes, delete {name}") on:click=delete>"Yes, delete"</button>
            <button type="button" on:click=move |_| mode.clear()>"Cancel"</button>
        </div>
    }
}
