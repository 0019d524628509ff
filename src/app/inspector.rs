//! The inspector: every setting of the selected node or link (or of the
//! scenario when nothing is selected), the faults scheduled on it, and
//! while a run goes, live controls (Crash now, Recover).
//!
//! Panels are rebuilt only when what they show changes shape (another
//! selection, another kind, a fault added); a keystroke in a field changes
//! values, not structure, so the field being typed in keeps its focus.

use super::faults::FaultList;
use super::fields::FieldRow;
use super::icons::{blurb, KindIcon};
use super::run::Status;
use super::sig::{flag, text};
use super::state::use_ctx;
use crate::editor::chart::fmt_ms;
use crate::editor::describe::{via_blurb, via_name};
use crate::editor::doc;
use crate::editor::fields::{
    link_fields_for, link_variant, node_fields_for, node_variant, scenario_fields, Field, Input,
};
use crate::editor::selection::{Focus, Selection};
use crate::engine::format::validate::{Place, Problem, Severity};
use crate::engine::format::{wiring, FaultKind, FaultSpec, NodeKind};
use leptos::prelude::*;

#[component]
pub fn Inspector() -> impl IntoView {
    let ctx = use_ctx();
    let focus = Memo::new(move |_| ctx.sel.with(|s| (s.focus(), s.nodes.len(), s.links.len())));
    // A new selection starts at the top of its panel.
    let aside = NodeRef::<leptos::html::Aside>::new();
    Effect::new(move |_| {
        focus.track();
        if let Some(el) = aside.get_untracked() {
            el.set_scroll_top(0);
        }
    });
    view! {
        <aside class="inspector" aria-label="Inspector" node_ref=aside>
            {move || match focus.get() {
                (Some(Focus::Node(id)), _, _) => view! { <NodePanel id=id/> }.into_any(),
                (Some(Focus::Link(id)), _, _) => view! { <LinkPanel id=id/> }.into_any(),
                (None, 0, 0) => view! { <ScenarioPanel/> }.into_any(),
                (None, n, l) => view! { <ManyPanel nodes=n links=l/> }.into_any(),
            }}
        </aside>
    }
}

fn field_rows(place: Place, fields: Vec<Field>) -> impl IntoView {
    fields.into_iter().map(|f| view! { <FieldRow place=place.clone() field=f/> }).collect_view()
}

fn text_field(key: &'static str, label: &'static str, help: &'static str, default: &str) -> Field {
    Field { key, label, unit: "", input: Input::Text, default: default.to_string(), help }
}

#[component]
fn NodePanel(id: String) -> impl IntoView {
    let ctx = use_ctx();
    let key = id.clone();
    // The kind and what else decides its fields (a log's partitions).
    let shape = Memo::new(move |_| ctx.doc.with(|d| d.node(&key).map(|n| (n.kind, node_variant(n)))));
    let place = Place::Node(id.clone());
    move || {
        let (kind, variant) = shape.get()?;
        let fields = node_fields_for(kind, variant);
        let place = place.clone();
        let id = id.clone();
        Some(view! {
            <header class="inspector-head">
                <KindIcon kind=kind/>
                <div>
                    <h2>{kind.title()}</h2>
                    <p class="muted">{blurb(kind)}</p>
                </div>
            </header>
            // The live controls come first (they were below the fold while
            // a run went); the most used settings next, the id last.
            <LiveControls id=id.clone() kind=kind/>
            <section class="group">
                <FieldRow place=place.clone() field=text_field("label", "Label", "The name shown on the canvas.", "the id")/>
            </section>
            <section class="group">
                <h3>"Settings"</h3>
                {field_rows(place.clone(), fields)}
                <super::regions::RegionField id=id.clone()/>
            </section>
            <NodeWarnings id=id.clone()/>
            <ConnectTo id=id.clone()/>
            <section class="group">
                <h3>"Scheduled faults"</h3>
                <FaultList target=id.clone()/>
            </section>
            <ChangeList target=id.clone()/>
            <section class="group">
                <FieldRow place=place.clone() field=text_field("id", "Id", "Unique; links and faults refer to it. A-Z a-z 0-9 _ -", "")/>
            </section>
            <DeleteButton/>
        })
    }
}

/// Links the selected node to another, from the keyboard.
#[component]
fn ConnectTo(id: String) -> impl IntoView {
    let ctx = use_ctx();
    let key = id.clone();
    let targets = Memo::new(move |_| {
        ctx.doc.with(|d| {
            let Some(from) = d.node(&key) else {
                return Vec::new();
            };
            d.nodes
                .iter()
                .filter(|n| n.id != from.id)
                .filter(|n| !d.links.iter().any(|l| l.from == from.id && l.to == n.id))
                .filter_map(|n| {
                    wiring::infer(from.kind, n.kind)
                        .map(|v| (n.id.clone(), format!("{} ({})", n.display_name(), via_name(v))))
                })
                .collect::<Vec<_>>()
        })
    });
    let from = id.clone();
    let on_change = move |ev: leptos::ev::Event| {
        let to = event_target_value(&ev);
        if to.is_empty() {
            return;
        }
        match ctx.edit(|s| doc::connect(s, &from, &to)) {
            Ok(_) => ctx.say("Linked"),
            Err(why) => ctx.complain(why),
        }
    };
    view! {
        <Show when=move || !targets.with(Vec::is_empty)>
            <section class="group">
                <div class="field">
                    <label for="connect-to">"Connect to"</label>
                    <div class="field-input">
                        <select id="connect-to" prop:value="" on:change=on_change.clone()>
                            <option value="">"choose a node…"</option>
                            {move || {
                                targets
                                    .get()
                                    .into_iter()
                                    .map(|(id, name)| view! { <option value=id>{name}</option> })
                                    .collect_view()
                            }}
                        </select>
                    </div>
                </div>
            </section>
        </Show>
    }
}

/// The design warnings about one node, at the top of its panel (where a
/// click on a warning in the scenario's list lands), one per line.
#[component]
fn NodeWarnings(id: String) -> impl IntoView {
    let ctx = use_ctx();
    let place = Place::Node(id);
    let lines = text(move || {
        ctx.warnings.with(|all| {
            all.iter().filter(|w| w.place == place).map(|w| w.message.as_str()).collect::<Vec<_>>().join("\n")
        })
    });
    view! { <p class="node-warnings" role="note" aria-label="Warnings about this block">{lines}</p> }
}

/// A live fault of `kind` on `target`, started now (and kept in the scenario).
fn live_fault(ctx: super::state::Ctx, target: &str, kind: FaultKind) {
    let fault = FaultSpec {
        target: target.to_string(),
        kind,
        at_ms: 0.0,
        for_ms: None,
        factor: (kind == FaultKind::Slow).then_some(LIVE_SLOW_FACTOR),
        rate: (kind == FaultKind::Errors).then_some(LIVE_ERROR_RATE),
    };
    if let Err(e) = ctx.doc.with_untracked(|d| ctx.run.fault_now(d, fault)) {
        ctx.complain(e);
    }
}

/// What the live buttons do: five times slower, half the requests failing.
const LIVE_SLOW_FACTOR: f64 = 5.0;
const LIVE_ERROR_RATE: f64 = 0.5;

/// Crash now / Recover and the node's live figures.
#[component]
fn LiveControls(id: String, kind: NodeKind) -> impl IntoView {
    let ctx = use_ctx();
    let key = id.clone();
    let live = Memo::new(move |_| {
        let i = ctx.doc.with(|d| d.nodes.iter().position(|n| n.id == key))?;
        ctx.run.snap.with(|s| s.nodes.get(i).cloned())
    });
    let key = id.clone();
    let region = Memo::new(move |_| ctx.doc.with(|d| d.node(&key).and_then(|n| n.region.clone())));
    let status = ctx.run.status;
    let target = id.clone();
    let crash = move |_| {
        let r = ctx.doc.with_untracked(|d| ctx.run.crash(d, &target));
        if let Err(e) = r {
            ctx.complain(e);
        }
    };
    let target = id.clone();
    let recover = move |_| ctx.run.recover(&target);
    let crashed = move || live.with(|l| l.as_ref().is_some_and(|l| l.crashed));
    let live_id = id.clone();
    let faulty = move || live.with(|l| l.as_ref().is_some_and(|l| l.crashed || l.degraded));
    let target = id.clone();
    let slow = move |_| live_fault(ctx, &target, FaultKind::Slow);
    let target = id.clone();
    let errors = move |_| live_fault(ctx, &target, FaultKind::Errors);
    let over = move || status.get() == Status::Finished;
    let figures = move || {
        let l = live.get()?;
        let mut parts = Vec::new();
        if l.workers > 0 {
            parts.push(format!("{} of {} workers busy", l.busy, l.workers));
        }
        match kind {
            NodeKind::Queue => parts.push(format!("{} waiting, {} unacked", l.waiting, l.unacked)),
            NodeKind::Websocket | NodeKind::Browser => {
                parts.push(format!("{} connected", l.connections));
                if kind == NodeKind::Browser {
                    parts.push(format!("{} disconnected", l.waiting));
                }
            }
            // A log: each consumer group's lag, by name.
            NodeKind::Topic if !l.group_lag.is_empty() => {
                let names = ctx.doc.with_untracked(|d| crate::engine::format::groups::consumer_groups(d, &live_id));
                let lags: Vec<String> =
                    names.iter().zip(&l.group_lag).map(|((g, _), lag)| format!("{g} {lag}")).collect();
                parts.push(format!("lag: {}", lags.join(", ")));
            }
            _ if l.waiting > 0 => parts.push(format!("{} waiting", l.waiting)),
            _ => {}
        }
        if l.crashed {
            parts.push("crashed".into());
        } else if l.degraded {
            parts.push("degraded by a fault".into());
        }
        Some(parts.join(" · "))
    };
    view! {
        <section class="group live">
            <h3>"Live"</h3>
            <p class="muted">{text(move || figures().unwrap_or_else(|| "Break it while a run goes.".into()))}</p>
            <div class="button-row">
                <button
                    type="button"
                    class="danger"
                    disabled=flag(move || status.get() == Status::Finished || crashed())
                    on:click=crash
                >
                    "Crash now"
                </button>
                <button type="button" title="Work takes 5 times longer from now" disabled=flag(move || over() || crashed()) on:click=slow>
                    "Slow ×5"
                </button>
                <button type="button" title="Half of the requests fail from now" disabled=flag(move || over() || crashed()) on:click=errors>
                    "Errors 50%"
                </button>
                <button
                    type="button"
                    title="End the faults on it now"
                    disabled=flag(move || !matches!(status.get(), Status::Running | Status::ToEnd | Status::Paused) || !faulty())
                    on:click=recover
                >
                    "Recover"
                </button>
            </div>
            {move || region.get().map(|r| view! { <super::regions::RegionLive name=r/> })}
            <p class="muted small">"Live actions and edits while it runs are kept in the scenario at the time they happen: Share replays this very run; Undo takes one back."</p>
        </section>
    }
}

/// Partition now / Slow / Heal on a link while a run goes.
#[component]
fn LinkLiveControls(id: String) -> impl IntoView {
    let ctx = use_ctx();
    let key = id.clone();
    let cut = Signal::derive(move || {
        let i = ctx.doc.with(|d| d.links.iter().position(|l| l.id == key))?;
        ctx.run.snap.with(|s| s.links.get(i).map(|l| l.partitioned))
    });
    let status = ctx.run.status;
    let over = move || status.get() == Status::Finished;
    let target = id.clone();
    let partition = move |_| live_fault(ctx, &target, FaultKind::Partition);
    let target = id.clone();
    let slow = move |_| live_fault(ctx, &target, FaultKind::Slow);
    let target = id.clone();
    let heal = move |_| ctx.run.recover(&target);
    let key = id.clone();
    let has_fault = flag(move || {
        ctx.run.snap.track();
        ctx.run.has_active_fault(&key)
    });
    view! {
        <section class="group live">
            <h3>"Live"</h3>
            <p class="muted">{text(move || match cut.get() {
                Some(true) => "Partitioned: everything sent over it is dropped.".into(),
                Some(false) => "Carrying traffic.".into(),
                _ => "Press Run, then cut or slow this link while it runs.".into(),
            })}</p>
            <div class="button-row">
                <button type="button" class="danger" disabled=flag(move || over() || cut.get() == Some(true)) on:click=partition>"Partition now"</button>
                <button type="button" title="Latency 5 times longer from now" disabled=flag(over) on:click=slow>"Slow ×5"</button>
                <button type="button" title="End the faults on it now" disabled=flag(move || over() || !has_fault.get()) on:click=heal>"Heal"</button>
            </div>
        </section>
    }
}

/// The changes made to one node or link during runs (edits while running,
/// kept in the scenario), each removable.
#[component]
fn ChangeList(target: String) -> impl IntoView {
    let ctx = use_ctx();
    let key = target.clone();
    // (what changed, its position in `changes`)
    let rows = move || {
        ctx.doc.with(|d| {
            d.changes
                .iter()
                .enumerate()
                .filter(|(_, c)| c.target == key)
                .map(|(i, c)| {
                    let value = if c.value.is_null() { "default".to_string() } else { c.value.to_string() };
                    (format!("{} → {value} at {}", c.field, fmt_ms(c.at_ms)), i.to_string())
                })
                .collect::<Vec<(String, String)>>()
        })
    };
    move || {
        let rows = rows();
        (!rows.is_empty()).then(|| {
            view! {
                <section class="group">
                    <h3>"Changes during the run"</h3>
                    <ul class="changes">
                        {rows
                            .into_iter()
                            .map(|(what, i)| {
                                let i: usize = i.parse().unwrap_or(usize::MAX);
                                let remove = move |_| ctx.edit_keeping_run(|d| {
                                    if i < d.changes.len() {
                                        d.changes.remove(i);
                                    }
                                });
                                view! {
                                    <li>
                                        <span>{what}</span>
                                        <button type="button" class="icon-button" aria-label="Remove change" title="Remove change" on:click=remove>"×"</button>
                                    </li>
                                }
                            })
                            .collect_view()}
                    </ul>
                </section>
            }
        })
    }
}

#[component]
fn LinkPanel(id: String) -> impl IntoView {
    let ctx = use_ctx();
    let key = id.clone();
    // What decides the panel's shape: the kind and which sections are on.
    let shape = Memo::new(move |_| {
        ctx.doc.with(|d| {
            let l = d.link(&key)?;
            let kind = |id: &str| d.node(id).map(|n| n.kind);
            let choices = match (kind(&l.from), kind(&l.to)) {
                (Some(a), Some(b)) => wiring::choices(a, b),
                _ => Vec::new(),
            };
            Some((l.via, l.retry.is_some(), l.circuit_breaker.is_some(), choices, link_variant(d, l)))
        })
    });
    let key = id.clone();
    let ends = Memo::new(move |_| {
        ctx.doc.with(|d| {
            let l = d.link(&key)?;
            let name = |id: &str| d.node(id).map(|n| n.display_name().to_string()).unwrap_or_else(|| id.to_string());
            Some((name(&l.from), name(&l.to)))
        })
    });
    let key = id.clone();
    let breaker = Memo::new(move |_| {
        let i = ctx.doc.with(|d| d.links.iter().position(|l| l.id == key))?;
        ctx.run.snap.with(|s| s.links.get(i).and_then(|l| l.breaker))
    });
    move || {
        let (via, retry_on, breaker_on, choices, variant) = shape.get()?;
        let fields = link_fields_for(via, retry_on, breaker_on, variant);
        let place = Place::Link(id.clone());
        let p = place.clone();
        let on_kind = move |ev: leptos::ev::Event| {
            let text = event_target_value(&ev);
            if let Err(e) = ctx.try_edit(|d| crate::editor::fields::set(d, &p, "via", &text)) {
                ctx.complain(e);
            }
        };
        Some(view! {
            <header class="inspector-head">
                <svg class="icon" viewBox="0 0 24 24" aria-hidden="true"><path class="glyph" d="M4 12h13m-4-4l4 4-4 4"/></svg>
                <div>
                    <h2>"Link"</h2>
                    <p class="muted">{text(move || ends.get().map(|(a, b)| format!("{a} → {b}")).unwrap_or_default())}</p>
                </div>
            </header>
            <section class="group">
                <div class="field">
                    <label for="link-kind">"Link kind"</label>
                    <div class="field-input">
                        <select id="link-kind" prop:value=via.as_str() on:change=on_kind>
                            {choices
                                .iter()
                                .map(|v| view! { <option value=v.as_str() selected=*v == via>{via_name(*v)}</option> })
                                .collect_view()}
                        </select>
                    </div>
                    <p class="field-default">{via_blurb(via)}</p>
                </div>
            </section>
            {link_settings(place.clone(), fields)}
            {breaker_on.then(|| view! {
                <p class="muted">{text(move || match breaker.get() {
                    Some(s) => format!("Breaker now: {}", s.as_str().replace('_', "-")),
                    None => "The breaker's state shows here while a run goes.".into(),
                })}</p>
            })}
            <LinkLiveControls id=id.clone()/>
            <section class="group">
                <h3>"Scheduled faults"</h3>
                <FaultList target=id.clone()/>
            </section>
            <ChangeList target=id.clone()/>
            <section class="group">
                <FieldRow place=place.clone() field=text_field("id", "Id", "Unique; faults refer to it.", "")/>
            </section>
            <DeleteButton/>
        })
    }
}

/// A link's settings: the main ones, then the retry's and the breaker's
/// own (keys `retry.*`, `circuit_breaker.*`) under their headings.
fn link_settings(place: Place, fields: Vec<Field>) -> impl IntoView {
    let (main, details): (Vec<Field>, Vec<Field>) = fields.into_iter().partition(|f| !f.key.contains('.'));
    let part = |prefix: &str| details.iter().filter(|f| f.key.starts_with(prefix)).cloned().collect::<Vec<_>>();
    let (retry, breaker) = (part("retry."), part("circuit_breaker."));
    let sub = move |title: &'static str, fields: Vec<Field>, place: Place| {
        (!fields.is_empty()).then(|| {
            view! {
                <section class="group">
                    <h3>{title}</h3>
                    {field_rows(place, fields)}
                </section>
            }
        })
    };
    view! {
        <section class="group">
            <h3>"Settings"</h3>
            {field_rows(place.clone(), main)}
        </section>
        {sub("Retry", retry, place.clone())}
        {sub("Circuit breaker", breaker, place)}
    }
}

#[component]
fn ManyPanel(nodes: usize, links: usize) -> impl IntoView {
    let plural = |n: usize, w: &str| format!("{n} {w}{}", if n == 1 { "" } else { "s" });
    view! {
        <header class="inspector-head">
            <div>
                <h2>{format!("{} selected", plural(nodes + links, "item"))}</h2>
                <p class="muted">{format!("{} and {}", plural(nodes, "node"), plural(links, "link"))}</p>
            </div>
        </header>
        <p class="muted">"Drag any of them to move them together; Delete removes them all."</p>
        <DeleteButton/>
    }
}

#[component]
fn DeleteButton() -> impl IntoView {
    let ctx = use_ctx();
    let delete = move |_| delete_selection(ctx);
    view! {
        <div class="button-row end">
            <button type="button" class="danger subtle" title="Delete (Delete or Backspace)" on:click=delete>"Delete"</button>
        </div>
    }
}

pub fn delete_selection(ctx: super::state::Ctx) {
    let sel = ctx.sel.get_untracked();
    if sel.is_empty() {
        return;
    }
    ctx.edit(|s| doc::delete(s, &sel));
    ctx.sel.set(Selection::default());
}

/// Nothing selected: the scenario's own settings, its problems and faults.
#[component]
fn ScenarioPanel() -> impl IntoView {
    let ctx = use_ctx();
    let problems = ctx.problems;
    let fault_targets = Memo::new(move |_| {
        ctx.doc.with(|d| {
            let mut t: Vec<String> = d.faults.iter().map(|f| f.target.clone()).collect();
            t.dedup();
            t
        })
    });
    let warnings = ctx.warnings;
    let select = move |place: Place| match place {
        Place::Node(id) => ctx.sel.set(Selection::node(&id)),
        Place::Link(id) => ctx.sel.set(Selection::link(&id)),
        Place::Fault(i) | Place::Change(i) => {
            let target = |d: &crate::engine::format::Scenario| match place {
                Place::Fault(_) => d.faults.get(i).map(|f| f.target.clone()),
                _ => d.changes.get(i).map(|c| c.target.clone()),
            };
            if let Some(t) = ctx.doc.with_untracked(target) {
                let is_link = ctx.doc.with_untracked(|d| d.link(&t).is_some());
                ctx.sel.set(if is_link { Selection::link(&t) } else { Selection::node(&t) });
            }
        }
        Place::Scenario => {}
    };
    view! {
        <header class="inspector-head">
            <div>
                <h2>"Scenario"</h2>
                <p class="muted">"Select a block or a link to edit it. Nothing selected shows the whole scenario."</p>
            </div>
        </header>
        <section class="group">
            {field_rows(Place::Scenario, scenario_fields())}
        </section>
        <super::regions::RegionPairs/>
        <super::regions::RegionOutages/>
        {move || {
            let list = problems.get();
            let design = warnings.get();
            let item = |p: Problem, class: &'static str, text: String| {
                let place = p.place.clone();
                view! {
                    <li class=class>
                        <button type="button" class="link-button" on:click=move |_| select(place.clone())>{text}</button>
                    </li>
                }
            };
            // Design warnings alone replace "No problems" with their own list.
            let problems = (!list.is_empty() || design.is_empty()).then(|| {
                let ok = list.is_empty().then(|| view! { <p class="ok-note">"No problems: ready to run."</p> });
                let items = list
                    .into_iter()
                    .map(|p| {
                        let sev = if p.severity == Severity::Error { "error" } else { "warning" };
                        let text = p.to_string();
                        item(p, sev, text)
                    })
                    .collect_view();
                view! {
                    <section class="group">
                        <h3>"Problems"</h3>
                        {ok}
                        <ul class="problems">{items}</ul>
                    </section>
                }
            });
            let design = (!design.is_empty()).then(|| {
                let items = design
                    .into_iter()
                    .map(|p| {
                        let text = p.message.clone();
                        item(p, "warning", text)
                    })
                    .collect_view();
                view! {
                    <section class="group warnings" aria-labelledby="design-warnings">
                        <h3 id="design-warnings">"Design warnings"</h3>
                        <p class="muted small">"Legal, but probably not what you meant. They never stop a run; click one to select the block."</p>
                        <ul class="problems" aria-label="Design warnings">{items}</ul>
                    </section>
                }
            });
            (problems, design)
        }}
        <section class="group">
            <h3>"Scheduled faults"</h3>
            {move || {
                let targets = fault_targets.get();
                if targets.is_empty() {
                    return view! { <p class="muted">"None. Select a block or link to schedule a crash, a slowdown, errors or a partition."</p> }.into_any();
                }
                targets
                    .into_iter()
                    .map(|t| {
                        let name = ctx.doc.with_untracked(|d| match crate::engine::format::regions::split_target(&t) {
                            Some(r) => format!("Region {r} (every block in it)"),
                            None => d.node(&t).map(|n| n.display_name().to_string()).unwrap_or_else(|| t.clone()),
                        });
                        view! {
                            <h4>{name}</h4>
                            <FaultList target=t/>
                        }
                    })
                    .collect_view()
                    .into_any()
            }}
        </section>
        <section class="group shortcuts">
            <h3>"Shortcuts"</h3>
            <dl>
                <dt>"Ctrl+Z / Ctrl+Shift+Z"</dt><dd>"Undo / redo"</dd>
                <dt>"Delete"</dt><dd>"Delete the selection"</dd>
                <dt>"Shift+click, Shift+drag"</dt><dd>"Select several"</dd>
                <dt>"Drag the background, wheel"</dt><dd>"Pan, zoom"</dd>
                <dt>"Double-click a block"</dt><dd>"Rename it"</dd>
                <dt>"Click a moving dot"</dt><dd>"Follow that request"</dd>
                <dt>"Ctrl+C / Ctrl+V / Ctrl+D"</dt><dd>"Copy, paste, duplicate"</dd>
                <dt>"Ctrl+= / Ctrl+- / Ctrl+0"</dt><dd>"Zoom in, out, 100%"</dd>
                <dt>"Right-click, Shift+F10"</dt><dd>"Actions: crash, slow down…"</dd>
                <dt>"Alt+Shift+P / I / R"</dt><dd>"Palette, inspector, results"</dd>
            </dl>
        </section>
    }
}
