//! The faults scheduled on one node or link: each with its kind, start,
//! length and (for slowdowns and errors) its strength, plus Add and Remove.

use super::fields::FieldRow;
use super::state::use_ctx;
use crate::editor::doc;
use crate::editor::fields::fault_fields;
use crate::engine::format::validate::Place;
use crate::engine::format::FaultKind;
use leptos::prelude::*;

fn kind_name(k: FaultKind) -> &'static str {
    match k {
        FaultKind::Crash => "crash",
        FaultKind::Slow => "slowdown",
        FaultKind::Errors => "errors",
        FaultKind::Partition => "partition",
        FaultKind::Replay => "replay (rewind the group)",
    }
}

#[component]
pub fn FaultList(target: String) -> impl IntoView {
    let ctx = use_ctx();
    let key = target.clone();
    // Positions and kinds of this target's faults: the list's shape.
    let rows = Memo::new(move |_| {
        ctx.doc.with(|d| {
            d.faults.iter().enumerate().filter(|(_, f)| f.target == key).map(|(i, f)| (i, f.kind)).collect::<Vec<_>>()
        })
    });
    let key = target.clone();
    let kinds = Memo::new(move |_| ctx.doc.with(|d| doc::fault_kinds_for(d, &key)));
    let key = target.clone();
    let add = move |_| {
        let kind = kinds.get_untracked().first().copied().unwrap_or(FaultKind::Crash);
        ctx.edit(|s| doc::add_fault(s, &key, kind));
    };
    view! {
        <div class="faults">
            {move || {
                let kinds = kinds.get();
                rows.get()
                    .into_iter()
                    .map(|(i, kind)| {
                        let on_kind = move |ev: leptos::ev::Event| {
                            let text = event_target_value(&ev);
                            if let Err(e) = ctx.try_edit(|d| crate::editor::fields::set(d, &Place::Fault(i), "kind", &text)) {
                                ctx.complain(e);
                            }
                        };
                        let remove = move |_| ctx.edit(|s| doc::remove_fault(s, i));
                        view! {
                            <div class="fault">
                                <div class="fault-head">
                                    <label class="visually-hidden" for=format!("fault-kind-{i}")>"Fault kind"</label>
                                    <select id=format!("fault-kind-{i}") prop:value=kind.as_str() on:change=on_kind>
                                        {kinds
                                            .iter()
                                            .map(|k| view! { <option value=k.as_str() selected=*k == kind>{kind_name(*k)}</option> })
                                            .collect_view()}
                                    </select>
                                    <button type="button" class="icon-button" aria-label="Remove fault" title="Remove fault" on:click=remove>"×"</button>
                                </div>
                                {fault_fields(kind)
                                    .into_iter()
                                    .map(|f| view! { <FieldRow place=Place::Fault(i) field=f/> })
                                    .collect_view()}
                            </div>
                        }
                    })
                    .collect_view()
            }}
            <button type="button" class="add-fault" on:click=add>"Add fault"</button>
        </div>
    }
}
