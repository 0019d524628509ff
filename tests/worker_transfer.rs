//! A run to the end done in a Web Worker comes back to the page as JSON
//! (`src/app/pool.rs`): every example's report, live state, series (in the
//! worker's compact form, `editor::drive::Series`), requests list and
//! traces must read back as they were written.

use crosstalk::editor::drive::Series;
use crosstalk::editor::examples::EXAMPLES;
use crosstalk::editor::requests::{RequestLog, RequestRow};
use crosstalk::engine::report::{Bucket, Report};
use crosstalk::engine::trace::Trace;
use crosstalk::engine::view::{LinkLive, NodeLive};
use crosstalk::engine::{Sim, SimOptions};

fn round_trip<T: serde::Serialize + serde::de::DeserializeOwned + PartialEq + std::fmt::Debug>(what: &str, v: &T) {
    let text = serde_json::to_string(v).unwrap();
    // The page reads answers as the app does: through a JSON value.
    let back: T = crosstalk::engine::format::json::read(&text).unwrap_or_else(|e| panic!("{what}: {e}"));
    // serde_json reads a float back within an ulp of what it printed (its
    // exact mode costs the download): every number within 1e-12, the rest
    // exactly.
    let (a, b) = (serde_json::to_value(v).unwrap(), serde_json::to_value(&back).unwrap());
    assert!(same(&a, &b), "{what} changed on the way:\n{a}\n{b}");
}

fn same(a: &serde_json::Value, b: &serde_json::Value) -> bool {
    use serde_json::Value::*;
    match (a, b) {
        (Number(x), Number(y)) => match (x.as_f64(), y.as_f64()) {
            (Some(x), Some(y)) => x == y || (x - y).abs() <= 1e-12 * x.abs().max(y.abs()),
            _ => x == y,
        },
        (Array(x), Array(y)) => x.len() == y.len() && x.iter().zip(y).all(|(x, y)| same(x, y)),
        (Object(x), Object(y)) => x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| same(v, w))),
        _ => a == b,
    }
}

#[test]
fn every_example_s_finished_run_reads_back() {
    for ex in EXAMPLES {
        let s = ex.scenario();
        let mut sim = Sim::new(&s, SimOptions { track_tokens: false, ..SimOptions::interactive() }).unwrap();
        sim.run_to_end();
        round_trip::<Report>(ex.title, &sim.report());
        round_trip::<Vec<NodeLive>>(ex.title, &sim.node_live());
        round_trip::<Vec<LinkLive>>(ex.title, &sim.link_live());
        let series: Vec<Vec<Bucket>> = (0..s.nodes.len()).map(|i| sim.series(i).to_vec()).collect();
        round_trip(ex.title, &series);
        let wire = Series::of(&sim);
        assert_eq!(wire.0, series, "{}", ex.title);
        assert!(series.iter().any(|b| !b.is_empty()), "{}: a series to send", ex.title);
        let back: Series = crosstalk::engine::format::json::read(&serde_json::to_string(&wire).unwrap()).unwrap();
        // Counts exactly, the rest within an ulp (see `round_trip`).
        round_trip(ex.title, &back.0);
        for (a, b) in series.iter().flatten().zip(back.0.iter().flatten()) {
            assert_eq!((a.t_s, a.throughput, a.errors), (b.t_s, b.throughput, b.errors), "{}", ex.title);
        }
        assert_eq!(back.0.iter().map(Vec::len).collect::<Vec<_>>(), series.iter().map(Vec::len).collect::<Vec<_>>());
        let rows: Vec<RequestRow> = RequestLog::default().refresh(&sim);
        assert!(!rows.is_empty(), "{}: requests listed", ex.title);
        round_trip(ex.title, &rows);
        let traces: Vec<Trace> = sim.recent_traces().into_iter().filter_map(|id| sim.trace(id)).collect();
        assert!(!traces.is_empty(), "{}: traces kept", ex.title);
        round_trip(ex.title, &traces);
    }
}
