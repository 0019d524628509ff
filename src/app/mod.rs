//! The Leptos playground app (built with the `ui` feature).
//!
//! Layout: the top bar, the palette on the left, the canvas in the middle,
//! the inspector on the right and the results at the bottom. State is
//! described in `state.rs`; the engine is driven from `run.rs`.

mod bench;
mod broker_view;
mod canvas;
mod cells;
mod charts;
mod dead_letters;
mod export;
mod faults;
mod fields;
mod frozen;
mod gradual;
mod hud;
mod icons;
mod inspector;
mod keys;
mod layout;
mod lesson;
mod lessons;
mod library;
mod link_table;
mod link_view;
mod menu;
mod node_view;
mod palette;
mod pictures;
mod pool;
mod presets;
mod regions;
mod replications;
mod results;
mod run;
mod runaway;
mod saved;
mod scrub;
mod share;
mod shortcuts;
mod sig;
mod slice;
mod state;
mod tokens;
mod topbar;
mod trace_view;

use crate::editor::gesture::Gesture;
use crate::editor::viewport::Viewport;
use leptos::prelude::*;
use state::{use_ctx, Ctx};

/// How long after the page starts its engine worker starts loading
/// (`pool::warm`): after the first frames, well before a first Run to end.
const WARM_WORKER_AFTER_MS: u64 = 250;

/// Mounts the app on `<body>`.
pub fn mount() {
    // Panic messages in the console while developing; a release build
    // leaves the hook (and its formatting code) out of the wasm.
    #[cfg(debug_assertions)]
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(App);
    // The static "Loading…" in index.html has done its job.
    if let Some(splash) = document().get_element_by_id("splash") {
        splash.remove();
    }
}

#[component]
fn App() -> impl IntoView {
    let (doc, alert) = share::initial();
    let speed = crate::editor::examples::start_speed(&doc);
    let ctx = Ctx::new(doc, Viewport::default());
    ctx.run.set_speed(speed);
    ctx.alert.set(alert);
    provide_context(ctx);
    // Created here, not by the canvas, so the results table shares them.
    provide_context(cells::Cells::new(ctx));
    let panels = layout::Layout::new(ctx.window);
    provide_context(panels);
    let menu = menu::Menu::new();
    provide_context(menu);
    lessons::provide(ctx);

    // Every change of the document: keep it (unless a drag is in the
    // middle of moving things) and let the run know.
    Effect::new(move |_| {
        let moving = ctx.gesture.with_untracked(|g| matches!(g, Some(Gesture::Move { .. })));
        ctx.doc.with(|d| {
            if !moving {
                if let Some(problem) = share::keep(d) {
                    ctx.alert.set(Some(problem));
                }
            }
            if ctx.run.on_doc(d) {
                ctx.say("The run was reset: the scenario changed");
            }
        });
    });
    keys::install(ctx);
    shortcuts::install(ctx, panels, menu);
    let hash = window_event_listener_untyped("hashchange", move |_| share::on_hash_change(ctx));
    std::mem::forget(hash);
    let resize = window_event_listener_untyped("resize", move |_| {
        ctx.measure();
        ctx.window.set(state::window_size());
    });
    std::mem::forget(resize);
    run::start_loop(ctx.run);
    request_animation_frame(move || ctx.fit());
    // The engine's worker loads once the page has drawn and settled.
    set_timeout(pool::warm, std::time::Duration::from_millis(WARM_WORKER_AFTER_MS));
    // An embedded player (`#…&embed`): the diagram, the run and the lesson
    // only, read-only.
    let embed = share::embedded();
    let root = layout::root_class(panels, ctx.run.status);
    let root = sig::text(move || if embed { format!("{} embed", root.get()) } else { root.get() });

    view! {
        <div class=root>
            <topbar::TopBar/>
            <AlertBanner/>
            <runaway::RunawayNotice/>
            <div class="workspace">
                <lessons::LessonPanel/>
                {(!embed).then(|| view! { <palette::Palette/> })}
                <main
                    class="stage"
                    data-in-flight=sig::text(move || ctx.run.snap.with(|s| s.in_flight.to_string()))
                    data-tokens=sig::text(move || ctx.run.snap.with(|s| s.tokens.to_string()))
                >
                    <canvas::Canvas/>
                    <scrub::Scrub/>
                </main>
                {(!embed).then(|| view! {
                    <inspector::Inspector/>
                    <layout::PanelToggles/>
                    <lessons::StageChips/>
                })}
                <lessons::CompareView/>
                <lessons::CompareBar/>
            </div>
            {(!embed).then(|| view! {
                <layout::ResultsDock>
                    <results::Results/>
                </layout::ResultsDock>
            })}
            <ToastView/>
            <lessons::Overlays/>
        </div>
    }
}

/// A message that stays until dismissed: a link or file that could not be
/// opened.
#[component]
fn AlertBanner() -> impl IntoView {
    let ctx = use_ctx();
    move || {
        let text = ctx.alert.get()?;
        Some(view! {
            <div class="alert" role="alert">
                <svg class="btn-icon" viewBox="0 0 24 24" aria-hidden="true"><path d="M12 8v5M12 16.5v.01M10.3 3.9L2.4 18a2 2 0 0 0 1.7 3h15.8a2 2 0 0 0 1.7-3L13.7 3.9a2 2 0 0 0-3.4 0z"/></svg>
                <p>{text}</p>
                <button type="button" class="subtle" on:click=move |_| ctx.alert.set(None)>"Dismiss"</button>
            </div>
        })
    }
}

#[component]
fn ToastView() -> impl IntoView {
    let ctx: Ctx = use_ctx();
    move || {
        let t = ctx.toast.get()?;
        let role = if t.error { "alert" } else { "status" };
        Some(view! {
            <div class=if t.error { "toast error" } else { "toast" } role=role>
                {t.text}
            </div>
        })
    }
}
