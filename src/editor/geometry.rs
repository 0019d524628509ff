//! Where things are on the canvas, in world coordinates (the scenario's `x`,
//! `y`): node boxes, connection handles, link curves and the points tokens
//! travel through, plus the hit tests the pointer gestures need.
//!
//! A node's `x`, `y` is its centre, so a scenario written by hand reads the
//! way it looks. Every node is drawn as the same box: sizes live here and
//! nowhere else, so the SVG, the token canvas and the hit tests agree.

use crate::engine::format::{NodeSpec, Scenario};
use std::collections::BTreeMap;
use std::ops::{Add, Sub};

/// Width of a node's box, world units.
pub const NODE_W: f64 = 180.0;
/// Height of a node's box, world units.
pub const NODE_H: f64 = 58.0;
/// The snapping grid, world units (also the dot spacing of the background).
pub const GRID: f64 = 20.0;
/// How far apart two parallel links bow, world units.
const BEND_STEP: f64 = 28.0;

#[derive(Clone, Copy, Debug, PartialEq, Default)]
pub struct Point {
    pub x: f64,
    pub y: f64,
}

impl Point {
    pub const fn new(x: f64, y: f64) -> Point {
        Point { x, y }
    }

    pub fn scale(self, k: f64) -> Point {
        Point::new(self.x * k, self.y * k)
    }

    pub fn len(self) -> f64 {
        libm::hypot(self.x, self.y)
    }

    pub fn is_finite(self) -> bool {
        self.x.is_finite() && self.y.is_finite()
    }
}

impl std::ops::Add for Point {
    type Output = Point;
    fn add(self, o: Point) -> Point {
        Point::new(self.x + o.x, self.y + o.y)
    }
}

impl std::ops::Sub for Point {
    type Output = Point;
    fn sub(self, o: Point) -> Point {
        Point::new(self.x - o.x, self.y - o.y)
    }
}

/// An axis-aligned rectangle: top-left corner and size (never negative).
#[derive(Clone, Copy, Debug, PartialEq, Default)]
pub struct Rect {
    pub x: f64,
    pub y: f64,
    pub w: f64,
    pub h: f64,
}

impl Rect {
    /// The rectangle spanned by two corners in any order (a rubber band).
    pub fn spanning(a: Point, b: Point) -> Rect {
        Rect { x: a.x.min(b.x), y: a.y.min(b.y), w: (a.x - b.x).abs(), h: (a.y - b.y).abs() }
    }

    pub fn centered(c: Point, w: f64, h: f64) -> Rect {
        Rect { x: c.x - w / 2.0, y: c.y - h / 2.0, w, h }
    }

    pub fn right(&self) -> f64 {
        self.x + self.w
    }

    pub fn bottom(&self) -> f64 {
        self.y + self.h
    }

    pub fn center(&self) -> Point {
        Point::new(self.x + self.w / 2.0, self.y + self.h / 2.0)
    }

    pub fn contains(&self, p: Point) -> bool {
        p.x >= self.x && p.x <= self.right() && p.y >= self.y && p.y <= self.bottom()
    }

    pub fn intersects(&self, o: &Rect) -> bool {
        self.x <= o.right() && o.x <= self.right() && self.y <= o.bottom() && o.y <= self.bottom()
    }

    pub fn union(&self, o: &Rect) -> Rect {
        let x = self.x.min(o.x);
        let y = self.y.min(o.y);
        Rect { x, y, w: self.right().max(o.right()) - x, h: self.bottom().max(o.bottom()) - y }
    }
}

/// The nearest grid point to `v`.
pub fn snap(v: f64) -> f64 {
    (v / GRID).round() * GRID
}

pub fn snap_point(p: Point) -> Point {
    Point::new(snap(p.x), snap(p.y))
}

/// A node's centre; a position that is not a number (a hand-written file)
/// is drawn at the origin instead of breaking the drawing.
pub fn node_center(n: &NodeSpec) -> Point {
    let p = Point::new(n.x, n.y);
    if p.is_finite() {
        p
    } else {
        Point::default()
    }
}

pub fn node_rect(n: &NodeSpec) -> Rect {
    Rect::centered(node_center(n), NODE_W, NODE_H)
}

/// The connection handle: a dot on the middle of the node's right edge.
pub fn handle_point(n: &NodeSpec) -> Point {
    let c = node_center(n);
    Point::new(c.x + NODE_W / 2.0, c.y)
}

/// Every connection handle: a dot on the middle of each side (right first,
/// the one drawn at all times), so a link can start from any side.
pub fn handle_points(n: &NodeSpec) -> [Point; 4] {
    let c = node_center(n);
    [
        Point::new(c.x + NODE_W / 2.0, c.y),
        Point::new(c.x, c.y + NODE_H / 2.0),
        Point::new(c.x - NODE_W / 2.0, c.y),
        Point::new(c.x, c.y - NODE_H / 2.0),
    ]
}

/// Space kept free around a node placed by a click, world units.
const PLACE_GAP: f64 = 2.0 * GRID;

/// Where a node added without a drop point goes: the nearest spot to
/// `near` (rings of candidate spots, one node plus a gap apart) where its
/// box and a gap around it touch no other node, preferring spots inside
/// `visible`. Falls back to `near` when the area is packed.
pub fn free_spot(s: &Scenario, near: Point, visible: Rect) -> Point {
    const RINGS: i32 = 8;
    let (dx, dy) = (NODE_W + PLACE_GAP, NODE_H + PLACE_GAP);
    let free = |p: Point| {
        let r = Rect::centered(p, NODE_W + 2.0 * PLACE_GAP, NODE_H + 2.0 * PLACE_GAP);
        !s.nodes.iter().any(|n| node_rect(n).intersects(&r))
    };
    let mut fallback = None;
    for ring in 0..=RINGS {
        // The nearest free spot of this ring (a scan, not a sort: sorting
        // code costs the bundle more than the few cells of a ring).
        let mut best: Option<(f64, Point)> = None;
        let mut best_visible: Option<(f64, Point)> = None;
        for i in -ring..=ring {
            for j in -ring..=ring {
                if i.abs().max(j.abs()) != ring {
                    continue;
                }
                let offset = Point::new(f64::from(i) * dx, f64::from(j) * dy);
                let p = near.add(offset);
                if !free(p) {
                    continue;
                }
                let d = offset.len();
                let slot = if visible.contains(p) { &mut best_visible } else { &mut best };
                if slot.is_none_or(|(bd, _)| d < bd) {
                    *slot = Some((d, p));
                }
            }
        }
        if let Some((_, p)) = best_visible {
            return p;
        }
        if let Some((_, p)) = best {
            fallback.get_or_insert(p);
        }
    }
    fallback.unwrap_or(near)
}

/// Where the ray from the centre of `r` towards `toward` leaves `r`.
pub fn exit_point(r: &Rect, toward: Point) -> Point {
    let c = r.center();
    let d = toward.sub(c);
    if d.x == 0.0 && d.y == 0.0 {
        return c;
    }
    let sx = if d.x != 0.0 { (r.w / 2.0) / d.x.abs() } else { f64::INFINITY };
    let sy = if d.y != 0.0 { (r.h / 2.0) / d.y.abs() } else { f64::INFINITY };
    c.add(d.scale(sx.min(sy)))
}

/// A link drawn as a quadratic Bézier from the edge of one node to the edge
/// of the other; straight unless it shares its pair of nodes with others.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LinkPath {
    pub start: Point,
    pub control: Point,
    pub end: Point,
}

impl LinkPath {
    /// The path between two node boxes, bowed sideways by `bend`.
    pub fn between(from: &Rect, to: &Rect, bend: f64) -> LinkPath {
        let (a, b) = (from.center(), to.center());
        let mid = a.add(b).scale(0.5);
        let d = b.sub(a);
        let len = d.len();
        let normal = if len > 0.0 { Point::new(-d.y / len, d.x / len) } else { Point::default() };
        // The control point of a quadratic curve sits twice as far out as the
        // curve's own midpoint: double it so `bend` is the visible bow.
        let control = mid.add(normal.scale(bend * 2.0));
        LinkPath { start: exit_point(from, control), control, end: exit_point(to, control) }
    }

    /// The point at parameter `t` (0 at the start, 1 at the end).
    pub fn point_at(&self, t: f64) -> Point {
        let t = t.clamp(0.0, 1.0);
        let u = 1.0 - t;
        self.start.scale(u * u).add(self.control.scale(2.0 * u * t)).add(self.end.scale(t * t))
    }

    /// The direction of travel at `t`, as an angle in radians.
    pub fn angle_at(&self, t: f64) -> f64 {
        let t = t.clamp(0.0, 1.0);
        let d = self.control.sub(self.start).scale(2.0 * (1.0 - t)).add(self.end.sub(self.control).scale(2.0 * t));
        libm::atan2(d.y, d.x)
    }

    /// The SVG `d` attribute.
    pub fn svg_d(&self) -> String {
        format!(
            "M{:.1} {:.1} Q{:.1} {:.1} {:.1} {:.1}",
            self.start.x, self.start.y, self.control.x, self.control.y, self.end.x, self.end.y
        )
    }

    /// Distance from `p` to the curve, approximated on 24 chords.
    pub fn distance_to(&self, p: Point) -> f64 {
        const STEPS: u32 = 24;
        let mut best = f64::INFINITY;
        let mut prev = self.start;
        for i in 1..=STEPS {
            let next = self.point_at(f64::from(i) / f64::from(STEPS));
            best = best.min(segment_distance(prev, next, p));
            prev = next;
        }
        best
    }
}

fn segment_distance(a: Point, b: Point, p: Point) -> f64 {
    let ab = b.sub(a);
    let len2 = ab.x * ab.x + ab.y * ab.y;
    let t = if len2 > 0.0 { ((p.x - a.x) * ab.x + (p.y - a.y) * ab.y) / len2 } else { 0.0 };
    a.add(ab.scale(t.clamp(0.0, 1.0))).sub(p).len()
}

/// The path of every link, in `scenario.links` order; `None` for a link
/// whose ends are missing or the same node. Links sharing a pair of nodes
/// (either direction) fan out so each stays visible and clickable.
pub fn link_paths(s: &Scenario) -> Vec<Option<LinkPath>> {
    // Ordered maps, not hashing: a big diagram (2000 links) is laid out in
    // O(n log n) on every edit, and the same document always draws the same.
    let by_id = crate::engine::kernel::ordered::ordered(s.nodes.iter().enumerate().map(|(i, n)| (n.id.as_str(), i)));
    let ends: Vec<Option<(usize, usize)>> = s
        .links
        .iter()
        .map(|l| match (by_id.get(l.from.as_str()), by_id.get(l.to.as_str())) {
            (Some(&a), Some(&b)) if a != b => Some((a, b)),
            _ => None,
        })
        .collect();
    // The links of each pair of nodes, in link order.
    let mut pairs: BTreeMap<(usize, usize), Vec<usize>> = BTreeMap::new();
    for (i, e) in ends.iter().enumerate() {
        if let Some((a, b)) = *e {
            pairs.entry((a.min(b), a.max(b))).or_default().push(i);
        }
    }
    ends.iter()
        .enumerate()
        .map(|(i, e)| {
            let (a, b) = (*e)?;
            let same = pairs.get(&(a.min(b), a.max(b)))?;
            let rank = same.iter().position(|j| *j == i).unwrap_or(0) as f64;
            let spread = (rank - (same.len() as f64 - 1.0) / 2.0) * BEND_STEP;
            // Keep the bow on the same side whichever way the link points.
            let bend = if a < b { spread } else { -spread };
            Some(LinkPath::between(&node_rect(&s.nodes[a]), &node_rect(&s.nodes[b]), bend))
        })
        .collect()
}

/// The topmost node under `p` (nodes drawn later are on top).
pub fn node_at(s: &Scenario, p: Point) -> Option<usize> {
    s.nodes.iter().rposition(|n| node_rect(n).contains(p))
}

/// Ids of the nodes a rubber band touches.
pub fn nodes_in(s: &Scenario, r: &Rect) -> Vec<String> {
    s.nodes.iter().filter(|n| node_rect(n).intersects(r)).map(|n| n.id.clone()).collect()
}

/// The box around every node, if there are any.
pub fn bounds(s: &Scenario) -> Option<Rect> {
    s.nodes.iter().map(node_rect).reduce(|a, b| a.union(&b))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::format::{LinkSpec, NodeKind, Via};

    fn node(id: &str, x: f64, y: f64) -> NodeSpec {
        NodeSpec { x, y, ..NodeSpec::new(id, NodeKind::Service) }
    }

    fn two_nodes() -> Scenario {
        Scenario { nodes: vec![node("a", 0.0, 0.0), node("b", 400.0, 0.0)], ..Scenario::default() }
    }

    #[test]
    fn snapping_rounds_to_the_nearest_grid_line() {
        assert_eq!(snap(29.0), 20.0);
        assert_eq!(snap(31.0), 40.0);
        assert_eq!(snap(-9.0), 0.0);
    }

    #[test]
    fn a_link_leaves_and_enters_at_the_node_edges() {
        let mut s = two_nodes();
        s.links.push(LinkSpec::new("l1", "a", "b", Via::Http));
        let p = link_paths(&s)[0].unwrap();
        assert_eq!(p.start, Point::new(NODE_W / 2.0, 0.0));
        assert_eq!(p.end, Point::new(400.0 - NODE_W / 2.0, 0.0));
        assert_eq!(p.point_at(0.5), Point::new(200.0, 0.0));
    }

    #[test]
    fn links_both_ways_between_two_nodes_do_not_overlap() {
        let mut s = two_nodes();
        s.links.push(LinkSpec::new("l1", "a", "b", Via::Http));
        s.links.push(LinkSpec::new("l2", "b", "a", Via::Http));
        let paths = link_paths(&s);
        let (p, q) = (paths[0].unwrap(), paths[1].unwrap());
        let gap = (p.point_at(0.5).y - q.point_at(0.5).y).abs();
        assert!(gap > 20.0, "gap {gap}");
    }

    #[test]
    fn a_link_to_a_missing_node_has_no_path() {
        let mut s = two_nodes();
        s.links.push(LinkSpec::new("l1", "a", "ghost", Via::Http));
        assert_eq!(link_paths(&s), vec![None]);
    }

    #[test]
    fn hit_tests_find_the_topmost_node_and_the_band_contents() {
        let mut s = two_nodes();
        s.nodes.push(node("c", 10.0, 0.0));
        assert_eq!(node_at(&s, Point::new(5.0, 5.0)), Some(2));
        assert_eq!(node_at(&s, Point::new(200.0, 0.0)), None);
        let band = Rect::spanning(Point::new(300.0, -100.0), Point::new(500.0, 100.0));
        assert_eq!(nodes_in(&s, &band), vec!["b".to_string()]);
    }

    #[test]
    fn a_curve_is_near_its_own_points_and_far_from_others() {
        let p = LinkPath::between(
            &Rect::centered(Point::new(0.0, 0.0), 10.0, 10.0),
            &Rect::centered(Point::new(100.0, 0.0), 10.0, 10.0),
            20.0,
        );
        assert!(p.distance_to(p.point_at(0.3)) < 1.0);
        assert!(p.distance_to(Point::new(50.0, -200.0)) > 100.0);
    }

    #[test]
    fn a_clicked_palette_entry_finds_free_space_instead_of_stacking() {
        let mut s = two_nodes();
        let view = Rect { x: -500.0, y: -500.0, w: 1400.0, h: 1000.0 };
        let mut placed = Vec::new();
        for i in 0..6 {
            let p = free_spot(&s, Point::new(0.0, 0.0), view);
            assert!(view.contains(p), "{i}: {p:?} is in view");
            let r = Rect::centered(p, NODE_W, NODE_H);
            assert!(s.nodes.iter().all(|n| !node_rect(n).intersects(&r)), "{i}: {p:?} overlaps");
            placed.push(p);
            s.nodes.push(node(&format!("n{i}"), p.x, p.y));
        }
        // The first free spot is next to the busy centre, not far away.
        assert!(placed[0].len() < 2.0 * (NODE_W + 40.0), "{:?}", placed[0]);
        // On an empty canvas the centre itself is free.
        assert_eq!(free_spot(&Scenario::default(), Point::new(5.0, 7.0), view), Point::new(5.0, 7.0));
    }

    #[test]
    fn a_node_has_a_handle_on_each_side() {
        let n = node("a", 100.0, 50.0);
        let [right, bottom, left, top] = handle_points(&n);
        assert_eq!(right, handle_point(&n));
        assert_eq!((bottom.y, left.x, top.y), (50.0 + NODE_H / 2.0, 100.0 - NODE_W / 2.0, 50.0 - NODE_H / 2.0));
    }

    #[test]
    fn positions_that_are_not_numbers_draw_at_the_origin() {
        let n = node("a", f64::NAN, 3.0);
        assert_eq!(node_center(&n), Point::default());
    }
}
