//! Regions (MODEL.md "Format additions"): a cross-region call pays the
//! region latency each way, a `region:NAME` fault covers every node of the
//! region (replicas included), browsers connect to their own region's
//! WebSocket servers and fail over to the nearest region when those are
//! down, and a scenario without regions (or with one region) runs exactly
//! as before.

mod common;
use common::{run, run_json, scenario};
use crosstalk::engine::codec;
use crosstalk::engine::format::{self, Place, Scenario, Severity};
use crosstalk::engine::{Sim, SimOptions};
use proptest::prelude::*;
use serde_json::{json, Value};

fn hash(s: &Scenario) -> u64 {
    let mut sim = Sim::new(s, SimOptions::default()).expect("valid");
    sim.run_to_end();
    sim.run_hash()
}

/// A client in `us` calling `api` (in `api_region`) over http, constant
/// times and no queueing, so every request takes the same time.
fn call(api_region: &str, via: &str, connection: &str) -> String {
    format!(
        r#"{{"crosstalk":1,"seed":3,"duration_ms":20000,
        "regions":[["us","eu",40],["us","ap",95]],
        "nodes":[{{"id":"users","kind":"client","rate_per_s":20,"arrival":"uniform","region":"us"}},
                 {{"id":"api","kind":"service","workers":8,"work_ms":10,"region":"{api_region}"}}],
        "links":[{{"id":"call","from":"users","to":"api","via":"{via}","latency_ms":3{connection}}}]}}"#
    )
}

#[test]
fn a_cross_region_call_adds_exactly_twice_the_region_latency() {
    let local = run_json(&call("us", "http", ""));
    let eu = run_json(&call("eu", "http", ""));
    let ap = run_json(&call("ap", "grpc", ""));
    let ap_local = run_json(&call("us", "grpc", ""));
    let mean = |r: &crosstalk::engine::report::Report| r.nodes["users"].latency_ms.mean;
    assert!((mean(&local) - 16.0).abs() < 1e-6, "3 + 10 + 3 ms, got {}", mean(&local));
    assert!((mean(&eu) - mean(&local) - 80.0).abs() < 1e-6, "2 x 40 ms more: {} vs {}", mean(&eu), mean(&local));
    assert!((mean(&ap) - mean(&ap_local) - 190.0).abs() < 1e-6, "2 x 95 ms more: {}", mean(&ap));
    assert_eq!(local.requests.started, eu.requests.started);
    // A per-request connection's handshakes cross too: 4 more crossings.
    let per = run_json(&call("eu", "http", r#","connection":"per_request""#));
    let per_local = run_json(&call("us", "http", r#","connection":"per_request""#));
    assert!((mean(&per) - mean(&per_local) - 6.0 * 40.0).abs() < 1e-6, "{} vs {}", mean(&per), mean(&per_local));
    // The share of traffic crossing: every attempt on the one link.
    let regions = eu.regions.as_ref().expect("a scenario with regions reports them");
    assert_eq!(regions.crossed, regions.sent);
    assert_eq!(regions.links, vec!["call".to_string()]);
    assert_eq!(local.regions.as_ref().map(|r| r.crossed), Some(0));
}

#[test]
fn a_region_crash_crashes_every_node_in_it_and_recovers_them() {
    let s = scenario(
        r#"{"crosstalk":1,"seed":4,"duration_ms":30000,
        "regions":[["us","eu",30]],
        "nodes":[{"id":"users","kind":"client","rate_per_s":100,"region":"us"},
                 {"id":"edge","kind":"service","workers":50,"work_ms":1,"region":"us"},
                 {"id":"api","kind":"service","workers":4,"work_ms":2,"replicas":3,"region":"eu"},
                 {"id":"jobs","kind":"queue","region":"eu"},
                 {"id":"worker","kind":"service","workers":4,"work_ms":1,"region":"eu"}],
        "links":[{"id":"l1","from":"users","to":"edge","via":"http","timeout_ms":500},
                 {"id":"l2","from":"edge","to":"api","via":"http","timeout_ms":300,"optional":true},
                 {"id":"l3","from":"api","to":"jobs","via":"enqueue"},
                 {"id":"l4","from":"jobs","to":"worker","via":"consume"}],
        "faults":[{"target":"region:eu","kind":"crash","at_ms":10000,"for_ms":5000}]}"#,
    );
    let mut sim = Sim::new(&s, SimOptions::default()).expect("valid");
    let index = |id: &str| s.nodes.iter().position(|n| n.id == id).expect("node");
    sim.advance_to(12_000_000, u64::MAX);
    let live = sim.node_live();
    for id in ["api", "jobs", "worker"] {
        assert!(live[index(id)].crashed, "{id} is in eu: down");
    }
    assert_eq!(live[index("api")].replicas.len(), 3);
    assert!(live[index("api")].replicas.iter().all(|r| r.crashed), "every replica of api is down");
    assert!(!live[index("users")].crashed && !live[index("edge")].crashed, "us is untouched");
    sim.advance_to(16_000_000, u64::MAX);
    let live = sim.node_live();
    for id in ["api", "jobs", "worker"] {
        assert!(!live[index(id)].crashed, "{id} recovered");
    }
    assert!(live[index("api")].replicas.iter().all(|r| !r.crashed));
    sim.run_to_end();
    let r = sim.report();
    assert!(r.nodes["api"].completed > 0 && r.nodes["worker"].completed > 0);
    // Work reached eu again after the recovery: the queue was drained.
    assert!(r.nodes["worker"].completed >= r.nodes["jobs"].completed.saturating_sub(10));
    // The same crash written node by node is the same run.
    let mut by_node = s.clone();
    by_node.faults = crashes_10s_to_15s(&["api", "jobs", "worker"]);
    let mut a = Sim::new(&by_node, SimOptions::default()).expect("valid");
    a.run_to_end();
    assert_eq!(a.report().nodes["api"].lost, r.nodes["api"].lost);
    assert_eq!(a.report().requests, r.requests);
}

/// Browsers in India with servers in India (two) and the US.
fn chat(extra_faults: &str) -> Scenario {
    scenario(&format!(
        r#"{{"crosstalk":1,"seed":8,"duration_ms":40000,
        "regions":[["in","us",95],["in","eu",60],["eu","us",40]],
        "nodes":[{{"id":"senders","kind":"client","rate_per_s":20,"region":"in"}},
                 {{"id":"topic","kind":"topic","region":"in"}},
                 {{"id":"ws_in1","kind":"websocket","region":"in"}},
                 {{"id":"ws_in2","kind":"websocket","region":"in"}},
                 {{"id":"ws_eu","kind":"websocket","region":"eu"}},
                 {{"id":"ws_us","kind":"websocket","region":"us"}},
                 {{"id":"room","kind":"browser","users":300,"region":"in"}}],
        "links":[{{"id":"pub","from":"senders","to":"topic","via":"publish"}},
                 {{"id":"s1","from":"topic","to":"ws_in1","via":"subscribe"}},
                 {{"id":"s2","from":"topic","to":"ws_in2","via":"subscribe"}},
                 {{"id":"s3","from":"topic","to":"ws_eu","via":"subscribe"}},
                 {{"id":"s4","from":"topic","to":"ws_us","via":"subscribe"}},
                 {{"id":"p1","from":"ws_us","to":"room","via":"push"}},
                 {{"id":"p2","from":"ws_in1","to":"room","via":"push"}},
                 {{"id":"p3","from":"ws_eu","to":"room","via":"push"}},
                 {{"id":"p4","from":"ws_in2","to":"room","via":"push"}}],
        "faults":[{extra_faults}]}}"#
    ))
}

fn connections(sim: &Sim, id: &str) -> u64 {
    let i = sim.scenario().nodes.iter().position(|n| n.id == id).expect("node");
    sim.node_live()[i].connections
}

#[test]
fn browsers_prefer_their_region_and_fail_over_to_the_nearest_one() {
    let s = chat(
        r#"{"target":"ws_in1","kind":"crash","at_ms":5000,"for_ms":20000},
           {"target":"ws_in2","kind":"crash","at_ms":10000,"for_ms":15000},
           {"target":"ws_eu","kind":"crash","at_ms":30000}"#,
    );
    let mut sim = Sim::new(&s, SimOptions::default()).expect("valid");
    sim.advance_to(1_000_000, u64::MAX);
    // Everyone starts at home, spread over India's two servers.
    assert_eq!(connections(&sim, "ws_in1") + connections(&sim, "ws_in2"), 300);
    assert_eq!(connections(&sim, "ws_in1"), 150);
    assert_eq!(connections(&sim, "ws_us") + connections(&sim, "ws_eu"), 0);
    // One Indian server down: its users stay in India.
    sim.advance_to(9_000_000, u64::MAX);
    assert_eq!(connections(&sim, "ws_in2"), 300, "India still has a server up");
    // Both down: the nearest region (eu, 60 ms) takes them, not us (95 ms).
    sim.advance_to(20_000_000, u64::MAX);
    assert_eq!(connections(&sim, "ws_eu"), 300, "fail over to the nearest region");
    assert_eq!(connections(&sim, "ws_us"), 0);
    // India is back at 25 s; open connections stay where they are.
    sim.advance_to(29_000_000, u64::MAX);
    assert_eq!(connections(&sim, "ws_eu"), 300, "connections are not moved back");
    // When eu drops them, they reconnect at home.
    sim.advance_to(40_000_000, u64::MAX);
    assert_eq!(connections(&sim, "ws_in1") + connections(&sim, "ws_in2"), 300, "home again");
    sim.run_to_end();
    let r = sim.report();
    assert!(r.nodes["room"].completed > 0);
    // Pushes crossed regions only while the users were away from home.
    let regions = r.regions.expect("regions reported");
    assert!(regions.crossed > 0 && regions.crossed < regions.sent);
}

#[test]
fn without_a_server_in_their_region_browsers_spread_over_the_nearest() {
    let mut s = chat("");
    for n in &mut s.nodes {
        if n.id == "room" {
            n.region = Some("us".into());
        }
    }
    let mut sim = Sim::new(&s, SimOptions::default()).expect("valid");
    sim.advance_to(1_000_000, u64::MAX);
    assert_eq!(connections(&sim, "ws_us"), 300, "us has a server: all there");
    s.nodes.retain(|n| n.id != "ws_us");
    s.links.retain(|l| l.from != "ws_us" && l.to != "ws_us");
    let mut sim = Sim::new(&s, SimOptions::default()).expect("valid");
    sim.advance_to(1_000_000, u64::MAX);
    assert_eq!(connections(&sim, "ws_eu"), 300, "eu is the nearest to us (40 ms)");
}

#[test]
fn one_region_everywhere_runs_exactly_as_no_regions() {
    let plain = chat(r#"{"target":"ws_in1","kind":"crash","at_ms":5000,"for_ms":5000}"#);
    let mut stripped = plain.clone();
    stripped.regions.clear();
    for n in &mut stripped.nodes {
        n.region = None;
    }
    let mut one = stripped.clone();
    for n in &mut one.nodes {
        n.region = Some("earth".into());
    }
    assert_eq!(hash(&one), hash(&stripped));
    assert!(run(&one).1.regions.is_some_and(|r| r.crossed == 0));
    assert!(run(&stripped).1.regions.is_none(), "no regions: nothing in the report");
}

fn problems(s: &Scenario) -> Vec<(Severity, Place, Option<String>, String)> {
    format::validate(s).into_iter().map(|p| (p.severity, p.place, p.field, p.message)).collect()
}

fn has(s: &Scenario, severity: Severity, place: &Place, field: &str, words: &str) -> bool {
    problems(s)
        .iter()
        .any(|(sev, p, f, m)| *sev == severity && p == place && f.as_deref() == Some(field) && m.contains(words))
}

#[test]
fn bad_regions_are_named_with_their_node_pair_or_fault_and_field() {
    let base = chat("");
    assert!(format::validate::errors(&base).is_empty(), "{:?}", format::validate::errors(&base));

    let mut s = base.clone();
    s.nodes[0].region = Some("mars".into());
    assert!(has(&s, Severity::Error, &Place::Node("senders".into()), "region", "unknown region `mars`"));
    s.nodes[0].region = Some("eu west".into());
    assert!(has(&s, Severity::Error, &Place::Node("senders".into()), "region", "not a region name"));

    let mut s = base.clone();
    s.regions.push(("in".into(), "moon".into(), 10.0));
    assert!(has(&s, Severity::Warning, &Place::Scenario, "regions[3]", "no node is in region `moon`"));
    assert!(format::validate::errors(&s).is_empty(), "a pair without nodes is only a warning");

    for (bad, words) in [(-5.0, "must not be negative"), (f64::NAN, "finite"), (f64::INFINITY, "finite")] {
        let mut s = base.clone();
        s.regions[1].2 = bad;
        assert!(has(&s, Severity::Error, &Place::Scenario, "regions[1]", words), "{bad}: {:?}", problems(&s));
        assert!(problems(&s).iter().any(|p| p.3.contains("(in, eu)")), "the message names the pair");
    }

    let mut s = base.clone();
    s.regions.push(("us".into(), "in".into(), 90.0));
    assert!(has(&s, Severity::Error, &Place::Scenario, "regions[3]", "a second pair"));
    let mut s = base.clone();
    s.regions.push(("us".into(), "us".into(), 1.0));
    assert!(has(&s, Severity::Error, &Place::Scenario, "regions[3]", "two different regions"));

    let mut s = base.clone();
    s.faults.push(format::FaultSpec {
        target: "region:moon".into(),
        kind: format::FaultKind::Crash,
        at_ms: 1.0,
        for_ms: None,
        factor: None,
        rate: None,
    });
    assert!(has(&s, Severity::Error, &Place::Fault(0), "target", "no node is in region `moon`"));
    s.faults[0].target = "region:eu".into();
    assert!(format::validate::errors(&s).is_empty(), "{:?}", format::validate::errors(&s));
    s.faults[0].kind = format::FaultKind::Replay;
    assert!(has(&s, Severity::Error, &Place::Fault(0), "kind", "not to a region"));

    // Refused live too, with the message, and the run goes on.
    let mut sim = Sim::new(&base, SimOptions::default()).expect("valid");
    sim.advance_to(1_000_000, u64::MAX);
    let refused = sim.fault_now(format::FaultSpec {
        target: "region:moon".into(),
        kind: format::FaultKind::Crash,
        at_ms: 0.0,
        for_ms: None,
        factor: None,
        rate: None,
    });
    assert!(refused.is_err_and(|e| e.contains("moon")));
    let change = sim.change_now("room", "region", json!("us"));
    assert!(change.is_err_and(|e| e.contains("fixed for a run")));
    // Files with bad pairs are refused by the loader with the message.
    let text = serde_json::to_string(&base).expect("json").replace(r#"["in","us",95.0]"#, r#"["in","us",-1]"#);
    assert!(format::load(&text).is_err_and(|e| e.to_string().contains("regions[0]")));
}

#[test]
fn regions_and_region_faults_survive_a_share_link() {
    let s = chat(r#"{"target":"region:eu","kind":"crash","at_ms":5000,"for_ms":3000}"#);
    let back = codec::decode(&codec::encode(&s)).expect("decodes");
    assert_eq!(back, s);
    assert_eq!(back.regions.len(), 3);
    assert_eq!(back.nodes[0].region.as_deref(), Some("in"));
    assert_eq!(hash(&back), hash(&s));
    // Old documents have no `regions` key, and writing one back adds none.
    let old = chat("");
    let mut none = old.clone();
    none.regions.clear();
    for n in &mut none.nodes {
        n.region = None;
    }
    let text = none.to_json();
    assert!(!text.contains("region"), "{text}");
}

/// A random scenario of the chat shape with random regions, pairs and
/// region faults.
fn random_regions(recipe: u64) -> Scenario {
    let mut x = recipe;
    let mut next = |n: u64| {
        x = x.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        ((x >> 33) ^ x) % n.max(1)
    };
    let names = ["in", "us", "eu"];
    let mut s = chat("");
    for n in &mut s.nodes {
        n.region = match next(4) {
            3 => None,
            i => Some(names[i as usize].to_string()),
        };
    }
    s.regions = vec![
        ("in".into(), "us".into(), next(200) as f64),
        ("in".into(), "eu".into(), next(100) as f64 / 4.0),
        ("eu".into(), "us".into(), next(80) as f64),
    ];
    s.duration_ms = 8000.0;
    let used = format::regions::used(&s);
    for k in 0..next(3) {
        let target = if !used.is_empty() && next(2) == 0 {
            format::regions::target(&used[next(used.len() as u64) as usize])
        } else {
            s.nodes[next(s.nodes.len() as u64) as usize].id.clone()
        };
        let kind = [format::FaultKind::Crash, format::FaultKind::Slow, format::FaultKind::Partition][next(3) as usize];
        s.faults.push(format::FaultSpec {
            target,
            kind,
            at_ms: (1000 + 1500 * k) as f64,
            for_ms: Some(1000.0 + next(3000) as f64),
            factor: (kind == format::FaultKind::Slow).then_some(3.0),
            rate: None,
        });
    }
    // Unused pairs are warnings only; make some nodes regionless to get them.
    s
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn random_regions_run_accounted_deterministic_and_round_trip(recipe in any::<u64>()) {
        let s = random_regions(recipe);
        let errors = format::validate::errors(&s);
        prop_assert!(errors.is_empty(), "{:?}", errors);
        let (sim, r) = run(&s);
        prop_assert_eq!(r.messages.sent, r.messages.accounted());
        let regions = r.regions.clone().expect("regions reported");
        prop_assert!(regions.crossed <= regions.sent);
        prop_assert!((0.0..=1.0).contains(&regions.share));
        // Every crossing link really joins two different regions.
        for id in &regions.links {
            let l = s.link(id).expect("link");
            let (a, b) = (s.node(&l.from).and_then(|n| n.region.clone()), s.node(&l.to).and_then(|n| n.region.clone()));
            prop_assert!(a.is_some() && b.is_some() && a != b, "{id}: {a:?} -> {b:?}");
        }
        prop_assert_eq!(hash(&s), sim.run_hash());
        let back = codec::decode(&codec::encode(&s)).expect("decodes");
        prop_assert_eq!(hash(&back), sim.run_hash());
        // A JSON file carries them the same way.
        let v: Value = serde_json::from_str(&s.to_json()).expect("json");
        prop_assert_eq!(format::from_value(v).expect("loads"), s);
    }
}

/// The work estimate counts a region's crash as a crash of each node in it.
#[test]
fn the_budget_counts_a_region_fault_as_a_fault_on_each_of_its_nodes() {
    let mut s = chat(r#"{"target":"region:in","kind":"crash","at_ms":10000,"for_ms":5000}"#);
    let region = crosstalk::engine::budget::estimate(&s);
    s.faults = crashes_10s_to_15s(&["senders", "topic", "ws_in1", "ws_in2", "room"]);
    let by_node = crosstalk::engine::budget::estimate(&s);
    s.faults.clear();
    let none = crosstalk::engine::budget::estimate(&s);
    assert!(region.events > none.events, "the browsers' reconnects: {} vs {}", region.events, none.events);
    assert!(
        (region.events - by_node.events).abs() <= 1.0 + 300.0 * 4.0,
        "{} vs {}: within one reconnect wave per node",
        region.events,
        by_node.events
    );
}

/// A cross-region call whose timeout is shorter than the round trip the
/// regions make: every attempt times out, and the estimate knows it.
#[test]
fn the_budget_retries_every_call_that_cannot_come_back_in_time() {
    let json = |pair: u32| {
        call("eu", "http", r#","timeout_ms":50,"retry":{"attempts":4,"base_ms":10}"#)
            .replace(r#"["us","eu",40]"#, &format!(r#"["us","eu",{pair}]"#))
    };
    let (far, near) = (scenario(&json(40)), scenario(&json(5)));
    let (e_far, e_near) = (crosstalk::engine::budget::estimate(&far), crosstalk::engine::budget::estimate(&near));
    // 2 x (3 + 40) = 86 ms > 50 ms: all 4 attempts; 2 x (3 + 5) + 10 = 26 ms: one.
    assert_eq!(e_far.tries, vec![4.0]);
    assert_eq!(e_near.tries, vec![1.0]);
    let events = |s: &Scenario| {
        let mut sim = Sim::new(s, SimOptions::default()).expect("valid");
        sim.run_to_end();
        let r = sim.report();
        (sim.events() as f64, r)
    };
    let (run_far, r) = events(&far);
    assert_eq!(r.requests.ok, 0, "no answer came back in time");
    // Every finished request made its four attempts, and each reached api.
    assert!(r.nodes["api"].arrivals >= 4 * (r.requests.started - r.requests.in_flight));
    assert!(e_far.events > 0.5 * run_far && e_far.events < 2.0 * run_far, "{} vs {}", e_far.events, run_far);
    // The lint says why, naming the link and the two regions.
    let w = crosstalk::engine::lint::lint(&far);
    let short: Vec<_> = w.iter().filter(|w| w.rule == crosstalk::engine::lint::Rule::TimeoutTooShort).collect();
    assert_eq!(short.len(), 1, "{w:?}");
    assert_eq!(short[0].place, Place::Link("call".into()));
    assert!(short[0].message.contains("from region us to region eu"), "{}", short[0].message);
    assert!(crosstalk::engine::lint::lint(&near)
        .iter()
        .all(|w| w.rule != crosstalk::engine::lint::Rule::TimeoutTooShort));
}

/// A crash of each of `targets` from 10 s for 5 s: a region's outage
/// written node by node.
fn crashes_10s_to_15s(targets: &[&str]) -> Vec<format::FaultSpec> {
    targets
        .iter()
        .map(|t| format::FaultSpec {
            target: t.to_string(),
            kind: format::FaultKind::Crash,
            at_ms: 10_000.0,
            for_ms: Some(5_000.0),
            factor: None,
            rate: None,
        })
        .collect()
}
