//! The palette: one button per node kind. Drag one onto the canvas (pointer
//! events with capture, so mouse, pen, touch and Playwright's `dragTo` all
//! work), click it, or focus it and press Enter to add it in the middle.

use super::icons::{blurb, preset_glyph, KindIcon};
use super::state::{use_ctx, PaletteDrag};
use crate::editor::gesture::CLICK_SLOP_PX;
use crate::editor::presets::Preset;
use crate::engine::format::NodeKind;
use leptos::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::PointerEvent;

#[component]
pub fn Palette() -> impl IntoView {
    view! {
        <nav class="palette" aria-label="Palette">
            <h2 class="panel-title">"Building blocks"</h2>
            <ul class="palette-list">
                {NodeKind::ALL
                    .into_iter()
                    .map(|kind| view! { <PaletteItem kind=kind/> })
                    .collect_view()}
                {Preset::ALL
                    .into_iter()
                    .map(|p| view! { <PaletteItem kind=p.kind() preset=p/> })
                    .collect_view()}
            </ul>
            <p class="hint">"Drag a block onto the canvas, or click it to place it in free space. Connect blocks by dragging from a dot on a block's edge."</p>
        </nav>
    }
}

#[component]
fn PaletteItem(kind: NodeKind, #[prop(optional)] preset: Option<Preset>) -> impl IntoView {
    let ctx = use_ctx();
    let layout = super::layout::use_layout();
    // A click places the block in free space; on a phone the sheet then
    // closes, so the new block shows.
    let add = move || {
        ctx.add_item_at_centre(kind, preset);
        if layout.phone.get_untracked() {
            layout.palette.set(false);
        }
    };
    // Where the press began (client pixels) and whether it became a drag.
    let press = StoredValue::new(None::<(f64, f64, bool)>);

    let where_over = move |ev: &PointerEvent| {
        let (p, inside) = ctx.canvas_point(f64::from(ev.client_x()), f64::from(ev.client_y()));
        inside.then(|| ctx.view.get_untracked().to_world(p))
    };
    let on_down = move |ev: PointerEvent| {
        if ev.button() != 0 {
            return;
        }
        if let Some(el) = ev.current_target().and_then(|t| t.dyn_into::<web_sys::Element>().ok()) {
            let _ = el.set_pointer_capture(ev.pointer_id());
        }
        press.set_value(Some((f64::from(ev.client_x()), f64::from(ev.client_y()), false)));
    };
    let on_move = move |ev: PointerEvent| {
        let Some((x, y, dragged)) = press.get_value() else {
            return;
        };
        let far = (f64::from(ev.client_x()) - x).hypot(f64::from(ev.client_y()) - y) > CLICK_SLOP_PX;
        if dragged || far {
            press.set_value(Some((x, y, true)));
            ctx.palette_drag.set(Some(PaletteDrag { kind, at: where_over(&ev) }));
        }
    };
    let on_up = move |ev: PointerEvent| {
        let Some((_, _, dragged)) = press.get_value() else {
            return;
        };
        press.set_value(None);
        ctx.palette_drag.set(None);
        if !dragged {
            add();
        } else if let Some(at) = where_over(&ev) {
            ctx.add_item(kind, preset, at);
        }
    };
    let on_cancel = move |_: PointerEvent| {
        press.set_value(None);
        ctx.palette_drag.set(None);
    };
    // Pointer presses are handled above; a click without a pointer is the
    // keyboard (Enter or Space on the focused button).
    let on_click = move |ev: web_sys::MouseEvent| {
        if ev.detail() == 0 {
            add();
        }
    };
    view! {
        <li>
            <button
                type="button"
                class="palette-item"
                data-palette-kind=preset.map_or(kind.as_str(), Preset::key)
                title=preset.map_or(blurb(kind), Preset::blurb)
                on:pointerdown=on_down
                on:pointermove=on_move
                on:pointerup=on_up
                on:pointercancel=on_cancel
                on:click=on_click
            >
                {match preset {
                    None => view! { <KindIcon kind=kind/> }.into_any(),
                    Some(p) => view! {
                        <svg class=format!("icon kind-{}", kind.as_str()) viewBox="0 0 24 24" aria-hidden="true">{preset_glyph(p)}</svg>
                    }
                    .into_any(),
                }}
                <span>{preset.map_or(kind.title(), Preset::palette_name)}</span>
            </button>
        </li>
    }
}
