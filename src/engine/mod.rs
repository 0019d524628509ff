//! The simulation engine: a deterministic discrete-event simulator of
//! services, queues, topics, WebSockets and sagas (see MODEL.md).
//!
//! Plain Rust: no Leptos, web-sys or wall clock in here, so the same run
//! happens natively and in the browser, bit for bit.

pub mod codec;
pub mod compare;
pub mod export;
pub mod format;
pub mod fragment;
pub mod kernel;
pub mod lesson;
pub mod links;
pub mod lint;
pub mod metrics;
pub mod report;
pub mod sim;
pub mod trace;
pub mod view;

pub use sim::{Sim, SimOptions};
