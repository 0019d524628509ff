//! The accounting invariant, checked from the live state rather than from
//! the ledger's own totals: every message or attempt sent is either in one
//! end state or still somewhere in the run, exactly once.

use super::model::*;
use super::Sim;

pub(super) fn audit(sim: &Sim) -> Result<(), String> {
    let l = &sim.ledger;
    let ended = l.ended();
    let messages = sim.msgs.iter().filter(|(_, m)| !m.dead).count() as u64;
    let attempts =
        sim.jobs.iter().filter(|(_, j)| matches!(j.phase, Phase::Calling | Phase::Parked) && !j.call.accounted).count()
            as u64;
    let copies =
        sim.jobs.iter().filter(|(_, j)| j.phase == Phase::Transit && matches!(j.origin, Origin::Copy { .. })).count()
            as u64;
    let pushes = sim.pushes.len() as u64;
    let logs = super::logs::live_copies(sim)?;
    let stored: u64 = sim
        .nodes
        .iter()
        .filter_map(|n| match &n.rt {
            KindRt::Browser(b) => b.store.as_ref().map(|s| s.count),
            _ => None,
        })
        .sum();
    let live = messages + attempts + copies + pushes + logs + stored;
    if l.sent != ended + live {
        return Err(format!(
            "ledger out of balance at {} us: sent {} but ended {} + live {} (messages {messages}, attempts {attempts}, copies {copies}, pushes {pushes}, log copies {logs}, stored pushes {stored}); {l:?}",
            sim.now, l.sent, ended, live
        ));
    }
    let mut rows = crate::engine::report::MessageCounts { duplicates: l.duplicates, ..Default::default() };
    for link in &sim.links {
        rows.add(&link.ledger);
    }
    if rows != *l {
        return Err(format!("the links' ledgers {rows:?} do not add up to the ledger {l:?}"));
    }
    let r = &sim.requests;
    let roots = sim.jobs.iter().filter(|(_, j)| j.origin == Origin::Root).count() as u64;
    if r.started != r.ok + r.failed + r.timed_out + roots {
        return Err(format!(
            "requests out of balance: started {} but ok {} + failed {} + timed out {} + live {roots}",
            r.started, r.ok, r.failed, r.timed_out
        ));
    }
    for (i, n) in sim.nodes.iter().enumerate() {
        if let KindRt::Worker(w) = &n.rt {
            let holding = sim.jobs.iter().filter(|(_, j)| j.node == i as u32 && j.holds_worker).count() as u32;
            if w.workers != u32::MAX && holding != w.busy {
                return Err(format!("node {}: {} busy workers but {holding} jobs hold one", n.id, w.busy));
            }
            // Fewer workers than busy ones only after a change lowered them
            // (running jobs finish); then nothing new may start. A change
            // may have raised them and a later one set them back, so any
            // change of the workers counts.
            let lowered = sim.scenario.changes.iter().any(|c| c.target == n.id && c.field == "workers");
            if w.busy > w.workers && !lowered {
                return Err(format!("node {}: {} busy workers of {}", n.id, w.busy, w.workers));
            }
        }
    }
    Ok(())
}
