//! My scenarios in the browser: the list ([`Index`]) and each scenario in
//! `localStorage`, and which entry this tab shows in `sessionStorage` (so
//! two tabs edit two scenarios, and a reload reopens this tab's one).
//!
//! Storage is hostile ground: it may be missing, full, or hold text some
//! other version or a user wrote. Every failure becomes a message for the
//! user; nothing here panics, and nothing is deleted that the user did not
//! ask to delete.

use super::share::from_json;
use crate::editor::library::{self, Index, ENTRY_PREFIX, INDEX_KEY, LEGACY_KEY};
use crate::engine::format::Scenario;
use std::cell::RefCell;

/// The entry this tab shows (`sessionStorage`).
const OPEN_KEY: &str = "crosstalk.open";
/// The fragment this tab last wrote to the address bar (`sessionStorage`).
pub const FRAGMENT_KEY: &str = "crosstalk.fragment";

const FULL_STORAGE: &str = "The browser's storage is full, so your latest changes are not saved. Delete scenarios you no longer need in My scenarios, or Export this one.";
const NO_STORAGE: &str =
    "This browser does not let the page keep data, so your work is not saved. Export it to keep it.";

#[derive(Default)]
struct Tab {
    /// The entry shown, once it has one.
    open: Option<String>,
    /// The JSON last written for it: an unchanged document is not written.
    written: String,
    /// A failure was already reported (reset by the next success).
    warned: bool,
}

thread_local! {
    static TAB: RefCell<Tab> = RefCell::new(Tab::default());
}

fn local() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

fn session() -> Option<web_sys::Storage> {
    web_sys::window()?.session_storage().ok().flatten()
}

pub fn now_ms() -> f64 {
    js_sys::Date::now()
}

fn entry_key(id: &str) -> String {
    format!("{ENTRY_PREFIX}{id}")
}

/// The fragment this tab wrote last.
pub fn written_fragment() -> Option<String> {
    session()?.get_item(FRAGMENT_KEY).ok().flatten()
}

pub fn remember_fragment(f: &str) {
    if let Some(s) = session() {
        let _ = s.set_item(FRAGMENT_KEY, f);
    }
}

/// The entry this tab shows.
pub fn open_id() -> Option<String> {
    TAB.with(|t| t.borrow().open.clone())
}

fn set_open(id: Option<String>, written: String) {
    if let Some(s) = session() {
        let _ = match &id {
            Some(id) => s.set_item(OPEN_KEY, id),
            None => s.remove_item(OPEN_KEY),
        };
    }
    TAB.with(|t| {
        let mut t = t.borrow_mut();
        t.open = id;
        t.written = written;
    });
}

fn write_index(ix: &Index) -> Result<(), String> {
    let st = local().ok_or(NO_STORAGE)?;
    st.set_item(INDEX_KEY, &ix.to_json()).map_err(|_| FULL_STORAGE.to_string())
}

/// The list as stored now (another tab may have changed it). The first
/// read of a browser that used the single autosave moves it into the list;
/// a damaged list is rebuilt from the scenarios themselves, with a message;
/// a scenario stored but missing from the list (two tabs saving at the same
/// moment) is put back in it.
pub fn index() -> (Index, Option<String>) {
    let Some(st) = local() else {
        return (Index::default(), Some(NO_STORAGE.into()));
    };
    let (ix, message) = match st.get_item(INDEX_KEY).ok().flatten() {
        Some(text) => match Index::parse(&text) {
            Ok(ix) => (ix, None),
            Err(e) => (Index::default(), Some(e)),
        },
        None => (adopt_legacy(&st), None),
    };
    let (ix, found) = adopt_unlisted(&st, ix);
    if found > 0 {
        let _ = write_index(&ix);
    }
    let message = message.map(|e| {
        format!(
            "My scenarios: {e}. It was rebuilt from the {found} scenario{} found in this browser.",
            if found == 1 { "" } else { "s" }
        )
    });
    (ix, message)
}

/// The list, for the places that only read it.
pub fn list() -> Index {
    index().0
}

/// Lists the stored scenarios the list lacks (at the end, as edited long
/// ago); returns how many it found.
fn adopt_unlisted(st: &web_sys::Storage, mut ix: Index) -> (Index, usize) {
    let n = st.length().unwrap_or(0);
    let unlisted: Vec<String> = (0..n)
        .filter_map(|i| st.key(i).ok().flatten())
        .filter(|k| k.strip_prefix(ENTRY_PREFIX).is_some_and(|id| library::valid_id(id) && ix.get(id).is_none()))
        .collect();
    let mut found = 0;
    for key in unlisted {
        if ix.entries.len() >= library::MAX_ENTRIES {
            break;
        }
        if let Some(s) = st.get_item(&key).ok().flatten().and_then(|t| from_json(&t).ok()) {
            let id = key[ENTRY_PREFIX.len()..].to_string();
            ix.entries.push(library::Entry { id, name: s.name, edited_ms: 0.0, pristine: None });
            found += 1;
        }
    }
    (ix, found)
}

/// The one scenario earlier versions autosaved becomes the first entry.
fn adopt_legacy(st: &web_sys::Storage) -> Index {
    let mut ix = Index::default();
    let Some(old) = st.get_item(LEGACY_KEY).ok().flatten().and_then(|t| from_json(&t).ok()) else {
        return ix;
    };
    let Some(id) = ix.adopt_legacy(&old, now_ms()) else { return Index::default() };
    if st.set_item(&entry_key(&id), &old.to_json()).is_ok() && write_index(&ix).is_ok() {
        let _ = st.remove_item(LEGACY_KEY);
        // Earlier versions kept the fragment for all tabs here.
        let _ = st.remove_item(FRAGMENT_KEY);
        ix
    } else {
        Index::default()
    }
}

/// The stored scenario of `id`.
pub fn read(id: &str) -> Result<Scenario, String> {
    let text = local().and_then(|st| st.get_item(&entry_key(id)).ok().flatten()).ok_or("it is no longer stored")?;
    from_json(&text)
}

/// Opens the stored entry `id` in this tab; says why not.
pub fn resume(id: &str) -> Result<Scenario, String> {
    let s = read(id)?;
    show(id, &s);
    Ok(s)
}

/// This tab now shows entry `id`, read as `doc`.
pub fn show(id: &str, doc: &Scenario) {
    set_open(Some(id.to_string()), doc.to_json());
}

/// The entry this tab showed before a reload, if it is still listed.
fn mine(ix: &Index) -> Option<String> {
    session().and_then(|s| s.get_item(OPEN_KEY).ok().flatten()).filter(|id| ix.get(id).is_some())
}

/// Reopens the entry this tab showed before a reload.
pub fn resume_mine(ix: &Index) -> Option<Scenario> {
    resume(&mine(ix)?).ok()
}

/// What this tab shows when it opens without a link: its own entry (a
/// reload), else the last edited one that reads, else nothing. Entries
/// that do not read are named in the message and left alone.
pub fn resume_any(ix: &Index) -> (Option<Scenario>, Option<String>) {
    let mine = mine(ix);
    let order = mine.into_iter().chain(ix.newest_first().map(|e| e.id.clone()));
    let mut broken = Vec::new();
    for id in order {
        match resume(&id) {
            Ok(s) => return (Some(s), unreadable(&broken, ix)),
            Err(_) => {
                if !broken.contains(&id) {
                    broken.push(id)
                }
            }
        }
    }
    (None, unreadable(&broken, ix))
}

fn unreadable(ids: &[String], ix: &Index) -> Option<String> {
    let names: Vec<String> =
        ids.iter().filter_map(|id| ix.get(id)).map(|e| format!("“{}”", display_name(&e.name))).collect();
    (!names.is_empty()).then(|| {
        format!("{} in My scenarios could not be read (damaged in storage); it is left as it was.", names.join(", "))
    })
}

pub fn display_name(name: &str) -> &str {
    if name.trim().is_empty() {
        "Untitled"
    } else {
        name
    }
}

/// Starts a new entry for `doc` (or reopens the unedited one from the same
/// `origin`) and shows it in this tab. On failure the document is shown
/// unsaved and the message says so; its next edit tries again.
pub fn start(doc: &Scenario, origin: Option<String>) -> Result<(), String> {
    let (mut ix, _) = index();
    let now = now_ms();
    let json = doc.to_json();
    let reuse = origin.as_deref().and_then(|o| ix.pristine_from(o)).map(|e| e.id.clone());
    let before: Vec<String> = ix.entries.iter().map(|e| e.id.clone()).collect();
    let id = match reuse {
        Some(id) => {
            ix.reopen(&id, now);
            id
        }
        None => match ix.add(&doc.name, now, origin, open_id().as_deref()) {
            Ok(id) => id,
            Err(full) => {
                set_open(None, String::new());
                return Err(format!(
                    "{full}: this one is open but not saved. Delete a scenario you no longer need in My scenarios to keep it."
                ));
            }
        },
    };
    let stored = local().ok_or(NO_STORAGE.to_string()).and_then(|st| {
        st.set_item(&entry_key(&id), &json).map_err(|_| FULL_STORAGE.to_string())?;
        // The unedited entry the list dropped to make room leaves storage
        // too: first, so no other tab finds it unlisted and lists it again.
        for gone in before.iter().filter(|b| ix.get(b).is_none()) {
            let _ = st.remove_item(&entry_key(gone));
        }
        write_index(&ix)
    });
    match stored {
        Ok(()) => {
            set_open(Some(id), json);
            Ok(())
        }
        Err(e) => {
            set_open(None, String::new());
            Err(e)
        }
    }
}

/// Saves an edit of the document this tab shows. Returns a message the
/// first time saving fails (full or missing storage, a full list).
pub fn keep(doc: &Scenario) -> Option<String> {
    let json = doc.to_json();
    let (open, same) = TAB.with(|t| {
        let t = t.borrow();
        (t.open.clone(), t.written == json)
    });
    if same && open.is_some() {
        return None;
    }
    let result = match open {
        Some(id) => write(&id, doc, &json),
        // Not saved yet (storage was full, or the list): try again.
        None => start(doc, None),
    };
    let warned = TAB.with(|t| std::mem::replace(&mut t.borrow_mut().warned, result.is_err()));
    match result {
        Err(m) if !warned => Some(m),
        _ => None,
    }
}

fn write(id: &str, doc: &Scenario, json: &str) -> Result<(), String> {
    let st = local().ok_or(NO_STORAGE)?;
    st.set_item(&entry_key(id), json).map_err(|_| FULL_STORAGE.to_string())?;
    let (mut ix, _) = index();
    // Deleted in another tab while open here: the edit brings it back.
    ix.restore(id, &doc.name, now_ms());
    write_index(&ix)?;
    TAB.with(|t| t.borrow_mut().written = json.to_string());
    Ok(())
}

/// Before this tab moves to another scenario: a blank page it leaves is
/// not worth an entry.
pub fn leave(doc: &Scenario) {
    if let (Some(id), true) = (open_id(), library::is_blank(doc)) {
        let _ = delete(&id);
    }
    set_open(None, String::new());
}

/// Renames a stored entry (not the one on screen: that is an edit of the
/// document).
pub fn rename(id: &str, name: &str) -> Result<(), String> {
    let mut s = read(id)?;
    s.name = name.trim().to_string();
    let st = local().ok_or(NO_STORAGE)?;
    st.set_item(&entry_key(id), &s.to_json()).map_err(|_| FULL_STORAGE.to_string())?;
    let (mut ix, _) = index();
    if let Some(e) = ix.entries.iter_mut().find(|e| e.id == id) {
        e.name = s.name.clone();
        e.pristine = None;
    }
    write_index(&ix)
}

/// Deletes an entry and its scenario (the scenario first, so no other
/// tab finds it unlisted and lists it again).
pub fn delete(id: &str) -> Result<(), String> {
    let st = local().ok_or(NO_STORAGE)?;
    let _ = st.remove_item(&entry_key(id));
    let (mut ix, _) = index();
    ix.remove(id);
    write_index(&ix)?;
    if open_id().as_deref() == Some(id) {
        set_open(None, String::new());
    }
    Ok(())
}
