//! Actions within reach of the diagram: a context menu on nodes and links
//! (right-click, or Shift+F10 and the ContextMenu key on the focused or
//! selected one) and, while a run goes, Crash and Recover buttons on the
//! selected node's card. The live actions go through the run's own methods
//! (`Run::crash`, `Run::recover`, `Run::fault_now`), as the inspector's do.

use super::sig::{flag, text};
use super::state::{use_ctx, Ctx};
use crate::editor::clipboard::{self, PASTE_OFFSET};
use crate::editor::geometry::{node_rect, Point};
use crate::editor::selection::Selection;
use crate::engine::format::FaultKind;
use leptos::prelude::*;
use wasm_bindgen::JsCast;

/// Room the menu needs, CSS pixels, to stay inside the canvas.
const MENU_W: f64 = 190.0;
const MENU_H: f64 = 230.0;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Target {
    Node(String),
    Link(String),
}

impl Target {
    fn id(&self) -> &str {
        match self {
            Target::Node(id) | Target::Link(id) => id,
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
struct Open {
    target: Target,
    /// Top-left corner, canvas pixels.
    at: Point,
}

/// The open menu, if any (provided by the app, shared with the shortcuts).
#[derive(Clone, Copy)]
pub struct Menu(RwSignal<Option<Open>>);

impl Menu {
    pub fn new() -> Menu {
        Menu(RwSignal::new(None))
    }
}

impl Default for Menu {
    fn default() -> Self {
        Menu::new()
    }
}

pub fn use_menu() -> Menu {
    use_context::<Menu>().expect("Menu is provided by App")
}

/// Opens the menu of `target` at the canvas point `at` (by default beside
/// the node or the middle of the link).
pub fn open(ctx: Ctx, menu: Menu, target: Target, at: Option<Point>) {
    let at = at.or_else(|| {
        let view = ctx.view.get_untracked();
        ctx.doc.with_untracked(|d| match &target {
            Target::Node(id) => d.node(id).map(|n| {
                let r = node_rect(n);
                view.to_screen(Point::new(r.x + r.w * 0.6, r.y + r.h * 0.8))
            }),
            Target::Link(id) => {
                let i = d.links.iter().position(|l| l.id == *id)?;
                let p = crate::editor::geometry::link_paths(d).get(i).copied().flatten()?;
                Some(view.to_screen(p.point_at(0.5)))
            }
        })
    });
    let (w, h) = ctx.canvas_size.get_untracked();
    let at = at.unwrap_or(Point::new(w / 2.0, h / 2.0));
    let at = Point::new(at.x.min(w - MENU_W).max(0.0), at.y.min(h - MENU_H).max(0.0));
    menu.0.set(Some(Open { target, at }));
}

/// The menu of what the keyboard is on: the focused node, else the one
/// selected thing.
pub fn open_for_keyboard(ctx: Ctx, menu: Menu) {
    let focused = document()
        .active_element()
        .filter(|el| el.has_attribute("data-kind"))
        .and_then(|el| el.get_attribute("data-id"));
    let target = match focused {
        Some(id) => Some(Target::Node(id)),
        None => ctx.sel.with_untracked(|s| match s.focus() {
            Some(crate::editor::selection::Focus::Node(id)) => Some(Target::Node(id)),
            Some(crate::editor::selection::Focus::Link(id)) => Some(Target::Link(id)),
            None => None,
        }),
    };
    if let Some(t) = target {
        open(ctx, menu, t, None);
    }
}

/// Copies node `id` beside itself and selects the copy.
pub fn duplicate(ctx: Ctx, sel: &Selection) {
    let Some(clip) = ctx.doc.with_untracked(|d| clipboard::copy(d, sel)) else {
        return;
    };
    let added = ctx.edit(|d| clipboard::paste(d, &clip, Point::new(PASTE_OFFSET, PASTE_OFFSET)));
    ctx.sel.set(added);
}

/// What a menu item does.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Action {
    Crash,
    Recover,
    /// A live slowdown, error burst or partition.
    Fault(FaultKind),
    Duplicate,
    Delete,
}

impl Action {
    fn label(self) -> &'static str {
        match self {
            Action::Crash => "Crash now",
            Action::Recover => "Recover",
            Action::Fault(FaultKind::Slow) => "Slow down",
            Action::Fault(FaultKind::Errors) => "Errors",
            Action::Fault(FaultKind::Partition) => "Partition",
            Action::Fault(_) => "Fault now",
            Action::Duplicate => "Duplicate",
            Action::Delete => "Delete",
        }
    }

    fn class(self) -> &'static str {
        match self {
            Action::Crash | Action::Delete | Action::Fault(FaultKind::Partition) => "danger",
            _ => "",
        }
    }

    fn run(self, ctx: Ctx, target: &Target) {
        let id = target.id();
        match self {
            Action::Crash => complain_on_err(ctx, ctx.doc.with_untracked(|d| ctx.run.crash(d, id))),
            Action::Recover => ctx.run.recover(id),
            Action::Fault(kind) => complain_on_err(ctx, ctx.doc.with_untracked(|d| ctx.run.fault_now(d, id, kind))),
            Action::Duplicate => duplicate(ctx, &Selection::node(id)),
            Action::Delete => {
                let sel = match target {
                    Target::Node(_) => Selection::node(id),
                    Target::Link(_) => Selection::link(id),
                };
                ctx.edit(|d| crate::editor::doc::delete(d, &sel));
                ctx.sel.set(Selection::default());
            }
        }
    }
}

fn complain_on_err(ctx: Ctx, r: Result<(), String>) {
    if let Err(e) = r {
        ctx.complain(e);
    }
}

/// Moves the focus to the next (`step` 1) or previous (-1) item that is
/// not disabled, round the ends.
fn move_focus(ul: &web_sys::Element, step: i32) {
    let next = |li: &web_sys::Element| if step > 0 { li.next_element_sibling() } else { li.previous_element_sibling() };
    let wrap = || if step > 0 { ul.first_element_child() } else { ul.last_element_child() };
    let current = document().active_element().and_then(|a| a.closest("li").ok().flatten());
    let mut li = current.as_ref().map_or_else(wrap, next);
    for _ in 0..12 {
        let Some(item) = li.clone().or_else(wrap) else { return };
        if let Some(b) = item.query_selector("button:not([disabled])").ok().flatten() {
            if let Ok(b) = b.dyn_into::<web_sys::HtmlElement>() {
                let _ = b.focus();
            }
            return;
        }
        li = next(&item);
    }
}

#[component]
pub fn ContextMenu() -> impl IntoView {
    let ctx = use_ctx();
    let menu = use_menu();
    let list = NodeRef::<leptos::html::Ul>::new();
    // The first item takes the focus, so the keyboard can go on from there.
    Effect::new(move |_| {
        if menu.0.with(Option::is_some) {
            if let Some(first) = list.get().and_then(|ul| ul.query_selector("button:not([disabled])").ok().flatten()) {
                if let Ok(b) = first.dyn_into::<web_sys::HtmlElement>() {
                    let _ = b.focus();
                }
            }
        }
    });
    let close = move || {
        menu.0.set(None);
        if let Some(svg) = ctx.svg.get_untracked() {
            let el: &web_sys::HtmlElement = svg.unchecked_ref();
            let _ = el.focus();
        }
    };
    let on_key = move |ev: web_sys::KeyboardEvent| {
        let key = ev.key();
        if key == "Escape" || key == "Tab" {
            ev.prevent_default();
            ev.stop_propagation();
            close();
            return;
        }
        let step: i32 = match key.as_str() {
            "ArrowDown" => 1,
            "ArrowUp" => -1,
            _ => return,
        };
        ev.prevent_default();
        if let Some(ul) = list.get_untracked() {
            move_focus(&ul, step);
        }
    };
    move || {
        let open = menu.0.get()?;
        let status = ctx.run.status;
        let target = open.target.clone();
        let name = ctx.doc.with_untracked(|d| match &target {
            Target::Node(id) => d.node(id).map(|n| n.display_name().to_string()),
            Target::Link(id) => d.link(id).map(|l| format!("link {}", l.id)),
        })?;
        let ended = flag(move || status.get() == super::run::Status::Finished);
        let no_run = flag(move || matches!(status.get(), super::run::Status::Idle | super::run::Status::Finished));
        let never = Signal::from(false);
        let item = |action: Action, disabled: Signal<bool>| {
            let target = target.clone();
            let on_click = move |_| {
                menu.0.set(None);
                action.run(ctx, &target);
            };
            view! {
                <li role="none">
                    <button type="button" role="menuitem" class=action.class() disabled=disabled on:click=on_click>
                        {action.label()}
                    </button>
                </li>
            }
        };
        let items = match open.target {
            Target::Node(_) => vec![
                item(Action::Crash, ended),
                item(Action::Recover, no_run),
                item(Action::Fault(FaultKind::Slow), ended),
                item(Action::Fault(FaultKind::Errors), ended),
                item(Action::Duplicate, never),
                item(Action::Delete, never),
            ],
            Target::Link(_) => vec![
                item(Action::Fault(FaultKind::Partition), ended),
                item(Action::Fault(FaultKind::Slow), ended),
                item(Action::Recover, no_run),
                item(Action::Delete, never),
            ],
        };
        Some(view! {
            <div class="menu-backdrop" on:click=move |_| close() on:contextmenu=move |ev: web_sys::MouseEvent| {
                ev.prevent_default();
                close();
            }></div>
            <ul
                class="context-menu"
                role="menu"
                aria-label=format!("Actions for {name}")
                node_ref=list
                style:left=format!("{:.0}px", open.at.x)
                style:top=format!("{:.0}px", open.at.y)
                on:keydown=on_key
            >
                {items}
            </ul>
        })
    }
}

/// While a run goes: Crash and Recover on the selected node's card.
#[component]
pub fn NodeCard() -> impl IntoView {
    let ctx = use_ctx();
    let status = ctx.run.status;
    let node = Memo::new(move |_| {
        if matches!(status.get(), super::run::Status::Idle) {
            return None;
        }
        let id = ctx.sel.with(|s| match s.focus() {
            Some(crate::editor::selection::Focus::Node(id)) => Some(id),
            _ => None,
        })?;
        ctx.doc.with(|d| d.node(&id).map(|n| (id.clone(), n.display_name().to_string(), node_rect(n))))
    });
    // (crashed, under any fault)
    let health = Memo::new(move |_| {
        let (id, _, _) = node.get()?;
        let i = ctx.doc.with_untracked(|d| d.nodes.iter().position(|n| n.id == id))?;
        ctx.run.snap.with(|s| s.nodes.get(i).map(|l| (l.crashed, l.crashed || l.degraded)))
    });
    move || {
        let (id, name, r) = node.get()?;
        let pos = move || ctx.view.with(|v| v.to_screen(Point::new(r.x, r.y)));
        let left = text(move || format!("{:.0}px", pos().x));
        let top = text(move || format!("{:.0}px", pos().y - 34.0));
        let (a, b) = (id.clone(), id);
        let crash = move |_| complain_on_err(ctx, ctx.doc.with_untracked(|d| ctx.run.crash(d, &a)));
        let recover = move |_| ctx.run.recover(&b);
        Some(view! {
            <div class="node-card" role="toolbar" aria-label=format!("Live actions for {name}") style:left=left style:top=top>
                <button
                    type="button"
                    class="danger"
                    aria-label=format!("Crash {name}")
                    title="Crash it now"
                    disabled=flag(move || status.get() == super::run::Status::Finished || health.get().is_some_and(|h| h.0))
                    on:click=crash
                >
                    "Crash"
                </button>
                <button
                    type="button"
                    aria-label=format!("Recover {name}")
                    title="End its faults now"
                    disabled=flag(move || status.get() == super::run::Status::Finished || !health.get().is_some_and(|h| h.1))
                    on:click=recover
                >
                    "Recover"
                </button>
            </div>
        })
    }
}
