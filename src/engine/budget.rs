//! What a run may cost, and what it would cost, before it runs.
//!
//! Every run has a [`Budget`]: a number of events (about a minute of the
//! engine's work natively, two in the browser) and an amount of memory.
//! Before a run is built, [`estimate`] works out from the scenario alone
//! how many events it would process and how much memory building it takes:
//! each client's requests over the run (its rate and schedule), multiplied
//! along the links the way requests and messages travel (every call, every
//! subscription's copy, a link's `count` of calls or messages per request,
//! a queue's messages split among its consumers), plus every user's polls and the reconnect waves of crashes. Failures it
//! can see in the scenario (error rates, crash and errors faults) make
//! calls retry and messages come back as often as the retry policy and
//! `max_deliveries` allow on average, so a retry storm into a failing
//! service is refused too. Regions count: a `region:NAME` fault is a fault
//! on every node in the region, and a call between two regions whose
//! timeout is shorter than the round trip the region latency alone makes
//! fails every attempt, so it makes all the attempts its retries allow. What it cannot see (timeouts of slow calls,
//! overloads) is caught while running by the same budget (`sim::guards`).
//!
//! A scenario over budget is refused with a message that names the node
//! that would receive the most, why (rates, fan-out, polls) and the
//! duration that would fit, which the app offers to apply.

use crate::engine::format::defaults::{self as d, caps};
use crate::engine::format::validate::{Place, Problem, Severity};
use crate::engine::format::{fanout, regions, FaultKind, NodeKind, Scenario, Via};
use crate::engine::kernel::clock::ms_to_us;

mod explain;
pub use explain::{bytes, count};
use explain::{seconds, why};

/// What one run may spend before it is stopped.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Budget {
    /// Events processed.
    pub events: u64,
    /// Memory, as the engine accounts for it (see `sim::guards`), bytes.
    pub memory_bytes: u64,
}

impl Default for Budget {
    fn default() -> Self {
        Budget { events: caps::EVENTS, memory_bytes: caps::MEMORY_BYTES }
    }
}

/// Bytes the engine counts per user of a browser node (its connection and
/// reconnect state) and per event waiting in the queue.
pub const USER_BYTES: u64 = 8;
pub const EVENT_BYTES: u64 = 40;

/// The work of a run, estimated from its scenario.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Work {
    /// Events the run would process.
    pub events: f64,
    /// Memory its build takes (users, their first polls), bytes.
    pub build_bytes: f64,
    /// Requests and messages each node would receive, by node index.
    pub arrivals: Vec<f64>,
    /// Requests the clients would start.
    pub requests: f64,
    /// Polls the browsers would make.
    pub polls: f64,
    /// Attempts per call or deliveries per message, by link index (1 when
    /// nothing fails).
    pub tries: Vec<f64>,
}

/// Estimates the work of `s` (which should be valid: nodes in a cycle,
/// which validation refuses, receive nothing here).
pub fn estimate(s: &Scenario) -> Work {
    let duration_s = s.duration_ms.max(0.0) / 1000.0;
    let n = s.nodes.len();
    let index = |id: &str| s.nodes.iter().position(|x| x.id == id);
    let ends: Vec<Option<(usize, usize)>> = s.links.iter().map(|l| index(&l.from).zip(index(&l.to))).collect();
    let mut arrivals = vec![0.0f64; n];
    for (i, node) in s.nodes.iter().enumerate() {
        if node.kind == NodeKind::Client {
            arrivals[i] = requests_of(node, s.duration_ms);
        }
    }
    let requests: f64 = arrivals.iter().sum();
    let tries: Vec<f64> = s.links.iter().zip(&ends).map(|(l, e)| e.map_or(1.0, |(_, to)| tries(s, l, to))).collect();
    let consumers = |q: usize| {
        s.links.iter().zip(&ends).filter(|(l, e)| l.via == Via::Consume && e.is_some_and(|(f, _)| f == q)).count()
    };
    // Push arrivals along the links in topological order (Kahn).
    let mut indegree = vec![0usize; n];
    for (_, to) in ends.iter().flatten() {
        indegree[*to] += 1;
    }
    let mut ready: Vec<usize> = (0..n).filter(|i| indegree[*i] == 0).collect();
    while let Some(from) = ready.pop() {
        for (k, (l, e)) in s.links.iter().zip(&ends).enumerate() {
            let Some((f, to)) = *e else { continue };
            if f != from {
                continue;
            }
            let share = tries[k]
                * fanout::mean(l)
                * match l.via {
                    // Each message goes to one of the queue's consumers.
                    Via::Consume => arrivals[from] / consumers(from).max(1) as f64,
                    _ => arrivals[from],
                };
            arrivals[to] = (arrivals[to] + share).min(f64::MAX);
            indegree[to] -= 1;
            if indegree[to] == 0 {
                ready.push(to);
            }
        }
    }
    let mut events = 0.0;
    for (i, node) in s.nodes.iter().enumerate() {
        events += arrivals[i] * events_per_arrival(node);
    }
    for (k, (l, e)) in s.links.iter().zip(&ends).enumerate() {
        let Some((from, _)) = *e else { continue };
        // Each attempt has its answer and timer; each retry its backoff;
        // a fan-out makes `count` of them per request.
        events += arrivals[from] * fanout::mean(l) * (tries[k] * link_events(l) + (tries[k] - 1.0));
    }
    let mut polls = 0.0;
    let mut build_bytes = 0.0;
    for (i, node) in s.nodes.iter().enumerate().filter(|(_, n)| n.kind == NodeKind::Browser) {
        let users = node.users.unwrap_or(d::BROWSER_USERS) as f64;
        build_bytes += users * USER_BYTES as f64;
        if let Some(interval_ms) = poll_interval_ms(s, &ends, i) {
            polls += users * s.duration_ms.max(0.0) / interval_ms;
            build_bytes += users * EVENT_BYTES as f64;
        }
        events += users * reconnects_per_user(s, &ends, i);
    }
    events += polls + duration_s;
    Work { events: events.min(f64::MAX), build_bytes, arrivals, requests, polls, tries }
}

/// How often a call over `l` is attempted, or a message consumed over it
/// is delivered, on average: a geometric series in the chance that the
/// node `to` fails, up to the retry policy's attempts (or the queue's
/// `max_deliveries`).
fn tries(s: &Scenario, l: &crate::engine::format::LinkSpec, to: usize) -> f64 {
    let most = match l.via {
        Via::Http | Via::Grpc | Via::SagaStep | Via::Write | Via::Read => {
            l.retry.as_ref().map_or(1, |r| r.attempts.unwrap_or(d::RETRY_ATTEMPTS).max(1))
        }
        Via::Consume => s.node(&l.from).and_then(|q| q.max_deliveries).unwrap_or(d::QUEUE_MAX_DELIVERIES).max(1),
        _ => 1,
    };
    if most == 1 {
        return 1.0;
    }
    if least_round_trip_over_timeout(s, l).is_some() {
        return most as f64;
    }
    let fails = failure_chance(s, to).clamp(0.0, 1.0);
    if fails >= 1.0 {
        return most as f64;
    }
    (1.0 - libm::pow(fails, most as f64)) / (1.0 - fails)
}

/// The least time (ms) a call over `l` takes for its request and answer
/// to cross, when that is longer than its timeout, so every call times out:
/// the link's constant latency (0 for a distribution) plus, between two
/// regions, the pair's latency each way. Such a call (typically a timeout
/// set for one region on a link between two) makes every attempt its
/// retries allow.
fn least_round_trip_over_timeout(s: &Scenario, l: &crate::engine::format::LinkSpec) -> Option<f64> {
    let limit = l.timeout_ms?;
    let (_, region_ms) = regions::link_extra(s, &l.from, &l.to);
    let least = match l.latency_ms {
        Some(crate::engine::format::Dist::Const(ms)) => ms,
        Some(_) => 0.0,
        None => match l.via {
            Via::Http => d::HTTP_LATENCY_MS,
            Via::Grpc => d::GRPC_LATENCY_MS,
            Via::Write | Via::Read => d::DATABASE_LATENCY_MS,
            _ => d::LINK_LATENCY_MS,
        },
    };
    let round_trip = 2.0 * (least + region_ms);
    (limit < round_trip).then_some(round_trip)
}

/// The chance that work at node `i` fails, from what the scenario says:
/// its error rate, and the share of the run it is crashed or erroring.
fn failure_chance(s: &Scenario, i: usize) -> f64 {
    let node = &s.nodes[i];
    let duration = s.duration_ms.max(1e-3);
    let share = |kind: FaultKind| -> f64 {
        s.faults
            .iter()
            .filter(|f| f.kind == kind && hits(s, &f.target, i))
            .map(|f| {
                let lasts = f.for_ms.unwrap_or(duration).max(0.0);
                (lasts.min(duration - f.at_ms.min(duration)).max(0.0) / duration, f.rate.unwrap_or(0.0))
            })
            .map(|(time, rate)| if kind == FaultKind::Errors { time * rate } else { time })
            .sum::<f64>()
            .min(1.0)
    };
    let ok = (1.0 - node.error_rate.unwrap_or(0.0).clamp(0.0, 1.0))
        * (1.0 - share(FaultKind::Crash))
        * (1.0 - share(FaultKind::Errors));
    1.0 - ok
}

/// Whether a fault on `target` hits node `i`: the node itself, or its
/// region (`region:NAME`). One replica (`svc#2`) is not the whole node.
fn hits(s: &Scenario, target: &str, i: usize) -> bool {
    let node = &s.nodes[i];
    match regions::split_target(target) {
        Some(r) => node.region.as_deref() == Some(r),
        None => target == node.id,
    }
}

/// The requests a client starts in `duration_ms`: its rate, stepped by its
/// schedule (steps at one time: the last wins, as in the engine).
fn requests_of(node: &crate::engine::format::NodeSpec, duration_ms: f64) -> f64 {
    // Any scenario, valid or not: never `clamp` with a negative end.
    let duration_ms = duration_ms.max(0.0);
    // Ordered as the engine orders them: by whole microsecond, then as written.
    let mut steps: Vec<(f64, usize, f64)> =
        node.schedule.iter().flatten().enumerate().map(|(i, (at, r))| (*at, i, *r)).collect();
    crate::engine::order::sort_by(&mut steps, |a, b| (ms_to_us(a.0), a.1).cmp(&(ms_to_us(b.0), b.1)));
    let (mut t, mut rate, mut total) = (0.0, node.rate_per_s.unwrap_or(d::CLIENT_RATE_PER_S), 0.0);
    for (at, _, r) in steps {
        let at = at.max(0.0).min(duration_ms);
        total += rate.max(0.0) * (at - t).max(0.0) / 1000.0;
        t = t.max(at);
        rate = r;
    }
    total + rate.max(0.0) * (duration_ms - t).max(0.0) / 1000.0
}

/// Events one arrival makes at a node of this kind.
fn events_per_arrival(node: &crate::engine::format::NodeSpec) -> f64 {
    match node.kind {
        // The next arrival.
        NodeKind::Client => 1.0,
        // Arrival and end of work.
        NodeKind::Service | NodeKind::Saga | NodeKind::Websocket | NodeKind::Database => 2.0,
        // Arrival, and a visibility timer per delivery.
        NodeKind::Queue => 1.0 + node.visibility_timeout_ms.map_or(0.0, |_| 1.0),
        NodeKind::Topic | NodeKind::Exchange => 1.0,
        // A push arriving.
        NodeKind::Browser => 1.0,
    }
}

/// Events each request or message at its `from` node makes on this link
/// beyond the arrival at `to`: answers, timers, confirms.
fn link_events(l: &crate::engine::format::LinkSpec) -> f64 {
    match l.via {
        Via::Http | Via::Grpc | Via::SagaStep | Via::Write | Via::Read => 1.0 + l.timeout_ms.map_or(0.0, |_| 1.0),
        // The answer and the timer (which always runs).
        Via::RequestReply => 2.0,
        Via::Enqueue | Via::Publish if l.outbox == Some(true) => 1.0,
        _ => 0.0,
    }
}

/// The interval of the browser's polls: its first poll link's, as the
/// engine polls the first poll server.
fn poll_interval_ms(s: &Scenario, ends: &[Option<(usize, usize)>], browser: usize) -> Option<f64> {
    s.links
        .iter()
        .zip(ends)
        .find(|(l, e)| l.via == Via::Poll && e.is_some_and(|(_, to)| to == browser))
        .map(|(l, _)| l.interval_ms.unwrap_or(d::POLL_INTERVAL_MS).max(1e-3))
}

/// Reconnect attempts per user of a browser caused by crash faults: one
/// per drop, and while no server is up, one per 64 reconnect periods (the
/// backoff's cap).
fn reconnects_per_user(s: &Scenario, ends: &[Option<(usize, usize)>], browser: usize) -> f64 {
    let servers: Vec<usize> = s
        .links
        .iter()
        .zip(ends)
        .filter(|(l, e)| matches!(l.via, Via::Push | Via::Sse) && e.is_some_and(|(_, to)| to == browser))
        .filter_map(|(_, e)| e.map(|(from, _)| from))
        .collect();
    let base_ms = s.nodes[browser].reconnect_ms.unwrap_or(d::WEBSOCKET_RECONNECT_MS).max(1e-3);
    let mut attempts = 0.0;
    for f in s.faults.iter().filter(|f| f.kind == FaultKind::Crash) {
        // A region's crash takes down every browser and server in it.
        let browser_down = hits(s, &f.target, browser);
        let servers_down = servers.iter().filter(|&&t| hits(s, &f.target, t)).count();
        if !browser_down && servers_down == 0 {
            continue;
        }
        let down_ms = f.for_ms.unwrap_or(s.duration_ms).min(s.duration_ms).max(0.0);
        let alone = browser_down || servers_down == servers.len();
        attempts += 1.0 + if alone { down_ms / (64.0 * base_ms) } else { 0.0 };
    }
    attempts
}

/// Refuses a scenario whose estimate is over `budget`, with a message that
/// names what would explode and suggests the fix.
pub fn check(s: &Scenario, budget: &Budget) -> Result<(), Problem> {
    check_work(s, &estimate(s), budget)
}

fn check_work(s: &Scenario, w: &Work, budget: &Budget) -> Result<(), Problem> {
    if w.build_bytes > budget.memory_bytes as f64 {
        let (id, users) = s
            .nodes
            .iter()
            .filter(|n| n.kind == NodeKind::Browser)
            .map(|n| (n.id.as_str(), n.users.unwrap_or(d::BROWSER_USERS)))
            .fold(("", 0), |best, x| if x.1 > best.1 { x } else { best });
        let browsers = s.nodes.iter().filter(|n| n.kind == NodeKind::Browser).count();
        let all: u64 =
            s.nodes.iter().filter(|n| n.kind == NodeKind::Browser).map(|n| n.users.unwrap_or(d::BROWSER_USERS)).sum();
        return Err(Problem {
            severity: Severity::Error,
            place: Place::Node(id.to_string()),
            field: Some("users".into()),
            message: format!(
                "{browsers} browser nodes hold {} users; building the run would take about {} of memory, above the limit of {} (one browser node stands for a whole population: use fewer users, here `{id}` has {})",
                count(all as f64),
                bytes(w.build_bytes),
                bytes(budget.memory_bytes as f64),
                count(users as f64)
            ),
        });
    }
    if w.events <= budget.events as f64 {
        return Ok(());
    }
    let fits_ms = fitting_duration_ms(s.duration_ms, w.events, budget);
    let shorten = match fits_ms {
        Some(ms) => format!("shorten the run to {} (duration_ms {ms})", seconds(ms)),
        None => "no duration fits".into(),
    };
    Err(Problem {
        severity: Severity::Error,
        place: Place::Scenario,
        field: Some("duration_ms".into()),
        message: format!(
            "this run would take about {} events, above the budget of {} events per run: {}; {shorten}",
            count(w.events),
            count(budget.events as f64),
            why(s, w)
        ),
    })
}

/// The duration (ms, two significant digits, rounded down) whose run
/// fits `budget`, if any does (at least a millisecond).
pub fn fitting_duration_ms(duration_ms: f64, events: f64, budget: &Budget) -> Option<f64> {
    if events.is_nan() || events <= 0.0 {
        return Some(duration_ms);
    }
    let ms = duration_ms * budget.events as f64 / events;
    if ms.is_nan() || ms < 1.0 {
        return None;
    }
    let scale = 10f64.powi(libm::floor(libm::log10(ms)) as i32 - 1);
    Some((libm::floor(ms / scale) * scale).max(1.0))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::format::load;

    fn s(json: &str) -> Scenario {
        load::load(json).expect("valid")
    }

    #[test]
    fn requests_follow_rate_and_schedule() {
        let sc = s(r#"{"crosstalk":1,"duration_ms":10000,"nodes":[{"id":"c","kind":"client","rate_per_s":100,
            "schedule":[[4000,0],[2000,50],[4000,10]]}]}"#);
        // 2 s at 100, 2 s at 50, 6 s at 10 (the last step at 4 s wins).
        assert!((estimate(&sc).requests - 360.0).abs() < 1e-9);
    }

    #[test]
    fn calls_multiply_along_a_fan_out() {
        let sc = s(r#"{"crosstalk":1,"duration_ms":1000,"nodes":[{"id":"c","kind":"client","rate_per_s":10},
            {"id":"a","kind":"service"},{"id":"b","kind":"service"},{"id":"q","kind":"queue"},
            {"id":"w1","kind":"service"},{"id":"w2","kind":"service"}],
            "links":[{"from":"c","to":"a","via":"http"},{"from":"a","to":"b","via":"http"},{"from":"a","to":"b","via":"grpc"},
            {"from":"b","to":"q","via":"enqueue"},{"from":"q","to":"w1","via":"consume"},{"from":"q","to":"w2","via":"consume"}]}"#);
        let w = estimate(&sc);
        assert_eq!(w.arrivals, vec![10.0, 10.0, 20.0, 20.0, 10.0, 10.0]);
    }

    #[test]
    fn counts_multiply_and_an_exponential_fan_out_is_refused_naming_the_link() {
        let sc = s(r#"{"crosstalk":1,"duration_ms":1000,"nodes":[{"id":"c","kind":"client","rate_per_s":10},
            {"id":"a","kind":"service"},{"id":"b","kind":"service"},{"id":"q","kind":"queue"}],
            "links":[{"from":"c","to":"a","via":"http"},{"id":"ab","from":"a","to":"b","via":"http","count":3},
            {"id":"bq","from":"b","to":"q","via":"enqueue","count":{"exp":4}}]}"#);
        assert_eq!(estimate(&sc).arrivals, vec![10.0, 10.0, 30.0, 120.0]);
        // Four levels of 1000 calls each: 10^12 calls per request.
        let mut nodes = vec![r#"{"id":"c","kind":"client","rate_per_s":1}"#.to_string()];
        let mut links = vec![r#"{"from":"c","to":"s0","via":"http"}"#.to_string()];
        for i in 0..5 {
            nodes.push(format!(r#"{{"id":"s{i}","kind":"service"}}"#));
            if i > 0 {
                links.push(format!(r#"{{"id":"fan{i}","from":"s{}","to":"s{i}","via":"grpc","count":1000}}"#, i - 1));
            }
        }
        let text = format!(r#"{{"crosstalk":1,"nodes":[{}],"links":[{}]}}"#, nodes.join(","), links.join(","));
        let e = check(&s(&text), &Budget::default()).unwrap_err();
        assert!(e.message.contains("link `fan") && e.message.contains("(count)"), "{}", e.message);
    }

    #[test]
    fn any_scenario_can_be_estimated() {
        // Validation refuses these; the estimate must still not panic.
        let mut sc =
            load::parse(r#"{"crosstalk":1,"nodes":[{"id":"c","kind":"client","schedule":[[5,10],[-3,1e308]]}]}"#)
                .expect("parses");
        sc.duration_ms = -1.0;
        assert_eq!(estimate(&sc).requests, 0.0);
        sc.duration_ms = f64::NAN;
        let _ = estimate(&sc);
    }

    #[test]
    fn durations_that_fit_are_rounded_down_to_two_digits() {
        let b = Budget { events: 1_000, memory_bytes: 1 };
        assert_eq!(fitting_duration_ms(60_000.0, 4_000.0, &b), Some(15_000.0));
        assert_eq!(fitting_duration_ms(60_000.0, 7_000.0, &b), Some(8_500.0));
        assert_eq!(fitting_duration_ms(1.0, 1e12, &b), None);
    }

    #[test]
    fn counts_read_like_words() {
        assert_eq!(count(3_500.0), "3,500");
        assert_eq!(count(2_400_000.0), "2.4 million");
        assert_eq!(count(3.5e11), "350 billion");
        assert_eq!(bytes((1u64 << 30) as f64), "1.0 GiB");
    }
}
