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

/// How a request ended, as the list of requests and its filter name it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize)]
pub enum Outcome {
    Ok,
    Failed,
    TimedOut,
    Rejected,
    /// Lost in a crash: no answer ever came back.
    Lost,
    /// Still going while the run goes.
    InFlight,
    /// Still going when the run ended: it has no outcome and no duration.
    Unfinished,
}

impl Outcome {
    pub const ALL: [Outcome; 7] = [
        Outcome::Ok,
        Outcome::Failed,
        Outcome::TimedOut,
        Outcome::Rejected,
        Outcome::Lost,
        Outcome::InFlight,
        Outcome::Unfinished,
    ];

    pub fn label(self) -> &'static str {
        match self {
            Outcome::Ok => "ok",
            Outcome::Failed => "failed",
            Outcome::TimedOut => "timed out",
            Outcome::Rejected => "rejected",
            Outcome::Lost => "lost",
            Outcome::InFlight => "in flight",
            Outcome::Unfinished => "unfinished",
        }
    }

    /// A CSS class and a filter value: the label without spaces.
    pub fn key(self) -> &'static str {
        match self {
            Outcome::TimedOut => "timed-out",
            Outcome::InFlight => "in-flight",
            o => o.label(),
        }
    }

    pub fn from_key(key: &str) -> Option<Outcome> {
        Outcome::ALL.into_iter().find(|o| o.key() == key)
    }

    /// Whether the request got an answer (so has a duration).
    pub fn ended(self) -> bool {
        !matches!(self, Outcome::Lost | Outcome::InFlight | Outcome::Unfinished)
    }
}

/// How a trace ended. A trace with no end is in flight while the run goes
/// and unfinished once it is over (`run_over`): it never shows as in
/// flight in a finished run.
pub fn outcome(trace: &Trace, run_over: bool) -> Outcome {
    let has = |k: HopKind| trace.hops.iter().any(|h| h.kind == k);
    let Some(end) = trace.hops.iter().find(|h| h.kind == HopKind::End) else {
        return if has(HopKind::Lost) {
            Outcome::Lost
        } else if run_over {
            Outcome::Unfinished
        } else {
            Outcome::InFlight
        };
    };
    let detail = end.detail.to_ascii_lowercase();
    if detail.contains("timeout") || detail.contains("timed out") {
        Outcome::TimedOut
    } else if detail.contains("reject") {
        Outcome::Rejected
    } else if detail.contains("error")
        || detail.contains("fail")
        || (detail.is_empty() && (has(HopKind::Error) || has(HopKind::Timeout)) && !has(HopKind::Ok))
    {
        Outcome::Failed
    } else {
        Outcome::Ok
    }
}

/// How long the client waited for its answer: from the first hop to the
/// end hop. Work the request set off after it was answered (a queued job,
/// a push) does not count; a request without an answer has no duration.
pub fn took_ms(trace: &Trace) -> Option<f64> {
    let start = trace.hops.first()?.at_ms;
    trace.hops.iter().find(|h| h.kind == HopKind::End).map(|h| h.at_ms - start)
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
        HopKind::Write => "written",
        HopKind::Read => "read",
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
        assert_eq!(outcome(&t, false), Outcome::Ok);
        assert_eq!(took_ms(&t), Some(22.0));
    }

    #[test]
    fn a_trace_without_an_end_is_in_flight_until_the_run_ends() {
        let t = Trace { id: 2, hops: vec![hop(5.0, HopKind::Start, "app", ""), hop(9.0, HopKind::Send, "app", "")] };
        assert_eq!(outcome(&t, false), Outcome::InFlight);
        // A finished run has nothing in flight, and no duration to show.
        assert_eq!(outcome(&t, true), Outcome::Unfinished);
        assert_eq!(took_ms(&t), None);
        assert!(!outcome(&t, true).ended());
        let tl = layout(&t);
        assert_eq!(tl.marks[0].at, 0.0);
    }

    #[test]
    fn the_end_hop_says_how_it_went() {
        let t = Trace {
            id: 3,
            hops: vec![hop(0.0, HopKind::Start, "app", ""), hop(1000.0, HopKind::End, "app", "timeout")],
        };
        assert_eq!(outcome(&t, true), Outcome::TimedOut);
    }

    #[test]
    fn work_after_the_answer_does_not_count_in_the_duration() {
        // A payment answered at 22 ms whose SMS job ran until 500 ms.
        let t = Trace {
            id: 4,
            hops: vec![
                hop(0.0, HopKind::Start, "app", ""),
                hop(22.0, HopKind::End, "app", "ok"),
                hop(30.0, HopKind::Deliver, "sms_q", ""),
                hop(500.0, HopKind::Ack, "sms_q", ""),
            ],
        };
        assert_eq!(took_ms(&t), Some(22.0));
        assert_eq!(outcome(&t, true), Outcome::Ok);
    }

    #[test]
    fn a_request_lost_in_a_crash_is_lost_not_in_flight() {
        let t = Trace { id: 5, hops: vec![hop(0.0, HopKind::Start, "app", ""), hop(3.0, HopKind::Lost, "pay", "")] };
        assert_eq!(outcome(&t, false), Outcome::Lost);
        assert_eq!(outcome(&t, true), Outcome::Lost);
    }

    #[test]
    fn every_end_detail_the_engine_writes_is_classified() {
        for (detail, want) in [
            ("ok", Outcome::Ok),
            ("error", Outcome::Failed),
            ("timed out", Outcome::TimedOut),
            ("rejected", Outcome::Rejected),
        ] {
            let t = Trace { id: 6, hops: vec![hop(0.0, HopKind::Start, "a", ""), hop(1.0, HopKind::End, "a", detail)] };
            assert_eq!(outcome(&t, false), want, "{detail}");
            assert_eq!(Outcome::from_key(want.key()), Some(want));
        }
    }
}
