//! Keeping and sharing work: the URL fragment holds the scenario (the
//! engine's codec, the same text `crosstalk link` prints), every edit is
//! saved in My scenarios (`saved.rs`), and scenarios go in and out as JSON
//! files.
//!
//! Everything read here is hostile input: a link or a file that does not
//! decode is refused with a message that says why, and the work on screen
//! stays as it was. Whatever opens (a link, a file) opens as a scenario of
//! its own in My scenarios: it never overwrites the work saved there.

use super::saved;
use super::state::Ctx;
use crate::editor::examples;
use crate::editor::library::fingerprint;
use crate::engine::codec;
use crate::engine::format::defaults::caps;
use crate::engine::format::{load, Scenario};
use leptos::prelude::*;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};

/// The fragment after `#`, if there is one.
fn fragment() -> Option<String> {
    let hash = web_sys::window()?.location().hash().ok()?;
    let f = hash.trim_start_matches('#');
    (!f.is_empty()).then(|| f.to_string())
}

/// Refuses scenarios too large for the editor to draw comfortably.
fn admit(s: Scenario) -> Result<Scenario, String> {
    if s.nodes.len() > caps::NODES || s.links.len() > caps::LINKS || s.faults.len() > caps::FAULTS {
        return Err(format!(
            "it has {} nodes and {} links; the limits are {} and {}",
            s.nodes.len(),
            s.links.len(),
            caps::NODES,
            caps::LINKS
        ));
    }
    Ok(s)
}

/// A scenario from a link's fragment.
pub fn from_link(text: &str) -> Result<Scenario, String> {
    codec::decode(text).map_err(|e| e.to_string()).and_then(admit)
}

/// A scenario from a JSON file's text.
pub fn from_json(text: &str) -> Result<Scenario, String> {
    load::parse(text).map_err(|e| e.to_string()).and_then(admit)
}

/// What to show first, and a message if something could not be opened:
/// the link's scenario (as a new entry of My scenarios), else this tab's
/// entry (a reload), else the last edited one, else the starter example.
/// A broken link yields a message and the saved work. (A link's other
/// parts, a comparison's B or a lesson, are opened by `lessons`, which
/// reads [`fragment_parts`].)
pub fn initial() -> (Scenario, Option<String>) {
    let (ix, mut alert) = saved::index();
    let parts = fragment_parts();
    if parts.embed {
        EMBED.with(|e| e.set(true));
        // A player shows the link's scenario and keeps nothing.
        let shown = parts.scenario.as_deref().map(|f| from_link(crate::engine::fragment::scenario_part(f)));
        return match shown {
            Some(Ok(s)) => (s, alert),
            Some(Err(e)) => (examples::starter(), Some(format!("This link could not be opened: {e}"))),
            None => (saved::resume_any(&ix).0.unwrap_or_else(examples::starter), alert),
        };
    }
    if let Some(f) = fragment().filter(|_| parts.scenario.is_some()) {
        // The fragment this tab last wrote is older than what it saved: a
        // reload keeps the newest work (a comparison's saved document may
        // be its B, so its link is read instead).
        let ours = parts.b.is_none() && saved::written_fragment().is_some_and(|ours| ours == f);
        let mine = ours.then(|| saved::resume_mine(&ix)).flatten();
        if let Some(s) = mine {
            return (s, alert);
        }
        match from_link(&f) {
            Ok(s) => {
                if let Err(e) = saved::start(&s, Some(link_origin(&f))) {
                    alert = Some(e);
                }
                return (s, alert);
            }
            Err(e) => {
                alert = Some(format!("This link could not be opened: {e} — your previous work is shown instead."))
            }
        }
    }
    let (resumed, unreadable) = saved::resume_any(&ix);
    let alert = alert.or(unreadable);
    match resumed {
        Some(s) => (s, alert),
        None => {
            let s = examples::starter();
            let failed = saved::start(&s, Some("example:starter".into())).err();
            (s, alert.or(failed))
        }
    }
}

/// Where a scenario opened from a link came from (so the same link opened
/// twice reopens its unedited entry).
fn link_origin(fragment: &str) -> String {
    format!("link:{}", fingerprint(fragment))
}

/// Nodes and links past which a document counts as big (opening it and
/// making its link take tasks of their own).
const BIG_DOC: usize = 100;

fn is_big(s: &Scenario) -> bool {
    s.nodes.len() + s.links.len() > BIG_DOC
}

/// Saves the document now and puts it in the address bar (replacing the
/// entry, so Back leaves the app instead of stepping through edits).
/// Returns a message when saving failed (reported once per failure).
///
/// Browsers throttle `history.replaceState` (Safari throws after 100 calls
/// in 30 s), so during a burst of edits (typing, nudging) the address bar
/// follows at most every [`URL_EVERY_MS`], with the last edit written when
/// the burst ends. The saved entry is always current; [`initial`] knows
/// which fragment was this tab's, so a reload in the middle of a burst
/// keeps the edits.
pub fn keep(s: &Scenario) -> Option<String> {
    if embedded() {
        return None; // A player changes nothing, and its link stays.
    }
    let problem = saved::keep(s);
    let now = super::run::now();
    let (generation, last) = URL_STATE.with(|c| {
        let (g, last) = c.get();
        c.set((g.wrapping_add(1), last));
        (g.wrapping_add(1), last)
    });
    // A big document's link (deflated at the highest level: 50 ms for 400
    // nodes on a slow machine) is made in a task of its own, so opening it
    // does not add that to the frame that starts showing it.
    let big = is_big(s);
    if now - last >= URL_EVERY_MS && !big {
        show_in_address_bar(s);
        return problem;
    }
    let s = s.clone();
    let show = move || {
        if URL_STATE.with(|c| c.get().0) == generation {
            show_in_address_bar(&s);
        }
    };
    if now - last >= URL_EVERY_MS {
        super::gradual::after_frame(show);
    } else {
        set_timeout(show, std::time::Duration::from_millis(URL_EVERY_MS as u64));
    }
    problem
}

/// The parts of the address bar's fragment (scenario, variant B, lesson).
pub fn fragment_parts() -> crate::engine::fragment::Fragment {
    fragment().map(|f| crate::engine::fragment::Fragment::parse(&f)).unwrap_or_default()
}

/// Builds a link's whole fragment from the document on the canvas.
pub type FragmentBuilder = std::rc::Rc<dyn Fn(&Scenario) -> String>;

thread_local! {
    /// Set while a comparison or lesson is open: it adds their parts.
    static BUILDER: std::cell::RefCell<Option<FragmentBuilder>> = const { std::cell::RefCell::new(None) };
}

/// Lets the lessons module write its parts into every link.
pub fn set_fragment_builder(b: Option<FragmentBuilder>) {
    BUILDER.with(|c| *c.borrow_mut() = b);
}

/// The fragment (without `#`) that opens `s` and whatever is open with it.
pub fn fragment_for(s: &Scenario) -> String {
    match BUILDER.with(|c| c.borrow().clone()) {
        Some(build) => build(s),
        None => codec::encode(s),
    }
}

thread_local! {
    /// The page is an embedded player (`&embed` in its link).
    static EMBED: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Whether the page is a read-only player for an iframe (`#…&embed`).
pub fn embedded() -> bool {
    EMBED.with(std::cell::Cell::get)
}

/// The full editor's link to what the player shows (its own link without
/// `embed`).
pub fn editor_link() -> String {
    let href = web_sys::window().and_then(|w| w.location().href().ok()).unwrap_or_default();
    let base = href.split('#').next().unwrap_or_default().to_string();
    let mut parts = fragment_parts();
    parts.embed = false;
    let f = parts.render();
    if f.is_empty() {
        base
    } else {
        format!("{base}#{f}")
    }
}

/// The `<iframe>` that embeds `link` (a share link) as a player.
pub fn embed_snippet(link: &str, title: &str) -> String {
    let attr = |t: &str| t.replace('&', "&amp;").replace('"', "&quot;").replace('<', "&lt;").replace('>', "&gt;");
    let sep = if link.contains('#') { "&" } else { "#" };
    format!(
        r#"<iframe src="{}" width="640" height="400" style="border:0" loading="lazy" title="{}"></iframe>"#,
        attr(&format!("{link}{sep}embed")),
        attr(&format!("Crosstalk: {title}"))
    )
}

/// The address bar is rewritten at most this often, in milliseconds.
const URL_EVERY_MS: f64 = 300.0;

thread_local! {
    /// Edits so far, and when the address bar was last written.
    static URL_STATE: std::cell::Cell<(u64, f64)> = const { std::cell::Cell::new((0, f64::NEG_INFINITY)) };
}

/// Puts `s` in the address bar now.
pub fn show_in_address_bar(s: &Scenario) {
    if embedded() {
        return;
    }
    let fragment = fragment_for(s);
    URL_STATE.with(|c| c.set((c.get().0, super::run::now())));
    saved::remember_fragment(&fragment);
    let hash = format!("#{fragment}");
    if let Some(w) = web_sys::window() {
        if w.location().hash().ok().as_deref() != Some(hash.as_str()) {
            if let Ok(h) = w.history() {
                let _ = h.replace_state_with_url(&JsValue::NULL, "", Some(&hash));
            }
        }
    }
}

/// The link that opens `s`.
pub fn link(s: &Scenario) -> String {
    let href = web_sys::window().and_then(|w| w.location().href().ok()).unwrap_or_default();
    let base = href.split('#').next().unwrap_or_default();
    format!("{base}#{}", fragment_for(s))
}

/// Copies `text`; `done(true)` once it is on the clipboard.
pub fn copy(text: &str, done: impl Fn(bool) + 'static) {
    let Some(w) = web_sys::window() else {
        return done(false);
    };
    let promise = w.navigator().clipboard().write_text(text);
    let done = std::rc::Rc::new(done);
    let ok: Closure<dyn FnMut(JsValue)> = {
        let done = done.clone();
        Closure::new(move |_: JsValue| done(true))
    };
    let fail: Closure<dyn FnMut(JsValue)> = Closure::new(move |_: JsValue| done(false));
    let _ = promise.then2(&ok, &fail);
    // One pair per click of Share: small enough to leave to the page.
    ok.forget();
    fail.forget();
}

/// Offers `text` as a file download.
pub fn download(file_name: &str, text: &str) {
    let Some(doc) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    let parts = js_sys::Array::of1(&JsValue::from_str(text));
    let options = web_sys::BlobPropertyBag::new();
    options.set_type("application/json");
    let Ok(blob) = web_sys::Blob::new_with_str_sequence_and_options(&parts, &options) else {
        return;
    };
    let Ok(url) = web_sys::Url::create_object_url_with_blob(&blob) else {
        return;
    };
    if let Ok(a) = doc.create_element("a").map(|e| e.unchecked_into::<web_sys::HtmlAnchorElement>()) {
        a.set_href(&url);
        a.set_download(file_name);
        a.click();
    }
    let _ = web_sys::Url::revoke_object_url(&url);
}

/// A file name for the scenario: its name in lowercase words.
pub fn file_name(s: &Scenario) -> String {
    let slug: String =
        s.name.chars().map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '-' }).collect();
    let slug = slug.split('-').filter(|w| !w.is_empty()).collect::<Vec<_>>().join("-");
    if slug.is_empty() {
        "scenario.json".into()
    } else {
        format!("{slug}.json")
    }
}

/// Reads a file the user picked and opens it as a new entry of My
/// scenarios, or says why not.
pub fn import_file(ctx: Ctx, file: web_sys::File) {
    let name = file.name();
    let Ok(reader) = web_sys::FileReader::new() else {
        return;
    };
    let r = reader.clone();
    let onload = Closure::once_into_js(move |_: web_sys::Event| {
        let text = r.result().ok().and_then(|v| v.as_string()).unwrap_or_default();
        match from_json(&text) {
            Ok(s) => {
                let origin = Some(format!("file:{}", fingerprint(&text)));
                let big = is_big(&s);
                let open = move || {
                    super::library::open_new(ctx, s, origin);
                    ctx.say(format!("Imported {name} into My scenarios"));
                };
                // A big file is read and checked in this task and shown in
                // the next, after a frame: together they made one long frame.
                if big {
                    super::gradual::after_frame(open);
                } else {
                    open();
                }
            }
            Err(e) => ctx.alert.set(Some(format!("Could not import {name}: {e} — your current work is unchanged."))),
        }
    });
    reader.set_onload(Some(onload.unchecked_ref()));
    let _ = reader.read_as_text(&file);
}

/// Follows links pasted into the address bar of an open tab.
pub fn on_hash_change(ctx: Ctx) {
    let Some(f) = fragment() else {
        return;
    };
    let same = ctx.doc.with_untracked(|d| fragment_for(d) == f);
    if same || crate::engine::fragment::Fragment::parse(&f).scenario.is_none() {
        return;
    }
    match from_link(&f) {
        Ok(s) => super::library::open_new(ctx, s, Some(link_origin(&f))),
        Err(e) => ctx.alert.set(Some(format!("This link could not be opened: {e} — your work is unchanged."))),
    }
}
