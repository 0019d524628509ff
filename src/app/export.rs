//! The Export dialog in the top bar: the scenario, the run's figures
//! (node table and per-second series as CSV, the report as JSON), the
//! diagram as SVG and PNG as drawn in the current theme, an animated GIF
//! of the run's first seconds, and real configuration for what the diagram
//! says (RabbitMQ definitions, resilience4j YAML, Kafka topic settings).
//!
//! The text files come from `engine::export`, the same functions
//! `crosstalk export` prints. Figures are the run's so far (a run that has
//! not started gives files with their headers only). The GIF replays the
//! run from time zero frame by frame, each frame the canvas as drawn
//! (diagram and tokens, fitted to the diagram), and leaves the run paused
//! where it ended.
//!
//! A download closes the dialog (a toast names the file); progress and
//! problems show in the dialog's status line.

use super::pictures;
use super::run::Status;
use super::share;
use super::state::{use_ctx, Ctx};
use crate::editor::animation::GifWriter;
use crate::engine::export::{self, Format};
use leptos::prelude::*;
use wasm_bindgen::{JsCast, JsValue};

/// The PNG is drawn at twice the SVG's size, for sharp text on any screen.
pub const PNG_SCALE: f64 = 2.0;
/// GIF frames per simulated second (each frame shows 100 ms of the run).
const GIF_FPS: u32 = 10;
/// A GIF frame is at most this wide (the canvas is scaled down to it).
const GIF_MAX_W: f64 = 720.0;
const GIF_MAX_SECONDS: u32 = 30;

fn save_text(file: &str, mime: &str, text: &str) {
    pictures::save(file, mime, &JsValue::from_str(text));
}

fn export_text(ctx: Ctx, f: Format) -> String {
    let (report, series) = ctx.run.snap.with_untracked(|s| (s.report.clone(), s.series.clone()));
    let (file, text) =
        ctx.doc.with_untracked(|d| (export::file_name(d, f.file_suffix()), export::text(f, d, &report, &series)));
    save_text(&file, f.mime(), &text);
    file
}

async fn export_png(ctx: Ctx) -> Result<String, String> {
    let svg = pictures::diagram_svg(ctx, true)?;
    let raster = pictures::raster(ctx, &svg, PNG_SCALE, false, &[]).await?;
    let blob = raster.png().await?;
    let file = ctx.doc.with_untracked(|d| export::file_name(d, ".png"));
    pictures::save(&file, "image/png", &blob);
    Ok(file)
}

/// Replays the run's first `seconds` into a GIF; says where it went.
async fn export_gif(ctx: Ctx, seconds: u32, progress: RwSignal<String>) -> Result<String, String> {
    let doc = ctx.doc.get_untracked();
    ctx.run.reset();
    let frames = seconds * GIF_FPS;
    let frame_ms = 1000.0 / f64::from(GIF_FPS);
    // The whole diagram in view, each frame cropped to it.
    ctx.fit();
    pictures::frame().await;
    let crop = pictures::world_rect(ctx)?;
    let w = crop.get(2).copied().unwrap_or(GIF_MAX_W);
    let scale = if w > GIF_MAX_W { GIF_MAX_W / w } else { 1.0 };
    let mut gif: Option<GifWriter> = None;
    for k in 0..frames {
        ctx.run.advance_paused(&doc, if k == 0 { 0.0 } else { frame_ms })?;
        // Let the diagram show this instant before it is drawn.
        pictures::frame().await;
        let svg = pictures::diagram_svg(ctx, false)?;
        let raster = pictures::raster(ctx, &svg, scale, true, &crop).await?;
        if gif.is_none() {
            gif = Some(GifWriter::new(raster.width, raster.height, (100 / GIF_FPS) as u16).map_err(|e| e.to_string())?);
        }
        if let Some(g) = gif.as_mut() {
            g.add_rgba(&raster.rgba()?).map_err(|e| e.to_string())?;
        }
        progress.set(format!("Recording the animation: frame {} of {frames}", k + 1));
        if ctx.run.status.get_untracked() == Status::Finished {
            break;
        }
    }
    let gif = gif.ok_or("no frame was drawn")?;
    let n = gif.frames();
    let bytes = gif.finish().map_err(|e| e.to_string())?;
    let file = ctx.doc.with_untracked(|d| export::file_name(d, ".gif"));
    pictures::save(&file, "image/gif", &js_sys::Uint8Array::from(bytes.as_slice()).into());
    Ok(format!("{file} ({n} frames)"))
}

/// One item of the dialog.
#[derive(Clone, Copy, PartialEq)]
enum Item {
    Scenario,
    Text(Format),
    Svg,
    Png,
    Gif,
}

impl Item {
    /// The button people read.
    fn title(self) -> &'static str {
        match self {
            Item::Scenario => "Scenario (JSON)",
            Item::Text(Format::Csv) => "Node table (CSV)",
            Item::Text(Format::SeriesCsv) => "Per-second series (CSV)",
            Item::Text(Format::Json) => "Run report (JSON)",
            Item::Text(Format::Rabbitmq) => "RabbitMQ definitions (JSON)",
            Item::Text(Format::Resilience4j) => "resilience4j (YAML)",
            Item::Text(Format::Kafka) => "Kafka topics (JSON)",
            Item::Svg => "Diagram (SVG)",
            Item::Png => "Diagram (PNG)",
            Item::Gif => "Animation (GIF)",
        }
    }
}

/// The dialog's groups: heading and items (one list, so the view is
/// built by one loop rather than ten hand-written buttons).
const GROUPS: [(&str, &[Item]); 3] = [
    (
        "Scenario and figures",
        &[Item::Scenario, Item::Text(Format::Csv), Item::Text(Format::SeriesCsv), Item::Text(Format::Json)],
    ),
    ("Pictures", &[Item::Svg, Item::Png, Item::Gif]),
    (
        "Configuration for real systems",
        &[Item::Text(Format::Rabbitmq), Item::Text(Format::Resilience4j), Item::Text(Format::Kafka)],
    ),
];

/// What the dialog shares with its items.
#[derive(Clone, Copy)]
struct Dialog {
    ctx: Ctx,
    open: RwSignal<bool>,
    busy: RwSignal<bool>,
    progress: RwSignal<String>,
    seconds: RwSignal<String>,
    opener: NodeRef<leptos::html::Button>,
}

impl Dialog {
    fn close(self) {
        if self.open.get_untracked() {
            self.open.set(false);
            if let Some(b) = self.opener.get_untracked() {
                let _ = b.focus();
            }
        }
    }

    /// A finished download closes the dialog, as picking a menu item does.
    fn done(self, what: String) {
        self.progress.set(String::new());
        self.close();
        self.ctx.say(format!("Saved {what}"));
    }

    fn fail(self, e: String) {
        self.progress.set(format!("Could not export: {e}"));
    }

    fn spawn(self, job: impl std::future::Future<Output = Result<String, String>> + 'static) {
        self.busy.set(true);
        leptos::task::spawn_local(async move {
            match job.await {
                Ok(what) => self.done(what),
                Err(e) => self.fail(e),
            }
            self.busy.set(false);
        });
    }

    fn act(self, item: Item) {
        let ctx = self.ctx;
        match item {
            Item::Scenario => {
                let (name, json) = ctx.doc.with_untracked(|d| (share::file_name(d), d.to_json_pretty()));
                share::download(&name, &json);
                self.done(name);
            }
            Item::Text(f) => self.done(export_text(ctx, f)),
            Item::Svg => match pictures::diagram_svg(ctx, true) {
                Ok(text) => {
                    let file = ctx.doc.with_untracked(|d| export::file_name(d, ".svg"));
                    save_text(&file, "image/svg+xml", &text);
                    self.done(file);
                }
                Err(e) => self.fail(e),
            },
            Item::Png => self.spawn(export_png(ctx)),
            Item::Gif => {
                let text = self.seconds.get_untracked();
                match text.trim().parse::<u32>() {
                    Ok(n) if (1..=GIF_MAX_SECONDS).contains(&n) => self.spawn(export_gif(ctx, n, self.progress)),
                    _ => self.progress.set(format!(
                        "Animation length: a whole number of seconds from 1 to {GIF_MAX_SECONDS}, not “{text}”"
                    )),
                }
            }
        }
    }
}

#[component]
pub fn ExportMenu() -> impl IntoView {
    let ctx = use_ctx();
    let dialog = Dialog {
        ctx,
        open: RwSignal::new(false),
        busy: RwSignal::new(false),
        progress: RwSignal::new(String::new()),
        seconds: RwSignal::new("5".to_string()),
        opener: NodeRef::new(),
    };
    let Dialog { open, busy, progress, seconds, opener, .. } = dialog;
    let esc = window_event_listener(leptos::ev::keydown, move |ev: web_sys::KeyboardEvent| {
        if ev.key() == "Escape" {
            dialog.close();
        }
    });
    on_cleanup(move || esc.remove());
    let toggle = move |_| {
        progress.set(String::new());
        open.update(|o| *o = !*o);
        if open.get_untracked() {
            // The first item takes the focus once the dialog is drawn.
            request_animation_frame(move || {
                let first = document().query_selector(".export-dialog button").ok().flatten();
                if let Some(b) = first.and_then(|el| el.dyn_into::<web_sys::HtmlElement>().ok()) {
                    let _ = b.focus();
                }
            });
        }
    };
    let figures_note = move || {
        let status = ctx.run.status.get();
        ctx.run.snap.with(|s| {
            if status == Status::Idle {
                "No run yet: the figures are zeros and the series is empty. Run the scenario first.".to_string()
            } else {
                format!("Figures as of {:.1} s of {:.1} s simulated.", s.now_ms / 1000.0, s.end_ms / 1000.0)
            }
        })
    };
    let groups = GROUPS
        .iter()
        .enumerate()
        .map(|(g, (heading, items))| {
            let buttons = items
                .iter()
                .map(|&item| {
                    view! {
                        <button type="button" disabled=move || busy.get() on:click=move |_| dialog.act(item)>
                            {item.title()}
                        </button>
                    }
                })
                .collect_view();
            // The GIF's length beside the pictures, the figures' time below them.
            let extra = match g {
                0 => view! { <p class="muted">{figures_note}</p> }.into_any(),
                1 => view! {
                    <label class="inline-field">
                        "Animation: first"
                        <input type="number" min="1" max=GIF_MAX_SECONDS step="1" class="gif-seconds"
                            prop:value=seconds on:change=move |ev| seconds.set(event_target_value(&ev))/>
                        <span class="unit">"s"</span>
                    </label>
                }
                .into_any(),
                _ => ().into_any(),
            };
            view! {
                <div class="export-group" role="group" aria-label=*heading>
                    <p class="export-heading">{*heading}</p>
                    {buttons}
                    {extra}
                </div>
            }
        })
        .collect_view();
    view! {
        <div class="menu-wrap export">
            <button
                type="button"
                node_ref=opener
                aria-haspopup="dialog"
                aria-expanded=move || open.get().to_string()
                title="Download the scenario, its figures, pictures of the diagram or configuration for it"
                on:click=toggle
            >
                "Export"
            </button>
            <div class="menu-backdrop" hidden=move || !open.get() on:click=move |_| dialog.close()></div>
            <div class="popover export-dialog" role="dialog" aria-label="Export" hidden=move || !open.get()>
                <p class="popover-title">"Export"</p>
                {groups}
                <p class="muted export-status" role="status">{move || progress.get()}</p>
            </div>
        </div>
    }
}
