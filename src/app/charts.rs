//! Charts over simulated time: throughput, p99 latency and queue depth,
//! one line per node (the selected nodes, else the ones that matter for
//! that chart), with faults shaded (scheduled or made live: both are in the
//! scenario) and changes marked by a dashed line. Pointing at a chart, or
//! focusing it and using the arrow keys, reads out every line's value at
//! that second, and the faults and changes in force then. The math (and the
//! drawing's markup) is in `editor::chart`; this only wires it to the page.

use super::sig::text;
use super::state::use_ctx;
use crate::editor::chart::{readout, step_sample, svg_markup, Frame, Scale};
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

    /// A value as the readout says it: "48/s", "120 ms", "3.5 waiting".
    fn value_text(self, v: f64) -> String {
        match self {
            Metric::Throughput => format!("{}/s", crate::editor::parse::fmt_num(v)),
            Metric::P99 if v > 0.0 => crate::editor::chart::fmt_ms(v),
            Metric::P99 => "—".into(),
            Metric::Depth => format!("{} waiting", crate::editor::parse::fmt_num((v * 10.0).round() / 10.0)),
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

/// The size of one of the three charts side by side in a window (on a
/// phone, one above the other: the full width, or the text would be drawn
/// half as large again as the chart is stretched).
fn chart_size((w, h): (f64, f64)) -> (f64, f64) {
    let across = if w < super::layout::PHONE_MAX_W { w - 24.0 } else { (w - 24.0 - 28.0) / 3.0 };
    let width = across.clamp(220.0, 900.0).round();
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
    let size = ctx.window;
    let note = move || {
        let any = data.with(|(charts, _, _)| charts.iter().any(|(_, l)| l.iter().any(|(_, p)| !p.is_empty())));
        (!any).then(|| {
            view! { <p class="muted chart-note">"Charts fill in while a run goes. Select blocks to chart them."</p> }
        })
    };
    view! {
        <div class="charts">
            {(0..3).map(|i| view! { <Chart index=i data=data size=size/> }).collect_view()}
        </div>
        {note}
    }
}

/// Everything the three charts draw: per chart its metric and lines, the
/// run's end in seconds and the faults and changes.
type ChartsData = ([(Metric, Vec<Line>); 3], f64, Vec<Mark>);

/// One chart. Its frame is built once and its drawing (markup made by
/// `editor::chart::svg_markup`) replaced as data comes in, so the
/// keyboard's focus and the pointer's readout survive the refreshes of a
/// running chart. The cursor line sits on a layer of its own.
#[component]
fn Chart(index: usize, data: Memo<ChartsData>, size: RwSignal<(f64, f64)>) -> impl IntoView {
    let frame = move || {
        let (w, h) = chart_size(size.get());
        Frame { w, h, left: LEFT, right: RIGHT, top: TOP, bottom: BOTTOM }
    };
    let end_s = move || data.with(|d| if d.1 > 0.0 { d.1 } else { 60.0 });
    let metric = data.with_untracked(|d| d.0[index].0);
    // The sample the pointer or the keyboard is on, in seconds; NaN while
    // there is none (an f64 signal: a type the app has, so no new code).
    let cursor = RwSignal::new(f64::NAN);
    let at = move || Some(cursor.get()).filter(|t| !t.is_nan());
    let readout_id = format!("chart-readout-{index}");
    let pointer = move |ev: leptos::ev::PointerEvent| {
        use wasm_bindgen::JsCast;
        let Some(el) = ev.current_target().and_then(|t| t.dyn_into::<web_sys::Element>().ok()) else { return };
        let r = el.get_bounding_client_rect();
        let f = frame();
        if r.width() <= 0.0 {
            return;
        }
        let x = Scale::new((0.0, end_s()), (f.left, f.w - f.right));
        let t = x.invert((f64::from(ev.client_x()) - r.left()) * f.w / r.width());
        cursor.set(data.with_untracked(|d| readout(&d.0[index].1, t).map_or(f64::NAN, |(at, _)| at)));
    };
    let keys = move |ev: leptos::ev::KeyboardEvent| {
        let steps = match ev.key().as_str() {
            "ArrowLeft" if ev.shift_key() => -10,
            "ArrowRight" if ev.shift_key() => 10,
            "ArrowLeft" => -1,
            "ArrowRight" => 1,
            "Home" => i64::MIN / 2,
            "End" => i64::MAX / 2,
            "Escape" => {
                cursor.set(f64::NAN);
                return;
            }
            _ => return,
        };
        ev.prevent_default();
        let now = Some(cursor.get_untracked()).filter(|t| !t.is_nan());
        cursor.set(data.with_untracked(|d| step_sample(&d.0[index].1, now, steps)).unwrap_or(f64::NAN));
    };
    let readout_text = move || {
        let t = at()?;
        data.with(|d| {
            let (at, values) = readout(&d.0[index].1, t)?;
            let parts: Vec<String> =
                values.iter().map(|(name, v)| format!("{name} {}", metric.value_text(*v))).collect();
            // The faults and changes of that second, named.
            let (from_ms, to_ms) = ((at - 0.5) * 1000.0, (at + 0.5) * 1000.0);
            let marks: Vec<&str> =
                d.2.iter().filter(|m| m.from_ms < to_ms && m.to_ms >= from_ms).map(|m| m.what.as_str()).collect();
            Some(format!(
                "At {}: {}{}",
                fmt_seconds(at),
                if parts.is_empty() { "no data".into() } else { parts.join(" · ") },
                if marks.is_empty() { String::new() } else { format!(" · {}", marks.join(" · ")) }
            ))
        })
    };
    let markup = move || {
        let f = frame();
        data.with(|d| {
            let spans: Vec<(f64, f64)> = d.2.iter().map(|m| (m.from_ms, m.to_ms)).collect();
            svg_markup(&d.0[index].1, end_s(), &spans, &f, &COLOURS)
        })
    };
    let view_box = move || {
        let f = frame();
        format!("0 0 {:.0} {:.0}", f.w, f.h)
    };
    let cursor_line = move || {
        let Some(t) = at() else { return String::new() };
        let f = frame();
        let x = Scale::new((0.0, end_s()), (f.left, f.w - f.right)).map(t);
        format!(r#"<line class="cursor-line" x1="{x:.1}" x2="{x:.1}" y1="{}" y2="{}"/>"#, f.top, f.h - f.bottom)
    };
    let legend = move || {
        data.with(|d| {
            d.0[index]
                .1
                .iter()
                .enumerate()
                .map(|(i, (name, _))| {
                    view! {
                        <li><span class="swatch" data-colour=i.to_string()>
                            <svg viewBox="0 0 10 10" aria-hidden="true"><rect width="10" height="10" rx="2" fill=COLOURS[i % COLOURS.len()]/></svg>
                        </span>{name.clone()}</li>
                    }
                })
                .collect_view()
        })
    };
    view! {
        <figure class="chart">
            <figcaption>{metric.title()}</figcaption>
            <div
                class="chart-plot"
                tabindex="0"
                role="group"
                // A title, not aria-label, names it: "p99 latency" and "arrow
                // keys" must not answer for the fields "Latency" and "Keys".
                title=format!("{}: arrow keys read the values", metric.title())
                aria-describedby=readout_id.clone()
                on:pointermove=pointer
                on:pointerdown=pointer
                on:pointerleave=move |_| cursor.set(f64::NAN)
                on:focus=move |_| {
                    if cursor.get_untracked().is_nan() {
                        cursor.set(data.with_untracked(|d| step_sample(&d.0[index].1, None, 0)).unwrap_or(f64::NAN));
                    }
                }
                on:blur=move |_| cursor.set(f64::NAN)
                on:keydown=keys
            >
                <svg viewBox=text(view_box) aria-hidden="true" inner_html=text(markup)></svg>
                <svg viewBox=text(view_box) aria-hidden="true" class="cursor-layer" inner_html=text(cursor_line)></svg>
            </div>
            // Empty (and so hidden by the style sheet) until a value is read;
            // the legend steps aside while it shows.
            <p class="chart-readout" id=readout_id role="status">{text(move || readout_text().unwrap_or_default())}</p>
            <ul class="legend">{legend}</ul>
        </figure>
    }
}

/// A sample's time: samples sit mid-second, so "12.5 s" is the second from
/// 12 to 13 s.
fn fmt_seconds(t: f64) -> String {
    format!("{} s", crate::editor::parse::fmt_num((t * 10.0).round() / 10.0))
}
