//! The Replications tab: the scenario over N seeds on every core (one
//! engine per Web Worker), then mean and 95% confidence interval per
//! metric. The table is `engine::replications`' own, the one
//! `crosstalk run --replications` prints.

use super::pool::{self, Answer, Pool, Reply};
use super::sig::{flag, number, text};
use super::state::{use_ctx, Ctx};
use crate::engine::budget::{self, Budget};
use crate::engine::format::load;
use crate::engine::replications::{self as reps, Sample, Summary, DEFAULT_REPLICATIONS};
use leptos::prelude::*;
use std::cell::RefCell;
use std::rc::Rc;

#[derive(Clone, Debug, PartialEq)]
pub enum Phase {
    Idle,
    Running { done: u32, total: u32 },
    Done(Summary),
    Stopped(String),
}

/// The replications' state, kept above the tab so a run goes on (and its
/// table stays) while another tab is shown.
#[derive(Clone, Copy)]
pub struct Replicator {
    pub count: RwSignal<String>,
    pub warmup: RwSignal<String>,
    pub phase: RwSignal<Phase>,
    job: StoredValue<Option<Rc<RefCell<Job>>>, LocalStorage>,
}

/// One request for N replications in flight.
struct Job {
    pool: Pool,
    live: bool,
    scenario_json: String,
    warmup_ms: f64,
    seeds: Vec<u64>,
    samples: Vec<Option<Sample>>,
    /// The seed index each worker runs.
    running: Vec<Option<usize>>,
    next: usize,
    done: u32,
}

impl Replicator {
    pub fn new() -> Replicator {
        Replicator {
            count: RwSignal::new(DEFAULT_REPLICATIONS.to_string()),
            warmup: RwSignal::new("0".into()),
            phase: RwSignal::new(Phase::Idle),
            job: StoredValue::new_local(None),
        }
    }

    fn running(&self) -> bool {
        matches!(self.phase.get_untracked(), Phase::Running { .. })
    }

    /// Stops every worker at once.
    pub fn cancel(&self) {
        if let Some(job) = self.job.get_value() {
            let mut j = job.borrow_mut();
            j.live = false;
            j.pool.terminate();
        }
        self.job.set_value(None);
        if let Phase::Running { done, total } = self.phase.get_untracked() {
            self.phase.set(Phase::Stopped(format!("Cancelled after {done} of {total} replications.")));
        }
    }

    fn start(&self, ctx: Ctx) {
        self.cancel();
        match self.prepare(ctx) {
            Ok(()) => {}
            Err(e) => self.phase.set(Phase::Stopped(e)),
        }
    }

    fn prepare(&self, ctx: Ctx) -> Result<(), String> {
        let count = self.count.get_untracked();
        let n = match crate::editor::parse::integer(&count) {
            Ok(Some(n)) => n,
            _ => return Err(format!("Replications: type a whole number from 1 to 1000 (got “{}”)", count.trim())),
        };
        let n = reps::check_count(n).map_err(capital)?;
        let warm_text = self.warmup.get_untracked();
        let warmup_ms = crate::editor::parse::number(&warm_text).map_err(|e| format!("Warm-up: {e}"))?.unwrap_or(0.0);
        let doc = ctx.doc.get_untracked();
        reps::check_warmup(&doc, warmup_ms).map_err(capital)?;
        load::check(&doc).map_err(|e| format!("Cannot run yet: {e}"))?;
        budget::check(&doc, &Budget::default()).map_err(|p| format!("Too much work for one run: {p}"))?;
        let seeds = reps::seeds(doc.seed, n);
        let workers = pool::cores().min(n as usize);
        let job = Rc::new(RefCell::new(Job {
            pool: Pool::empty(),
            live: true,
            scenario_json: doc.to_json(),
            warmup_ms,
            samples: vec![None; seeds.len()],
            seeds,
            running: vec![None; workers],
            next: 0,
            done: 0,
        }));
        let me = *self;
        let weak = Rc::downgrade(&job);
        let pool = Pool::start(workers, move |w, reply| {
            if let Some(job) = weak.upgrade() {
                me.heard(&job, w, reply);
            }
        })?;
        job.borrow_mut().pool = pool;
        self.phase.set(Phase::Running { done: 0, total: n });
        for w in 0..workers {
            dispatch(&mut job.borrow_mut(), w);
        }
        self.job.set_value(Some(job));
        Ok(())
    }

    /// A worker answered (or died).
    fn heard(&self, job: &Rc<RefCell<Job>>, w: usize, reply: Reply) {
        let mut j = job.borrow_mut();
        if !j.live {
            return;
        }
        let Some(index) = j.running.get(w).copied().flatten() else { return };
        let seed = j.seeds[index];
        let failure = match reply {
            Reply::Died(why) => Some(format!(
                "A worker stopped while running seed {seed} ({why}). The replications were stopped; the page keeps working."
            )),
            Reply::Answer(text) => match crate::engine::format::json::read::<Answer>(&text) {
                Ok(Answer::Sample(s)) => {
                    j.samples[index] = Some(s);
                    j.running[w] = None;
                    j.done += 1;
                    None
                }
                Ok(Answer::Error(e)) => Some(format!("Seed {seed}: {e}")),
                Ok(Answer::Finished(_)) => Some(format!("A worker answered a run to the end for seed {seed}")),
                Err(e) => Some(format!("A worker answered something unreadable for seed {seed}: {e}")),
            },
        };
        if let Some(message) = failure {
            j.live = false;
            j.pool.terminate();
            drop(j);
            self.job.set_value(None);
            self.phase.set(Phase::Stopped(message));
            return;
        }
        let total = j.seeds.len() as u32;
        if j.done == total {
            j.live = false;
            j.pool.terminate();
            let samples: Vec<Sample> = j.samples.iter().flatten().cloned().collect();
            let summary = reps::summarise(&samples, j.warmup_ms);
            drop(j);
            self.job.set_value(None);
            self.phase.set(Phase::Done(summary));
        } else {
            let done = j.done;
            dispatch(&mut j, w);
            drop(j);
            self.phase.set(Phase::Running { done, total });
        }
    }
}

/// Gives worker `w` the next seed, if any is left.
fn dispatch(j: &mut Job, w: usize) {
    if j.next >= j.seeds.len() {
        return;
    }
    let index = j.next;
    j.next += 1;
    j.running[w] = Some(index);
    let task = pool::replicate_task(&j.scenario_json, j.seeds[index], j.warmup_ms);
    j.pool.post(w, &task);
}

/// "replications: at most…" → "Replications: at most…" (ASCII only: the
/// Unicode case tables would cost the download ~10 KiB).
fn capital(mut s: String) -> String {
    if let Some(first) = s.get_mut(0..1) {
        first.make_ascii_uppercase();
    }
    s
}

#[component]
pub fn ReplicationsTab(reps: Replicator) -> impl IntoView {
    let ctx = use_ctx();
    let running = flag(move || matches!(reps.phase.get(), Phase::Running { .. }));
    let go = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if !reps.running() {
            reps.start(ctx);
        }
    };
    let progress = move || match reps.phase.get() {
        Phase::Running { done, total } => Some(view! {
            <div class="reps-progress">
                <progress
                    aria-label="Replications done"
                    max=total.to_string()
                    value=number(move || match reps.phase.get() {
                        Phase::Running { done, .. } => done as f64,
                        _ => 0.0,
                    })
                ></progress>
                <span aria-live="polite">{format!("{done} of {total}")}</span>
                <button type="button" on:click=move |_| reps.cancel()>"Cancel"</button>
            </div>
        }),
        _ => None,
    };
    let body = move || match reps.phase.get() {
        Phase::Done(s) => Some(table(&s).into_any()),
        Phase::Stopped(m) => Some(view! { <p class="reps-message" role="alert">{m}</p> }.into_any()),
        _ => None,
    };
    view! {
        <div class="replications">
            <form class="reps-form" aria-label="Replications" novalidate=true on:submit=go>
                <label>
                    "Replications"
                    <input
                        type="number"
                        min="1"
                        max="1000"
                        step="1"
                        inputmode="numeric"
                        prop:value=text(move || reps.count.get())
                        on:input=move |ev| reps.count.set(event_target_value(&ev))
                    />
                </label>
                <label>
                    "Warm-up (ms)"
                    <input
                        type="number"
                        min="0"
                        step="any"
                        prop:value=text(move || reps.warmup.get())
                        on:input=move |ev| reps.warmup.set(event_target_value(&ev))
                    />
                </label>
                <button type="submit" class="primary" disabled=running>"Run replications"</button>
                <span class="muted">{text(move || format!("seeds from {} on, one engine per core", ctx.doc.with(|d| d.seed)))}</span>
            </form>
            {progress}
            {body}
        </div>
    }
}

fn table(s: &Summary) -> impl IntoView {
    let caption = format!(
        "{} replications, seeds {}, warm-up {} ms left out: mean and 95% confidence interval (Student's t)",
        s.replications,
        reps::seed_words(&s.seeds),
        s.warmup_ms
    );
    let stopped = (s.stopped > 0)
        .then(|| format!("{} of the runs stopped early (a runaway guard); they count as far as they ran.", s.stopped));
    let rows = s
        .rows
        .iter()
        .map(|r| {
            view! {
                <tr>
                    <th scope="row">{r.metric}</th>
                    <td class="num">{r.mean_text()}</td>
                    <td class="num">{r.ci_text()}</td>
                    <td class="num">{r.n.to_string()}</td>
                </tr>
            }
        })
        .collect::<Vec<_>>();
    view! {
        <div class="table-wrap">
            <table class="reps-table">
                <caption>{caption}</caption>
                <thead>
                    <tr>
                        <th scope="col">"Metric"</th>
                        <th scope="col" class="num">"Mean"</th>
                        <th scope="col" class="num">"± 95% CI"</th>
                        <th scope="col" class="num" title="Replications that measured it">"n"</th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
            {stopped.map(|m| view! { <p class="muted">{m}</p> })}
        </div>
    }
}
