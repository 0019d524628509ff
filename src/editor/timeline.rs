//! A trace laid out as a timeline: one lane per node in the order the
//! request reached them, a mark per hop, and a bar for each stretch of work
//! (from a worker starting to its answer). The results panel draws it.

use crate::engine::trace::{HopKind, Trace};

#[derive(Clone, Debug, PartialEq)]
pub struct Mark {
    pub lane: usize,
    /// 0 at the trace's first hop, 1 at its last.
    pub at: f64,
    /// Index into `trace.hops`.
    pub hop: usize,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Bar {
    pub lane: usize,
    pub from: f64,
    pub to: f64,
    pub ok: bool,
}

#[derive(Clone, Debug, PartialEq, Default)]
pub struct Timeline {
    /// Node ids, one lane each.
    pub lanes: Vec<String>,
    pub start_ms: f64,
    pub end_ms: f64,
    pub marks: Vec<Mark>,
    pub bars: Vec<Bar>,
}

pub fn layout(trace: &Trace) -> Timeline {
    let mut lanes: Vec<String> = Vec::new();
    let lane_of = |lanes: &mut Vec<String>, node: &str| match lanes.iter().position(|l| l == node) {
        Some(i) => i,
        None => {
            lanes.push(node.to_string());
            lanes.len() - 1
        }
    };
    let start_ms = trace.hops.first().map(|h| h.at_ms).unwrap_or(0.0);
    let end_ms = trace.hops.iter().map(|h| h.at_ms).fold(start_ms, f64::max);
    let span = end_ms - start_ms;
    let at = |ms: f64| {
        if span > 0.0 {
            (ms - start_ms) / span
        } else {
            0.0
        }
    };
    let mut marks = Vec::with_capacity(trace.hops.len());
    let mut bars = Vec::new();
    let mut open: Vec<(usize, f64)> = Vec::new();
    for (i, h) in trace.hops.iter().enumerate() {
        let lane = lane_of(&mut lanes, &h.node);
        marks.push(Mark { lane, at: at(h.at_ms), hop: i });
        match h.kind {
            HopKind::Work => open.push((lane, at(h.at_ms))),
            HopKind::Ok | HopKind::Error | HopKind::Lost | HopKind::Timeout => {
                if let Some(pos) = open.iter().rposition(|(l, _)| *l == lane) {
                    let (_, from) = open.remove(pos);
                    bars.push(Bar { lane, from, to: at(h.at_ms), ok: h.kind == HopKind::Ok });
                }
            }
            _ => {}
        }
    }
    Timeline { lanes, start_ms, end_ms, marks, bars }
}

/// How a trace ended, in a word, for the list of requests.
pub fn outcome(trace: &Trace) -> &'static str {
    let has = |k: HopKind| trace.hops.iter().any(|h| h.kind == k);
    let Some(last) = trace.hops.iter().rev().find(|h| h.kind == HopKind::End) else {
        return if has(HopKind::Lost) { "lost" } else { "in flight" };
    };
    let detail = last.detail.to_ascii_lowercase();
    if detail.contains("timeout") || detail.contains("timed out") {
        "timed out"
    } else if detail.contains("reject") {
        "rejected"
    } else if detail.contains("error")
        || detail.contains("fail")
        || (detail.is_empty() && (has(HopKind::Error) || has(HopKind::Timeout)) && !has(HopKind::Ok))
    {
        "failed"
    } else {
        "ok"
    }
}

/// Hop kinds as people read them in the timeline's legend.
pub fn hop_name(kind: HopKind) -> &'static str {
    match kind {
        HopKind::Start => "sent by the client",
        HopKind::Send => "sent",
        HopKind::Arrive => "arrived",
        HopKind::Wait => "waiting",
        HopKind::Work => "working",
        HopKind::Ok => "done",
        HopKind::Error => "error",
        HopKind::Reject => "rejected",
        HopKind::Timeout => "timed out",
        HopKind::Retry => "retry",
        HopKind::Deliver => "delivered",
        HopKind::Ack => "acknowledged",
        HopKind::Nack => "negative ack",
        HopKind::DeadLetter => "dead-lettered",
        HopKind::Drop => "dropped",
        HopKind::Lost => "lost in a crash",
        HopKind::Compensate => "compensating",
        HopKind::Push => "pushed to the user",
        HopKind::End => "finished",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::trace::Hop;

    fn hop(at_ms: f64, kind: HopKind, node: &str, detail: &str) -> Hop {
        Hop { at_ms, kind, node: node.into(), link: None, detail: detail.into() }
    }

    #[test]
    fn a_call_becomes_lanes_marks_and_a_work_bar() {
        let t = Trace {
            id: 1,
            hops: vec![
                hop(0.0, HopKind::Start, "app", ""),
                hop(1.0, HopKind::Arrive, "pay", ""),
                hop(1.0, HopKind::Work, "pay", ""),
                hop(21.0, HopKind::Ok, "pay", ""),
                hop(22.0, HopKind::End, "app", "ok"),
            ],
        };
        let tl = layout(&t);
        assert_eq!(tl.lanes, vec!["app".to_string(), "pay".to_string()]);
        assert_eq!(tl.marks.len(), 5);
        assert_eq!(tl.bars.len(), 1);
        assert!((tl.bars[0].to - 21.0 / 22.0).abs() < 1e-9);
        assert_eq!(outcome(&t), "ok");
    }

    #[test]
    fn a_trace_without_an_end_is_still_in_flight() {
        let t = Trace { id: 2, hops: vec![hop(5.0, HopKind::Start, "app", "")] };
        assert_eq!(outcome(&t), "in flight");
        let tl = layout(&t);
        assert_eq!(tl.marks[0].at, 0.0);
    }

    #[test]
    fn the_end_hop_says_how_it_went() {
        let t = Trace {
            id: 3,
            hops: vec![hop(0.0, HopKind::Start, "app", ""), hop(1000.0, HopKind::End, "app", "timeout")],
        };
        assert_eq!(outcome(&t), "timed out");
    }
}
