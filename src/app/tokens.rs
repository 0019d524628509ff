//! Messages in flight, drawn on one `<canvas>` over the diagram each frame.
//!
//! Tokens are plain data from the engine (made visible by
//! `editor::flight`); drawing a thousand of them is a
//! few batched paths (one per colour and shape), never a DOM element or a
//! signal each. A token that stands for several messages carries their
//! count. The canvas keeps where it drew each token, so a click can find
//! the request it belongs to, and names the links and link kinds it drew
//! on in `data-token-links` and `data-token-vias` (what tests sample).

use crate::editor::flight::{Flight, Flights};
use crate::editor::geometry::{LinkPath, Point};
use crate::editor::viewport::Viewport;
use crate::engine::format::Scenario;
use crate::engine::view::{TokenKind, TokenTone};
use wasm_bindgen::JsCast;
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement};

/// Radius of a request token, CSS pixels at zoom 1.
pub const TOKEN_RADIUS: f64 = 4.5;
/// How far answers travel beside their link, CSS pixels at zoom 1.
const ANSWER_LANE_PX: f64 = 6.0;
/// How far from a token's centre a click still hits it, CSS pixels.
const HIT_RADIUS: f64 = 8.0;

/// The ink of a token's count: readable on the light chip in both themes.
const COUNT_INK: &str = "#334155";

const TONES: [TokenTone; 5] =
    [TokenTone::Pending, TokenTone::Ok, TokenTone::Error, TokenTone::Retry, TokenTone::DeadLetter];

/// Colours that read on both the light and the dark canvas.
pub fn tone_colour(t: TokenTone) -> &'static str {
    match t {
        TokenTone::Pending => "#3b82f6",
        TokenTone::Ok => "#16a34a",
        TokenTone::Error => "#e11d48",
        TokenTone::Retry => "#f59e0b",
        TokenTone::DeadLetter => "#a855f7",
    }
}

/// Colours of keyed tokens, one per key modulo their number: messages of
/// one key (a conversation, an account) share a colour, so their order can
/// be followed by eye. Chosen apart from the tones' blue, green and red.
pub const KEY_COLOURS: [&str; 8] =
    ["#0ea5e9", "#d946ef", "#f97316", "#14b8a6", "#8b5cf6", "#eab308", "#ec4899", "#64748b"];

#[derive(Default)]
pub struct TokenCanvas {
    canvas: Option<HtmlCanvasElement>,
    ctx: Option<CanvasRenderingContext2d>,
    /// Backing-store size last set, device pixels.
    size: (u32, u32),
    /// Where each token was drawn (CSS pixels) and its trace.
    hits: Vec<(f32, f32, u64)>,
    /// Each link's id and kind, in `scenario.links` order.
    names: Vec<(String, &'static str)>,
    /// Whether each link had a token in the last frame, as last published.
    marked: Vec<bool>,
    /// Scratch for this frame's marks.
    drawn_links: Vec<bool>,
    /// Scratch: the count chips drawn this frame (x, y, width).
    chips: Vec<(f64, f64, f64)>,
}

impl TokenCanvas {
    pub fn attach(&mut self, canvas: HtmlCanvasElement) {
        self.ctx = canvas.get_context("2d").ok().flatten().and_then(|c| c.dyn_into::<CanvasRenderingContext2d>().ok());
        self.canvas = Some(canvas);
        self.size = (0, 0);
    }

    /// Matches the backing store to the element's size; returns the scale
    /// from CSS pixels to device pixels.
    fn fit(&mut self) -> Option<f64> {
        let canvas = self.canvas.as_ref()?;
        let dpr =
            web_sys::window().map(|w| w.device_pixel_ratio()).filter(|d| d.is_finite() && *d > 0.0).unwrap_or(1.0);
        let w = (f64::from(canvas.client_width()) * dpr).round().max(1.0) as u32;
        let h = (f64::from(canvas.client_height()) * dpr).round().max(1.0) as u32;
        if self.size != (w, h) {
            canvas.set_width(w);
            canvas.set_height(h);
            self.size = (w, h);
        }
        Some(dpr)
    }

    /// Learns the links' ids and kinds (for the data attributes).
    pub fn name_links(&mut self, doc: &Scenario) {
        self.names = doc.links.iter().map(|l| (l.id.clone(), l.via.as_str())).collect();
        self.marked.clear();
        self.marked.resize(self.names.len(), false);
        self.publish_marks();
    }

    /// Writes which links and link kinds carry tokens, when that changed.
    fn publish_marks(&mut self) {
        let Some(canvas) = self.canvas.as_ref() else {
            return;
        };
        let (mut ids, mut vias) = (String::new(), String::new());
        for ((id, via), _) in self.names.iter().zip(&self.marked).filter(|(_, on)| **on) {
            if !ids.is_empty() {
                ids.push(' ');
            }
            ids.push_str(id);
            if !vias.split(' ').any(|v| v == *via) {
                if !vias.is_empty() {
                    vias.push(' ');
                }
                vias.push_str(via);
            }
        }
        let _ = canvas.set_attribute("data-token-links", &ids);
        let _ = canvas.set_attribute("data-token-vias", &vias);
    }

    /// Draws the flights that have started; returns how many tokens were
    /// drawn and how many messages they stand for.
    pub fn draw(
        &mut self,
        flights: &Flights,
        anim_ms: f64,
        paths: &[Option<LinkPath>],
        view: &Viewport,
    ) -> (usize, usize) {
        let drawn = self.paint(flights, anim_ms, paths, view);
        self.drawn_links.clear();
        self.drawn_links.resize(self.names.len(), false);
        for t in flights.iter().filter(|t| t.started(anim_ms)) {
            if let Some(on) = self.drawn_links.get_mut(t.link as usize) {
                *on = true;
            }
        }
        if self.drawn_links != self.marked {
            std::mem::swap(&mut self.drawn_links, &mut self.marked);
            self.publish_marks();
        }
        drawn
    }

    fn paint(
        &mut self,
        flights: &Flights,
        anim_ms: f64,
        paths: &[Option<LinkPath>],
        view: &Viewport,
    ) -> (usize, usize) {
        let Some(dpr) = self.fit() else {
            return (0, 0);
        };
        let Some(ctx) = self.ctx.as_ref() else {
            return (0, 0);
        };
        let (w, h) = self.size;
        let _ = ctx.set_transform(1.0, 0.0, 0.0, 1.0, 0.0, 0.0);
        ctx.clear_rect(0.0, 0.0, f64::from(w), f64::from(h));
        let _ = ctx.set_transform(dpr, 0.0, 0.0, dpr, 0.0, 0.0);
        self.hits.clear();
        let scale = view.zoom.clamp(0.6, 1.6);
        let r = TOKEN_RADIUS * scale;
        let (cw, ch) = (f64::from(w) / dpr, f64::from(h) / dpr);
        // Where each token is, once; off-screen ones are skipped.
        let now_us = flights.now_us();
        let placed: Vec<(Point, &Flight)> = flights
            .iter()
            .filter(|t| t.started(anim_ms))
            .filter_map(|t| {
                let path = paths.get(t.link as usize)?.as_ref()?;
                let at = t.progress(anim_ms, now_us);
                let mut p = view.to_screen(path.point_at(at));
                // Answers keep to their own lane beside the requests, like
                // two-way traffic, so both directions stay readable.
                if t.backwards {
                    let a = path.angle_at(at);
                    p.x -= a.sin() * ANSWER_LANE_PX * scale;
                    p.y += a.cos() * ANSWER_LANE_PX * scale;
                }
                let visible = p.x > -r && p.y > -r && p.x < cw + r && p.y < ch + r;
                visible.then_some((p, t))
            })
            .collect();
        // Keyed tokens take their key's colour; the tone then shows as a ring.
        let keyed = |t: &Flight| t.key != u32::MAX;
        let batches = TONES
            .iter()
            .map(|tone| (tone_colour(*tone), Some(*tone), None))
            .chain((0..KEY_COLOURS.len() as u32).map(|k| (KEY_COLOURS[k as usize], None, Some(k))));
        for (colour, tone, key) in batches {
            ctx.set_fill_style_str(colour);
            ctx.begin_path();
            let mut any = false;
            let in_batch = |t: &Flight| match (tone, key) {
                (Some(tone), _) => !keyed(t) && t.tone == tone,
                (None, Some(k)) => keyed(t) && t.key % KEY_COLOURS.len() as u32 == k,
                _ => false,
            };
            for (p, t) in placed.iter().filter(|(_, t)| in_batch(t)) {
                any = true;
                match t.kind {
                    TokenKind::Message => {
                        ctx.move_to(p.x + r, p.y);
                        ctx.rect(p.x - r, p.y - r, 2.0 * r, 2.0 * r);
                    }
                    TokenKind::Request => {
                        ctx.move_to(p.x + r, p.y);
                        let _ = ctx.arc(p.x, p.y, r, 0.0, std::f64::consts::TAU);
                    }
                    TokenKind::Response => {
                        let rr = r * 0.75;
                        ctx.move_to(p.x + rr, p.y);
                        let _ = ctx.arc(p.x, p.y, rr, 0.0, std::f64::consts::TAU);
                    }
                }
            }
            if any {
                ctx.fill();
            }
        }
        for tone in TONES.into_iter().filter(|t| *t != TokenTone::Pending) {
            ctx.set_stroke_style_str(tone_colour(tone));
            ctx.set_line_width(2.0);
            ctx.begin_path();
            let mut any = false;
            for (p, _) in placed.iter().filter(|(_, t)| keyed(t) && t.tone == tone) {
                any = true;
                ctx.move_to(p.x + r + 1.5, p.y);
                let _ = ctx.arc(p.x, p.y, r + 1.5, 0.0, std::f64::consts::TAU);
            }
            if any {
                ctx.stroke();
            }
        }
        // Answers get a light ring so they read apart from requests.
        ctx.set_stroke_style_str("rgba(255,255,255,0.85)");
        ctx.set_line_width(1.2);
        ctx.begin_path();
        let mut any = false;
        for (p, _) in placed.iter().filter(|(_, t)| t.kind == TokenKind::Response) {
            any = true;
            ctx.move_to(p.x + r * 0.75, p.y);
            let _ = ctx.arc(p.x, p.y, r * 0.75, 0.0, std::f64::consts::TAU);
        }
        if any {
            ctx.stroke();
        }
        self.hits.extend(placed.iter().map(|(p, t)| (p.x as f32, p.y as f32, t.trace)));
        // A token standing for several messages says how many, in a neutral
        // ink on a light chip (clicking the count opens the request too); a
        // count that would overlap one already drawn is left out.
        let mut labelled = placed.iter().filter(|(_, t)| t.count > 1).peekable();
        if labelled.peek().is_some() {
            ctx.set_font("600 10px system-ui, sans-serif");
            ctx.set_text_baseline("middle");
            self.chips.clear();
            for (p, t) in labelled {
                let label = format!("×{}", t.count);
                let w = 6.5 * label.chars().count() as f64;
                let x = p.x + r + 1.0;
                let chip = (x, p.y - 6.5, w + 2.0);
                if self.chips.iter().any(|c| (c.0 - chip.0).abs() < c.2.max(chip.2) && (c.1 - chip.1).abs() < 13.0) {
                    continue;
                }
                self.chips.push(chip);
                ctx.set_fill_style_str("rgba(255,255,255,0.85)");
                ctx.fill_rect(x, p.y - 6.5, w + 2.0, 13.0);
                ctx.set_fill_style_str(COUNT_INK);
                let _ = ctx.fill_text(&label, x + 1.0, p.y);
                let mut hx = x + 4.0;
                while hx < x + w {
                    self.hits.push((hx as f32, p.y as f32, t.trace));
                    hx += HIT_RADIUS;
                }
            }
        }
        (placed.len(), placed.iter().map(|(_, t)| t.count as usize).sum())
    }

    /// The trace of the token nearest `(x, y)` (CSS pixels), if close enough.
    pub fn hit(&self, x: f64, y: f64) -> Option<u64> {
        self.hits
            .iter()
            .map(|(tx, ty, id)| {
                let d = (f64::from(*tx) - x).hypot(f64::from(*ty) - y);
                (d, *id)
            })
            .filter(|(d, _)| *d <= HIT_RADIUS)
            .min_by(|a, b| a.0.total_cmp(&b.0))
            .map(|(_, id)| id)
    }
}
