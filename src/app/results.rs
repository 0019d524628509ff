//! The results panel: how requests ended, latency percentiles, the run
//! hash once the run is over, and tabs with charts, a per-node table and
//! the recent requests (each opens its trace as a timeline).

use super::cells::Cells;
use super::charts::Charts;
use super::run::Status;
use super::sig::{flag, text};
use super::state::{use_ctx, Ctx, ResultsTab};
use super::trace_view::TraceView;
use crate::editor::chart::fmt_ms;
use crate::editor::figures::{self, fmt_exact, Figure, MESSAGES, REQUESTS};
use crate::editor::requests::{self, thousands};
use crate::editor::scale_rows;
use crate::editor::selection::Selection;
use crate::editor::timeline::Outcome;
use crate::engine::report::{NodeReport, ReplicaReport};
use leptos::prelude::*;

/// Rows the node table shows at most.
const MAX_ROWS: usize = 100;

/// Opens a request's trace in the results panel.
/// Opens a request's trace in the results panel (when the run in its
/// worker answers, if it is there).
pub fn open_trace(ctx: Ctx, id: u64) {
    ctx.run.trace(id, move |t| match t {
        Some(t) => {
            ctx.trace.set(Some(t));
            super::trace_view::show_header();
        }
        None => ctx.complain(format!("Request #{id} is no longer kept; pick a more recent one")),
    });
}

#[component]
pub fn Results() -> impl IntoView {
    let ctx = use_ctx();
    let tab = ctx.results_tab;
    // The requests list keeps its filter (an outcome's key, or none for
    // all) and page while a trace is open.
    let filter = RwSignal::new(None::<String>);
    let page_no = RwSignal::new(0.0_f64);
    let reps = super::replications::Replicator::new();
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
                    {tab_button(ResultsTab::Links, "Links")}
                    {tab_button(ResultsTab::Requests, "Requests")}
                    {tab_button(ResultsTab::Replications, "Replications")}
                </div>
                <div class="tab-body" role="tabpanel">
                    {move || {
                        if ctx.trace.with(Option::is_some) {
                            return view! { <TraceView/> }.into_any();
                        }
                        match tab.get() {
                            ResultsTab::Nodes => view! { <NodeTable/> }.into_any(),
                            ResultsTab::Links => view! { <super::link_table::LinkTable/> }.into_any(),
                            ResultsTab::Requests => view! { <Requests filter=filter page_no=page_no/> }.into_any(),
                            ResultsTab::Replications => {
                                view! { <super::replications::ReplicationsTab reps=reps/> }.into_any()
                            }
                            ResultsTab::Charts | ResultsTab::Summary => view! { <Charts/> }.into_any(),
                        }
                    }}
                </div>
            </div>
        </section>
    }
}

/// A percentile of `p`, or "—" while nothing was measured.
fn measured_ms(p: &crate::engine::report::Percentiles, value: f64) -> String {
    if p.max > 0.0 {
        fmt_ms(value)
    } else {
        "—".into()
    }
}

/// One figure at the top: its label, value and, on hover or keyboard
/// focus, its one-line explanation.
fn stat(
    key: &'static str,
    label: &'static str,
    tone: &'static str,
    value: Signal<String>,
    exact: Signal<String>,
    help: Signal<String>,
) -> impl IntoView {
    let tip = format!("tip-{}", key.replace('.', "-"));
    let described = tip.clone();
    view! {
        <div class=format!("stat {tone}") tabindex="0" data-stat=key data-value=exact aria-describedby=described title="">
            <span class="stat-label">{label}</span>
            <span class="stat-value">{value}</span>
            <span class="tip" role="tooltip" id=tip>{help}</span>
        </div>
    }
}

/// The first hop's figure shows only beside an on-screen headline.
fn if_hop(on_screen: impl Fn() -> bool + Send + Sync + 'static) -> Signal<String> {
    text(move || if on_screen() { "first-hop" } else { "first-hop hidden" }.to_string())
}

#[component]
fn Stats() -> impl IntoView {
    let ctx = use_ctx();
    let snap = ctx.run.snap;
    let status = ctx.run.status;
    let idle = move || status.get() == Status::Idle;
    let figure = move |f: &'static Figure| {
        let value =
            Signal::derive(
                move || if idle() { "—".to_string() } else { snap.with(|s| fmt_exact((f.total)(&s.report))) },
            );
        let exact =
            Signal::derive(
                move || if idle() { String::new() } else { snap.with(|s| (f.total)(&s.report).to_string()) },
            );
        stat(f.key, f.label, f.tone, value, exact, Signal::stored(f.help.to_string()))
    };
    let headline = move || snap.with(|s| ctx.doc.with_untracked(|d| figures::headline(d, &s.report)));
    let pct = move |f: fn(&crate::engine::report::Percentiles) -> f64| {
        Signal::derive(move || {
            if idle() {
                return "—".to_string();
            }
            headline().map(|h| fmt_ms(f(&h.latency))).unwrap_or_else(|| "—".into())
        })
    };
    let where_help = move |what: &'static str| {
        Signal::derive(move || match headline() {
            Some(h) => format!("{what} of the requests took less, {} (at {}).", h.what, h.at),
            None => format!("{what} of the requests took less, end to end."),
        })
    };
    let on_screen = move || headline().is_some_and(|h| h.first_hop.is_some());
    let latency_title = text(move || if on_screen() { "Latency on screen" } else { "Latency" }.to_string());
    // Shown beside an on-screen headline only (hidden otherwise).
    let first_hop = move || headline().and_then(|h| h.first_hop);
    let hop_value = Signal::derive(move || {
        first_hop().map(|(_, p)| format!("{} · {}", measured_ms(&p, p.p50), measured_ms(&p, p.p99))).unwrap_or_default()
    });
    let hop_help = Signal::derive(move || {
        let client = first_hop().map(|(c, _)| c).unwrap_or_default();
        format!(
            "p50 · p99 of the first hop: {client}'s own request answered, before the result travels on to the screen."
        )
    });
    let hop_class = if_hop(on_screen);
    let hash = move || snap.with(|s| s.hash.clone());
    let has_regions = move || ctx.doc.with(|d| d.nodes.iter().any(|n| n.region.is_some()));
    let share = move || snap.with(|s| s.report.regions.as_ref().map(|r| (r.share, r.crossed, r.sent)));
    let share_value = Signal::derive(move || match (idle(), share()) {
        (false, Some((x, crossed, sent))) => format!("{:.1}% ({crossed} of {sent})", x * 100.0),
        _ => "—".to_string(),
    });
    let share_exact =
        Signal::derive(
            move || if idle() { String::new() } else { share().map(|s| s.0.to_string()).unwrap_or_default() },
        );
    view! {
        <div class=text(move || if idle() { "stats idle" } else { "stats" }.to_string())>
            <div class="stat-group" role="group" aria-label="Requests">
                <span class="group-title" aria-hidden="true">"Requests"</span>
                {REQUESTS.iter().map(figure).collect_view()}
            </div>
            <div class="stat-group" role="group" title=latency_title>
                <span class="group-title" aria-hidden="true">{latency_title}</span>
                {stat("latency.p50", "p50", "lat", pct(|p| p.p50), Signal::stored(String::new()), where_help("Half"))}
                {stat("latency.p95", "p95", "lat", pct(|p| p.p95), Signal::stored(String::new()), where_help("95%"))}
                {stat("latency.p99", "p99", "lat", pct(|p| p.p99), Signal::stored(String::new()), where_help("99%"))}
                <div class=hop_class>
                    {stat("latency.first_hop", "First hop p50 · p99", "lat small", hop_value, Signal::stored(String::new()), hop_help)}
                </div>
            </div>
            <div class="stat hash" title="Same scenario + seed + engine = same hash, here and in `crosstalk run`">
                <label class="stat-label" for="run-hash">"Run hash"</label>
                <output id="run-hash" class="stat-value mono">{text(move || hash().unwrap_or_default())}</output>
                {move || hash().is_none().then(|| view! { <span class="stat-note">"when the run ends"</span> })}
            </div>
            <div class="stat-group messages" role="group" aria-label="Messages">
                <span class="group-title" aria-hidden="true">"Messages"</span>
                {MESSAGES.iter().map(figure).collect_view()}
            </div>
            {move || has_regions().then(|| view! {
                <div class="stat-group regions" role="group" title="Regions">
                    <span class="group-title" aria-hidden="true">"Regions"</span>
                    {stat("regions.share", "Cross-region share", "lat", share_value, share_exact, Signal::stored(
                        "Messages and calls sent over a link between two regions, of all sent: each pays the region latency.".to_string()
                    ))}
                </div>
            })}
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
    let scale = Memo::new(move |_| ctx.doc.with(scale_rows::uses_scale));
    let databases = Memo::new(move |_| {
        ctx.doc.with(|d| d.nodes.iter().any(|n| n.kind == crate::engine::format::NodeKind::Database))
    });
    let head = |group: &'static str, f: &'static Figure| {
        view! { <th scope="col" class="num" data-col=f.key aria-label=format!("{group}: {}", f.label) title=f.help>{f.label}</th> }
    };
    view! {
        <div class="table-wrap">
            <table class="node-table" aria-label="Nodes">
                <thead>
                    <tr class="groups">
                        <th scope="col"></th>
                        <th scope="colgroup" colspan=REQUESTS.len().to_string() title="What the clients' users got: each client's requests, end to end">"Requests (clients)"</th>
                        <th scope="colgroup" colspan=MESSAGES.len().to_string() title="Messages and call attempts sent to this node over its incoming links, by how they ended">"Messages to this node"</th>
                        <th scope="colgroup" colspan="4" title="The work at this node">"Work here"</th>
                        {move || brokers.get().then(|| view! {
                            <th scope="colgroup" colspan="5" title="What the brokers add: order, lag, routing, retention, late delivery">"Brokers"</th>
                        })}
                        {move || scale.get().then(|| view! {
                            <th scope="colgroup" colspan="3" title="Replicas behind a load balancer, and connection pools">"Scale-out"</th>
                        })}
                        {move || databases.get().then(|| view! {
                            <th scope="colgroup" colspan="2" title="Reads that returned an older version of their key than the newest written anywhere">"Databases"</th>
                        })}
                    </tr>
                    <tr>
                        <th scope="col">"Node"</th>
                        {REQUESTS.iter().map(|f| head("Requests", f)).collect_view()}
                        {MESSAGES.iter().map(|f| head("Messages", f)).collect_view()}
                        <th scope="col" class="num" title="Half of the work here took less (arrival to done)">"p50"</th>
                        <th scope="col" class="num" title="99% of the work here took less">"p99"</th>
                        <th scope="col" class="num" title="Mean time waiting for a worker or in the queue">"Wait"</th>
                        <th scope="col" class="num" title="Busy workers over all workers, averaged over time">"Busy"</th>
                        {move || brokers.get().then(broker_heads)}
                        {move || scale.get().then(scale_heads)}
                        {move || databases.get().then(|| view! {
                            <th scope="col" class="num" data-col="stale_reads" title="Stale reads / all reads, at a database or by the node that read">"Stale reads"</th>
                            <th scope="col" class="num" data-col="stale_age" title="How long a stale read's version had been out of date, on average">"Stale by"</th>
                        })}
                    </tr>
                </thead>
                <tbody>
                    <For each=move || ids.get() key=|id| id.clone() let:id>
                        <NodeRow id=id brokers=brokers scale=scale databases=databases/>
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

/// The scale-out columns (shown when a service has replicas or a link a pool).
fn scale_heads() -> impl IntoView {
    view! {
        <th scope="col" class="num scale-col" title="Replicas the balancer sends to now, of all; crashed ones">"Replicas"</th>
        <th scope="col" class="num scale-col" title="Health checks failed over the run: refused, not answered within the probe timeout, or answered with an error">"Checks failed"</th>
        <th scope="col" class="num scale-col" title="Mean wait for a connection-pool slot on the links this node calls over (calls that waited)">"Pool wait"</th>
    }
}

/// Replica rows a replicated service shows at most.
const MAX_REPLICA_ROWS: usize = 50;

/// One replica's row under its service: what it received and served, its
/// latency and load, and its state.
fn replica_row(x: &ReplicaReport, brokers: bool, scale: bool) -> impl IntoView {
    let served = format!(
        "{} arrived · {} served · {} refused · {} failed",
        fmt_exact(x.arrivals),
        fmt_exact(x.completed),
        fmt_exact(x.rejected),
        fmt_exact(x.failed + x.lost)
    );
    let busy = if x.utilization > 0.0 { format!("{:.0}%", x.utilization * 100.0) } else { "—".into() };
    let state = scale_rows::replica_state(x);
    view! {
        <tr class=format!("replica-row {}", state.replace(' ', "-")) data-replica=x.id.clone()>
            <th scope="row" class="replica-name">
                {x.id.clone()}
                <span class="replica-state">{state}</span>
            </th>
            <td colspan=REQUESTS.len().to_string()></td>
            <td colspan=MESSAGES.len().to_string() class="replica-served">{served}</td>
            <td class="num">{measured_ms(&x.latency_ms, x.latency_ms.p50)}</td>
            <td class="num">{measured_ms(&x.latency_ms, x.latency_ms.p99)}</td>
            <td class="num">"—"</td>
            <td class="num" data-col="replica-busy">{busy}</td>
            {brokers.then(|| view! { <td colspan="5"></td> })}
            {scale.then(|| view! {
                <td class="num scale-col" data-col="replica-state">{state}</td>
                <td class="num scale-col">{fmt_exact(x.checks_failed)}</td>
                <td class="num scale-col">"—"</td>
            })}
        </tr>
    }
}

/// A kind-specific figure of a node, or "—" where the node has none.
fn extra(r: &NodeReport, name: &str) -> String {
    r.extra.get(name).map(|v| fmt_exact(*v as u64)).unwrap_or_else(|| "—".into())
}

/// One node's figures. Rows are kept and their texts updated (not rebuilt)
/// as the run goes, and each row reads its own node from the cells.
#[component]
fn NodeRow(id: String, brokers: Memo<bool>, scale: Memo<bool>, databases: Memo<bool>) -> impl IntoView {
    let ctx = use_ctx();
    let cells = use_context::<Cells>().expect("Cells are provided by App");
    let cell = cells.node(&id);
    let spec: RwSignal<Option<crate::engine::format::NodeSpec>> = cell.spec.into();
    let selected: RwSignal<bool> = cell.selected.into();
    let key = id.clone();
    let row = Memo::new(move |_| ctx.run.snap.with(|s| s.report.nodes.get(&key).cloned()).unwrap_or_default());
    let cell = move |f: fn(&NodeReport) -> String| text(move || row.with(f));
    let count = move |f: &'static Figure| {
        let shown = text(move || row.with(|r| (f.row)(r).map(fmt_exact).unwrap_or_default()));
        let exact = text(move || row.with(|r| (f.row)(r).map(|v| v.to_string()).unwrap_or_default()));
        view! { <td class="num" data-col=f.key data-value=exact>{shown}</td> }
    };
    let name = text(move || spec.with(|n| n.as_ref().map(|n| n.display_name().to_string()).unwrap_or_default()));
    let dot = text(move || format!("dot kind-{}", spec.with(|n| n.as_ref().map_or("service", |n| n.kind.as_str()))));
    let pick = move |_| ctx.sel.set(Selection::node(&id));
    let replicas = Memo::new(move |_| spec.with(|n| n.as_ref().map_or(1, crate::engine::format::scale::replicas_of)));
    let open = RwSignal::new(false);
    let toggle = move |ev: leptos::ev::MouseEvent| {
        ev.stop_propagation();
        open.update(|o| *o = !*o);
    };
    let toggle_label = text(move || {
        let verb = if open.get() { "Hide" } else { "Show" };
        format!(
            "{verb} the replicas of {}",
            spec.with(|n| n.as_ref().map(|n| n.display_name().to_string()).unwrap_or_default())
        )
    });
    view! {
        <tr class=text(move || if selected.get() { "selected" } else { "" }.to_string()) on:click=pick>
            // Named by the node alone: the toggle inside has its own name.
            <th scope="row" aria-label=name>
                {move || (replicas.get() > 1).then(|| view! {
                    <button
                        type="button"
                        class="replica-toggle"
                        aria-expanded=text(move || open.get().to_string())
                        aria-label=toggle_label
                        title=toggle_label
                        on:click=toggle
                    >
                        {text(move || if open.get() { "▾" } else { "▸" }.to_string())}
                    </button>
                })}
                <span class=dot></span>
                {name}
            </th>
            {REQUESTS.iter().map(count).collect_view()}
            {MESSAGES.iter().map(count).collect_view()}
            <td class="num">{cell(|r| measured_ms(&r.latency_ms, r.latency_ms.p50))}</td>
            <td class="num">{cell(|r| measured_ms(&r.latency_ms, r.latency_ms.p99))}</td>
            <td class="num">{cell(|r| fmt_ms(r.wait_ms.mean))}</td>
            <td class="num">
                {cell(|r| if r.utilization > 0.0 { format!("{:.0}%", r.utilization * 100.0) } else { "—".into() })}
            </td>
            {move || {
                brokers.get().then(|| view! {
                    <td class="num broker-col">{cell(|r| extra(r, "out_of_order"))}</td>
                    <td class="num broker-col">
                        {cell(|r| match (r.extra.get("lag"), r.extra.get("lag_max")) {
                            (Some(now), Some(max)) => format!("{} / {}", fmt_exact(*now as u64), fmt_exact(*max as u64)),
                            _ => "—".into(),
                        })}
                    </td>
                    <td class="num broker-col">{cell(|r| extra(r, "unroutable"))}</td>
                    <td class="num broker-col">{cell(|r| extra(r, "expired"))}</td>
                    <td class="num broker-col">{cell(|r| extra(r, "delivered_late"))}</td>
                })
            }}
            {move || {
                scale.get().then(|| view! {
                    <td class="num scale-col" data-col="replicas">{cell(scale_rows::replicas_summary)}</td>
                    <td class="num scale-col" data-col="checks_failed">
                        {cell(|r| if r.replicas.is_empty() { "—".into() } else { extra(r, "checks_failed").replace('—', "0") })}
                    </td>
                    <td class="num scale-col" data-col="pool_wait" title=cell(|r| scale_rows::pool_wait(r).map(|p| p.2).unwrap_or_default())>
                        {cell(|r| match scale_rows::pool_wait(r) {
                            Some((mean, waited, _)) if waited > 0 => format!("{} ({})", fmt_ms(mean), fmt_exact(waited)),
                            Some(_) => "0".into(),
                            None => "—".into(),
                        })}
                    </td>
                })
            }}
            {move || {
                databases.get().then(|| view! {
                    <td class="num" data-col="stale_reads">
                        {cell(|r| match (r.extra.get("stale_reads"), r.extra.get("reads")) {
                            (Some(s), Some(n)) if *n > 0.0 => format!("{} / {}", fmt_exact(*s as u64), fmt_exact(*n as u64)),
                            _ => "—".into(),
                        })}
                    </td>
                    <td class="num" data-col="stale_age">
                        {cell(|r| r.extra.get("stale_age_mean_ms").map_or("—".into(), |v| fmt_ms(*v)))}
                    </td>
                })
            }}
        </tr>
        {move || {
            open.get().then(|| {
                let (b, sc) = (brokers.get(), scale.get());
                row.with(|r| r.replicas.iter().take(MAX_REPLICA_ROWS).map(|x| replica_row(x, b, sc)).collect_view())
            })
        }}
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
                <table class="request-table" aria-label="Requests">
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
