//! One line-drawn icon per node kind (24 × 24, stroked in the current
//! colour), shared by the palette and the canvas.

use crate::engine::format::NodeKind;
use leptos::prelude::*;

/// The icon's strokes as SVG markup, for inside a `<g class="glyph">`:
/// constant text, so each icon is one `innerHTML` instead of an element
/// and a call into the page per shape and attribute (a big diagram
/// builds hundreds of them).
pub fn glyph_markup(kind: NodeKind) -> &'static str {
    match kind {
        NodeKind::Client => r#"<rect x="6" y="2.5" width="12" height="19" rx="2.5"/><path d="M10.5 18h3"/>"#,
        NodeKind::Service => {
            r#"<rect x="3" y="4" width="18" height="7" rx="1.8"/><rect x="3" y="13" width="18" height="7" rx="1.8"/><path d="M7 7.5h.01M7 16.5h.01M11 7.5h6M11 16.5h6"/>"#
        }
        NodeKind::Queue => r#"<path d="M3 6h18v12H3z"/><path d="M7.5 9v6M11.5 9v6M15.5 9v6"/>"#,
        NodeKind::Topic => {
            r#"<circle cx="12" cy="12" r="2"/><path d="M7.8 7.8a6 6 0 0 0 0 8.4M16.2 7.8a6 6 0 0 1 0 8.4"/><path d="M5 5a10 10 0 0 0 0 14M19 5a10 10 0 0 1 0 14"/>"#
        }
        NodeKind::Websocket => r#"<path d="M4 9h14l-3-3M20 15H6l3 3"/>"#,
        NodeKind::Browser => {
            r#"<rect x="2.5" y="4" width="19" height="16" rx="2"/><path d="M2.5 8.5h19M6 6.3h.01M8.5 6.3h.01"/>"#
        }
        NodeKind::Saga => {
            r#"<circle cx="5" cy="12" r="2.2"/><circle cx="12" cy="6" r="2.2"/><circle cx="19" cy="12" r="2.2"/><circle cx="12" cy="18" r="2.2"/><path d="M6.6 10.4l3.8-3M13.6 7.4l3.8 3M17.4 13.6l-3.8 3"/>"#
        }
        // A router: one way in, a hub, three ways out.
        NodeKind::Exchange => {
            r#"<path d="M2.5 12h5.5M8 12l3-3 3 3-3 3z"/><path d="M14 12h7M13 10.2l6.5-5M13 13.8l6.5 5"/><path d="M19.8 10.3l1.7 1.7-1.7 1.7"/>"#
        }
        // A cylinder: the usual sign for a database.
        NodeKind::Database => {
            r#"<ellipse cx="12" cy="5.5" rx="8" ry="3"/><path d="M4 5.5v13c0 1.7 3.6 3 8 3s8-1.3 8-3v-13M4 12c0 1.7 3.6 3 8 3s8-1.3 8-3"/>"#
        }
    }
}

/// The icon's strokes, for use inside an `<svg>` or a `<g>`.
pub fn glyph(kind: NodeKind) -> impl IntoView {
    view! { <g class="glyph" inner_html=glyph_markup(kind)></g> }
}

/// The icon of a palette preset: a log of partitions, a queue with an order.
pub fn preset_glyph(p: crate::editor::presets::Preset) -> AnyView {
    use crate::editor::presets::Preset;
    match p {
        Preset::LogTopic => view! {
            <g class="glyph">
                <rect x="2.5" y="4.5" width="19" height="6" rx="1"/>
                <rect x="2.5" y="13.5" width="19" height="6" rx="1"/>
                <path d="M7 4.5v6M11.5 4.5v6M16 4.5v6M7 13.5v6M11.5 13.5v6"/>
            </g>
        }
        .into_any(),
        Preset::FifoQueue => view! {
            <g class="glyph">
                <path d="M3 6h18v12H3z"/>
                <path d="M6 12h10M13 9l3 3-3 3"/>
            </g>
        }
        .into_any(),
    }
}

/// A standalone icon for HTML contexts (palette, inspector header).
#[component]
pub fn KindIcon(kind: NodeKind) -> impl IntoView {
    view! {
        <svg class=format!("icon kind-{}", kind.as_str()) viewBox="0 0 24 24" aria-hidden="true">
            {glyph(kind)}
        </svg>
    }
}

/// What each kind is for, in a sentence (palette tooltips, inspector).
pub fn blurb(kind: NodeKind) -> &'static str {
    match kind {
        NodeKind::Client => "Users sending requests at a rate",
        NodeKind::Service => "Does work with a pool of workers and calls others",
        NodeKind::Queue => "Holds jobs until a consumer takes them (RabbitMQ, SQS)",
        NodeKind::Topic => "Publish/subscribe: every subscriber gets a copy",
        NodeKind::Websocket => "Holds open connections and pushes to browsers",
        NodeKind::Browser => "People with the page open, receiving pushes",
        NodeKind::Saga => "Runs steps in order and undoes them on failure",
        NodeKind::Exchange => "Routes each message to the queues whose binding matches its key (RabbitMQ)",
        NodeKind::Database => "Stores versions per key; read replicas trail the primary (PostgreSQL, MySQL)",
    }
}
