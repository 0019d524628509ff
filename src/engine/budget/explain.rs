//! Messages about a run's work that people can act on: which node would
//! receive the most and why (rates, fan-out, retries, polls), in words
//! and round numbers.

use super::{failure_chance, least_round_trip_over_timeout, Work};
use crate::engine::format::{fanout, NodeKind, Scenario, Via};
use crate::engine::order;

/// What makes the run heavy: the node that would receive the most and why.
pub(super) fn why(s: &Scenario, w: &Work) -> String {
    if w.polls * 2.0 > w.events {
        return format!(
            "{} polls: every user of every browser polls once per interval_ms (poll less often, or model fewer users)",
            count(w.polls)
        );
    }
    let heaviest = (0..s.nodes.len())
        .filter(|i| s.nodes[*i].kind != NodeKind::Client)
        .max_by(|a, b| w.arrivals[*a].total_cmp(&w.arrivals[*b]))
        .or_else(|| (0..s.nodes.len()).max_by(|a, b| w.arrivals[*a].total_cmp(&w.arrivals[*b])));
    let Some(h) = heaviest else {
        return "the run is long".into();
    };
    let node = &s.nodes[h];
    // Retries or redeliveries into it, the most first.
    let storm =
        s.links.iter().zip(&w.tries).filter(|(l, t)| l.to == node.id && **t >= 2.0).max_by(|a, b| a.1.total_cmp(b.1));
    if let Some((l, t)) = storm {
        let fails = failure_chance(s, h) * 100.0;
        let never_in_time = least_round_trip_over_timeout(s, l);
        let (how, fix) = if l.via == Via::Consume {
            (
                format!("queue `{}` delivers each message {t:.1} times on average (max_deliveries)", l.from),
                "lower max_deliveries",
            )
        } else {
            (
                format!("link `{}` tries each call {t:.1} times on average (retry.attempts)", l.id),
                "lower retry.attempts, add a circuit_breaker",
            )
        };
        if let (Some(round_trip), Some(limit)) = (never_in_time, l.timeout_ms) {
            return format!(
                "{} `{}` would receive {} requests and messages: {how} because its timeout_ms ({}) is shorter than the call's {} ms round trip, so every attempt times out, a retry storm (raise timeout_ms, {fix})",
                node.kind.as_str(),
                node.id,
                count(w.arrivals[h]),
                tenths(limit),
                tenths(round_trip)
            );
        }
        return format!(
            "{} `{}` would receive {} requests and messages: {how} because it fails {fails:.0}% of the time, a retry storm ({fix}, or fix what fails)",
            node.kind.as_str(),
            node.id,
            count(w.arrivals[h])
        );
    }
    let downstream: f64 =
        (0..s.nodes.len()).filter(|i| s.nodes[*i].kind != NodeKind::Client).map(|i| w.arrivals[i]).sum();
    let per_request = downstream / w.requests.max(1.0);
    let rates = clients_line(s, w);
    if per_request >= 10.0 {
        let counted: Vec<String> = counted_links(s, w)
            .into_iter()
            .take(3)
            .map(|(id, k)| format!("link `{id}` makes {} calls or messages per request (count)", count(k)))
            .collect();
        let fan: Vec<String> = if counted.is_empty() {
            fan_out_nodes(s, w)
                .into_iter()
                .take(3)
                .map(|(id, k)| format!("`{id}` sends {k} per request it gets"))
                .collect()
        } else {
            counted
        };
        format!(
            "each client request becomes {} requests and messages because work fans out ({}), and {} `{}` alone would receive {}; send fewer calls or copies per request, or lower the rates ({rates})",
            count(per_request),
            fan.join(", "),
            node.kind.as_str(),
            node.id,
            count(w.arrivals[h]),
        )
    } else {
        let verb = if node.kind == NodeKind::Client { "start" } else { "receive" };
        format!(
            "{} `{}` would {verb} {} requests and messages ({rates}); lower the rates",
            node.kind.as_str(),
            node.id,
            count(w.arrivals[h])
        )
    }
}

/// "client `c` sends 1000000/s for 86400 s", for the heaviest clients.
fn clients_line(s: &Scenario, w: &Work) -> String {
    let mut clients: Vec<usize> = (0..s.nodes.len()).filter(|i| s.nodes[*i].kind == NodeKind::Client).collect();
    order::sort_by(&mut clients, |a, b| w.arrivals[*b].total_cmp(&w.arrivals[*a]));
    let seconds = s.duration_ms / 1000.0;
    let mut parts: Vec<String> = clients
        .iter()
        .take(2)
        .map(|i| {
            format!("client `{}` starts {} requests in {} s", s.nodes[*i].id, count(w.arrivals[*i]), count(seconds))
        })
        .collect();
    if clients.len() > 2 {
        parts.push(format!("{} more clients", clients.len() - 2));
    }
    parts.join(", ")
}

/// Links with a `count` above 1 (their mean per request), those that
/// carry the most first.
fn counted_links(s: &Scenario, w: &Work) -> Vec<(String, f64)> {
    let index = |id: &str| s.nodes.iter().position(|x| x.id == id);
    let mut links: Vec<(String, f64, f64)> = s
        .links
        .iter()
        .filter_map(|l| {
            let k = fanout::mean(l);
            let from = index(&l.from)?;
            (k > 1.0).then(|| (l.id.clone(), k, w.arrivals[from] * k))
        })
        .collect();
    order::sort_by(&mut links, |a, b| b.2.total_cmp(&a.2));
    links.into_iter().map(|(id, k, _)| (id, k)).collect()
}

/// Nodes that send more than one call or message per request they get,
/// where a request first multiplies first.
fn fan_out_nodes(s: &Scenario, w: &Work) -> Vec<(String, usize)> {
    let mut fan: Vec<(usize, usize)> = s
        .nodes
        .iter()
        .enumerate()
        .filter(|(i, _)| w.arrivals[*i] > 0.0)
        .map(|(i, n)| {
            let out = s.links.iter().filter(|l| l.from == n.id && !matches!(l.via, Via::Consume | Via::Poll)).count();
            (i, out)
        })
        .filter(|(_, out)| *out > 1)
        .collect();
    order::sort_by(&mut fan, |a, b| w.arrivals[a.0].total_cmp(&w.arrivals[b.0]));
    fan.into_iter().map(|(i, k)| (s.nodes[i].id.clone(), k)).collect()
}

/// Milliseconds to a tenth, without trailing zeros: "1", "82.5".
fn tenths(ms: f64) -> String {
    format!("{}", libm::round(ms * 10.0) / 10.0)
}

/// A count for people: "3,500", "2.4 million", "350 billion", "1.1e15".
pub fn count(x: f64) -> String {
    if !x.is_finite() || x >= 1e15 {
        return format!("{x:.1e}");
    }
    for (scale, word) in [(1e12, "trillion"), (1e9, "billion"), (1e6, "million")] {
        if x >= scale {
            let v = x / scale;
            return if v >= 100.0 { format!("{v:.0} {word}") } else { format!("{v:.1} {word}") };
        }
    }
    let whole = libm::round(x) as u64;
    let digits = whole.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Bytes for people: "1.0 GiB", "350 MiB".
pub fn bytes(b: f64) -> String {
    if b >= (1u64 << 30) as f64 {
        format!("{:.1} GiB", b / (1u64 << 30) as f64)
    } else {
        format!("{:.0} MiB", b / (1u64 << 20) as f64)
    }
}

/// Milliseconds as people say them: "1.5 s", "20 min", "250 ms".
pub(super) fn seconds(ms: f64) -> String {
    if ms >= 120_000.0 {
        format!("{} min", ms / 60_000.0)
    } else if ms >= 1_000.0 {
        format!("{} s", ms / 1000.0)
    } else {
        format!("{ms} ms")
    }
}
