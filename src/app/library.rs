//! My scenarios: every scenario kept in this browser, listed from the top
//! bar with its name and when it was last edited, to open, rename or
//! delete. Opening anything else (an example, a link, a file, New) adds an
//! entry instead of replacing the one on screen, so nothing is lost
//! without being asked. The list's logic is `editor::library`; storage is
//! `saved.rs`.

use super::saved::{self, display_name};
use super::sig::text;
use super::state::{use_ctx, Ctx};
use crate::editor::library::{ago, Index, MAX_ENTRIES};
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

/// Opens the kept scenario `id`; a damaged one is named and left alone
/// (and the page keeps what it shows).
pub fn open_saved(ctx: Ctx, id: &str, name: &str) -> bool {
    if saved::open_id().as_deref() == Some(id) {
        return true;
    }
    match saved::read(id) {
        Ok(doc) => {
            ctx.run.reset();
            ctx.doc.with_untracked(saved::leave);
            saved::show(id, &doc);
            ctx.load(doc);
            ctx.fit();
            ctx.alert.set(None);
            true
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
                                open_new(
                                    ctx,
                                    Scenario { name: "Untitled".into(), ..Scenario::default() },
                                    Some("new".into()),
                                );
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
    // The list is drawn by hand when it opens or changes: a row per kept
    // scenario, names as text nodes, and only the parts of the row's state
    // (as components with every state's parts, the rows cost the download
    // kilobytes more).
    Effect::new(move |_| {
        rev.track();
        let (renaming, deleting) = (mode.renaming.get(), mode.deleting.get());
        if shown.get() {
            draw_rows(&saved::list(), renaming.as_deref(), deleting.as_deref());
        }
    });
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
            // Shown and hidden by the button's aria-expanded (style sheet).
            <div class="menu-backdrop saved-backdrop" on:click=move |_| close()></div>
            <div class="popover saved-list" role="dialog" aria-label="My scenarios">
                <div class="saved-head">
                    <p class="popover-title">"My scenarios"</p>
                    <button type="button" class="subtle" aria-label="Close My scenarios" on:click=move |_| close()>"Close"</button>
                </div>
                <p class="muted saved-note" id="saved-note"></p>
                <ul class="saved-rows" id="saved-rows" on:click=on_click on:keydown=on_key on:change=on_change></ul>
            </div>
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

/// The rename box appears with the next drawing: give it the keyboard.
fn focus_rename_box() {
    request_animation_frame(|| {
        let input = document().query_selector("input.saved-rename").ok().flatten();
        if let Some(el) = input.and_then(|e| wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlInputElement>(e).ok()) {
            let _ = el.focus();
            el.select();
        }
    });
}

/// An element with a class.
fn el(doc: &web_sys::Document, tag: &str, class: &str) -> Option<web_sys::Element> {
    let e = doc.create_element(tag).ok()?;
    if !class.is_empty() {
        e.set_class_name(class);
    }
    Some(e)
}

/// A button that says what it does (`data-act`), named "{text} {name}".
fn button(doc: &web_sys::Document, act: &str, text: &str, name: &str, class: &str) -> Option<web_sys::Element> {
    let b = el(doc, "button", class)?;
    let _ = b.set_attribute("type", "button");
    let _ = b.set_attribute("data-act", act);
    if !name.is_empty() {
        let _ = b.set_attribute("aria-label", &format!("{text} {name}"));
    }
    b.set_text_content(Some(text));
    Some(b)
}

/// Draws the rows of My scenarios: name and age with Open, Rename and
/// Delete; or the rename box; or the question before a delete. Names go
/// in as text, never as markup.
fn draw_rows(ix: &Index, renaming: Option<&str>, deleting: Option<&str>) -> Option<()> {
    let doc = document();
    let ul = doc.get_element_by_id("saved-rows")?;
    ul.set_text_content(None);
    let now = saved::now_ms();
    let open_id = saved::open_id();
    for e in ix.newest_first() {
        let name = display_name(&e.name);
        let is_open = open_id.as_deref() == Some(e.id.as_str());
        let li = el(&doc, "li", if is_open { "saved-row open" } else { "saved-row" })?;
        let _ = li.set_attribute("data-id", &e.id);
        if renaming == Some(e.id.as_str()) {
            let input = el(&doc, "input", "saved-rename")?;
            for (k, v) in [("type", "text"), ("data-act", "renamed"), ("maxlength", "200")] {
                let _ = input.set_attribute(k, v);
            }
            let _ = input.set_attribute("aria-label", &format!("New name for {name}"));
            let _ = input.set_attribute("value", name);
            let _ = li.append_child(&input);
        } else if deleting == Some(e.id.as_str()) {
            let p = el(&doc, "p", "saved-confirm")?;
            p.set_text_content(Some(&format!("Delete “{name}”? This cannot be undone.")));
            let actions = el(&doc, "div", "saved-actions")?;
            let yes = button(&doc, "confirm-delete", "Yes, delete", name, "danger")?;
            let no = button(&doc, "cancel", "Cancel", "", "")?;
            let _ = actions.append_child(&yes);
            let _ = actions.append_child(&no);
            let _ = li.append_child(&p);
            let _ = li.append_child(&actions);
        } else {
            let main = el(&doc, "div", "saved-main")?;
            let title = el(&doc, "span", "saved-name")?;
            title.set_text_content(Some(name));
            let _ = title.set_attribute("title", name);
            let when = el(&doc, "span", "saved-when")?;
            let age = ago(e.edited_ms, now);
            when.set_text_content(Some(&if is_open {
                format!("open now · edited {age}")
            } else {
                format!("edited {age}")
            }));
            let _ = main.append_child(&title);
            let _ = main.append_child(&when);
            let actions = el(&doc, "div", "saved-actions")?;
            let open = button(&doc, "open", "Open", name, "")?;
            if is_open {
                let _ = open.set_attribute("disabled", "");
            }
            let rename = button(&doc, "rename", "Rename", name, "")?;
            let delete = button(&doc, "delete", "Delete", name, "danger subtle")?;
            let _ = actions.append_child(&open);
            let _ = actions.append_child(&rename);
            let _ = actions.append_child(&delete);
            let _ = li.append_child(&main);
            let _ = li.append_child(&actions);
        }
        let _ = ul.append_child(&li);
    }
    let n = ix.entries.len();
    doc.get_element_by_id("saved-note")?.set_text_content(Some(&format!(
        "{n} of {MAX_ENTRIES} kept in this browser. Links, examples and files you open are added here; nothing is replaced."
    )));
    Some(())
}
