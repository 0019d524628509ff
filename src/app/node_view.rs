//! One node on the canvas: an SVG group carrying `data-kind` and an
//! `aria-label` with the node's label (tests and screen readers find nodes
//! by them), its icon, name and settings, the connection handle, and while
//! a run goes, its busy workers, waiting items and crash state.
//!
//! Pointer gestures are handled once for the whole canvas (`canvas.rs`);
//! a node only answers the keyboard and the inline rename.

use super::cells::Cells;
use super::icons::glyph_markup;
use super::sig::{text, PER_NODE};
use super::state::{use_ctx, Ctx};
use crate::editor::chart::fmt_short;
use crate::editor::describe::{fit_label, node_summary};
use crate::editor::geometry::{node_rect, Point, Rect, NODE_H, NODE_W};
use crate::editor::selection::Selection;
use crate::engine::format::{NodeKind, NodeSpec};
use crate::engine::view::NodeLive;
use leptos::prelude::*;

/// Characters of a label that fit the box at its font size.
pub const LABEL_CHARS: usize = 15;
pub const SUMMARY_CHARS: usize = 19;

#[component]
pub fn NodeView(id: String, cells: Cells) -> impl IntoView {
    let ctx = use_ctx();
    // The node's own cell: this view wakes only when this node changes.
    let cell = cells.node(&id);
    let node: RwSignal<Option<NodeSpec>> = cell.spec.into();
    let live: RwSignal<Option<NodeLive>> = cell.live.into();
    let selected: RwSignal<bool> = cell.selected.into();
    let renaming: RwSignal<bool> = cell.renaming.into();

    let key = id.clone();
    let on_key = move |ev: web_sys::KeyboardEvent| match ev.key().as_str() {
        "Enter" | " " => {
            ev.prevent_default();
            ctx.sel.set(Selection::node(&key));
        }
        "F2" => {
            ev.prevent_default();
            ctx.renaming.set(Some(key.clone()));
        }
        _ => {}
    };

    // Fine-grained pieces, so a drag only rewrites the transform.
    let kind = Memo::new(move |_| node.with(|n| n.as_ref().map(|n| n.kind)));
    let pos = Memo::new(move |_| node.with(|n| n.as_ref().map(|n| (n.x, n.y)).unwrap_or_default()));
    let name = Memo::new(move |_| node.with(|n| n.as_ref().map(|n| n.display_name().to_string()).unwrap_or_default()));
    let summary = Memo::new(move |_| node.with(|n| n.as_ref().map(node_summary).unwrap_or_default()));
    let replicas = Memo::new(move |_| node.with(|n| n.as_ref().map_or(1, crate::engine::format::scale::replicas_of)));
    let node_id = id.clone();

    move || {
        let kind = kind.get()?;
        let health = Memo::new(move |_| {
            live.with(|l| match l {
                Some(l) if l.crashed => " crashed",
                Some(l) if l.degraded => " degraded",
                _ => "",
            })
        });
        let class = Memo::new(move |_| {
            let selected = if selected.get() { " selected" } else { "" };
            format!("node kind-{}{selected}{}", kind.as_str(), health.get())
        });
        let transform = text(move || {
            let (x, y) = pos.get();
            format!("translate({:.1} {:.1})", x - NODE_W / 2.0, y - NODE_H / 2.0)
        });
        Some(view! { class=PER_NODE,
            <g
                class=class
                data-kind=kind.as_str()
                data-id=node_id.clone()
                aria-label=name
                aria-selected=text(move || selected.get().to_string())
                role="group"
                tabindex="0"
                transform=transform
                on:keydown=on_key.clone()
            >
                {move || (replicas.get() > 1).then(|| view! {
                    <rect class="node-stack" x="8" y="-8" width=NODE_W height=NODE_H rx="12"/>
                    <rect class="node-stack" x="4" y="-4" width=NODE_W height=NODE_H rx="12"/>
                })}
                <g class="node-frame" use:stamp=Stamp::Frame(kind)></g>
                <text class="node-label" x="50" y="24">{text(move || fit_label(&name.get(), LABEL_CHARS))}</text>
                <text class="node-sub" x="50" y="41">{text(move || fit_label(&summary.get(), SUMMARY_CHARS))}</text>
                <Live live=live stacks=matches!(kind, NodeKind::Queue | NodeKind::Topic)/>
                {move || {
                    let count = replicas.get();
                    (count > 1).then(|| view! { <ReplicaCards live=live count=count/> })
                }}
                <super::broker_view::LogStrip node=node live=live/>
                <StaleReads live=live below_cards=Signal::derive(move || replicas.get() > 1)/>
                <g class="handles" use:stamp=Stamp::Handles></g>
                {move || {
                    renaming
                        .get()
                        .then(|| node.get_untracked())
                        .flatten()
                        .map(|n| view! { <Rename node=n/> })
                }}
            </g>
        })
    }
}

/// The parts of a node's box that never change for its kind (the box, its
/// accent, the icon), as SVG markup: one `innerHTML` per node instead of a
/// dozen elements and some forty attributes set one call at a time, which
/// was most of what opening a 400-node diagram spent building views.
/// The constant parts of a node view, each SVG markup with no user text.
#[derive(Clone, Copy, PartialEq)]
enum Stamp {
    /// Box, accent and icon of a kind.
    Frame(NodeKind),
    /// The four connection handles.
    Handles,
}

impl Stamp {
    fn markup(self) -> String {
        match self {
            Stamp::Frame(kind) => frame_markup(kind),
            Stamp::Handles => handles_markup(),
        }
    }
}

thread_local! {
    /// Each [`Stamp`] parsed once, as a fragment to clone: cloning nodes is
    /// far cheaper than parsing the same markup again (`innerHTML`) for
    /// each of a big diagram's views.
    static PARSED: std::cell::RefCell<Vec<(Stamp, web_sys::DocumentFragment)>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// A `use:` directive: fills `el` with `what`'s markup, cloned from its
/// one parse (parsed into `el` itself where there is no document).
fn stamp(el: web_sys::Element, what: Stamp) {
    let parsed = PARSED.with(|p| {
        if let Some((_, f)) = p.borrow().iter().find(|(s, _)| *s == what) {
            return Some(f.clone());
        }
        let doc = web_sys::window()?.document()?;
        let g = doc.create_element_ns(Some("http://www.w3.org/2000/svg"), "g").ok()?;
        g.set_inner_html(&what.markup());
        let fragment = doc.create_document_fragment();
        while let Some(child) = g.first_child() {
            fragment.append_child(&child).ok()?;
        }
        p.borrow_mut().push((what, fragment.clone()));
        Some(fragment)
    });
    match parsed.and_then(|f| f.clone_node_with_deep(true).ok()) {
        Some(copy) => {
            let _ = el.append_child(&copy);
        }
        None => el.set_inner_html(&what.markup()),
    }
}

fn frame_markup(kind: NodeKind) -> String {
    let (w, h) = (NODE_W, NODE_H);
    let shape = match kind {
        NodeKind::Exchange => super::broker_view::shape_markup(),
        _ => String::new(),
    };
    format!(
        r#"<rect class="node-box" width="{w}" height="{h}" rx="12"/>{shape}<rect class="node-accent" x="0" y="10" width="4" height="{accent}" rx="2"/><circle class="node-icon-bg" cx="27" cy="{mid}" r="15"/><g class="node-icon" transform="translate(17 {icon}) scale(0.8333)"><g class="glyph">{glyph}</g></g>"#,
        accent = h - 20.0,
        mid = h / 2.0,
        icon = h / 2.0 - 10.0,
        glyph = glyph_markup(kind),
    )
}

/// A node's four connection handles (found by `data-handle`), as markup.
fn handles_markup() -> String {
    let (w, h) = (NODE_W, NODE_H);
    format!(
        r#"<circle class="handle" data-handle="out" cx="{w}" cy="{mid}" r="6"/><circle class="handle side" data-handle="bottom" cx="{half}" cy="{h}" r="6"/><circle class="handle side" data-handle="left" cx="0" cy="{mid}" r="6"/><circle class="handle side" data-handle="top" cx="{half}" cy="0" r="6"/>"#,
        mid = h / 2.0,
        half = w / 2.0,
    )
}

/// The live action buttons above a running node's box (node coordinates;
/// drawn by the canvas's overlay, hit-tested here).
pub const ACTION_W: f64 = 64.0;
pub const ACTION_H: f64 = 24.0;
pub const ACTION_Y: f64 = -36.0;
pub const ACTIONS_X: f64 = NODE_W - 2.0 * ACTION_W - 4.0;

/// Where a running node's card of live actions is, both buttons (world
/// units, from the node's box).
pub fn actions_rect(node: Rect) -> Rect {
    Rect { x: node.x + ACTIONS_X, y: node.y + ACTION_Y, w: 2.0 * ACTION_W + 4.0, h: ACTION_H }
}

/// The live action button of `n` under the world point `p`: "crash" or
/// "recover" (the canvas routes presses on them here).
pub fn action_at(n: &NodeSpec, p: Point) -> Option<&'static str> {
    let r = node_rect(n);
    let button =
        |i: f64| Rect { x: r.x + ACTIONS_X + i * (ACTION_W + 4.0), y: r.y + ACTION_Y, w: ACTION_W, h: ACTION_H };
    if button(0.0).contains(p) {
        Some("crash")
    } else if button(1.0).contains(p) {
        Some("recover")
    } else {
        None
    }
}

/// Runs a card's live action on node `id`, through the run's own methods.
pub fn act(ctx: Ctx, id: &str, action: &str) {
    let r = match action {
        "crash" => ctx.doc.with_untracked(|d| ctx.run.crash(d, id)),
        _ => {
            ctx.run.recover(id);
            Ok(())
        }
    };
    if let Err(e) = r {
        ctx.complain(e);
    }
}

/// Squares a queue's stack of waiting messages shows at most.
const STACK_MAX: u64 = 12;

/// The stack of waiting messages as one SVG path: a square per message (up
/// to [`STACK_MAX`]), drawn like the tokens that brought them.
fn stack_path(waiting: u64) -> String {
    (0..waiting.min(STACK_MAX)).map(|i| format!("M{} 45h7v7h-7z", 50 + 9 * i)).collect()
}

/// The run's marks on a node: a busy bar, a waiting count, a crash badge,
/// and on queues and topics, the stack of messages waiting.
///
/// The elements are made once and only their attributes follow the run:
/// recreating them a few times a second for every node would keep the
/// browser busy laying out a big diagram.
#[component]
fn Live(live: RwSignal<Option<NodeLive>>, stacks: bool) -> impl IntoView {
    /// Every attribute the marks need, as text. Attributes are only written
    /// when their text changes, so a publish touches only what moved.
    #[derive(Clone, PartialEq, Default)]
    struct Marks {
        busy_shown: String,
        busy_width: String,
        busy_class: String,
        waiting_shown: String,
        waiting_left: String,
        waiting_width: String,
        waiting_x: String,
        waiting: String,
        stack: String,
        stack_label: String,
        crashed_shown: String,
    }
    // Hidden marks are left out of the layout altogether (`display`, not
    // `visibility`): on a big diagram every laid-out element costs paint time.
    let shown = |on: bool| if on { "inline" } else { "none" }.to_string();
    let marks = Memo::new(move |_| {
        live.with(|l| {
            let l = l.clone().unwrap_or_default();
            let busy = (l.workers > 0).then(|| (f64::from(l.busy) / f64::from(l.workers)).clamp(0.0, 1.0));
            let waiting = (l.waiting > 0).then(|| fmt_short(l.waiting));
            let badge_w = 14.0 + 7.0 * waiting.as_ref().map_or(0, |t| t.chars().count()) as f64;
            Marks {
                busy_shown: shown(busy.is_some()),
                busy_width: format!("{:.0}", 118.0 * busy.unwrap_or(0.0)),
                busy_class: if busy.unwrap_or(0.0) > 0.85 { "busy-fill hot" } else { "busy-fill" }.to_string(),
                waiting_shown: shown(waiting.is_some()),
                waiting_left: (NODE_W - badge_w + 6.0).to_string(),
                waiting_width: badge_w.to_string(),
                waiting_x: (NODE_W + 6.0 - badge_w / 2.0).to_string(),
                waiting: waiting.unwrap_or_default(),
                stack: if stacks { stack_path(l.waiting) } else { String::new() },
                stack_label: format!("{} waiting", l.waiting),
                crashed_shown: shown(l.crashed),
            }
        })
    });
    let attr = move |f: fn(&Marks) -> String| text(move || marks.with(f));
    view! { class=PER_NODE,
        <g class="busy" display=attr(|m| m.busy_shown.clone())>
            <rect class="busy-track" x="50" y="47" width="118" height="4" rx="2"/>
            <rect class=attr(|m| m.busy_class.clone()) x="50" y="47" width=attr(|m| m.busy_width.clone()) height="4" rx="2"/>
        </g>
        <g class="waiting" display=attr(|m| m.waiting_shown.clone())>
            <rect x=attr(|m| m.waiting_left.clone()) y="-9" width=attr(|m| m.waiting_width.clone()) height="18" rx="9"/>
            <text x=attr(|m| m.waiting_x.clone()) y="3.5">{attr(|m| m.waiting.clone())}</text>
        </g>
        {stacks.then(|| view! { class=PER_NODE,
            <path class="stack" role="img" aria-label=attr(|m| m.stack_label.clone()) d=attr(|m| m.stack.clone())>
                <title>{attr(|m| m.stack_label.clone())}</title>
            </path>
        })}
        <g class="crash-badge" display=attr(|m| m.crashed_shown.clone())>
            <rect x="8" y="-9" width="64" height="18" rx="9"/>
            <text x="40" y="3.5">"CRASHED"</text>
        </g>
    }
}

/// Replica cards drawn at most; past it the last card says how many more.
const CARDS_MAX: u32 = 12;

/// A replicated service's replicas as a row of cards under its box: each
/// fills with its busy share and shows crashed (red) or out of rotation
/// (dashed, the balancer no longer sends to it).
#[component]
fn ReplicaCards(live: RwSignal<Option<NodeLive>>, count: u32) -> impl IntoView {
    let shown = count.min(CARDS_MAX);
    let gap = 3.0;
    let w = ((NODE_W - gap * f64::from(shown - 1)) / f64::from(shown)).min(26.0);
    (0..shown)
        .map(|k| {
            let x = f64::from(k) * (w + gap);
            let more = k + 1 == shown && count > shown;
            let state = Memo::new(move |_| {
                live.with(|l| {
                    let l = l.as_ref()?;
                    let r = l.replicas.get(k as usize)?;
                    let per = (l.workers / count.max(1)).max(1);
                    Some((*r, f64::from(r.busy) / f64::from(per)))
                })
            });
            let class = text(move || match state.get() {
                Some((r, _)) if r.crashed => "replica-card crashed".to_string(),
                Some((r, _)) if !r.in_rotation => "replica-card out".to_string(),
                Some((r, _)) if r.failing_checks > 0 => "replica-card failing".to_string(),
                _ => "replica-card".to_string(),
            });
            let fill_h = text(move || format!("{:.1}", 14.0 * state.get().map_or(0.0, |(_, load)| load.clamp(0.0, 1.0))));
            let fill_y = text(move || format!("{:.1}", NODE_H + 20.0 - 14.0 * state.get().map_or(0.0, |(_, l)| l.clamp(0.0, 1.0))));
            let label = text(move || {
                let name = if more { format!("replicas {}–{count}", k + 1) } else { format!("replica {}", k + 1) };
                match state.get() {
                    None => name,
                    Some((r, _)) => {
                        let how = if r.crashed {
                            "crashed"
                        } else if r.in_rotation {
                            "in rotation"
                        } else {
                            "out of rotation"
                        };
                        let checks = match r.failing_checks {
                            0 => String::new(),
                            1 => ", 1 failed check".to_string(),
                            n => format!(", {n} failed checks in a row"),
                        };
                        format!("{name}: {} busy, {} waiting, {how}{checks}", r.busy, r.waiting)
                    }
                }
            });
            view! { class=PER_NODE,
                <g class=class role="img" aria-label=label>
                    {super::sig::svg_title(label)}
                    <rect class="replica-frame" x=x y=NODE_H + 5.0 width=w height="16" rx="3"/>
                    <rect class="replica-fill" x=x + 1.0 y=fill_y width=w - 2.0 height=fill_h rx="2"/>
                    {more.then(|| view! { <text class="replica-more" x=x + w / 2.0 y=NODE_H + 17.0>{format!("+{}", count - shown + 1)}</text> })}
                </g>
            }
        })
        .collect_view()
}

/// A database's (or a reader's) stale reads so far, under its box; a
/// text, not a colour, says how many.
#[component]
fn StaleReads(live: RwSignal<Option<NodeLive>>, below_cards: Signal<bool>) -> impl IntoView {
    let count = Memo::new(move |_| live.with(|l| l.as_ref().and_then(|l| l.stale_reads)));
    move || {
        let y = NODE_H + if below_cards.get() { 36.0 } else { 16.0 };
        count.get().map(|n| {
            let plural = if n == 1 { "" } else { "s" };
            // The card has room for "1.5k"; the title and screen readers get it exactly.
            let label = format!("{n} stale read{plural}");
            let class = if n > 0 { "stale-reads some" } else { "stale-reads" };
            view! { class=PER_NODE,
                <text class=class x="8" y=y role="img" aria-label=label.clone()>
                    {super::sig::svg_title(label.clone())}
                    {format!("{} stale read{plural}", fmt_short(n))}
                </text>
            }
        })
    }
}

/// The inline editor a double-click opens over the node's name.
#[component]
fn Rename(node: NodeSpec) -> impl IntoView {
    let ctx = use_ctx();
    let input = NodeRef::<leptos::html::Input>::new();
    Effect::new(move |_| {
        if let Some(el) = input.get() {
            let _ = el.focus();
            el.select();
        }
    });
    let id = node.id.clone();
    let commit = move |text: String| {
        if ctx.renaming.get_untracked().is_none() {
            return;
        }
        ctx.renaming.set(None);
        let r = ctx.try_edit(|s| {
            crate::editor::fields::set(s, &crate::engine::format::validate::Place::Node(id.clone()), "label", &text)
        });
        if let Err(e) = r {
            ctx.complain(format!("Label: {e}"));
        }
    };
    // The input's own value, read from the event: the handlers may run
    // after the rename box is gone (a blur fires once it is removed).
    fn value_of(ev: &web_sys::Event) -> Option<String> {
        use wasm_bindgen::JsCast;
        ev.target()?.dyn_into::<web_sys::HtmlInputElement>().ok().map(|i| i.value())
    }
    let on_key = {
        let commit = commit.clone();
        move |ev: web_sys::KeyboardEvent| {
            ev.stop_propagation();
            match ev.key().as_str() {
                "Enter" => {
                    if let Some(v) = value_of(&ev) {
                        commit(v);
                    }
                }
                "Escape" => ctx.renaming.set(None),
                _ => {}
            }
        }
    };
    let on_blur = move |ev: web_sys::FocusEvent| {
        if let Some(v) = value_of(&ev) {
            commit(v);
        }
    };
    view! {
        <foreignObject x="44" y="8" width=NODE_W - 52.0 height="26">
            <input
                node_ref=input
                class="rename"
                aria-label="Rename"
                prop:value=node.label.clone()
                maxlength="200"
                on:keydown=on_key
                on:blur=on_blur
                on:pointerdown=|ev| ev.stop_propagation()
            />
        </foreignObject>
    }
}
