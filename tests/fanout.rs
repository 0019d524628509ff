//! Fan-out (`count` on sending links) against its closed forms and
//! invariants: N parallel exponential calls take H_N times the mean, N
//! messages per request are N times the messages with every one ending in
//! exactly one state, a request fails if any of its N calls fails, count 1
//! is the run without a count, and counts survive share links.

mod common;
use common::{run, run_json, scenario};
use crosstalk::engine::format::{self, Dist, Place};
use crosstalk::engine::{Sim, SimOptions};
use proptest::prelude::*;

/// A client (uniform arrivals) calls `api` (instant work), which calls
/// `back` over `fan` with `count`; every latency is 0, so a request's
/// latency is the slowest of its calls' work.
fn scatter(count: &str, back_work: &str, extra: &str, duration_ms: f64) -> String {
    format!(
        r#"{{"crosstalk":1,"seed":11,"duration_ms":{duration_ms},
        "nodes":[{{"id":"app","kind":"client","rate_per_s":100,"arrival":"uniform"}},
                 {{"id":"api","kind":"service","workers":1000,"work_ms":0}},
                 {{"id":"back","kind":"service","workers":10000,"work_ms":{back_work}{extra}}}],
        "links":[{{"id":"in","from":"app","to":"api","via":"http","latency_ms":0}},
                 {{"id":"fan","from":"api","to":"back","via":"http","latency_ms":0{count}}}]}}"#
    )
}

fn harmonic(n: u32) -> f64 {
    (1..=n).map(|k| 1.0 / k as f64).sum()
}

#[test]
fn n_parallel_exponential_calls_take_h_n_times_the_mean() {
    // The max of N independent exponentials of mean m has mean H_N m and
    // variance m^2 sum 1/k^2 (Rényi). 20,000 requests: the standard error
    // of the mean latency is m sqrt(sum 1/k^2 / 20,000) (0.09 ms for
    // N = 8, m = 10); the test allows 5 of them.
    let m = 10.0;
    for n in [1u32, 2, 8, 32] {
        let count = if n == 1 { String::new() } else { format!(r#","count":{n}"#) };
        let r = run_json(&scatter(&count, &format!(r#"{{"exp":{m}}}"#), "", 200_000.0));
        let requests = r.requests.ok as f64;
        assert!(requests > 19_900.0, "N {n}: {} ok of 20,000", r.requests.ok);
        let var: f64 = (1..=n).map(|k| 1.0 / (k * k) as f64).sum::<f64>() * m * m;
        let se = (var / requests).sqrt();
        let want = harmonic(n) * m;
        let got = r.nodes["app"].latency_ms.mean;
        assert!((got - want).abs() < 5.0 * se, "N {n}: mean {got:.3} ms, H_N x mean = {want:.3} ms (se {se:.3})");
        assert_eq!(r.nodes["back"].arrivals, n as u64 * r.nodes["api"].arrivals, "N {n}: N calls per request");
    }
}

#[test]
fn a_request_fails_if_any_of_its_calls_fails() {
    // Five calls, each failing with 10% and no retries: a request succeeds
    // only if all five do, 0.9^5 = 59% (20,000 requests: se 0.35 points).
    let r = run_json(&scatter(r#","count":5"#, "1", r#","error_rate":0.1"#, 200_000.0));
    let total = (r.requests.ok + r.requests.failed) as f64;
    let ok = r.requests.ok as f64 / total;
    let want = 0.9f64.powi(5);
    let se = (want * (1.0 - want) / total).sqrt();
    assert!((ok - want).abs() < 5.0 * se, "ok share {ok:.4}, want {want:.4}");
    // With retries the calls mostly recover: 1 - 0.1^3 each.
    let r =
        run_json(&scatter(r#","count":5,"retry":{"attempts":3,"base_ms":1}"#, "1", r#","error_rate":0.1"#, 200_000.0));
    let ok = r.requests.ok as f64 / (r.requests.ok + r.requests.failed) as f64;
    assert!((ok - (1.0f64 - 0.001).powi(5)).abs() < 0.003, "with retries: {ok}");
}

#[test]
fn an_optional_fan_out_degrades_instead_of_failing() {
    let r = run_json(&scatter(r#","count":5,"optional":true"#, "1", r#","error_rate":0.1"#, 20_000.0));
    assert_eq!(r.requests.failed, 0);
    assert!(r.requests.ok > 1_900);
}

/// A client calls `api`, which sends `count` messages into queue `q`
/// consumed by `worker`.
fn queue_fan(count: &str, worker_extra: &str) -> String {
    format!(
        r#"{{"crosstalk":1,"seed":5,"duration_ms":20000,
        "nodes":[{{"id":"app","kind":"client","rate_per_s":50}},
                 {{"id":"api","kind":"service","workers":64,"work_ms":{{"exp":2}}}},
                 {{"id":"q","kind":"queue","max_deliveries":3}},
                 {{"id":"worker","kind":"service","workers":8,"work_ms":{{"exp":3}}{worker_extra}}}],
        "links":[{{"id":"in","from":"app","to":"api","via":"http"}},
                 {{"id":"send","from":"api","to":"q","via":"enqueue","latency_ms":0{count}}},
                 {{"id":"take","from":"q","to":"worker","via":"consume"}}]}}"#
    )
}

#[test]
fn a_constant_count_on_a_queue_send_delivers_n_times_the_messages() {
    let (sim, r) = run(&scenario(&queue_fan(r#","count":4"#, r#","error_rate":0.05"#)));
    let api_done = r.nodes["api"].completed;
    assert!(api_done > 900, "{api_done}");
    assert_eq!(r.nodes["q"].arrivals, 4 * api_done, "four messages per request");
    // Every message ends in exactly one state (the run audited this after
    // every slice too), and the worker saw redeliveries of the failed ones.
    let m = &r.messages;
    let ends = m.delivered
        + m.failed
        + m.timed_out
        + m.rejected
        + m.dead_lettered
        + m.dropped
        + m.lost
        + m.expired
        + m.deduplicated
        + m.in_flight;
    assert_eq!(m.sent, ends, "{m:?}");
    // The worker fails 5%: the queue delivers those again.
    assert!(r.nodes["worker"].failed > 0 && r.nodes["worker"].arrivals > r.nodes["q"].arrivals);
    sim.audit().expect("balanced at the end");
}

#[test]
fn count_one_is_the_run_without_a_count() {
    let hash = |json: &str| {
        let mut sim = Sim::new(&scenario(json), SimOptions::default()).expect("valid");
        sim.run_to_end();
        sim.run_hash()
    };
    for one in [r#","count":1"#, r#","count":{"const":1}"#, r#","count":1.2"#] {
        assert_eq!(hash(&scatter("", r#"{"exp":10}"#, "", 5_000.0)), hash(&scatter(one, r#"{"exp":10}"#, "", 5_000.0)));
        assert_eq!(hash(&queue_fan("", "")), hash(&queue_fan(one, "")));
    }
    // And a count of 2 is another run.
    assert_ne!(hash(&queue_fan("", "")), hash(&queue_fan(r#","count":2"#, "")));
}

#[test]
fn a_zipf_count_sends_heavy_tailed_bursts() {
    // Followers per tweet: Zipf over 1..100,000 with s = 1.5. The mean is
    // sum k^-0.5 / sum k^-1.5 (about 242); most tweets reach a handful.
    let d = Dist::Zipf { n: 100_000.0, s: 1.5 };
    let json =
        queue_fan(r#","count":{"zipf":{"n":100000,"s":1.5}}"#, "").replace(r#""workers":8"#, r#""workers":5000"#);
    let r = run_json(&json);
    let per_request = r.nodes["q"].arrivals as f64 / r.nodes["api"].completed as f64;
    assert!(per_request > 1.0, "{per_request}");
    // A heavy tail: the sample mean of 1,000 draws is noisy, but far above
    // the median (1) and within a factor of 3 of the true mean.
    let mean = d.mean_ms();
    assert!(per_request > mean / 3.0 && per_request < mean * 3.0, "{per_request} vs mean {mean}");
}

#[test]
fn bad_counts_are_refused_naming_the_link_and_field() {
    let base = scenario(&scatter(r#","count":3"#, "1", "", 1_000.0));
    for bad in [Dist::Const(-2.0), Dist::Const(f64::NAN), Dist::Const(1e300), Dist::Exp(f64::INFINITY)] {
        let mut s = base.clone();
        s.links[1].count = Some(bad);
        let problems = format::validate(&s);
        let p = problems
            .iter()
            .find(|p| p.field.as_deref() == Some("count"))
            .unwrap_or_else(|| panic!("{bad:?} accepted: {problems:?}"));
        assert_eq!(p.place, Place::Link("fan".into()));
        assert!(Sim::new(&s, SimOptions::default()).is_err());
    }
    let e = format::load(&scatter(r#","count":{"zipf":{"n":0.5,"s":1}}"#, "1", "", 1_000.0)).unwrap_err().to_string();
    assert!(e.contains("fan") && e.contains("count") && e.contains("zipf"), "{e}");
    let e = format::load(&scatter(r#","count":"many""#, "1", "", 1_000.0)).unwrap_err().to_string();
    assert!(e.contains("count") || e.contains("distribution"), "{e}");
}

#[test]
fn counts_survive_a_share_link() {
    for count in [
        r#","count":3"#,
        r#","count":{"exp":2.5}"#,
        r#","count":{"uniform":[1,9]}"#,
        r#","count":{"zipf":{"n":1000,"s":1.2}}"#,
    ] {
        let s = scenario(&scatter(count, r#"{"exp":5}"#, "", 2_000.0));
        let back = crosstalk::engine::codec::decode(&crosstalk::engine::codec::encode(&s)).expect("decodes");
        assert_eq!(back, s);
        let hash = |s: &format::Scenario| {
            let mut sim = Sim::new(s, SimOptions::default()).expect("valid");
            sim.run_to_end();
            sim.run_hash()
        };
        assert_eq!(hash(&back), hash(&s));
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    /// Any count on calls and sends, with failures, retries, timeouts and a
    /// crash, keeps every message and request accounted for and replays.
    #[test]
    fn any_count_keeps_the_books_and_replays(
        calls in prop_oneof![Just("0".to_string()), (0u32..12).prop_map(|n| n.to_string()),
            (0.5f64..6.0).prop_map(|m| format!(r#"{{"exp":{m}}}"#)),
            (1u32..200).prop_map(|n| format!(r#"{{"zipf":{{"n":{n},"s":1.3}}}}"#))],
        sends in 0u32..6,
        error in 0u32..40,
        timeout in prop::option::of(1u32..40),
        crash in any::<bool>(),
    ) {
        let timeout = timeout.map(|t| format!(r#","timeout_ms":{t}"#)).unwrap_or_default();
        let faults = if crash { r#","faults":[{"target":"back","kind":"crash","at_ms":700,"for_ms":400}]"# } else { "" };
        let json = format!(
            r#"{{"crosstalk":1,"seed":3,"duration_ms":3000,
            "nodes":[{{"id":"app","kind":"client","rate_per_s":40}},
                     {{"id":"api","kind":"service","workers":6,"work_ms":{{"exp":2}}}},
                     {{"id":"back","kind":"service","workers":4,"work_ms":{{"exp":5}},"error_rate":{e}}},
                     {{"id":"q","kind":"queue"}},{{"id":"w","kind":"service","workers":2}}],
            "links":[{{"id":"in","from":"app","to":"api","via":"http","timeout_ms":400}},
                     {{"id":"fan","from":"api","to":"back","via":"grpc","count":{calls},"retry":{{"attempts":2}}{timeout}}},
                     {{"id":"send","from":"api","to":"q","via":"enqueue","count":{sends}}},
                     {{"id":"take","from":"q","to":"w","via":"consume"}}]{faults}}}"#,
            e = error as f64 / 100.0
        );
        let s = scenario(&json);
        let (a, ra) = run(&s);
        let (b, _) = run(&s);
        prop_assert_eq!(a.run_hash(), b.run_hash());
        let m = &ra.messages;
        let ends = m.delivered + m.failed + m.timed_out + m.rejected + m.dead_lettered + m.dropped + m.lost
            + m.expired + m.deduplicated + m.in_flight;
        prop_assert_eq!(m.sent, ends);
        // Messages leave after the calls succeed, `sends` per request
        // that gets that far (some may still be on the wire at the end).
        prop_assert!(ra.nodes["q"].arrivals <= sends as u64 * ra.nodes["api"].completed);
    }
}

#[test]
fn the_report_gives_each_counted_links_calls_per_request() {
    // A uniform count on [0, 10] rounds to 0..10: a mean of 5 calls per
    // request (20,000 requests: se 0.02). The uncounted link has none.
    let r = run_json(&scatter(r#","count":{"uniform":[0,10]}"#, "1", "", 200_000.0));
    let fan = r.links["fan"].fan_out.as_ref().expect("a counted link reports its fan-out");
    // Every request api took drew its count (the last may still be out).
    assert!(fan.requests <= r.nodes["api"].arrivals && fan.requests >= r.nodes["api"].completed);
    assert_eq!(fan.made, r.nodes["back"].arrivals, "every call made reached back");
    assert!((fan.mean - 5.0).abs() < 0.1, "mean {}", fan.mean);
    assert_eq!(fan.mean, fan.made as f64 / fan.requests as f64);
    assert!(r.links["in"].fan_out.is_none());
    // The link's row is its share of the ledger.
    assert_eq!(r.links["fan"].messages.sent, r.nodes["back"].messages.sent);
    assert_eq!(r.links["in"].messages.sent, r.nodes["api"].messages.sent);
}
