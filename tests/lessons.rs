//! The golden tests: every lesson of the gallery, run natively, satisfies
//! every one of its checks. A lesson is a claim about the engine in the
//! texts' words ("payments do not fail while SMS is down"); this is where
//! the claim is kept true.

use crosstalk::editor::{examples, lessons};
use crosstalk::engine::lesson::metrics::{COUNT_EXTRAS, LEVEL_EXTRAS};
use crosstalk::engine::lesson::{Lesson, Step, Verdict};
use crosstalk::engine::{Sim, SimOptions};
use std::collections::BTreeMap;

#[test]
fn every_lesson_file_reads() {
    let (ok, bad) = lessons::all();
    assert!(bad.is_empty(), "lessons that do not read:\n{}", bad.join("\n"));
    assert_eq!(ok.len(), lessons::files().len());
}

#[test]
fn every_lesson_satisfies_every_check() {
    let mut failures = Vec::new();
    for lesson in lessons::catalog() {
        let run = match lessons::run(&lesson) {
            Ok(r) => r,
            Err(e) => {
                failures.push(format!("{}: {e}", lesson.name));
                continue;
            }
        };
        let checks = lesson.steps.iter().filter(|s| matches!(s, Step::Observe(_))).count();
        assert_eq!(run.results.len(), checks, "{}: every check is judged", lesson.name);
        for r in run.results.iter().filter(|r| r.judgement.verdict != Verdict::Holds) {
            failures.push(format!(
                "{} step {}: {:?}: `{}` ({})",
                lesson.name,
                r.step + 1,
                r.judgement.verdict,
                r.check,
                r.judgement.detail
            ));
        }
    }
    assert!(failures.is_empty(), "checks that do not hold:\n{}", failures.join("\n"));
}

#[test]
fn the_gallery_holds_every_case_study_of_the_texts() {
    let lessons = lessons::catalog();
    assert!(lessons.len() >= 26, "{} lessons", lessons.len());
    let names: Vec<&str> = lessons.iter().map(|l| l.name.as_str()).collect();
    // The case studies of the texts (issue 10's list), by lesson name.
    for name in [
        "sync-vs-async",
        "registration-fanout",
        "price-request-reply",
        "netflix-encoding",
        "shopify-order-saga",
        "reconnect-storm",
        "outbox-vs-dual-write",
        "circuit-breaker-texts",
        "retries-backoff-dlq",
        "redis-persistence",
        "sse-ws-polling",
        "eventual-consistency",
        "phonepe-sms-queue",
        "phonepe-sms-http",
        "leetcode-judge",
        "food-ordering",
        "booking-saga",
        "retry-storm",
        // The brokers' case studies.
        "kafka-ordering",
        "kafka-consumer-crash",
        "rabbitmq-routing",
        "sqs-fifo-groups",
        "whatsapp-offline",
        "leetcode-while-true",
        // Scale-out and the synchronous side (issue 9).
        "replica-health-checks",
        "handshake-vs-kept-connection",
        "power-of-two-choices",
        "four-protocols",
        "uber-matching",
        // Regions: the chat room across India and the US.
        "chat-across-regions",
    ] {
        assert!(names.contains(&name), "missing lesson {name}");
    }
    // Every example is the scenario of a lesson, so the Examples menu and
    // the gallery tell the same story.
    for key in examples::EXAMPLES.iter().map(|e| e.key) {
        let e = examples::by_key(key).unwrap_or_else(|| panic!("no example {key}"));
        assert!(lessons.iter().any(|l| l.scenario == e.scenario()), "example {key} has no lesson");
    }
}

#[test]
fn every_lesson_has_a_story_steps_to_take_and_a_why() {
    for l in lessons::catalog() {
        assert!(!l.title.is_empty() && !l.summary.is_empty(), "{}", l.name);
        assert!(!l.story.is_empty() && !l.why.is_empty(), "{}", l.name);
        let actions = l.steps.iter().filter(|s| matches!(s, Step::Action(_))).count();
        let checks = l.steps.len() - actions;
        assert!(actions >= 1 && checks >= 2, "{}: {actions} actions, {checks} checks", l.name);
        assert!(l.summary.len() <= 140, "{}: the card's summary is one line", l.name);
    }
}

/// Every counter a node reports in `extra`, in any example or lesson, can
/// be named in a check, and the ones listed as counts never shrink during
/// a run (a window's difference of a count is what happened in it).
#[test]
fn every_counter_the_engine_reports_is_usable_in_checks() {
    let mut scenarios: Vec<_> = examples::EXAMPLES.iter().map(|e| e.scenario()).collect();
    for l in lessons::catalog() {
        scenarios.extend([l.scenario.clone()].into_iter().chain(l.b.clone()));
    }
    let mut seen = std::collections::BTreeSet::new();
    for s in &scenarios {
        let mut sim = Sim::new(s, SimOptions::default()).expect("valid scenario");
        let slice = (sim.end_us() / 40).max(1);
        let (mut t, mut before) = (0, BTreeMap::<(String, String), f64>::new());
        while !sim.is_finished() {
            t += slice;
            sim.advance_to(t, u64::MAX);
            for (node, n) in sim.report().nodes {
                for (name, v) in n.extra {
                    let listed = COUNT_EXTRAS.contains(&name.as_str()) || LEVEL_EXTRAS.contains(&name.as_str());
                    assert!(listed, "{}: node {node} reports `{name}`, which no check can name", s.name);
                    if COUNT_EXTRAS.contains(&name.as_str()) {
                        let was = before.insert((node.clone(), name.clone()), v).unwrap_or(0.0);
                        assert!(v >= was, "{}: count `{node}.{name}` went from {was} to {v}", s.name);
                    }
                    seen.insert(name);
                }
            }
        }
    }
    // The brokers' own figures are among those exercised.
    for name in ["out_of_order", "lost_at_most_once", "unroutable", "delivered_late", "late_delay_mean_ms", "lag"] {
        assert!(seen.contains(name), "no scenario reports `{name}`");
    }
}

fn lesson(text: &str) -> Result<Lesson, String> {
    lessons::parse(text)
}

const BASE: &str = r#""lesson":1,"name":"t","title":"T","group":"queues","summary":"s","story":["s"],"why":["w"],"scenario":"payments-queue""#;

#[test]
fn a_check_naming_a_missing_node_or_metric_fails_with_a_message() {
    let with = |steps: &str| lesson(&format!("{{{BASE},\"steps\":[{{\"do\":\"run\",\"text\":\"go\"}},{steps}]}}"));
    let e = with(r#"{"check":"nodes.smss.failed == 0","text":"x"}"#).unwrap_err();
    assert!(e.contains("step 2") && e.contains("no node `smss`"), "{e}");
    let e = with(r#"{"check":"nodes.sms.fialed == 0","text":"x"}"#).unwrap_err();
    assert!(e.contains("no metric `fialed`"), "{e}");
    let e = with(r#"{"check":"messages.lost = 0","text":"x"}"#).unwrap_err();
    assert!(e.contains("=="), "{e}");
    let e = with(r#"{"check":"messages.lost == 0 while pay is down","text":"x"}"#).unwrap_err();
    assert!(e.contains("never down"), "{e}");
    let e = with(r#"{"do":"crash","target":"sms","at_ms":21000,"text":"x"}"#).unwrap_err();
    assert!(e.contains("no `crash` fault on `sms` starting at 21000"), "{e}");
    let e = with(r#"{"do":"crash","target":"sms","text":"x"}"#).unwrap_err();
    assert!(e.contains("at_ms"), "{e}");
    let e = with(r#"{"check":"b.messages.lost == 0","text":"x"}"#).unwrap_err();
    assert!(e.contains("no variant B"), "{e}");
    let e = lesson(&format!("{{{BASE},\"steps\":[{{\"do\":\"fly\",\"text\":\"x\"}}]}}")).unwrap_err();
    assert!(e.contains("fly"), "{e}");
    let e = lesson(&format!(
        "{{{},\"steps\":[{{\"do\":\"run\",\"text\":\"x\"}}]}}",
        BASE.replace("payments-queue", "nope")
    ))
    .unwrap_err();
    assert!(e.contains("no example named `nope`"), "{e}");
}

#[test]
fn a_set_step_changes_the_scenario_for_the_checks_after_it() {
    let text = format!(
        "{{{BASE},\"steps\":[{{\"do\":\"run\",\"text\":\"go\"}},\
         {{\"check\":\"requests.failed == 0\",\"text\":\"queue: none fail\"}},\
         {{\"do\":\"set\",\"target\":\"sms\",\"field\":\"workers\",\"value\":0,\"text\":\"bad\"}}]}}"
    );
    // The editor refuses 0 workers: the run names the step's field.
    let l = lesson(&text).unwrap();
    let e = lessons::run(&l).unwrap_err();
    assert!(e.contains("workers") && e.contains("at least 1"), "{e}");
    let text = text
        .replace("\"value\":0", "\"value\":1")
        .replace("]}", ",{\"check\":\"nodes.sms.completed < 2000\",\"text\":\"one worker cannot keep up\"}]}");
    let run = lessons::run(&lesson(&text).unwrap()).unwrap();
    assert_eq!(run.hashes.len(), 2, "two phases");
    assert!(run.passed(), "{:?}", run.results);
}

/// The databases' lessons (issue 9 point 5): the story says what to watch
/// (the stale-read figures), and the checks judge those very figures, the
/// writer's own reads never stale while the others' are.
#[test]
fn the_database_lessons_watch_stale_reads() {
    for (name, own_fresh) in [
        ("read-replicas-stale-inventory", "nodes.checkout.stale_reads == 0"),
        ("cqrs-read-model-lag", "nodes.write_db.stale_reads == 0"),
    ] {
        let l = lessons::catalog().into_iter().find(|l| l.name == name).unwrap_or_else(|| panic!("lesson {name}"));
        assert!(l.story.iter().any(|p| p.contains("Watch the")), "{name}: the story says what to watch");
        let run = lessons::run(&l).expect("runs");
        assert!(run.results.iter().all(|r| r.judgement.verdict == Verdict::Holds), "{name}");
        assert!(run.results.iter().filter(|r| r.check.contains("stale")).count() >= 3, "{name}");
        assert!(run.results.iter().any(|r| r.check == own_fresh), "{name}: checks {own_fresh}");
    }
}
