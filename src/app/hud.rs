//! The run's heads-up display over the canvas: state, simulated clock,
//! progress, messages in flight, and a warning when the engine cannot keep
//! up with the speed asked for.

use super::run::Status;
use super::sig::{number, text};
use super::state::use_ctx;
use leptos::prelude::*;

#[component]
pub fn RunHud() -> impl IntoView {
    let ctx = use_ctx();
    let status = ctx.run.status;
    let snap = ctx.run.snap;
    let speed = ctx.run.speed;
    let progress =
        number(move || snap.with(|s| if s.end_ms > 0.0 { (s.now_ms / s.end_ms).clamp(0.0, 1.0) } else { 0.0 }));
    let clock = text(move || snap.with(|s| format!("{:.1} s / {:.0} s", s.now_ms / 1000.0, s.end_ms / 1000.0)));
    let detail = text(move || {
        snap.with(|s| {
            let mut parts = vec![format!("{} events", crate::editor::chart::fmt_count(s.events))];
            // A busy link draws one dot for several messages: say what the
            // "×37" beside one means, while there is one. (Not how many are
            // drawn: the dots replay the last moments at a pace the eye can
            // follow, so they are not the run's "in flight".)
            if s.tokens > 0 && s.in_flight > s.tokens {
                parts.push("×N: a dot for N messages".to_string());
            }
            let asked = speed.get();
            if status.get() == Status::Running && s.actual_speed > 0.0 && s.actual_speed < asked * 0.8 {
                parts.push(format!("running at {:.1}× (asked {asked}×)", s.actual_speed));
            }
            parts.join(" · ")
        })
    });
    let state = move || {
        let st = status.get();
        if st == Status::Idle {
            return Some(
                view! {
                    <div class="hud idle">
                        <p>
                            <span class="status-dot idle"></span>
                            <strong>"Ready. "</strong>
                            "Press Run to watch requests flow, or Run to end for the results."
                        </p>
                    </div>
                }
                .into_any(),
            );
        }
        Some(
            view! {
                <div class="hud" aria-live="polite">
                    <span class=format!("status-dot {}", st.class())></span>
                    <span class="hud-status">{st.label()}</span>
                    <span class="clock">{clock}</span>
                    <progress max="1" value=progress aria-label="Run progress"></progress>
                    <span class="muted">{detail}</span>
                </div>
            }
            .into_any(),
        )
    };
    // The lesson sits outside the part rebuilt when the state changes, so
    // it stays (open or folded) while the run goes.
    view! {
        <div class="hud-stack">
            {state}
            <super::lesson::Lesson/>
        </div>
    }
}
