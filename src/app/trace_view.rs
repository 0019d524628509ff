//! One request's journey as a timeline: a lane per node it reached, a mark
//! per hop, a bar for each stretch of work, and the hops listed in words.

use super::state::use_ctx;
use crate::editor::chart::fmt_ms;
use crate::editor::timeline::{self, hop_name};
use crate::engine::trace::HopKind;
use leptos::prelude::*;

const W: f64 = 640.0;
const LANE_H: f64 = 24.0;
const LEFT: f64 = 130.0;
const RIGHT: f64 = 16.0;

fn hop_class(k: HopKind) -> &'static str {
    match k {
        HopKind::Ok | HopKind::Ack | HopKind::Push => "ok",
        HopKind::Error | HopKind::Reject | HopKind::Timeout | HopKind::Lost | HopKind::Drop | HopKind::Nack => "bad",
        HopKind::Retry | HopKind::Compensate => "retry",
        HopKind::DeadLetter => "dead",
        _ => "neutral",
    }
}

/// Brings an opened trace's header into view, whatever the list above it
/// was scrolled to, and puts the keyboard there (once it is drawn).
pub fn show_header() {
    request_animation_frame(|| {
        let Some(h) = document().query_selector(".trace-head h3").ok().flatten() else { return };
        if let Ok(Some(body)) = h.closest(".tab-body") {
            body.set_scroll_top(0);
        }
        if let Ok(h) = wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlElement>(h) {
            let _ = h.focus();
        }
    });
}

#[component]
pub fn TraceView() -> impl IntoView {
    let ctx = use_ctx();
    move || {
        let t = ctx.trace.get()?;
        let tl = timeline::layout(&t);
        let outcome = timeline::outcome(&t, ctx.run.status.get_untracked() == super::run::Status::Finished);
        let took_text = match timeline::took_ms(&t) {
            Some(ms) => format!("started at {} · took {}", fmt_ms(tl.start_ms), fmt_ms(ms)),
            None if outcome == timeline::Outcome::Unfinished => {
                format!("started at {} · no answer when the run ended", fmt_ms(tl.start_ms))
            }
            None => format!("started at {} · no answer (yet)", fmt_ms(tl.start_ms)),
        };
        let names = ctx.doc.with_untracked(|d| {
            tl.lanes
                .iter()
                .map(|id| d.node(id).map(|n| n.display_name().to_string()).unwrap_or_else(|| id.clone()))
                .collect::<Vec<_>>()
        });
        let h = LANE_H * tl.lanes.len().max(1) as f64 + 20.0;
        let x = |at: f64| LEFT + at * (W - LEFT - RIGHT);
        let took = tl.end_ms - tl.start_ms;
        Some(view! {
            <div class="trace">
                <div class="trace-head">
                    <button type="button" class="subtle" on:click=move |_| ctx.trace.set(None)>"← Close trace"</button>
                    <h3 tabindex="-1">{format!("Request #{}", t.id)}</h3>
                    <span class=format!("outcome {}", outcome.key())>{outcome.label()}</span>
                    <span class="muted">{took_text}</span>
                </div>
                <div class="trace-body">
                    <svg class="timeline" viewBox=format!("0 0 {W} {h}") role="img" aria-label="Timeline of the request">
                        {names
                            .iter()
                            .enumerate()
                            .map(|(i, name)| {
                                let y = LANE_H * i as f64 + LANE_H / 2.0;
                                view! {
                                    <line class="lane" x1=LEFT x2=W - RIGHT y1=y y2=y/>
                                    <text class="lane-name" x=LEFT - 8.0 y=y + 4.0 text-anchor="end">{crate::editor::describe::fit_label(name, 18)}</text>
                                }
                            })
                            .collect_view()}
                        {tl.bars
                            .iter()
                            .map(|b| {
                                let y = LANE_H * b.lane as f64 + LANE_H / 2.0 - 5.0;
                                view! {
                                    <rect class=if b.ok { "work ok" } else { "work bad" } x=x(b.from) y=y width=(x(b.to) - x(b.from)).max(2.0) height="10" rx="3"/>
                                }
                            })
                            .collect_view()}
                        {tl.marks
                            .iter()
                            .map(|m| {
                                let y = LANE_H * m.lane as f64 + LANE_H / 2.0;
                                let kind = t.hops.get(m.hop).map(|h| h.kind).unwrap_or(HopKind::Send);
                                view! { <circle class=format!("mark {}", hop_class(kind)) cx=x(m.at) cy=y r="4"/> }
                            })
                            .collect_view()}
                        <text class="tick" x=LEFT y=h - 4.0>"0"</text>
                        <text class="tick" x=W - RIGHT y=h - 4.0 text-anchor="end">{fmt_ms(took)}</text>
                    </svg>
                    <ol class="hops">
                        {t.hops
                            .iter()
                            .map(|hop| {
                                let node = ctx.doc.with_untracked(|d| {
                                    d.node(&hop.node).map(|n| n.display_name().to_string()).unwrap_or_else(|| hop.node.clone())
                                });
                                let via = hop.link.clone().map(|l| format!(" via {l}")).unwrap_or_default();
                                view! {
                                    <li class=hop_class(hop.kind)>
                                        <span class="hop-time">{format!("+{}", fmt_ms(hop.at_ms - tl.start_ms))}</span>
                                        <span class="hop-node">{node}</span>
                                        <span class="hop-kind">{format!("{}{via}", hop_name(hop.kind))}</span>
                                        <span class="hop-detail">{hop.detail.clone()}</span>
                                    </li>
                                }
                            })
                            .collect_view()}
                    </ol>
                </div>
            </div>
        })
    }
}
