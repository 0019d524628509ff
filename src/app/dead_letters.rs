//! Dead-letter queues drawn as links: a dashed arrow from each queue whose
//! `dead_letter` is set to that queue, captioned "dead letters", and from
//! each exchange to its `alternate`, captioned "unrouted". They are not
//! links of the scenario (the setting lives on the queue or exchange), so
//! clicking one selects its queue or exchange, and dragging from a queue
//! onto another queue sets a dead-letter queue (`editor::doc::join`).

use super::sig::text;
use super::state::{use_ctx, Ctx};
use crate::editor::geometry::{node_rect, LinkPath, Point};
use crate::engine::format::{NodeKind, Scenario};
use leptos::prelude::*;

/// Screen pixels from a dead-letter curve that still select it.
const GRAB_PX: f64 = 7.0;

/// What a parking arrow starts from: (setting, caption, tooltip verb).
const KINDS: [(&str, &str, &str); 2] =
    [("dead_letter", "dead letters", "Dead letters of"), ("alternate", "unrouted", "Unroutable messages of")];

/// Each queue with a dead-letter queue and each exchange with an alternate:
/// its id, which of `KINDS`, the two display names and the curve between.
fn dead_letters(d: &Scenario) -> Vec<(String, usize, String, String, LinkPath)> {
    d.nodes
        .iter()
        .filter_map(|n| match n.kind {
            NodeKind::Queue => Some((n, 0, n.dead_letter.as_deref()?)),
            NodeKind::Exchange => Some((n, 1, n.alternate.as_deref()?)),
            _ => None,
        })
        .filter_map(|(q, kind, to)| {
            let dlq = d.node(to)?;
            if dlq.id == q.id {
                return None;
            }
            // Bowed a little, so it never hides a link between the same two.
            let path = LinkPath::between(&node_rect(q), &node_rect(dlq), 14.0);
            Some((q.id.clone(), kind, q.display_name().to_string(), dlq.display_name().to_string(), path))
        })
        .collect()
}

#[component]
pub fn DeadLetters() -> impl IntoView {
    let ctx = use_ctx();
    let all = Memo::new(move |_| ctx.doc.with(dead_letters));
    let selected = move |id: &str| ctx.sel.with(|s| s.has_node(id));
    move || {
        all.get()
            .into_iter()
            .map(|(id, kind, from, to, p)| {
                let (setting, caption, verb) = KINDS[kind];
                let key = id.clone();
                let class = text(move || {
                    if selected(&key) { "dead-letter selected" } else { "dead-letter" }.to_string()
                });
                let mid = p.point_at(0.5);
                view! {
                    <g class=class data-id=format!("{id}:{setting}") data-via=setting aria-label=format!("{caption}: {from} → {to}")>
                        {super::sig::svg_title(format!("{verb} {from} go to {to}"))}
                        <path class="link-hit" d=p.svg_d()/>
                        <path class="link-line" d=p.svg_d() marker-end="url(#arrow)"/>
                        <g class="link-caption" transform=format!("translate({:.1} {:.1})", mid.x - 38.0, mid.y - 9.0)>
                            <rect width="76" height="18" rx="9"/>
                            <text x="38" y="12.5">{caption}</text>
                        </g>
                    </g>
                }
            })
            .collect_view()
    }
}

/// The queue whose dead-letter curve passes under the canvas point `p`.
pub fn at(ctx: Ctx, p: Point) -> Option<String> {
    let view = ctx.view.get_untracked();
    let world = view.to_world(p);
    ctx.doc.with_untracked(|d| {
        dead_letters(d)
            .into_iter()
            .map(|(id, _, _, _, path)| (path.distance_to(world) * view.zoom, id))
            .filter(|(dist, _)| *dist <= GRAB_PX)
            .min_by(|a, b| a.0.total_cmp(&b.0))
            .map(|(_, id)| id)
    })
}
