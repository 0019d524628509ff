//! Crosstalk: a deterministic simulator of how backend services talk, and the
//! browser playground around it.
//!
//! The `engine` and `editor` modules are plain Rust (no Leptos, web-sys or wall
//! clock); the `app` module is the Leptos UI, compiled only with the `ui` feature.

pub mod editor;
pub use crosstalk_engine::engine;
pub mod runner;

#[cfg(feature = "ui")]
pub mod app;
