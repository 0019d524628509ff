//! The app's state, in four kinds kept apart (see `crate::editor`):
//! the document with its undo history, the view, the gesture in progress,
//! and the run (in `run.rs`). [`Ctx`] bundles the handles; components get
//! it from context and change the document only through its methods, so
//! every edit lands in the history exactly once.

use super::run::{Run, Status};
use crate::editor::geometry::Point;
use crate::editor::gesture::Gesture;
use crate::editor::history::History;
use crate::editor::live;
use crate::editor::selection::Selection;
use crate::editor::viewport::Viewport;
use crate::engine::format::validate::Place;
use crate::engine::format::{NodeKind, Problem, Scenario};
use crate::engine::trace::Trace;
use leptos::prelude::*;

/// A short message at the bottom of the screen.
#[derive(Clone, Debug, PartialEq)]
pub struct Toast {
    pub id: u64,
    pub text: String,
    /// Errors are announced as alerts, the rest politely.
    pub error: bool,
}

/// A node kind being dragged out of the palette.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PaletteDrag {
    pub kind: NodeKind,
    /// Where a drop would put it (world coordinates), when over the canvas.
    pub at: Option<crate::editor::geometry::Point>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ResultsTab {
    Summary,
    Nodes,
    Links,
    Charts,
    Requests,
    Replications,
}

#[derive(Clone, Copy)]
pub struct Ctx {
    // The document.
    pub doc: RwSignal<Scenario>,
    /// Everything the validator says about the document, computed once per
    /// change for every field and list that shows problems.
    pub problems: Memo<Vec<Problem>>,
    /// Design warnings (the engine's lint), once per change, as problems
    /// of severity `Warning`.
    pub warnings: Memo<Vec<Problem>>,
    /// While a run goes and changes are due: the settings in force now
    /// (the document keeps the values the run started with).
    pub shown: Memo<Option<Scenario>>,
    history: StoredValue<History>,
    pub can_undo: RwSignal<bool>,
    pub can_redo: RwSignal<bool>,
    // The view.
    pub view: RwSignal<Viewport>,
    pub sel: RwSignal<Selection>,
    pub snap: RwSignal<bool>,
    /// Size of the canvas in CSS pixels.
    pub canvas_size: RwSignal<(f64, f64)>,
    /// Size of the window in CSS pixels.
    pub window: RwSignal<(f64, f64)>,
    pub renaming: RwSignal<Option<String>>,
    pub results_tab: RwSignal<ResultsTab>,
    pub trace: RwSignal<Option<Trace>>,
    pub toast: RwSignal<Option<Toast>>,
    /// A message that stays until dismissed (a broken link, a bad import).
    pub alert: RwSignal<Option<String>>,
    // The gesture in progress.
    pub gesture: RwSignal<Option<Gesture>>,
    pub palette_drag: RwSignal<Option<PaletteDrag>>,
    /// The canvas element, for turning pointer positions into canvas points.
    pub svg: NodeRef<leptos::svg::Svg>,
    // The run.
    pub run: Run,
}

impl Ctx {
    pub fn new(doc: Scenario, view: Viewport) -> Ctx {
        let doc = RwSignal::new(doc);
        let run = Run::new();
        // Recomputed with the run's clock, but it only notifies (and the
        // fields redraw) when a change took effect.
        let shown = Memo::new(move |_| {
            if !matches!(run.status.get(), Status::Running | Status::ToEnd | Status::Paused) {
                return None;
            }
            let now = run.snap.with(|s| s.now_ms);
            doc.with(|d| (live::due(d, now) > 0).then(|| live::shown_at(d, now)))
        });
        let ctx = Ctx {
            doc,
            problems: Memo::new(move |_| doc.with(crate::engine::format::validate)),
            warnings: Memo::new(move |_| {
                let list = doc.with(crate::engine::lint::lint);
                list.into_iter()
                    .map(|w| Problem {
                        severity: crate::engine::format::Severity::Warning,
                        place: w.place,
                        field: None,
                        message: w.message,
                    })
                    .collect()
            }),
            shown,
            history: StoredValue::new(History::default()),
            can_undo: RwSignal::new(false),
            can_redo: RwSignal::new(false),
            view: RwSignal::new(view),
            sel: RwSignal::new(Selection::default()),
            snap: RwSignal::new(true),
            canvas_size: RwSignal::new((800.0, 500.0)),
            window: RwSignal::new(window_size()),
            renaming: RwSignal::new(None),
            results_tab: RwSignal::new(ResultsTab::Summary),
            trace: RwSignal::new(None),
            toast: RwSignal::new(None),
            alert: RwSignal::new(None),
            gesture: RwSignal::new(None),
            palette_drag: RwSignal::new(None),
            svg: NodeRef::new(),
            run,
        };
        run.set_recorder(move |recorded| ctx.record_live(recorded));
        ctx
    }

    /// A live action happened: the run's scenario (which records it)
    /// becomes the document, as one undo step.
    fn record_live(&self, recorded: Scenario) {
        let before = self.doc.get_untracked();
        let next = live::with_layout_of(recorded, &before);
        if next != before {
            self.history.update_value(|h| {
                h.record(before, &next);
            });
            self.doc.set(next);
            self.refresh_history_flags();
        }
    }

    /// The text a field shows: the value in force now while a run goes.
    pub fn field_value(&self, place: &Place, key: &str) -> String {
        let from_shown = self.shown.with(|s| s.as_ref().map(|s| crate::editor::fields::get(s, place, key)));
        from_shown.unwrap_or_else(|| self.doc.with(|d| crate::editor::fields::get(d, place, key)))
    }

    /// Whether editing `key` of `place` now is a live change of the run.
    pub fn is_live_field(&self, place: &Place, key: &str) -> bool {
        self.run.is_live() && self.doc.with_untracked(|d| live::changeable(d, place, key))
    }

    /// Checks a value typed into a live field (the field's own message).
    pub fn check_live(&self, place: &Place, key: &str, text: &str) -> Result<(), String> {
        self.with_shown_untracked(|s| live::as_change(s, place, key, text)).map(|_| ())
    }

    /// Sets a field during a run: a change at the current simulated time,
    /// recorded in the document; the run goes on.
    pub fn live_set(&self, place: &Place, key: &str, text: &str) -> Result<(), String> {
        match self.with_shown_untracked(|s| live::as_change(s, place, key, text))? {
            Some((target, value)) => self.run.change_now(&target, key, value),
            None => Ok(()),
        }
    }

    fn with_shown_untracked<R>(&self, f: impl FnOnce(&Scenario) -> R) -> R {
        let shown = self.shown.get_untracked();
        match shown {
            Some(s) => f(&s),
            None => self.doc.with_untracked(f),
        }
    }

    fn refresh_history_flags(&self) {
        let (u, r) = self.history.with_value(|h| (h.can_undo(), h.can_redo()));
        self.can_undo.set(u);
        self.can_redo.set(r);
    }

    /// One edit of the document: one undo step (none if nothing changed).
    pub fn edit<R>(&self, f: impl FnOnce(&mut Scenario) -> R) -> R {
        let before = self.doc.get_untracked();
        let mut next = before.clone();
        let out = f(&mut next);
        // An embedded player is read-only: nothing it does edits.
        if next != before && !super::share::embedded() {
            self.history.update_value(|h| {
                h.record(before, &next);
            });
            self.doc.set(next);
            self.refresh_history_flags();
        }
        out
    }

    /// An edit of what a run replays (its faults and changes): a run going
    /// on is replayed with it up to where it was, instead of reset.
    pub fn edit_keeping_run(&self, f: impl FnOnce(&mut Scenario)) {
        let mut next = self.doc.get_untracked();
        f(&mut next);
        if self.run.is_live() {
            self.run.replay(&next);
        }
        self.edit(|s| *s = next);
    }

    /// An edit computed as a whole new document, refused with a message.
    pub fn try_edit(&self, f: impl FnOnce(&Scenario) -> Result<Scenario, String>) -> Result<(), String> {
        let next = self.doc.with_untracked(f)?;
        self.edit(|s| *s = next);
        Ok(())
    }

    /// Records a gesture that already changed the document live.
    pub fn commit(&self, before: Scenario) {
        let changed =
            self.doc.with_untracked(|now| self.history.try_update_value(|h| h.record(before, now))).unwrap_or(false);
        if changed {
            self.refresh_history_flags();
        }
        // A gesture's frames skip saving; save the result now.
        self.doc.update(|_| {});
    }

    /// Shows another document (an entry of My scenarios, a link, an
    /// example): a fresh start, with an undo history of its own.
    pub fn load(&self, next: Scenario) {
        self.cancel_gesture();
        self.sel.set(Selection::default());
        self.trace.set(None);
        self.run.set_speed(crate::editor::examples::start_speed(&next));
        self.history.set_value(History::default());
        self.refresh_history_flags();
        self.doc.set(next);
    }

    /// Puts another document on the canvas (a comparison's other variant).
    /// Its history starts empty, so undo never crosses between variants.
    /// Returns the document it replaces.
    pub fn switch_document(&self, next: Scenario) -> Scenario {
        self.cancel_gesture();
        self.history.set_value(History::default());
        self.refresh_history_flags();
        self.sel.set(Selection::default());
        self.trace.set(None);
        let prev = self.doc.get_untracked();
        self.doc.set(next);
        prev
    }

    pub fn undo(&self) {
        self.cancel_gesture();
        self.run.flush();
        let current = self.doc.get_untracked();
        if let Some(Some(prev)) = self.history.try_update_value(|h| h.undo(current)) {
            self.sel.update(|s| *s = s.retained(&prev));
            // A run going on is replayed without the step (a live action
            // undone takes its effect with it), up to where it was.
            if self.run.is_live() {
                self.run.replay(&prev);
            }
            self.doc.set(prev);
        }
        self.refresh_history_flags();
    }

    pub fn redo(&self) {
        self.cancel_gesture();
        self.run.flush();
        let current = self.doc.get_untracked();
        if let Some(Some(next)) = self.history.try_update_value(|h| h.redo(current)) {
            self.sel.update(|s| *s = s.retained(&next));
            if self.run.is_live() {
                self.run.replay(&next);
            }
            self.doc.set(next);
        }
        self.refresh_history_flags();
    }

    /// Escape: puts back what an unfinished gesture changed.
    pub fn cancel_gesture(&self) -> bool {
        let Some(g) = self.gesture.try_update(|g| g.take()).flatten() else {
            return false;
        };
        let mut doc = self.doc.get_untracked();
        let mut view = self.view.get_untracked();
        let mut sel = self.sel.get_untracked();
        g.cancel(&mut doc, &mut view, &mut sel);
        self.doc.set(doc);
        self.view.set(view);
        self.sel.set(sel);
        true
    }

    /// A pointer's client position as a canvas point (CSS pixels from the
    /// canvas's top-left corner), and whether it is over the canvas.
    pub fn canvas_point(&self, client_x: f64, client_y: f64) -> (Point, bool) {
        let Some(el) = self.svg.get_untracked() else {
            return (Point::new(client_x, client_y), false);
        };
        let r = el.get_bounding_client_rect();
        let p = Point::new(client_x - r.left(), client_y - r.top());
        let inside = p.x >= 0.0 && p.y >= 0.0 && p.x <= r.width() && p.y <= r.height();
        (p, inside)
    }

    /// Adds a node of `kind` at a world point and selects it.
    pub fn add_node(&self, kind: NodeKind, at: Point) {
        let snap = self.snap.get_untracked();
        let id = self.edit(|s| crate::editor::doc::add_node(s, kind, at, snap));
        self.sel.set(Selection::node(&id));
    }

    /// Adds a node of `kind` in free space nearest the middle of the
    /// visible canvas, so repeated adds never stack on one spot.
    pub fn add_node_at_centre(&self, kind: NodeKind) {
        let (w, h) = self.canvas_size.get_untracked();
        let view = self.view.get_untracked();
        let (a, b) = (view.to_world(Point::new(0.0, 0.0)), view.to_world(Point::new(w, h)));
        let visible = crate::editor::geometry::Rect::spanning(a, b);
        let centre = view.center_world(w, h);
        let at = self.doc.with_untracked(|d| crate::editor::geometry::free_spot(d, centre, visible));
        self.add_node(kind, at);
    }

    pub fn say(&self, text: impl Into<String>) {
        self.show_toast(text.into(), false);
    }

    pub fn complain(&self, text: impl Into<String>) {
        self.show_toast(text.into(), true);
    }

    fn show_toast(&self, text: String, error: bool) {
        let id = self.toast.with_untracked(|t| t.as_ref().map_or(1, |t| t.id + 1));
        self.toast.set(Some(Toast { id, text, error }));
        let toast = self.toast;
        set_timeout(
            move || {
                if toast.with_untracked(|t| t.as_ref().is_some_and(|t| t.id == id)) {
                    toast.set(None);
                }
            },
            std::time::Duration::from_millis(if error { 7000 } else { 3500 }),
        );
    }
}

/// The window's inner size in CSS pixels.
pub fn window_size() -> (f64, f64) {
    let w = web_sys::window();
    let get = |v: Option<wasm_bindgen::JsValue>| v.and_then(|v| v.as_f64()).unwrap_or(0.0);
    match w {
        Some(w) => (get(w.inner_width().ok()), get(w.inner_height().ok())),
        None => (1280.0, 800.0),
    }
}

/// The context every component reads.
pub fn use_ctx() -> Ctx {
    use_context::<Ctx>().expect("Ctx is provided by App")
}
