//! Guards that stop a runaway run with a message, in bounded time and
//! memory (TigerBeetle's rule: bound every loop and queue). Every
//! [`CHECK_EVERY`] events the run checks that
//!
//! - it holds at most `caps::LIVE_ITEMS` requests and messages at once (an
//!   overload: a backlog that grows without bound);
//! - it stays within its event budget ([`Budget`]): the estimate before the
//!   run cannot see timeouts or overloads, so a storm of them gets here;
//! - simulated time moves: `caps::EVENTS_AT_ONE_INSTANT` events at one
//!   instant is instant work that keeps multiplying;
//! - and, less often, that its memory as the engine accounts for it stays
//!   within the budget (`memory`).
//!
//! The message names the node or link that exploded and what to change.

use super::model::*;
use super::Sim;
use crate::engine::budget::{self, count, Budget};
use crate::engine::format::defaults::caps;
use crate::engine::format::{NodeKind, Via};
use crate::engine::kernel::clock::{us_to_ms, Micros};

/// The guards run every this many events (a power of two).
pub(super) const CHECK_EVERY: u64 = 1024;

/// What the guards remember between checks.
#[derive(Clone, Debug, Default)]
pub(super) struct Watch {
    pub budget: Budget,
    /// The instant of the last check and the events seen at it since.
    instant: Micros,
    at_instant: u64,
    /// Arrivals per node when the current instant began to look stuck.
    stuck_from: Option<Vec<u64>>,
    /// A run stopped by its event budget: the duration that would fit.
    pub fits_ms: Option<f64>,
}

/// Runs the guards; stops the run with a message if one trips.
pub(super) fn check(sim: &mut Sim) {
    let why = logs_full(sim)
        .or_else(|| overloaded(sim))
        .or_else(|| over_budget(sim))
        .or_else(|| stuck(sim))
        .or_else(|| super::memory::out_of_memory(sim));
    if why.is_some() {
        sim.stopped = why;
    }
}

pub(super) fn at(sim: &Sim) -> String {
    format!("stopped at {:.0} ms", us_to_ms(sim.now))
}

fn logs_full(sim: &Sim) -> Option<String> {
    (sim.log_entries > caps::LOG_ENTRIES).then(|| {
        format!(
            "{}: log topics hold more than {} messages; give them a `retention_ms`",
            at(sim),
            count(caps::LOG_ENTRIES as f64)
        )
    })
}

fn overloaded(sim: &Sim) -> Option<String> {
    let live = sim.jobs.len() + sim.msgs.len() + sim.pushes.len();
    if live <= caps::LIVE_ITEMS {
        return None;
    }
    Some(format!(
        "{}: more than {} requests and messages alive at once, {}; the system is overloaded beyond what a simulation can follow",
        at(sim),
        count(caps::LIVE_ITEMS as f64),
        holder(sim)
    ))
}

/// "1,950,000 of them at service `s` (add workers...)": the node that
/// holds the most live requests (at their node), messages (at their queue)
/// and pushes (at their browser), and what to change. A request waiting
/// for its own call's answer is counted where that call waits, not at its
/// caller: the callers of an overloaded service only hold their share.
pub(super) fn holder(sim: &Sim) -> String {
    let mut held = vec![0u64; sim.nodes.len()];
    for (_, j) in sim.jobs.iter() {
        if !matches!(j.phase, Phase::Calling | Phase::Backoff | Phase::Parked | Phase::Gathering) {
            held[j.node as usize] += 1;
        }
    }
    if held.iter().all(|h| *h == 0) {
        // Only callers are left: they are what is held.
        for (_, j) in sim.jobs.iter() {
            held[j.node as usize] += 1;
        }
    }
    for (_, m) in sim.msgs.iter() {
        if let Some(h) = held.get_mut(m.queue as usize) {
            *h += 1;
        }
    }
    for (_, p) in sim.pushes.iter() {
        if let Some(h) = held.get_mut(p.browser as usize) {
            *h += 1;
        }
    }
    let (top, n) = held.iter().enumerate().max_by_key(|(_, h)| **h).map(|(i, h)| (i, *h)).unwrap_or((0, 0));
    let fix = match sim.nodes.get(top).map(|n| n.kind) {
        Some(NodeKind::Queue | NodeKind::Topic) => "add consumers or workers behind it, or lower the rates into it",
        Some(NodeKind::Client) => {
            "its requests wait on slow calls: add capacity downstream, set a timeout_ms, or lower its rate"
        }
        Some(NodeKind::Browser) => "pushes on their way to it: lower the rates or give its links less latency",
        _ => "add workers or lower the rates into it",
    };
    format!("{} of them at {} ({fix})", count(n as f64), named(sim, top as u32))
}

fn over_budget(sim: &mut Sim) -> Option<String> {
    if sim.events < sim.watch.budget.events {
        return None;
    }
    let fits = budget::fitting_duration_ms(us_to_ms(sim.now), sim.events as f64, &sim.watch.budget);
    sim.watch.fits_ms = fits;
    let busiest = busiest(sim);
    let shorten = match fits {
        Some(ms) => format!("or shorten the run to {ms} ms (duration_ms)"),
        None => "or lower the rates".into(),
    };
    Some(format!(
        "{} after {} events, the budget of one run: {}; {shorten}",
        at(sim),
        count(sim.events as f64),
        busiest.unwrap_or_else(|| "the run is long".into())
    ))
}

/// The node that received the most, and what multiplies its work.
pub(super) fn busiest(sim: &Sim) -> Option<String> {
    let by_arrivals = |all: bool| {
        sim.nodes
            .iter()
            .enumerate()
            .filter(move |(_, n)| all || n.kind != NodeKind::Client)
            .max_by_key(|(_, n)| n.metrics.arrivals)
    };
    // Clients only when nothing else received anything.
    let (i, node) = by_arrivals(false).filter(|(_, n)| n.metrics.arrivals > 0).or_else(|| by_arrivals(true))?;
    let m = &node.metrics;
    let failing = (m.failed + m.rejected) as f64 / m.arrivals.max(1) as f64;
    let verb = if node.kind == NodeKind::Client { "started" } else { "received" };
    let what = format!("{} {verb} {} requests and messages", named(sim, i as u32), count(m.arrivals as f64));
    let retrying =
        sim.links.iter().filter(|l| l.to == i as u32 && l.retry.attempts > 1).max_by_key(|l| l.retry.attempts);
    if let Some(l) = retrying {
        // Calls that time out are retried too: the callee may be fine,
        // just slower than the caller waits.
        let l_sent = sim.ledger.sent.max(1);
        let timing_out = l.timeout_us.filter(|_| sim.ledger.timed_out * 2 >= l_sent);
        let why = match (failing >= 0.5, timing_out) {
            (true, _) => Some(format!("it fails {:.0}% of them", failing * 100.0)),
            (false, Some(t)) => Some(format!("calls time out after {} ms", us_to_ms(t))),
            (false, None) => None,
        };
        if let Some(why) = why {
            return Some(format!(
                "{what}: link `{}` retries each call up to {} times and {why}, a retry storm (lower retry.attempts, add a circuit_breaker, or give it capacity)",
                l.id, l.retry.attempts
            ));
        }
    }
    let redelivering = sim.links.iter().filter(|l| l.to == i as u32 && l.via == Via::Consume).find_map(|l| match &sim
        .nodes[l.from as usize]
        .rt
    {
        KindRt::Queue(q) if q.max_deliveries > 1 => Some((l.from, q.max_deliveries)),
        _ => None,
    });
    if let (Some((q, times)), true) = (redelivering, failing >= 0.5) {
        return Some(format!(
            "{what} and fails {:.0}% of them, while queue `{}` redelivers each message up to {times} times (lower max_deliveries or fix the consumer)",
            failing * 100.0,
            sim.nodes[q as usize].id
        ));
    }
    Some(format!("{what} (lower the rates into it)"))
}

fn stuck(sim: &mut Sim) -> Option<String> {
    let w = &mut sim.watch;
    if sim.now != w.instant {
        w.instant = sim.now;
        w.at_instant = 0;
        w.stuck_from = None;
        return None;
    }
    w.at_instant += CHECK_EVERY;
    if w.at_instant >= caps::EVENTS_AT_ONE_INSTANT / 2 && w.stuck_from.is_none() {
        w.stuck_from = Some(sim.nodes.iter().map(|n| n.metrics.arrivals).collect());
        return None;
    }
    if w.at_instant < caps::EVENTS_AT_ONE_INSTANT {
        return None;
    }
    let before = w.stuck_from.take().unwrap_or_default();
    let (top, grew) = sim
        .nodes
        .iter()
        .enumerate()
        .map(|(i, n)| (i, n.metrics.arrivals.saturating_sub(before.get(i).copied().unwrap_or(0))))
        .max_by_key(|(_, g)| *g)
        .unwrap_or((0, 0));
    Some(format!(
        "simulated time stopped at {:.0} ms: more than {} events at this one instant, most of them at {} ({} arrivals lately); work that takes no time keeps multiplying (give its links a latency_ms or its work a work_ms, or break the loop)",
        us_to_ms(sim.now),
        count(caps::EVENTS_AT_ONE_INSTANT as f64),
        named(sim, top as u32),
        count(grew as f64)
    ))
}

/// "service `pay`", or the topic a hidden backlog belongs to.
pub(super) fn named(sim: &Sim, node: u32) -> String {
    let n = &sim.nodes[node as usize];
    match &n.rt {
        KindRt::Queue(q) if q.owner != NONE => format!("the backlog `{}`", n.id),
        _ => format!("{} `{}`", n.kind.as_str(), n.id),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_run_of_clients_alone_names_its_busiest_client() {
        // Found by the fuzz run: with only clients, a stop named nothing.
        let s = crate::engine::format::load::load(
            r#"{"crosstalk":1,"duration_ms":1000,"nodes":[{"id":"c","kind":"client","rate_per_s":100000}]}"#,
        )
        .expect("valid");
        let mut sim = Sim::new(&s, Default::default()).expect("fits the default budget");
        sim.watch.budget.events = 20_000;
        sim.run_to_end();
        let m = sim.stopped().expect("stopped at its budget");
        assert!(m.contains("client `c` started 20,") && m.contains("shorten the run to"), "{m}");
    }
}
