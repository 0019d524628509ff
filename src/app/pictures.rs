//! The diagram as a picture: SVG text as drawn in the current theme, and
//! that SVG rasterized on a canvas (for PNG, and for the GIF's frames with
//! the tokens' canvas on top).
//!
//! The page's stylesheet does not travel with an SVG file, so every
//! element's computed paint and text properties are written onto its copy
//! as presentation attributes (which the page's Content-Security-Policy
//! allows, unlike inline styles). The few lines of DOM work are plain
//! JavaScript: the same calls through web-sys would cost more bytes.

use leptos::prelude::GetUntracked;
use wasm_bindgen::prelude::*;

#[wasm_bindgen(inline_js = r#"
const P = 'fill stroke stroke-width stroke-dasharray stroke-linecap stroke-linejoin stroke-opacity fill-opacity opacity font-family font-size font-weight font-style text-anchor dominant-baseline display visibility paint-order marker-start marker-end'.split(' ');
const local = (v) => v.replace(/url\("?[^#"]*(#[^")]+)"?\)/g, 'url($1)');
export function diagramSvg(svg, fit) {
  const c = svg.cloneNode(true), a = svg.querySelectorAll('*'), b = c.querySelectorAll('*');
  const world = svg.querySelector('g.world'), copy = c.querySelector('g.world');
  for (let i = 0; i < a.length; i++) {
    const s = getComputedStyle(a[i]);
    for (const p of P) b[i].setAttribute(p, local(s.getPropertyValue(p)));
    b[i].removeAttribute('class');
    b[i].removeAttribute('tabindex');
  }
  c.querySelectorAll('foreignObject').forEach((e) => e.remove());
  c.removeAttribute('class');
  let w = svg.clientWidth, h = svg.clientHeight;
  if (fit && world) {
    const pad = 24, r = world.getBBox(), empty = r.width === 0 && r.height === 0;
    w = Math.max(200, Math.ceil(r.width) + 2 * pad);
    h = Math.max(120, Math.ceil(r.height) + 2 * pad);
    copy.setAttribute('transform', empty ? '' : `translate(${pad - r.x} ${pad - r.y})`);
  }
  w = Math.max(1, w); h = Math.max(1, h);
  c.setAttribute('width', w); c.setAttribute('height', h); c.setAttribute('viewBox', `0 0 ${w} ${h}`);
  const bg = document.createElementNS('http://www.w3.org/2000/svg', 'rect');
  bg.setAttribute('width', w); bg.setAttribute('height', h);
  bg.setAttribute('fill', getComputedStyle(svg.parentElement).backgroundColor);
  c.insertBefore(bg, c.firstChild);
  return new XMLSerializer().serializeToString(c);
}
export function rasterize(text, tokens, scale, crop) {
  return new Promise((ok, fail) => {
    const img = new Image();
    img.onload = () => {
      const [x, y, w, h] = crop.length === 4 ? crop : [0, 0, img.width, img.height];
      const c = document.createElement('canvas');
      c.width = Math.max(1, Math.round(w * scale));
      c.height = Math.max(1, Math.round(h * scale));
      const g = c.getContext('2d');
      g.drawImage(img, x, y, w, h, 0, 0, c.width, c.height);
      const k = tokens ? tokens.width / img.width : 0;
      if (k > 0) g.drawImage(tokens, x * k, y * k, w * k, h * k, 0, 0, c.width, c.height);
      ok(c);
    };
    img.onerror = () => fail(new Error('the diagram could not be drawn as an image'));
    img.src = 'data:image/svg+xml;charset=utf-8,' + encodeURIComponent(text);
  });
}
export function worldRect(svg) {
  const s = svg.getBoundingClientRect(), r = svg.querySelector('g.world').getBoundingClientRect(), p = 12;
  const x = Math.max(0, r.left - s.left - p), y = Math.max(0, r.top - s.top - p);
  const w = Math.min(s.width - x, r.width + 2 * p), h = Math.min(s.height - y, r.height + 2 * p);
  return r.width > 0 && w > 1 && h > 1 ? [x, y, w, h] : [0, 0, s.width, s.height];
}
export function pngOf(c) { return new Promise((ok) => c.toBlob(ok, 'image/png')); }
export function rgbaOf(c) { return new Uint8Array(c.getContext('2d').getImageData(0, 0, c.width, c.height).data.buffer); }
export function save(name, type, data) {
  const blob = data instanceof Blob ? data : new Blob([data], { type });
  const url = URL.createObjectURL(blob), a = document.createElement('a');
  a.href = url; a.download = name; a.click();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
export function nextFrame() { return new Promise((ok) => requestAnimationFrame(() => ok())); }
"#)]
extern "C" {
    /// The diagram as SVG text: fitted to its nodes and links (`fit`), or
    /// the canvas as it is on screen (pan and zoom included).
    #[wasm_bindgen(js_name = diagramSvg, catch)]
    fn diagram_svg_js(svg: &web_sys::Element, fit: bool) -> Result<String, JsValue>;
    /// A canvas with `text` drawn at `scale`, and `tokens` stretched over
    /// it; `crop` (x, y, width, height in the SVG's pixels) or all of it.
    fn rasterize(text: &str, tokens: Option<&web_sys::Element>, scale: f64, crop: &[f64]) -> js_sys::Promise;
    /// Where the diagram is on the canvas, padded: x, y, width, height.
    #[wasm_bindgen(js_name = worldRect, catch)]
    fn world_rect_js(svg: &web_sys::Element) -> Result<Vec<f64>, JsValue>;
    #[wasm_bindgen(js_name = pngOf)]
    fn png_of(canvas: &JsValue) -> js_sys::Promise;
    #[wasm_bindgen(js_name = rgbaOf, catch)]
    fn rgba_of(canvas: &JsValue) -> Result<Vec<u8>, JsValue>;
    /// Offers `data` (a string, bytes or a Blob) as a file download.
    pub fn save(name: &str, mime: &str, data: &JsValue);
    #[wasm_bindgen(js_name = nextFrame)]
    fn next_frame() -> js_sys::Promise;
}

/// A rasterized picture: its canvas and size.
pub struct Raster {
    canvas: JsValue,
    pub width: u32,
    pub height: u32,
}

impl Raster {
    /// The pixels, RGBA row by row.
    pub fn rgba(&self) -> Result<Vec<u8>, String> {
        rgba_of(&self.canvas).map_err(describe)
    }

    /// The picture as a PNG blob.
    pub async fn png(&self) -> Result<JsValue, String> {
        wasm_bindgen_futures::JsFuture::from(png_of(&self.canvas)).await.map_err(describe)
    }
}

fn describe(e: JsValue) -> String {
    e.dyn_ref::<js_sys::Error>().map_or_else(|| "the browser refused".into(), |e| String::from(e.message()))
}

fn svg_element(ctx: super::state::Ctx) -> Option<web_sys::Element> {
    ctx.svg.get_untracked().map(|s| {
        let el: &web_sys::Element = &s;
        el.clone()
    })
}

/// The diagram as SVG text (fitted, or as on screen), or why not.
pub fn diagram_svg(ctx: super::state::Ctx, fit: bool) -> Result<String, String> {
    let el = svg_element(ctx).ok_or("the diagram is not on screen")?;
    diagram_svg_js(&el, fit).map_err(describe)
}

/// Where the diagram is drawn on the canvas (x, y, width, height, CSS
/// pixels), padded, within the canvas.
pub fn world_rect(ctx: super::state::Ctx) -> Result<Vec<f64>, String> {
    let el = svg_element(ctx).ok_or("the diagram is not on screen")?;
    world_rect_js(&el).map_err(describe)
}

/// Draws `svg` at `scale` (cropped to `crop` unless it is empty), with
/// the tokens in flight when `tokens`.
pub async fn raster(
    ctx: super::state::Ctx,
    svg: &str,
    scale: f64,
    tokens: bool,
    crop: &[f64],
) -> Result<Raster, String> {
    let token_canvas = if tokens {
        svg_element(ctx)
            .and_then(|el| el.parent_element())
            .and_then(|p| p.query_selector("canvas.tokens").ok().flatten())
    } else {
        None
    };
    let canvas = wasm_bindgen_futures::JsFuture::from(rasterize(svg, token_canvas.as_ref(), scale, crop))
        .await
        .map_err(describe)?;
    let size = |name: &str| js_sys::Reflect::get(&canvas, &name.into()).ok().and_then(|v| v.as_f64()).unwrap_or(0.0);
    let (width, height) = (size("width") as u32, size("height") as u32);
    Ok(Raster { canvas, width, height })
}

/// Waits for the next animation frame (the DOM shows the latest state).
pub async fn frame() {
    let _ = wasm_bindgen_futures::JsFuture::from(next_frame()).await;
}
