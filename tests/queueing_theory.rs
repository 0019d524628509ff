//! The engine against queueing theory: long runs must match the closed
//! forms for M/M/1, M/M/c (Erlang C) and M/D/1 mean waits within 3% (and
//! M/M/1's sojourn-time percentiles), and Little's law must hold at every node.

mod common;
use common::{rel, run_json};

/// A client at `rate` per second calling a service with `workers` and the
/// given work distribution, over a zero-latency link.
fn single_station(rate: f64, workers: u32, work: &str, customers: f64, seed: u64) -> String {
    let duration_ms = customers / rate * 1000.0;
    format!(
        r#"{{"crosstalk":1,"seed":{seed},"duration_ms":{duration_ms},
        "nodes":[{{"id":"users","kind":"client","rate_per_s":{rate}}},
                 {{"id":"station","kind":"service","workers":{workers},"work_ms":{work}}}],
        "links":[{{"id":"call","from":"users","to":"station","via":"http","latency_ms":0}}]}}"#
    )
}

/// Erlang C: the probability that an arrival waits, for c servers at
/// offered load a = λ/μ.
fn erlang_c(c: u32, a: f64) -> f64 {
    let rho = a / c as f64;
    let mut term = 1.0;
    let mut sum = 1.0;
    for k in 1..c {
        term *= a / k as f64;
        sum += term;
    }
    let last = term * a / c as f64 / (1.0 - rho);
    last / (sum + last)
}

#[test]
fn mm1_mean_wait_matches_theory() {
    // λ = 80/s, mean service 10 ms: ρ = 0.8, Wq = ρ / (μ - λ) = 40 ms.
    let r = run_json(&single_station(80.0, 1, r#"{"exp":10}"#, 2_000_000.0, 11));
    let s = &r.nodes["station"];
    let wq = 0.8 / (100.0 - 80.0) * 1000.0;
    assert!(rel(s.wait_ms.mean, wq) < 0.03, "M/M/1 wait {} ms vs theory {wq} ms", s.wait_ms.mean);
    assert!(rel(s.utilization, 0.8) < 0.01, "utilization {}", s.utilization);
    // Sojourn time W = 1 / (μ - λ) = 50 ms.
    assert!(rel(s.latency_ms.mean, 50.0) < 0.03, "M/M/1 sojourn {}", s.latency_ms.mean);
}

#[test]
fn mm1_latency_percentiles_match_the_exponential_sojourn() {
    // In M/M/1 (FIFO) the time in system is exponential with rate μ - λ:
    // the q-quantile is -ln(1 - q) / (μ - λ). λ = 80/s, μ = 100/s: 20/s.
    let r = run_json(&single_station(80.0, 1, r#"{"exp":10}"#, 2_000_000.0, 21));
    let p = &r.nodes["station"].latency_ms;
    for (q, got) in [(0.50, p.p50), (0.95, p.p95), (0.99, p.p99)] {
        let want = -(1.0f64 - q).ln() / 20.0 * 1000.0;
        assert!(rel(got, want) < 0.03, "M/M/1 sojourn p{} {got} ms vs theory {want:.2} ms", q * 100.0);
    }
}

#[test]
fn mmc_mean_wait_matches_erlang_c() {
    // 4 servers, λ = 320/s, mean service 10 ms: a = 3.2, ρ = 0.8.
    let (c, rate, service_s) = (4u32, 320.0, 0.010);
    let a = rate * service_s;
    let wq = erlang_c(c, a) / (c as f64 / service_s - rate) * 1000.0;
    let r = run_json(&single_station(rate, c, r#"{"exp":10}"#, 3_000_000.0, 12));
    let s = &r.nodes["station"];
    assert!(rel(s.wait_ms.mean, wq) < 0.03, "M/M/4 wait {} ms vs Erlang C {wq:.3} ms", s.wait_ms.mean);
    assert!(rel(s.utilization, 0.8) < 0.01, "utilization {}", s.utilization);
}

#[test]
fn md1_mean_wait_matches_pollaczek_khinchine() {
    // Constant 10 ms service, ρ = 0.8: Wq = ρ / (2 μ (1 - ρ)) = 20 ms.
    let r = run_json(&single_station(80.0, 1, "10", 2_000_000.0, 13));
    let s = &r.nodes["station"];
    let wq = 0.8 / (2.0 * 100.0 * 0.2) * 1000.0;
    assert!(rel(s.wait_ms.mean, wq) < 0.03, "M/D/1 wait {} ms vs theory {wq} ms", s.wait_ms.mean);
}

#[test]
fn littles_law_holds_at_every_waiting_node() {
    // A service fed over HTTP and a queue feeding a consumer pool.
    let r = run_json(
        r#"{"crosstalk":1,"seed":5,"duration_ms":3000000,
        "nodes":[{"id":"users","kind":"client","rate_per_s":150},
                 {"id":"api","kind":"service","workers":2,"work_ms":{"exp":11}},
                 {"id":"jobs","kind":"queue"},
                 {"id":"workers","kind":"service","workers":3,"work_ms":{"uniform":[5,30]}}],
        "links":[{"id":"a","from":"users","to":"api","via":"http","latency_ms":0},
                 {"id":"b","from":"api","to":"jobs","via":"enqueue","latency_ms":0},
                 {"id":"c","from":"jobs","to":"workers","via":"consume","latency_ms":0}]}"#,
    );
    let secs = r.sim_ms / 1000.0;
    for id in ["api", "jobs"] {
        let n = &r.nodes[id];
        // L_q = λ W_q
        let lambda = n.arrivals as f64 / secs;
        let little = lambda * n.wait_ms.mean / 1000.0;
        assert!(rel(n.queue_len.mean, little) < 0.02, "{id}: mean waiting {} vs λ·Wq {little}", n.queue_len.mean);
    }
    // L = λ W for the busy workers plus the waiting line: utilization × c.
    let api = &r.nodes["api"];
    let lambda = api.completed as f64 / secs;
    let in_service = api.utilization * 2.0;
    let little = lambda * (api.latency_ms.mean - api.wait_ms.mean) / 1000.0;
    assert!(rel(in_service, little) < 0.02, "busy {in_service} vs λ·S {little}");
}
