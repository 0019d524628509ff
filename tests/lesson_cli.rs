//! `crosstalk lesson`, lesson and comparison links on the command line,
//! and the format additions lessons rely on (the time-based breaker, the
//! reconnect storm's fields), as users meet them.

use crosstalk::engine::format::{load, validate, Severity};
use std::process::{Command, Output};

const BIN: &str = env!("CARGO_BIN_EXE_crosstalk");

fn crosstalk(args: &[&str]) -> Output {
    Command::new(BIN).args(args).output().expect("the binary runs")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).to_string()
}

#[test]
fn lesson_lists_the_gallery_and_runs_one_with_its_checks() {
    let list = crosstalk(&["lesson"]);
    assert!(list.status.success());
    let text = stdout(&list);
    for heading in ["Sync calls", "Queues", "Resilience", "Scale"] {
        assert!(text.contains(heading), "{text}");
    }
    assert!(text.contains("sync-vs-async") && text.contains("(A/B)"), "{text}");
    let one = crosstalk(&["lesson", "circuit-breaker-texts"]);
    assert!(one.status.success(), "{}", stdout(&one));
    let text = stdout(&one);
    assert!(text.contains("breakers.pay.opened == 1 during 40s..41s"), "{text}");
    assert!(text.contains("-> breakers.pay.opened = 1 (over 40–41 s)"), "{text}");
    assert!(text.contains("5 of 5 checks hold"), "{text}");
}

#[test]
fn a_lesson_file_being_written_runs_and_a_failing_check_exits_1() {
    let dir = std::env::temp_dir().join(format!("crosstalk-lesson-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("draft.json");
    let draft = r#"{"lesson":1,"name":"draft","title":"Draft","group":"queues","summary":"s","story":["s"],"why":["w"],
        "scenario":"payments-queue","steps":[{"do":"run","text":"go"},
        {"check":"messages.lost > 0","text":"wrongly expects a loss"},
        {"check":"requests.ok > 1000","text":"right"}]}"#;
    std::fs::write(&file, draft).unwrap();
    let out = crosstalk(&["lesson", file.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    let text = stdout(&out);
    assert!(text.contains("FAIL wrongly expects a loss") && text.contains("-> messages.lost = 0"), "{text}");
    assert!(text.contains("1 of 2 checks hold"), "{text}");
    std::fs::write(&file, draft.replace("messages.lost > 0", "nodes.smss.lost > 0")).unwrap();
    let bad = crosstalk(&["lesson", file.to_str().unwrap()]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("no node `smss`"));
    let none = crosstalk(&["lesson", "no-such-lesson"]);
    assert_eq!(none.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&none.stderr).contains("no lesson named `no-such-lesson`"));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn comparison_and_lesson_links_run_on_the_command_line() {
    let link = |f: &str| stdout(&crosstalk(&["link", f])).trim().to_string();
    let hash = |arg: &str| {
        let out = crosstalk(&["run", arg, "--json"]);
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        serde_json::from_slice::<serde_json::Value>(&out.stdout).unwrap()["run_hash"].as_str().unwrap().to_string()
    };
    let a = "src/editor/examples/payments_http.json";
    let b = "src/editor/examples/payments_queue.json";
    let (la, lb) = (link(a), link(b));
    let pair = format!("{la}&b={}&lesson=phonepe-sms-http&step=2", lb.split('#').nth(1).unwrap());
    assert_eq!(hash(&pair), hash(a), "a comparison link runs its A");
    assert_eq!(hash("http://x/#lesson=phonepe-sms-queue&step=3"), hash(b), "a lesson link runs the lesson's scenario");
    let out = crosstalk(&["run", "http://x/#lesson=nope"]);
    assert_eq!(out.status.code(), Some(2));
}

fn problems(json: &str) -> Vec<(Severity, String)> {
    let s = load::parse(json).unwrap_or_else(|e| panic!("{e}"));
    validate(&s).into_iter().map(|p| (p.severity, p.to_string())).collect()
}

#[test]
fn the_time_based_breaker_fields_are_checked_and_named() {
    let with = |breaker: &str| {
        format!(
            r#"{{"crosstalk":1,"nodes":[{{"id":"a","kind":"client"}},{{"id":"b","kind":"service"}}],
            "links":[{{"id":"l1","from":"a","to":"b","via":"http","circuit_breaker":{breaker}}}]}}"#
        )
    };
    assert!(problems(&with(r#"{"window_type":"time","window_ms":30000,"min_failures":5,"open_ms":60000}"#)).is_empty());
    let p = problems(&with(r#"{"window_type":"time","min_failures":0}"#));
    assert!(
        p.iter().any(|(s, m)| *s == Severity::Error && m.contains("min_failures") && m.contains("at least 1")),
        "{p:?}"
    );
    let p = problems(&with(r#"{"window_ms":30000}"#));
    assert!(p.iter().any(|(s, m)| *s == Severity::Warning && m.contains("window_ms")), "count mode ignores it: {p:?}");
    let p = problems(&with(r#"{"window_type":"time","window":50}"#));
    assert!(p.iter().any(|(s, m)| *s == Severity::Warning && m.contains("circuit_breaker.window")), "{p:?}");
    let e = load::parse(&with(r#"{"window_type":"weekly"}"#)).unwrap_err().to_string();
    assert!(e.contains("circuit_breaker.window_type"), "{e}");
}

#[test]
fn reconnect_fields_are_checked() {
    let s = r#"{"crosstalk":1,"nodes":[{"id":"ws","kind":"websocket","accept_per_s":0.5},
        {"id":"people","kind":"browser","reconnect_jitter":false}],
        "links":[{"id":"p","from":"ws","to":"people","via":"push"}]}"#;
    let p = problems(s);
    assert!(p.iter().any(|(s, m)| *s == Severity::Error && m.contains("accept_per_s")), "{p:?}");
    let p = problems(&s.replace("\"accept_per_s\":0.5", "\"accept_per_s\":500"));
    assert!(p.is_empty(), "{p:?}");
    let p = problems(&s.replace("\"kind\":\"browser\",\"reconnect_jitter\":false", "\"kind\":\"browser\""));
    assert!(p.iter().any(|(_, m)| m.contains("accept_per_s")), "still checked: {p:?}");
}
