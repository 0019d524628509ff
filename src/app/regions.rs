//! Regions in the app: labelled areas on the canvas (drop a node in one to
//! put it there, see `editor::regions`), cross-region links marked with
//! their added latency, the inspector's region select, and the scenario's
//! latency pairs.

use super::state::use_ctx;
use crate::editor::regions::{self as edit, Area};
use crate::engine::format::regions;
use leptos::prelude::*;
use std::collections::BTreeMap;

/// Links between two regions: link id → the added one-way latency, ms.
#[derive(Clone, Copy)]
pub struct CrossLinks(pub Memo<BTreeMap<String, f64>>);

/// Computes the cross-region links of the document (for `LinkView`).
pub fn provide_cross_links() {
    let ctx = use_ctx();
    let memo = Memo::new(move |_| {
        ctx.doc.with(|d| {
            if d.nodes.iter().all(|n| n.region.is_none()) {
                return BTreeMap::new();
            }
            // Maps filled by `extend`, not `collect` (which sorts first: one
            // more compiled copy of the stable sort, see engine::order).
            let mut region = BTreeMap::new();
            region.extend(d.nodes.iter().filter_map(|n| n.region.as_deref().map(|r| (n.id.as_str(), r))));
            let mut cross = BTreeMap::new();
            cross.extend(d.links.iter().filter_map(|l| {
                let (a, b) = (region.get(l.from.as_str()).copied(), region.get(l.to.as_str()).copied());
                regions::crosses(a, b).then(|| (l.id.clone(), regions::pair_ms(d, a, b)))
            }));
            cross
        })
    });
    provide_context(CrossLinks(memo));
}

/// The added latency of link `id` when it crosses regions.
pub fn cross_of(id: &str) -> Memo<Option<f64>> {
    let cross = use_context::<CrossLinks>();
    let id = id.to_string();
    Memo::new(move |_| cross.and_then(|c| c.0.with(|m| m.get(&id).copied())))
}

/// Every region's area, under the links and nodes. While nodes are being
/// dragged the areas are drawn without them, so they stay put as targets.
#[component]
pub fn RegionAreas() -> impl IntoView {
    let ctx = use_ctx();
    let areas = Memo::new(move |_| {
        let skip: Vec<String> = ctx.gesture.with(|g| match g {
            Some(crate::editor::gesture::Gesture::Move { origin, .. }) => origin.iter().map(|o| o.0.clone()).collect(),
            _ => Vec::new(),
        });
        ctx.doc.with(|d| if d.nodes.iter().all(|n| n.region.is_none()) { Vec::new() } else { edit::areas(d, &skip) })
    });
    move || {
        areas
            .get()
            .into_iter()
            .map(|a: Area| {
                let r = a.rect;
                let label = format!("Region {}", a.name);
                let (name, tint) = (a.name.clone(), a.tint % 6);
                let down = Memo::new(move |_| region_down(ctx, &name));
                let name = a.name.clone();
                // The name follows the canvas while the area's corner is out of sight.
                let chars = name.chars().count();
                let at = Memo::new(move |_| {
                    let shown = chars + if down.get() { " · down".len() } else { 0 };
                    ctx.view.with(|v| edit::label_at(r, shown, v))
                });
                view! {
                    <g
                        class=move || format!("region-area tint-{tint}{}", if down.get() { " down" } else { "" })
                        role="group"
                        data-region=a.name.clone()
                    >
                        // Named by its title, not aria-label: the node field
                        // "Region" stays the one label that says so.
                        {super::sig::svg_title(label)}
                        <rect x=r.x y=r.y width=r.w height=r.h rx="18"/>
                        <text x=move || at.get().x y=move || at.get().y>
                            {move || if down.get() { format!("{name} · down") } else { name.clone() }}
                        </text>
                    </g>
                }
            })
            .collect_view()
    }
}

/// The inspector's region of node `id`: a select of the scenario's regions,
/// "none", and "New region…" with a name box.
#[component]
pub fn RegionField(id: String) -> impl IntoView {
    let ctx = use_ctx();
    let key = id.clone();
    let current = Memo::new(move |_| ctx.doc.with(|d| d.node(&key).and_then(|n| n.region.clone()).unwrap_or_default()));
    let names = Memo::new(move |_| ctx.doc.with(regions::all));
    let adding = RwSignal::new(false);
    let draft = RwSignal::new(String::new());
    let node = StoredValue::new(id);
    let apply = move |region: Option<String>| {
        let id = node.get_value();
        match ctx.edit(|s| edit::set_region(s, &id, region.as_deref())) {
            Ok(()) => {
                adding.set(false);
                draft.set(String::new());
            }
            Err(why) => ctx.complain(why),
        }
    };
    let on_change = move |ev: leptos::ev::Event| {
        let v = event_target_value(&ev);
        match v.as_str() {
            "__new" => adding.set(true),
            "" => apply(None),
            r => apply(Some(r.to_string())),
        }
    };
    let add = move || {
        let name = draft.get_untracked().trim().to_string();
        if name.is_empty() {
            ctx.complain("Type a name for the new region (e.g. eu)");
        } else {
            apply(Some(name));
        }
    };
    view! {
        <div class="field region-field" title="The region the block runs in. Links between two regions pay the region latency (set under Scenario) each way. Drag a block into a region's area on the canvas to move it there.">
            <label for="f-node-region">"Region"</label>
            <div class="field-input">
                <select
                    id="f-node-region"
                    prop:value=move || if adding.get() { "__new".to_string() } else { current.get() }
                    on:change=on_change
                >
                    <option value="">"none"</option>
                    {move || names.get().into_iter().map(|n| view! { <option value=n.clone()>{n.clone()}</option> }).collect_view()}
                    <option value="__new">"New region…"</option>
                </select>
            </div>
            <Show when=move || adding.get()>
                <div class="field-input region-new">
                    <input
                        type="text"
                        aria-label="New region name"
                        placeholder="e.g. eu"
                        autocomplete="off"
                        spellcheck="false"
                        prop:value=move || draft.get()
                        on:input=move |ev| draft.set(event_target_value(&ev))
                        on:keydown=move |ev: web_sys::KeyboardEvent| if ev.key() == "Enter" { add() }
                    />
                    <button type="button" on:click=move |_| add()>"Add region"</button>
                </div>
            </Show>
            <p class="field-default">"A new region gets 50 ms to every other; edit it under Scenario."</p>
        </div>
    }
}

/// The scenario's region latency pairs: one number per pair, a button to
/// remove it, and buttons for the pairs of regions still missing.
#[component]
pub fn RegionPairs() -> impl IntoView {
    let ctx = use_ctx();
    let pairs = Memo::new(move |_| ctx.doc.with(|d| d.regions.clone()));
    let missing = Memo::new(move |_| ctx.doc.with(edit::missing_pairs));
    let any = Memo::new(move |_| ctx.doc.with(|d| !d.regions.is_empty() || d.nodes.iter().any(|n| n.region.is_some())));
    view! {
        <Show when=move || any.get()>
            <section class="group region-pairs" aria-labelledby="region-pairs-title">
                <h3 id="region-pairs-title">"Region latency"</h3>
                <p class="muted small">"One way, added to every link between the two regions (a call pays it twice)."</p>
                {move || {
                    pairs
                        .get()
                        .into_iter()
                        .enumerate()
                        .map(|(i, (a, b, ms))| {
                            let label = format!("Latency between {a} and {b}");
                            let remove = format!("Remove the latency between {a} and {b}");
                            let id = format!("f-region-pair-{i}");
                            view! {
                                <div class="field region-pair">
                                    <label for=id.clone()>{format!("{a} ↔ {b}")}</label>
                                    <div class="field-input">
                                        <input
                                            id=id
                                            type="text"
                                            inputmode="decimal"
                                            aria-label=label
                                            prop:value=ms.to_string()
                                            on:change=move |ev| {
                                                let v = event_target_value(&ev);
                                                let r = match v.trim().parse::<f64>() {
                                                    Ok(ms) => ctx.edit(|s| edit::set_pair_ms(s, i, ms)),
                                                    Err(_) => Err(format!("`{v}` is not a number of ms")),
                                                };
                                                if let Err(why) = r {
                                                    ctx.complain(why);
                                                }
                                            }
                                        />
                                        <span class="unit">"ms"</span>
                                        <button
                                            type="button"
                                            class="icon-button"
                                            aria-label=remove
                                            title="Remove this pair"
                                            on:click=move |_| ctx.edit(|s| {
                                                if i < s.regions.len() {
                                                    s.regions.remove(i);
                                                }
                                            })
                                        >"×"</button>
                                    </div>
                                </div>
                            }
                        })
                        .collect_view()
                }}
                {move || {
                    missing
                        .get()
                        .into_iter()
                        .map(|(a, b)| {
                            let (x, y) = (a.clone(), b.clone());
                            view! {
                                <button
                                    type="button"
                                    class="link-button"
                                    on:click=move |_| {
                                        if let Err(why) = ctx.edit(|s| edit::add_pair(s, &x, &y)) {
                                            ctx.complain(why);
                                        }
                                    }
                                >{format!("Add a latency between {a} and {b}")}</button>
                            }
                        })
                        .collect_view()
                }}
            </section>
        </Show>
    }
}

/// Whether a fault on the whole of `region` is active in the run now
/// (tracks the run's snapshots).
fn region_down(ctx: super::state::Ctx, region: &str) -> bool {
    ctx.run.snap.track();
    ctx.run.has_active_fault(&regions::target(region))
}

/// Crash region NAME / Recover region NAME: every node in the region down
/// or back at once, as one live action. It is a `region:NAME` crash fault
/// at this instant (recovering sets its `for_ms`), kept in the scenario
/// like Crash now, so Share and forks replay it.
#[component]
pub fn RegionLive(name: String) -> impl IntoView {
    let ctx = use_ctx();
    let status = ctx.run.status;
    let target = StoredValue::new(regions::target(&name));
    let region = StoredValue::new(name.clone());
    let down = Signal::derive(move || region.with_value(|r| region_down(ctx, r)));
    let crash = move |_| {
        let r = ctx.doc.with_untracked(|d| ctx.run.crash(d, &target.get_value()));
        if let Err(e) = r {
            ctx.complain(e);
        }
    };
    let recover = move |_| ctx.run.recover(&target.get_value());
    let over = move || status.get() == super::run::Status::Finished;
    let going = move || {
        matches!(status.get(), super::run::Status::Running | super::run::Status::ToEnd | super::run::Status::Paused)
    };
    view! {
        <div class="button-row region-live">
            <button
                type="button"
                class="danger"
                title="Crash every block in this region now (a region outage)"
                disabled=move || over() || down.get()
                on:click=crash
            >
                {format!("Crash region {name}")}
            </button>
            <button
                type="button"
                title="End the region's outage now"
                disabled=move || !going() || !down.get()
                on:click=recover
            >
                {format!("Recover region {name}")}
            </button>
        </div>
    }
}

/// The scenario panel's live region actions: one row per region.
#[component]
pub fn RegionOutages() -> impl IntoView {
    let ctx = use_ctx();
    let names = Memo::new(move |_| ctx.doc.with(regions::used));
    view! {
        <Show when=move || !names.with(Vec::is_empty)>
            <section class="group region-outages" aria-labelledby="region-outages-title">
                <h3 id="region-outages-title">"Region outages"</h3>
                <p class="muted small">"While a run goes: every block in the region at once, kept in the scenario at the time you press it."</p>
                {move || names.get().into_iter().map(|n| view! { <RegionLive name=n/> }).collect_view()}
            </section>
        </Show>
    }
}
