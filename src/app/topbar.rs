//! The top bar: the scenario's name, file and example menus, undo and
//! redo, the run controls (Run, Pause, Step, Run to end, Reset), speed and
//! seed, and Share.

use super::run::{Status, MAX_SPEED, MIN_SPEED};
use super::share;
use super::sig::{flag, text};
use super::state::{use_ctx, Ctx};
use crate::editor::examples::EXAMPLES;
use crate::editor::parse;
use crate::engine::format::validate::Place;
use crate::engine::format::Scenario;
use leptos::prelude::*;

/// Speeds offered in the speed box's list.
const SPEEDS: [f64; 10] = [0.1, 0.25, 0.5, 1.0, 2.0, 5.0, 10.0, 50.0, 100.0, 1000.0];

#[component]
pub fn TopBar() -> impl IntoView {
    if share::embedded() {
        return view! { <PlayerBar/> }.into_any();
    }
    view! {
        <header class="topbar">
            <div class="brand" aria-hidden="true">
                <svg viewBox="0 0 24 24" class="logo"><path d="M4 7h10M10 17h10M14 7l-4 10"/><circle cx="4" cy="7" r="2"/><circle cx="20" cy="17" r="2"/></svg>
                <span>"Crosstalk"</span>
            </div>
            <NameBox/>
            <FileMenu/>
            <div class="toolbar-group" role="group" aria-label="History">
                <UndoRedo/>
            </div>
            <RunControls/>
            <SpeedSeed/>
            <ShareButton/>
        </header>
    }
    .into_any()
}

/// The embedded player's bar: the name, the run controls and speed, and
/// the way to the full editor.
#[component]
fn PlayerBar() -> impl IntoView {
    let ctx = use_ctx();
    let name =
        move || ctx.doc.with(|d| if d.name.is_empty() { "Untitled scenario".to_string() } else { d.name.clone() });
    view! {
        <header class="topbar player-bar">
            <div class="brand" aria-hidden="true">
                <svg viewBox="0 0 24 24" class="logo"><path d="M4 7h10M10 17h10M14 7l-4 10"/><circle cx="4" cy="7" r="2"/><circle cx="20" cy="17" r="2"/></svg>
            </div>
            <h1 class="player-name" title=name>{name}</h1>
            <RunControls/>
            <SpeedSeed/>
            <a class="open-editor" href=share::editor_link() target="_blank" rel="noopener">"Open in Crosstalk"</a>
        </header>
    }
}

#[component]
fn NameBox() -> impl IntoView {
    let ctx = use_ctx();
    let name = Memo::new(move |_| ctx.doc.with(|d| d.name.clone()));
    let set = move |ev: leptos::ev::Event| {
        let text = event_target_value(&ev);
        if let Err(e) = ctx.try_edit(|d| crate::editor::fields::set(d, &Place::Scenario, "name", &text)) {
            ctx.complain(format!("Name: {e}"));
        }
    };
    view! {
        <div class="name-box">
            <label class="visually-hidden" for="scenario-name">"Scenario name"</label>
            <input
                id="scenario-name"
                type="text"
                placeholder="Untitled scenario"
                maxlength="200"
                autocomplete="off"
                title=name
                prop:value=name
                on:change=set
            />
        </div>
    }
}

#[component]
fn FileMenu() -> impl IntoView {
    let ctx = use_ctx();
    let open = RwSignal::new(false);
    close_on_escape(move || open.set(false));
    let file_input = NodeRef::<leptos::html::Input>::new();
    // Examples and New open as scenarios of their own: the work on screen
    // stays in My scenarios. (A blank page nobody drew on is reused by the
    // next New rather than listed twice.)
    let load_example = move |i: usize| {
        if let Some(e) = EXAMPLES.get(i) {
            super::library::open_new(ctx, e.scenario(), Some(format!("example:{}", e.key)));
            ctx.say(format!("Opened “{}”; your other work is in My scenarios", e.title));
        }
        open.set(false);
    };
    let new_doc = move |_| {
        super::library::open_new(ctx, Scenario { name: "Untitled".into(), ..Scenario::default() }, Some("new".into()));
        ctx.view.set(Default::default());
    };
    let import = move |_| {
        if let Some(el) = file_input.get_untracked() {
            el.set_value("");
            el.click();
        }
    };
    let on_file = move |_| {
        let file = file_input.get_untracked().and_then(|el| el.files()).and_then(|files| files.get(0));
        if let Some(f) = file {
            share::import_file(ctx, f);
        }
    };
    view! {
        <div class="toolbar-group" role="group" aria-label="File">
            <super::library::MyScenarios/>
            <button type="button" title="Start a blank scenario (your work stays in My scenarios)" on:click=new_doc>"New"</button>
            <div class="menu-wrap">
                <button
                    type="button"
                    aria-haspopup="menu"
                    aria-expanded=text(move || open.get().to_string())
                    on:click=move |_| open.update(|o| *o = !*o)
                >
                    "Examples"
                </button>
                <Show when=move || open.get()>
                    <div class="menu-backdrop" on:click=move |_| open.set(false)></div>
                    <ul class="menu" role="menu" aria-label="Examples">
                        {EXAMPLES
                            .iter()
                            .enumerate()
                            .map(|(i, e)| view! {
                                <li role="none">
                                    <button type="button" role="menuitem" data-example=e.key on:click=move |_| load_example(i)>
                                        <span class="menu-title">{e.title}</span>
                                        <span class="menu-sub">{e.lesson}</span>
                                    </button>
                                </li>
                            })
                            .collect_view()}
                    </ul>
                </Show>
            </div>
            <button type="button" title="Open a scenario JSON file" on:click=import>"Import"</button>
            <input
                node_ref=file_input
                type="file"
                accept=".json,application/json"
                class="visually-hidden"
                tabindex="-1"
                aria-hidden="true"
                aria-label="Scenario file to import"
                on:change=on_file
            />
            <super::export::ExportMenu/>
        </div>
    }
}

#[component]
fn UndoRedo() -> impl IntoView {
    let ctx = use_ctx();
    view! {
        <button type="button" class="icon-only" aria-label="Undo" title="Undo (Ctrl+Z)" disabled=flag(move || !ctx.can_undo.get()) on:click=move |_| ctx.undo()>
            <svg class="btn-icon" viewBox="0 0 24 24" aria-hidden="true"><path d="M9 14L4 9l5-5M4 9h10a6 6 0 0 1 0 12h-3"/></svg>
        </button>
        <button type="button" class="icon-only" aria-label="Redo" title="Redo (Ctrl+Shift+Z or Ctrl+Y)" disabled=flag(move || !ctx.can_redo.get()) on:click=move |_| ctx.redo()>
            <svg class="btn-icon" viewBox="0 0 24 24" aria-hidden="true"><path d="M15 14l5-5-5-5M20 9H10a6 6 0 0 0 0 12h3"/></svg>
        </button>
    }
}

/// Closes a menu or popover when Escape is pressed anywhere.
fn close_on_escape(close: impl Fn() + Send + Sync + 'static) {
    let handle = window_event_listener(leptos::ev::keydown, move |ev: web_sys::KeyboardEvent| {
        if ev.key() == "Escape" {
            close();
        }
    });
    on_cleanup(move || handle.remove());
}

fn refuse(ctx: Ctx, r: Result<(), String>) {
    if let Err(e) = r {
        ctx.complain(e);
    }
}

/// Reset: `runs` stop at once (a run in a Web Worker is terminated there),
/// and a run that was going says where it stopped.
pub fn stop(ctx: Ctx, runs: &[crate::app::run::Run]) {
    let going: Vec<f64> = runs
        .iter()
        .filter(|r| r.status.get_untracked().is_active())
        .map(|r| r.snap.with_untracked(|s| s.now_ms))
        .collect();
    runs.iter().for_each(|r| r.reset());
    if let Some(at) = going.iter().copied().reduce(f64::max) {
        let what = if going.len() > 1 { "The runs stopped" } else { "The run stopped" };
        ctx.say(format!("{what} at {:.1} s; back to time zero", at / 1000.0));
    }
}

/// Two runs' state as one set of buttons sees it: going if either goes,
/// finished or idle only if both are, paused otherwise.
fn joint([a, b]: [Status; 2]) -> Status {
    match (a, b) {
        (a, b) if a == b => a,
        (Status::ToEnd, _) | (_, Status::ToEnd) => Status::ToEnd,
        (Status::Running, _) | (_, Status::Running) => Status::Running,
        _ => Status::Paused,
    }
}

#[component]
fn RunControls() -> impl IntoView {
    let ctx = use_ctx();
    // While the comparison is on screen these buttons drive its two runs:
    // the canvas's own run is out of sight, and Run should run what is seen.
    let compare = super::lessons::use_lessons().compare;
    let both = move || compare.open.get_untracked() && compare.active();
    let status = Signal::derive(move || {
        if compare.open.get() && compare.active() {
            joint(compare.runs().map(|r| r.status.get()))
        } else {
            ctx.run.status.get()
        }
    });
    let play = move |_| {
        if both() {
            compare.run_both(ctx, false, None);
        } else {
            refuse(ctx, ctx.doc.with_untracked(|d| ctx.run.play(d)));
        }
    };
    let step = move |_| match compare.docs(ctx).filter(|_| both()) {
        Some(docs) => compare.runs().iter().zip(docs.iter()).for_each(|(r, d)| refuse(ctx, r.step(d))),
        None => refuse(ctx, ctx.doc.with_untracked(|d| ctx.run.step(d))),
    };
    let to_end = move |_| {
        if both() {
            compare.run_both(ctx, true, None);
        } else {
            refuse(ctx, ctx.doc.with_untracked(|d| ctx.run.run_to_end(d)));
        }
    };
    let pause = move |_| {
        if both() {
            compare.runs().iter().for_each(|r| r.pause());
        } else {
            ctx.run.pause();
        }
    };
    let reset = move |_| {
        if both() {
            stop(ctx, &compare.runs());
        } else {
            stop(ctx, &[ctx.run]);
        }
    };
    view! {
        <div class="toolbar-group run-controls" role="group" aria-label="Run">
            <button type="button" class="primary" title="Run in simulated real time" disabled=flag(move || status.get() == Status::Running) on:click=play>
                <svg class="btn-icon" viewBox="0 0 24 24" aria-hidden="true"><path class="fill" d="M7 4.5v15l12-7.5z"/></svg>
                "Run"
            </button>
            <button type="button" title="Pause" disabled=flag(move || !status.get().is_active()) on:click=pause>
                <svg class="btn-icon" viewBox="0 0 24 24" aria-hidden="true"><path d="M8 5v14M16 5v14"/></svg>
                "Pause"
            </button>
            <button type="button" title="Run the next event" disabled=flag(move || status.get() == Status::Finished) on:click=step>
                "Step"
            </button>
            <button type="button" title="Run to the end as fast as possible" disabled=flag(move || matches!(status.get(), Status::Finished | Status::ToEnd)) on:click=to_end>
                "Run to end"
            </button>
            <button type="button" title="Back to time zero" disabled=flag(move || status.get() == Status::Idle) on:click=reset>
                "Reset"
            </button>
        </div>
    }
}

#[component]
fn SpeedSeed() -> impl IntoView {
    let ctx = use_ctx();
    let speed = ctx.run.speed;
    let seed = Memo::new(move |_| ctx.doc.with(|d| d.seed.to_string()));
    let set_speed = move |ev: leptos::ev::Event| {
        let text = event_target_value(&ev);
        match parse::number(text.trim_end_matches(['x', '×'])) {
            Ok(Some(v)) if (MIN_SPEED..=MAX_SPEED).contains(&v) => ctx.run.set_speed(v),
            _ => {
                ctx.complain(format!("Speed is between {MIN_SPEED}× and {MAX_SPEED}×"));
                // Put the box back to the speed in use.
                speed.update(|_| {});
            }
        }
    };
    let set_seed = move |ev: leptos::ev::Event| {
        let text = event_target_value(&ev);
        if let Err(e) = ctx.try_edit(|d| crate::editor::fields::set(d, &Place::Scenario, "seed", &text)) {
            ctx.complain(format!("Seed: {e}"));
            ctx.doc.update(|_| {});
        }
    };
    let speed_text = text(move || {
        let s = speed.get();
        parse::fmt_num(s)
    });
    view! {
        <div class="toolbar-group settings" role="group" aria-label="Settings">
            <label class="inline-field" title="Simulated seconds per real second (0.1× to 1000×)">
                "Speed"
                <input
                    type="number"
                    min="0.1"
                    max="1000"
                    step="any"
                    list="speeds"
                    class="speed"
                    aria-label="Speed"
                    prop:value=speed_text
                    on:change=set_speed
                />
                <span class="unit">"×"</span>
            </label>
            <datalist id="speeds">
                {SPEEDS.iter().map(|s| view! { <option value=parse::fmt_num(*s)></option> }).collect_view()}
            </datalist>
            <label class="inline-field" title="Same scenario + same seed = same run">
                "Seed"
                <input type="number" min="0" step="1" class="seed" prop:value=seed on:change=set_seed/>
            </label>
        </div>
    }
}

#[component]
fn ShareButton() -> impl IntoView {
    let ctx = use_ctx();
    let shown = RwSignal::new(None::<String>);
    let copied = RwSignal::new(false);
    let snippet_copied = RwSignal::new(false);
    let snippet = move || {
        let name = ctx.doc.with(|d| d.name.clone());
        shown.get().map(|url| share::embed_snippet(&url, &name)).unwrap_or_default()
    };
    let copy_snippet = move |_| {
        share::copy(&snippet(), move |ok| snippet_copied.set(ok));
    };
    close_on_escape(move || shown.set(None));
    let share = move |_| {
        let url = ctx.doc.with_untracked(|d| {
            share::show_in_address_bar(d);
            share::link(d)
        });
        copied.set(false);
        snippet_copied.set(false);
        shown.set(Some(url.clone()));
        share::copy(&url, move |ok| {
            copied.set(ok);
        });
    };
    view! {
        <div class="menu-wrap share">
            <button type="button" class="accent" title="Copy a link that opens this scenario" on:click=share>
                <svg class="btn-icon" viewBox="0 0 24 24" aria-hidden="true"><path d="M10 14a4 4 0 0 0 5.7 0l3-3a4 4 0 0 0-5.7-5.7l-1 1M14 10a4 4 0 0 0-5.7 0l-3 3a4 4 0 0 0 5.7 5.7l1-1"/></svg>
                "Share"
            </button>
            <Show when=move || shown.with(Option::is_some)>
                <div class="menu-backdrop" on:click=move |_| shown.set(None)></div>
                <div class="popover" role="dialog" aria-label="Share this scenario">
                    <p class="popover-title">{text(move || if copied.get() { "Link copied to the clipboard" } else { "Copy this link" }.to_string())}</p>
                    <label class="visually-hidden" for="share-link">"Share link"</label>
                    <input id="share-link" type="text" readonly prop:value=text(move || shown.get().unwrap_or_default())
                        on:focus=move |ev| {
                            use wasm_bindgen::JsCast;
                            if let Some(el) = ev.target().and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok()) {
                                el.select();
                            }
                        }
                    />
                    <p class="muted">"Anyone with the link sees this scenario and gets the same run for the same seed."</p>
                    <label class="popover-title embed-title" for="share-embed">"Embed code"</label>
                    <input id="share-embed" type="text" class="mono embed-code" readonly prop:value=snippet
                        on:focus=move |ev| {
                            use wasm_bindgen::JsCast;
                            if let Some(el) = ev.target().and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok()) {
                                el.select();
                            }
                        }
                    />
                    <div class="embed-row">
                        <button type="button" on:click=copy_snippet>"Copy embed code"</button>
                        <span class="muted" role="status">{text(move || if snippet_copied.get() { "Copied".to_string() } else { String::new() })}</span>
                    </div>
                    <p class="muted">"A read-only player for a web page: the diagram, the run controls and the lesson if any, with a link to open it here."</p>
                </div>
            </Show>
        </div>
    }
}
