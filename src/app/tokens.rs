//! Messages in flight, drawn on one `<canvas>` over the diagram each frame.
//!
//! Tokens are plain data from the engine (made visible by
//! `editor::flight`), never a DOM element or a signal each. Each look of a
//! token (shape, colour, ring) and each count chip is drawn once with the
//! canvas's own paths and text into a small sprite; a frame then stamps the
//! sprites into a pixel buffer here and hands the canvas only the part
//! that changed (`putImageData`). Thousands of vector circles a frame were
//! the bottleneck where the canvas is drawn without a GPU (a browser in a
//! container, a weak laptop): 5,000 tokens ran at about 10 frames a second.
//! A token that stands for several messages carries their count. The
//! canvas keeps where it drew each token, so a click can find the request
//! it belongs to, and names the links and link kinds it drew on in
//! `data-token-links` and `data-token-vias` (what tests sample).

use crate::editor::flight::{Flight, Flights};
use crate::editor::geometry::{LinkPath, Point, Rect};
use crate::editor::viewport::Viewport;
use crate::engine::format::Scenario;
use crate::engine::view::{TokenKind, TokenTone};
use std::collections::HashMap;
use wasm_bindgen::{Clamped, JsCast};
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement, ImageData};

/// Radius of a request token, CSS pixels at zoom 1.
pub const TOKEN_RADIUS: f64 = 4.5;
/// How far answers travel beside their link, CSS pixels at zoom 1.
const ANSWER_LANE_PX: f64 = 6.0;
/// How far from a token's centre a click still hits it, CSS pixels.
const HIT_RADIUS: f64 = 8.0;

/// The ink of a token's count: readable on the light chip in both themes.
const COUNT_INK: &str = "#334155";
/// Count chips kept drawn; past it the cache starts again.
const CHIPS_KEPT: usize = 512;
/// Cells the overlap check of count chips files them under, CSS pixels:
/// wider than any chip and as tall, so only neighbouring cells can overlap.
const CHIP_CELL: (f64, f64) = (80.0, 13.0);

const TONES: [TokenTone; 5] =
    [TokenTone::Pending, TokenTone::Ok, TokenTone::Error, TokenTone::Retry, TokenTone::DeadLetter];
const KINDS: [TokenKind; 3] = [TokenKind::Request, TokenKind::Response, TokenKind::Message];

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

/// How many looks a token can have: kind x fill colour x tone ring.
const LOOKS: usize = KINDS.len() * (TONES.len() + KEY_COLOURS.len()) * TONES.len();

/// A token's look: its shape, its fill (a tone, or its key's colour) and,
/// for a keyed token, its tone as a ring (`TONES` index; 0, Pending: none).
fn look(t: &Flight) -> usize {
    let kind = KINDS.iter().position(|k| *k == t.kind).unwrap_or(0);
    let tone = TONES.iter().position(|x| *x == t.tone).unwrap_or(0);
    let (fill, ring) =
        if t.key == u32::MAX { (tone, 0) } else { (TONES.len() + (t.key % KEY_COLOURS.len() as u32) as usize, tone) };
    (kind * (TONES.len() + KEY_COLOURS.len()) + fill) * TONES.len() + ring
}

/// Pixels drawn once and stamped many times; `at` is where its anchor is,
/// from its top-left.
struct Sprite {
    w: usize,
    h: usize,
    at: (i32, i32),
    /// One word a pixel: RGBA, not premultiplied, as `ImageData` has them
    /// (the bytes in memory order; wasm is little-endian).
    px: Vec<u32>,
    /// Each row's inked pixels, `[from, to)`: the rest is transparent.
    ink: Vec<(usize, usize)>,
    /// Each row's longest run of opaque pixels, `[from, to)`: copied over
    /// whatever is below them, with no look at it.
    solid: Vec<(usize, usize)>,
}

impl Sprite {
    fn new(w: usize, h: usize, at: (i32, i32), rgba: &[u8]) -> Sprite {
        let px: Vec<u32> =
            rgba.chunks_exact(4).map(|p| u32::from_le_bytes([p[0], p[1], p[2], p[3]])).take(w * h).collect();
        let ink = (0..h)
            .map(|y| {
                let inked = |x: &usize| px.get(y * w + x).is_some_and(|p| alpha(*p) > 0);
                let from = (0..w).find(inked).unwrap_or(w);
                let to = (from..w).rev().find(inked).map_or(from, |x| x + 1);
                (from, to)
            })
            .collect();
        let solid = (0..h)
            .map(|y| {
                let row = &px[(y * w).min(px.len())..((y + 1) * w).min(px.len())];
                let mut best = (0, 0);
                let mut x = 0;
                while x < row.len() {
                    let start = x;
                    while x < row.len() && alpha(row[x]) == 255 {
                        x += 1;
                    }
                    if x - start > best.1 - best.0 {
                        best = (start, x);
                    }
                    x += 1;
                }
                best
            })
            .collect();
        Sprite { w, h, at, px, ink, solid }
    }
}

/// A pixel's alpha.
#[inline(always)]
fn alpha(p: u32) -> u32 {
    p >> 24
}

/// A count chip on screen: left, top and width, CSS pixels.
type Chip = (f64, f64, f64);

/// One token placed this frame, device pixels.
#[derive(Clone, Copy)]
struct Placed {
    x: f64,
    y: f64,
    look: usize,
    count: u32,
    trace: u64,
}

/// A rectangle of device pixels, `[x0, x1) x [y0, y1)`.
#[derive(Clone, Copy, PartialEq)]
struct Area {
    x0: usize,
    y0: usize,
    x1: usize,
    y1: usize,
}

impl Area {
    fn join(a: Option<Area>, b: Area) -> Area {
        match a {
            None => b,
            Some(a) => Area { x0: a.x0.min(b.x0), y0: a.y0.min(b.y0), x1: a.x1.max(b.x1), y1: a.y1.max(b.y1) },
        }
    }
}

/// `src` over `dst` (RGBA words, not premultiplied), where both have some
/// alpha and `src` is not opaque (the callers copy the other cases).
#[inline(never)]
fn blend(dst: u32, src: u32) -> u32 {
    let channel = |p: u32, i: u32| ((p >> (8 * i)) & 0xff) as f32;
    let (sa, da) = (channel(src, 3) / 255.0, channel(dst, 3) / 255.0);
    let oa = sa + da * (1.0 - sa);
    let mut out = ((oa * 255.0).round().clamp(0.0, 255.0) as u32) << 24;
    for i in 0..3 {
        let c = (channel(src, i) * sa + channel(dst, i) * da * (1.0 - sa)) / oa;
        out |= (c.round().clamp(0.0, 255.0) as u32) << (8 * i);
    }
    out
}

#[derive(Default)]
pub struct TokenCanvas {
    canvas: Option<HtmlCanvasElement>,
    ctx: Option<CanvasRenderingContext2d>,
    /// Backing-store size last set, device pixels.
    size: (u32, u32),
    /// The frame being drawn, a word (RGBA) a pixel, `size` large.
    pixels: Vec<u32>,
    /// The part of the canvas the last frame drew on (to clear).
    last: Option<Area>,
    /// Where each token was drawn (CSS pixels) and its trace.
    hits: Vec<(f32, f32, u64)>,
    /// Each link's id and kind, in `scenario.links` order.
    names: Vec<(String, &'static str)>,
    /// Whether each link had a token in the last frame, as last published.
    marked: Vec<bool>,
    /// Scratch for this frame's marks.
    drawn_links: Vec<bool>,
    /// Scratch: the count chips drawn this frame (x, y, width), by cell
    /// of [`CHIP_CELL`], so overlap checks look at neighbours only.
    chips: HashMap<(i64, i64), Vec<Chip>, Cheap>,
    /// Scratch: this frame's tokens.
    placed: Vec<Placed>,
    /// Each look's sprite, and each count's chip, for `sprite_scale`.
    sprites: Vec<Option<Sprite>>,
    chip_sprites: HashMap<u32, Sprite, Cheap>,
    /// Token radius and device pixel ratio the sprites were drawn for.
    sprite_scale: (f64, f64),
    /// A small canvas the sprites are drawn on.
    easel: Option<(HtmlCanvasElement, CanvasRenderingContext2d)>,
    /// What is drawn over the diagram (a node's live actions, its full
    /// name): no token or count is drawn there, world units.
    pub covers: Vec<Rect>,
    /// Scratch: `covers` on screen this frame (CSS pixels).
    covers_px: Vec<Rect>,
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
            // Resizing cleared the canvas.
            self.pixels.clear();
            self.pixels.resize(w as usize * h as usize, 0);
            self.last = None;
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
        self.hits.clear();
        // Nothing to draw and nothing to clear: the canvas is left alone
        // (measuring it would force a layout of the page in every frame).
        if self.last.is_none() && !flights.iter().any(|t| t.started(anim_ms)) {
            self.placed.clear();
            return (0, 0);
        }
        let Some(dpr) = self.fit() else {
            return (0, 0);
        };
        let scale = view.zoom.clamp(0.6, 1.6);
        let r = TOKEN_RADIUS * scale;
        if self.sprite_scale != (r, dpr) {
            self.sprites.clear();
            self.chip_sprites.clear();
            self.sprite_scale = (r, dpr);
        }
        self.sprites.resize_with(LOOKS, || None);
        let (w, h) = (self.size.0 as usize, self.size.1 as usize);
        let (cw, ch) = (w as f64 / dpr, h as f64 / dpr);
        // What is drawn over the diagram, on screen, once a frame.
        self.covers_px.clear();
        self.covers_px.extend(self.covers.iter().map(|c| {
            let (a, b) = (view.to_screen(Point::new(c.x, c.y)), view.to_screen(Point::new(c.right(), c.bottom())));
            Rect { x: a.x, y: a.y, w: b.x - a.x, h: b.y - a.y }
        }));
        // Where each token is, once; off-screen ones are skipped.
        let now_us = flights.now_us();
        self.placed.clear();
        for t in flights.iter().filter(|t| t.started(anim_ms)) {
            let Some(path) = paths.get(t.link as usize).and_then(Option::as_ref) else {
                continue;
            };
            let at = t.progress(anim_ms, now_us);
            let mut p = view.to_screen(path.point_at(at));
            // Answers keep to their own lane beside the requests, like
            // two-way traffic, so both directions stay readable.
            if t.backwards {
                let a = path.angle_at(at);
                p.x -= a.sin() * ANSWER_LANE_PX * scale;
                p.y += a.cos() * ANSWER_LANE_PX * scale;
            }
            let covered = |c: &Rect| p.x > c.x - r && p.x < c.right() + r && p.y > c.y - r && p.y < c.bottom() + r;
            if p.x > -r && p.y > -r && p.x < cw + r && p.y < ch + r && !self.covers_px.iter().any(covered) {
                self.placed.push(Placed { x: p.x, y: p.y, look: look(t), count: t.count, trace: t.trace });
            }
        }
        // Clear what the last frame drew, then stamp this frame's tokens.
        if let Some(a) = self.last {
            for y in a.y0..a.y1 {
                self.pixels[y * w + a.x0..y * w + a.x1].fill(0);
            }
        }
        let mut drew: Option<Area> = None;
        for i in 0..self.placed.len() {
            let t = self.placed[i];
            if self.sprites[t.look].is_none() {
                self.sprites[t.look] = self.draw_token(t.look, r, dpr);
            }
            if let Some(s) = &self.sprites[t.look] {
                if let Some(a) = stamp(&mut self.pixels, (w, h), s, (t.x * dpr, t.y * dpr)) {
                    drew = Some(Area::join(drew, a));
                }
            }
        }
        self.hits.extend(self.placed.iter().map(|t| (t.x as f32, t.y as f32, t.trace)));
        // A token standing for several messages says how many, in a neutral
        // ink on a light chip (clicking the count opens the request too); a
        // count that would overlap one already drawn is left out.
        self.chips.values_mut().for_each(Vec::clear);
        for i in 0..self.placed.len() {
            let t = self.placed[i];
            if t.count <= 1 {
                continue;
            }
            let label_w = 6.5 * (1 + count_digits(t.count)) as f64;
            let x = t.x + r + 1.0;
            let chip = (x, t.y - 6.5, label_w + 2.0);
            // Chips overlap only within a cell of their neighbours.
            let cell = ((chip.0 / CHIP_CELL.0).floor() as i64, (chip.1 / CHIP_CELL.1).floor() as i64);
            let overlaps = |c: &Chip| (c.0 - chip.0).abs() < c.2.max(chip.2) && (c.1 - chip.1).abs() < 13.0;
            let mut near = false;
            for dx in -1..=1 {
                for dy in -1..=1 {
                    near =
                        near || self.chips.get(&(cell.0 + dx, cell.1 + dy)).is_some_and(|cs| cs.iter().any(overlaps));
                }
            }
            let hides = |c: &Rect| x < c.right() && x + label_w > c.x && t.y + 6.5 > c.y && t.y - 6.5 < c.bottom();
            if near || self.covers_px.iter().any(hides) {
                continue;
            }
            self.chips.entry(cell).or_default().push(chip);
            if !self.chip_sprites.contains_key(&t.count) {
                if self.chip_sprites.len() >= CHIPS_KEPT {
                    self.chip_sprites.clear();
                }
                if let Some(s) = self.draw_chip(t.count, label_w, dpr) {
                    self.chip_sprites.insert(t.count, s);
                }
            }
            if let Some(s) = self.chip_sprites.get(&t.count) {
                if let Some(a) = stamp(&mut self.pixels, (w, h), s, (x * dpr, (t.y - 6.5) * dpr)) {
                    drew = Some(Area::join(drew, a));
                }
            }
            let mut hx = x + 4.0;
            while hx < x + label_w {
                self.hits.push((hx as f32, t.y as f32, t.trace));
                hx += HIT_RADIUS;
            }
        }
        // Hand the canvas the part that changed: what was drawn last frame
        // (now cleared) and what is drawn now.
        let dirty = match (self.last, drew) {
            (Some(a), Some(b)) => Some(Area::join(Some(a), b)),
            (a, b) => a.or(b),
        };
        self.last = drew;
        if let (Some(d), Some(ctx)) = (dirty, self.ctx.as_ref()) {
            // SAFETY: the bytes of the frame's words, in memory order (RGBA
            // each); a `u8` view of `u32`s is always aligned and initialised,
            // and the borrow ends before `pixels` can change.
            let bytes: &[u8] =
                unsafe { std::slice::from_raw_parts(self.pixels.as_ptr().cast::<u8>(), self.pixels.len() * 4) };
            if let Ok(image) = ImageData::new_with_u8_clamped_array_and_sh(Clamped(bytes), w as u32, h as u32) {
                let _ = ctx.put_image_data_with_dirty_x_and_dirty_y_and_dirty_width_and_dirty_height(
                    &image,
                    0.0,
                    0.0,
                    d.x0 as f64,
                    d.y0 as f64,
                    (d.x1 - d.x0) as f64,
                    (d.y1 - d.y0) as f64,
                );
            }
        }
        (self.placed.len(), self.placed.iter().map(|t| t.count as usize).sum())
    }

    /// A small canvas of at least `w` x `h` device pixels, cleared, with
    /// CSS pixels as its unit.
    fn easel(&mut self, w: u32, h: u32, dpr: f64) -> Option<&CanvasRenderingContext2d> {
        if self.easel.is_none() {
            let canvas =
                web_sys::window()?.document()?.create_element("canvas").ok()?.dyn_into::<HtmlCanvasElement>().ok()?;
            let ctx = canvas.get_context("2d").ok().flatten()?.dyn_into::<CanvasRenderingContext2d>().ok()?;
            self.easel = Some((canvas, ctx));
        }
        let (canvas, ctx) = self.easel.as_ref()?;
        if canvas.width() < w || canvas.height() < h {
            canvas.set_width(canvas.width().max(w));
            canvas.set_height(canvas.height().max(h));
        }
        let _ = ctx.set_transform(1.0, 0.0, 0.0, 1.0, 0.0, 0.0);
        ctx.clear_rect(0.0, 0.0, f64::from(canvas.width()), f64::from(canvas.height()));
        let _ = ctx.set_transform(dpr, 0.0, 0.0, dpr, 0.0, 0.0);
        Some(ctx)
    }

    /// Draws the token of look `look` (see [`look`]), radius `r`, centred.
    fn draw_token(&mut self, look: usize, r: f64, dpr: f64) -> Option<Sprite> {
        let ring = look % TONES.len();
        let fill = (look / TONES.len()) % (TONES.len() + KEY_COLOURS.len());
        let kind = KINDS[look / TONES.len() / (TONES.len() + KEY_COLOURS.len())];
        // An even size in device pixels, so the centre falls on a pixel corner.
        let reach = if ring > 0 { r + 2.5 } else { r };
        let half = (reach * dpr).ceil() as u32 + 1;
        let c = f64::from(half) / dpr;
        let ctx = self.easel(2 * half, 2 * half, dpr)?;
        let colour = if fill < TONES.len() { tone_colour(TONES[fill]) } else { KEY_COLOURS[fill - TONES.len()] };
        ctx.set_fill_style_str(colour);
        ctx.begin_path();
        match kind {
            TokenKind::Message => ctx.rect(c - r, c - r, 2.0 * r, 2.0 * r),
            TokenKind::Request => {
                let _ = ctx.arc(c, c, r, 0.0, std::f64::consts::TAU);
            }
            TokenKind::Response => {
                let _ = ctx.arc(c, c, r * 0.75, 0.0, std::f64::consts::TAU);
            }
        }
        ctx.fill();
        // Keyed tokens take their key's colour; the tone then shows as a ring.
        if ring > 0 {
            ctx.set_stroke_style_str(tone_colour(TONES[ring]));
            ctx.set_line_width(2.0);
            ctx.begin_path();
            let _ = ctx.arc(c, c, r + 1.5, 0.0, std::f64::consts::TAU);
            ctx.stroke();
        }
        // Answers get a light ring so they read apart from requests.
        if kind == TokenKind::Response {
            ctx.set_stroke_style_str("rgba(255,255,255,0.85)");
            ctx.set_line_width(1.2);
            ctx.begin_path();
            let _ = ctx.arc(c, c, r * 0.75, 0.0, std::f64::consts::TAU);
            ctx.stroke();
        }
        let side = 2 * half as usize;
        let rgba = ctx.get_image_data(0.0, 0.0, f64::from(2 * half), f64::from(2 * half)).ok()?.data().0;
        Some(Sprite::new(side, side, (half as i32, half as i32), &rgba))
    }

    /// Draws the chip "×count", `label_w` CSS pixels of text wide.
    fn draw_chip(&mut self, count: u32, label_w: f64, dpr: f64) -> Option<Sprite> {
        let (w, h) = (((label_w + 2.0) * dpr).ceil() as u32, (13.0 * dpr).ceil() as u32);
        let ctx = self.easel(w, h, dpr)?;
        ctx.set_fill_style_str("rgba(255,255,255,0.85)");
        ctx.fill_rect(0.0, 0.0, label_w + 2.0, 13.0);
        ctx.set_font("600 10px system-ui, sans-serif");
        ctx.set_text_baseline("middle");
        ctx.set_fill_style_str(COUNT_INK);
        let _ = ctx.fill_text(&format!("×{count}"), 1.0, 6.5);
        let rgba = ctx.get_image_data(0.0, 0.0, f64::from(w), f64::from(h)).ok()?.data().0;
        Some(Sprite::new(w as usize, h as usize, (0, 0), &rgba))
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

/// Digits of `n` in decimal.
fn count_digits(n: u32) -> usize {
    n.checked_ilog10().map_or(1, |d| d as usize + 1)
}

/// Stamps `s` into the frame `pixels` (`size` in device pixels) with its
/// anchor at `at` (device pixels, rounded); the area it covered, if any.
/// A word a pixel and one pass: most pixels land on nothing drawn yet or
/// are opaque, a copy; only edges over other tokens blend.
fn stamp(pixels: &mut [u32], size: (usize, usize), s: &Sprite, at: (f64, f64)) -> Option<Area> {
    let (w, h) = (size.0 as i64, size.1 as i64);
    let left = at.0.round() as i64 - i64::from(s.at.0);
    let top = at.1.round() as i64 - i64::from(s.at.1);
    let (x0, y0) = (left.max(0), top.max(0));
    let (x1, y1) = ((left + s.w as i64).min(w), (top + s.h as i64).min(h));
    if x0 >= x1 || y0 >= y1 {
        return None;
    }
    for y in y0..y1 {
        let sy = (y - top) as usize;
        // Only the row's inked span, within the canvas.
        let (from, to) = s.ink[sy];
        let a = x0.max(left + from as i64);
        let b = x1.min(left + to as i64);
        if a >= b {
            continue;
        }
        // The opaque run is one copy; the edges around it blend.
        let (sa, sb) = s.solid[sy];
        let (sa, sb) = ((left + sa as i64).clamp(a, b), (left + sb as i64).clamp(a, b));
        let row = (y * w) as usize;
        let src_row = sy * s.w;
        let at = |x: i64| (x - left) as usize + src_row;
        let (sa, sb) = if sa < sb { (sa, sb) } else { (b, b) };
        pixels[row + sa as usize..row + sb as usize].copy_from_slice(&s.px[at(sa)..at(sb)]);
        for (from, to) in [(a, sa), (sb, b)] {
            if from < to {
                over(&mut pixels[row + from as usize..row + to as usize], &s.px[at(from)..at(to)]);
            }
        }
    }
    Some(Area { x0: x0 as usize, y0: y0 as usize, x1: x1 as usize, y1: y1 as usize })
}

/// `src` over `dst`, pixel by pixel: a copy where nothing is drawn yet or
/// `src` is opaque, a blend where both have some alpha.
fn over(dst: &mut [u32], src: &[u32]) {
    for (d, &p) in dst.iter_mut().zip(src) {
        if *d == 0 || alpha(p) == 255 {
            *d = p;
        } else if alpha(p) != 0 {
            *d = if alpha(*d) == 0 { p } else { blend(*d, p) };
        }
    }
}

/// A cheap hasher for the small integer keys of the chip grid and cache
/// (the standard SipHash was a tenth of a 5,000-token frame).
#[derive(Default)]
struct CheapHasher(u64);

impl std::hash::Hasher for CheapHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        bytes.iter().for_each(|b| self.write_u64(u64::from(*b)));
    }
    fn write_u32(&mut self, n: u32) {
        self.write_u64(u64::from(n));
    }
    fn write_i64(&mut self, n: i64) {
        self.write_u64(n as u64);
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = (self.0.rotate_left(5) ^ n).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
}

type Cheap = std::hash::BuildHasherDefault<CheapHasher>;
