//! One link on the canvas: a curve with an arrow, a wide invisible stroke
//! that is easy to click, a caption with its kind and settings, and while a
//! run goes, its circuit breaker's state and partitions.

use super::sig::text;
use super::state::{use_ctx, Ids};
use crate::editor::describe::{link_caption, short_caption, via_name};
use crate::editor::geometry::LinkPath;
use crate::engine::view::BreakerState;
use leptos::prelude::*;

/// Width of a caption character at the caption's font size, world units.
const CAPTION_CHAR_W: f64 = 6.2;

#[component]
pub fn LinkView(id: String, ids: Memo<Ids>, nodes: Memo<Ids>, paths: Memo<Vec<Option<LinkPath>>>) -> impl IntoView {
    let ctx = use_ctx();
    let key = id.clone();
    let index = Memo::new(move |_| ids.with(|m| m.get(&key).copied()));
    let link = Memo::new(move |_| {
        let i = index.get()?;
        ctx.doc.with(|d| d.links.get(i).cloned())
    });
    let path = Memo::new(move |_| index.get().and_then(|i| paths.with(|p| p.get(i).copied().flatten())));
    let live = Memo::new(move |_| {
        let i = index.get()?;
        ctx.run.snap.with(|s| s.links.get(i).cloned())
    });
    let key = id.clone();
    let selected = Memo::new(move |_| ctx.sel.with(|s| s.has_link(&key)));
    let names = Memo::new(move |_| {
        ctx.doc.with(|d| {
            link.with(|l| {
                l.as_ref().map(|l| {
                    let name = |id: &str| {
                        nodes
                            .with(|m| m.get(id).and_then(|i| d.nodes.get(*i)))
                            .map(|n| n.display_name().to_string())
                            .unwrap_or_default()
                    };
                    (name(&l.from), name(&l.to))
                })
            })
        })
    });
    let caption = Memo::new(move |_| link.with(|l| l.as_ref().map(link_caption).unwrap_or_default()));

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
            c
        });
        let label = text(move || {
            let (a, b) = names.get().unwrap_or_default();
            format!("{}: {a} → {b}", caption.get())
        });
        let mid = p.point_at(0.5);
        // The caption must sit between the nodes: the longest form that fits.
        let room = (p.end.x - p.start.x).hypot(p.end.y - p.start.y) - 14.0;
        let width = |t: &str| 12.0 + CAPTION_CHAR_W * t.chars().count() as f64;
        let caption_text =
            [short_caption(&l), via_name(via).to_string()].into_iter().find(|t| width(t) <= room).unwrap_or_default();
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
            </g>
        })
    }
}
