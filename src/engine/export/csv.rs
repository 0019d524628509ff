//! CSV of the node table and of the per-second series, as RFC 4180 has it:
//! comma-separated, CRLF line ends, a field quoted when it holds a comma, a
//! quote or a line break (quotes doubled inside). Labels are user text, so
//! every cell goes through [`field`]. A dozen lines do this; the `csv`
//! crate (a dev-dependency) reads every file back in the tests.

use crate::engine::format::Scenario;
use crate::engine::report::{Bucket, NodeReport, Report};
use std::fmt::Write;

/// The node table's columns (one row per node, in diagram order).
pub const NODE_COLUMNS: [&str; 24] = [
    "id",
    "kind",
    "label",
    "arrivals",
    "completed",
    "failed",
    "rejected",
    "lost",
    "wasted",
    "duplicates",
    "deduplicated",
    "latency_mean_ms",
    "latency_p50_ms",
    "latency_p95_ms",
    "latency_p99_ms",
    "latency_max_ms",
    "wait_mean_ms",
    "queue_len_mean",
    "queue_len_max",
    "utilization",
    "messages_sent",
    "messages_delivered",
    "messages_in_flight",
    "extra",
];

/// The series' columns (one row per node and simulated second).
pub const SERIES_COLUMNS: [&str; 7] = ["t_s", "node", "label", "throughput", "errors", "p99_ms", "queue_len"];

/// One cell, quoted if it needs to be.
pub fn field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

fn push_row<S: AsRef<str>>(out: &mut String, cells: &[S]) {
    let row: Vec<String> = cells.iter().map(|c| field(c.as_ref())).collect();
    out.push_str(&row.join(","));
    out.push_str("\r\n");
}

/// A number as a cell: shortest form, empty when not finite.
fn num(v: f64) -> String {
    if v.is_finite() {
        format!("{v}")
    } else {
        String::new()
    }
}

fn node_row(id: &str, kind: &str, label: &str, r: &NodeReport) -> Vec<String> {
    let mut extra = String::new();
    for (k, v) in &r.extra {
        if !extra.is_empty() {
            extra.push_str("; ");
        }
        let _ = write!(extra, "{k}={}", num(*v));
    }
    let l = &r.latency_ms;
    vec![
        id.to_string(),
        kind.to_string(),
        label.to_string(),
        r.arrivals.to_string(),
        r.completed.to_string(),
        r.failed.to_string(),
        r.rejected.to_string(),
        r.lost.to_string(),
        r.wasted.to_string(),
        r.duplicates.to_string(),
        r.deduplicated.to_string(),
        num(l.mean),
        num(l.p50),
        num(l.p95),
        num(l.p99),
        num(l.max),
        num(r.wait_ms.mean),
        num(r.queue_len.mean),
        num(r.queue_len.max),
        num(r.utilization),
        r.messages.sent.to_string(),
        r.messages.delivered.to_string(),
        r.messages.in_flight.to_string(),
        extra,
    ]
}

/// The node table: the header, then each node of the diagram with its
/// figures so far (zeros for a node the run has not reported yet).
pub fn nodes(s: &Scenario, report: &Report) -> String {
    let mut out = String::new();
    push_row(&mut out, &NODE_COLUMNS);
    let blank = NodeReport::default();
    for n in &s.nodes {
        let r = report.nodes.get(&n.id).unwrap_or(&blank);
        push_row(&mut out, &node_row(&n.id, n.kind.as_str(), &n.label, r));
    }
    out
}

/// The per-second series: for each node (diagram order) its buckets in
/// time order. `series[i]` belongs to `s.nodes[i]`.
pub fn series(s: &Scenario, series: &[Vec<Bucket>]) -> String {
    let mut out = String::new();
    push_row(&mut out, &SERIES_COLUMNS);
    for (n, buckets) in s.nodes.iter().zip(series) {
        for b in buckets {
            let row = [
                b.t_s.to_string(),
                n.id.clone(),
                n.label.clone(),
                b.throughput.to_string(),
                b.errors.to_string(),
                num(b.p99_ms),
                num(b.queue_len),
            ];
            push_row(&mut out, &row);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::field;

    #[test]
    fn quotes_only_what_needs_quoting() {
        assert_eq!(field("plain"), "plain");
        assert_eq!(field("a,b"), "\"a,b\"");
        assert_eq!(field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(field("two\nlines"), "\"two\nlines\"");
    }
}
