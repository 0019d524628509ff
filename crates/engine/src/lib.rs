//! Crosstalk's simulation engine as a crate of its own (the sources live in
//! `src/engine/`; the root crate re-exports this as `crosstalk::engine`).
//!
//! A separate crate so the browser build can give the engine a different
//! opt-level than the UI (Cargo.toml, `[profile.wasm-release.package.*]`).

#[path = "../../../src/engine/mod.rs"]
pub mod engine;
