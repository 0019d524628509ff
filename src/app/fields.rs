//! One inspector field: its label, input, unit, the default an empty field
//! means, and the message when a value is refused.
//!
//! Typing applies each valid value at once (the canvas follows as you type)
//! without touching the history; leaving the field (Enter, Tab, a click
//! elsewhere) records the whole edit as one undo step, like a drag. A value
//! the parser or the validator refuses stays in the box with its message
//! and never reaches the document, so never the engine.

use super::sig::{flag, text};
use super::state::use_ctx;
use crate::editor::fields::{self, Field, Input};
use crate::editor::parse::{self, DIST_SHAPES};
use crate::engine::format::validate::Place;
use crate::engine::format::Scenario;
use leptos::prelude::*;

/// A DOM id for a field, unique within the inspector.
fn dom_id(place: &Place, key: &str) -> String {
    let p = match place {
        Place::Scenario => "scenario".to_string(),
        Place::Node(_) => "node".to_string(),
        Place::Link(_) => "link".to_string(),
        Place::Fault(i) => format!("fault{i}"),
        Place::Change(i) => format!("change{i}"),
    };
    format!("f-{p}-{}", key.replace('.', "-"))
}

/// Typing state shared by a field's inputs.
#[derive(Clone, Copy)]
struct Typing {
    ctx: super::state::Ctx,
    /// The document before the first keystroke of this edit.
    before: StoredValue<Option<Scenario>>,
    /// What is in the box while typing (the document may hold less).
    draft: RwSignal<Option<String>>,
    error: RwSignal<Option<String>>,
    /// While a run goes: the field being typed into, to become a change
    /// when the edit is done (each keystroke would be one otherwise).
    live: StoredValue<Option<(Place, &'static str)>>,
}

impl Typing {
    fn new() -> Typing {
        Typing {
            ctx: use_ctx(),
            before: StoredValue::new(None),
            draft: RwSignal::new(None),
            error: RwSignal::new(None),
            live: StoredValue::new(None),
        }
    }

    // Every access below is a `try_` one: a field's handlers can run after
    // its panel was replaced (a blur fires once a focused box is removed),
    // and touching a disposed signal would panic.

    /// Applies `text` live; the first keystroke remembers the document.
    /// While a run goes, a setting is only checked as it is typed and
    /// changes the run once the edit is done.
    fn input(&self, place: &Place, key: &'static str, text: String) {
        let ctx = self.ctx;
        if ctx.is_live_field(place, key) {
            self.draft.try_set(Some(text.clone()));
            self.live.try_set_value(Some((place.clone(), key)));
            self.error.try_set(ctx.check_live(place, key, &text).err());
            return;
        }
        if self.before.try_with_value(Option::is_none) == Some(true) {
            self.before.try_set_value(Some(ctx.doc.get_untracked()));
        }
        self.draft.try_set(Some(text.clone()));
        let next = ctx.doc.with_untracked(|d| fields::set(d, place, key, &text));
        match next {
            Ok(next) => {
                self.error.try_set(None);
                ctx.doc.set(next);
            }
            Err(e) => {
                self.error.try_set(Some(e));
            }
        }
    }

    /// Leaving the field: one undo step for the whole edit.
    fn done(&self) {
        let ctx = self.ctx;
        if let Some((place, key)) = self.live.try_update_value(Option::take).flatten() {
            let text = self.draft.try_get_untracked().flatten().unwrap_or_default();
            if self.error.try_get_untracked().flatten().is_none() {
                let r = ctx.live_set(&place, key, &text);
                self.error.try_set(r.err());
            }
        }
        if let Some(before) = self.before.try_update_value(Option::take).flatten() {
            ctx.commit(before);
        }
        if self.error.try_get_untracked().flatten().is_none() {
            self.draft.try_set(None);
        }
    }

    /// A one-shot change (menus, checkboxes).
    fn set(&self, place: &Place, key: &str, text: &str) {
        let ctx = self.ctx;
        if ctx.is_live_field(place, key) {
            self.error.try_set(ctx.live_set(place, key, text).err());
            return;
        }
        let r = ctx.try_edit(|d| fields::set(d, place, key, text));
        self.error.try_set(r.err());
    }
}

#[component]
pub fn FieldRow(place: Place, field: Field) -> impl IntoView {
    let ctx = use_ctx();
    let typing = Typing::new();
    // A panel replaced mid-edit still records the edit.
    on_cleanup(move || typing.done());
    let key = field.key;
    let id = dom_id(&place, key);
    let err_id = format!("{id}-err");
    let help_id = format!("{id}-help");
    let p = place.clone();
    let value = Memo::new(move |_| ctx.field_value(&p, key));
    let p = place.clone();
    // Problems already in the document (an imported file, an old link).
    let problem = Memo::new(move |_| {
        ctx.problems.with(|all| {
            all.iter()
                .find(|x| {
                    x.severity == crate::engine::format::Severity::Error
                        && x.place == p
                        && x.field.as_deref() == Some(key)
                })
                .map(|x| x.message.clone())
        })
    });
    let message = text(move || typing.error.get().or_else(|| problem.get()).unwrap_or_default());
    let invalid = text(move || (!message.get().is_empty()).to_string());

    let input = match field.input {
        Input::Choice(options) => choice(typing, place.clone(), key, &id, options, &field.default, value).into_any(),
        Input::Queue => queue_choice(typing, place.clone(), key, &id, value).into_any(),
        Input::Bool => checkbox(typing, place.clone(), key, &id, value).into_any(),
        Input::Dist => dist(typing, place.clone(), key, &id, &field.default, value).into_any(),
        _ => {
            let p1 = place.clone();
            let mode = match field.input {
                Input::Number | Input::Fraction => "decimal",
                Input::Integer => "numeric",
                _ => "text",
            };
            view! {
                <input
                    id=id.clone()
                    type="text"
                    inputmode=mode
                    autocomplete="off"
                    spellcheck="false"
                    placeholder=field.default.clone()
                    aria-invalid=invalid
                    aria-describedby=format!("{help_id} {err_id}")
                    prop:value=text(move || typing.draft.get().unwrap_or_else(|| value.get()))
                    on:input=move |ev| typing.input(&p1, key, event_target_value(&ev))
                    on:change=move |_| typing.done()
                    on:blur=move |_| typing.done()
                    on:keydown=move |ev: web_sys::KeyboardEvent| {
                        if ev.key() == "Enter" {
                            typing.done();
                        }
                    }
                />
            }
            .into_any()
        }
    };
    let is_bool = matches!(field.input, Input::Bool);
    view! {
        <div class=if is_bool { "field field-bool" } else { "field" } title=field.help>
            <label for=id.clone()>{field.label}</label>
            <div class="field-input">
                {input}
                {(!field.unit.is_empty()).then(|| view! { <span class="unit">{field.unit}</span> })}
            </div>
            <p class="field-default">{default_hint(&field, value)}</p>
            <p class="visually-hidden" id=help_id.clone()>{field.help}</p>
            <p class="field-error" id=err_id.clone() aria-live="polite">{message}</p>
        </div>
    }
}

/// What an empty field means. Under an empty field it is the value in use
/// ("default 10 ms"); under a set one it is set apart in brackets, so it
/// never reads as contradicting the value above it.
fn default_hint(field: &Field, value: Memo<String>) -> Option<Signal<String>> {
    if matches!(field.input, Input::Bool) || field.default.is_empty() {
        return None;
    }
    let default = field.default.clone();
    // "(default the id)" under a name, "(default required)" under a value,
    // say nothing.
    let only_when_empty = matches!(field.input, Input::Text) || default == "required";
    Some(text(move || match (value.with(String::is_empty), only_when_empty) {
        (true, _) if default == "required" => "required".into(),
        (true, _) => format!("default {default}"),
        (false, true) => String::new(),
        (false, false) => format!("(default {default})"),
    }))
}

fn choice(
    typing: Typing,
    place: Place,
    key: &'static str,
    id: &str,
    options: &'static [&'static str],
    default: &str,
    value: Memo<String>,
) -> impl IntoView {
    let default = format!("default ({default})");
    view! {
        <select
            id=id.to_string()
            prop:value=value
            on:change=move |ev| typing.set(&place, key, &event_target_value(&ev))
        >
            <option value="">{default}</option>
            {options.iter().map(|o| view! { <option value=*o>{o.replace('_', " ")}</option> }).collect_view()}
        </select>
    }
}

fn queue_choice(typing: Typing, place: Place, key: &'static str, id: &str, value: Memo<String>) -> impl IntoView {
    let ctx = use_ctx();
    let own = match &place {
        Place::Node(id) => id.clone(),
        _ => String::new(),
    };
    let queues = Memo::new(move |_| {
        ctx.doc.with(|d| {
            d.nodes
                .iter()
                // Dead letters and alternates may go to a queue or an exchange.
                .filter(|n| {
                    matches!(n.kind, crate::engine::format::NodeKind::Queue | crate::engine::format::NodeKind::Exchange)
                })
                .filter(|n| n.id != own)
                .map(|n| (n.id.clone(), n.display_name().to_string()))
                .collect::<Vec<_>>()
        })
    });
    view! {
        <select
            id=id.to_string()
            prop:value=value
            on:change=move |ev| typing.set(&place, key, &event_target_value(&ev))
        >
            <option value="">"none: dropped"</option>
            {move || {
                queues
                    .get()
                    .into_iter()
                    .map(|(id, name)| view! { <option value=id.clone()>{name}</option> })
                    .collect_view()
            }}
        </select>
    }
}

fn checkbox(typing: Typing, place: Place, key: &'static str, id: &str, value: Memo<String>) -> impl IntoView {
    view! {
        <input
            id=id.to_string()
            type="checkbox"
            prop:checked=flag(move || value.get() == "true")
            on:change=move |ev| {
                let on = event_target_checked(&ev);
                typing.set(&place, key, if on { "true" } else { "" });
            }
        />
    }
}

/// A distribution: a shape menu and one or two numbers.
fn dist(
    typing: Typing,
    place: Place,
    key: &'static str,
    id: &str,
    default: &str,
    value: Memo<String>,
) -> impl IntoView {
    let parts = Memo::new(move |_| {
        let v = value.get();
        if v.is_empty() {
            (String::new(), Vec::new())
        } else {
            parse::dist_parts(&v)
        }
    });
    // The default's mean, to seed the numbers when a shape is first chosen.
    let seed = parse::duration_ms(default).unwrap_or(10.0);
    let p1 = place.clone();
    let on_shape = move |ev: leptos::ev::Event| {
        let shape = event_target_value(&ev);
        if shape.is_empty() {
            typing.set(&p1, key, "");
            return;
        }
        let (_, nums) = parts.get_untracked();
        let a = nums.first().and_then(|t| parse::duration_ms(t).ok()).unwrap_or(seed);
        let d = parse::duration_text;
        let text = match shape.as_str() {
            "uniform" => format!("uniform {} {}", d(a / 2.0), d(a * 1.5)),
            "normal" => format!("normal {} {}", d(a), d(a / 4.0)),
            "lognormal" => format!("lognormal {} {}", d(a.max(0.001)), d(a.max(0.001) * 5.0)),
            s => format!("{s} {}", d(a)),
        };
        typing.set(&p1, key, &text);
    };
    let number = move |which: usize, label_id: String, aria: Option<String>| {
        let place = place.clone();
        let on_input = move |ev: leptos::ev::Event| {
            let (shape, mut nums) = parts.get_untracked();
            let shape = if shape.is_empty() { "const".to_string() } else { shape };
            let want = parse::dist_params(&shape).len();
            nums.resize(want, String::new());
            if let Some(slot) = nums.get_mut(which) {
                *slot = event_target_value(&ev);
            }
            let text = if nums.iter().all(|n| n.trim().is_empty()) {
                String::new()
            } else {
                format!("{shape} {}", nums.join(" "))
            };
            typing.input(&place, key, text);
        };
        let shown = move || {
            let (shape, nums) = parts.get();
            let name =
                parse::dist_params(if shape.is_empty() { "const" } else { &shape }).get(which).copied().unwrap_or("");
            (nums.get(which).cloned().unwrap_or_default(), name)
        };
        view! {
            <input
                id=label_id
                type="text"
                autocomplete="off"
                spellcheck="false"
                class="dist-num"
                aria-label=aria
                placeholder=text(move || shown().1.to_string())
                prop:value=text(move || shown().0)
                on:input=on_input
                on:change=move |_| typing.done()
                on:blur=move |_| typing.done()
            />
        }
    };
    let second_label = move || {
        let (shape, _) = parts.get();
        parse::dist_params(&shape).get(1).map(|s| s.to_string())
    };
    let default = format!("default ({default})");
    let first = number(0, id.to_string(), None);
    let second = {
        let number = number.clone();
        move || second_label().map(|name| number(1, String::new(), Some(name)))
    };
    view! {
        <select class="dist-shape" aria-label="Shape" prop:value=text(move || parts.get().0) on:change=on_shape>
            <option value="">{default}</option>
            {DIST_SHAPES.iter().map(|s| view! { <option value=*s>{shape_name(s)}</option> }).collect_view()}
        </select>
        {first}
        {second}
    }
}

fn shape_name(s: &str) -> &'static str {
    match s {
        "const" => "constant",
        "exp" => "exponential",
        "uniform" => "uniform",
        "normal" => "normal",
        _ => "lognormal",
    }
}
