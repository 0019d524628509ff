//! Compare (A/B): any scenario duplicated as variant B, edited on the
//! canvas like any document, and both run with the same seed side by side:
//! their diagrams, what B changes, a diff table (metric, A, B, change) and
//! the two runs' charts overlaid. The engine computes the diff
//! (`engine::compare`); this is its one view, which the what-if forks of a
//! run will reuse.
//!
//! The canvas shows one variant at a time; the other waits in `other`.
//! Each variant has its own run, away from the canvas's animation, so the
//! comparison never disturbs what is being edited.

use super::follow::LessonFollower;
use super::part;
use super::thumb::Thumb;
use crate::app::run::{Run, Status};
use crate::app::sig::{flag, text};
use crate::app::state::{use_ctx, Ctx};
use crate::editor::chart::{nice_axis, polyline, ticks, Scale};
use crate::engine::compare::{diff, scenario_changes, Verdict};
use crate::engine::format::Scenario;
use leptos::prelude::*;
use std::cell::RefCell;
use std::rc::Rc;

/// The names of a comparison no lesson named: "A: the scenario" and "B:
/// the variant" read better than "A: A".
pub fn plain_labels() -> [String; 2] {
    ["the scenario".to_string(), "the variant".to_string()]
}

#[derive(Clone, Copy)]
pub struct Compare {
    /// The comparison view is showing.
    pub open: RwSignal<bool>,
    /// Which variant is on the canvas (0 = A, 1 = B).
    pub editing: RwSignal<usize>,
    /// The variant that is not on the canvas; `None`: no comparison.
    pub other: RwSignal<Option<Scenario>>,
    pub labels: RwSignal<[String; 2]>,
    runs: [Run; 2],
    followers: StoredValue<[Rc<RefCell<LessonFollower>>; 2], LocalStorage>,
}

impl Compare {
    pub fn new() -> Compare {
        Compare {
            open: RwSignal::new(false),
            editing: RwSignal::new(0),
            other: RwSignal::new(None),
            labels: RwSignal::new(plain_labels()),
            runs: [Run::new(), Run::new()],
            followers: StoredValue::new_local([Rc::default(), Rc::default()]),
        }
    }

    /// Starts the two runs' animation loops (made with the app, so they
    /// live as long as it; idle runs cost a check per frame).
    pub fn start_loops(&self) {
        for (run, follower) in self.runs.iter().zip(self.followers.get_value()) {
            run.follow(Some(follower));
            crate::app::run::start_loop(*run);
        }
    }

    /// Whether a comparison exists (shown or not).
    pub fn active(&self) -> bool {
        self.other.with(Option::is_some)
    }

    /// The two variants' runs.
    pub fn runs(&self) -> [Run; 2] {
        self.runs
    }

    pub fn follower(&self, v: usize) -> Rc<RefCell<LessonFollower>> {
        self.followers.get_value()[v].clone()
    }

    /// Variant `v`'s document (tracked).
    pub fn doc(&self, ctx: Ctx, v: usize) -> Option<Scenario> {
        let other = self.other.get()?;
        Some(if self.editing.get() == v { ctx.doc.get() } else { other })
    }

    /// Both documents, untracked: [A, B].
    pub fn docs(&self, ctx: Ctx) -> Option<[Scenario; 2]> {
        let other = self.other.get_untracked()?;
        let here = ctx.doc.get_untracked();
        Some(if self.editing.get_untracked() == 0 { [here, other] } else { [other, here] })
    }

    /// Starts a comparison of the canvas's document with `b` (a copy of it
    /// when `None`), and shows it.
    pub fn start(&self, ctx: Ctx, b: Option<Scenario>, labels: [String; 2]) {
        if self.editing.get_untracked() == 1 {
            self.edit(ctx, 0);
        }
        let b = b.unwrap_or_else(|| {
            let mut copy = ctx.doc.get_untracked();
            if !copy.name.is_empty() {
                copy.name = format!("{} (B)", copy.name);
            }
            copy
        });
        self.labels.set(labels);
        self.other.set(Some(b));
        self.editing.set(0);
        self.reset_runs();
        self.open.set(true);
    }

    /// Puts variant `v` on the canvas for editing.
    pub fn edit(&self, ctx: Ctx, v: usize) {
        if self.editing.get_untracked() != v {
            if let Some(other) = self.other.get_untracked() {
                ctx.run.reset();
                let prev = ctx.switch_document(other);
                self.other.set(Some(prev));
                self.editing.set(v);
                super::refit(ctx);
            }
        }
        self.open.set(false);
    }

    /// Changes variant `v`'s document (the canvas's edit path when it is
    /// on the canvas).
    pub fn change(
        &self,
        ctx: Ctx,
        v: usize,
        f: impl FnOnce(&Scenario) -> Result<Scenario, String>,
    ) -> Result<(), String> {
        if self.editing.get_untracked() == v {
            return ctx.try_edit(f);
        }
        let next = self.other.with_untracked(|o| o.as_ref().map(f)).ok_or("no comparison is open")??;
        self.other.set(Some(next));
        Ok(())
    }

    /// Ends the comparison; A stays on the canvas.
    pub fn end(&self, ctx: Ctx) {
        if self.editing.get_untracked() == 1 {
            self.edit(ctx, 0);
        }
        self.other.set(None);
        self.open.set(false);
        self.reset_runs();
    }

    pub fn reset_runs(&self) {
        self.runs.iter().for_each(Run::reset);
    }

    /// Runs both (in real time at `speed`, or to the end).
    pub fn run_both(&self, ctx: Ctx, to_end: bool, speed: Option<f64>) {
        let Some(docs) = self.docs(ctx) else { return };
        for (run, doc) in self.runs().iter().zip(docs.iter()) {
            if let Some(s) = speed {
                run.set_speed(s);
            }
            let r = if to_end { run.run_to_end(doc) } else { run.play(doc) };
            if let Err(e) = r {
                ctx.complain(e);
                return;
            }
        }
    }
}

/// Drops a variant's run when its document changes in a way that alters
/// results (as the canvas's run does).
pub fn keep_runs_fresh(ctx: Ctx, c: Compare) {
    Effect::new(move |_| {
        let (Some(a), Some(b)) = (c.doc(ctx, 0), c.doc(ctx, 1)) else { return };
        c.runs[0].on_doc(&a);
        c.runs[1].on_doc(&b);
    });
}

/// The bar over the canvas while a comparison exists but is not showing.
#[component]
pub fn CompareBar() -> impl IntoView {
    let ctx = use_ctx();
    let c = super::use_lessons().compare;
    let shown = move || c.active() && !c.open.get();
    part(Box::new(move || {
        if !shown() {
            return ().into_any();
        }
        let name = move |v: usize| c.labels.with(|l| l[v].clone());
        {
            view! {
                <div class="compare-bar" role="region" aria-label="Comparison in progress">
                    <span>{text(move || format!("Editing {} of a comparison", if c.editing.get() == 0 { format!("A ({})", name(0)) } else { format!("B ({})", name(1)) }))}</span>
                    <button type="button" class="subtle" on:click=move |_| c.edit(ctx, 1 - c.editing.get_untracked())>
                        {text(move || if c.editing.get() == 0 { "Edit B".to_string() } else { "Edit A".to_string() })}
                    </button>
                    <button type="button" class="accent" on:click=move |_| c.open.set(true)>"Show comparison"</button>
                </div>
            }
        }
        .into_any()
    }))
}

/// Formats a run's state for the figure under its diagram.
fn run_state(run: Run) -> String {
    match run.status.get() {
        Status::Idle => "not run yet".into(),
        Status::Finished => "finished".into(),
        _ => run.snap.with(|sn| format!("running: {:.0} s of {:.0} s", sn.now_ms / 1000.0, sn.end_ms / 1000.0)),
    }
}

#[component]
pub fn CompareView() -> impl IntoView {
    let ctx = use_ctx();
    let c = super::use_lessons().compare;
    part(Box::new(move || {
        if !(c.open.get() && c.active()) {
            return ().into_any();
        }
        let runs = c.runs();
        let close_view = move |_| c.open.set(false);
        let end = move |_| c.end(ctx);
        let run_end = move |_| c.run_both(ctx, true, None);
        let play = move |_| c.run_both(ctx, false, None);
        let reset = move |_| crate::app::topbar::stop(ctx, &c.runs());
        let busy = flag(move || runs.iter().any(|r| r.status.get().is_active()));
        let figure = move |v: usize| {
            let run = runs[v];
            let letter = ["A", "B"][v];
            let hash_id = format!("run-hash-{}", ["a", "b"][v]);
            let doc = move || c.doc(ctx, v).unwrap_or_default();
            view! {
                <figure class="compare-figure">
                    {part(Box::new(move || view! { <Thumb scenario=doc()/> }.into_any()))}
                    <figcaption>
                        <strong>{format!("{letter}: ")}{text(move || c.labels.with(|l| l[v].clone()))}</strong>
                        <span class="muted">{text(move || run_state(run))}</span>
                        <label class="hash-line" for=hash_id.clone()>{format!("Run hash {letter}")}</label>
                        <output id=hash_id class="mono">{text(move || run.snap.with(|s| s.hash.clone().unwrap_or_else(|| "—".into())))}</output>
                        <button type="button" class="subtle" on:click=move |_| c.edit(ctx, v)>{format!("Edit {letter}")}</button>
                    </figcaption>
                </figure>
            }
        };
        view! {
            <section class="compare-view" aria-label="Comparison">
                <header class="compare-head">
                    <h2>"Compare A and B"</h2>
                    <p class="muted">"Same seed, same random numbers: every difference is the design's."</p>
                    <div class="toolbar-group" role="group" aria-label="Comparison runs">
                        <button type="button" class="primary" disabled=busy on:click=run_end>"Run both to end"</button>
                        <button type="button" disabled=busy on:click=play>"Run both"</button>
                        <button type="button" on:click=reset>"Reset both"</button>
                        <button type="button" on:click=close_view>"Back to the canvas"</button>
                        <button type="button" class="danger subtle" on:click=end>"End comparison"</button>
                    </div>
                </header>
                <div class="compare-body">
                    <div class="compare-side">
                        <div class="compare-figures">{figure(0)}{figure(1)}</div>
                        <Changes/>
                        <Overlay/>
                    </div>
                    <DiffTable/>
                </div>
            </section>
        }
        .into_any()
    }))
}

/// What B changes, one line each.
#[component]
fn Changes() -> impl IntoView {
    let ctx = use_ctx();
    let c = super::use_lessons().compare;
    let changes = move || match (c.doc(ctx, 0), c.doc(ctx, 1)) {
        (Some(a), Some(b)) => scenario_changes(&a, &b),
        _ => Vec::new(),
    };
    view! {
        <div class="compare-changes">
            <h3>"What B changes"</h3>
            {part(Box::new(move || {
                let list = changes();
                if list.is_empty() {
                    return view! { <p class="muted">"Nothing yet: B is a copy of A. Edit B to change it."</p> }.into_any();
                }
                view! { <ul>{list.into_iter().map(|t| view! { <li>{t}</li> }.into_any()).collect::<Vec<_>>()}</ul> }.into_any()
            }))}
        </div>
    }
}

#[component]
fn DiffTable() -> impl IntoView {
    let ctx = use_ctx();
    let c = super::use_lessons().compare;
    let runs = c.runs();
    let rows = move || {
        let idle = runs.iter().any(|r| r.status.get() == Status::Idle);
        if idle {
            return Vec::new();
        }
        let (Some(sa), Some(sb)) = (c.doc(ctx, 0), c.doc(ctx, 1)) else { return Vec::new() };
        let (ra, rb) = (runs[0].snap.with(|s| s.report.clone()), runs[1].snap.with(|s| s.report.clone()));
        diff(&sa, &ra, &sb, &rb)
    };
    view! {
        <div class="diff-wrap">
            <table class="diff">
                <caption>"A against B"</caption>
                <thead><tr><th scope="col">"Metric"</th><th scope="col">"A"</th><th scope="col">"B"</th><th scope="col">"Change"</th></tr></thead>
                <tbody>
                    {part(Box::new(move || {
                        let rows = rows();
                        if rows.is_empty() {
                            return view! { <tr><td colspan="4" class="muted">"Run both to compare them."</td></tr> }.into_any();
                        }
                        let mut last = String::new();
                        rows.into_iter()
                            .map(|r| {
                                let head = (r.group != last).then(|| {
                                    last = r.group.clone();
                                    view! { <tr class="diff-group"><th colspan="4" scope="colgroup">{r.group.clone()}</th></tr> }.into_any()
                                });
                                let class = match r.verdict() {
                                    Verdict::Better => "better",
                                    Verdict::Worse => "worse",
                                    Verdict::Same => "same",
                                    Verdict::Different => "different",
                                };
                                view! {
                                    {head}
                                    <tr class=class>
                                        <th scope="row">{r.metric.clone()}</th>
                                        <td>{r.a_text()}</td>
                                        <td>{r.b_text()}</td>
                                        <td>{r.change_text()}</td>
                                    </tr>
                                }
                                .into_any()
                            })
                            .collect::<Vec<_>>()
                            .into_any()
                    }))}
                </tbody>
            </table>
        </div>
    }
}

#[derive(Clone, Copy, PartialEq)]
enum Metric {
    Throughput,
    Errors,
    P99,
    Depth,
}

/// One chart with A's and B's line for a node, over simulated time.
#[component]
fn Overlay() -> impl IntoView {
    let ctx = use_ctx();
    let c = super::use_lessons().compare;
    let runs = c.runs();
    let node = RwSignal::new(String::new());
    let metric = RwSignal::new(Metric::Throughput);
    let nodes = move || {
        let mut ids: Vec<(String, String)> = Vec::new();
        for v in 0..2 {
            if let Some(d) = c.doc(ctx, v) {
                for n in &d.nodes {
                    if !ids.iter().any(|(id, _)| *id == n.id) {
                        ids.push((n.id.clone(), n.display_name().to_string()));
                    }
                }
            }
        }
        ids
    };
    let chosen = move || {
        let n = node.get();
        if n.is_empty() {
            nodes().first().map(|x| x.0.clone()).unwrap_or_default()
        } else {
            n
        }
    };
    let lines = move || {
        let id = chosen();
        let m = metric.get();
        let mut out: Vec<Vec<(f64, f64)>> = Vec::new();
        for (v, run) in runs.iter().enumerate() {
            let idx = c.doc(ctx, v).and_then(|d| d.nodes.iter().position(|n| n.id == id));
            let pts = run.snap.with(|s| {
                idx.and_then(|i| s.series.get(i))
                    .map(|b| {
                        b.iter()
                            .map(|b| {
                                let y = match m {
                                    Metric::Throughput => f64::from(b.throughput),
                                    Metric::Errors => f64::from(b.errors),
                                    Metric::P99 => b.p99_ms,
                                    Metric::Depth => b.queue_len,
                                };
                                (f64::from(b.t_s) + 0.5, y)
                            })
                            .collect()
                    })
                    .unwrap_or_default()
            });
            out.push(pts);
        }
        out
    };
    let (w, h) = (560.0, 150.0);
    let (left, bottom) = (40.0, 18.0);
    let chart = move || -> AnyView {
        let ls = lines();
        let end_s = c.doc(ctx, 0).map(|d| d.duration_ms / 1000.0).unwrap_or(60.0).max(1.0);
        let max = ls.iter().flatten().map(|p| p.1).fold(0.0, f64::max);
        let (top, step) = nice_axis(max);
        let x = Scale::new((0.0, end_s), (left, w - 8.0));
        let y = Scale::new((0.0, top), (h - bottom, 6.0));
        let grid = ticks(top, step)
            .into_iter()
            .map(|t| {
                let py = y.map(t);
                view! {
                    <line class="grid" x1=left x2=w - 8.0 y1=py y2=py></line>
                    <text class="tick" x=left - 4.0 y=py + 3.0 text-anchor="end">{crate::engine::lesson::metrics::fmt_value(t)}</text>
                }
                .into_any()
            })
            .collect::<Vec<_>>();
        let paths = ls
            .iter()
            .enumerate()
            .map(|(v, pts)| {
                view! { <polyline class=format!("series s{v}") points=polyline(pts, &x, &y)></polyline> }.into_any()
            })
            .collect::<Vec<_>>();
        view! {
            <svg class="overlay-chart" viewBox=format!("0 0 {w} {h}") role="img" aria-label=text(move || format!("{} of {}, A and B over time", metric_name(metric.get()), chosen()))>
                {grid}
                <text class="tick" x=w - 8.0 y=h - 4.0 text-anchor="end">{format!("{end_s:.0} s")}</text>
                {paths}
            </svg>
        }
        .into_any()
    };
    view! {
        <div class="overlay">
            <div class="overlay-controls">
                <label>
                    "Node "
                    <select prop:value=text(chosen) on:change=move |ev| node.set(event_target_value(&ev))>
                        {part(Box::new(move || nodes().into_iter().map(|(id, name)| view! { <option value=id>{name}</option> }.into_any()).collect::<Vec<_>>().into_any()))}
                    </select>
                </label>
                <label>
                    "Chart "
                    <select on:change=move |ev| metric.set(match event_target_value(&ev).as_str() {
                        "errors" => Metric::Errors,
                        "p99" => Metric::P99,
                        "depth" => Metric::Depth,
                        _ => Metric::Throughput,
                    })>
                        <option value="throughput">"Throughput (per second)"</option>
                        <option value="errors">"Errors (per second)"</option>
                        <option value="p99">"p99 latency (ms)"</option>
                        <option value="depth">"Waiting (queue depth)"</option>
                    </select>
                </label>
                <span class="legend"><span class="swatch s0"></span>"A"<span class="swatch s1"></span>"B"</span>
            </div>
            {part(Box::new(chart))}
        </div>
    }
}

fn metric_name(m: Metric) -> &'static str {
    match m {
        Metric::Throughput => "Throughput",
        Metric::Errors => "Errors",
        Metric::P99 => "p99 latency",
        Metric::Depth => "Queue depth",
    }
}
