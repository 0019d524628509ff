//! The decision guide: the texts' checklists ("use synchronous when the
//! user is waiting, strong consistency is required..."; "use asynchronous
//! when background processing is acceptable, high throughput...") as
//! questions a person ticks, with a recommendation, its reasons, and the
//! lessons that show each reason at work.

/// Which side a question argues for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lean {
    Sync,
    Async,
}

/// One checklist item.
pub struct Question {
    pub key: &'static str,
    pub text: &'static str,
    pub lean: Lean,
    /// Why it leans that way, as the recommendation says it.
    pub because: &'static str,
    /// The lesson that shows it.
    pub lesson: &'static str,
}

/// The two checklists of the texts, in their order.
pub const QUESTIONS: &[Question] = &[
    Question {
        key: "waiting",
        text: "The user is waiting for the response",
        lean: Lean::Sync,
        because: "someone is looking at a spinner: answer in the same call",
        lesson: "food-ordering",
    },
    Question {
        key: "consistency",
        text: "Strong consistency is required",
        lean: Lean::Sync,
        because: "the caller must know the outcome before going on (money moved or not)",
        lesson: "phonepe-sms-queue",
    },
    Question {
        key: "simple",
        text: "It is a simple request and response",
        lean: Lean::Sync,
        because: "a call is the simplest thing that works and the easiest to debug",
        lesson: "sync-vs-async",
    },
    Question {
        key: "errors_now",
        text: "Errors must be handled immediately",
        lean: Lean::Sync,
        because: "a failed call fails fast and the caller decides at once",
        lesson: "circuit-breaker-texts",
    },
    Question {
        key: "latency",
        text: "Low latency is critical",
        lean: Lean::Sync,
        because: "one network hop, no broker in between",
        lesson: "sse-ws-polling",
    },
    Question {
        key: "background",
        text: "Background processing is acceptable",
        lean: Lean::Async,
        because: "the work can happen later: hand it to a queue and answer now",
        lesson: "leetcode-judge",
    },
    Question {
        key: "throughput",
        text: "High throughput is required",
        lean: Lean::Async,
        because: "a caller that does not wait is limited by its own work only",
        lesson: "sync-vs-async",
    },
    Question {
        key: "decoupling",
        text: "Loose coupling is preferred",
        lean: Lean::Async,
        because: "the sender needs the broker up, not every receiver",
        lesson: "phonepe-sms-http",
    },
    Question {
        key: "fault_tolerance",
        text: "Fault tolerance is critical",
        lean: Lean::Async,
        because: "an outage downstream becomes a backlog, not failed requests",
        lesson: "phonepe-sms-queue",
    },
    Question {
        key: "consumers",
        text: "Multiple consumers are needed",
        lean: Lean::Async,
        because: "publish once, and every subscriber gets its own copy",
        lesson: "registration-fanout",
    },
];

/// The guide's answer to a set of ticked questions.
#[derive(Clone, Debug, PartialEq)]
pub struct Advice {
    /// None until something is ticked.
    pub lean: Option<Lean>,
    pub headline: String,
    /// The reasons, one per ticked question.
    pub reasons: Vec<(&'static str, &'static str)>,
    /// Lessons to open, most relevant first, without repeats.
    pub lessons: Vec<&'static str>,
}

/// Weighs the ticked questions (by key).
pub fn advise(ticked: &[&str]) -> Advice {
    let picked: Vec<&Question> = QUESTIONS.iter().filter(|q| ticked.contains(&q.key)).collect();
    let sync = picked.iter().filter(|q| q.lean == Lean::Sync).count();
    let asynchronous = picked.len() - sync;
    let mut lessons: Vec<&'static str> = Vec::new();
    for q in &picked {
        if !lessons.contains(&q.lesson) {
            lessons.push(q.lesson);
        }
    }
    let reasons = picked.iter().map(|q| (q.text, q.because)).collect();
    let (lean, headline) = match (sync, asynchronous) {
        (0, 0) => (None, "Tick what applies to the interaction you are designing.".to_string()),
        (_, 0) => (Some(Lean::Sync), "Use a synchronous call (HTTP, gRPC).".to_string()),
        (0, _) => (Some(Lean::Async), "Use asynchronous messaging (a queue, or pub/sub for several consumers).".to_string()),
        (s, a) if s > a => (
            Some(Lean::Sync),
            "Mostly synchronous: call for what the user waits on, and queue the rest (the PhonePe split).".to_string(),
        ),
        (s, a) if a > s => (
            Some(Lean::Async),
            "Mostly asynchronous: answer fast, and do the work behind a queue; keep a call only for what must be known now.".to_string(),
        ),
        _ => (None, "A mix: split the flow. What the user waits for is a call; everything after it goes through a queue (as in food ordering).".to_string()),
    };
    if sync > 0 && asynchronous > 0 && !lessons.contains(&"food-ordering") {
        lessons.push("food-ordering");
    }
    Advice { lean, headline, reasons, lessons }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_texts_checklists_decide() {
        assert_eq!(advise(&[]).lean, None);
        let a = advise(&["waiting", "consistency"]);
        assert_eq!(a.lean, Some(Lean::Sync));
        assert_eq!(a.reasons.len(), 2);
        let a = advise(&["background", "consumers", "throughput"]);
        assert_eq!(a.lean, Some(Lean::Async));
        assert_eq!(a.lessons, vec!["leetcode-judge", "sync-vs-async", "registration-fanout"]);
        let a = advise(&["waiting", "background"]);
        assert_eq!(a.lean, None, "a tie splits the flow");
        assert!(a.lessons.contains(&"food-ordering"));
    }

    #[test]
    fn every_question_points_at_a_lesson_that_exists() {
        let names: Vec<String> = super::super::lessons::catalog().into_iter().map(|l| l.name).collect();
        for q in QUESTIONS {
            assert!(names.iter().any(|n| n == q.lesson), "{} → {}", q.key, q.lesson);
        }
    }
}
