//! The editing habits people bring from Excalidraw and draw.io: Ctrl+C,
//! Ctrl+V and Ctrl+D (copy, paste, duplicate: links between copied nodes
//! come along), Ctrl+= / Ctrl+- / Ctrl+0 (zoom in, out, back to 100%),
//! Alt+Shift+P / I / R (palette, inspector, results), and Shift+F10 or the
//! ContextMenu key (the menu of the focused or selected thing). Undo, redo,
//! delete, select all and nudging live in `keys.rs`.

use super::layout::{Layout, Panel};
use super::menu::{self, Menu};
use super::state::Ctx;
use crate::editor::clipboard::{self, Clip, PASTE_OFFSET};
use crate::editor::geometry::Point;
use crate::editor::viewport::ZOOM_STEP;
use leptos::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::KeyboardEvent;

/// Whether keys go to a text box or a list (they keep their own keys).
fn in_field(ev: &KeyboardEvent) -> bool {
    let Some(el) = ev.target().and_then(|t| t.dyn_into::<web_sys::HtmlElement>().ok()) else {
        return false;
    };
    matches!(el.tag_name().to_ascii_lowercase().as_str(), "input" | "textarea" | "select") || el.is_content_editable()
}

pub fn install(ctx: Ctx, layout: Layout, menu: Menu) {
    // What Ctrl+C took, and how many times it was pasted (each paste lands
    // a step further, so repeated pastes never stack).
    let copied = StoredValue::new(None::<(Clip, u32)>);
    let handle = window_event_listener(leptos::ev::keydown, move |ev: KeyboardEvent| {
        if ev.alt_key() && ev.shift_key() && !ev.ctrl_key() && !ev.meta_key() {
            let panel = match ev.code().as_str() {
                "KeyP" => Panel::Palette,
                "KeyI" => Panel::Inspector,
                "KeyR" => Panel::Results,
                _ => return,
            };
            ev.prevent_default();
            layout.toggle(panel);
            return;
        }
        if in_field(&ev) || ctx.renaming.get_untracked().is_some() {
            return;
        }
        if ev.key() == "ContextMenu" || (ev.shift_key() && ev.key() == "F10") {
            ev.prevent_default();
            menu::open_for_keyboard(ctx, menu);
            return;
        }
        if !(ev.ctrl_key() || ev.meta_key()) || ev.alt_key() {
            return;
        }
        match ev.key().to_ascii_lowercase().as_str() {
            "c" => {
                let clip = ctx.doc.with_untracked(|d| ctx.sel.with_untracked(|s| clipboard::copy(d, s)));
                if let Some(clip) = clip {
                    ev.prevent_default();
                    let n = clip.len();
                    copied.set_value(Some((clip, 0)));
                    ctx.say(format!("Copied {n} block{}", if n == 1 { "" } else { "s" }));
                }
            }
            "v" => {
                let Some((clip, times)) = copied.get_value() else {
                    return;
                };
                ev.prevent_default();
                let step = PASTE_OFFSET * f64::from(times + 1);
                let added = ctx.edit(|d| clipboard::paste(d, &clip, Point::new(step, step)));
                copied.set_value(Some((clip, times + 1)));
                ctx.sel.set(added);
            }
            "d" => {
                ev.prevent_default();
                let sel = ctx.sel.get_untracked();
                menu::duplicate(ctx, &sel);
            }
            "=" | "+" => {
                ev.prevent_default();
                ctx.zoom_by(Some(ZOOM_STEP));
            }
            "-" | "_" => {
                ev.prevent_default();
                ctx.zoom_by(Some(1.0 / ZOOM_STEP));
            }
            "0" => {
                ev.prevent_default();
                ctx.zoom_by(None);
            }
            _ => {}
        }
    });
    // The listener lives as long as the page.
    std::mem::forget(handle);
}
