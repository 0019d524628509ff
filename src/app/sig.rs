//! Type-erased reactive values for attributes and text.
//!
//! Every `move ||` closure handed straight to `view!` makes Leptos generate
//! its own copy of the rendering glue for that closure's type. Wrapped in a
//! `Signal` (one boxed closure each), all dynamic attributes and texts of a
//! type share one copy of the glue. This is most of what keeps the wasm
//! within its size budget.

use leptos::prelude::*;

/// A reactive string: a text node, a class, an attribute, a property.
pub fn text(f: impl Fn() -> String + Send + Sync + 'static) -> Signal<String> {
    Signal::derive(f)
}

/// A reactive flag: `disabled`, `checked`.
pub fn flag(f: impl Fn() -> bool + Send + Sync + 'static) -> Signal<bool> {
    Signal::derive(f)
}

/// A reactive number (a progress bar's value).
pub fn number(f: impl Fn() -> f64 + Send + Sync + 'static) -> Signal<f64> {
    Signal::derive(f)
}

/// A class for every element of a view built once per node (`view! {
/// class=PER_NODE, ... }`). Naming a class for a view turns off Leptos'
/// "inert element" templates in it, which tachys 0.2.19 makes slow: each
/// lookup in its template cache clones every cached template (an eager
/// `then_some`), so with a few dozen templates cached, every inert element
/// costs dozens of `cloneNode`s. Opening a 400-node diagram spent 0.4 s there.
pub const PER_NODE: &str = "per-node";

/// An SVG `<title>` (the accessible name of its parent, and its tooltip).
/// Written as `<title>` in `view!` next to other children, leptos_macro
/// 0.8 forgets that the parent is SVG and makes an HTML `title`, which names
/// nothing and never shows.
pub fn svg_title(t: impl Into<Signal<String>>) -> impl IntoView {
    leptos::svg::title().child(t.into())
}
