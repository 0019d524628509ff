//! Design warnings: what is legal but probably not what was meant, found
//! without running anything. A warning never blocks a run.
//!
//! Besides the wiring checks (a node linked to nothing, one no request
//! reaches, a queue nobody consumes, a topic nobody subscribes to, a client
//! at 0/s), a static bottleneck analysis: the offered load is pushed from
//! every client through the links (each request makes each of its node's
//! calls and sends once; a queue's messages are shared by its consumers in
//! proportion to their capacity; a topic copies each message to every
//! subscription; errors stop a request's later steps), and each node's
//! capacity is its workers over the time a request holds one (its work plus
//! the synchronous calls it waits for). Utilization is load times holding
//! time over workers: at 100% and above the backlog grows without bound
//! (queueing theory's stability condition, rho < 1). The same analysis with
//! every retried call multiplied by its attempts finds retry storms, and
//! the call timeouts along each chain find callers that give up before the
//! work they wait for can finish. A call's time counts every crossing of
//! its link at the link's latency plus, between two regions, the region
//! pair's latency (there and back, and for `per_request` connections the
//! TCP and TLS handshakes' four crossings), so a timeout shorter than a
//! cross-region round trip is found too.
//!
//! Messages name nodes by their labels, as people see them on the canvas.

use crate::engine::format::defaults as d;
use crate::engine::format::regions;
use crate::engine::format::scale::Connection;
use crate::engine::format::validate::Place;
use crate::engine::format::{Dist, LinkSpec, NodeKind, NodeSpec, Scenario, Via};
use crate::engine::kernel::ordered::ordered;
use std::collections::BTreeMap;

/// What a warning is about, for tests and for grouping.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Rule {
    /// A node with no link at all.
    Unconnected,
    /// No client's requests can reach the node.
    Idle,
    /// A queue without a `consume` link.
    NoConsumer,
    /// A topic without a `subscribe` link.
    NoSubscriber,
    /// A client that sends nothing.
    ZeroRate,
    /// Offered load at or above capacity.
    Overload,
    /// A call that can outlast its caller's own timeout.
    TimeoutOrder,
    /// Retries that can push a node past its capacity.
    RetryStorm,
    /// A call timeout shorter than the call itself: the crossings there and
    /// back (region latency included) plus the work it waits for.
    TimeoutTooShort,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Warning {
    pub rule: Rule,
    /// The node (or link) to select to fix it.
    pub place: Place,
    pub message: String,
}

/// Every design warning about `s`, grouped by node in diagram order.
/// Expects a scenario that passed validation (others get what applies).
pub fn lint(s: &Scenario) -> Vec<Warning> {
    let g = Graph::new(s);
    let mut out = Vec::new();
    g.wiring(&mut out);
    g.load(&mut out);
    g.timeouts(&mut out);
    g.short_timeouts(&mut out);
    // Diagram order, then by rule: a node's warnings sit together
    // (insertion keeps the order found at equal keys; no sort code).
    let position = |w: &Warning| match &w.place {
        Place::Node(id) => (s.nodes.iter().position(|n| n.id == *id).unwrap_or(usize::MAX), w.rule),
        Place::Link(id) => (s.nodes.len() + s.links.iter().position(|l| l.id == *id).unwrap_or(0), w.rule),
        _ => (usize::MAX, w.rule),
    };
    let mut sorted: Vec<Warning> = Vec::with_capacity(out.len());
    for w in out {
        let at = sorted.partition_point(|x| position(x) <= position(&w));
        sorted.insert(at, w);
    }
    sorted
}

/// A number of requests per second for people: "10,000", "1,600", "2.5".
fn rate(v: f64) -> String {
    if !v.is_finite() {
        return "unbounded".into();
    }
    if v < 10.0 {
        let t = format!("{v:.1}");
        return t.strip_suffix(".0").map(str::to_string).unwrap_or(t);
    }
    // Two significant digits: an estimate, not a measurement.
    let magnitude = libm::pow(10.0, libm::floor(libm::log10(v)) - 1.0);
    let rounded = (libm::round(v / magnitude) * magnitude) as u64;
    let digits = rounded.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn duration(ms: f64) -> String {
    if !ms.is_finite() {
        "forever".into()
    } else if ms >= 1000.0 {
        let s = format!("{:.1}", ms / 1000.0);
        format!("{} s", s.strip_suffix(".0").unwrap_or(&s))
    } else {
        format!("{} ms", libm::round(ms))
    }
}

struct Graph<'a> {
    s: &'a Scenario,
    index: BTreeMap<&'a str, u32>,
    /// Links leaving each node, in scenario order.
    out: Vec<Vec<&'a LinkSpec>>,
    into: Vec<Vec<&'a LinkSpec>>,
    /// Nodes in an order where every link goes forward (poll links, which
    /// carry no work forward, aside).
    order: Vec<usize>,
    /// Nodes some queue dead-letters into.
    dead_letters: Vec<&'a str>,
}

impl<'a> Graph<'a> {
    fn new(s: &'a Scenario) -> Graph<'a> {
        let index = ordered(s.nodes.iter().enumerate().map(|(i, n)| (n.id.as_str(), i as u32)));
        let mut out = vec![Vec::new(); s.nodes.len()];
        let mut into = vec![Vec::new(); s.nodes.len()];
        for l in &s.links {
            if let (Some(&a), Some(&b)) = (index.get(l.from.as_str()), index.get(l.to.as_str())) {
                out[a as usize].push(l);
                into[b as usize].push(l);
            }
        }
        // Kahn's algorithm; a node left over (a cycle, refused by the
        // validator) is simply appended.
        let mut indegree: Vec<usize> =
            into.iter().map(|ls| ls.iter().filter(|l: &&&LinkSpec| l.via != Via::Poll).count()).collect();
        let mut order: Vec<usize> = (0..s.nodes.len()).filter(|i| indegree[*i] == 0).collect();
        let mut k = 0;
        while k < order.len() {
            let n = order[k];
            k += 1;
            for l in out[n].iter().filter(|l| l.via != Via::Poll) {
                if let Some(&b) = index.get(l.to.as_str()) {
                    let b = b as usize;
                    indegree[b] -= 1;
                    if indegree[b] == 0 {
                        order.push(b);
                    }
                }
            }
        }
        let mut placed = vec![false; s.nodes.len()];
        for &i in &order {
            placed[i] = true;
        }
        order.extend((0..s.nodes.len()).filter(|i| !placed[*i]));
        // Where messages nobody asked for are parked: dead-letter targets,
        // exchanges' alternates, and the queues bound to an exchange that is
        // one of those (a dead-letter exchange); nobody needs to consume them.
        let mut dead_letters: Vec<&str> =
            s.nodes.iter().filter_map(|n| n.dead_letter.as_deref().or(n.alternate.as_deref())).collect();
        let parking_exchanges: Vec<&str> = s
            .nodes
            .iter()
            .filter(|n| n.kind == NodeKind::Exchange && dead_letters.contains(&n.id.as_str()))
            .map(|n| n.id.as_str())
            .collect();
        dead_letters.extend(
            s.links
                .iter()
                .filter(|l| l.via == Via::Bind && parking_exchanges.contains(&l.from.as_str()))
                .map(|l| l.to.as_str()),
        );
        Graph { s, index, out, into, order, dead_letters }
    }

    fn node(&self, i: usize) -> &'a NodeSpec {
        &self.s.nodes[i]
    }

    fn name(&self, id: &str) -> &'a str {
        self.index.get(id).map(|i| self.s.nodes[*i as usize].display_name()).unwrap_or("?")
    }

    fn link_name(&self, l: &LinkSpec) -> String {
        format!("{} → {}", self.name(&l.from), self.name(&l.to))
    }

    fn wiring(&self, out: &mut Vec<Warning>) {
        // What client requests can reach, following every link that carries
        // work (and dead letters).
        let mut reached = vec![false; self.s.nodes.len()];
        let mut stack: Vec<usize> =
            (0..self.s.nodes.len()).filter(|i| self.node(*i).kind == NodeKind::Client).collect();
        while let Some(n) = stack.pop() {
            if std::mem::replace(&mut reached[n], true) {
                continue;
            }
            let next = self.out[n].iter().filter_map(|l| self.index.get(l.to.as_str()).map(|&i| i as usize));
            let spec = self.node(n);
            let parked = [spec.dead_letter.as_deref(), spec.alternate.as_deref()];
            let parked = parked.into_iter().flatten().filter_map(|d| self.index.get(d).map(|&i| i as usize));
            stack.extend(next.chain(parked));
        }
        for (i, n) in self.s.nodes.iter().enumerate() {
            let place = Place::Node(n.id.clone());
            let name = n.display_name();
            let linked =
                !self.out[i].is_empty() || !self.into[i].is_empty() || self.dead_letters.contains(&n.id.as_str());
            let warn = |rule, message: String| Warning { rule, place: place.clone(), message };
            if !linked {
                out.push(warn(Rule::Unconnected, format!("{name} is not connected to anything.")));
                continue;
            }
            if n.kind == NodeKind::Client {
                let peak = n
                    .schedule
                    .iter()
                    .flatten()
                    .map(|s| s.1)
                    .fold(n.rate_per_s.unwrap_or(d::CLIENT_RATE_PER_S), f64::max);
                if peak <= 0.0 {
                    out.push(warn(Rule::ZeroRate, format!("{name} sends nothing (0 requests/s): set a rate.")));
                }
                if self.out[i].is_empty() {
                    out.push(warn(Rule::Idle, format!("{name} sends its requests nowhere: link it to a service.")));
                }
            } else if !reached[i] {
                out.push(warn(Rule::Idle, format!("{name} gets no work: no client's requests reach it.")));
            }
            let consumers = self.out[i].iter().filter(|l| l.via == Via::Consume).count();
            if n.kind == NodeKind::Queue && consumers == 0 && !self.dead_letters.contains(&n.id.as_str()) {
                out.push(warn(
                    Rule::NoConsumer,
                    format!("Nobody consumes {name}: its messages pile up. Link it to a service (consume)."),
                ));
            }
            let subscribers = self.out[i].iter().filter(|l| l.via == Via::Subscribe).count();
            if n.kind == NodeKind::Topic && subscribers == 0 {
                out.push(warn(
                    Rule::NoSubscriber,
                    format!("Nobody subscribes to {name}: every message published to it is dropped."),
                ));
            }
        }
    }

    /// Workers of a node, `None` for unbounded (sagas and websocket servers
    /// without a setting).
    fn workers(&self, i: usize) -> Option<f64> {
        let n = self.node(i);
        match n.kind {
            NodeKind::Service => Some(f64::from(n.workers.unwrap_or(d::SERVICE_WORKERS))),
            NodeKind::Database => Some(f64::from(n.workers.unwrap_or(d::DATABASE_WORKERS))),
            NodeKind::Saga | NodeKind::Websocket => n.workers.map(f64::from),
            _ => None,
        }
    }

    fn work_ms(&self, i: usize) -> f64 {
        let n = self.node(i);
        let default = match n.kind {
            NodeKind::Service => d::SERVICE_WORK_MS,
            NodeKind::Database => d::DATABASE_WORK_MS,
            _ => d::SAGA_WORK_MS,
        };
        match n.kind {
            NodeKind::Service | NodeKind::Saga | NodeKind::Websocket | NodeKind::Database => {
                n.work_ms.map_or(default, |w| w.mean_ms())
            }
            _ => 0.0,
        }
    }

    fn latency_ms(l: &LinkSpec) -> f64 {
        let default = match l.via {
            Via::Http => d::HTTP_LATENCY_MS,
            Via::Grpc => d::GRPC_LATENCY_MS,
            Via::Write | Via::Read => d::DATABASE_LATENCY_MS,
            _ => d::LINK_LATENCY_MS,
        };
        l.latency_ms.map_or(default, |x: Dist| x.mean_ms())
    }

    /// The one-way latency the regions add to link `l` (0 within one).
    fn region_ms(&self, l: &LinkSpec) -> f64 {
        regions::link_extra(self.s, &l.from, &l.to).1
    }

    /// Crossings of a call over `l`: there and back, and the handshakes'
    /// four of a `per_request` connection (TCP, then TLS 1.3).
    fn crossings(l: &LinkSpec) -> f64 {
        if l.connection == Some(Connection::PerRequest) {
            6.0
        } else {
            2.0
        }
    }

    /// The mean time a call over `l` spends on the wire, ms.
    fn wire_ms(&self, l: &LinkSpec) -> f64 {
        Self::crossings(l) * (Self::latency_ms(l) + self.region_ms(l))
    }

    /// How long a request holds a worker at each node: its work plus the
    /// synchronous calls it waits for (answers without queueing delay; a
    /// call's wait is cut at its timeout).
    fn holding_ms(&self) -> Vec<f64> {
        let mut hold = vec![0.0; self.s.nodes.len()];
        for &i in self.order.iter().rev() {
            let mut t = self.work_ms(i);
            for l in &self.out[i] {
                if !l.via.is_sync_call() {
                    continue;
                }
                let Some(to) = self.index.get(l.to.as_str()).map(|&t| t as usize) else { continue };
                let answer = self.wire_ms(l) + hold[to];
                t += l.timeout_ms.map_or(answer, |limit| answer.min(limit));
            }
            hold[i] = t;
        }
        hold
    }

    /// Requests or messages per second reaching each node, and the same in
    /// the worst case of retries (every retried call making all its
    /// attempts) with the retried links behind it. Retries multiply only
    /// along synchronous calls: a slow node makes its callers' calls time
    /// out and retry, while a queue in between absorbs the slowdown.
    fn offered(&self, hold: &[f64]) -> (Vec<f64>, Vec<f64>, Vec<Vec<&'a str>>) {
        let n_nodes = self.s.nodes.len();
        let mut load = vec![0.0; n_nodes];
        let mut worst = vec![0.0; n_nodes];
        let mut retried: Vec<Vec<&str>> = vec![Vec::new(); n_nodes];
        for &i in &self.order {
            let n = self.node(i);
            if n.kind == NodeKind::Client {
                let peak = n
                    .schedule
                    .iter()
                    .flatten()
                    .map(|s| s.1)
                    .fold(n.rate_per_s.unwrap_or(d::CLIENT_RATE_PER_S), f64::max);
                load[i] = peak;
                worst[i] = peak;
            }
            let (here, here_worst) = (load[i], worst[i]);
            if here <= 0.0 {
                continue;
            }
            // Errors end a request before its steps.
            let pass = 1.0 - n.error_rate.unwrap_or(0.0).clamp(0.0, 1.0);
            match n.kind {
                NodeKind::Queue => {
                    let consumers: Vec<(usize, f64)> = self.out[i]
                        .iter()
                        .filter(|l| l.via == Via::Consume)
                        .filter_map(|l| {
                            self.index.get(l.to.as_str()).map(|&c| (c as usize, self.capacity(c as usize, hold)))
                        })
                        .collect();
                    let total: f64 = consumers.iter().map(|c| c.1).sum();
                    for (c, cap) in &consumers {
                        let share =
                            if total.is_finite() && total > 0.0 { cap / total } else { 1.0 / consumers.len() as f64 };
                        load[*c] += here * share;
                        worst[*c] += here * share;
                    }
                }
                NodeKind::Browser => {}
                _ => {
                    for l in &self.out[i] {
                        let Some(to) = self.index.get(l.to.as_str()).map(|&t| t as usize) else { continue };
                        match l.via {
                            Via::Poll => {}
                            Via::Subscribe => {
                                load[to] += here;
                                worst[to] += here;
                            }
                            v if v.is_sync_call() => {
                                let attempts =
                                    l.retry.as_ref().map_or(1, |r| r.attempts.unwrap_or(d::RETRY_ATTEMPTS).max(1));
                                load[to] += here * pass;
                                worst[to] += here_worst * pass * f64::from(attempts);
                                let mut behind = retried[i].clone();
                                if attempts > 1 {
                                    behind.push(l.id.as_str());
                                }
                                for id in behind {
                                    if !retried[to].contains(&id) {
                                        retried[to].push(id);
                                    }
                                }
                            }
                            _ => {
                                load[to] += here * pass;
                                worst[to] += here * pass;
                            }
                        }
                    }
                }
            }
        }
        (load, worst, retried)
    }

    /// Requests per second a node can finish (infinite without a bound).
    fn capacity(&self, i: usize, hold: &[f64]) -> f64 {
        let replicas = f64::from(crate::engine::format::scale::replicas_of(self.node(i)));
        match self.workers(i) {
            Some(w) if hold[i] > 0.0 => replicas * w * 1000.0 / hold[i],
            _ => f64::INFINITY,
        }
    }

    fn load(&self, out: &mut Vec<Warning>) {
        let hold = self.holding_ms();
        let (base, worst, retried) = self.offered(&hold);
        for i in 0..self.s.nodes.len() {
            let cap = self.capacity(i, &hold);
            if !cap.is_finite() || base[i] <= 0.0 {
                continue;
            }
            let n = self.node(i);
            let name = n.display_name();
            let workers = self.workers(i).unwrap_or(0.0);
            // A database's workers are its connections, on the primary and
            // on each read replica (reads may spread over them all).
            let db = n.kind == NodeKind::Database;
            let unit = if db { "connection" } else { "worker" };
            let how =
                format!("{} {unit}{} × {} each", workers, if workers == 1.0 { "" } else { "s" }, duration(hold[i]));
            let how = match (crate::engine::format::scale::replicas_of(n), db) {
                (1, _) => how,
                (r, true) => format!("the primary and {} read replica{} × {how}", r - 1, if r == 2 { "" } else { "s" }),
                (r, false) => format!("{r} replicas × {how}"),
            };
            let remedy = if db {
                "add connections or read replicas, or make the queries faster"
            } else {
                "add workers or cut the work"
            };
            let place = Place::Node(n.id.clone());
            if base[i] >= cap {
                out.push(Warning {
                    rule: Rule::Overload,
                    place,
                    message: format!(
                        "{name} gets about {}/s but can handle about {}/s ({how}): expected utilization {:.0}%. Its backlog grows without bound; {remedy}.",
                        rate(base[i]),
                        rate(cap),
                        base[i] / cap * 100.0
                    ),
                });
            } else if worst[i] >= cap {
                let via: Vec<String> = self
                    .s
                    .links
                    .iter()
                    .filter(|l| retried[i].contains(&l.id.as_str()))
                    .map(|l| {
                        let a = l.retry.as_ref().and_then(|r| r.attempts).unwrap_or(d::RETRY_ATTEMPTS);
                        format!("{} ({a} attempts)", self.link_name(l))
                    })
                    .collect();
                let via = via.join(", ");
                let guarded = self
                    .s
                    .links
                    .iter()
                    .filter(|l| retried[i].contains(&l.id.as_str()))
                    .all(|l| l.circuit_breaker.is_some());
                let advice = if guarded {
                    "The circuit breaker on it limits the damage; switch it off to see the storm."
                } else {
                    "Add a circuit breaker or fewer attempts."
                };
                out.push(Warning {
                    rule: Rule::RetryStorm,
                    place,
                    message: format!(
                        "Retries can multiply the load on {name} from about {}/s to {}/s, past what it handles (about {}/s): once it slows down, the retries of {via} turn a slowdown into a retry storm. {advice}",
                        rate(base[i]),
                        rate(worst[i]),
                        rate(cap)
                    ),
                });
            }
        }
    }

    /// Worst time a call over `l` can keep its caller waiting, retries and
    /// backoffs included (infinite without a timeout).
    fn call_budget_ms(l: &LinkSpec) -> f64 {
        let Some(t) = l.timeout_ms else {
            return f64::INFINITY;
        };
        let Some(r) = &l.retry else {
            return t;
        };
        let attempts = r.attempts.unwrap_or(d::RETRY_ATTEMPTS).max(1);
        let (base, mult) = (r.base_ms.unwrap_or(d::RETRY_BASE_MS), r.multiplier.unwrap_or(d::RETRY_MULTIPLIER));
        let max = r.max_ms.unwrap_or(f64::INFINITY);
        let backoff: f64 = (0..attempts - 1).map(|k| (base * libm::pow(mult, f64::from(k))).min(max)).sum();
        t * f64::from(attempts) + backoff
    }

    fn timeouts(&self, out: &mut Vec<Warning>) {
        for (i, n) in self.s.nodes.iter().enumerate() {
            // The caller with the shortest patience is the one that matters.
            let Some(caller) = self.into[i]
                .iter()
                .filter(|l| l.via.is_sync_call() && l.timeout_ms.is_some())
                .min_by(|a, b| a.timeout_ms.partial_cmp(&b.timeout_ms).unwrap_or(std::cmp::Ordering::Equal))
            else {
                continue;
            };
            let patience = caller.timeout_ms.unwrap_or(f64::INFINITY);
            for l in self.out[i].iter().filter(|l| l.via.is_sync_call()) {
                let budget = Self::call_budget_ms(l);
                if budget <= patience {
                    continue;
                }
                let how = match (l.timeout_ms, &l.retry) {
                    (None, _) => "without a timeout".to_string(),
                    (Some(t), Some(_)) => {
                        format!("up to {} (timeout {} with retries)", duration(budget), duration(t))
                    }
                    (Some(_), None) => format!("up to {}", duration(budget)),
                };
                out.push(Warning {
                    rule: Rule::TimeoutOrder,
                    place: Place::Node(n.id.clone()),
                    message: format!(
                        "{} waits for {} {how}, but {} gives up on {} after {}: the work goes on after nobody waits for it. Give the inner call a shorter timeout than the outer one.",
                        n.display_name(),
                        self.name(&l.to),
                        self.name(&caller.from),
                        n.display_name(),
                        duration(patience)
                    ),
                });
            }
        }
    }

    /// Calls whose timeout is shorter than the call: every crossing of the
    /// link (region latency included) plus the time the callee holds it.
    fn short_timeouts(&self, out: &mut Vec<Warning>) {
        let hold = self.holding_ms();
        for l in self.s.links.iter().filter(|l| l.via.is_sync_call()) {
            let (Some(limit), Some(&to)) = (l.timeout_ms, self.index.get(l.to.as_str())) else { continue };
            let (wire, work) = (self.wire_ms(l), hold[to as usize]);
            if limit >= wire + work {
                continue;
            }
            let region = self.region_ms(l);
            let each_way = match (self.node_region(&l.from), self.node_region(&l.to)) {
                (Some(a), Some(b)) if region > 0.0 => format!(
                    "{} each way ({} of link latency + {} from region {a} to region {b})",
                    duration(Self::latency_ms(l) + region),
                    duration(Self::latency_ms(l)),
                    duration(region)
                ),
                _ => format!("{} each way", duration(Self::latency_ms(l))),
            };
            let crossings = Self::crossings(l);
            let wire_text = if crossings > 2.0 {
                format!("{} on the wire (6 crossings with the handshakes, {each_way})", duration(wire))
            } else {
                format!("{} on the wire ({each_way})", duration(wire))
            };
            let verdict = if limit < wire {
                "every call times out before its answer can arrive".to_string()
            } else {
                format!("most calls time out (+ {} at {})", duration(work), self.name(&l.to))
            };
            out.push(Warning {
                rule: Rule::TimeoutTooShort,
                place: Place::Link(l.id.clone()),
                message: format!(
                    "Link {} ({}) gives up after {}, but a call takes about {}: {wire_text}; {verdict}. Raise the timeout{}.",
                    l.id,
                    self.link_name(l),
                    duration(limit),
                    duration(wire + work),
                    if region > 0.0 { " or keep the call within one region" } else { "" }
                ),
            });
        }
    }

    fn node_region(&self, id: &str) -> Option<&'a str> {
        self.index.get(id).and_then(|&i| regions::of(&self.s.nodes[i as usize]))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::format::load;

    fn warnings(json: &str) -> Vec<Warning> {
        lint(&load(json).unwrap_or_else(|e| panic!("{e}")))
    }

    fn rules(json: &str) -> Vec<Rule> {
        warnings(json).into_iter().map(|w| w.rule).collect()
    }

    const FINE: &str = r#"{"crosstalk":1,
        "nodes":[{"id":"c","kind":"client","label":"Shoppers","rate_per_s":50},
                 {"id":"s","kind":"service","label":"Shop","workers":4,"work_ms":10},
                 {"id":"q","kind":"queue","label":"Mails"},
                 {"id":"m","kind":"service","label":"Mailer","workers":2,"work_ms":5}],
        "links":[{"id":"l1","from":"c","to":"s","via":"http","timeout_ms":1000},
                 {"id":"l2","from":"s","to":"q","via":"enqueue"},
                 {"id":"l3","from":"q","to":"m","via":"consume"}]}"#;

    #[test]
    fn a_sound_design_has_no_warning() {
        assert_eq!(warnings(FINE), vec![]);
    }

    #[test]
    fn unconnected_and_idle_nodes() {
        let w = warnings(
            r#"{"crosstalk":1,"nodes":[{"id":"c","kind":"client","label":"Users"},
                {"id":"a","kind":"service","label":"Lonely"},
                {"id":"b","kind":"service","label":"Orphan"},{"id":"x","kind":"service","label":"Below orphan"}],
                "links":[{"id":"l1","from":"b","to":"x","via":"http"}]}"#,
        );
        let find = |r: Rule, name: &str| w.iter().any(|x| x.rule == r && x.message.contains(name));
        assert!(find(Rule::Unconnected, "Lonely is not connected"), "{w:?}");
        assert!(find(Rule::Unconnected, "Users"), "{w:?}");
        assert!(find(Rule::Idle, "Orphan gets no work"), "{w:?}");
        assert!(find(Rule::Idle, "Below orphan gets no work"), "{w:?}");
        assert_eq!(w.iter().find(|x| x.message.contains("Orphan gets")).unwrap().place, Place::Node("b".into()));
    }

    #[test]
    fn queues_without_consumers_but_not_dead_letter_queues() {
        let w = warnings(
            r#"{"crosstalk":1,"nodes":[{"id":"c","kind":"client"},{"id":"s","kind":"service"},
                {"id":"q","kind":"queue","label":"Jobs","dead_letter":"dlq"},{"id":"dlq","kind":"queue","label":"Dead jobs"}],
                "links":[{"id":"l1","from":"c","to":"s","via":"http"},{"id":"l2","from":"s","to":"q","via":"enqueue"}]}"#,
        );
        assert_eq!(w.iter().filter(|x| x.rule == Rule::NoConsumer).count(), 1, "{w:?}");
        assert!(w.iter().any(|x| x.rule == Rule::NoConsumer
            && x.message == "Nobody consumes Jobs: its messages pile up. Link it to a service (consume)."));
        assert!(!w.iter().any(|x| x.message.contains("Dead jobs")), "a DLQ is meant to hold: {w:?}");
    }

    #[test]
    fn an_exchanges_alternate_and_a_dead_letter_exchanges_queues_are_meant_to_hold() {
        let w = warnings(
            r##"{"crosstalk":1,"nodes":[{"id":"c","kind":"client"},{"id":"s","kind":"service"},
                {"id":"x","kind":"exchange","alternate":"lost"},{"id":"lost","kind":"queue","label":"Unrouted"},
                {"id":"q","kind":"queue","label":"Jobs","dead_letter":"dlx"},{"id":"w","kind":"service"},
                {"id":"dlx","kind":"exchange","type":"fanout"},{"id":"dead","kind":"queue","label":"Dead"},
                {"id":"other","kind":"queue","label":"Forgotten"}],
                "links":[{"id":"l1","from":"c","to":"s","via":"http"},{"id":"l2","from":"s","to":"x","via":"publish"},
                {"id":"l3","from":"x","to":"q","via":"bind","pattern":"#"},{"id":"l4","from":"q","to":"w","via":"consume"},
                {"id":"l5","from":"dlx","to":"dead","via":"bind"},{"id":"l6","from":"x","to":"other","via":"bind","pattern":"#"}]}"##,
        );
        assert!(!w.iter().any(|x| x.message.contains("Unrouted") || x.message.contains("Dead")), "{w:?}");
        assert!(w.iter().any(|x| x.rule == Rule::NoConsumer && x.message.contains("Forgotten")), "{w:?}");
    }

    #[test]
    fn topics_without_subscribers() {
        let r = rules(
            r#"{"crosstalk":1,"nodes":[{"id":"c","kind":"client"},{"id":"s","kind":"service"},{"id":"t","kind":"topic"}],
                "links":[{"id":"l1","from":"c","to":"s","via":"http"},{"id":"l2","from":"s","to":"t","via":"publish"}]}"#,
        );
        assert_eq!(r, vec![Rule::NoSubscriber]);
    }

    #[test]
    fn a_client_at_zero_per_second() {
        let json = FINE.replace(r#""rate_per_s":50"#, r#""rate_per_s":0"#);
        let w = warnings(&json);
        assert_eq!(w.iter().map(|x| x.rule).collect::<Vec<_>>(), vec![Rule::ZeroRate]);
        assert_eq!(w[0].message, "Shoppers sends nothing (0 requests/s): set a rate.");
        // A schedule that sends later is fine.
        let json = FINE.replace(r#""rate_per_s":50"#, r#""rate_per_s":0,"schedule":[[5000,20]]"#);
        assert_eq!(rules(&json), vec![]);
    }

    #[test]
    fn replicas_multiply_a_services_capacity() {
        // 900/s into 10 replicas of one 10 ms worker: 1,000/s, no warning;
        // 1,200/s: 120%, and the message counts the replicas.
        let json = |rate: u32| {
            format!(
                r#"{{"crosstalk":1,"nodes":[{{"id":"c","kind":"client","rate_per_s":{rate}}},
                {{"id":"api","kind":"service","workers":1,"work_ms":10,"replicas":10}}],
                "links":[{{"from":"c","to":"api","via":"http"}}]}}"#
            )
        };
        assert!(!rules(&json(900)).contains(&Rule::Overload));
        let w: Vec<_> = warnings(&json(1200)).into_iter().filter(|w| w.rule == Rule::Overload).collect();
        assert!(
            w[0].message.contains("can handle about 1,000/s (10 replicas × 1 worker × 10 ms each)"),
            "{}",
            w[0].message
        );
    }

    #[test]
    fn offered_load_past_capacity_names_the_bottleneck_with_its_utilization() {
        // 10,000/s into 16 workers of 10 ms: 1,600/s, 625%.
        let json = r#"{"crosstalk":1,"nodes":[{"id":"c","kind":"client","label":"Coders","rate_per_s":10000},
            {"id":"api","kind":"service","label":"Primary backend","workers":16,"work_ms":{"exp":10}}],
            "links":[{"id":"l1","from":"c","to":"api","via":"http"}]}"#;
        let w = warnings(json);
        assert_eq!(w.len(), 1, "{w:?}");
        assert_eq!(w[0].rule, Rule::Overload);
        assert_eq!(w[0].place, Place::Node("api".into()));
        assert!(w[0].message.starts_with("Primary backend gets about 10,000/s but can handle about 1,600/s (16 workers × 10 ms each): expected utilization 625%"), "{}", w[0].message);
        // Synchronous calls hold the worker: 10 ms of work + a 40 ms call.
        let json = r#"{"crosstalk":1,"nodes":[{"id":"c","kind":"client","rate_per_s":200},
            {"id":"a","kind":"service","label":"Front","workers":8,"work_ms":10},
            {"id":"b","kind":"service","label":"Back","workers":100,"work_ms":40}],
            "links":[{"id":"l1","from":"c","to":"a","via":"http","latency_ms":0},
                     {"id":"l2","from":"a","to":"b","via":"http","latency_ms":0}]}"#;
        let w = warnings(json);
        assert_eq!(w.len(), 1, "{w:?}");
        assert!(
            w[0].message.starts_with(
                "Front gets about 200/s but can handle about 160/s (8 workers × 50 ms each): expected utilization 125%"
            ),
            "{w:?}"
        );
    }

    #[test]
    fn a_queue_shares_its_load_among_consumers_and_a_topic_copies_it() {
        // 100/s into a queue with two 10 ms workers each behind it: fine;
        // a topic doubles it for two subscribers of 60/s capacity each.
        let json = r#"{"crosstalk":1,"nodes":[{"id":"c","kind":"client","rate_per_s":100},
            {"id":"s","kind":"service","workers":50,"work_ms":1},{"id":"q","kind":"queue"},
            {"id":"w1","kind":"service","workers":1,"work_ms":10},{"id":"w2","kind":"service","workers":1,"work_ms":10},
            {"id":"t","kind":"topic"},{"id":"x","kind":"service","label":"Slow subscriber","workers":3,"work_ms":50},
            {"id":"y","kind":"service","workers":10,"work_ms":1}],
            "links":[{"id":"l1","from":"c","to":"s","via":"http"},{"id":"l2","from":"s","to":"q","via":"enqueue"},
                     {"id":"l3","from":"q","to":"w1","via":"consume"},{"id":"l4","from":"q","to":"w2","via":"consume"},
                     {"id":"l5","from":"s","to":"t","via":"publish"},{"id":"l6","from":"t","to":"x","via":"subscribe"},
                     {"id":"l7","from":"t","to":"y","via":"subscribe"}]}"#;
        let w = warnings(json);
        assert_eq!(w.len(), 1, "{w:?}");
        assert!(w[0].message.starts_with("Slow subscriber gets about 100/s but can handle about 60/s"), "{w:?}");
    }

    #[test]
    fn a_callee_timeout_longer_than_its_callers() {
        let json = r#"{"crosstalk":1,"nodes":[{"id":"c","kind":"client","label":"App"},
            {"id":"a","kind":"service","label":"Checkout","workers":10},{"id":"b","kind":"service","label":"Payments","workers":10}],
            "links":[{"id":"l1","from":"c","to":"a","via":"http","timeout_ms":1000},
                     {"id":"l2","from":"a","to":"b","via":"http","timeout_ms":800,"retry":{"attempts":2,"base_ms":100}}]}"#;
        let w = warnings(json);
        assert_eq!(w.len(), 1, "{w:?}");
        assert_eq!(w[0].rule, Rule::TimeoutOrder);
        assert!(w[0].message.starts_with("Checkout waits for Payments up to 1.7 s (timeout 800 ms with retries), but App gives up on Checkout after 1 s"), "{}", w[0].message);
        // Without any timeout inside, it waits forever.
        let json = json.replace(r#","timeout_ms":800,"retry":{"attempts":2,"base_ms":100}"#, "");
        assert!(warnings(&json)[0].message.contains("Payments without a timeout"), "{:?}", warnings(&json));
        // Shorter inside than outside: fine.
        let json = json.replace(r#""to":"b","via":"http""#, r#""to":"b","via":"http","timeout_ms":300"#);
        assert_eq!(rules(&json), vec![]);
    }

    #[test]
    fn retries_that_multiply_load_past_capacity() {
        // 300/s against 400/s of capacity: fine, until 3 attempts make 900/s.
        let json = r#"{"crosstalk":1,"nodes":[{"id":"c","kind":"client","label":"Shoppers","rate_per_s":300},
            {"id":"s","kind":"service","label":"Store","workers":100,"work_ms":1},
            {"id":"k","kind":"service","label":"Catalog","workers":4,"work_ms":10}],
            "links":[{"id":"l1","from":"c","to":"s","via":"http"},
                     {"id":"l2","from":"s","to":"k","via":"http","retry":{"attempts":3}}]}"#;
        let w = warnings(json);
        assert_eq!(w.iter().map(|x| x.rule).collect::<Vec<_>>(), vec![Rule::RetryStorm], "{w:?}");
        assert!(w[0].message.starts_with("Retries can multiply the load on Catalog from about 300/s to 900/s, past what it handles (about 400/s): once it slows down, the retries of Store → Catalog (3 attempts)"), "{}", w[0].message);
        assert_eq!(w[0].place, Place::Node("k".into()));
        // Two attempts stay under: no warning.
        assert_eq!(rules(&json.replace(r#""attempts":3"#, r#""attempts":1"#)), vec![]);
    }

    /// A checkout in `eu` calling payments in `us` (40 ms apart) with a
    /// 1 ms link and a timeout.
    fn across(timeout: f64, pair_ms: f64, extra: &str) -> String {
        format!(
            r#"{{"crosstalk":1,"regions":[["eu","us",{pair_ms}]],
            "nodes":[{{"id":"c","kind":"client","label":"Shoppers","rate_per_s":20,"region":"eu"}},
                {{"id":"a","kind":"service","label":"Checkout","workers":50,"work_ms":5,"region":"eu"}},
                {{"id":"b","kind":"service","label":"Payments","workers":50,"work_ms":10,"region":"us"}}],
            "links":[{{"id":"l1","from":"c","to":"a","via":"http"}},
                {{"id":"pay","from":"a","to":"b","via":"http","latency_ms":1,"timeout_ms":{timeout}{extra}}}]}}"#
        )
    }

    #[test]
    fn a_timeout_shorter_than_a_cross_region_round_trip_names_the_link_and_regions() {
        // 2 x (1 + 40) = 82 ms on the wire: a 60 ms timeout never sees an answer.
        let w = warnings(&across(60.0, 40.0, ""));
        assert_eq!(w.iter().map(|x| x.rule).collect::<Vec<_>>(), vec![Rule::TimeoutTooShort], "{w:?}");
        assert_eq!(w[0].place, Place::Link("pay".into()));
        assert_eq!(
            w[0].message,
            "Link pay (Checkout → Payments) gives up after 60 ms, but a call takes about 92 ms: 82 ms on the wire \
             (41 ms each way (1 ms of link latency + 40 ms from region eu to region us)); every call times out \
             before its answer can arrive. Raise the timeout or keep the call within one region."
        );
        // 90 ms covers the wire but not the 10 ms of work behind it.
        let w = warnings(&across(90.0, 40.0, ""));
        assert!(w[0].message.contains("most calls time out (+ 10 ms at Payments)"), "{w:?}");
        // 100 ms is enough, and so is 60 ms with the regions 5 ms apart.
        assert_eq!(rules(&across(100.0, 40.0, "")), vec![]);
        assert_eq!(rules(&across(60.0, 5.0, "")), vec![]);
        // A connection per request crosses six times: 246 ms.
        let w = warnings(&across(200.0, 40.0, r#","connection":"per_request""#));
        assert!(w[0].message.contains("246 ms on the wire (6 crossings with the handshakes"), "{w:?}");
    }

    #[test]
    fn region_latency_holds_the_callers_workers() {
        // 20/s into one Checkout worker holding 5 ms of work plus a
        // 2 x 41 ms cross-region call and 10 ms of work: 97 ms, 1.9 busy.
        let json = across(1000.0, 40.0, "").replace(r#""workers":50,"work_ms":5"#, r#""workers":1,"work_ms":5"#);
        let w = warnings(&json);
        assert_eq!(w.iter().map(|x| x.rule).collect::<Vec<_>>(), vec![Rule::Overload], "{w:?}");
        assert!(w[0].message.contains("can handle about 10/s (1 worker × 97 ms each)"), "{}", w[0].message);
        // In one region the same call holds it 17 ms: fine.
        assert_eq!(rules(&json.replace(r#""region":"us""#, r#""region":"eu""#)), vec![]);
    }

    #[test]
    fn figures_read_like_estimates() {
        assert_eq!(rate(10_000.0), "10,000");
        assert_eq!(rate(1_634.0), "1,600");
        assert_eq!(rate(2.5), "2.5");
        assert_eq!(rate(40.0), "40");
        assert_eq!(duration(1700.0), "1.7 s");
        assert_eq!(duration(10.0), "10 ms");
    }
}
