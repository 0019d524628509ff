//! The sender's side of a queue or topic: dual write or outbox.
//!
//! `enqueue` and `publish` are fire and forget. Without an outbox (a dual
//! write: commit, then send), a message still in the sender's buffer when
//! the sender crashes is lost (`dual_write_lost`). With `outbox: true` the
//! message is a row written in the sender's own transaction; a relay sends
//! it and forgets the row once the broker confirms. After a crash the relay
//! resends every unconfirmed row, so nothing is lost and a message whose
//! confirm was lost arrives twice (idempotent consumers skip it).

use super::model::*;
use super::queues::{send, NewMsg};
use super::Sim;
use crate::engine::format::{NodeKind, Via};
use crate::engine::kernel::slab::Key;
use crate::engine::report::End;
use crate::engine::trace::{HopKind, NO_LINK};

/// At commit: write an outbox row for every outboxed send still to come.
#[inline(always)]
pub(super) fn commit_outbox(sim: &mut Sim, jk: Key) {
    let Some(job) = sim.jobs.get(jk) else { return };
    if matches!(&sim.nodes[job.node as usize].rt, KindRt::Worker(w) if w.has_outbox) {
        write_rows(sim, jk);
    }
}

#[inline(never)]
fn write_rows(sim: &mut Sim, jk: Key) {
    let Some(job) = sim.jobs.get(jk) else { return };
    let (node, op, trace, trace_start, step, tag) =
        (job.node, job.op, job.trace, job.trace_start, job.step as usize, job.tag);
    let rows: Vec<u32> = sim.nodes[node as usize].out[step.min(sim.nodes[node as usize].out.len())..]
        .iter()
        .copied()
        .filter(|l| sim.links[*l as usize].outbox && matches!(sim.links[*l as usize].via, Via::Enqueue | Via::Publish))
        .collect();
    for link in rows {
        let msg_op = sim.new_op();
        if let KindRt::Worker(w) = &mut sim.nodes[node as usize].rt {
            // A repeat of the same job keeps its first row (and message id).
            if let std::collections::btree_map::Entry::Vacant(e) = w.outbox.entry((op, link)) {
                e.insert(OutboxRow { trace, trace_start, msg_op, tag, rk: NONE });
                w.outbox_by_msg.insert(msg_op, (op, link));
            }
        }
    }
}

/// The broker confirmed an outboxed message: forget its row (unless the
/// sender is down: the confirm is lost and the relay will send it again).
pub(super) fn outbox_confirmed(sim: &mut Sim, node: u32, op: u64) {
    let n = &mut sim.nodes[node as usize];
    if n.is_down() {
        return;
    }
    if let KindRt::Worker(w) = &mut n.rt {
        if let Some(key) = w.outbox_by_msg.remove(&op) {
            w.outbox.remove(&key);
        }
    }
}

/// A sender crashed: messages still in its buffer were never sent. Without
/// an outbox they are lost (the dual-write problem); with one, the row
/// stays and the relay sends them after recovery.
pub(super) fn sender_crashed(sim: &mut Sim, node: u32) {
    let buffered: Vec<(Key, bool, u32, u64, u32)> = sim
        .msgs
        .iter()
        .filter(|(_, m)| m.sender == node && m.state == MsgState::Transit)
        .map(|(k, m)| (k, m.outbox, m.token, m.trace, m.link))
        .collect();
    for (k, outbox, token, trace, link) in buffered {
        sim.tokens.end(token);
        sim.msgs.remove(k);
        if outbox {
            sim.unsent(link);
        } else {
            sim.ended(link, End::Lost);
            sim.nodes[node as usize].metrics.bump("dual_write_lost");
            sim.hop(trace, HopKind::Lost, node, NO_LINK, 0);
        }
    }
}

/// A sender crashed while a committed request was still making its calls:
/// the sends after them in link order will never happen. Without an outbox
/// that is the dual-write loss too (`dual_write_lost`, one per link; these
/// were never sent, so the ledger has no message for them); with one, the
/// rows written at commit are what the relay resends (`outbox_resent`).
pub(super) fn unsent_at_crash(sim: &mut Sim, node: u32, jobs: &[Key]) {
    let mut lost = 0u64;
    for &k in jobs {
        let Some(job) = sim.jobs.get(k) else { continue };
        // Calls start only after the work (and its commit) is done.
        if !matches!(job.phase, Phase::Calling | Phase::Backoff | Phase::Parked | Phase::Gathering) {
            continue;
        }
        let sender = &sim.nodes[job.node as usize];
        if sender.kind != NodeKind::Service {
            continue;
        }
        let rest = sender.out.get(job.step as usize..).unwrap_or(&[]);
        lost += rest
            .iter()
            .filter(|l| {
                let link = &sim.links[**l as usize];
                !link.outbox && matches!(link.via, Via::Enqueue | Via::Publish)
            })
            .count() as u64;
    }
    if lost > 0 {
        *sim.nodes[node as usize].metrics.extra.entry("dual_write_lost").or_insert(0) += lost;
    }
}

/// The sender is back: its relay sends every unconfirmed outbox row.
pub(super) fn relay_outbox(sim: &mut Sim, node: u32) {
    let KindRt::Worker(w) = &sim.nodes[node as usize].rt else {
        return;
    };
    let rows: Vec<(u32, OutboxRow)> = w.outbox.iter().map(|((_, link), row)| (*link, *row)).collect();
    for (link, row) in rows {
        sim.nodes[node as usize].metrics.bump("outbox_resent");
        let m = NewMsg {
            trace: row.trace,
            trace_start: row.trace_start,
            op: row.msg_op,
            sender: node,
            outbox: true,
            reply_to: None,
            tag: row.tag,
            rk: row.rk,
        };
        send(sim, link, m);
    }
}
