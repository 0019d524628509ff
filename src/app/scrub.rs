//! The timeline under the canvas: drag (or use the arrow keys) to any
//! simulated time and the run shows that instant, forwards or backwards,
//! rebuilt from its checkpoints (`engine::timeline`). At the instant shown,
//! "What if…" forks the run (`engine::fork`): one change, fault or
//! recovery, run to the end beside the original in the comparison view.

use super::run::Status;
use super::sig::{flag, number, text};
use super::state::{use_ctx, Ctx};
use crate::editor::fields::{link_fields, node_fields};
use crate::editor::live;
use crate::engine::fork::Intervention;
use crate::engine::format::validate::Place;
use crate::engine::format::FaultKind;
use leptos::prelude::*;

/// The timeline's end: the run's, or the document's duration before a run.
fn end_ms(ctx: Ctx) -> f64 {
    let run_end = ctx.run.snap.with(|s| s.end_ms);
    if run_end > 0.0 {
        run_end
    } else {
        ctx.doc.with(|d| d.duration_ms)
    }
}

/// "12.3 s".
fn secs(ms: f64) -> String {
    format!("{:.1} s", ms / 1000.0)
}

/// Jumps to `t_ms`, saying why not if the scenario cannot run.
fn seek(ctx: Ctx, t_ms: f64) {
    let r = ctx.doc.with_untracked(|d| ctx.run.seek(d, t_ms));
    if let Err(e) = r {
        ctx.complain(e);
    }
}

/// The slider's value (read as a number by the browser: no float parser
/// in the bundle for it).
fn slider_ms(ev: &leptos::ev::Event) -> Option<f64> {
    use wasm_bindgen::JsCast;
    let input = ev.target()?.dyn_into::<web_sys::HtmlInputElement>().ok()?;
    Some(input.value_as_number()).filter(|t| t.is_finite())
}

#[component]
pub fn Scrub() -> impl IntoView {
    let ctx = use_ctx();
    let whatif = RwSignal::new(false);
    // While dragging, at most one jump per frame: the last position wins.
    let pending = StoredValue::new(None::<f64>);
    let on_input = move |ev: leptos::ev::Event| {
        let Some(t) = slider_ms(&ev) else { return };
        let idle = pending.get_value().is_none();
        pending.set_value(Some(t));
        if idle {
            request_animation_frame(move || {
                if let Some(t) = pending.get_value() {
                    pending.set_value(None);
                    seek(ctx, t);
                }
            });
        }
    };
    // Letting go shows the exact instant at once.
    let on_change = move |ev: leptos::ev::Event| {
        pending.set_value(None);
        if let Some(t) = slider_ms(&ev) {
            seek(ctx, t);
        }
    };
    let now = number(move || ctx.run.snap.with(|s| s.now_ms));
    let max = number(move || end_ms(ctx));
    let step = number(move || (end_ms(ctx) / 600.0).max(1.0).round());
    let readout = text(move || format!("{} / {}", secs(now.get()), secs(max.get())));
    let idle = flag(move || ctx.run.status.get() == Status::Idle);
    view! {
        <div class="scrub" role="group" aria-label="Timeline">
            <label for="scrub-time" class="scrub-label">"Simulated time"</label>
            <input
                id="scrub-time"
                type="range"
                min="0"
                max=max
                step=step
                prop:value=now
                aria-valuetext=readout
                title="Drag to any moment of the run; arrow keys step, Home and End jump"
                on:input=on_input
                on:change=on_change
            />
            <output for="scrub-time" class="clock scrub-clock">{readout}</output>
            <div class="menu-wrap whatif-wrap">
                <button
                    type="button"
                    aria-haspopup="dialog"
                    aria-expanded=text(move || whatif.get().to_string())
                    disabled=idle
                    title="Fork the run here: change one thing and compare the two futures"
                    on:click=move |_| {
                        ctx.run.pause();
                        whatif.update(|o| *o = !*o)
                    }
                >
                    "What if…"
                </button>
                <Show when=move || whatif.get()>
                    <WhatIf open=whatif close=Callback::new(move |_| whatif.set(false))/>
                </Show>
            </div>
        </div>
    }
}

/// What the "What if…" form can do.
#[derive(Clone, Copy, PartialEq)]
enum Action {
    Fault(FaultKind),
    Recover,
    Set,
}

const ACTIONS: [(&str, &str); 6] = [
    ("crash", "Crash it"),
    ("slow", "Slow it down (5×)"),
    ("errors", "Fail half its requests"),
    ("partition", "Cut it off"),
    ("recover", "Recover it (end its faults)"),
    ("set", "Change a setting"),
];

fn action(key: &str) -> Action {
    match key {
        "slow" => Action::Fault(FaultKind::Slow),
        "errors" => Action::Fault(FaultKind::Errors),
        "partition" => Action::Fault(FaultKind::Partition),
        "recover" => Action::Recover,
        "set" => Action::Set,
        _ => Action::Fault(FaultKind::Crash),
    }
}

/// The nodes and links of the document, as (place, id, name shown).
fn targets(ctx: Ctx) -> Vec<(Place, String, String)> {
    ctx.doc.with(|d| {
        let nodes = d.nodes.iter().map(|n| (Place::Node(n.id.clone()), n.id.clone(), n.display_name().to_string()));
        let links = d.links.iter().map(|l| {
            let name = format!(
                "Link {} → {}",
                d.node(&l.from).map_or(&*l.from, |n| n.display_name()),
                d.node(&l.to).map_or(&*l.to, |n| n.display_name())
            );
            (Place::Link(l.id.clone()), l.id.clone(), name)
        });
        nodes.chain(links).collect()
    })
}

/// The settings of `place` a run can change, as (key, label).
fn settings(ctx: Ctx, place: &Place) -> Vec<(&'static str, &'static str)> {
    ctx.doc.with(|d| {
        let fields = match place {
            Place::Node(id) => d.node(id).map(|n| node_fields(n.kind)).unwrap_or_default(),
            Place::Link(id) => d
                .link(id)
                .map(|l| link_fields(l.via, l.retry.is_some(), l.circuit_breaker.is_some()))
                .unwrap_or_default(),
            _ => Vec::new(),
        };
        fields.into_iter().filter(|f| live::changeable(d, place, f.key)).map(|f| (f.key, f.label)).collect()
    })
}

/// The fork form: target, intervention, and (for a setting) its new value.
#[component]
fn WhatIf(open: RwSignal<bool>, close: Callback<()>) -> impl IntoView {
    let whatif_open = open;
    let ctx = use_ctx();
    let compare = super::lessons::use_lessons().compare;
    let all = targets(ctx);
    let first = all.first().map(|t| t.1.clone()).unwrap_or_default();
    let target = RwSignal::new(first);
    let act = RwSignal::new("crash".to_string());
    let field = RwSignal::new(String::new());
    let value = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let place = move || {
        let id = target.get();
        targets(ctx).into_iter().find(|t| t.1 == id).map(|t| t.0).unwrap_or(Place::Node(id))
    };
    let fields = move || settings(ctx, &place());
    let chosen_field = move || {
        let f = field.get();
        let list = fields();
        if list.iter().any(|x| x.0 == f) {
            f
        } else {
            list.first().map(|x| x.0.to_string()).unwrap_or_default()
        }
    };
    let at = text(move || secs(ctx.run.snap.with(|s| s.now_ms)));
    let run_branch = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let id = target.get_untracked();
        let what = match action(&act.get_untracked()) {
            Action::Fault(kind) => Ok(Intervention::Fault { target: id, kind }),
            Action::Recover => Ok(Intervention::Recover { target: id }),
            Action::Set => {
                let key = chosen_field();
                let now = ctx.run.snap.with_untracked(|s| s.now_ms);
                let shown = ctx.doc.with_untracked(|d| live::shown_at(d, now));
                match live::as_change(&shown, &place(), &key, &value.get_untracked()) {
                    Ok(Some((target, value))) => Ok(Intervention::Change { target, field: key, value }),
                    Ok(None) => Err(format!("`{id}` {key} is that already at this moment: nothing would change")),
                    Err(e) => Err(format!("`{id}` {key}: {e}")),
                }
            }
        };
        let w = match what {
            Ok(w) => w,
            Err(e) => return error.set(Some(e)),
        };
        // The run (in its worker) makes the branch; the form waits for it.
        let described = w.describe();
        ctx.run.fork(&w, move |branch| match branch {
            Ok((branch, at_ms)) => {
                error.try_set(None);
                if whatif_open.try_get_untracked().unwrap_or(false) {
                    close.run(());
                }
                let label = format!("What if: {described} at {}", secs(at_ms));
                compare.start(ctx, Some(branch), ["Original".into(), label]);
                compare.run_both(ctx, true, None);
            }
            Err(e) => {
                error.try_set(Some(e));
            }
        });
    };
    let setting = flag(move || act.get() == "set");
    view! {
        <div class="menu-backdrop" on:click=move |_| close.run(())></div>
        <form class="popover whatif" role="dialog" aria-label="What if" on:submit=run_branch>
            <p class="popover-title">"What if, at " {at} "…"</p>
            <div class="field-row">
                <label for="whatif-target">"Node or link"</label>
                <select id="whatif-target" prop:value=move || target.get() on:change=move |ev| target.set(event_target_value(&ev))>
                    {all.into_iter().map(|(_, id, name)| view! { <option value=id>{name}</option> }).collect_view()}
                </select>
            </div>
            <div class="field-row">
                <label for="whatif-action">"Intervention"</label>
                <select id="whatif-action" prop:value=move || act.get() on:change=move |ev| act.set(event_target_value(&ev))>
                    {ACTIONS.iter().map(|(k, name)| view! { <option value=*k>{*name}</option> }).collect_view()}
                </select>
            </div>
            <Show when=move || setting.get()>
                <div class="field-row">
                    <label for="whatif-field">"Setting"</label>
                    <select id="whatif-field" prop:value=chosen_field on:change=move |ev| field.set(event_target_value(&ev))>
                        {move || fields().into_iter().map(|(k, name)| view! { <option value=k>{name}</option> }).collect_view()}
                    </select>
                </div>
                <div class="field-row">
                    <label for="whatif-value">"New value"</label>
                    <input id="whatif-value" type="text" autocomplete="off" prop:value=move || value.get() on:input=move |ev| value.set(event_target_value(&ev))/>
                </div>
            </Show>
            {move || error.get().map(|e| view! { <p class="whatif-error" role="alert">{e}</p> })}
            <p class="muted small">"The branch is the same run up to this moment, then goes its own way; both run to the end side by side."</p>
            <button type="submit" class="primary">"Run the branch"</button>
        </form>
    }
}
