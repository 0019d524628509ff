//! The results panel: how requests ended, latency percentiles, the run
//! hash once the run is over, and tabs with charts, a per-node table and
//! the recent requests (each opens its trace as a timeline).

use super::cells::Cells;
use super::charts::Charts;
use super::run::Status;
use super::sig::{flag, text};
use super::state::{use_ctx, Ctx, ResultsTab};
use super::trace_view::TraceView;
use crate::editor::chart::{fmt_count, fmt_ms};
use crate::editor::requests::{self, thousands};
use crate::editor::selection::Selection;
use crate::editor::timeline::Outcome;
use crate::engine::format::NodeKind;
use crate::engine::report::{NodeReport, Report};
use leptos::prelude::*;

/// Rows the node table shows at most.
const MAX_ROWS: usize = 100;

/// Opens a request's trace in the results panel.
pub fn open_trace(ctx: Ctx, id: u64) {
    match ctx.run.trace(id) {
        Some(t) => {
            ctx.trace.set(Some(t));
            super::trace_view::show_header();
        }
        None => ctx.complain(format!("Request #{id} is no longer kept; pick a more recent one")),
    }
}

#[component]
pub fn Results() -> impl IntoView {
    let ctx = use_ctx();
    let tab = ctx.results_tab;
    // The requests list keeps its filter (an outcome's key, or none for
    // all) and page while a trace is open.
    let filter = RwSignal::new(None::<String>);
    let page_no = RwSignal::new(0.0_f64);
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
                            ResultsTab::Requests => view! { <Requests filter=filter page_no=page_no/> }.into_any(),
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
                    </tr>
                </thead>
                <tbody>
                    <For each=move || ids.get() key=|id| id.clone() let:id>
                        <NodeRow id=id/>
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

/// One node's figures. Rows are kept and their texts updated (not rebuilt)
/// as the run goes, and each row reads its own node from the cells.
#[component]
fn NodeRow(id: String) -> impl IntoView {
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
        </tr>
    }
}

/// Every request the engine keeps (not only the latest), newest first, a
/// page at a time, filtered by how it ended. (The filter and page are kept
/// in signal types the app already has, which costs the download nothing.)
#[component]
fn Requests(filter: RwSignal<Option<String>>, page_no: RwSignal<f64>) -> impl IntoView {
    let ctx = use_ctx();
    let shown = Memo::new(move |_| {
        // Refreshed with the snapshot (a few times a second while running).
        ctx.run.snap.track();
        ctx.run.status.track();
        let outcome = filter.with(|f| f.as_deref().and_then(Outcome::from_key));
        requests::page(&ctx.run.requests(), outcome, page_no.get() as usize)
    });
    let on_filter = move |ev: leptos::ev::Event| {
        let key = event_target_value(&ev);
        filter.set((!key.is_empty()).then_some(key));
        page_no.set(0.0);
    };
    let option = move |value: &'static str, label: &'static str, i: Option<usize>| {
        let count = move || shown.with(|p| i.map_or(p.kept, |i| p.counts[i]));
        view! { <option value=value>{text(move || format!("{label} ({})", thousands(count())))}</option> }
    };
    let note = move |p: &requests::Page| {
        match (p.kept, p.rows.is_empty()) {
        (0, _) => "Requests appear here while a run goes. Click one, or click a moving dot on the canvas, to see its journey hop by hop.".to_string(),
        (kept, true) => {
            let phrase = filter.with_untracked(|f| f.as_deref().and_then(Outcome::from_key).map_or("match", outcome_phrase));
            format!("None of the {} requests kept {phrase}.", thousands(kept))
        }
        _ => String::new(),
    }
    };
    // A click anywhere on a row (or Enter on its button) opens its trace.
    let open = move |ev: leptos::ev::MouseEvent| {
        use wasm_bindgen::JsCast;
        let row = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
            .and_then(|t| t.closest("tr[data-id]").ok().flatten());
        if let Some(id) = row.and_then(|r| r.get_attribute("data-id")).and_then(|id| id.parse::<u64>().ok()) {
            open_trace(ctx, id);
        }
    };
    view! {
        <div class="requests">
            <div class="requests-bar" role="group" aria-label="Requests list">
                <label for="outcome-filter">"Outcome"</label>
                <select id="outcome-filter" prop:value=text(move || filter.get().unwrap_or_default()) on:change=on_filter>
                    {option("", "all", None)}
                    {Outcome::ALL.iter().enumerate().map(|(i, o)| option(o.key(), o.label(), Some(i))).collect_view()}
                </select>
                <span class="muted range" aria-live="polite">{text(move || shown.with(|p| p.range_text()))}</span>
                <button
                    type="button"
                    aria-label="Newer requests"
                    disabled=flag(move || shown.with(|p| p.page == 0))
                    on:click=move |_| page_no.set(shown.with_untracked(|p| p.page.saturating_sub(1)) as f64)
                >
                    "← Newer"
                </button>
                <button
                    type="button"
                    aria-label="Older requests"
                    disabled=flag(move || shown.with(|p| p.page + 1 >= p.pages))
                    on:click=move |_| page_no.set((shown.with_untracked(|p| p.page) + 1) as f64)
                >
                    "Older →"
                </button>
            </div>
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
                    <tbody on:click=open inner_html=text(move || shown.with(|p| requests::rows_html(&p.rows, &note(p))))></tbody>
                </table>
            </div>
        </div>
    }
}

/// "that timed out", for the note when a filter matches nothing.
fn outcome_phrase(o: Outcome) -> &'static str {
    match o {
        Outcome::Ok => "succeeded",
        Outcome::Failed => "failed",
        Outcome::TimedOut => "timed out",
        Outcome::Rejected => "were rejected",
        Outcome::Lost => "were lost",
        Outcome::InFlight => "are in flight",
        Outcome::Unfinished => "were unfinished at the end",
    }
}
