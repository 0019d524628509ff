//! Pointer gestures on the canvas, free of any framework (xyflow's XYDrag
//! in small): what a press starts, what each pointer move does to the
//! document, view or selection, and what release or Escape leaves.
//!
//! A drag recomputes from its start plus the pointer's delta, never from
//! the last frame, so rounding never accumulates and Escape can put back
//! exactly what was there. The document as it was when a move began is
//! kept, so the whole drag becomes one undo entry. Drawing a link and
//! moving a link's end change nothing until the release.

use super::doc;
use super::geometry::{node_at, nodes_in, Point, Rect};
use super::selection::Selection;
use super::viewport::Viewport;
use crate::engine::format::Scenario;
use std::ops::Sub;

/// Pointer travel (screen pixels) below which a press is a click, not a drag.
pub const CLICK_SLOP_PX: f64 = 3.0;

#[derive(Clone, Debug, PartialEq)]
pub enum Gesture {
    /// Moving nodes.
    Move {
        /// Pointer at the press, screen pixels.
        start: Point,
        /// Where each moving node was.
        origin: Vec<(String, Point)>,
        /// The document before the drag, for undo and Escape.
        before: Scenario,
        /// Whether the pointer left the click slop.
        dragged: bool,
    },
    /// Drawing a link out of a node's handle.
    Connect {
        from: String,
        /// The loose end, world coordinates.
        to: Point,
    },
    /// Dragging one end of a link to another node.
    Relink {
        link: String,
        end: doc::End,
        /// The loose end, world coordinates.
        to: Point,
    },
    /// Moving the view.
    Pan { start: Point, origin: Viewport },
    /// Selecting with a rubber band.
    Band {
        /// Corners, world coordinates.
        start: Point,
        now: Point,
        /// What was selected before (shift adds to it).
        base: Selection,
    },
}

/// What a finished gesture asks the app to do.
#[derive(Clone, Debug, PartialEq)]
pub enum Outcome {
    /// Nothing to record.
    None,
    /// A click on a node without dragging it.
    Clicked,
    /// The document changed: record `before` as one undo step.
    Edited { before: Scenario },
    /// A link was made or moved.
    Linked { before: Scenario, link: String },
    /// A queue was given a dead-letter queue.
    DeadLettered { before: Scenario, queue: String },
    /// A link was refused; say why.
    Refused(String),
}

impl Gesture {
    /// Starts moving `ids` (the selection) from the screen point `start`.
    pub fn start_move(doc: &Scenario, ids: &[String], start: Point) -> Gesture {
        Gesture::Move { start, origin: doc::positions(doc, ids), before: doc.clone(), dragged: false }
    }

    /// Follows the pointer (screen point `p`).
    pub fn drag(&mut self, p: Point, doc: &mut Scenario, view: &mut Viewport, sel: &mut Selection, snap: bool) {
        match self {
            Gesture::Move { start, origin, dragged, .. } => {
                let d = p.sub(*start);
                if !*dragged && d.len() < CLICK_SLOP_PX {
                    return;
                }
                *dragged = true;
                doc::move_nodes(doc, origin, d.scale(1.0 / view.zoom), snap);
            }
            Gesture::Connect { to, .. } | Gesture::Relink { to, .. } => *to = view.to_world(p),
            Gesture::Pan { start, origin } => {
                let d = p.sub(*start);
                *view = origin.panned(d.x, d.y);
            }
            Gesture::Band { start, now, base } => {
                *now = view.to_world(p);
                let band = Selection::of_nodes(nodes_in(doc, &Rect::spanning(*start, *now)));
                *sel = base.merged(&band);
            }
        }
    }

    /// The pointer was released at screen point `p`.
    pub fn finish(self, p: Point, doc: &mut Scenario, view: &Viewport) -> Outcome {
        match self {
            Gesture::Move { before, dragged, origin, .. } => {
                if !dragged {
                    return Outcome::Clicked;
                }
                // Dropped inside a region's area: into that region (the
                // same undo step as the move).
                let moved: Vec<String> = origin.into_iter().map(|(id, _)| id).collect();
                super::regions::drop_into(doc, &moved);
                if &before != doc {
                    Outcome::Edited { before }
                } else {
                    Outcome::None
                }
            }
            Gesture::Connect { from, .. } => {
                let Some(i) = node_at(doc, view.to_world(p)) else {
                    return Outcome::None;
                };
                let to = doc.nodes[i].id.clone();
                if to == from {
                    return Outcome::None;
                }
                let before = doc.clone();
                match doc::join(doc, &from, &to) {
                    Ok(doc::Joined::Link(link)) => Outcome::Linked { before, link },
                    Ok(doc::Joined::DeadLetter) => Outcome::DeadLettered { before, queue: from },
                    Err(why) => Outcome::Refused(why),
                }
            }
            Gesture::Relink { link, end, .. } => {
                let Some(i) = node_at(doc, view.to_world(p)) else {
                    return Outcome::None;
                };
                let node = doc.nodes[i].id.clone();
                let before = doc.clone();
                match doc::relink(doc, &link, end, &node) {
                    Ok(()) if *doc == before => Outcome::None,
                    Ok(()) => Outcome::Linked { before, link },
                    Err(why) => Outcome::Refused(why),
                }
            }
            Gesture::Pan { .. } | Gesture::Band { .. } => Outcome::None,
        }
    }

    /// Escape: put back what the gesture changed.
    pub fn cancel(self, doc: &mut Scenario, view: &mut Viewport, sel: &mut Selection) {
        match self {
            Gesture::Move { before, .. } => *doc = before,
            Gesture::Pan { origin, .. } => *view = origin,
            Gesture::Band { base, .. } => *sel = base,
            Gesture::Connect { .. } | Gesture::Relink { .. } => {}
        }
    }

    /// The rubber band to draw, world coordinates.
    pub fn band(&self) -> Option<Rect> {
        match self {
            Gesture::Band { start, now, .. } => Some(Rect::spanning(*start, *now)),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::editor::geometry::NODE_W;
    use crate::engine::format::NodeKind;

    fn two() -> Scenario {
        let mut s = Scenario::default();
        doc::add_node(&mut s, NodeKind::Client, Point::new(0.0, 0.0), true);
        doc::add_node(&mut s, NodeKind::Service, Point::new(300.0, 0.0), true);
        s
    }

    #[test]
    fn a_drag_is_one_edit_and_escape_undoes_it() {
        let mut s = two();
        let mut v = Viewport::default();
        let mut sel = Selection::node("client1");
        let mut g = Gesture::start_move(&s, &["client1".into()], Point::new(0.0, 0.0));
        for x in 1..=50 {
            g.drag(Point::new(x as f64, 0.0), &mut s, &mut v, &mut sel, true);
        }
        assert_eq!(s.nodes[0].x, 60.0);
        let mut copy = s.clone();
        g.clone().cancel(&mut copy, &mut v, &mut sel);
        assert_eq!(copy.nodes[0].x, 0.0);
        match g.finish(Point::new(50.0, 0.0), &mut s, &v) {
            Outcome::Edited { before } => assert_eq!(before.nodes[0].x, 0.0),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_press_without_travel_is_a_click() {
        let mut s = two();
        let mut v = Viewport::default();
        let mut sel = Selection::default();
        let mut g = Gesture::start_move(&s, &["client1".into()], Point::new(5.0, 5.0));
        g.drag(Point::new(6.0, 6.0), &mut s, &mut v, &mut sel, true);
        assert_eq!(g.finish(Point::new(6.0, 6.0), &mut s, &v), Outcome::Clicked);
        assert_eq!(s, two());
    }

    #[test]
    fn dragging_at_half_zoom_moves_twice_as_far_in_the_world() {
        let mut s = two();
        let mut v = Viewport { zoom: 0.5, ..Viewport::default() };
        let mut sel = Selection::default();
        let mut g = Gesture::start_move(&s, &["service1".into()], Point::new(0.0, 0.0));
        g.drag(Point::new(50.0, 0.0), &mut s, &mut v, &mut sel, false);
        assert_eq!(s.nodes[1].x, 400.0);
    }

    #[test]
    fn dropping_a_link_on_a_node_connects_them() {
        let mut s = two();
        let v = Viewport::default();
        let g = Gesture::Connect { from: "client1".into(), to: Point::default() };
        match g.finish(Point::new(300.0, 10.0), &mut s, &v) {
            Outcome::Linked { link, .. } => assert_eq!(s.links[0].id, link),
            other => panic!("{other:?}"),
        }
        let back = Gesture::Connect { from: "service1".into(), to: Point::default() };
        assert!(matches!(back.finish(Point::new(0.0, 0.0), &mut s, &v), Outcome::Refused(_)));
        let nowhere = Gesture::Connect { from: "client1".into(), to: Point::default() };
        assert_eq!(nowhere.finish(Point::new(150.0, 300.0), &mut s, &v), Outcome::None);
    }

    #[test]
    fn dropping_a_link_end_on_another_node_moves_it_as_one_edit() {
        let mut s = two();
        doc::add_node(&mut s, NodeKind::Service, Point::new(300.0, 200.0), true);
        doc::connect(&mut s, "client1", "service1").unwrap();
        let v = Viewport::default();
        let mut sel = Selection::default();
        let mut view = v;
        let mut g = Gesture::Relink { link: "l1".into(), end: doc::End::To, to: Point::default() };
        g.drag(Point::new(200.0, 100.0), &mut s, &mut view, &mut sel, true);
        assert_eq!(s.links[0].to, "service1", "nothing changes while dragging");
        match g.finish(Point::new(300.0, 200.0), &mut s, &v) {
            Outcome::Linked { before, link } => {
                assert_eq!(link, "l1");
                assert_eq!(before.links[0].to, "service1");
                assert_eq!(s.links[0].to, "service2");
            }
            other => panic!("{other:?}"),
        }
        // Dropped on the background: nothing happens.
        let g = Gesture::Relink { link: "l1".into(), end: doc::End::From, to: Point::default() };
        assert_eq!(g.finish(Point::new(150.0, 500.0), &mut s, &v), Outcome::None);
    }

    #[test]
    fn a_queue_dropped_on_a_queue_becomes_its_dead_letter_queue() {
        let mut s = Scenario::default();
        doc::add_node(&mut s, NodeKind::Queue, Point::new(0.0, 0.0), true);
        doc::add_node(&mut s, NodeKind::Queue, Point::new(300.0, 0.0), true);
        let g = Gesture::Connect { from: "queue1".into(), to: Point::default() };
        match g.finish(Point::new(300.0, 0.0), &mut s, &Viewport::default()) {
            Outcome::DeadLettered { queue, .. } => assert_eq!(queue, "queue1"),
            other => panic!("{other:?}"),
        }
        assert_eq!(s.nodes[0].dead_letter.as_deref(), Some("queue2"));
    }

    #[test]
    fn a_rubber_band_adds_what_it_touches_to_the_base() {
        let mut s = two();
        let mut v = Viewport::default();
        let mut sel = Selection::default();
        let mut g = Gesture::Band {
            start: Point::new(-100.0, -100.0),
            now: Point::new(-100.0, -100.0),
            base: Selection::node("service1"),
        };
        g.drag(Point::new(NODE_W / 2.0 - 10.0, 10.0), &mut s, &mut v, &mut sel, true);
        assert_eq!(sel.nodes.len(), 2);
        g.cancel(&mut s, &mut v, &mut sel);
        assert_eq!(sel, Selection::node("service1"));
    }

    #[test]
    fn panning_follows_the_pointer_from_the_start() {
        let mut s = two();
        let mut v = Viewport::default();
        let mut sel = Selection::default();
        let mut g = Gesture::Pan { start: Point::new(10.0, 10.0), origin: v };
        g.drag(Point::new(30.0, 5.0), &mut s, &mut v, &mut sel, true);
        assert_eq!((v.pan_x, v.pan_y), (20.0, -5.0));
    }
}
