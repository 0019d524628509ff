//! The results panel: how requests ended, latency percentiles, the run
//! hash once the run is over, and tabs with charts, a per-node table and
//! the recent requests (each opens its trace as a timeline).

use super::cells::Cells;
use super::charts::Charts;
use super::run::Status;
use super::sig::text;
use super::state::{use_ctx, Ctx, ResultsTab};
use super::trace_view::TraceView;
use crate::editor::chart::{fmt_count, fmt_ms};
use crate::editor::selection::Selection;
use crate::engine::format::NodeKind;
use crate::engine::report::{NodeReport, Report};
use leptos::prelude::*;

/// Rows the node table shows at most.
const MAX_ROWS: usize = 100;

/// Opens a request's trace in the results panel.
pub fn open_trace(ctx: Ctx, id: u64) {
    match ctx.run.trace(id) {
        Some(t) => ctx.trace.set(Some(t)),
        None => ctx.complain(format!("Request #{id} is no longer kept; pick a more recent one")),
    }
}

#[component]
pub fn Results() -> impl IntoView {
    let ctx = use_ctx();
    let tab = ctx.results_tab;
    let tab_button = move |t: ResultsTab, name: &'static str| {
        view! {
            <button
                type="button"
                role="tab"
                aria-selected=text(move || (tab.get() == t).to_string())
                class=text(move || if tab.get() == t { "tab active" } else { "tab" }.to_string())
                on:click=move |_| {
                    ctx.trace.set(None);
                    tab.set(t);
                }
            >
                {name}
            </button>
        }
    };
    view! {
        <section class="results" aria-label="Results">
            <Stats/>
            <div class="results-main">
                <div class="tabs" role="tablist" aria-label="Result views">
                    {tab_button(ResultsTab::Charts, "Charts")}
                    {tab_button(ResultsTab::Nodes, "Nodes")}
                    {tab_button(ResultsTab::Requests, "Requests")}
                </div>
                <div class="tab-body" role="tabpanel">
                    {move || {
                        if ctx.trace.with(Option::is_some) {
                            return view! { <TraceView/> }.into_any();
                        }
                        match tab.get() {
                            ResultsTab::Nodes => view! { <NodeTable/> }.into_any(),
                            ResultsTab::Requests => view! { <Requests/> }.into_any(),
                            ResultsTab::Charts | ResultsTab::Summary => view! { <Charts/> }.into_any(),
                        }
                    }}
                </div>
            </div>
        </section>
    }
}

/// End-to-end latency: the busiest client's, as its users felt it.
fn client_latency(ctx: Ctx, r: &Report) -> Option<(String, crate::engine::report::Percentiles)> {
    ctx.doc.with_untracked(|d| {
        d.nodes
            .iter()
            .filter(|n| n.kind == NodeKind::Client)
            .filter_map(|n| r.nodes.get(&n.id).map(|nr| (n.display_name().to_string(), nr)))
            .max_by_key(|(_, nr)| nr.arrivals)
            // No request has finished yet: "—", not "0 µs".
            .filter(|(_, nr)| nr.latency_ms.max > 0.0)
            .map(|(name, nr)| (name, nr.latency_ms.clone()))
    })
}

/// A percentile of `p`, or "—" while nothing was measured.
fn measured_ms(p: &crate::engine::report::Percentiles, value: f64) -> String {
    if p.max > 0.0 {
        fmt_ms(value)
    } else {
        "—".into()
    }
}

#[component]
fn Stats() -> impl IntoView {
    let ctx = use_ctx();
    let snap = ctx.run.snap;
    let status = ctx.run.status;
    let idle = move || status.get() == Status::Idle;
    let count = move |f: fn(&Report) -> u64| {
        move || {
            if idle() {
                "—".to_string()
            } else {
                snap.with(|s| fmt_count(f(&s.report)))
            }
        }
    };
    let latency = Memo::new(move |_| snap.with(|s| client_latency(ctx, &s.report)));
    let pct = move |f: fn(&crate::engine::report::Percentiles) -> f64| {
        move || {
            if idle() {
                return "—".to_string();
            }
            latency.with(|l| l.as_ref().map(|(_, p)| fmt_ms(f(p))).unwrap_or_else(|| "—".into()))
        }
    };
    let stat = |label: &'static str, class: &'static str, value: Signal<String>, help: &'static str| {
        view! {
            <div class=format!("stat {class}") title=help>
                <span class="stat-label">{label}</span>
                <span class="stat-value">{value}</span>
            </div>
        }
    };
    let hash = move || snap.with(|s| s.hash.clone());
    view! {
        <div class=text(move || if idle() { "stats idle" } else { "stats" }.to_string())>
            {stat("OK", "good", Signal::derive(count(|r| r.requests.ok)), "Client requests that succeeded")}
            {stat("Failed", "bad", Signal::derive(count(|r| r.requests.failed)), "Client requests that got an error")}
            {stat("Timed out", "bad", Signal::derive(count(|r| r.requests.timed_out)), "Client requests whose caller gave up")}
            {stat("Rejected", "warn", Signal::derive(count(|r| r.messages.rejected)), "Refused: full backlog or queue, node down, breaker open")}
            {stat("Lost", "bad", Signal::derive(count(|r| r.messages.lost)), "Lost in a crash")}
            {stat("Dead-lettered", "warn", Signal::derive(count(|r| r.messages.dead_lettered)), "Moved to a dead-letter queue after the last delivery failed")}
            {stat("Duplicates", "warn", Signal::derive(count(|r| r.messages.duplicates)), "Side effects executed twice on a non-idempotent service")}
            <div class="stat-sep"></div>
            {stat("p50", "lat", Signal::derive(pct(|p| p.p50)), "Half of the requests took less (end to end, at the client)")}
            {stat("p95", "lat", Signal::derive(pct(|p| p.p95)), "95% of the requests took less")}
            {stat("p99", "lat", Signal::derive(pct(|p| p.p99)), "99% of the requests took less")}
            <div class="stat-sep"></div>
            <div class="stat hash" title="Same scenario + seed + engine = same hash, here and in `crosstalk run`">
                <label class="stat-label" for="run-hash">"Run hash"</label>
                <output id="run-hash" class="stat-value mono">{text(move || hash().unwrap_or_default())}</output>
                {move || hash().is_none().then(|| view! { <span class="stat-note">"when the run ends"</span> })}
            </div>
        </div>
    }
}

#[component]
fn NodeTable() -> impl IntoView {
    let ctx = use_ctx();
    // A table of hundreds of rows updated five times a second costs more
    // than it tells: big diagrams list their first rows and say so.
    let ids =
        Memo::new(move |_| ctx.doc.with(|d| d.nodes.iter().take(MAX_ROWS).map(|n| n.id.clone()).collect::<Vec<_>>()));
    let more = Memo::new(move |_| ctx.doc.with(|d| d.nodes.len().saturating_sub(MAX_ROWS)));
    let brokers = Memo::new(move |_| ctx.doc.with(crate::editor::describe::uses_brokers));
    view! {
        <div class="table-wrap">
            <table class="node-table">
                <thead>
                    <tr>
                        <th scope="col">"Node"</th>
                        <th scope="col" class="num">"Arrivals"</th>
                        <th scope="col" class="num">"Done"</th>
                        <th scope="col" class="num">"Failed"</th>
                        <th scope="col" class="num">"Rejected"</th>
                        <th scope="col" class="num">"Lost"</th>
                        <th scope="col" class="num">"p50"</th>
                        <th scope="col" class="num">"p99"</th>
                        <th scope="col" class="num">"Wait"</th>
                        <th scope="col" class="num">"Queue avg / max"</th>
                        <th scope="col" class="num">"Busy"</th>
                        {move || brokers.get().then(broker_heads)}
                    </tr>
                </thead>
                <tbody>
                    <For each=move || ids.get() key=|id| id.clone() let:id>
                        <NodeRow id=id brokers=brokers/>
                    </For>
                </tbody>
            </table>
            {move || {
                let n = more.get();
                (n > 0).then(|| view! { <p class="muted pad">{format!("…and {n} more nodes: select one to chart it.")}</p> })
            }}
        </div>
    }
}

/// The brokers' columns (shown when the scenario uses a broker feature).
fn broker_heads() -> impl IntoView {
    let head = |label: &'static str, help: &'static str| {
        view! { <th scope="col" class="num broker-col" title=help>{label}</th> }
    };
    view! {
        {head("Out of order", "Work on a key finished after later work of the same key (services)")}
        {head("Lag now / max", "Messages appended and not yet committed by the slowest consumer group (log topics)")}
        {head("Unroutable", "Messages no binding matched (exchanges)")}
        {head("Expired", "Deleted by retention before they were read, or held past their retention")}
        {head("Delivered late", "Pushes held for offline users and delivered when they came back (browsers)")}
    }
}

/// A kind-specific figure of a node, or "—" where the node has none.
fn extra(r: &NodeReport, name: &str) -> String {
    r.extra.get(name).map(|v| fmt_count(*v as u64)).unwrap_or_else(|| "—".into())
}

/// One node's figures. Rows are kept and their texts updated (not rebuilt)
/// as the run goes, and each row reads its own node from the cells.
#[component]
fn NodeRow(id: String, brokers: Memo<bool>) -> impl IntoView {
    let ctx = use_ctx();
    let cells = use_context::<Cells>().expect("Cells are provided by App");
    let cell = cells.node(&id);
    let spec: RwSignal<Option<crate::engine::format::NodeSpec>> = cell.spec.into();
    let selected: RwSignal<bool> = cell.selected.into();
    let key = id.clone();
    let row = Memo::new(move |_| ctx.run.snap.with(|s| s.report.nodes.get(&key).cloned()).unwrap_or_default());
    let cell = move |f: fn(&NodeReport) -> String| text(move || row.with(f));
    let name = text(move || spec.with(|n| n.as_ref().map(|n| n.display_name().to_string()).unwrap_or_default()));
    let dot = text(move || format!("dot kind-{}", spec.with(|n| n.as_ref().map_or("service", |n| n.kind.as_str()))));
    let pick = move |_| ctx.sel.set(Selection::node(&id));
    view! {
        <tr class=text(move || if selected.get() { "selected" } else { "" }.to_string()) on:click=pick>
            <th scope="row"><span class=dot></span>{name}</th>
            <td class="num">{cell(|r| fmt_count(r.arrivals))}</td>
            <td class="num">{cell(|r| fmt_count(r.completed))}</td>
            <td class="num">{cell(|r| fmt_count(r.failed))}</td>
            <td class="num">{cell(|r| fmt_count(r.rejected))}</td>
            <td class="num">{cell(|r| fmt_count(r.lost))}</td>
            <td class="num">{cell(|r| measured_ms(&r.latency_ms, r.latency_ms.p50))}</td>
            <td class="num">{cell(|r| measured_ms(&r.latency_ms, r.latency_ms.p99))}</td>
            <td class="num">{cell(|r| fmt_ms(r.wait_ms.mean))}</td>
            <td class="num">{cell(|r| format!("{:.1} / {:.0}", r.queue_len.mean, r.queue_len.max))}</td>
            <td class="num">
                {cell(|r| if r.utilization > 0.0 { format!("{:.0}%", r.utilization * 100.0) } else { "—".into() })}
            </td>
            {move || {
                brokers.get().then(|| view! {
                    <td class="num broker-col">{cell(|r| extra(r, "out_of_order"))}</td>
                    <td class="num broker-col">
                        {cell(|r| match (r.extra.get("lag"), r.extra.get("lag_max")) {
                            (Some(now), Some(max)) => format!("{} / {}", fmt_count(*now as u64), fmt_count(*max as u64)),
                            _ => "—".into(),
                        })}
                    </td>
                    <td class="num broker-col">{cell(|r| extra(r, "unroutable"))}</td>
                    <td class="num broker-col">{cell(|r| extra(r, "expired"))}</td>
                    <td class="num broker-col">{cell(|r| extra(r, "delivered_late"))}</td>
                })
            }}
        </tr>
    }
}

#[component]
fn Requests() -> impl IntoView {
    let ctx = use_ctx();
    let rows = Memo::new(move |_| ctx.run.snap.with(|s| s.traces.clone()));
    move || {
        let rows = rows.get();
        if rows.is_empty() {
            return view! {
                <p class="muted pad">"Recent requests appear here while a run goes. Click one, or click a moving dot on the canvas, to see its journey hop by hop."</p>
            }
            .into_any();
        }
        view! {
            <div class="table-wrap">
                <table class="request-table">
                    <thead>
                        <tr>
                            <th scope="col">"Request"</th>
                            <th scope="col">"Outcome"</th>
                            <th scope="col" class="num">"Started"</th>
                            <th scope="col" class="num">"Took"</th>
                            <th scope="col" class="num">"Hops"</th>
                        </tr>
                    </thead>
                    <tbody>
                        {rows
                            .into_iter()
                            .map(|r| {
                                let open = move |_| open_trace(ctx, r.id);
                                view! {
                                    <tr class="clickable" on:click=open>
                                        <th scope="row"><button type="button" class="link-button">{format!("#{}", r.id)}</button></th>
                                        <td><span class=format!("outcome {}", r.outcome.replace(' ', "-"))>{r.outcome}</span></td>
                                        <td class="num">{fmt_ms(r.start_ms)}</td>
                                        <td class="num">{fmt_ms(r.took_ms)}</td>
                                        <td class="num">{r.hops}</td>
                                    </tr>
                                }
                            })
                            .collect_view()}
                    </tbody>
                </table>
            </div>
        }
        .into_any()
    }
}
