//! The engine's speed in the browser, for `tests/e2e/bench.mjs`: the same
//! M/M/1 model as `crosstalk bench`, timed with the page's clock (here in
//! the app; the engine never reads a clock).

use crate::engine::format::{Dist, LinkSpec, NodeKind, NodeSpec, Scenario, Via};
use crate::engine::{Sim, SimOptions};
use wasm_bindgen::prelude::*;

/// `crosstalk bench`'s M/M/1 (see `runner::bench::mm1`), built directly.
fn mm1(customers: u32) -> Scenario {
    use crate::runner::bench::{MM1_RATE_PER_S, MM1_SERVICE_MS};
    let mut link = LinkSpec::new("call", "users", "server", Via::Http);
    link.latency_ms = Some(Dist::Const(0.0));
    Scenario {
        name: "M/M/1 benchmark".into(),
        seed: 1,
        duration_ms: customers as f64 / MM1_RATE_PER_S * 1000.0,
        nodes: vec![
            NodeSpec { rate_per_s: Some(MM1_RATE_PER_S), ..NodeSpec::new("users", NodeKind::Client) },
            NodeSpec {
                workers: Some(1),
                work_ms: Some(Dist::Exp(MM1_SERVICE_MS)),
                ..NodeSpec::new("server", NodeKind::Service)
            },
        ],
        links: vec![link],
        ..Scenario::default()
    }
}

/// Runs the M/M/1 benchmark for about `customers` arrivals and returns
/// `{"events", "wall_ms", "events_per_s", "run_hash"}` as JSON.
#[wasm_bindgen]
pub fn engine_bench(customers: u32) -> String {
    let scenario = mm1(customers.max(1));
    let Ok(mut sim) = Sim::new(&scenario, SimOptions::default()) else {
        return "{}".into();
    };
    let clock = web_sys::window().and_then(|w| w.performance());
    let now = || clock.as_ref().map(|p| p.now()).unwrap_or(0.0);
    let start = now();
    sim.run_to_end();
    let wall_ms = (now() - start).max(0.001);
    let events = sim.events();
    format!(
        r#"{{"events":{events},"wall_ms":{wall_ms},"events_per_s":{},"run_hash":"{}"}}"#,
        events as f64 / wall_ms * 1000.0,
        sim.run_hash_hex()
    )
}
