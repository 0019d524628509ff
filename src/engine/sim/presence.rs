//! Presence: users who come and go, as on a phone (WhatsApp).
//!
//! A browser node with `online_ms` and `offline_ms` has each user alternate
//! between online (connected, or reconnecting) and offline (no connection,
//! no reconnect attempts, no polls), for durations drawn from those
//! distributions. Every user starts online. Going offline closes the user's
//! connection; coming back reconnects at once to a server that is up, which
//! is when held server-sent events and store-and-forward pushes arrive.

use super::event::{BrokerEv, Ev};
use super::model::*;
use super::Sim;
use crate::engine::format::{Dist, NodeKind, NodeSpec};

pub struct PresenceRt {
    online: Dist,
    offline: Dist,
    /// Per user: offline now.
    pub offline_users: Vec<bool>,
}

impl PresenceRt {
    pub fn from_spec(n: &NodeSpec) -> Option<Box<PresenceRt>> {
        match (n.kind, n.online_ms, n.offline_ms) {
            (NodeKind::Browser, Some(online), Some(offline)) => {
                Some(Box::new(PresenceRt { online, offline, offline_users: Vec::new() }))
            }
            _ => None,
        }
    }
}

/// Whether `user` of browser `b` is offline (never, without presence).
#[inline]
pub(super) fn is_offline(br: &BrowserRt, user: u32) -> bool {
    br.presence.as_ref().is_some_and(|p| p.offline_users.get(user as usize) == Some(&true))
}

/// Every user starts online: schedule when each goes offline first.
pub(super) fn start(sim: &mut Sim, b: u32) {
    let now = sim.now;
    let n = &mut sim.nodes[b as usize];
    let KindRt::Browser(br) = &mut n.rt else { return };
    let users = br.users;
    let Some(p) = &mut br.presence else { return };
    p.offline_users = vec![false; users as usize];
    let mut firsts = Vec::with_capacity(users as usize);
    for _ in 0..users {
        firsts.push(n.rng.sample_us(&p.online).max(1));
    }
    for (u, after) in firsts.into_iter().enumerate() {
        sim.schedule(now.saturating_add(after), Ev::Broker(BrokerEv::Presence { browser: b, user: u as u32 }));
    }
}

/// A user's online or offline spell is over.
#[cold]
pub(super) fn toggle(sim: &mut Sim, b: u32, user: u32) {
    let now = sim.now;
    let n = &mut sim.nodes[b as usize];
    let KindRt::Browser(br) = &mut n.rt else { return };
    let Some(p) = &mut br.presence else { return };
    let Some(offline) = p.offline_users.get_mut(user as usize) else { return };
    let going_offline = !*offline;
    *offline = going_offline;
    let spell = n.rng.sample_us(if going_offline { &p.offline } else { &p.online }).max(1);
    sim.schedule(now.saturating_add(spell), Ev::Broker(BrokerEv::Presence { browser: b, user }));
    if going_offline {
        sim.nodes[b as usize].metrics.bump("went_offline");
        super::browsers::disconnect(sim, b, user);
    } else {
        super::browsers::reconnect(sim, b, user);
    }
}
