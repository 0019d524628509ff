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
