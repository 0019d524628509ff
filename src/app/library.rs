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
    let ctx = use_ctx();
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
    // One handler for every row's buttons (each says what it does in
    // `data-act`, its row which scenario in `data-id`): a handler per
    // button would cost the download kilobytes.
    let act = move |action: &str, id: String, value: Option<String>| {
        let name = saved::list().get(&id).map(|e| display_name(&e.name).to_string()).unwrap_or_default();
        let is_open = saved::open_id().as_deref() == Some(id.as_str());
        match action {
            "open" => {
                if open_saved(ctx, &id, &name) {
                    close();
                }
            }
            "rename" => {
                mode.clear();
                mode.renaming.set(Some(id));
                focus_rename_box();
            }
            "renamed" => {
                if mode.renaming.with_untracked(Option::is_none) {
                    return;
                }
                mode.clear();
                let text = value.unwrap_or_default();
                let r = if is_open {
                    ctx.try_edit(|d| crate::editor::fields::set(d, &Place::Scenario, "name", &text))
                } else {
                    saved::rename(&id, &text)
                };
                if let Err(e) = r {
                    ctx.complain(format!("Rename: {e}"));
                }
            }
            "delete" => {
                mode.clear();
                mode.deleting.set(Some(id));
            }
            "confirm-delete" => {
                mode.clear();
                match saved::delete(&id) {
                    Ok(()) => {
                        ctx.say(format!("Deleted “{name}”"));
                        if is_open {
                            // The page shows something: the next most recent, or a blank one.
                            let next = saved::list().most_recent().map(|e| (e.id.clone(), e.name.clone()));
                            if !next.is_some_and(|(id, name)| open_saved(ctx, &id, &name)) {
                                open_new(ctx, Scenario { name: "Untitled".into(), ..Scenario::default() }, None);
                            }
                        }
                    }
                    Err(e) => ctx.complain(e),
                }
            }
            _ => mode.clear(),
        }
        rev.notify();
    };
    let on_click = move |ev: leptos::ev::MouseEvent| {
        if let Some((action, id, _)) = target_action(&ev, "button[data-act]") {
            act(&action, id, None);
        }
    };
    let on_key = move |ev: web_sys::KeyboardEvent| {
        if ev.key() == "Enter" {
            if let Some((_, id, value)) = target_action(&ev, "input[data-act]") {
                act("renamed", id, value);
            }
        }
    };
    let on_change = move |ev: leptos::ev::Event| {
        if let Some((_, id, value)) = target_action(&ev, "input[data-act]") {
            act("renamed", id, value);
        }
    };
    let rows = move || {
        let now = saved::now_ms();
        let open_id = saved::open_id();
        list().entries.into_iter().map(|e| row(e, open_id.as_deref(), now, mode)).collect_view()
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
                    <ul class="saved-rows" on:click=on_click on:keydown=on_key on:change=on_change>{rows}</ul>
                </div>
            </Show>
        </div>
    }
}

/// The action, row id and (for the rename box) value of the control an
/// event came from.
fn target_action(ev: &web_sys::Event, selector: &str) -> Option<(String, String, Option<String>)> {
    use wasm_bindgen::JsCast;
    let target = ev.target()?.dyn_into::<web_sys::Element>().ok()?;
    let control = target.closest(selector).ok()??;
    let row = control.closest("li[data-id]").ok()??;
    let value = control.dyn_ref::<web_sys::HtmlInputElement>().map(|i| i.value());
    Some((control.get_attribute("data-act")?, row.get_attribute("data-id")?, value))
}

/// The rename box appears with the next render: give it the keyboard.
fn focus_rename_box() {
    request_animation_frame(|| {
        let input = document().query_selector("input.saved-rename:not([hidden])").ok().flatten();
        if let Some(el) = input.and_then(|e| wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlInputElement>(e).ok()) {
            let _ = el.focus();
            el.select();
        }
    });
}

/// One kept scenario: its name and age, Open, Rename and Delete. The row
/// is built once with all its parts; renaming and confirming a delete
/// show some and hide others.
fn row(e: crate::editor::library::Entry, open_id: Option<&str>, now: f64, mode: RowMode) -> impl IntoView {
    let name = display_name(&e.name).to_string();
    let is_open = open_id == Some(e.id.as_str());
    let when = ago(e.edited_ms, now);
    let when = if is_open { format!("open now · edited {when}") } else { format!("edited {when}") };
    // Hidden unless the row is in state `which` (0 idle, 1 renaming, 2 deleting).
    let shows = |which: u8| {
        let id = e.id.clone();
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
    view! {
        <li class=if is_open { "saved-row open" } else { "saved-row" } data-id=e.id.clone()>
            <div class="saved-main" hidden=shows(0)>
                <span class="saved-name" title=name.clone()>{name.clone()}</span>
                <span class="saved-when">{when}</span>
            </div>
            <div class="saved-actions" hidden=shows(0)>
                <button type="button" data-act="open" aria-label=format!("Open {name}") disabled=is_open>"Open"</button>
                <button type="button" data-act="rename" aria-label=format!("Rename {name}")>"Rename"</button>
                <button type="button" data-act="delete" class="danger subtle" aria-label=format!("Delete {name}")>"Delete"</button>
            </div>
            <input
                type="text"
                class="saved-rename"
                data-act="renamed"
                maxlength="200"
                hidden=shows(1)
                aria-label=format!("New name for {name}")
                prop:value=name.clone()
            />
            <p class="saved-confirm" hidden=shows(2)>{format!("Delete “{name}”? This cannot be undone.")}</p>
            <div class="saved-actions" hidden=shows(2)>
                <button type="button" data-act="confirm-delete" class="danger" aria-label=format!("Yes, delete {name}")>"Yes, delete"</button>
                <button type="button" data-act="cancel">"Cancel"</button>
            </div>
        </li>
    }
}
