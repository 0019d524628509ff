//! A scenario drawn small (the gallery's cards, the comparison's two
//! diagrams): node boxes and link lines scaled into a fixed box. Plain
//! numbers here; the app turns them into SVG.

use super::geometry::{bounds, node_center, NODE_H, NODE_W};
use crate::engine::format::{NodeKind, Scenario, Via};

/// A thumbnail `W` × `H` units large (the SVG's viewBox).
pub const W: f64 = 160.0;
pub const H: f64 = 90.0;
const PAD: f64 = 6.0;

#[derive(Clone, Debug, PartialEq)]
pub struct ThumbNode {
    /// Top-left corner and size, in thumbnail units.
    pub x: f64,
    pub y: f64,
    pub w: f64,
    pub h: f64,
    pub kind: NodeKind,
}

#[derive(Clone, Debug, PartialEq)]
pub struct ThumbLink {
    pub x1: f64,
    pub y1: f64,
    pub x2: f64,
    pub y2: f64,
    /// Asynchronous links are drawn dashed, calls solid.
    pub dashed: bool,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Thumbnail {
    pub nodes: Vec<ThumbNode>,
    pub links: Vec<ThumbLink>,
}

/// The thumbnail of `s` (empty for an empty scenario).
pub fn thumbnail(s: &Scenario) -> Thumbnail {
    let Some(b) = bounds(s) else {
        return Thumbnail::default();
    };
    let scale = ((W - 2.0 * PAD) / b.w.max(1.0)).min((H - 2.0 * PAD) / b.h.max(1.0));
    // Centre the drawing in the box.
    let ox = PAD + ((W - 2.0 * PAD) - b.w * scale) / 2.0;
    let oy = PAD + ((H - 2.0 * PAD) - b.h * scale) / 2.0;
    let map = |x: f64, y: f64| (ox + (x - b.x) * scale, oy + (y - b.y) * scale);
    let nodes = s
        .nodes
        .iter()
        .map(|n| {
            let c = node_center(n);
            let (x, y) = map(c.x - NODE_W / 2.0, c.y - NODE_H / 2.0);
            ThumbNode { x, y, w: NODE_W * scale, h: NODE_H * scale, kind: n.kind }
        })
        .collect();
    let links = s
        .links
        .iter()
        .filter_map(|l| {
            let (a, z) = (s.node(&l.from)?, s.node(&l.to)?);
            let (ca, cz) = (node_center(a), node_center(z));
            let (x1, y1) = map(ca.x, ca.y);
            let (x2, y2) = map(cz.x, cz.y);
            Some(ThumbLink { x1, y1, x2, y2, dashed: !(l.via.is_sync_call() || l.via == Via::RequestReply) })
        })
        .collect();
    Thumbnail { nodes, links }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::editor::examples;

    #[test]
    fn every_node_fits_in_the_box() {
        for e in examples::EXAMPLES {
            let t = thumbnail(&e.scenario());
            assert_eq!(t.nodes.len(), e.scenario().nodes.len());
            for n in &t.nodes {
                assert!(n.x >= PAD - 0.01 && n.x + n.w <= W - PAD + 0.01, "{}: {n:?}", e.key);
                assert!(n.y >= PAD - 0.01 && n.y + n.h <= H - PAD + 0.01, "{}: {n:?}", e.key);
            }
        }
        assert_eq!(thumbnail(&Scenario::default()), Thumbnail::default());
    }

    #[test]
    fn queues_are_dashed_and_calls_solid() {
        let t = thumbnail(&examples::by_key("payments-queue").unwrap().scenario());
        assert!(!t.links[0].dashed, "app → pay is http");
        assert!(t.links[1].dashed, "pay → sms_q enqueues");
    }
}
