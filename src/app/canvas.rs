//! The canvas: an SVG diagram (links under nodes, in a pan/zoom layer) with
//! a `<canvas>` on top for the tokens in flight.
//!
//! Every pointer gesture starts here, with one hit test in world
//! coordinates (handle, node, token, link, background, in that order), and
//! runs through `editor::gesture`: press, follow, release or Escape. The
//! pointer is captured by the SVG for the whole gesture, so a drag that
//! leaves the canvas still ends cleanly.

use super::cells::Cells;
use super::link_view::LinkView;
use super::node_view::NodeView;
use super::node_view::{ACTIONS_X, ACTION_H, ACTION_W, ACTION_Y, LABEL_CHARS, SUMMARY_CHARS};
use super::sig::{flag, text};
use super::state::{use_ctx, Ctx};
use crate::editor::describe::{fit_label, node_summary};
use crate::editor::doc::End;
use crate::editor::geometry::{self, handle_points, link_paths, node_rect, Point, Rect, GRID};
use crate::editor::gesture::{Gesture, Outcome, CLICK_SLOP_PX};
use crate::editor::selection::Selection;
use crate::editor::viewport::{Viewport, ZOOM_STEP};
use leptos::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{PointerEvent, WheelEvent};

/// Screen pixels around a handle that still grab it.
const HANDLE_GRAB_PX: f64 = 10.0;
/// Screen pixels from a link's curve that still select it.
const LINK_GRAB_PX: f64 = 7.0;

#[component]
pub fn Canvas() -> impl IntoView {
    let ctx = use_ctx();
    let tokens_ref = NodeRef::<leptos::html::Canvas>::new();
    Effect::new(move |_| {
        if let Some(c) = tokens_ref.get() {
            ctx.run.attach_canvas(c);
        }
    });
    Effect::new(move |_| ctx.run.on_view(ctx.view.get()));

    let node_ids = Memo::new(move |_| ctx.doc.with(|d| d.nodes.iter().map(|n| n.id.clone()).collect::<Vec<_>>()));
    let link_ids = Memo::new(move |_| ctx.doc.with(|d| d.links.iter().map(|l| l.id.clone()).collect::<Vec<_>>()));
    // A big diagram mounts a chunk per frame (`gradual.rs`).
    let (node_ids, link_ids) = (super::gradual::gradual(node_ids), super::gradual::gradual(link_ids));
    let cells = use_context::<Cells>().expect("Cells are provided by App");
    super::regions::provide_cross_links();
    let empty = Memo::new(move |_| ctx.doc.with(|d| d.nodes.is_empty()));

    let on_down = move |ev: PointerEvent| pointer_down(ctx, &ev);
    let on_move = move |ev: PointerEvent| pointer_move(ctx, &ev);
    let on_up = move |ev: PointerEvent| pointer_up(ctx, &ev);
    let on_wheel = move |ev: WheelEvent| {
        ev.prevent_default();
        let (p, _) = ctx.canvas_point(f64::from(ev.client_x()), f64::from(ev.client_y()));
        let unit = match ev.delta_mode() {
            1 => 16.0,
            2 => 400.0,
            _ => 1.0,
        };
        let factor = (-ev.delta_y() * unit * 0.0015).clamp(-0.5, 0.5).exp();
        ctx.view.update(|v| *v = v.zoomed_at(p, factor));
    };
    // The node under the pointer or with the focus, for its whole text.
    let tip = RwSignal::new(None::<String>);
    let node_of = |ev: &web_sys::Event| {
        ev.target()
            .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
            .and_then(|el| el.closest("[data-kind]").ok().flatten())
            .and_then(|el| el.get_attribute("data-id"))
    };
    let on_over = move |ev: PointerEvent| {
        let id = node_of(&ev);
        if tip.with_untracked(|t| *t != id) {
            tip.set(id);
        }
    };
    let on_focus = move |ev: web_sys::FocusEvent| tip.set(node_of(&ev));
    let on_blur = move |_: web_sys::FocusEvent| tip.set(None);
    let menu = super::menu::use_menu();
    let on_menu = move |ev: web_sys::MouseEvent| {
        ev.prevent_default();
        let (p, _) = ctx.canvas_point(f64::from(ev.client_x()), f64::from(ev.client_y()));
        if let Some(target) = target_at(ctx, p) {
            super::menu::open(ctx, menu, target, Some(p));
        }
    };
    let on_dblclick = move |ev: web_sys::MouseEvent| {
        let (p, _) = ctx.canvas_point(f64::from(ev.client_x()), f64::from(ev.client_y()));
        let world = ctx.view.get_untracked().to_world(p);
        if let Some(i) = ctx.doc.with_untracked(|d| geometry::node_at(d, world)) {
            let id = ctx.doc.with_untracked(|d| d.nodes[i].id.clone());
            ctx.sel.set(Selection::node(&id));
            ctx.renaming.set(Some(id));
        }
    };

    let transform = text(move || ctx.view.get().transform());
    let cursor = text(move || {
        ctx.gesture
            .with(|g| match g {
                Some(Gesture::Pan { .. }) => "canvas panning",
                Some(Gesture::Move { .. }) => "canvas moving",
                Some(Gesture::Connect { .. }) => "canvas connecting",
                _ => "canvas",
            })
            .to_string()
    });

    view! {
        <div class="canvas-wrap">
            <svg
                node_ref=ctx.svg
                class=cursor
                aria-label="Canvas"
                role="application"
                aria-roledescription="diagram editor"
                tabindex="-1"
                on:pointerdown=on_down
                on:pointermove=on_move
                on:pointerup=on_up
                on:pointercancel=on_up
                on:wheel=on_wheel
                on:dblclick=on_dblclick
                on:contextmenu=on_menu
                on:pointerover=on_over
                on:pointerleave=move |_| tip.set(None)
                on:focusin=on_focus
                on:focusout=on_blur
            >
                <defs>
                    <pattern id="grid" width=GRID height=GRID patternUnits="userSpaceOnUse" patternTransform=transform>
                        <circle class="grid-dot" cx="1" cy="1" r="1"/>
                    </pattern>
                    <marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="8" markerHeight="8" orient="auto-start-reverse">
                        <path class="arrow-head" d="M0 0L10 5L0 10z"/>
                    </marker>
                    <marker id="arrow-selected" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="8" markerHeight="8" orient="auto-start-reverse">
                        <path class="arrow-head selected" d="M0 0L10 5L0 10z"/>
                    </marker>
                </defs>
                <rect class="canvas-bg" width="100%" height="100%" fill="url(#grid)"/>
                <g class="world" transform=transform>
                    <g class="regions">
                        <super::regions::RegionAreas/>
                    </g>
                    <g class="links">
                        <For each=move || link_ids.get() key=|id| id.clone() let:id>
                            <LinkView id=id cells=cells/>
                        </For>
                        <super::dead_letters::DeadLetters/>
                    </g>
                    <g class="nodes">
                        <For each=move || node_ids.get() key=|id| id.clone() let:id>
                            <NodeView id=id cells=cells/>
                        </For>
                    </g>
                    <Overlay tip=tip/>
                    <Band/>
                    <Ghost/>
                </g>
            </svg>
            <canvas node_ref=tokens_ref class="tokens" aria-hidden="true"></canvas>
            <Show when=move || empty.get()>
                <div class="empty-hint">
                    <p class="empty-title">"Start with a client and a service"</p>
                    <p>"Drag blocks from the palette on the left, then drag from the dot on a block's right edge to another block to connect them. Or open Examples above."</p>
                </div>
            </Show>
            <ZoomControls/>
            <super::hud::RunHud/>
            <super::menu::ContextMenu/>
        </div>
    }
}

/// Width of a character of the full-text tooltip, world units: the name is
/// bold, so wider than the settings below it.
const TIP_NAME_CHAR_W: f64 = 7.3;
const TIP_CHAR_W: f64 = 6.6;

/// What is drawn over the diagram, in one view (each reactive view costs
/// the bundle, and a part of every node's view would cost every node):
/// - the half-drawn link while connecting (leaving the node on the side
///   facing the pointer) or while a link's end is being moved;
/// - the end handles of the one selected link (drag one to another node);
/// - while a run goes, the selected node's card: Crash and Recover;
/// - the whole name and settings of the node under the pointer or with the
///   focus, when its box cuts them short.
#[component]
fn Overlay(tip: RwSignal<Option<String>>) -> impl IntoView {
    let ctx = use_ctx();
    let layout = super::layout::use_layout();
    // An embedded player has no inspector.
    let embed = super::share::embedded();
    let on_key = move |ev: web_sys::KeyboardEvent| {
        if !matches!(ev.key().as_str(), "Enter" | " ") {
            return;
        }
        let action =
            ev.target().and_then(|t| t.dyn_into::<web_sys::Element>().ok()).and_then(|e| e.get_attribute("data-act"));
        let node = ctx.sel.with_untracked(|s| s.nodes.first().cloned());
        if let (Some(a), Some(id)) = (action, node) {
            ev.prevent_default();
            super::node_view::act(ctx, &id, &a);
        }
    };
    // The card: (the node's box, its name), while a run goes.
    let card = Memo::new(move |_| {
        let running = ctx.run.status.get() != super::run::Status::Idle;
        let id = ctx.sel.with(|s| (s.links.is_empty() && s.nodes.len() == 1).then(|| s.nodes.first().cloned()))??;
        running.then(|| ctx.doc.with(|d| d.node(&id).map(|n| (node_rect(n), n.display_name().to_string()))))?
    });
    // The tip: (the node's box, name, settings) when its box cuts them short.
    let whole = Memo::new(move |_| {
        let id = tip.get().filter(|_| ctx.gesture.with(Option::is_none))?;
        ctx.doc.with(|d| {
            let n = d.node(&id)?;
            let (name, summary) = (n.display_name().to_string(), node_summary(n));
            let cut = fit_label(&name, LABEL_CHARS) != name || fit_label(&summary, SUMMARY_CHARS) != summary;
            cut.then(|| (node_rect(n), name, summary))
        })
    });
    // Tokens are drawn on a canvas above the diagram: they keep off the
    // card and the tip, which would be unreadable under moving tokens.
    Effect::new(move |_| {
        let mut covers = Vec::new();
        if let Some((r, _)) = card.get() {
            covers.push(super::node_view::actions_rect(r));
        }
        if let Some((r, name, sub)) = whole.get() {
            covers.push(Rect { x: r.x, y: r.bottom() + 6.0, w: tip_width(&name, &sub), h: 40.0 });
        }
        ctx.run.on_covers(covers);
    });
    move || {
        let line = ctx.gesture.with(|g| match g {
            Some(Gesture::Connect { from, to }) => {
                ctx.doc.with_untracked(|d| d.node(from).map(|n| (geometry::exit_point(&node_rect(n), *to), *to)))
            }
            Some(Gesture::Relink { link, end, to }) => ctx.doc.with_untracked(|d| {
                let l = d.link(link)?;
                let fixed = d.node(if *end == End::To { &l.from } else { &l.to })?;
                Some((geometry::exit_point(&node_rect(fixed), *to), *to))
            }),
            _ => None,
        });
        let busy = ctx.gesture.with(Option::is_some);
        let ends = if busy { None } else { selected_link_path(ctx) };
        let (card, whole) = (card.get(), whole.get());
        if line.is_none() && ends.is_none() && card.is_none() && whole.is_none() {
            return None;
        }
        let shown = |on: bool| if on { "inline" } else { "none" };
        let (a, b) = line.unwrap_or_default();
        let e = ends.map(|p| (p.start, p.end)).unwrap_or_default();
        let (card_at, card_name) = card.clone().map(|(r, n)| (Point::new(r.x, r.y), n)).unwrap_or_default();
        let (tip_at, tip_name, tip_sub) =
            whole.clone().map(|(r, n, s)| (Point::new(r.x, r.bottom()), n, s)).unwrap_or_default();
        let tip_w = tip_width(&tip_name, &tip_sub);
        let second = ACTIONS_X + ACTION_W + 4.0;
        // With the inspector open, its Live section offers the same actions
        // by the names the issue gives ("Crash now", "Recover"): the card
        // stays for the pointer but leaves the accessibility tree, so that
        // "Recover" names one button, not two.
        let twin = !embed && layout.inspector.get();
        let (hidden, tab) = if twin { (Some("true"), "-1") } else { (None, "0") };
        Some(view! {
            <g class="overlay">
                <line class="connect-preview" display=shown(line.is_some()) x1=a.x y1=a.y x2=b.x y2=b.y/>
                <circle class="end-handle" display=shown(ends.is_some()) data-end="from" cx=e.0.x cy=e.0.y r="5"/>
                <circle class="end-handle" display=shown(ends.is_some()) data-end="to" cx=e.1.x cy=e.1.y r="5"/>
                <g
                    class="node-actions"
                    role="toolbar"
                    aria-hidden=hidden
                    aria-label=format!("Live actions for {card_name}")
                    display=shown(card.is_some())
                    transform=format!("translate({:.1} {:.1})", card_at.x, card_at.y)
                    on:keydown=on_key
                >
                    <g class="act act-crash" role="button" tabindex=tab data-act="crash" aria-label=format!("Crash {card_name}")>
                        <rect x=ACTIONS_X y=ACTION_Y width=ACTION_W height=ACTION_H rx="6"/>
                        <text x=ACTIONS_X + ACTION_W / 2.0 y=ACTION_Y + 16.5>"Crash"</text>
                    </g>
                    <g class="act act-recover" role="button" tabindex=tab data-act="recover" aria-label=format!("Recover {card_name}")>
                        <rect x=second y=ACTION_Y width=ACTION_W height=ACTION_H rx="6"/>
                        <text x=second + ACTION_W / 2.0 y=ACTION_Y + 16.5>"Recover"</text>
                    </g>
                </g>
                <g
                    class="full-text"
                    role="tooltip"
                    display=shown(whole.is_some())
                    transform=format!("translate({:.1} {:.1})", tip_at.x, tip_at.y)
                >
                    <rect y="6" width=tip_w height="40" rx="7"/>
                    <text class="full-name" x="8" y="22">{tip_name}</text>
                    <text class="full-sub" x="8" y="38">{tip_sub}</text>
                </g>
            </g>
        })
    }
}

/// The tip's width for its two lines, world units.
fn tip_width(name: &str, sub: &str) -> f64 {
    16.0 + (TIP_NAME_CHAR_W * name.chars().count() as f64).max(TIP_CHAR_W * sub.chars().count() as f64)
}

/// The curve of the one selected link (nothing else selected).
fn selected_link_path(ctx: Ctx) -> Option<geometry::LinkPath> {
    let id = ctx.sel.with(|s| (s.nodes.is_empty() && s.links.len() == 1).then(|| s.links.first().cloned()))??;
    ctx.doc.with(|d| {
        let i = d.links.iter().position(|l| l.id == id)?;
        link_paths(d).get(i).copied().flatten()
    })
}

/// The rubber band while selecting.
#[component]
fn Band() -> impl IntoView {
    let ctx = use_ctx();
    move || {
        let r = ctx.gesture.with(|g| g.as_ref().and_then(Gesture::band))?;
        Some(view! { <rect class="band" x=r.x y=r.y width=r.w height=r.h/> })
    }
}

/// Where a block dragged from the palette would land.
#[component]
fn Ghost() -> impl IntoView {
    let ctx = use_ctx();
    move || {
        let drag = ctx.palette_drag.get()?;
        let at = drag.at?;
        let at = if ctx.snap.get_untracked() { geometry::snap_point(at) } else { at };
        let r = geometry::Rect::centered(at, geometry::NODE_W, geometry::NODE_H);
        Some(view! {
            <g class="ghost">
                <rect x=r.x y=r.y width=r.w height=r.h rx="12"/>
                <text x=at.x y=at.y + 4.0>{drag.kind.title()}</text>
            </g>
        })
    }
}

#[component]
fn ZoomControls() -> impl IntoView {
    let ctx = use_ctx();
    let zoom_by = move |f: Option<f64>| ctx.zoom_by(f);
    view! {
        <div class="zoom-controls" role="toolbar" aria-label="View">
            <button type="button" aria-label="Zoom out" title="Zoom out (Ctrl+-)" on:click=move |_| zoom_by(Some(1.0 / ZOOM_STEP))>"−"</button>
            <span class="zoom-level" aria-live="off">{text(move || format!("{:.0}%", ctx.view.get().zoom * 100.0))}</span>
            <button type="button" aria-label="Zoom in" title="Zoom in (Ctrl+=)" on:click=move |_| zoom_by(Some(ZOOM_STEP))>"+"</button>
            <button type="button" title="Fit the diagram to the canvas, as far as its labels stay readable" on:click=move |_| ctx.fit()>"Fit"</button>
            <label class="snap">
                <input type="checkbox" prop:checked=flag(move || ctx.snap.get()) on:change=move |ev| ctx.snap.set(event_target_checked(&ev))/>
                "Snap to grid"
            </label>
        </div>
    }
}

fn capture(ctx: Ctx, ev: &PointerEvent) {
    if let Some(svg) = ctx.svg.get_untracked() {
        let el: &web_sys::Element = svg.unchecked_ref();
        let _ = el.set_pointer_capture(ev.pointer_id());
    }
}

fn pointer_down(ctx: Ctx, ev: &PointerEvent) {
    let button = ev.button();
    if button != 0 && button != 1 {
        return;
    }
    if ctx.renaming.get_untracked().is_some() {
        // A press outside the rename box ends the rename (its blur commits).
        ctx.renaming.set(None);
    }
    if let Some(svg) = ctx.svg.get_untracked() {
        let el: &web_sys::HtmlElement = svg.unchecked_ref();
        let _ = el.focus();
    }
    let (p, _) = ctx.canvas_point(f64::from(ev.client_x()), f64::from(ev.client_y()));
    let view = ctx.view.get_untracked();
    let world = view.to_world(p);
    let shift = ev.shift_key();
    if button == 1 {
        ev.prevent_default();
        capture(ctx, ev);
        ctx.gesture.set(Some(Gesture::Pan { start: p, origin: view }));
        return;
    }
    // 0. While a run goes, the selected node's card has live actions.
    if ctx.run.status.get_untracked() != super::run::Status::Idle {
        let hit = ctx.sel.with_untracked(|s| s.focus()).and_then(|f| match f {
            crate::editor::selection::Focus::Node(id) => ctx
                .doc
                .with_untracked(|d| d.node(&id).and_then(|n| super::node_view::action_at(n, world)))
                .map(|a| (id, a)),
            _ => None,
        });
        if let Some((id, action)) = hit {
            super::node_view::act(ctx, &id, action);
            return;
        }
    }
    // 1. An end of the selected link moves that end; a node's handle (on
    // any side) starts a link.
    if let Some((link, end)) = link_end_at(ctx, p) {
        capture(ctx, ev);
        ctx.gesture.set(Some(Gesture::Relink { link, end, to: world }));
        return;
    }
    let handle = ctx.doc.with_untracked(|d| {
        d.nodes
            .iter()
            .rev()
            .find(|n| handle_points(n).iter().any(|h| view.to_screen(*h).sub_len(p) <= HANDLE_GRAB_PX))
            .map(|n| n.id.clone())
    });
    if let Some(from) = handle {
        capture(ctx, ev);
        ctx.gesture.set(Some(Gesture::Connect { from, to: world }));
        return;
    }
    // 2. A node: select it and start moving the selection.
    let hit = ctx.doc.with_untracked(|d| geometry::node_at(d, world).map(|i| d.nodes[i].id.clone()));
    if let Some(id) = hit {
        ctx.sel.update(|s| {
            if shift {
                s.toggle_node(&id);
            } else if !s.has_node(&id) {
                *s = Selection::node(&id);
            }
        });
        if ctx.sel.with_untracked(|s| s.has_node(&id)) {
            // The grabbed node first: it is the one that snaps to the grid.
            let mut ids = vec![id.clone()];
            ctx.sel.with_untracked(|s| ids.extend(s.nodes.iter().filter(|n| **n != id).cloned()));
            let g = ctx.doc.with_untracked(|d| Gesture::start_move(d, &ids, p));
            capture(ctx, ev);
            ctx.gesture.set(Some(g));
            PRESSED.with(|c| *c.borrow_mut() = Some((id, shift)));
        }
        return;
    }
    // 3. A token: open its request.
    if !shift {
        if let Some(trace) = ctx.run.token_at(p.x, p.y) {
            super::results::open_trace(ctx, trace);
            return;
        }
    }
    // 4. A link: select it. A dead-letter link selects its queue, where
    // the setting lives.
    if let Some(id) = link_at(ctx, p) {
        ctx.sel.update(|s| {
            if shift {
                s.toggle_link(&id);
            } else {
                *s = Selection::link(&id);
            }
        });
        return;
    }
    if let Some(queue) = super::dead_letters::at(ctx, p) {
        ctx.sel.set(Selection::node(&queue));
        return;
    }
    // 5. The background: shift draws a rubber band, a plain drag pans.
    capture(ctx, ev);
    let g = if shift {
        Gesture::Band { start: world, now: world, base: ctx.sel.get_untracked() }
    } else {
        Gesture::Pan { start: p, origin: view }
    };
    ctx.gesture.set(Some(g));
}

/// The link whose curve passes nearest the canvas point `p`, if near enough.
fn link_at(ctx: Ctx, p: Point) -> Option<String> {
    let view = ctx.view.get_untracked();
    let world = view.to_world(p);
    ctx.doc.with_untracked(|d| {
        link_paths(d)
            .iter()
            .enumerate()
            .filter_map(|(i, path)| {
                let dist = path.as_ref()?.distance_to(world) * view.zoom;
                (dist <= LINK_GRAB_PX).then(|| (dist, d.links[i].id.clone()))
            })
            .min_by(|a, b| a.0.total_cmp(&b.0))
            .map(|(_, id)| id)
    })
}

/// An end handle of the one selected link under the canvas point `p`.
fn link_end_at(ctx: Ctx, p: Point) -> Option<(String, End)> {
    let id = ctx.sel.with_untracked(|s| s.links.first().cloned())?;
    let path = untrack(|| selected_link_path(ctx))?;
    let view = ctx.view.get_untracked();
    let near = |q: Point| view.to_screen(q).sub_len(p) <= HANDLE_GRAB_PX;
    if near(path.end) {
        Some((id, End::To))
    } else if near(path.start) {
        Some((id, End::From))
    } else {
        None
    }
}

/// The node or link under the canvas point `p` (for the context menu),
/// selected unless it already is.
fn target_at(ctx: Ctx, p: Point) -> Option<super::menu::Target> {
    use super::menu::Target;
    let world = ctx.view.get_untracked().to_world(p);
    if let Some(id) = ctx.doc.with_untracked(|d| geometry::node_at(d, world).map(|i| d.nodes[i].id.clone())) {
        if !ctx.sel.with_untracked(|s| s.has_node(&id)) {
            ctx.sel.set(Selection::node(&id));
        }
        return Some(Target::Node(id));
    }
    let id = link_at(ctx, p)?;
    if !ctx.sel.with_untracked(|s| s.has_link(&id)) {
        ctx.sel.set(Selection::link(&id));
    }
    Some(Target::Link(id))
}

thread_local! {
    /// The node a move gesture grabbed, and whether shift was held: a click
    /// without a drag then selects that node alone.
    static PRESSED: std::cell::RefCell<Option<(String, bool)>> = const { std::cell::RefCell::new(None) };
}

fn pointer_move(ctx: Ctx, ev: &PointerEvent) {
    if ctx.gesture.with_untracked(Option::is_none) {
        return;
    }
    let (p, _) = ctx.canvas_point(f64::from(ev.client_x()), f64::from(ev.client_y()));
    let snap = ctx.snap.get_untracked();
    let mut doc = ctx.doc.get_untracked();
    let mut view = ctx.view.get_untracked();
    let mut sel = ctx.sel.get_untracked();
    let (doc0, view0, sel0) = (doc.clone(), view, sel.clone());
    ctx.gesture.update(|g| {
        if let Some(g) = g {
            g.drag(p, &mut doc, &mut view, &mut sel, snap);
        }
    });
    if doc != doc0 {
        ctx.doc.set(doc);
    }
    if view != view0 {
        ctx.view.set(view);
    }
    if sel != sel0 {
        ctx.sel.set(sel);
    }
}

fn pointer_up(ctx: Ctx, ev: &PointerEvent) {
    let Some(g) = ctx.gesture.try_update(Option::take).flatten() else {
        return;
    };
    let (p, _) = ctx.canvas_point(f64::from(ev.client_x()), f64::from(ev.client_y()));
    let view = ctx.view.get_untracked();
    let was_click = match &g {
        Gesture::Pan { start, origin } => *origin == view && start.sub_len(p) < CLICK_SLOP_PX,
        Gesture::Band { start, now, .. } => start.sub_len(*now) * view.zoom < CLICK_SLOP_PX,
        _ => false,
    };
    let mut doc = ctx.doc.get_untracked();
    let outcome = g.finish(p, &mut doc, &view);
    match outcome {
        Outcome::None => {
            if was_click {
                ctx.sel.set(Selection::default());
            }
        }
        Outcome::Clicked => {
            if let Some((id, false)) = PRESSED.with(|c| c.borrow_mut().take()) {
                ctx.sel.set(Selection::node(&id));
            }
        }
        Outcome::Edited { before } => {
            // A drop may have changed a region too (`editor::regions`).
            if ctx.doc.with_untracked(|d| *d != doc) {
                ctx.doc.set(doc);
            }
            ctx.commit(before);
        }
        Outcome::Linked { before, link } => {
            ctx.doc.set(doc);
            ctx.commit(before);
            ctx.sel.set(Selection::link(&link));
        }
        Outcome::DeadLettered { before, queue } => {
            ctx.doc.set(doc);
            ctx.commit(before);
            ctx.sel.set(Selection::node(&queue));
            ctx.say("Dead letters now go to that queue");
        }
        Outcome::Refused(why) => ctx.complain(why),
    }
    PRESSED.with(|c| *c.borrow_mut() = None);
}

impl Ctx {
    /// The canvas's size in CSS pixels.
    pub fn measure(&self) -> (f64, f64) {
        let size = self
            .svg
            .get_untracked()
            .map(|el| {
                let r = el.get_bounding_client_rect();
                (r.width(), r.height())
            })
            .filter(|(w, h)| *w > 0.0 && *h > 0.0);
        if let Some(s) = size {
            self.canvas_size.set(s);
        }
        size.unwrap_or_else(|| self.canvas_size.get_untracked())
    }

    /// Zooms by `factor` around the middle of the canvas (`None`: back to 100%).
    pub fn zoom_by(&self, factor: Option<f64>) {
        let (w, h) = self.measure();
        let c = Point::new(w / 2.0, h / 2.0);
        self.view.update(|v| {
            let f = factor.unwrap_or(1.0 / v.zoom);
            *v = v.zoomed_at(c, f)
        });
    }

    /// Shows the whole diagram.
    pub fn fit(&self) {
        let (w, h) = self.measure();
        let v = match self.doc.with_untracked(geometry::bounds) {
            Some(b) if super::share::embedded() => Viewport::fit_whole(b, w, h, 16.0),
            Some(b) => Viewport::fit(b, w, h, 56.0),
            None => Viewport::default(),
        };
        self.view.set(v);
    }
}

trait Distance {
    fn sub_len(self, other: Point) -> f64;
}

impl Distance for Point {
    fn sub_len(self, other: Point) -> f64 {
        (self.x - other.x).hypot(self.y - other.y)
    }
}
