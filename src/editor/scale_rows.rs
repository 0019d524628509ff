//! The results table's scale-out columns, as text: a replicated service's
//! replicas (how many the balancer sends to, which crashed), each
//! replica's state, and the wait for a connection-pool slot on the links a
//! node calls over.

use crate::engine::format::{NodeKind, Scenario};
use crate::engine::report::{NodeReport, ReplicaReport};

/// Whether the scenario has anything the scale-out columns show.
pub fn uses_scale(s: &Scenario) -> bool {
    s.nodes.iter().any(|n| n.kind == NodeKind::Service && n.replicas.is_some_and(|r| r > 1))
        || s.links.iter().any(|l| l.pool.is_some())
}

/// One replica's state as the balancer sees it.
pub fn replica_state(r: &ReplicaReport) -> &'static str {
    if r.crashed {
        "crashed"
    } else if r.in_rotation {
        "in rotation"
    } else {
        "out of rotation"
    }
}

/// "3/3 in rotation", "2/3 in rotation, 1 crashed"; "—" when not replicated.
pub fn replicas_summary(r: &NodeReport) -> String {
    let all = r.replicas.len();
    if all == 0 {
        return "—".into();
    }
    let serving = r.replicas.iter().filter(|x| x.in_rotation && !x.crashed).count();
    let crashed = r.replicas.iter().filter(|x| x.crashed).count();
    match crashed {
        0 => format!("{serving}/{all} serving"),
        c => format!("{serving}/{all} serving, {c} crashed"),
    }
}

/// The mean wait for a pool slot over the links `r` calls with a pool
/// (weighted by the calls that waited), how many waited, and one line per
/// link for a tooltip. None when the node calls over no pooled link.
pub fn pool_wait(r: &NodeReport) -> Option<(f64, u64, String)> {
    let (mut total_ms, mut waited, mut lines) = (0.0, 0u64, Vec::new());
    let mut any = false;
    for (key, mean) in &r.extra {
        let Some(link) = key.strip_prefix("pool_wait_ms.") else { continue };
        any = true;
        let n = r.extra.get(&format!("pool_waits.{link}")).copied().unwrap_or(0.0).max(0.0) as u64;
        total_ms += mean * n as f64;
        waited += n;
        lines.push(format!("{link}: {n} waited, {} on average", super::chart::fmt_ms(*mean)));
    }
    any.then(|| (if waited == 0 { 0.0 } else { total_ms / waited as f64 }, waited, lines.join("\n")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn replica(crashed: bool, in_rotation: bool) -> ReplicaReport {
        ReplicaReport { crashed, in_rotation, ..ReplicaReport::default() }
    }

    #[test]
    fn states_and_summary_follow_the_balancer() {
        assert_eq!(replica_state(&replica(true, true)), "crashed");
        assert_eq!(replica_state(&replica(false, false)), "out of rotation");
        assert_eq!(replica_state(&replica(false, true)), "in rotation");
        let mut r = NodeReport::default();
        assert_eq!(replicas_summary(&r), "—");
        r.replicas = vec![replica(false, true), replica(true, true), replica(false, true)];
        assert_eq!(replicas_summary(&r), "2/3 serving, 1 crashed");
        r.replicas[1] = replica(false, false);
        assert_eq!(replicas_summary(&r), "2/3 serving");
    }

    #[test]
    fn pool_wait_is_weighted_by_the_calls_that_waited() {
        let mut r = NodeReport::default();
        assert!(pool_wait(&r).is_none());
        r.extra.insert("pool_wait_ms.a".into(), 10.0);
        r.extra.insert("pool_waits.a".into(), 1.0);
        r.extra.insert("pool_wait_ms.b".into(), 40.0);
        r.extra.insert("pool_waits.b".into(), 3.0);
        let (mean, waited, lines) = pool_wait(&r).expect("pooled");
        assert_eq!((mean, waited), (32.5, 4));
        assert_eq!(lines, "a: 1 waited, 10 ms on average\nb: 3 waited, 40 ms on average");
    }
}
