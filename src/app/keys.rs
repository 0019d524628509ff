//! Keyboard shortcuts: undo and redo everywhere (a field being typed in is
//! committed first, so Ctrl+Z undoes the whole edit, as one step), delete,
//! select all, nudge, and Escape to abandon a gesture.

use super::inspector::delete_selection;
use super::state::Ctx;
use crate::editor::geometry::{Point, GRID};
use crate::editor::selection::Selection;
use leptos::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::KeyboardEvent;

/// Whether keys go to a text box (Delete then edits text, not the diagram).
fn typing_target(ev: &KeyboardEvent) -> Option<web_sys::HtmlElement> {
    let el = ev.target()?.dyn_into::<web_sys::HtmlElement>().ok()?;
    let tag = el.tag_name().to_ascii_lowercase();
    let text_like = matches!(tag.as_str(), "input" | "textarea" | "select") || el.is_content_editable();
    text_like.then_some(el)
}

pub fn install(ctx: Ctx) {
    let handle = window_event_listener(leptos::ev::keydown, move |ev: KeyboardEvent| {
        let key = ev.key();
        let command = ev.ctrl_key() || ev.meta_key();
        let field = typing_target(&ev);
        if key == "Escape" {
            if ctx.cancel_gesture() || ctx.trace.get_untracked().is_some() && field.is_none() {
                ctx.trace.set(None);
            } else if field.is_none() {
                ctx.sel.set(Selection::default());
            }
            return;
        }
        let lower = key.to_ascii_lowercase();
        if command && (lower == "z" || lower == "y") {
            ev.prevent_default();
            if let Some(el) = field {
                // Leaving the field records its pending edit first.
                let _ = el.blur();
            }
            if lower == "y" || ev.shift_key() {
                ctx.redo();
            } else {
                ctx.undo();
            }
            return;
        }
        if field.is_some() || ctx.renaming.get_untracked().is_some() {
            return;
        }
        match key.as_str() {
            "Delete" | "Backspace" => {
                ev.prevent_default();
                delete_selection(ctx);
            }
            "a" | "A" if command => {
                ev.prevent_default();
                let all = ctx.doc.with_untracked(Selection::all);
                ctx.sel.set(all);
            }
            "ArrowLeft" | "ArrowRight" | "ArrowUp" | "ArrowDown" => {
                let ids: Vec<String> = ctx.sel.with_untracked(|s| s.nodes.iter().cloned().collect());
                if ids.is_empty() {
                    return;
                }
                ev.prevent_default();
                let step = if ev.shift_key() { GRID * 5.0 } else { GRID };
                let d = match key.as_str() {
                    "ArrowLeft" => Point::new(-step, 0.0),
                    "ArrowRight" => Point::new(step, 0.0),
                    "ArrowUp" => Point::new(0.0, -step),
                    _ => Point::new(0.0, step),
                };
                ctx.edit(|s| {
                    let start = crate::editor::doc::positions(s, &ids);
                    crate::editor::doc::move_nodes(s, &start, d, false);
                });
            }
            _ => {}
        }
    });
    // The listener lives as long as the page.
    std::mem::forget(handle);
}
