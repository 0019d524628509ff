//! Charts over simulated time: throughput, p99 latency and queue depth,
//! one line per node (the selected nodes, else the ones that matter for
//! that chart), with faults shaded (scheduled or made live: both are in the
//! scenario) and changes marked by a line. The math is in `editor::chart`;
//! this only draws.

use super::state::use_ctx;
use crate::editor::chart::{nice_axis, polyline, ticks, Scale};
use crate::engine::format::NodeKind;
use crate::engine::report::Bucket;
use leptos::prelude::*;

const LEFT: f64 = 34.0;
const RIGHT: f64 = 8.0;
const TOP: f64 = 8.0;
const BOTTOM: f64 = 18.0;
/// Line colours, picked to stay apart on light and dark backgrounds.
const COLOURS: [&str; 6] = ["#3b82f6", "#f97316", "#10b981", "#a855f7", "#ef4444", "#0ea5e9"];
const MAX_LINES: usize = 6;

#[derive(Clone, Copy, PartialEq)]
enum Metric {
    Throughput,
    P99,
    Depth,
}

impl Metric {
    fn title(self) -> &'static str {
        match self {
            Metric::Throughput => "Throughput (per second)",
            Metric::P99 => "p99 latency (ms)",
            Metric::Depth => "Queue depth (waiting)",
        }
    }

    fn value(self, b: &Bucket) -> f64 {
        match self {
            Metric::Throughput => f64::from(b.throughput),
            Metric::P99 => b.p99_ms,
            Metric::Depth => b.queue_len,
        }
    }

    /// Which nodes the chart shows when nothing is selected.
    fn default_kinds(self) -> &'static [NodeKind] {
        match self {
            Metric::Throughput | Metric::P99 => &[NodeKind::Client],
            Metric::Depth => &[NodeKind::Queue, NodeKind::Service, NodeKind::Topic],
        }
    }
}

/// One line: its label and `(seconds, value)` points.
type Line = (String, Vec<(f64, f64)>);

/// A fault (a band from its start to its end) or a change (a line), with
/// what it was, for its tooltip.
#[derive(Clone, Debug, PartialEq)]
struct Mark {
    from_ms: f64,
    to_ms: f64,
    what: String,
}

fn name_of(d: &crate::engine::format::Scenario, id: &str) -> String {
    d.node(id).map(|n| n.display_name().to_string()).unwrap_or_else(|| id.to_string())
}

fn fault_label(d: &crate::engine::format::Scenario, f: &crate::engine::format::FaultSpec) -> String {
    let at = crate::editor::chart::fmt_ms(f.at_ms);
    match f.for_ms {
        Some(len) => {
            format!("{} {} at {at} for {}", name_of(d, &f.target), f.kind.as_str(), crate::editor::chart::fmt_ms(len))
        }
        None => format!("{} {} from {at}", name_of(d, &f.target), f.kind.as_str()),
    }
}

/// The size of one of the three charts side by side in a window.
fn chart_size((w, h): (f64, f64)) -> (f64, f64) {
    let width = ((w - 24.0 - 28.0) / 3.0).clamp(220.0, 900.0).round();
    let height = if h <= 820.0 { 80.0 } else { 98.0 };
    (width, height)
}

#[component]
pub fn Charts() -> impl IntoView {
    let ctx = use_ctx();
    let data = Memo::new(move |_| {
        let sel = ctx.sel.with(|s| s.nodes.clone());
        let (series, end_ms) = ctx.run.snap.with(|s| (s.series.clone(), s.end_ms));
        let nodes = ctx
            .doc
            .with(|d| d.nodes.iter().map(|n| (n.id.clone(), n.display_name().to_string(), n.kind)).collect::<Vec<_>>());
        // A fault without an end lasts until now while the run goes.
        let now_ms = ctx.run.snap.with(|s| if s.end_ms > 0.0 { s.now_ms } else { f64::INFINITY });
        let faults = ctx.doc.with(|d| {
            d.faults
                .iter()
                .map(|f| {
                    let end = f.for_ms.map(|x| f.at_ms + x).unwrap_or(d.duration_ms.min(now_ms));
                    Mark { from_ms: f.at_ms, to_ms: end, what: fault_label(d, f) }
                })
                .chain(d.changes.iter().map(|c| Mark {
                    from_ms: c.at_ms,
                    to_ms: c.at_ms,
                    what: format!("{} {} → {}", name_of(d, &c.target), c.field, c.value),
                }))
                .collect::<Vec<_>>()
        });
        let end_s = if end_ms > 0.0 { end_ms / 1000.0 } else { ctx.doc.with(|d| d.duration_ms / 1000.0) };
        let lines = |m: Metric| -> Vec<Line> {
            let picked: Vec<usize> = if sel.is_empty() {
                let mut v: Vec<usize> = nodes
                    .iter()
                    .enumerate()
                    .filter(|(_, n)| m.default_kinds().contains(&n.2))
                    .map(|(i, _)| i)
                    .collect();
                if m == Metric::Depth {
                    // Only what actually queues up is worth a line.
                    v.retain(|i| series.get(*i).is_some_and(|s| s.iter().any(|b| b.queue_len > 0.0)));
                }
                v
            } else {
                nodes.iter().enumerate().filter(|(_, n)| sel.contains(&n.0)).map(|(i, _)| i).collect()
            };
            picked
                .into_iter()
                .take(MAX_LINES)
                .map(|i| {
                    let pts = series
                        .get(i)
                        .map(|s| s.iter().map(|b| (f64::from(b.t_s) + 0.5, m.value(b))).collect())
                        .unwrap_or_default();
                    (nodes[i].1.clone(), pts)
                })
                .collect()
        };
        (
            [
                (Metric::Throughput, lines(Metric::Throughput)),
                (Metric::P99, lines(Metric::P99)),
                (Metric::Depth, lines(Metric::Depth)),
            ],
            end_s,
            faults,
        )
    });
    move || {
        let (charts, end_s, faults) = data.get();
        let size = chart_size(ctx.window.get());
        let any = charts.iter().any(|(_, l)| l.iter().any(|(_, p)| !p.is_empty()));
        let note = (!any).then(|| {
            view! { <p class="muted chart-note">"Charts fill in while a run goes. Select blocks to chart them."</p> }
        });
        view! {
            <div class="charts">
                {charts
                    .into_iter()
                    .map(|(m, lines)| view! { <Chart metric=m lines=lines end_s=end_s faults=faults.clone() size=size/> })
                    .collect_view()}
            </div>
            {note}
        }
    }
}

#[component]
fn Chart(metric: Metric, lines: Vec<Line>, end_s: f64, faults: Vec<Mark>, size: (f64, f64)) -> impl IntoView {
    // Drawn at the size it is shown (one viewBox unit per CSS pixel), so
    // text stays crisp and the chart keeps its height on any screen.
    let (w, h) = size;
    let max = lines.iter().flat_map(|(_, p)| p.iter().map(|(_, v)| *v)).fold(0.0_f64, f64::max);
    let (top, step) = nice_axis(max);
    let end_s = if end_s > 0.0 { end_s } else { 60.0 };
    let x = Scale::new((0.0, end_s), (LEFT, w - RIGHT));
    let y = Scale::new((0.0, top), (h - BOTTOM, TOP));
    let (xt, xs) = nice_axis(end_s);
    let y_ticks = ticks(top, step);
    let x_ticks: Vec<f64> = ticks(xt, xs).into_iter().filter(|t| *t <= end_s).collect();
    let fmt = |v: f64| {
        if v >= 10_000.0 {
            format!("{:.0}k", v / 1000.0)
        } else if v.fract() == 0.0 {
            format!("{v:.0}")
        } else {
            format!("{v:.1}")
        }
    };
    let legend = lines
        .iter()
        .enumerate()
        .map(|(i, (name, _))| {
            view! {
                <li><span class="swatch" data-colour=i.to_string()>
                    <svg viewBox="0 0 10 10" aria-hidden="true"><rect width="10" height="10" rx="2" fill=COLOURS[i % COLOURS.len()]/></svg>
                </span>{name.clone()}</li>
            }
        })
        .collect_view();
    view! {
        <figure class="chart">
            <figcaption>{metric.title()}</figcaption>
            <svg viewBox=format!("0 0 {w:.0} {h:.0}") role="img" aria-label=metric.title()>
                {faults
                    .iter()
                    .map(|m| {
                        let x0 = x.map(m.from_ms / 1000.0).clamp(LEFT, w - RIGHT);
                        let x1 = x.map(m.to_ms / 1000.0).clamp(LEFT, w - RIGHT);
                        if m.to_ms > m.from_ms {
                            view! { <rect class="fault-band" x=x0 y=TOP width=(x1 - x0).max(1.0) height=h - TOP - BOTTOM><title>{m.what.clone()}</title></rect> }.into_any()
                        } else {
                            view! { <line class="change-mark" x1=x0 x2=x0 y1=TOP y2=h - BOTTOM><title>{m.what.clone()}</title></line> }.into_any()
                        }
                    })
                    .collect_view()}
                {y_ticks
                    .iter()
                    .map(|t| {
                        let py = y.map(*t);
                        view! {
                            <line class="grid-line" x1=LEFT x2=w - RIGHT y1=py y2=py/>
                            <text class="tick" x=LEFT - 4.0 y=py + 3.0 text-anchor="end">{fmt(*t)}</text>
                        }
                    })
                    .collect_view()}
                {x_ticks
                    .iter()
                    .map(|t| view! { <text class="tick" x=x.map(*t) y=h - 4.0 text-anchor="middle">{format!("{}s", fmt(*t))}</text> })
                    .collect_view()}
                {lines
                    .iter()
                    .enumerate()
                    .map(|(i, (_, pts))| {
                        view! { <polyline class="series" fill="none" stroke=COLOURS[i % COLOURS.len()] points=polyline(pts, &x, &y)/> }
                    })
                    .collect_view()}
            </svg>
            <ul class="legend">{legend}</ul>
        </figure>
    }
}
