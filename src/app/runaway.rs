//! Runaway runs in the app. A run the engine refuses before it starts
//! because it would exceed its budget (`engine::budget`), or that a guard
//! stopped while running, says why in a notice that stays on screen, and
//! offers the fix the engine worked out: a run short enough to fit.

use super::run::Status;
use super::state::{use_ctx, Ctx};
use leptos::prelude::*;

#[component]
pub fn RunawayNotice() -> impl IntoView {
    let ctx = use_ctx();
    move || {
        if let Some(r) = ctx.run.refusal.get() {
            let to_end = r.to_end;
            let fix = r.fits_ms.map(|ms| {
                let action = if to_end { "run to the end" } else { "run" };
                let label = format!("Shorten the run to {} and {action}", human_ms(ms));
                view! { <button type="button" class="primary" on:click=move |_| shorten(ctx, ms, Some(to_end))>{label}</button> }
            });
            return Some(
                view! {
                    <div class="alert runaway" role="alert">
                        <p><strong>"Too much work for one run. "</strong>{r.message}</p>
                        {fix}
                        <button type="button" class="subtle" on:click=move |_| ctx.run.refusal.set(None)>"Dismiss"</button>
                    </div>
                }
                .into_any(),
            );
        }
        if let Some(why) = ctx.run.failure.get() {
            return Some(
                view! {
                    <div class="alert runaway" role="alert">
                        <p>{why}</p>
                        <button type="button" class="subtle" on:click=move |_| ctx.run.failure.set(None)>"Dismiss"</button>
                    </div>
                }
                .into_any(),
            );
        }
        if ctx.run.status.get() == Status::Idle {
            return None;
        }
        let stopped = ctx.run.snap.with(|s| s.report.stopped.clone())?;
        let fix = ctx.run.fitting_duration_ms().map(|ms| {
            let label = format!("Shorten the run to {}", human_ms(ms));
            view! { <button type="button" class="primary" on:click=move |_| shorten(ctx, ms, None)>{label}</button> }
        });
        Some(
            view! {
                <div class="alert runaway" role="alert">
                    <p><strong>"The run stopped early. "</strong>{stopped}</p>
                    {fix}
                </div>
            }
            .into_any(),
        )
    }
}

/// Sets the run's duration to `ms` (one undoable edit) and, after a
/// refusal, runs it the way the user asked.
fn shorten(ctx: Ctx, ms: f64, run: Option<bool>) {
    ctx.run.reset();
    ctx.edit(|d| d.duration_ms = ms);
    ctx.run.refusal.set(None);
    let result = match run {
        Some(true) => ctx.doc.with_untracked(|d| ctx.run.run_to_end(d)),
        Some(false) => ctx.doc.with_untracked(|d| ctx.run.play(d)),
        None => Ok(()),
    };
    match result {
        Ok(()) => ctx.say(format!("The run now lasts {}", human_ms(ms))),
        Err(e) => ctx.complain(e),
    }
}

/// "250 ms", "1.2 s", "4 min".
fn human_ms(ms: f64) -> String {
    if ms >= 120_000.0 {
        format!("{} min", ms / 60_000.0)
    } else if ms >= 1_000.0 {
        format!("{} s", ms / 1000.0)
    } else {
        format!("{ms} ms")
    }
}
