//! The Links tab of the results: one row per link, with its messages or
//! call attempts by how they ended and, on a link with a `count`, its
//! fan-out (calls or messages per request, on average). A `consume` row
//! counts the queue's deliveries to its consumer instead: the message
//! itself is counted once, on the link into the queue.

use super::sig::text;
use super::state::use_ctx;
use crate::editor::describe::{measured_fan_out, via_name};
use crate::editor::figures::fmt_exact;
use crate::editor::selection::Selection;
use crate::engine::format::Via;
use crate::engine::report::{LinkReport, MessageCounts};
use leptos::prelude::*;

/// Rows the table shows at most (as the node table).
const MAX_ROWS: usize = 100;

/// A count column: its header, its help, and how it reads a link's row.
struct Column {
    key: &'static str,
    label: &'static str,
    help: &'static str,
    value: fn(&MessageCounts) -> u64,
}

const COLUMNS: &[Column] = &[
    Column {
        key: "sent",
        label: "Sent",
        help: "Messages and call attempts sent over this link (retries count again); on a consume link, the queue's deliveries to its consumer (redeliveries count again)",
        value: |m| m.sent,
    },
    Column {
        key: "delivered",
        label: "Delivered",
        help: "Arrived and handled (on a consume link: handled and acked)",
        value: |m| m.delivered,
    },
    Column {
        key: "failed",
        label: "Failed",
        help: "Answered with an error, or refused (the callee was down or full); on a consume link, the consumer failed and nacked",
        value: |m| m.failed + m.rejected,
    },
    Column {
        key: "timed_out",
        label: "Timed out",
        help: "The caller gave up waiting; on a consume link, the queue's visibility timeout ran out first",
        value: |m| m.timed_out,
    },
    Column {
        key: "lost",
        label: "Lost",
        help: "Lost in a crash, dropped by a partition, dead-lettered or expired; on a consume link, lost with a crashed consumer or broker",
        value: |m| m.lost + m.dropped + m.dead_lettered + m.expired,
    },
    Column {
        key: "in_flight",
        label: "In flight",
        help: "Not ended yet: travelling, waiting in a queue or being worked on",
        value: |m| m.in_flight,
    },
];

#[component]
pub fn LinkTable() -> impl IntoView {
    let ctx = use_ctx();
    let ids =
        Memo::new(move |_| ctx.doc.with(|d| d.links.iter().take(MAX_ROWS).map(|l| l.id.clone()).collect::<Vec<_>>()));
    let more = Memo::new(move |_| ctx.doc.with(|d| d.links.len().saturating_sub(MAX_ROWS)));
    view! {
        <div class="table-wrap">
            <table class="node-table link-table" aria-label="Links">
                <thead>
                    <tr>
                        <th scope="col">"Link"</th>
                        <th scope="col" title="How it carries work">"Kind"</th>
                        {COLUMNS
                            .iter()
                            .map(|c| view! { <th scope="col" class="num" data-col=c.key title=c.help>{c.label}</th> })
                            .collect_view()}
                        <th
                            scope="col"
                            class="num"
                            data-col="fan_out"
                            title="Calls or messages one request makes over this link, on average (the link's count). Blank on links without a count: one each."
                        >
                            "Fan-out per request"
                        </th>
                    </tr>
                </thead>
                <tbody>
                    <For each=move || ids.get() key=|id| id.clone() let:id>
                        <LinkRow id=id/>
                    </For>
                </tbody>
            </table>
            {move || {
                let n = more.get();
                (n > 0).then(|| view! { <p class="muted pad">{format!("…and {n} more links.")}</p> })
            }}
            {move || ctx.doc.with(|d| d.links.is_empty()).then(|| view! { <p class="muted pad">"No links yet."</p> })}
        </div>
    }
}

/// What a link's row counts: a consume link's deliveries (see the module's
/// comment), any other link's messages.
fn counts(r: &LinkReport) -> &MessageCounts {
    r.deliveries.as_ref().unwrap_or(&r.messages)
}

/// One link's figures, updated in place as the run goes.
#[component]
fn LinkRow(id: String) -> impl IntoView {
    let ctx = use_ctx();
    let key = id.clone();
    let spec = Memo::new(move |_| {
        ctx.doc.with(|d| {
            let l = d.link(&key)?;
            let name = |n: &str| d.node(n).map(|n| n.display_name().to_string()).unwrap_or_else(|| n.to_string());
            Some((format!("{} → {}", name(&l.from), name(&l.to)), l.via))
        })
    });
    let key = id.clone();
    let row: Memo<LinkReport> =
        Memo::new(move |_| ctx.run.snap.with(|s| s.report.links.get(&key).cloned()).unwrap_or_default());
    let name = text(move || spec.with(|s| s.as_ref().map(|s| s.0.clone()).unwrap_or_default()));
    let via = text(move || spec.with(|s| s.as_ref().map(|s| via_name(s.1).to_string()).unwrap_or_default()));
    let row_help = text(move || {
        let consume = spec.with(|s| s.as_ref().is_some_and(|s| s.1 == Via::Consume));
        if consume {
            "Deliveries from the queue to its consumer; each message is counted once on the link into the queue"
        } else {
            ""
        }
        .to_string()
    });
    let selected = Memo::new({
        let id = id.clone();
        move |_| ctx.sel.with(|s| s.has_link(&id))
    });
    let pick = move |_| ctx.sel.set(Selection::link(&id));
    let count = |c: &'static Column| {
        let shown = text(move || row.with(|r| fmt_exact((c.value)(counts(r)))));
        let exact = text(move || row.with(|r| (c.value)(counts(r)).to_string()));
        view! { <td class="num" data-col=c.key data-value=exact>{shown}</td> }
    };
    let fan = text(move || {
        row.with(|r| r.fan_out.as_ref().filter(|f| f.requests > 0).map_or(String::new(), |f| measured_fan_out(f.mean)))
    });
    let fan_exact = text(move || {
        row.with(|r| r.fan_out.as_ref().filter(|f| f.requests > 0).map_or(String::new(), |f| f.mean.to_string()))
    });
    view! {
        <tr class=text(move || if selected.get() { "selected" } else { "" }.to_string()) on:click=pick>
            <th scope="row">{name}</th>
            <td title=row_help>{via}</td>
            {COLUMNS.iter().map(count).collect_view()}
            <td class="num" data-col="fan_out" data-value=fan_exact>{fan}</td>
        </tr>
    }
}
