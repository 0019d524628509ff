//! Policies that wrap a link: retry with backoff and the circuit breaker.
//! Pure state machines, driven by the simulator with explicit times.

pub mod breaker;
pub mod retry;
