//! The lessons of the gallery: every file of `lessons/`, bundled by
//! `build.rs`, read with the engine's lesson reader (`engine::lesson`).
//!
//! A lesson may name an example instead of holding a scenario
//! (`"scenario": "payments-queue"`), so an example and its lesson never
//! drift apart. `set` steps change the scenario through the editor's own
//! field setter, the one the inspector uses.

use crate::editor::examples;
use crate::editor::fields;
use crate::engine::format::validate::Place;
use crate::engine::format::Scenario;
use crate::engine::lesson::{run_lesson, Action, Group, Lesson, LessonRun};

mod files {
    include!(concat!(env!("OUT_DIR"), "/lesson_files.rs"));
}

/// The scenario of an example, for lessons that name one.
pub fn resolve_example(key: &str) -> Option<Scenario> {
    examples::by_key(key).map(|e| e.scenario())
}

/// Applies a `set` step: the editor's field setter on the node or link.
pub fn apply_set(s: &Scenario, a: &Action) -> Result<Scenario, String> {
    let target = a.target.as_deref().unwrap_or_default();
    let place = if s.node(target).is_some() {
        Place::Node(target.to_string())
    } else if s.link(target).is_some() {
        Place::Link(target.to_string())
    } else if target == "scenario" {
        Place::Scenario
    } else {
        return Err(format!("no node or link `{target}`"));
    };
    fields::set(s, &place, a.field.as_deref().unwrap_or_default(), a.value.as_deref().unwrap_or_default())
}

/// Every bundled lesson file: (file stem, text).
pub fn files() -> &'static [(&'static str, &'static str)] {
    files::FILES
}

/// Reads one lesson text (a bundled file or one being written).
pub fn parse(text: &str) -> Result<Lesson, String> {
    Lesson::parse(text, &resolve_example)
}

/// Every lesson that reads, in gallery order (group, then `order`, then
/// name), and the messages of those that do not.
pub fn all() -> (Vec<Lesson>, Vec<String>) {
    let mut ok = Vec::new();
    let mut bad = Vec::new();
    for (stem, text) in files() {
        match parse(text) {
            Ok(l) if l.name == *stem => ok.push(l),
            Ok(l) => bad.push(format!("lessons/{stem}.json: its name is `{}`; name the file after it", l.name)),
            Err(e) => bad.push(format!("lessons/{stem}.json: {e}")),
        }
    }
    // Gallery order: by group, then `order`, then name (files come sorted
    // by name). A stable insertion by the first two keys keeps the third.
    let mut sorted: Vec<Lesson> = Vec::with_capacity(ok.len());
    for l in ok {
        let at = sorted.iter().position(|x| (x.group, x.order) > (l.group, l.order)).unwrap_or(sorted.len());
        sorted.insert(at, l);
    }
    (sorted, bad)
}

/// The lessons of the gallery (those that read).
pub fn catalog() -> Vec<Lesson> {
    all().0
}

/// A lesson by name.
pub fn by_name(name: &str) -> Option<Lesson> {
    files().iter().find(|(stem, _)| *stem == name).and_then(|(_, text)| parse(text).ok())
}

/// Runs a lesson natively and judges every check.
pub fn run(lesson: &Lesson) -> Result<LessonRun, String> {
    run_lesson(lesson, &apply_set)
}

/// The lessons of each group, in gallery order (empty groups left out).
pub fn grouped(lessons: &[Lesson]) -> Vec<(Group, Vec<&Lesson>)> {
    Group::ALL
        .iter()
        .map(|g| (*g, lessons.iter().filter(|l| l.group == *g).collect::<Vec<_>>()))
        .filter(|(_, v)| !v.is_empty())
        .collect()
}
