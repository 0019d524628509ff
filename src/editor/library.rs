//! My scenarios: every scenario the user worked on, kept in the browser.
//!
//! Opening a link, an example, a file or a blank page never replaces work:
//! each becomes an entry of its own, and the list (name, last edited) lets
//! the user open, rename and delete them. This module is the list's logic,
//! free of any storage API so it is tested natively; `app::saved` reads
//! and writes it in `localStorage`:
//!
//! - `crosstalk.scenarios` holds the [`Index`] (small: names and times);
//! - `crosstalk.scenario.<id>` holds each scenario's JSON, in the format's
//!   own versioned form, so old saves migrate like old files;
//! - `crosstalk.scenario` is the single autosave of earlier versions; it
//!   becomes the first entry ([`Index::adopt_legacy`]).
//!
//! The list is bounded ([`MAX_ENTRIES`]). When it is full, an entry opened
//! and never edited (a link or example looked at) makes room, since its
//! source still has it; work the user did is never dropped to make room.

use crate::engine::format::Scenario;
use serde_json::{json, Value};

/// The list's key in `localStorage`.
pub const INDEX_KEY: &str = "crosstalk.scenarios";
/// Each scenario's key is this followed by its id.
pub const ENTRY_PREFIX: &str = "crosstalk.scenario.";
/// Where earlier versions kept their one autosaved scenario.
pub const LEGACY_KEY: &str = "crosstalk.scenario";
/// The most scenarios kept: about 5 MB of browser storage holds this many
/// large diagrams.
pub const MAX_ENTRIES: usize = 50;

/// One kept scenario.
#[derive(Clone, Debug, PartialEq)]
pub struct Entry {
    pub id: String,
    /// The scenario's own name (kept here so the list reads no scenario).
    pub name: String,
    /// When it was last changed (or opened, until it is edited), in wall
    /// milliseconds since 1970.
    pub edited_ms: f64,
    /// Where it came from while it is unedited ("link:…", "example:…"):
    /// opening the same source again reopens this entry instead of adding
    /// a copy, and a full list may drop it. `None` once edited.
    pub pristine: Option<String>,
}

/// The list of kept scenarios, last edited first.
///
/// Read and written through `serde_json::Value` rather than derived serde
/// code, which would cost the download more than the list is worth.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Index {
    pub entries: Vec<Entry>,
}

/// Why an entry could not be added.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Full;

impl std::fmt::Display for Full {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "My scenarios is full ({MAX_ENTRIES} scenarios)")
    }
}

impl Index {
    /// Reads the list, or says why it cannot be read. Entries that are not
    /// entries are left out rather than failing the whole list.
    pub fn parse(text: &str) -> Result<Index, String> {
        let raw: Value =
            serde_json::from_str(text).map_err(|e| format!("the list of saved scenarios is damaged ({e})"))?;
        let list = raw
            .get("entries")
            .and_then(Value::as_array)
            .ok_or_else(|| "the list of saved scenarios is damaged (no entries)".to_string())?;
        let mut index = Index::default();
        for v in list {
            let text = |key: &str| v.get(key).and_then(Value::as_str).map(String::from);
            let Some(id) = text("id").filter(|id| valid_id(id)) else { continue };
            if index.get(&id).is_some() || index.entries.len() >= MAX_ENTRIES {
                continue;
            }
            let edited_ms = v.get("edited_ms").and_then(Value::as_f64).filter(|t| t.is_finite()).unwrap_or(0.0);
            index.entries.push(Entry {
                id,
                name: text("name").unwrap_or_default(),
                edited_ms,
                pristine: text("pristine"),
            });
        }
        // Last edited first, whoever wrote it (an insertion sort: the list
        // is short, and a general sort costs the download kilobytes).
        for i in 1..index.entries.len() {
            let mut j = i;
            while j > 0 && index.entries[j - 1].edited_ms < index.entries[j].edited_ms {
                index.entries.swap(j - 1, j);
                j -= 1;
            }
        }
        Ok(index)
    }

    pub fn to_json(&self) -> String {
        let list: Vec<Value> = self
            .entries
            .iter()
            .map(|e| {
                let mut v = json!({ "id": e.id, "name": e.name, "edited_ms": e.edited_ms });
                if let Some(p) = &e.pristine {
                    v["pristine"] = json!(p);
                }
                v
            })
            .collect();
        json!({ "entries": list }).to_string()
    }

    pub fn get(&self, id: &str) -> Option<&Entry> {
        self.entries.iter().find(|e| e.id == id)
    }

    /// The entries, last edited first.
    pub fn newest_first(&self) -> impl Iterator<Item = &Entry> {
        self.entries.iter()
    }

    pub fn most_recent(&self) -> Option<&Entry> {
        self.entries.first()
    }

    /// Moves entry `i` to the top (it was just edited or opened).
    fn raise(&mut self, i: usize) {
        if i < self.entries.len() {
            let e = self.entries.remove(i);
            self.entries.insert(0, e);
        }
    }

    /// The unedited entry opened from `origin`, if there is one.
    pub fn pristine_from(&self, origin: &str) -> Option<&Entry> {
        self.entries.iter().find(|e| e.pristine.as_deref() == Some(origin))
    }

    /// Adds an entry named `name` and returns its id. A full list first
    /// drops its oldest unedited entry (never `keep`, the one on screen);
    /// with none to drop it refuses.
    pub fn add(&mut self, name: &str, now_ms: f64, origin: Option<String>, keep: Option<&str>) -> Result<String, Full> {
        if self.entries.len() >= MAX_ENTRIES {
            let spare = self
                .entries
                .iter()
                .enumerate()
                .filter(|(_, e)| e.pristine.is_some() && Some(e.id.as_str()) != keep)
                .min_by(|(_, a), (_, b)| a.edited_ms.total_cmp(&b.edited_ms))
                .map(|(i, _)| i)
                .ok_or(Full)?;
            self.entries.remove(spare);
        }
        let id = new_id(now_ms, |id| self.get(id).is_some());
        self.entries.insert(0, Entry { id: id.clone(), name: name.to_string(), edited_ms: now_ms, pristine: origin });
        Ok(id)
    }

    /// The unedited entry `id` was opened again: it moves to the top and
    /// stays unedited.
    pub fn reopen(&mut self, id: &str, now_ms: f64) {
        if let Some(i) = self.entries.iter().position(|e| e.id == id) {
            self.entries[i].edited_ms = now_ms;
            self.raise(i);
        }
    }

    /// The scenario of `id` was changed: it is no longer pristine and moves
    /// to the top. Returns false if there is no such entry.
    pub fn touch(&mut self, id: &str, name: &str, now_ms: f64) -> bool {
        let Some(i) = self.entries.iter().position(|e| e.id == id) else {
            return false;
        };
        let e = &mut self.entries[i];
        e.name = name.to_string();
        e.edited_ms = now_ms;
        e.pristine = None;
        self.raise(i);
        true
    }

    /// Puts back an entry another tab deleted while this one edited it.
    pub fn restore(&mut self, id: &str, name: &str, now_ms: f64) {
        if !self.touch(id, name, now_ms) {
            self.entries
                .insert(0, Entry { id: id.to_string(), name: name.to_string(), edited_ms: now_ms, pristine: None });
        }
    }

    pub fn remove(&mut self, id: &str) -> bool {
        let before = self.entries.len();
        self.entries.retain(|e| e.id != id);
        self.entries.len() != before
    }

    /// The single autosave of earlier versions becomes an entry (edited, so
    /// never dropped to make room). Returns its id.
    pub fn adopt_legacy(&mut self, s: &Scenario, now_ms: f64) -> Option<String> {
        let id = self.add(&s.name, now_ms, None, None).ok()?;
        Some(id)
    }
}

/// Ids are short and safe in a storage key: `s` and base-36 digits.
pub fn valid_id(id: &str) -> bool {
    id.len() >= 2 && id.len() <= 24 && id.starts_with('s') && id[1..].bytes().all(|c| c.is_ascii_alphanumeric())
}

/// A new id from the time, made unique against `taken`.
fn new_id(now_ms: f64, taken: impl Fn(&str) -> bool) -> String {
    let base = if now_ms.is_finite() && now_ms > 0.0 { now_ms as u64 } else { 0 };
    (0u64..).map(|n| format!("s{}", base36(base.wrapping_add(n)))).find(|id| !taken(id)).unwrap_or_else(|| "s0".into())
}

fn base36(mut n: u64) -> String {
    const DIGITS: &[u8; 36] = b"0123456789abcdefghijklmnopqrstuvwxyz";
    let mut out = Vec::new();
    loop {
        out.push(DIGITS[(n % 36) as usize]);
        n /= 36;
        if n == 0 {
            break;
        }
    }
    out.reverse();
    String::from_utf8(out).unwrap_or_default()
}

/// A short fingerprint of a link, so the same link opened twice finds the
/// entry it made (FNV-1a, 64 bits: not security, just identity).
pub fn fingerprint(text: &str) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in text.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    format!("{h:016x}")
}

/// A blank page left as it was: nothing to keep when the user moves on.
pub fn is_blank(s: &Scenario) -> bool {
    s.nodes.is_empty() && s.links.is_empty() && s.faults.is_empty() && matches!(s.name.trim(), "" | "Untitled")
}

/// "just now", "5 min ago", "3 h ago", "yesterday", "12 days ago".
pub fn ago(edited_ms: f64, now_ms: f64) -> String {
    let s = ((now_ms - edited_ms) / 1000.0).max(0.0);
    let (m, h, d) = (s / 60.0, s / 3600.0, s / 86_400.0);
    if s < 60.0 {
        "just now".into()
    } else if m < 60.0 {
        format!("{} min ago", m as u64)
    } else if h < 24.0 {
        format!("{} h ago", h as u64)
    } else if d < 2.0 {
        "yesterday".into()
    } else {
        format!("{} days ago", d as u64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const T0: f64 = 1_790_000_000_000.0;

    fn scenario(name: &str) -> Scenario {
        Scenario { name: name.into(), ..Scenario::default() }
    }

    #[test]
    fn entries_are_listed_last_edited_first() {
        let mut ix = Index::default();
        let a = ix.add("Built by hand", T0, None, None).unwrap();
        let b = ix.add("From a link", T0 + 10.0, Some("link:1".into()), None).unwrap();
        assert_ne!(a, b);
        assert_eq!(ix.most_recent().map(|e| e.id.clone()), Some(b.clone()));
        assert!(ix.touch(&a, "Built by hand, v2", T0 + 20.0));
        let names: Vec<&str> = ix.newest_first().map(|e| e.name.as_str()).collect();
        assert_eq!(names, ["Built by hand, v2", "From a link"]);
        assert!(!ix.touch("s-none", "x", T0));
    }

    #[test]
    fn the_same_link_opened_twice_finds_its_unedited_entry() {
        let mut ix = Index::default();
        let origin = format!("link:{}", fingerprint("#s1.abc"));
        let id = ix.add("Shared", T0, Some(origin.clone()), None).unwrap();
        assert_eq!(ix.pristine_from(&origin).map(|e| e.id.as_str()), Some(id.as_str()));
        // Once edited it is the user's work: the link makes a new entry.
        ix.touch(&id, "Shared", T0 + 1.0);
        assert_eq!(ix.pristine_from(&origin), None);
        assert_ne!(fingerprint("#s1.abc"), fingerprint("#s1.abd"));
    }

    #[test]
    fn a_full_list_drops_an_unedited_entry_and_never_the_users_work() {
        let mut ix = Index::default();
        for i in 0..MAX_ENTRIES - 1 {
            let id = ix.add(&format!("work {i}"), T0 + i as f64, None, None).unwrap();
            ix.touch(&id, &format!("work {i}"), T0 + i as f64);
        }
        let looked = ix.add("example", T0 + 100.0, Some("example:x".into()), None).unwrap();
        assert_eq!(ix.entries.len(), MAX_ENTRIES);
        // Full: the unedited example makes room...
        let next = ix.add("link", T0 + 200.0, Some("link:y".into()), Some(&looked));
        assert_eq!(next, Err(Full), "not the entry on screen");
        let next = ix.add("link", T0 + 200.0, Some("link:y".into()), None).unwrap();
        assert!(ix.get(&looked).is_none() && ix.get(&next).is_some());
        // ...and with only work left, nothing is dropped.
        ix.touch(&next, "link", T0 + 300.0);
        assert_eq!(ix.add("one more", T0 + 400.0, None, None), Err(Full));
        assert_eq!(ix.entries.len(), MAX_ENTRIES);
        assert!(Full.to_string().contains("50"));
    }

    #[test]
    fn the_list_survives_a_round_trip_and_damage_gets_a_message() {
        let mut ix = Index::default();
        ix.add("A \"quoted\" <name>", T0, Some("example:leetcode".into()), None).unwrap();
        assert_eq!(Index::parse(&ix.to_json()), Ok(ix.clone()));
        for bad in ["", "{", "[1,2]", "{\"entries\": 3}", "null"] {
            let e = Index::parse(bad).unwrap_err();
            assert!(e.contains("damaged"), "{bad}: {e}");
        }
        // Broken or hostile entries are left out, the rest kept.
        let one = ix.to_json();
        let entry = &one["{\"entries\":[".len()..one.len() - 2];
        let text = format!(
            "{{\"entries\": [{entry}, {{\"id\": \"../x\", \"name\": \"n\", \"edited_ms\": 1}}, {{\"id\": 5}}]}}"
        );
        assert_eq!(Index::parse(&text).unwrap().entries.len(), 1);
        // Written by anyone in any order, it reads last edited first.
        let text = r#"{"entries": [{"id": "sa", "name": "old", "edited_ms": 1}, {"id": "sb", "name": "new", "edited_ms": 9}]}"#;
        let names: Vec<String> = Index::parse(text).unwrap().newest_first().map(|e| e.name.clone()).collect();
        assert_eq!(names, ["new", "old"]);
    }

    #[test]
    fn the_old_single_autosave_becomes_an_entry() {
        let mut ix = Index::default();
        let id = ix.adopt_legacy(&scenario("My old work"), T0).unwrap();
        let e = ix.get(&id).unwrap();
        assert_eq!((e.name.as_str(), e.pristine.clone()), ("My old work", None));
    }

    #[test]
    fn ids_are_safe_storage_keys() {
        let mut ix = Index::default();
        let ids: Vec<String> = (0..5).map(|_| ix.add("x", T0, None, None).unwrap()).collect();
        let mut unique = ids.clone();
        unique.dedup();
        assert_eq!(unique.len(), 5, "same millisecond, still unique");
        assert!(ids.iter().all(|id| valid_id(id)), "{ids:?}");
        assert!(!valid_id("s../x") && !valid_id("") && !valid_id("x1"));
        assert_eq!(base36(0), "0");
        assert_eq!(base36(35), "z");
        assert_eq!(base36(36), "10");
    }

    #[test]
    fn only_a_blank_untitled_page_counts_as_nothing_to_keep() {
        assert!(is_blank(&scenario("Untitled")));
        assert!(is_blank(&scenario("")));
        assert!(!is_blank(&scenario("Plans")));
        let mut s = scenario("Untitled");
        s.seed = 5;
        assert!(is_blank(&s), "a seed alone is not work");
        s.nodes.push(Default::default());
        assert!(!is_blank(&s));
    }

    #[test]
    fn times_read_as_people_say_them() {
        assert_eq!(ago(T0, T0 + 5_000.0), "just now");
        assert_eq!(ago(T0, T0 + 5.0 * 60_000.0), "5 min ago");
        assert_eq!(ago(T0, T0 + 3.0 * 3_600_000.0), "3 h ago");
        assert_eq!(ago(T0, T0 + 30.0 * 3_600_000.0), "yesterday");
        assert_eq!(ago(T0, T0 + 12.0 * 86_400_000.0), "12 days ago");
        assert_eq!(ago(T0 + 1000.0, T0), "just now", "a clock set back");
    }
}
