//! Scale-out fields of format version 1 (MODEL.md, "Format additions"):
//! replicas behind a load balancer, with active health checks.
//!
//! Every field is optional and absent means the old behaviour: one replica,
//! no balancer, no health-check events, so old runs keep their hashes.

use super::defaults as d;
use super::scenario::{NodeKind, NodeSpec, Scenario};
use serde::{Deserialize, Serialize};

/// How a link into a replicated service picks the replica of each call.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Balance {
    /// In turn over the replicas in rotation (Envoy's default).
    #[default]
    RoundRobin,
    /// Uniformly at random.
    Random,
    /// The replica with the fewest requests outstanding from this balancer.
    LeastOutstanding,
    /// Power of two choices: two random replicas, the less loaded one.
    P2c,
}

impl Balance {
    pub const NAMES: &'static [&'static str] = &["round_robin", "random", "least_outstanding", "p2c"];
    pub const ALL: [Balance; 4] = [Balance::RoundRobin, Balance::Random, Balance::LeastOutstanding, Balance::P2c];

    pub fn as_str(self) -> &'static str {
        Balance::NAMES[self as usize]
    }
}

/// A node's replica count (1 for anything but a replicated service or a
/// database, whose primary is replica 1 and read replicas 2, 3, ...).
pub fn replicas_of(n: &NodeSpec) -> u32 {
    match n.kind {
        NodeKind::Service => n.replicas.unwrap_or(1).max(1),
        NodeKind::Database => 1 + super::database::read_replicas(n).min(d::caps::REPLICAS),
        _ => 1,
    }
}

/// Splits a fault target `svc#2` into the node id and the 1-based replica.
/// `Err` names what is wrong with the replica number.
pub fn split_replica(target: &str) -> Option<(&str, Result<u32, String>)> {
    let (id, n) = target.split_once('#')?;
    let k = match n.parse::<u32>() {
        Ok(k) if k >= 1 => Ok(k),
        _ => Err(format!("`#{n}` is not a replica number (1, 2, ...)")),
    };
    Some((id, k))
}

/// Why fault target `target` of the form `svc#k` is not a replica of `s`,
/// or None when it is one (or is not of that form).
pub fn replica_target_problem(s: &Scenario, target: &str) -> Option<String> {
    let (id, k) = split_replica(target)?;
    let Some(n) = s.node(id) else {
        return Some(format!("no node `{id}` (in `{target}`)"));
    };
    if !matches!(n.kind, NodeKind::Service | NodeKind::Database) {
        return Some(format!(
            "`{id}` is a {}; only services have replicas (and databases: read replicas)",
            n.kind.as_str()
        ));
    }
    let count = replicas_of(n);
    match k {
        Err(e) => Some(e),
        Ok(k) if k > count && n.kind == NodeKind::Database => Some(format!(
            "`{id}` is a primary (`{id}#1`) with {} read replica{}; `{target}` does not exist",
            count - 1,
            if count == 2 { "" } else { "s" }
        )),
        Ok(k) if k > count => {
            Some(format!("`{id}` has {count} replica{}; `{target}` does not exist", if count == 1 { "" } else { "s" }))
        }
        Ok(_) => None,
    }
}

/// The health-check period of a service (ms), the failed checks that take
/// a replica out, and how long a probe may take (ms): Kubernetes' probe
/// defaults. A database's balancer never probes (pgpool-II's
/// `health_check_period` defaults to 0): a crashed replica keeps its share
/// of reads.
pub fn health_of(n: &NodeSpec) -> (f64, u32, f64) {
    if n.kind == NodeKind::Database {
        return (0.0, d::UNHEALTHY_AFTER, d::HEALTH_TIMEOUT_MS);
    }
    (
        n.health_check_ms.unwrap_or(d::HEALTH_CHECK_MS),
        n.unhealthy_after.unwrap_or(d::UNHEALTHY_AFTER).max(1),
        n.health_timeout_ms.unwrap_or(d::HEALTH_TIMEOUT_MS).max(1.0),
    )
}

/// How a call link connects.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Connection {
    /// One connection kept open and reused (HTTP/1.1 keep-alive, HTTP/2).
    #[default]
    KeepAlive,
    /// Every call opens a new connection first: TCP (one round trip) and
    /// TLS 1.3 (one more), so 4 x `latency_ms` before the request leaves.
    PerRequest,
}

impl Connection {
    pub const NAMES: &'static [&'static str] = &["keep_alive", "per_request"];
}

/// The API style of an `http` link (a `grpc` link is gRPC).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Protocol {
    #[default]
    Rest,
    Graphql,
    Soap,
}

impl Protocol {
    pub const NAMES: &'static [&'static str] = &["rest", "graphql", "soap"];
}

/// The documented payload defaults of a call link, (request, response) in
/// kilobytes, headers included (see docs/FORMAT.md for the sources): one
/// "get an order" call whose data is about 1 kB as JSON.
pub fn payload_defaults(via: super::scenario::Via, protocol: Option<Protocol>) -> (f64, f64) {
    use super::scenario::Via;
    match (via, protocol.unwrap_or_default()) {
        (Via::Grpc, _) => (d::GRPC_REQUEST_KB, d::GRPC_RESPONSE_KB),
        (_, Protocol::Rest) => (d::REST_REQUEST_KB, d::REST_RESPONSE_KB),
        (_, Protocol::Graphql) => (d::GRAPHQL_REQUEST_KB, d::GRAPHQL_RESPONSE_KB),
        (_, Protocol::Soap) => (d::SOAP_REQUEST_KB, d::SOAP_RESPONSE_KB),
    }
}

/// Whether a link sets any connection or payload field (else it runs as
/// before: no handshake, no pool, no transfer time).
pub fn has_connection_fields(l: &super::scenario::LinkSpec) -> bool {
    l.connection.is_some()
        || l.pool.is_some()
        || l.protocol.is_some()
        || l.request_kb.is_some()
        || l.response_kb.is_some()
        || l.bandwidth_mbps.is_some()
}
