//! The brokers' own marks on the canvas: an exchange is drawn as a hexagon
//! (a router, not a box that holds anything), and a log topic carries its
//! partitions under its card, each filling with that partition's lag, and
//! each consumer group's lag beside them.

use super::sig::{text, PER_NODE};
use crate::editor::geometry::{NODE_H, NODE_W};
use crate::editor::log_strip::{strip, Strip, STRIP_H, STRIP_X, STRIP_Y};
use crate::engine::format::{groups, Delivery, NodeKind, NodeSpec};
use crate::engine::view::NodeLive;
use leptos::prelude::*;

/// An exchange's outline, in place of the card's rectangle (styles hide the
/// rectangle of an exchange and give this one its looks).
pub fn shape_markup() -> String {
    let (w, h, c) = (NODE_W, NODE_H, 16.0);
    format!(
        r#"<path class="node-box exchange-shape" d="M{c} 0H{}L{w} {}L{} {h}H{c}L0 {}Z"/>"#,
        w - c,
        h / 2.0,
        w - c,
        h / 2.0
    )
}

/// A log topic's partitions and its groups' lag (nothing on other nodes).
#[component]
pub fn LogStrip(node: RwSignal<Option<NodeSpec>>, live: RwSignal<Option<NodeLive>>) -> impl IntoView {
    let ctx = super::state::use_ctx();
    // One memo for everything the strip shows: each memo's type costs the
    // bundle its own code.
    let marks = Memo::new(move |_| {
        node.with(|n| match n {
            Some(n) if n.kind == NodeKind::Topic && n.delivery == Some(Delivery::Log) => {
                let names: Vec<String> =
                    ctx.doc.with(|d| groups::consumer_groups(d, &n.id).into_iter().map(|(name, _)| name).collect());
                let partitions = n.partitions.unwrap_or(crate::engine::format::defaults::LOG_PARTITIONS) as usize;
                live.with(|l| strip(partitions, l.as_ref(), &names))
            }
            _ => Strip::default(),
        })
    });
    let is_log = Memo::new(move |_| {
        node.with(|n| n.as_ref().is_some_and(|n| n.kind == NodeKind::Topic && n.delivery == Some(Delivery::Log)))
    });
    let attr = move |f: fn(&Strip) -> String| text(move || marks.with(f));
    move || {
        is_log.get().then(|| {
            view! { class=PER_NODE,
                <g class="log-strip" role="img">
                    {super::sig::svg_title(attr(|s| s.label.clone()))}
                    <path class="log-cells" d=attr(|s| s.cells.clone())/>
                    <path class="log-lag" d=attr(|s| s.fills.clone())/>
                    <text class="log-lag-text" x=STRIP_X y=STRIP_Y + STRIP_H + 12.0>{attr(|s| s.lag.clone())}</text>
                </g>
            }
        })
    }
}
