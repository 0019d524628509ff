//! `crosstalk lesson`: lists the lessons, or runs one natively and prints
//! each of its checks with the values the run produced.

use crate::editor::lessons;
use crate::engine::lesson::{Lesson, Step, Verdict};

/// The text to print and whether every check held.
pub fn run(name: Option<&str>) -> Result<(String, bool), String> {
    let Some(name) = name else {
        return Ok((list(), true));
    };
    let lesson = if name.ends_with(".json") || std::path::Path::new(name).is_file() {
        let text = std::fs::read_to_string(name).map_err(|e| format!("cannot read {name}: {e}"))?;
        lessons::parse(&text).map_err(|e| format!("{name}: {e}"))?
    } else {
        lessons::by_name(name).ok_or_else(|| match lessons::files().iter().find(|(stem, _)| *stem == name) {
            Some((_, text)) => lessons::parse(text).err().unwrap_or_default(),
            None => format!("no lesson named `{name}` (`crosstalk lesson` lists them)"),
        })?
    };
    show(&lesson)
}

fn list() -> String {
    let (all, bad) = lessons::all();
    let mut out = String::new();
    let mut n = 0;
    for (group, items) in lessons::grouped(&all) {
        out.push_str(&format!("{}\n", group.title()));
        for l in items {
            n += 1;
            let kind = if l.is_comparison() { " (A/B)" } else { "" };
            out.push_str(&format!("  {n:>2}. {:<28} {}{kind}\n", l.name, l.title));
        }
    }
    for b in bad {
        out.push_str(&format!("broken: {b}\n"));
    }
    out.push_str(&format!("{n} lessons; `crosstalk lesson NAME` runs one.\n"));
    out
}

fn show(lesson: &Lesson) -> Result<(String, bool), String> {
    let run = lessons::run(lesson)?;
    let mut out = format!("{} ({})\n", lesson.title, lesson.group.title());
    for (phase, hashes) in run.hashes.iter().enumerate() {
        let names = if lesson.is_comparison() { lesson.labels.clone() } else { ["run".into(), String::new()] };
        for (v, h) in hashes.iter().enumerate() {
            if let Some(h) = h {
                out.push_str(&format!("  phase {}: {} hash {h}\n", phase + 1, names[v]));
            }
        }
    }
    for (i, step) in lesson.steps.iter().enumerate() {
        match step {
            Step::Action(a) => out.push_str(&format!("  {:>2}. [{}] {}\n", i + 1, a.button, a.text)),
            Step::Observe(_) => {
                let Some(r) = run.results.iter().find(|r| r.step == i) else { continue };
                let mark = match r.judgement.verdict {
                    Verdict::Holds => "ok  ",
                    Verdict::Fails => "FAIL",
                    Verdict::Pending => "OPEN",
                    Verdict::Broken => "BAD ",
                };
                out.push_str(&format!(
                    "  {:>2}. {mark} {}\n        {}\n        -> {}\n",
                    i + 1,
                    r.text,
                    r.check,
                    r.judgement.detail
                ));
            }
        }
    }
    let held = run.results.iter().filter(|r| r.judgement.verdict == Verdict::Holds).count();
    out.push_str(&format!("{held} of {} checks hold\n", run.results.len()));
    Ok((out, run.passed()))
}
