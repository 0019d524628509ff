//! Exports read back the way other tools read them: the CSV files by the
//! `csv` crate, the report and RabbitMQ definitions as JSON (the latter
//! checked against the shape RabbitMQ documents for `POST /api/definitions`),
//! the resilience4j settings as YAML. `crosstalk export` prints them.

use crosstalk::engine::export::{self, csv as ct_csv, Format};
use crosstalk::engine::format::{load, Scenario};
use crosstalk::engine::{Sim, SimOptions};
use serde_json::Value;
use std::collections::BTreeSet;

/// Payments with SMS over a queue, with user text that CSV must quote, a
/// pub/sub topic with a durable and a transient subscriber, a breaker and
/// a time-based breaker.
const SCENARIO: &str = r#"{
  "crosstalk": 1, "name": "Orders, \"quoted\", and more", "seed": 3, "duration_ms": 5000,
  "nodes": [
    { "id": "app", "kind": "client", "label": "Mobile app, v2", "rate_per_s": 40, "arrival": "uniform" },
    { "id": "pay", "kind": "service", "label": "Pay \"now\"\nservice", "workers": 8, "work_ms": 10 },
    { "id": "sms_q", "kind": "queue", "label": "SMS jobs", "max_deliveries": 3, "dead_letter": "sms_dlq", "capacity": 500 },
    { "id": "sms_dlq", "kind": "queue", "label": "SMS DLQ" },
    { "id": "sms", "kind": "service", "workers": 2, "work_ms": 5, "error_rate": 0.2 },
    { "id": "events", "kind": "topic", "delivery": "durable" },
    { "id": "audit", "kind": "service", "work_ms": 1 },
    { "id": "audit_q", "kind": "queue" }
  ],
  "links": [
    { "id": "l1", "from": "app", "to": "pay", "via": "http", "timeout_ms": 1500,
      "retry": { "attempts": 4, "base_ms": 50, "multiplier": 3, "max_ms": 2000, "jitter": "equal" },
      "circuit_breaker": { "failure_rate": 0.25, "window": 20, "min_calls": 10, "open_ms": 5000, "half_open_calls": 3 } },
    { "id": "l2", "from": "pay", "to": "sms_q", "via": "enqueue" },
    { "id": "l3", "from": "sms_q", "to": "sms", "via": "consume",
      "circuit_breaker": { "window_type": "time", "window_ms": 30000, "min_failures": 5 } },
    { "id": "l4", "from": "pay", "to": "events", "via": "publish" },
    { "id": "l5", "from": "events", "to": "audit", "via": "subscribe" },
    { "id": "l6", "from": "events", "to": "audit_q", "via": "subscribe" }
  ]
}"#;

fn scenario() -> Scenario {
    load::parse(SCENARIO).expect("the test scenario parses")
}

/// Runs `s` to the end with series kept; returns the report and series.
fn run(s: &Scenario) -> (crosstalk::engine::report::Report, Vec<Vec<crosstalk::engine::report::Bucket>>) {
    let mut sim = Sim::new(s, SimOptions { series: true, ..SimOptions::default() }).expect("valid");
    sim.run_to_end();
    let series = (0..s.nodes.len()).map(|i| sim.series(i).to_vec()).collect();
    (sim.report(), series)
}

fn read_csv(text: &str) -> (Vec<String>, Vec<csv::StringRecord>) {
    let mut r = csv::Reader::from_reader(text.as_bytes());
    let header = r.headers().expect("a header row").iter().map(String::from).collect();
    let rows = r.records().collect::<Result<Vec<_>, _>>().expect("every row parses");
    (header, rows)
}

#[test]
fn node_table_csv_reads_back_with_labels_intact_and_the_reports_figures() {
    let s = scenario();
    let (report, series) = run(&s);
    let text = export::text(Format::Csv, &s, &report, &series);
    let (header, rows) = read_csv(&text);
    assert_eq!(header, ct_csv::NODE_COLUMNS);
    assert_eq!(rows.len(), s.nodes.len(), "one row per node");
    for (row, node) in rows.iter().zip(&s.nodes) {
        assert_eq!(&row[0], node.id);
        assert_eq!(&row[2], node.label, "labels with commas, quotes and line breaks survive");
        let r = &report.nodes[&node.id];
        assert_eq!(row[3].parse::<u64>().unwrap(), r.arrivals, "{}: arrivals", node.id);
        assert_eq!(row[4].parse::<u64>().unwrap(), r.completed, "{}: completed", node.id);
        assert_eq!(row[14].parse::<f64>().unwrap(), r.latency_ms.p99, "{}: p99", node.id);
    }
    assert!(rows[1][4].parse::<u64>().unwrap() > 100, "the run did work");
}

#[test]
fn series_csv_sums_to_each_nodes_completions() {
    let s = scenario();
    let (report, series) = run(&s);
    let text = export::text(Format::SeriesCsv, &s, &report, &series);
    let (header, rows) = read_csv(&text);
    assert_eq!(header, ct_csv::SERIES_COLUMNS);
    assert_eq!(rows.len(), series.iter().map(Vec::len).sum::<usize>());
    for node in ["app", "pay", "sms"] {
        let done: u64 = rows.iter().filter(|r| &r[1] == node).map(|r| r[3].parse::<u64>().unwrap()).sum();
        assert_eq!(done, report.nodes[node].completed, "{node}: a second's throughput is its completions");
        let seconds: Vec<u32> = rows.iter().filter(|r| &r[1] == node).map(|r| r[0].parse().unwrap()).collect();
        assert_eq!(seconds, (0..5).collect::<Vec<u32>>(), "{node}: one row per simulated second");
    }
}

#[test]
fn an_empty_scenario_exports_valid_empty_files() {
    let s = Scenario::default();
    let (report, series) = run(&s);
    for format in Format::ALL {
        let text = export::text(format, &s, &report, &series);
        match format {
            Format::Csv | Format::SeriesCsv => {
                let (header, rows) = read_csv(&text);
                assert!(!header.is_empty() && rows.is_empty(), "{format:?}: a header and no rows");
            }
            Format::Resilience4j => {
                let y: serde_yaml::Value = serde_yaml::from_str(&text).expect("YAML");
                for section in ["retry", "circuitbreaker", "timelimiter"] {
                    let instances = &y["resilience4j"][section]["instances"];
                    assert!(instances.as_mapping().is_some_and(|m| m.is_empty()), "{section}: {instances:?}");
                }
            }
            Format::Rabbitmq => {
                let d: Value = serde_json::from_str(&text).expect("JSON");
                check_definitions(&d);
                assert_eq!(d["queues"].as_array().map(Vec::len), Some(0));
            }
            Format::Kafka => {
                let k: Value = serde_json::from_str(&text).expect("JSON");
                assert_eq!(k["topics"].as_array().map(Vec::len), Some(0));
            }
            Format::Json => {
                let r: Value = serde_json::from_str(&text).expect("JSON");
                assert!(r["nodes"].as_object().is_some_and(|n| n.is_empty()));
            }
        }
    }
}

/// The shape RabbitMQ documents for a definitions file (the management
/// API's `GET/POST /api/definitions`): every queue, exchange, binding and
/// policy with its required fields and types, names unique per vhost,
/// bindings between declared things, and policy patterns that compile.
fn check_definitions(d: &Value) {
    let obj = d.as_object().expect("an object");
    assert!(d["rabbit_version"].is_string(), "rabbit_version");
    for key in ["vhosts", "queues", "exchanges", "bindings", "policies"] {
        assert!(obj.get(key).is_some_and(Value::is_array), "{key} is a list");
    }
    let vhosts: BTreeSet<&str> = d["vhosts"].as_array().unwrap().iter().map(|v| v["name"].as_str().unwrap()).collect();
    let mut queues = BTreeSet::new();
    for q in d["queues"].as_array().unwrap() {
        assert!(q["name"].as_str().is_some_and(|n| !n.is_empty() && n.len() <= 255), "queue name: {q}");
        assert!(vhosts.contains(q["vhost"].as_str().unwrap()), "queue vhost declared: {q}");
        assert!(q["durable"].is_boolean() && q["auto_delete"].is_boolean() && q["arguments"].is_object(), "{q}");
        if q["arguments"]["x-queue-type"] == "quorum" {
            assert_eq!(q["durable"], true, "quorum queues are durable: {q}");
        }
        assert!(queues.insert(q["name"].as_str().unwrap().to_string()), "queue declared once: {q}");
    }
    let mut exchanges = BTreeSet::from([String::new()]);
    for e in d["exchanges"].as_array().unwrap() {
        let t = e["type"].as_str().unwrap();
        assert!(["direct", "topic", "fanout", "headers"].contains(&t), "exchange type: {e}");
        assert!(e["durable"].is_boolean() && e["auto_delete"].is_boolean() && e["internal"].is_boolean(), "{e}");
        assert!(e["arguments"].is_object() && vhosts.contains(e["vhost"].as_str().unwrap()), "{e}");
        assert!(exchanges.insert(e["name"].as_str().unwrap().to_string()), "exchange declared once: {e}");
    }
    for b in d["bindings"].as_array().unwrap() {
        assert!(exchanges.contains(b["source"].as_str().unwrap()) && b["source"] != "", "binding source: {b}");
        let dest = b["destination"].as_str().unwrap();
        match b["destination_type"].as_str().unwrap() {
            "queue" => assert!(queues.contains(dest), "binding to a declared queue: {b}"),
            "exchange" => assert!(exchanges.contains(dest), "binding to a declared exchange: {b}"),
            other => panic!("destination_type {other}"),
        }
        assert!(b["routing_key"].is_string() && b["arguments"].is_object(), "{b}");
    }
    for p in d["policies"].as_array().unwrap() {
        assert!(p["name"].is_string() && vhosts.contains(p["vhost"].as_str().unwrap()), "{p}");
        assert!(["queues", "exchanges", "all"].contains(&p["apply-to"].as_str().unwrap()), "{p}");
        assert!(p["priority"].is_i64() && p["definition"].is_object(), "{p}");
        let pattern = p["pattern"].as_str().unwrap();
        let name = pattern.trim_start_matches('^').trim_end_matches('$');
        assert!(queues.contains(name), "the policy names a declared queue: {p}");
        let def = p["definition"].as_object().unwrap();
        if let Some(dlx) = def.get("dead-letter-exchange") {
            assert!(exchanges.contains(dlx.as_str().unwrap()), "dead-letter exchange declared: {p}");
            if dlx == "" {
                let key = def["dead-letter-routing-key"].as_str().unwrap();
                assert!(queues.contains(key), "via the default exchange to a declared queue: {p}");
            }
        }
        if let Some(limit) = def.get("delivery-limit") {
            assert!(limit.is_u64(), "{p}");
        }
    }
}

#[test]
fn rabbitmq_definitions_declare_what_the_diagram_says() {
    let s = scenario();
    let d: Value = serde_json::from_str(&export::rabbitmq::definitions(&s)).expect("JSON");
    check_definitions(&d);
    let names: Vec<&str> = d["queues"].as_array().unwrap().iter().map(|q| q["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["sms_q", "sms_dlq", "audit_q", "events.l5"], "queue nodes, then the service's subscription");
    let policy = d["policies"].as_array().unwrap().iter().find(|p| p["pattern"] == "^sms_q$").expect("sms_q's policy");
    let def = &policy["definition"];
    assert_eq!(def["dead-letter-routing-key"], "sms_dlq");
    assert_eq!(def["delivery-limit"], 2, "3 deliveries: dead-lettered on the third return");
    assert_eq!(def["max-length"], 500);
    assert_eq!(def["overflow"], "reject-publish", "a full queue refuses the enqueue");
    let fanout = &d["exchanges"][0];
    assert_eq!((fanout["name"].as_str(), fanout["type"].as_str()), (Some("events"), Some("fanout")));
    let bound: BTreeSet<&str> =
        d["bindings"].as_array().unwrap().iter().map(|b| b["destination"].as_str().unwrap()).collect();
    assert_eq!(bound, BTreeSet::from(["audit_q", "events.l5"]), "every subscriber bound to the topic");
}

#[test]
fn resilience4j_yaml_holds_every_links_retry_breaker_and_timeout() {
    let s = scenario();
    let y: serde_yaml::Value = serde_yaml::from_str(&export::resilience4j::yaml(&s)).expect("YAML");
    let r = &y["resilience4j"];
    let retry = &r["retry"]["instances"]["l1"];
    assert_eq!(retry["maxAttempts"].as_u64(), Some(4));
    assert_eq!(retry["waitDuration"].as_str(), Some("50ms"));
    assert_eq!(retry["exponentialBackoffMultiplier"].as_f64(), Some(3.0));
    assert_eq!(retry["exponentialMaxWaitDuration"].as_str(), Some("2s"));
    assert_eq!(retry["enableRandomizedWait"].as_bool(), Some(true));
    let cb = &r["circuitbreaker"]["instances"]["l1"];
    assert_eq!(cb["slidingWindowType"].as_str(), Some("COUNT_BASED"));
    assert_eq!(cb["slidingWindowSize"].as_u64(), Some(20));
    assert_eq!(cb["minimumNumberOfCalls"].as_u64(), Some(10));
    assert_eq!(cb["failureRateThreshold"].as_f64(), Some(25.0));
    assert_eq!(cb["waitDurationInOpenState"].as_str(), Some("5s"));
    assert_eq!(cb["permittedNumberOfCallsInHalfOpenState"].as_u64(), Some(3));
    let time = &r["circuitbreaker"]["instances"]["l3"];
    assert_eq!(time["slidingWindowType"].as_str(), Some("TIME_BASED"));
    assert_eq!(time["slidingWindowSize"].as_f64(), Some(30.0), "seconds");
    assert_eq!(time["minimumNumberOfCalls"].as_u64(), Some(5));
    assert_eq!(r["timelimiter"]["instances"]["l1"]["timeoutDuration"].as_str(), Some("1500ms"));
    let with_retry = r["retry"]["instances"].as_mapping().unwrap();
    assert_eq!(with_retry.len(), 1, "links without a retry have no retry instance");
}

#[test]
fn the_report_export_is_what_crosstalk_run_json_prints() {
    let s = scenario();
    let (report, series) = run(&s);
    let exported = export::text(Format::Json, &s, &report, &series);
    let mut stdin = std::io::empty();
    let dir = std::env::temp_dir().join(format!("crosstalk-export-{}.json", std::process::id()));
    std::fs::write(&dir, SCENARIO).unwrap();
    let path = dir.to_string_lossy().to_string();
    let printed = crosstalk::runner::main_with(&["run".into(), path.clone(), "--json".into()], &mut stdin);
    let cli = crosstalk::runner::main_with(&["export".into(), path, "--format".into(), "json".into()], &mut stdin);
    let _ = std::fs::remove_file(&dir);
    assert_eq!(exported, printed.stdout, "same document as run --json");
    assert_eq!(cli.stdout, printed.stdout, "crosstalk export --format json prints it too");
    let v: Value = serde_json::from_str(&exported).unwrap();
    assert!(v["run_hash"].as_str().is_some_and(|h| h.len() == 16));
}

#[test]
fn crosstalk_export_prints_each_format_and_refuses_bad_ones() {
    let dir = std::env::temp_dir().join(format!("crosstalk-export-cli-{}.json", std::process::id()));
    std::fs::write(&dir, SCENARIO).unwrap();
    let path = dir.to_string_lossy().to_string();
    let mut stdin = std::io::empty();
    for format in Format::ALL {
        let args: Vec<String> = vec!["export".into(), path.clone(), "--format".into(), format.name().into()];
        let out = crosstalk::runner::main_with(&args, &mut stdin);
        assert_eq!(out.code, 0, "{}: {}", format.name(), out.stderr);
        assert!(!out.stdout.is_empty());
    }
    let bad = crosstalk::runner::main_with(&["export".into(), path, "--format".into(), "pdf".into()], &mut stdin);
    let _ = std::fs::remove_file(&dir);
    assert_eq!(bad.code, 2);
    assert!(bad.stderr.contains("--format") && bad.stderr.contains("series-csv"), "{}", bad.stderr);
    let broken = r#"{"crosstalk": 1, "nodes": [{"id": "q", "kind": "queue", "dead_letter": "nowhere"}]}"#;
    let out = crosstalk::runner::main_with(
        &["export".into(), "-".into(), "--format".into(), "rabbitmq".into()],
        &mut broken.as_bytes(),
    );
    assert_eq!(out.code, 2, "a scenario that does not validate is refused");
    assert!(out.stderr.contains("nowhere"), "{}", out.stderr);
}

fn example(file: &str) -> Scenario {
    let text = std::fs::read_to_string(format!("examples/{file}")).expect("the example exists");
    load::parse(&text).expect("the example parses")
}

#[test]
fn rabbitmq_definitions_route_through_exchanges_alternates_and_a_dead_letter_exchange() {
    let d: Value = serde_json::from_str(&export::rabbitmq::definitions(&example("rabbit-routing.json"))).unwrap();
    check_definitions(&d);
    let exchange = |name: &str| d["exchanges"].as_array().unwrap().iter().find(|e| e["name"] == name).cloned();
    let orders = exchange("orders").expect("the orders exchange");
    assert_eq!(orders["type"], "topic");
    assert_eq!(
        orders["arguments"]["alternate-exchange"], "orders.alternate",
        "a queue alternate goes through a fanout"
    );
    assert_eq!(exchange("orders.alternate").expect("declared")["type"], "fanout");
    assert_eq!(exchange("dlx").expect("the dead-letter exchange")["type"], "fanout");
    let binding = |src: &str, dst: &str| {
        d["bindings"].as_array().unwrap().iter().find(|b| b["source"] == src && b["destination"] == dst).cloned()
    };
    assert_eq!(binding("orders", "billing_q").expect("bound")["routing_key"], "order.paid.*");
    assert_eq!(binding("orders", "audit_q").expect("bound")["routing_key"], "order.created.#");
    assert!(binding("orders.alternate", "unrouted").is_some(), "unroutable messages reach the alternate queue");
    assert_eq!(binding("dlx", "dead").expect("bound")["routing_key"], "#", "the format's default binding key");
    let policy = d["policies"].as_array().unwrap().iter().find(|p| p["pattern"] == "^billing_q$").unwrap();
    assert_eq!(policy["definition"]["dead-letter-exchange"], "dlx");
    assert!(policy["definition"].get("dead-letter-routing-key").is_none(), "dead letters keep their routing key");
}

#[test]
fn fifo_queues_consume_in_order_and_log_topics_are_left_to_kafka() {
    let d: Value = serde_json::from_str(&export::rabbitmq::definitions(&example("sqs-fifo.json"))).unwrap();
    check_definitions(&d);
    let fifo = d["queues"].as_array().unwrap().iter().find(|q| q["name"] == "fifo").unwrap();
    assert_eq!(fifo["arguments"]["x-single-active-consumer"], true);
    let kafka = example("kafka-crash.json");
    let d: Value = serde_json::from_str(&export::rabbitmq::definitions(&kafka)).unwrap();
    check_definitions(&d);
    assert!(d["exchanges"].as_array().unwrap().is_empty(), "a log topic is not a RabbitMQ exchange");
}

#[test]
fn kafka_settings_hold_each_log_topics_partitions_retention_and_groups() {
    let k: Value = serde_json::from_str(&export::kafka::topics(&example("kafka-crash.json"))).unwrap();
    let topics = k["topics"].as_array().unwrap();
    assert_eq!(topics.len(), 1);
    assert_eq!(topics[0]["topic_name"], "events");
    assert_eq!(topics[0]["partitions_count"], 8);
    let config = |name: &str| {
        topics[0]["configs"].as_array().unwrap().iter().find(|c| c["name"] == name).map(|c| c["value"].clone())
    };
    assert_eq!(config("retention.ms"), Some(Value::from("-1")), "no retention set: keep everything");
    let groups = k["consumer_groups"].as_array().unwrap();
    let group = |id: &str| groups.iter().find(|g| g["consumer_properties"]["group.id"] == id).unwrap();
    assert_eq!(group("billing")["consumer_properties"]["enable.auto.commit"], "true");
    assert_eq!(group("billing")["consumer_properties"]["auto.commit.interval.ms"], "5000");
    assert_eq!(group("emails")["consumer_properties"]["enable.auto.commit"], "false");
    assert_eq!(group("emails")["members"], serde_json::json!(["emails"]));
    let mut s = example("kafka-crash.json");
    s.nodes[1].retention_ms = Some(3_600_000.0);
    let k: Value = serde_json::from_str(&export::kafka::topics(&s)).unwrap();
    assert!(k["topics"][0]["configs"].as_array().unwrap().iter().any(|c| c["value"] == "3600000"));
}

/// The pretty JSON the app writes (scenario files, the report, RabbitMQ and
/// Kafka settings) is indented from the compact text by the crate itself
/// (`format::json::to_string_pretty`, a smaller download): it must be
/// serde_json's pretty output byte for byte.
#[test]
fn pretty_json_files_are_byte_for_byte_serde_jsons_pretty_output() {
    let mut scenarios = vec![scenario()];
    for entry in std::fs::read_dir("examples").expect("examples/") {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "json") {
            scenarios.push(load::parse(&std::fs::read_to_string(&path).unwrap()).expect("an example parses"));
        }
    }
    for s in &scenarios {
        assert_eq!(s.to_json_pretty(), serde_json::to_string_pretty(s).unwrap(), "{}", s.name);
        for text in [export::rabbitmq::definitions(s), export::kafka::topics(s)] {
            let v: Value = serde_json::from_str(&text).unwrap();
            assert_eq!(text, serde_json::to_string_pretty(&v).unwrap() + "\n", "{}", s.name);
        }
    }
    let (report, series) = run(&scenario());
    let text = export::text(Format::Json, &scenario(), &report, &series);
    assert_eq!(text, serde_json::to_string_pretty(&report).unwrap() + "\n");
}
