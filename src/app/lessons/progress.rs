//! Progress through each lesson, kept in localStorage per lesson so a
//! learner comes back to where they were: which steps are done, and the
//! step they were on.

use serde_json::{json, Value};

fn key(name: &str) -> String {
    format!("crosstalk.lesson.{name}")
}

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

/// Done flags for a lesson of `steps` steps (all false when nothing or
/// something unreadable was kept).
pub fn load(name: &str, steps: usize) -> Vec<bool> {
    let mut done = vec![false; steps];
    let kept = storage().and_then(|s| s.get_item(&key(name)).ok().flatten());
    let Some(v) = kept.and_then(|t| serde_json::from_str::<Value>(&t).ok()) else {
        return done;
    };
    for i in v.get("done").and_then(Value::as_array).into_iter().flatten().filter_map(Value::as_u64) {
        if let Some(d) = done.get_mut(i as usize) {
            *d = true;
        }
    }
    done
}

pub fn save(name: &str, done: &[bool]) {
    let steps: Vec<usize> = done.iter().enumerate().filter(|(_, d)| **d).map(|(i, _)| i).collect();
    if let Some(s) = storage() {
        let _ = s.set_item(&key(name), &json!({ "done": steps }).to_string());
    }
}

pub fn clear(name: &str) {
    if let Some(s) = storage() {
        let _ = s.remove_item(&key(name));
    }
}

/// (steps done, steps) for the gallery's cards.
pub fn summary(name: &str, steps: usize) -> (usize, usize) {
    (load(name, steps).iter().filter(|d| **d).count(), steps)
}
