//! Edits of the document (the scenario): what every gesture of the editor
//! does to the data, as plain functions the app calls and tests check.
//!
//! Each function keeps the document consistent the way a user expects:
//! deleting a node takes its links and faults with it, renaming an id
//! follows every reference, and a connection is refused with a sentence
//! when the two nodes cannot talk (the table lives in `engine::format::wiring`).

use super::geometry::{snap_point, Point};
use super::selection::Selection;
use crate::engine::format::validate::{self, id_is_valid, Place, Severity};
use crate::engine::format::wiring;
use crate::engine::format::{FaultKind, FaultSpec, LinkSpec, NodeKind, NodeSpec, Scenario, Via};
use std::ops::{Add, Sub};

/// The first `stem<n>` (n from 1) not used by any node or link.
pub fn fresh_id(s: &Scenario, stem: &str) -> String {
    let taken = |c: &str| s.nodes.iter().any(|n| n.id == c) || s.links.iter().any(|l| l.id == c);
    (1..).map(|n| format!("{stem}{n}")).find(|c| !taken(c)).unwrap_or_else(|| stem.to_string())
}

/// The first "`title` n" label no node has yet ("Service 1", "Service 2").
fn fresh_label(s: &Scenario, title: &str) -> String {
    (1..)
        .map(|n| format!("{title} {n}"))
        .find(|c| !s.nodes.iter().any(|n| n.label == *c))
        .unwrap_or_else(|| title.to_string())
}

/// Adds a node of `kind` centred near `at` (snapped to the grid when asked)
/// and returns its id.
pub fn add_node(s: &mut Scenario, kind: NodeKind, at: Point, snap: bool) -> String {
    let id = fresh_id(s, kind.as_str());
    let at = if at.is_finite() { at } else { Point::default() };
    let at = if snap { snap_point(at) } else { at };
    s.nodes.push(NodeSpec { label: fresh_label(s, kind.title()), x: at.x, y: at.y, ..NodeSpec::new(id.clone(), kind) });
    id
}

/// Links `from` to `to` with the link kind the pair most likely means, or
/// says in one sentence why not. Returns the new link's id.
pub fn connect(s: &mut Scenario, from: &str, to: &str) -> Result<String, String> {
    let (Some(a), Some(b)) = (s.node(from), s.node(to)) else {
        return Err("both ends of a link must be nodes".into());
    };
    if from == to {
        return Err(format!("`{}` cannot link to itself", a.display_name()));
    }
    let Some(via) = wiring::infer(a.kind, b.kind) else {
        return Err(capitalize(&wiring::refusal(a.kind, b.kind)));
    };
    if let Some(l) = s.links.iter().find(|l| l.from == from && l.to == to) {
        return Err(format!("`{}` is already linked to `{}` ({})", a.display_name(), b.display_name(), l.via.as_str()));
    }
    let id = fresh_id(s, "l");
    let mut next = s.clone();
    next.links.push(LinkSpec::new(id.clone(), from, to, via));
    // A link that closes a loop would make work circle forever: the
    // validator refuses such a scenario, so the editor refuses the gesture.
    if let Some(p) =
        validate::errors(&next).into_iter().find(|p| p.place == Place::Scenario && p.field.as_deref() == Some("links"))
    {
        return Err(capitalize(&p.message));
    }
    *s = next;
    Ok(id)
}

/// What a drag from one node to another made.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Joined {
    /// A link, with its id.
    Link(String),
    /// The first (a queue) now dead-letters into the second.
    DeadLetter,
}

/// A drag from `from` onto `to`: a queue dropped on a queue becomes its
/// dead-letter queue (drawn as a dashed link); any other pair is linked as
/// [`connect`] links it.
pub fn join(s: &mut Scenario, from: &str, to: &str) -> Result<Joined, String> {
    let kinds = (s.node(from).map(|n| n.kind), s.node(to).map(|n| n.kind));
    if kinds != (Some(NodeKind::Queue), Some(NodeKind::Queue)) {
        return connect(s, from, to).map(Joined::Link);
    }
    if from == to {
        return Err("a queue cannot be its own dead-letter queue".into());
    }
    let mut next = s.clone();
    if let Some(q) = next.nodes.iter_mut().find(|n| n.id == from) {
        q.dead_letter = Some(to.to_string());
    }
    if let Some(p) = validate::errors(&next).into_iter().find(|p| p.field.as_deref() == Some("dead_letter")) {
        return Err(capitalize(&p.message));
    }
    *s = next;
    Ok(Joined::DeadLetter)
}

/// Which end of a link.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum End {
    From,
    To,
}

/// Moves one end of `link` to `node`, keeping its settings. The link keeps
/// its kind when the new pair allows it and otherwise takes the kind the
/// pair most likely means; a pair that cannot talk, a second link between
/// the same two nodes or a loop is refused with a sentence.
pub fn relink(s: &mut Scenario, link: &str, end: End, node: &str) -> Result<(), String> {
    let Some(l) = s.link(link) else {
        return Err(format!("no link `{link}`"));
    };
    let (from, to) = match end {
        End::From => (node.to_string(), l.to.clone()),
        End::To => (l.from.clone(), node.to_string()),
    };
    if (from.as_str(), to.as_str()) == (l.from.as_str(), l.to.as_str()) {
        return Ok(());
    }
    let (Some(a), Some(b)) = (s.node(&from), s.node(&to)) else {
        return Err("both ends of a link must be nodes".into());
    };
    if from == to {
        return Err(format!("`{}` cannot link to itself", a.display_name()));
    }
    if let Some(other) = s.links.iter().find(|o| o.id != link && o.from == from && o.to == to) {
        let (a, b) = (a.display_name(), b.display_name());
        return Err(format!("`{a}` is already linked to `{b}` ({})", other.via.as_str()));
    }
    let via = if wiring::allowed(l.via, a.kind, b.kind) {
        l.via
    } else {
        wiring::infer(a.kind, b.kind).ok_or_else(|| capitalize(&wiring::refusal(a.kind, b.kind)))?
    };
    let mut next = s.clone();
    if let Some(l) = next.links.iter_mut().find(|l| l.id == link) {
        l.from = from;
        l.to = to;
    }
    set_via(&mut next, link, via)?;
    if let Some(p) =
        validate::errors(&next).into_iter().find(|p| p.place == Place::Scenario && p.field.as_deref() == Some("links"))
    {
        return Err(capitalize(&p.message));
    }
    *s = next;
    Ok(())
}

fn capitalize(text: &str) -> String {
    let mut c = text.chars();
    match c.next() {
        // Our own messages start with ASCII; Unicode case tables would
        // cost the bundle kilobytes.
        Some(first) => first.to_ascii_uppercase().to_string() + c.as_str(),
        None => String::new(),
    }
}

/// Deletes the selected nodes and links. A deleted node takes its links, the
/// faults aimed at it and the dead-letter settings that named it.
pub fn delete(s: &mut Scenario, sel: &Selection) -> bool {
    let before = (s.nodes.len(), s.links.len());
    s.nodes.retain(|n| !sel.has_node(&n.id));
    let alive = |id: &str| s.nodes.iter().any(|n| n.id == id);
    let links: Vec<LinkSpec> =
        s.links.iter().filter(|l| !sel.has_link(&l.id) && alive(&l.from) && alive(&l.to)).cloned().collect();
    s.links = links;
    let exists = |id: &str| s.node(id).is_some() || s.link(id).is_some();
    let faults: Vec<FaultSpec> = s.faults.iter().filter(|f| exists(&f.target)).cloned().collect();
    let changes: Vec<_> = s.changes.iter().filter(|c| exists(&c.target)).cloned().collect();
    s.faults = faults;
    s.changes = changes;
    let ids: Vec<String> = s.nodes.iter().map(|n| n.id.clone()).collect();
    for n in &mut s.nodes {
        if n.dead_letter.as_ref().is_some_and(|d| !ids.contains(d)) {
            n.dead_letter = None;
        }
        if n.alternate.as_ref().is_some_and(|d| !ids.contains(d)) {
            n.alternate = None;
        }
    }
    before != (s.nodes.len(), s.links.len())
}

/// Sets a node's label (free text, shown as text only).
pub fn set_label(s: &mut Scenario, id: &str, label: &str) {
    if let Some(n) = s.nodes.iter_mut().find(|n| n.id == id) {
        n.label = label.trim().to_string();
    }
}

/// Moves each node from its gesture-start position by `delta`. With `snap`,
/// the first node lands on the grid and the others keep their offsets to
/// it, so a group keeps its shape.
pub fn move_nodes(s: &mut Scenario, start: &[(String, Point)], delta: Point, snap: bool) {
    let Some((_, lead)) = start.first() else {
        return;
    };
    let target = lead.add(delta);
    let shift = if snap { snap_point(target).sub(*lead) } else { delta };
    if !shift.is_finite() {
        return;
    }
    for (id, p) in start {
        if let Some(n) = s.nodes.iter_mut().find(|n| n.id == *id) {
            n.x = p.x + shift.x;
            n.y = p.y + shift.y;
        }
    }
}

/// Gives a node or link a new id and updates every reference to it.
pub fn rename_id(s: &mut Scenario, old: &str, new: &str) -> Result<(), String> {
    let new = new.trim();
    if new == old {
        return Ok(());
    }
    if !id_is_valid(new) {
        return Err("an id is 1 to 64 of A-Z a-z 0-9 _ -".into());
    }
    if s.node(new).is_some() || s.link(new).is_some() {
        return Err(format!("`{new}` is already used"));
    }
    let mut found = false;
    for n in &mut s.nodes {
        if n.id == old {
            n.id = new.to_string();
            found = true;
        }
        if n.dead_letter.as_deref() == Some(old) {
            n.dead_letter = Some(new.to_string());
        }
        if n.alternate.as_deref() == Some(old) {
            n.alternate = Some(new.to_string());
        }
    }
    for l in &mut s.links {
        if l.id == old {
            l.id = new.to_string();
            found = true;
        }
        for end in [&mut l.from, &mut l.to] {
            if end == old {
                *end = new.to_string();
            }
        }
    }
    for f in &mut s.faults {
        if f.target == old {
            f.target = new.to_string();
        }
    }
    for c in &mut s.changes {
        if c.target == old {
            c.target = new.to_string();
        }
    }
    if found {
        Ok(())
    } else {
        Err(format!("no node or link `{old}`"))
    }
}

/// Changes how a link talks. Settings the new kind does not use are
/// dropped, so no field is left doing nothing (undo brings them back).
pub fn set_via(s: &mut Scenario, link: &str, via: Via) -> Result<(), String> {
    let kinds = |id: &str| s.node(id).map(|n| n.kind);
    let Some(l) = s.link(link) else {
        return Err(format!("no link `{link}`"));
    };
    let (Some(from), Some(to)) = (kinds(&l.from), kinds(&l.to)) else {
        return Err("this link's ends are missing".into());
    };
    wiring::check(via, (&l.from, from), (&l.to, to))?;
    let applies = super::fields::link_uses(via);
    if let Some(l) = s.links.iter_mut().find(|l| l.id == link) {
        l.via = via;
        if !applies.contains(&"timeout_ms") {
            l.timeout_ms = None;
        }
        if !applies.contains(&"retry") {
            l.retry = None;
        }
        if !applies.contains(&"circuit_breaker") {
            l.circuit_breaker = None;
        }
        if !applies.contains(&"optional") {
            l.optional = None;
        }
        if !applies.contains(&"outbox") {
            l.outbox = None;
        }
        if !applies.contains(&"interval_ms") {
            l.interval_ms = None;
        }
        if !applies.contains(&"routing_keys") {
            l.routing_keys = None;
        }
        if !applies.contains(&"pattern") {
            l.pattern = None;
        }
        if !applies.contains(&"prefetch") {
            l.prefetch = None;
        }
        if !applies.contains(&"redelivery_delay_ms") {
            l.redelivery_delay_ms = None;
        }
        if !applies.contains(&"group") {
            l.group = None;
            l.commit = None;
            l.commit_every_ms = None;
            l.session_timeout_ms = None;
            l.rebalance_ms = None;
        }
        if !applies.contains(&"store_and_forward") {
            l.store_and_forward = None;
            l.retention_ms = None;
        }
    }
    // Changes of settings the new kind does not have go with them.
    let fits = |c: &crate::engine::format::ChangeSpec| {
        c.target != link || crate::engine::format::changes::link_changeable(via, &c.field).is_ok()
    };
    s.changes.retain(fits);
    Ok(())
}

/// Schedules a fault on `target` with settings that show something: a third
/// of the way into the run, lasting a quarter of it.
pub fn add_fault(s: &mut Scenario, target: &str, kind: FaultKind) -> usize {
    let d = if s.duration_ms.is_finite() && s.duration_ms > 0.0 {
        s.duration_ms
    } else {
        crate::engine::format::defaults::DURATION_MS
    };
    let round = |v: f64| (v / 1000.0).round() * 1000.0;
    s.faults.push(FaultSpec {
        target: target.to_string(),
        kind,
        at_ms: round(d / 3.0),
        for_ms: Some(round(d / 4.0).max(1000.0)),
        factor: (kind == FaultKind::Slow).then_some(5.0),
        rate: (kind == FaultKind::Errors).then_some(0.5),
    });
    s.faults.len() - 1
}

/// Changes a fault's kind, keeping its timing and giving it the one
/// setting the new kind needs.
pub fn set_fault_kind(s: &mut Scenario, index: usize, kind: FaultKind) {
    if let Some(f) = s.faults.get_mut(index) {
        f.kind = kind;
        f.factor = (kind == FaultKind::Slow).then(|| f.factor.unwrap_or(5.0));
        f.rate = (kind == FaultKind::Errors).then(|| f.rate.unwrap_or(0.5));
    }
}

pub fn remove_fault(s: &mut Scenario, index: usize) {
    if index < s.faults.len() {
        s.faults.remove(index);
    }
}

/// The fault kinds that make sense on a node or on a link.
pub fn fault_kinds_for(s: &Scenario, target: &str) -> &'static [FaultKind] {
    match s.link(target) {
        Some(l) if l.via == Via::Subscribe && s.node(&l.from).is_some_and(is_log) => {
            &[FaultKind::Partition, FaultKind::Slow, FaultKind::Replay]
        }
        Some(_) => &[FaultKind::Partition, FaultKind::Slow],
        None => &[FaultKind::Crash, FaultKind::Slow, FaultKind::Errors, FaultKind::Partition],
    }
}

fn is_log(n: &NodeSpec) -> bool {
    n.kind == NodeKind::Topic && n.delivery == Some(crate::engine::format::Delivery::Log)
}

/// Positions of the nodes of `ids`, for the start of a move gesture.
pub fn positions(s: &Scenario, ids: &[String]) -> Vec<(String, Point)> {
    ids.iter().filter_map(|id| s.node(id).map(|n| (id.clone(), super::geometry::node_center(n)))).collect()
}

/// Whether a document change can alter a run's results: positions, labels
/// and the name cannot, so moving a node keeps the run going.
pub fn same_semantics(a: &Scenario, b: &Scenario) -> bool {
    let strip = |s: &Scenario| {
        let mut s = s.clone();
        s.name.clear();
        for n in &mut s.nodes {
            n.x = 0.0;
            n.y = 0.0;
            n.label.clear();
        }
        s
    };
    a.nodes.len() == b.nodes.len() && a.links.len() == b.links.len() && strip(a) == strip(b)
}

/// The error messages about one field of one place, for the inspector.
pub fn field_errors(s: &Scenario, place: &Place, field: &str) -> Vec<String> {
    validate::validate(s)
        .into_iter()
        .filter(|p| p.severity == Severity::Error && p.place == *place)
        .filter(|p| p.field.as_deref() == Some(field))
        .map(|p| p.message)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn payments() -> Scenario {
        let mut s = Scenario::default();
        let app = add_node(&mut s, NodeKind::Client, Point::new(0.0, 0.0), true);
        let pay = add_node(&mut s, NodeKind::Service, Point::new(200.0, 0.0), true);
        let q = add_node(&mut s, NodeKind::Queue, Point::new(400.0, 0.0), true);
        connect(&mut s, &app, &pay).unwrap();
        connect(&mut s, &pay, &q).unwrap();
        s
    }

    #[test]
    fn new_nodes_get_fresh_ids_and_labels() {
        let mut s = Scenario::default();
        let a = add_node(&mut s, NodeKind::Service, Point::new(13.0, 27.0), true);
        let b = add_node(&mut s, NodeKind::Service, Point::new(0.0, 0.0), false);
        assert_eq!((a.as_str(), b.as_str()), ("service1", "service2"));
        assert_eq!(s.nodes[0].label, "Service 1");
        assert_eq!(s.nodes[1].label, "Service 2");
        assert_eq!((s.nodes[0].x, s.nodes[0].y), (20.0, 20.0));
    }

    #[test]
    fn connecting_infers_the_link_kind() {
        let s = payments();
        assert_eq!(s.links[0].via, Via::Http);
        assert_eq!(s.links[1].via, Via::Enqueue);
        assert!(validate::errors(&s).is_empty());
    }

    #[test]
    fn a_pair_that_cannot_talk_is_refused_with_a_reason() {
        let mut s = payments();
        let e = connect(&mut s, "service1", "client1").unwrap_err();
        assert!(e.contains("clients only send"), "{e}");
        let q2 = add_node(&mut s, NodeKind::Queue, Point::default(), true);
        let e = connect(&mut s, "queue1", &q2).unwrap_err();
        assert!(e.starts_with("A queue cannot feed a queue"), "{e}");
        assert!(connect(&mut s, "queue1", "queue1").is_err());
    }

    #[test]
    fn a_link_closing_a_loop_is_refused() {
        let mut s = Scenario::default();
        let a = add_node(&mut s, NodeKind::Service, Point::default(), true);
        let b = add_node(&mut s, NodeKind::Service, Point::default(), true);
        connect(&mut s, &a, &b).unwrap();
        let e = connect(&mut s, &b, &a).unwrap_err();
        assert!(e.contains("loop"), "{e}");
        assert_eq!(s.links.len(), 1);
    }

    #[test]
    fn linking_the_same_pair_twice_is_refused() {
        let mut s = payments();
        assert!(connect(&mut s, "client1", "service1").unwrap_err().contains("already"));
    }

    #[test]
    fn deleting_a_node_takes_its_links_and_faults() {
        let mut s = payments();
        add_fault(&mut s, "service1", FaultKind::Crash);
        add_fault(&mut s, "l2", FaultKind::Partition);
        add_fault(&mut s, "client1", FaultKind::Crash);
        assert!(delete(&mut s, &Selection::node("service1")));
        assert_eq!(s.nodes.len(), 2);
        assert!(s.links.is_empty());
        assert_eq!(s.faults.len(), 1);
        assert_eq!(s.faults[0].target, "client1");
    }

    #[test]
    fn deleting_a_dead_letter_queue_clears_the_setting() {
        let mut s = payments();
        let dlq = add_node(&mut s, NodeKind::Queue, Point::default(), true);
        s.nodes[2].dead_letter = Some(dlq.clone());
        delete(&mut s, &Selection::node(&dlq));
        assert_eq!(s.nodes[2].dead_letter, None);
    }

    #[test]
    fn renaming_an_id_follows_every_reference() {
        let mut s = payments();
        add_fault(&mut s, "service1", FaultKind::Crash);
        rename_id(&mut s, "service1", "pay").unwrap();
        assert_eq!(s.links[0].to, "pay");
        assert_eq!(s.links[1].from, "pay");
        assert_eq!(s.faults[0].target, "pay");
        assert!(rename_id(&mut s, "pay", "client1").is_err());
        assert!(rename_id(&mut s, "pay", "no spaces").is_err());
    }

    #[test]
    fn a_group_moves_together_and_snaps_by_its_first_node() {
        let mut s = payments();
        let start = positions(&s, &["client1".into(), "service1".into()]);
        move_nodes(&mut s, &start, Point::new(33.0, 9.0), true);
        assert_eq!((s.nodes[0].x, s.nodes[0].y), (40.0, 0.0));
        assert_eq!((s.nodes[1].x, s.nodes[1].y), (240.0, 0.0));
        assert_eq!(s.nodes[2].x, 400.0);
    }

    #[test]
    fn changing_the_link_kind_drops_settings_it_does_not_use() {
        let mut s = Scenario::default();
        let a = add_node(&mut s, NodeKind::Service, Point::default(), true);
        let q = add_node(&mut s, NodeKind::Queue, Point::default(), true);
        let l = connect(&mut s, &a, &q).unwrap();
        s.links[0].outbox = Some(true);
        set_via(&mut s, &l, Via::RequestReply).unwrap();
        assert_eq!(s.links[0].outbox, None);
        assert!(set_via(&mut s, &l, Via::Push).is_err());
    }

    #[test]
    fn moving_and_renaming_keep_the_semantics() {
        let a = payments();
        let mut b = a.clone();
        b.nodes[0].x = 999.0;
        b.nodes[0].label = "Phones".into();
        assert!(same_semantics(&a, &b));
        b.nodes[1].workers = Some(3);
        assert!(!same_semantics(&a, &b));
    }

    #[test]
    fn changes_follow_their_target() {
        use crate::engine::format::ChangeSpec;
        let mut s = payments();
        let change = |target: &str, field: &str| ChangeSpec {
            at_ms: 1000.0,
            target: target.into(),
            field: field.into(),
            value: serde_json::json!(2),
        };
        s.changes =
            vec![change("service1", "workers"), change("l1", "retry.attempts"), change("client1", "rate_per_s")];
        rename_id(&mut s, "service1", "pay").unwrap();
        assert_eq!(s.changes[0].target, "pay");
        assert!(validate::errors(&s).is_empty(), "{:?}", validate::errors(&s));
        delete(&mut s, &Selection::node("pay"));
        assert_eq!(s.changes.len(), 1, "the node's and its links' changes go with it");
        assert_eq!(s.changes[0].target, "client1");
        let mut s = payments();
        s.changes = vec![change("l1", "retry.attempts")];
        set_via(&mut s, "l1", Via::Grpc).unwrap();
        assert_eq!(s.changes.len(), 1, "grpc retries too");
    }

    #[test]
    fn dragging_a_queue_onto_a_queue_makes_it_the_dead_letter_queue() {
        let mut s = payments();
        let dlq = add_node(&mut s, NodeKind::Queue, Point::default(), true);
        assert_eq!(join(&mut s, "queue1", &dlq), Ok(Joined::DeadLetter));
        assert_eq!(s.node("queue1").and_then(|q| q.dead_letter.clone()), Some(dlq.clone()));
        assert_eq!(s.links.len(), 2, "no link is added");
        assert!(join(&mut s, "queue1", "queue1").is_err());
        // Any other pair is an ordinary link.
        assert!(matches!(join(&mut s, "service1", &dlq), Ok(Joined::Link(_))));
    }

    #[test]
    fn a_link_end_dragged_to_another_node_moves_and_keeps_its_settings() {
        let mut s = payments();
        let other = add_node(&mut s, NodeKind::Service, Point::new(200.0, 200.0), true);
        s.links[0].timeout_ms = Some(750.0);
        relink(&mut s, "l1", End::To, &other).unwrap();
        assert_eq!((s.links[0].from.as_str(), s.links[0].to.as_str()), ("client1", other.as_str()));
        assert_eq!(s.links[0].timeout_ms, Some(750.0));
        assert_eq!(s.links[0].via, Via::Http);
    }

    #[test]
    fn a_moved_link_end_takes_the_kind_its_new_pair_means() {
        let mut s = payments();
        let q2 = add_node(&mut s, NodeKind::Queue, Point::default(), true);
        // Nothing talks to a client: refused, and nothing changes.
        let before = s.clone();
        assert!(relink(&mut s, "l2", End::To, "client1").unwrap_err().contains("clients only send"));
        assert_eq!(s, before);
        relink(&mut s, "l2", End::To, &q2).unwrap();
        assert_eq!(s.links[1].via, Via::Enqueue);
        assert_eq!(s.links[1].to, q2);
        let svc = add_node(&mut s, NodeKind::Service, Point::default(), true);
        relink(&mut s, "l2", End::To, &svc).unwrap();
        assert_eq!(s.links[1].via, Via::Http, "service to service is a call");
    }

    #[test]
    fn a_moved_link_end_refuses_duplicates_self_links_and_loops() {
        let mut s = payments();
        let before = s.clone();
        assert!(relink(&mut s, "l1", End::To, "client1").unwrap_err().contains("itself"));
        let svc = add_node(&mut s, NodeKind::Service, Point::default(), true);
        connect(&mut s, "service1", &svc).unwrap();
        let with_call = s.clone();
        // service2 -> service1 would close a loop with service1 -> service2.
        let back = connect(&mut s, &svc, "queue1").unwrap();
        assert!(relink(&mut s, &back, End::To, "service1").unwrap_err().contains("loop"));
        assert!(relink(&mut s, "l2", End::To, &svc).unwrap_err().contains("already"));
        assert_eq!(s.links.len(), with_call.links.len() + 1);
        assert_ne!(s, before);
    }

    #[test]
    fn fault_kinds_fit_their_target() {
        let s = payments();
        assert_eq!(fault_kinds_for(&s, "l1"), &[FaultKind::Partition, FaultKind::Slow]);
        assert_eq!(fault_kinds_for(&s, "service1").len(), 4);
    }
}
