//! The `crosstalk` command as users run it: exit codes, one-line errors,
//! the JSON shape of MODEL.md, share links back and forth.

mod common;
use std::io::Write;
use std::process::{Command, Output, Stdio};

const BIN: &str = env!("CARGO_BIN_EXE_crosstalk");
const EXAMPLE: &str = "tests/fixtures/v1/model-example.json";

fn crosstalk(args: &[&str]) -> Output {
    Command::new(BIN).args(args).output().expect("the binary runs")
}

fn with_stdin(args: &[&str], input: &str) -> Output {
    let mut child = Command::new(BIN)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary runs");
    child.stdin.take().unwrap().write_all(input.as_bytes()).unwrap();
    child.wait_with_output().unwrap()
}

fn json(out: &Output) -> serde_json::Value {
    assert!(out.status.success(), "stderr: {}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).expect("--json prints one JSON object")
}

fn bad_input(out: &Output) -> String {
    assert_eq!(out.status.code(), Some(2), "stdout: {}", String::from_utf8_lossy(&out.stdout));
    let err = String::from_utf8_lossy(&out.stderr).to_string();
    assert_eq!(err.trim_end().lines().count(), 1, "one line: {err}");
    err
}

#[test]
fn run_json_has_the_model_shape() {
    let v = json(&crosstalk(&["run", EXAMPLE, "--json"]));
    assert!(v["run_hash"].as_str().is_some_and(|h| h.len() == 16));
    assert!(v["events"].as_u64().unwrap() > 1000);
    assert_eq!(v["sim_ms"].as_f64(), Some(60000.0));
    for id in ["app", "pay", "sms_q", "sms_dlq", "sms"] {
        let n = &v["nodes"][id];
        for k in ["arrivals", "completed", "failed"] {
            assert!(n[k].is_u64(), "{id}.{k}");
        }
        for k in ["mean", "p50", "p95", "p99"] {
            assert!(n["latency_ms"][k].is_number(), "{id}.latency_ms.{k}");
        }
        assert!(n["wait_ms"]["mean"].is_number());
        assert!(n["queue_len"]["mean"].is_number() && n["queue_len"]["max"].is_number());
        assert!(n["utilization"].is_number());
    }
    let m = &v["messages"];
    let sum: u64 = common::END_STATES.iter().map(|k| m[k].as_u64().unwrap()).sum();
    assert_eq!(m["sent"].as_u64().unwrap(), sum);
    assert!(m["duplicates"].is_u64());
}

#[test]
fn the_same_file_gives_the_same_hash_and_seed_changes_it() {
    let a = json(&crosstalk(&["run", EXAMPLE, "--json"]));
    let b = json(&crosstalk(&["run", EXAMPLE, "--json"]));
    let c = json(&crosstalk(&["run", EXAMPLE, "--json", "--seed", "8"]));
    assert_eq!(a["run_hash"], b["run_hash"]);
    assert_ne!(a["run_hash"], c["run_hash"]);
    let short = json(&crosstalk(&["run", EXAMPLE, "--json", "--duration-ms", "5000"]));
    assert_eq!(short["sim_ms"].as_f64(), Some(5000.0));
}

#[test]
fn a_link_runs_like_its_file() {
    let out = crosstalk(&["link", EXAMPLE, "--base", "https://crosstalk.example/app/"]);
    assert!(out.status.success());
    let link = String::from_utf8(out.stdout).unwrap().trim().to_string();
    assert!(link.starts_with("https://crosstalk.example/app/#s1."), "{link}");
    let from_file = json(&crosstalk(&["run", EXAMPLE, "--json"]));
    let from_link = json(&crosstalk(&["run", &link, "--json"]));
    assert_eq!(from_file["run_hash"], from_link["run_hash"]);
    let from_stdin = json(&with_stdin(&["run", "-", "--json"], &std::fs::read_to_string(EXAMPLE).unwrap()));
    assert_eq!(from_file["run_hash"], from_stdin["run_hash"]);
}

#[test]
fn bad_input_exits_2_with_one_line() {
    let e = bad_input(&crosstalk(&["run", "no/such/file.json"]));
    assert!(e.contains("no such file"), "{e}");
    let e = bad_input(&with_stdin(&["run", "-"], "{ not json"));
    assert!(e.contains("not valid JSON"), "{e}");
    let e = bad_input(&with_stdin(
        &["run", "-"],
        r#"{"crosstalk":1,"nodes":[{"id":"pay","kind":"service"},{"id":"sms","kind":"service"}],
            "links":[{"id":"l3","from":"pay","to":"sms","via":"consume"}]}"#,
    ));
    assert!(e.contains("link `l3`") && e.contains("must start at a queue"), "{e}");
    let e = bad_input(&with_stdin(
        &["run", "-"],
        r#"{"crosstalk":1,"nodes":[{"id":"c","kind":"client","rate_per_s":1e9}]}"#,
    ));
    assert!(e.contains("rate_per_s") && e.contains("limit"), "{e}");
    let e = bad_input(&with_stdin(&["run", "-"], r#"{"crosstalk":7,"nodes":[]}"#));
    assert!(e.contains("newer"), "{e}");
    let e = bad_input(&crosstalk(&["run", "https://x.example/#s1.AAAA"]));
    assert!(e.contains("damaged"), "{e}");
    bad_input(&crosstalk(&["run", EXAMPLE, "--seed", "-1"]));
    bad_input(&crosstalk(&["explode"]));
}

#[test]
fn check_reports_ok_or_the_problem() {
    let out = crosstalk(&["check", EXAMPLE]);
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("ok: 5 nodes, 3 links, 1 faults"));
    let e = bad_input(&with_stdin(
        &["check", "-"],
        r#"{"crosstalk":1,"nodes":[{"id":"a","kind":"service"},{"id":"a","kind":"queue"}]}"#,
    ));
    assert!(e.contains("used twice"), "{e}");
}

#[test]
fn human_output_is_a_table() {
    let out = crosstalk(&["run", EXAMPLE]);
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("run hash"));
    assert!(text.lines().any(|l| l.starts_with("sms_q") && l.contains("queue")));
    assert!(text.contains("messages: sent"));
}

#[test]
fn every_frozen_v1_fixture_still_loads_and_runs() {
    for entry in std::fs::read_dir("tests/fixtures/v1").unwrap() {
        let path = entry.unwrap().path();
        let out = crosstalk(&["run", path.to_str().unwrap(), "--json", "--duration-ms", "2000"]);
        assert!(out.status.success(), "{}: {}", path.display(), String::from_utf8_lossy(&out.stderr));
    }
}

#[test]
fn check_prints_design_warnings_without_failing() {
    let out = with_stdin(
        &["check", "-"],
        r#"{"crosstalk":1,"nodes":[{"id":"c","kind":"client","label":"Coders","rate_per_s":10000},
            {"id":"api","kind":"service","label":"Primary backend","workers":16,"work_ms":{"exp":10}},
            {"id":"q","kind":"queue","label":"Jobs"},{"id":"x","kind":"service","label":"Spare"}],
            "links":[{"id":"l1","from":"c","to":"api","via":"http"},{"id":"l2","from":"api","to":"q","via":"enqueue"}]}"#,
    );
    assert!(out.status.success(), "warnings never fail the check");
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.starts_with("ok: 4 nodes"), "{text}");
    assert!(text.contains("warning: Primary backend gets about 10,000/s but can handle about 1,600/s"), "{text}");
    assert!(text.contains("warning: Nobody consumes Jobs"), "{text}");
    assert!(text.contains("warning: Spare is not connected to anything."), "{text}");
    // And the scenario still runs.
    let out = with_stdin(
        &["run", "-", "--duration-ms", "100", "--json"],
        r#"{"crosstalk":1,"nodes":[{"id":"q","kind":"queue"}]}"#,
    );
    assert!(out.status.success());
}

#[test]
fn a_run_over_its_event_budget_is_refused_and_max_events_sets_the_budget() {
    // The model example makes about 24,000 events.
    let err = bad_input(&crosstalk(&["run", EXAMPLE, "--max-events", "1000"]));
    assert!(err.contains("above the budget of 1,000 events per run"), "{err}");
    assert!(err.contains("shorten the run to") && err.contains("--max-events"), "{err}");
    let v = json(&crosstalk(&["run", EXAMPLE, "--json", "--max-events", "1000000"]));
    assert_eq!(v["finished"], true);
    // A budget the estimate fits but the run does not (the estimate cannot
    // know that most calls outlast their timeout at the service and are
    // retried; it sees only a timeout shorter than the wire): it stops with
    // a warning and still prints its report.
    let storm = r#"{"crosstalk":1,"duration_ms":1000,
        "nodes":[{"id":"c","kind":"client","rate_per_s":100},{"id":"s","kind":"service","work_ms":{"exp":10},"workers":100}],
        "links":[{"from":"c","to":"s","via":"http","timeout_ms":3,"retry":{"attempts":5,"base_ms":1}}]}"#;
    let out = with_stdin(&["run", "-", "--json", "--max-events", "1000"], storm);
    let v = json(&out);
    assert!(v["stopped"].as_str().is_some_and(|m| m.contains("the budget of one run")), "{v}");
    assert!(String::from_utf8_lossy(&out.stderr).contains("warning: stopped at"));
    // A timeout shorter than the wire itself the estimate does see, and
    // says so.
    let never = storm.replace(r#""timeout_ms":3"#, r#""timeout_ms":1"#);
    let err = bad_input(&with_stdin(&["run", "-", "--max-events", "1000"], &never));
    assert!(err.contains("timeout_ms (1) is shorter than the call's 2 ms round trip"), "{err}");
}
