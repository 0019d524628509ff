//! The broker fields as a format: every one survives a share link, bad
//! values are refused with a message naming the node or link and the
//! field, the editor refuses such an edit and keeps the document, and the
//! scenarios that existed before them still run to the same hash.

use crosstalk::editor::fields;
use crosstalk::engine::codec;
use crosstalk::engine::format::validate::Place;
use crosstalk::engine::format::{self, load, Scenario};
use crosstalk::engine::{Sim, SimOptions};

/// A scenario that sets every field the brokers added.
const EVERY_FIELD: &str = r##"{"crosstalk":1,"name":"every broker field","seed":4,"duration_ms":5000,
  "nodes":[
    {"id":"c","kind":"client","rate_per_s":50,"keys":12,"poison_rate":0.01},
    {"id":"svc","kind":"service","workers":4,"job_timeout_ms":250},
    {"id":"log","kind":"topic","delivery":"log","partitions":3,"retention_ms":2000},
    {"id":"x","kind":"exchange","type":"direct","alternate":"alt"},
    {"id":"alt","kind":"queue"},
    {"id":"q","kind":"queue","fifo":true,"dedup_window_ms":60000,"dead_letter":"fdlq"},
    {"id":"fdlq","kind":"queue","fifo":true},
    {"id":"ws","kind":"websocket"},
    {"id":"b","kind":"browser","users":10,"online_ms":{"exp":1000},"offline_ms":{"uniform":[100,500]}}],
  "links":[
    {"id":"l1","from":"c","to":"svc","via":"http"},
    {"id":"l2","from":"svc","to":"log","via":"publish"},
    {"id":"l3","from":"c","to":"x","via":"publish","routing_keys":[["a.b",2],["c",1.5]]},
    {"id":"l4","from":"x","to":"q","via":"bind","pattern":"a.b"},
    {"id":"l5","from":"q","to":"svc","via":"consume","prefetch":3},
    {"id":"l6","from":"log","to":"ws","via":"subscribe","group":"pushers","commit":"after_processing",
     "commit_every_ms":1000,"session_timeout_ms":3000,"rebalance_ms":200},
    {"id":"l7","from":"ws","to":"b","via":"push","store_and_forward":true,"retention_ms":60000}],
  "faults":[{"target":"l6","kind":"replay","at_ms":2500}]}"##;

#[test]
fn every_broker_field_survives_a_share_link() {
    let s = load::load(EVERY_FIELD).expect("valid");
    let back = codec::decode(&codec::encode(&s)).expect("decodes");
    assert_eq!(back, s);
    assert_eq!(load::parse(&s.to_json_pretty()).expect("parses"), s);
    // Nothing the scenario said is lost on the way: the JSON names every field.
    let json = s.to_json();
    for field in [
        "keys",
        "poison_rate",
        "job_timeout_ms",
        "partitions",
        "retention_ms",
        "\"type\"",
        "alternate",
        "fifo",
        "dedup_window_ms",
        "online_ms",
        "offline_ms",
        "routing_keys",
        "pattern",
        "prefetch",
        "group",
        "commit",
        "commit_every_ms",
        "session_timeout_ms",
        "rebalance_ms",
        "store_and_forward",
        "replay",
    ] {
        assert!(json.contains(field), "{field} missing from {json}");
    }
    let mut sim = Sim::new(&s, SimOptions::interactive()).expect("runs");
    sim.run_to_end();
    sim.audit().expect("balanced");
}

/// The first error of `json`, as the runner prints it.
fn error(json: &str) -> String {
    match load::load(json) {
        Ok(_) => panic!("accepted: {json}"),
        Err(e) => e.to_string(),
    }
}

fn doc(nodes: &str, links: &str) -> String {
    format!(r#"{{"crosstalk":1,"nodes":[{nodes}],"links":[{links}]}}"#)
}

#[test]
fn bad_broker_input_names_the_node_or_link_and_the_field() {
    let cases = [
        (
            doc(
                r#"{"id":"q","kind":"queue"},{"id":"q2","kind":"queue"}"#,
                r#"{"id":"b","from":"q","to":"q2","via":"bind"}"#,
            ),
            "link `b`: via: `bind` must start at an exchange, not at queue `q`",
        ),
        (
            doc(
                r#"{"id":"x","kind":"exchange"},{"id":"q","kind":"queue"}"#,
                r#"{"id":"b","from":"x","to":"q","via":"bind","pattern":"order..eu"}"#,
            ),
            "link `b`: pattern: `order..eu` has an empty word",
        ),
        (
            doc(r#"{"id":"t","kind":"topic","delivery":"log","partitions":0}"#, ""),
            "node `t`: partitions: must be at least 1",
        ),
        (
            doc(r#"{"id":"q","kind":"queue","fifo":true,"dead_letter":"dlq"},{"id":"dlq","kind":"queue"}"#, ""),
            "node `q`: dead_letter: `dlq` is not a FIFO queue",
        ),
        (
            doc(
                r#"{"id":"t","kind":"topic","delivery":"durable"},{"id":"s","kind":"service"}"#,
                r#"{"id":"l","from":"t","to":"s","via":"subscribe","group":"billing"}"#,
            ),
            "link `l`: group: only a subscription of a log topic",
        ),
        (
            doc(
                r#"{"id":"q","kind":"queue"},{"id":"s","kind":"service"}"#,
                r#"{"id":"c","from":"q","to":"s","via":"consume","prefetch":0}"#,
            ),
            "link `c`: prefetch: must be at least 1",
        ),
        (
            doc(
                r#"{"id":"p","kind":"client"},{"id":"x","kind":"exchange"}"#,
                r#"{"id":"l","from":"p","to":"x","via":"publish","routing_keys":[["a",0]]}"#,
            ),
            "link `l`: routing_keys: the weight of `a` must be above 0",
        ),
        (
            doc(
                r#"{"id":"p","kind":"client"},{"id":"x","kind":"exchange"}"#,
                r#"{"id":"l","from":"p","to":"x","via":"publish","routing_keys":"a.b"}"#,
            ),
            "link `l`: routing_keys:",
        ),
        (
            doc(r#"{"id":"x","kind":"exchange","alternate":"s"},{"id":"s","kind":"service"}"#, ""),
            "node `x`: alternate: `s` is a service",
        ),
        (doc(r#"{"id":"x","kind":"exchange","type":"headers"}"#, ""), "node `x`: type:"),
        (doc(r#"{"id":"c","kind":"client","keys":2000000}"#, ""), "node `c`: keys: 2000000 is above the limit"),
        (doc(r#"{"id":"c","kind":"client","poison_rate":2}"#, ""), "node `c`: poison_rate: must be between 0 and 1"),
        (doc(r#"{"id":"s","kind":"service","job_timeout_ms":0}"#, ""), "node `s`: job_timeout_ms: must be above 0"),
        (
            doc(
                r#"{"id":"t","kind":"topic","delivery":"log"},{"id":"s","kind":"service"}"#,
                r#"{"id":"l","from":"t","to":"s","via":"subscribe","commit":"sometimes"}"#,
            ),
            "link `l`: commit:",
        ),
    ];
    for (json, want) in cases {
        let got = error(&json);
        assert!(got.starts_with(want), "expected `{want}`, got `{got}`");
    }
    let replay = r#"{"crosstalk":1,"nodes":[{"id":"t","kind":"topic"},{"id":"s","kind":"service"}],
        "links":[{"id":"l","from":"t","to":"s","via":"subscribe"}],"faults":[{"target":"l","kind":"replay"}]}"#;
    assert!(error(replay).starts_with("fault #1: target: `replay` needs a log topic"), "{}", error(replay));
}

#[test]
fn the_editor_refuses_a_bad_broker_value_and_keeps_the_document() {
    let s = load::load(EVERY_FIELD).expect("valid");
    let before = s.clone();
    for (place, key, text) in [
        (Place::Node("log".into()), "partitions", "0"),
        (Place::Link("l4".into()), "pattern", "a..b"),
        (Place::Link("l5".into()), "prefetch", "0"),
        (Place::Node("q".into()), "dead_letter", "alt"),
        (Place::Link("l3".into()), "routing_keys", "a.b:-1"),
        (Place::Node("x".into()), "type", "headers"),
    ] {
        let e = fields::set(&s, &place, key, text).expect_err(key);
        assert!(!e.is_empty(), "{key}");
        assert_eq!(s, before, "the document is untouched");
    }
    let ok = fields::set(&s, &Place::Node("log".into()), "partitions", "6").expect("a valid edit");
    assert_eq!(ok.node("log").and_then(|n| n.partitions), Some(6));
}

#[test]
fn scenarios_from_before_the_brokers_keep_their_run_hashes() {
    // Hashes printed by the runner built from main before the brokers came
    // (engine version 2, `crosstalk run FILE --json`).
    for (file, hash) in [
        ("examples/payments-queue.json", "abbe497d9ba6ce33"),
        ("src/editor/examples/booking_saga.json", "0f9e601b619d3f3e"),
        ("tests/fixtures/v1/food-ordering-before-brokers.json", "4373c4ad1496c38e"),
        ("src/editor/examples/leetcode.json", "128ce5ac000f1bc4"),
        ("src/editor/examples/payments_http.json", "610b8e212bef46c8"),
        ("src/editor/examples/retry_storm.json", "b5e4c5ff9e205d45"),
        ("tests/fixtures/v1/model-example.json", "abbe497d9ba6ce33"),
    ] {
        let text = std::fs::read_to_string(file).expect("file");
        let s: Scenario = format::load(&text).expect("valid");
        let mut sim = Sim::new(&s, SimOptions::default()).expect("runs");
        sim.run_to_end();
        assert_eq!(sim.run_hash_hex(), hash, "{file}");
    }
}

#[test]
fn the_format_page_documents_every_field_the_inspector_edits() {
    use crosstalk::engine::format::{NodeKind, Via};
    let page = std::fs::read_to_string("docs/FORMAT.md").expect("docs/FORMAT.md");
    let mut keys: Vec<&str> = Vec::new();
    for kind in NodeKind::ALL {
        keys.extend(fields::node_fields(kind).iter().map(|f| f.key));
    }
    for via in Via::ALL {
        keys.extend(fields::link_fields(via, true, true).iter().map(|f| f.key));
    }
    for key in keys {
        let name = key.rsplit('.').next().unwrap_or(key);
        assert!(page.contains(&format!("`{name}`")), "docs/FORMAT.md does not mention `{name}`");
    }
}
