//! The simulation engine: a deterministic discrete-event simulator of
//! services, queues, topics, WebSockets and sagas (see MODEL.md).
//!
//! Plain Rust: no Leptos, web-sys or wall clock in here, so the same run
//! happens natively and in the browser, bit for bit.

pub mod budget;
pub mod codec;
pub mod compare;
pub mod export;
pub mod fork;
pub mod format;
pub mod fragment;
pub mod headline;
pub mod kernel;
pub mod lesson;
pub mod links;
pub mod lint;
pub mod metrics;
pub mod order;
pub mod replications;
pub mod report;
pub mod sim;
pub mod timeline;
pub mod trace;
pub mod view;

pub use sim::{Sim, SimOptions};

/// The engine's version: same scenario + same seed + same engine version =
/// same run hash. Bumped when a fix changes runs (docs/FORMAT.md, "Engine
/// version", lists what changed).
pub const ENGINE_VERSION: u32 = 2;
