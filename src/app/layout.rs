//! Room for the diagram: the palette, inspector and results panels open
//! and close (buttons and Alt+Shift+P / I / R), the results panel is as
//! tall as the user drags it (or sets it with the arrow keys), and on a
//! phone the canvas takes the whole width while the panels open as sheets
//! from the bottom, one at a time.
//!
//! All of this is view state: never undone, saved or shared.

use super::sig::text;
use leptos::prelude::*;

/// Below this window width (CSS pixels) the page is laid out for a phone.
pub const PHONE_MAX_W: f64 = 700.0;
/// The results panel's height: when opened first, and its limits.
const RESULTS_H: f64 = 238.0;
const RESULTS_MIN_H: f64 = 120.0;
/// The canvas keeps at least this much height when the results grow.
const CANVAS_MIN_H: f64 = 160.0;
/// One arrow-key step of the results' resize handle, and one Page step.
const RESIZE_STEP: f64 = 20.0;
const RESIZE_PAGE: f64 = 100.0;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Panel {
    Palette,
    Inspector,
    Results,
}

impl Panel {
    pub fn name(self) -> &'static str {
        match self {
            Panel::Palette => "Palette",
            Panel::Inspector => "Inspector",
            Panel::Results => "Results",
        }
    }

    /// The letter of its Alt+Shift shortcut (matched on `KeyboardEvent.code`,
    /// so any keyboard layout works).
    pub fn key(self) -> char {
        match self {
            Panel::Palette => 'P',
            Panel::Inspector => 'I',
            Panel::Results => 'R',
        }
    }

    pub const ALL: [Panel; 3] = [Panel::Palette, Panel::Inspector, Panel::Results];
}

#[derive(Clone, Copy)]
pub struct Layout {
    pub palette: RwSignal<bool>,
    pub inspector: RwSignal<bool>,
    pub results: RwSignal<bool>,
    /// Height of the open results panel, CSS pixels.
    pub results_h: RwSignal<f64>,
    /// Whether the window is phone-sized.
    pub phone: Memo<bool>,
}

impl Layout {
    /// Panels open on a desktop and closed on a phone; they follow when the
    /// window crosses from one to the other.
    pub fn new(window: RwSignal<(f64, f64)>) -> Layout {
        let phone = Memo::new(move |_| window.with(|(w, _)| *w > 0.0 && *w < PHONE_MAX_W));
        let wide = !phone.get_untracked();
        let l = Layout {
            palette: RwSignal::new(wide),
            inspector: RwSignal::new(wide),
            results: RwSignal::new(wide),
            results_h: RwSignal::new(RESULTS_H),
            phone,
        };
        Effect::new(move |was: Option<bool>| {
            let now = phone.get();
            if was.is_some_and(|was| was != now) {
                for p in Panel::ALL {
                    l.signal(p).set(!now);
                }
            }
            now
        });
        l
    }

    pub fn signal(&self, p: Panel) -> RwSignal<bool> {
        match p {
            Panel::Palette => self.palette,
            Panel::Inspector => self.inspector,
            Panel::Results => self.results,
        }
    }

    /// Opens or closes a panel; on a phone one sheet is open at a time.
    pub fn toggle(&self, p: Panel) {
        let open = !self.signal(p).get_untracked();
        if open && self.phone.get_untracked() {
            for other in Panel::ALL {
                self.signal(other).set(false);
            }
        }
        self.signal(p).set(open);
    }

    /// The highest the results may be in a window `window_h` tall.
    fn max_results_h(window_h: f64) -> f64 {
        (window_h - CANVAS_MIN_H - 120.0).max(RESULTS_MIN_H)
    }

    fn set_results_h(&self, h: f64, window_h: f64) {
        if h.is_finite() {
            self.results_h.set(h.clamp(RESULTS_MIN_H, Layout::max_results_h(window_h)));
        }
    }
}

pub fn use_layout() -> Layout {
    use_context::<Layout>().expect("Layout is provided by App")
}

/// The classes of the page's root: which panels are open, phone or desk,
/// and `live` while there is a run (its nodes' cards show live actions).
pub fn root_class(l: Layout, status: RwSignal<super::run::Status>) -> Signal<String> {
    text(move || {
        let mut c = String::from("app");
        if status.get() != super::run::Status::Idle {
            c.push_str(" live");
        }
        if l.phone.get() {
            c.push_str(" phone");
        }
        for p in Panel::ALL {
            if !l.signal(p).get() {
                c.push_str(" no-");
                c.push_str(&p.name().to_ascii_lowercase());
            }
        }
        c
    })
}

/// One button per panel. On a desk they sit in the canvas's top right
/// corner; on a phone they are the bar along the bottom of the screen.
#[component]
pub fn PanelToggles() -> impl IntoView {
    let l = use_layout();
    let button = move |p: Panel| {
        let open = l.signal(p);
        let title = text(move || {
            let verb = if open.get() { "Hide" } else { "Show" };
            format!("{verb} the {} (Alt+Shift+{})", p.name().to_ascii_lowercase(), p.key())
        });
        view! {
            <button
                type="button"
                class=text(move || if open.get() { "panel-toggle open" } else { "panel-toggle" }.to_string())
                aria-expanded=text(move || open.get().to_string())
                title=title
                on:click=move |_| l.toggle(p)
            >
                {p.name()}
            </button>
        }
    };
    view! {
        <div class="panel-toggles" role="toolbar" aria-label="Panels">
            {Panel::ALL.into_iter().map(button).collect_view()}
        </div>
    }
}

/// The results panel under a handle that resizes it.
#[component]
pub fn ResultsDock(children: Children) -> impl IntoView {
    let l = use_layout();
    let ctx = super::state::use_ctx();
    let drag = StoredValue::new(None::<(f64, f64)>);
    let window_h = move || ctx.window.with_untracked(|(_, h)| *h);
    let on_down = move |ev: web_sys::PointerEvent| {
        if ev.button() != 0 {
            return;
        }
        use wasm_bindgen::JsCast;
        if let Some(el) = ev.current_target().and_then(|t| t.dyn_into::<web_sys::Element>().ok()) {
            let _ = el.set_pointer_capture(ev.pointer_id());
        }
        drag.set_value(Some((f64::from(ev.client_y()), l.results_h.get_untracked())));
    };
    let on_move = move |ev: web_sys::PointerEvent| {
        if let Some((y0, h0)) = drag.get_value() {
            l.set_results_h(h0 + y0 - f64::from(ev.client_y()), window_h());
        }
    };
    let on_up = move |_: web_sys::PointerEvent| drag.set_value(None);
    let on_key = move |ev: web_sys::KeyboardEvent| {
        let h = l.results_h.get_untracked();
        let next = match ev.key().as_str() {
            "ArrowUp" => h + RESIZE_STEP,
            "ArrowDown" => h - RESIZE_STEP,
            "PageUp" => h + RESIZE_PAGE,
            "PageDown" => h - RESIZE_PAGE,
            "Home" => RESULTS_MIN_H,
            "End" => Layout::max_results_h(window_h()),
            _ => return,
        };
        ev.prevent_default();
        l.set_results_h(next, window_h());
    };
    // Closed, only the headline figures stay (their own height); on a phone
    // the sheet's height comes from the stylesheet.
    let height =
        text(
            move || {
                if l.phone.get() || !l.results.get() {
                    String::new()
                } else {
                    format!("{:.0}px", l.results_h.get())
                }
            },
        );
    view! {
        <div class="results-dock" style:height=height>
            <div
                class="resizer"
                role="separator"
                tabindex="0"
                aria-label="Resize results"
                title="Drag, or use the arrow keys, to resize the results"
                aria-valuemin=RESULTS_MIN_H.to_string()
                aria-valuemax=text(move || format!("{:.0}", Layout::max_results_h(ctx.window.get().1)))
                aria-valuenow=text(move || format!("{:.0}", l.results_h.get()))
                on:pointerdown=on_down
                on:pointermove=on_move
                on:pointerup=on_up
                on:pointercancel=on_up
                on:keydown=on_key
            ></div>
            {children()}
        </div>
    }
}
