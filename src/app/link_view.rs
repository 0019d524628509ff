//! One link on the canvas: a curve with an arrow, a wide invisible stroke
//! that is easy to click, a caption with its kind and settings, and while a
//! run goes, its circuit breaker's state and partitions.

use super::cells::Cells;
use super::sig::text;
use crate::editor::describe::{count_label, link_caption, short_caption, via_name};
use crate::editor::geometry::LinkPath;
use crate::engine::format::LinkSpec;
use crate::engine::view::{BreakerState, LinkLive};
use leptos::prelude::*;

/// Width of a caption character at the caption's font size, world units.
const CAPTION_CHAR_W: f64 = 6.2;

#[component]
pub fn LinkView(id: String, cells: Cells) -> impl IntoView {
    // The link's own cell: this view wakes only when this link changes.
    let cell = cells.link(&id);
    let link: RwSignal<Option<LinkSpec>> = cell.spec.into();
    let path: RwSignal<Option<LinkPath>> = cell.path.into();
    let live: RwSignal<Option<LinkLive>> = cell.live.into();
    let selected: RwSignal<bool> = cell.selected.into();
    let names: RwSignal<(String, String)> = cell.ends.into();
    let caption = Memo::new(move |_| link.with(|l| l.as_ref().map(link_caption).unwrap_or_default()));
    let cross = super::regions::cross_of(&id);

    let link_id = id.clone();
    move || {
        let l = link.get()?;
        let p = path.get()?;
        let via = l.via;
        let sync = via.is_sync_call() || via == crate::engine::format::Via::RequestReply;
        let class = text(move || {
            let mut c = format!("link {}", if sync { "sync" } else { "async" });
            if selected.get() {
                c.push_str(" selected");
            }
            if live.with(|l| l.as_ref().is_some_and(|l| l.partitioned)) {
                c.push_str(" partitioned");
            }
            if cross.get().is_some() {
                c.push_str(" cross-region");
            }
            c
        });
        // The label names the link by its kind and ends only: its settings
        // ("timeout", "retry", "routing keys") go in the title, so that a
        // field's label finds that field alone (`getByLabel('Timeout')`).
        let label = text(move || {
            let (a, b) = names.get();
            format!("{}: {a} → {b}", via_name(via))
        });
        let title = text(move || {
            let (a, b) = names.get();
            let extra =
                cross.get().map(|ms| format!(", crosses regions (+{} ms each way)", fmt_num(ms))).unwrap_or_default();
            format!("{}: {a} → {b}{extra}", caption.get())
        });
        let mid = p.point_at(0.5);
        // The caption must sit between the nodes: the longest form that fits.
        let room = (p.end.x - p.start.x).hypot(p.end.y - p.start.y) - 14.0;
        let width = |t: &str| 12.0 + CAPTION_CHAR_W * t.chars().count() as f64;
        // A fan-out's "×N" outlives the other words when room is short.
        let counted = count_label(&l).map(|c| format!("{} {c}", via_name(via)));
        let caption_text = [Some(short_caption(&l)), counted, count_label(&l), Some(via_name(via).to_string())]
            .into_iter()
            .flatten()
            .find(|t| width(t) <= room)
            .unwrap_or_default();
        let w = width(&caption_text);
        let breaker = move || {
            let state = live.with(|l| l.as_ref().and_then(|l| l.breaker))?;
            let (word, class) = match state {
                BreakerState::Closed => return None,
                BreakerState::Open => ("breaker open", "breaker open"),
                BreakerState::HalfOpen => ("half-open", "breaker half-open"),
            };
            Some(view! {
                <g class=class transform=format!("translate({:.1} {:.1})", mid.x - 45.0, mid.y + 10.0)>
                    <rect width="90" height="18" rx="9"/>
                    <text x="45" y="12.5">{word}</text>
                </g>
            })
        };
        Some(view! {
            <g class=class data-via=via.as_str() data-id=link_id.clone() aria-label=label>
                {super::sig::svg_title(title)}
                <path class="link-hit" d=p.svg_d()/>
                <path
                    class="link-line"
                    d=p.svg_d()
                    marker-end=text(move || if selected.get() { "url(#arrow-selected)" } else { "url(#arrow)" }.to_string())
                />
                {(!caption_text.is_empty()).then(|| view! {
                    <g class="link-caption" transform=format!("translate({:.1} {:.1})", mid.x - w / 2.0, mid.y - 9.0)>
                        <rect width=w height="18" rx="9"/>
                        <text x=w / 2.0 y="12.5">{caption_text}</text>
                    </g>
                })}
                {breaker}
                {move || cross.get().map(|ms| {
                    let t = format!("+{} ms", fmt_num(ms));
                    let w = 12.0 + CAPTION_CHAR_W * t.chars().count() as f64;
                    view! {
                        <g class="region-latency" transform=format!("translate({:.1} {:.1})", mid.x - w / 2.0, mid.y + 11.0)>
                            <rect width=w height="16" rx="8"/>
                            <text x=w / 2.0 y="11.5">{t}</text>
                        </g>
                    }
                })}
            </g>
        })
    }
}

/// A latency as a label shows it: `40`, `12.5`.
fn fmt_num(ms: f64) -> String {
    if ms.fract() == 0.0 {
        format!("{ms:.0}")
    } else {
        format!("{ms}")
    }
}
