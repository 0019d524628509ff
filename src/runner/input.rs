//! Where a scenario comes from: a file, standard input, or a share link
//! (given directly, or as the content of a file).

use crate::engine::codec;
use crate::engine::format::{load, LoadError, Scenario};
use std::io::Read;

/// Whether `text` is a share link or fragment rather than JSON.
fn looks_like_link(text: &str) -> bool {
    let t = text.trim_start_matches('\u{feff}').trim_start();
    !t.starts_with('{') && (t.contains("#s") || t.contains("#lesson=") || t.starts_with("s1.") || t.starts_with("http"))
}

/// Reads and parses (without validating) the scenario named by `arg`.
pub fn read_scenario(arg: &str, stdin: &mut dyn Read) -> Result<Scenario, String> {
    let text = if arg == "-" {
        let mut s = String::new();
        stdin
            .take(load::MAX_TEXT_BYTES as u64 + 1)
            .read_to_string(&mut s)
            .map_err(|e| format!("cannot read standard input: {e}"))?;
        s
    } else if looks_like_link(arg) && !std::path::Path::new(arg).exists() {
        return from_link(arg);
    } else {
        read_file(arg)?
    };
    let parsed: Result<Scenario, LoadError> =
        if looks_like_link(&text) { codec::decode(&text) } else { load::parse(&text) };
    parsed.map_err(|e| if arg == "-" { e.to_string() } else { format!("{arg}: {e}") })
}

/// A share link's scenario; a lesson link without one opens the lesson's.
fn from_link(link: &str) -> Result<Scenario, String> {
    let parts = crate::engine::fragment::Fragment::parse(link);
    if let (None, Some(name)) = (&parts.scenario, &parts.lesson) {
        return crate::editor::lessons::by_name(name)
            .map(|l| l.scenario)
            .ok_or_else(|| format!("the link opens lesson `{name}`, and there is no lesson by that name"));
    }
    codec::decode(link).map_err(|e| e.to_string())
}

fn read_file(path: &str) -> Result<String, String> {
    let meta = std::fs::metadata(path).map_err(|e| format!("cannot read {path}: {}", describe(&e)))?;
    if meta.is_dir() {
        return Err(format!("{path} is a directory, not a scenario file"));
    }
    if meta.len() > load::MAX_TEXT_BYTES as u64 {
        return Err(format!("{path} is {} bytes; the limit is {} MiB", meta.len(), load::MAX_TEXT_BYTES >> 20));
    }
    let bytes = std::fs::read(path).map_err(|e| format!("cannot read {path}: {}", describe(&e)))?;
    String::from_utf8(bytes).map_err(|_| format!("{path} is not UTF-8 text"))
}

fn describe(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file".into(),
        std::io::ErrorKind::PermissionDenied => "permission denied".into(),
        _ => e.to_string(),
    }
}
