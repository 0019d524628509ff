//! A scenario's diagram drawn small, as SVG (`editor::thumbnail` does the
//! geometry). Decorative: the card or figure around it carries the name.

use crate::editor::thumbnail::{thumbnail, H, W};
use crate::engine::format::Scenario;
use leptos::prelude::*;

#[component]
pub fn Thumb(scenario: Scenario) -> impl IntoView {
    let t = thumbnail(&scenario);
    let links = t
        .links
        .into_iter()
        .map(|l| {
            let dash = if l.dashed { "3 2" } else { "none" };
            view! { <line x1=l.x1 y1=l.y1 x2=l.x2 y2=l.y2 stroke-dasharray=dash></line> }.into_any()
        })
        .collect::<Vec<_>>();
    let nodes = t
        .nodes
        .into_iter()
        .map(|n| {
            let class = format!("k-{}", n.kind.as_str());
            view! { <rect class=class x=n.x y=n.y width=n.w height=n.h rx="2"></rect> }.into_any()
        })
        .collect::<Vec<_>>();
    view! {
        <svg class="thumb" viewBox=format!("0 0 {W} {H}") aria-hidden="true" focusable="false">
            <g class="thumb-links">{links}</g>
            <g class="thumb-nodes">{nodes}</g>
        </svg>
    }
}
