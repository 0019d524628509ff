//! Pan and zoom: how world coordinates (the scenario's) map to the canvas's
//! pixels. `screen = world * zoom + pan`. Part of the view state: never
//! undone, never shared.

use super::geometry::{Point, Rect};

/// The smallest and largest zoom the buttons and the wheel reach.
pub const MIN_ZOOM: f64 = 0.2;
pub const MAX_ZOOM: f64 = 3.0;
/// One press of Zoom in / Zoom out.
pub const ZOOM_STEP: f64 = 1.25;
/// Fit never magnifies past this: a lone node at 300% looks broken.
const FIT_MAX_ZOOM: f64 = 1.25;
/// Fit never shrinks past this: node names (13 px) stay about 10 px tall
/// and their settings (11 px) about 8 px, still readable. A diagram a little
/// too big for the canvas at this zoom is centred (it loses a little at
/// each end); a much bigger one (see [`FAR_TOO_BIG`]) shows its start (left
/// and top: where its requests come from, in reading order) rather than a
/// middle with neither end, and the user pans to the rest.
pub const FIT_MIN_ZOOM: f64 = 0.75;
/// How many times the room a diagram must need, at the fit's zoom, to be
/// shown from its start instead of centred.
const FAR_TOO_BIG: f64 = 1.5;

#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Viewport {
    pub pan_x: f64,
    pub pan_y: f64,
    pub zoom: f64,
}

impl Default for Viewport {
    fn default() -> Self {
        Viewport { pan_x: 0.0, pan_y: 0.0, zoom: 1.0 }
    }
}

impl Viewport {
    pub fn to_screen(&self, p: Point) -> Point {
        Point::new(p.x * self.zoom + self.pan_x, p.y * self.zoom + self.pan_y)
    }

    pub fn to_world(&self, p: Point) -> Point {
        Point::new((p.x - self.pan_x) / self.zoom, (p.y - self.pan_y) / self.zoom)
    }

    /// Moved by a screen-space delta.
    pub fn panned(&self, dx: f64, dy: f64) -> Viewport {
        Viewport { pan_x: self.pan_x + dx, pan_y: self.pan_y + dy, ..*self }
    }

    /// Zoomed by `factor` around the screen point `at`, which stays put (the
    /// point under the cursor when the wheel turns).
    pub fn zoomed_at(&self, at: Point, factor: f64) -> Viewport {
        if !factor.is_finite() || factor <= 0.0 || !at.is_finite() {
            return *self;
        }
        let zoom = (self.zoom * factor).clamp(MIN_ZOOM, MAX_ZOOM);
        let world = self.to_world(at);
        Viewport { pan_x: at.x - world.x * zoom, pan_y: at.y - world.y * zoom, zoom }
    }

    /// The view that shows all of `bounds` centred in a `w` × `h` canvas,
    /// with `margin` pixels around it, as long as its labels stay readable
    /// (see [`FIT_MIN_ZOOM`]).
    pub fn fit(bounds: Rect, w: f64, h: f64, margin: f64) -> Viewport {
        let (aw, ah) = ((w - 2.0 * margin).max(1.0), (h - 2.0 * margin).max(1.0));
        let zoom = if bounds.w > 0.0 && bounds.h > 0.0 { (aw / bounds.w).min(ah / bounds.h) } else { 1.0 }
            .clamp(FIT_MIN_ZOOM, FIT_MAX_ZOOM);
        let c = bounds.center();
        // Centred along an axis, unless far too big for it: then from its start.
        let pan = |size: f64, room: f64, full: f64, start: f64, centre: f64| {
            if size * zoom > room * FAR_TOO_BIG {
                margin - start * zoom
            } else {
                full / 2.0 - centre * zoom
            }
        };
        Viewport { pan_x: pan(bounds.w, aw, w, bounds.x, c.x), pan_y: pan(bounds.h, ah, h, bounds.y, c.y), zoom }
    }

    /// Like [`Viewport::fit`], but all of `bounds` shows however small
    /// (an embedded player, which cannot be panned).
    pub fn fit_whole(bounds: Rect, w: f64, h: f64, margin: f64) -> Viewport {
        let (aw, ah) = ((w - 2.0 * margin).max(1.0), (h - 2.0 * margin).max(1.0));
        let zoom = if bounds.w > 0.0 && bounds.h > 0.0 { (aw / bounds.w).min(ah / bounds.h) } else { 1.0 }
            .clamp(MIN_ZOOM, FIT_MAX_ZOOM);
        let c = bounds.center();
        Viewport { pan_x: w / 2.0 - c.x * zoom, pan_y: h / 2.0 - c.y * zoom, zoom }
    }

    /// The world point at the centre of a `w` × `h` canvas (where keyboard
    /// additions land).
    pub fn center_world(&self, w: f64, h: f64) -> Point {
        self.to_world(Point::new(w / 2.0, h / 2.0))
    }

    /// The SVG `transform` of the world layer.
    pub fn transform(&self) -> String {
        format!("translate({:.2} {:.2}) scale({:.4})", self.pan_x, self.pan_y, self.zoom)
    }

    /// A sane view, whatever a saved or corrupted one said.
    pub fn sanitized(self) -> Viewport {
        if self.pan_x.is_finite()
            && self.pan_y.is_finite()
            && self.zoom.is_finite()
            && (MIN_ZOOM..=MAX_ZOOM).contains(&self.zoom)
        {
            self
        } else {
            Viewport::default()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn screen_and_world_are_inverse() {
        let v = Viewport { pan_x: 13.0, pan_y: -7.0, zoom: 1.6 };
        let p = Point::new(120.0, 45.0);
        let back = v.to_world(v.to_screen(p));
        assert!((back.x - p.x).abs() < 1e-9 && (back.y - p.y).abs() < 1e-9);
    }

    #[test]
    fn zooming_keeps_the_point_under_the_cursor() {
        let v = Viewport::default().panned(40.0, 10.0);
        let cursor = Point::new(300.0, 200.0);
        let before = v.to_world(cursor);
        let z = v.zoomed_at(cursor, 1.5);
        let after = z.to_world(cursor);
        assert!((before.x - after.x).abs() < 1e-9);
        assert!((before.y - after.y).abs() < 1e-9);
        assert_eq!(z.zoom, 1.5);
    }

    #[test]
    fn zoom_stays_within_its_limits() {
        let v = Viewport::default();
        assert_eq!(v.zoomed_at(Point::default(), 100.0).zoom, MAX_ZOOM);
        assert_eq!(v.zoomed_at(Point::default(), 0.0001).zoom, MIN_ZOOM);
        assert_eq!(v.zoomed_at(Point::default(), f64::NAN), v);
    }

    #[test]
    fn fit_centres_the_diagram() {
        let b = Rect { x: 100.0, y: 100.0, w: 400.0, h: 200.0 };
        let v = Viewport::fit(b, 1000.0, 600.0, 50.0);
        let c = v.to_screen(b.center());
        assert!((c.x - 500.0).abs() < 1e-9 && (c.y - 300.0).abs() < 1e-9);
        assert!(v.zoom <= 1.25);
    }

    #[test]
    fn fit_keeps_labels_readable_and_shows_where_a_wide_diagram_starts() {
        // Food ordering is about 2000 x 450 world units; the canvas 890 x 600.
        let b = Rect { x: 10.0, y: 51.0, w: 1980.0, h: 438.0 };
        let v = Viewport::fit(b, 890.0, 600.0, 56.0);
        assert_eq!(v.zoom, FIT_MIN_ZOOM);
        // Its left edge (the clients) at the margin, not cut off; its
        // height, which fits, centred.
        let start = v.to_screen(Point::new(b.x, b.y));
        assert!((start.x - 56.0).abs() < 1e-9, "{start:?}");
        let c = v.to_screen(b.center());
        assert!((c.y - 300.0).abs() < 1e-9, "{c:?}");
        // Too tall as well: its top at the margin.
        let tall = Rect { h: 2000.0, ..b };
        let v = Viewport::fit(tall, 890.0, 600.0, 56.0);
        assert!((v.to_screen(Point::new(tall.x, tall.y)).y - 56.0).abs() < 1e-9);
        // A little too wide (a lesson's narrower canvas): centred, losing a
        // little at each end rather than all of it at one.
        let v = Viewport::fit(b, 1300.0, 600.0, 56.0);
        assert_eq!(v.zoom, FIT_MIN_ZOOM);
        assert!((v.to_screen(b.center()).x - 650.0).abs() < 1e-9);
    }

    #[test]
    fn a_corrupted_view_is_reset() {
        let v = Viewport { pan_x: f64::NAN, pan_y: 0.0, zoom: 1.0 };
        assert_eq!(v.sanitized(), Viewport::default());
    }
}
