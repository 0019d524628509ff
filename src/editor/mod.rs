//! The editor's pure logic: document edits, undo history, selection,
//! viewport and geometry. No Leptos, web-sys or DOM in here, so it is
//! tested natively like the engine.
//!
//! The app keeps four kinds of state apart (Excalidraw's app state vs
//! elements, tldraw's document vs session): the *document* (a
//! [`Scenario`](crate::engine::format::Scenario): undone, saved, shared),
//! the *view* ([`viewport::Viewport`], [`selection::Selection`]), the
//! *gesture* in progress (a drag, a half-drawn link; see [`gesture`]) and
//! the *run* (the engine's `Sim`, derived from the document and never
//! saved). Everything here works on one of the first three.

pub mod animation;
pub mod chart;
pub mod clipboard;
pub mod describe;
pub mod doc;
pub mod drive;
pub mod examples;
pub mod fields;
pub mod figures;
pub mod flight;
pub mod geometry;
pub mod gesture;
pub mod guide;
pub mod history;
pub mod lessons;
pub mod library;
pub mod live;
pub mod log_strip;
pub mod parse;
pub mod presets;
pub mod regions;
pub mod requests;
pub mod scale_rows;
pub mod selection;
pub mod thumbnail;
pub mod timeline;
pub mod viewport;
