//! Actions within reach of the diagram: a context menu on nodes and links
//! (right-click, or Shift+F10 and the ContextMenu key on the focused or
//! selected one). The live actions go through the run's own methods
//! (`Run::crash`, `Run::recover`, `Run::fault_kind_now`), as the inspector's do;
//! so do the Crash and Recover buttons on a running node's card
//! (`node_view`).

use super::run::Status;
use super::state::{use_ctx, Ctx};
use crate::editor::clipboard::{self, PASTE_OFFSET};
use crate::editor::geometry::{node_rect, Point};
use crate::editor::selection::Selection;
use crate::engine::format::{regions, FaultKind};
use leptos::prelude::*;
use wasm_bindgen::JsCast;

/// Room the menu needs, CSS pixels, to stay inside the canvas.
const MENU_W: f64 = 190.0;
const MENU_ITEM_H: f64 = 37.0;
const MENU_PAD: f64 = 8.0;

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
    /// Its display name.
    name: String,
    /// A node's region, for the region-wide actions.
    region: Option<String>,
    /// Top-left corner, canvas pixels.
    at: Point,
    /// The items, each with whether it is disabled (as things stood when
    /// the menu opened: it closes before they could change).
    items: Vec<(Action, bool)>,
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
    let name = ctx.doc.with_untracked(|d| match &target {
        Target::Node(id) => d.node(id).map(|n| n.display_name().to_string()),
        Target::Link(id) => d.link(id).map(|l| format!("link {}", l.id)),
    });
    let Some(name) = name else { return };
    let region = match &target {
        Target::Node(id) => ctx.doc.with_untracked(|d| d.node(id).and_then(|n| n.region.clone())),
        Target::Link(_) => None,
    };
    let status = ctx.run.status.get_untracked();
    let ended = status == Status::Finished;
    let no_run = matches!(status, Status::Idle | Status::Finished);
    let items = match target {
        Target::Node(_) => {
            let mut items = vec![
                (Action::Crash, ended),
                (Action::Recover, no_run),
                (Action::Fault(FaultKind::Slow), ended),
                (Action::Fault(FaultKind::Errors), ended),
            ];
            if let Some(r) = &region {
                let down = ctx.run.has_active_fault(&regions::target(r));
                items.push((Action::CrashRegion, ended || down));
                items.push((Action::RecoverRegion, no_run || !down));
            }
            items.extend([(Action::Duplicate, false), (Action::Delete, false)]);
            items
        }
        Target::Link(_) => vec![
            (Action::Fault(FaultKind::Partition), ended),
            (Action::Fault(FaultKind::Slow), ended),
            (Action::Recover, no_run),
            (Action::Delete, false),
        ],
    };
    let menu_h = MENU_ITEM_H * items.len() as f64 + MENU_PAD;
    let at = Point::new(at.x.min(w - MENU_W).max(0.0), at.y.min(h - menu_h).max(0.0));
    menu.0.set(Some(Open { target, name, region, at, items }));
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

/// Copies the selected nodes (and the links between them) beside
/// themselves and selects the copies.
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
    /// Every node in the node's region down, or back (see `RegionLive`).
    CrashRegion,
    RecoverRegion,
    /// A live slowdown, error burst or partition.
    Fault(FaultKind),
    Duplicate,
    Delete,
}

impl Action {
    fn label(self, region: Option<&str>) -> String {
        let region = region.unwrap_or_default();
        let fixed = match self {
            Action::CrashRegion => return format!("Crash region {region}"),
            Action::RecoverRegion => return format!("Recover region {region}"),
            Action::Crash => "Crash now",
            Action::Recover => "Recover",
            Action::Fault(FaultKind::Slow) => "Slow down",
            Action::Fault(FaultKind::Errors) => "Errors",
            Action::Fault(FaultKind::Partition) => "Partition",
            Action::Fault(_) => "Fault now",
            Action::Duplicate => "Duplicate",
            Action::Delete => "Delete",
        };
        fixed.to_string()
    }

    fn class(self) -> &'static str {
        match self {
            Action::Crash | Action::CrashRegion | Action::Delete | Action::Fault(FaultKind::Partition) => "danger",
            _ => "",
        }
    }

    fn run(self, ctx: Ctx, target: &Target, region: Option<&str>) {
        let id = target.id();
        let region = region.map(regions::target).unwrap_or_default();
        match self {
            Action::Crash => complain_on_err(ctx, ctx.doc.with_untracked(|d| ctx.run.crash(d, id))),
            Action::Recover => ctx.run.recover(id),
            Action::CrashRegion => complain_on_err(ctx, ctx.doc.with_untracked(|d| ctx.run.crash(d, &region))),
            Action::RecoverRegion => ctx.run.recover(&region),
            Action::Fault(kind) => {
                complain_on_err(ctx, ctx.doc.with_untracked(|d| ctx.run.fault_kind_now(d, id, kind)))
            }
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
            if let Some(ul) = list.get() {
                move_focus(&ul, 1);
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
        let step = match ev.key().as_str() {
            "Escape" | "Tab" => {
                ev.prevent_default();
                ev.stop_propagation();
                close();
                return;
            }
            "ArrowDown" => 1,
            "ArrowUp" => -1,
            _ => return,
        };
        ev.prevent_default();
        if let Some(ul) = list.get_untracked() {
            move_focus(&ul, step);
        }
    };
    // One handler for every item: the item says which action it is.
    let on_click = move |ev: web_sys::MouseEvent| {
        let chosen = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
            .and_then(|el| el.closest("[data-action]").ok().flatten())
            .and_then(|el| el.get_attribute("data-action"))
            .and_then(|code| code.parse::<usize>().ok());
        let Some(open) = menu.0.get_untracked() else { return };
        if let Some((action, _)) = chosen.and_then(|i| open.items.get(i).copied()) {
            menu.0.set(None);
            action.run(ctx, &open.target, open.region.as_deref());
        }
    };
    // The focus leaving the menu (a click elsewhere on the page) closes it.
    let on_focus_out = move |ev: web_sys::FocusEvent| {
        let inside = match (list.get_untracked(), ev.related_target()) {
            (Some(ul), Some(to)) => to.dyn_into::<web_sys::Node>().is_ok_and(|n| ul.contains(Some(&n))),
            _ => false,
        };
        if !inside {
            menu.0.set(None);
        }
    };
    let on_backdrop = move |ev: web_sys::MouseEvent| {
        ev.prevent_default();
        close();
    };
    move || {
        let open = menu.0.get()?;
        let items = open
            .items
            .iter()
            .enumerate()
            .map(|(i, (action, disabled))| {
                view! {
                    <li role="none">
                        <button type="button" role="menuitem" class=action.class() disabled=*disabled data-action=i.to_string()>
                            {action.label(open.region.as_deref())}
                        </button>
                    </li>
                }
            })
            .collect_view();
        Some(view! {
            <div class="menu-backdrop" on:click=on_backdrop on:contextmenu=on_backdrop></div>
            <ul
                class="context-menu"
                role="menu"
                aria-label=format!("Actions for {}", open.name)
                node_ref=list
                style:left=format!("{:.0}px", open.at.x)
                style:top=format!("{:.0}px", open.at.y)
                on:keydown=on_key
                on:click=on_click
                on:focusout=on_focus_out
            >
                {items}
            </ul>
        })
    }
}
