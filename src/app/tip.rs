//! The whole text of a node whose name or settings are cut short on the
//! canvas, shown under it while the pointer is over it or it has the focus.

use super::sig::text;
use super::state::use_ctx;
use crate::editor::describe::{fit_label, node_summary};
use crate::editor::geometry::{node_rect, Point};
use leptos::prelude::*;

/// Characters of a node's name and settings that fit its box (the node view
/// cuts them there).
pub const LABEL_CHARS: usize = 15;
pub const SUMMARY_CHARS: usize = 19;

/// The node the pointer is over or the focus is on.
#[derive(Clone, Copy)]
pub struct TipOn(pub RwSignal<Option<String>>);

pub fn use_tip() -> TipOn {
    use_context::<TipOn>().expect("TipOn is provided by App")
}

#[component]
pub fn Tip() -> impl IntoView {
    let ctx = use_ctx();
    let on = use_tip().0;
    // The node's name and settings, if either is cut, and where it is.
    let shown = Memo::new(move |_| {
        let id = on.get()?;
        ctx.doc.with(|d| {
            let n = d.node(&id)?;
            let (name, summary) = (n.display_name().to_string(), node_summary(n));
            let cut = fit_label(&name, LABEL_CHARS) != name || fit_label(&summary, SUMMARY_CHARS) != summary;
            cut.then(|| (name, summary, node_rect(n)))
        })
    });
    move || {
        let (name, summary, r) = shown.get()?;
        let at = move || ctx.view.with(|v| v.to_screen(Point::new(r.x, r.bottom())));
        Some(view! {
            <div
                class="tip"
                role="tooltip"
                style:left=text(move || format!("{:.0}px", at().x))
                style:top=text(move || format!("{:.0}px", at().y + 6.0))
            >
                <strong>{name}</strong>
                <span>{summary}</span>
            </div>
        })
    }
}
