//! Copy, paste and duplicate (Ctrl+C, Ctrl+V, Ctrl+D), as Excalidraw and
//! draw.io do them: the selected nodes come with the links between them
//! and the faults scheduled on them; a link to a node left behind stays
//! behind. Pasted things get fresh ids and labels ("Payments 2"), keep
//! their settings, and land offset from the originals so both show.

use super::doc::fresh_id;
use super::geometry::Point;
use super::selection::Selection;
use crate::engine::format::{FaultSpec, LinkSpec, NodeSpec, Scenario};

/// How far a paste lands from what was copied, world units (two grid steps).
pub const PASTE_OFFSET: f64 = 40.0;
/// Ids are at most 64 characters: room for a stem and a number.
const STEM_MAX: usize = 56;

/// What Ctrl+C took.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Clip {
    nodes: Vec<NodeSpec>,
    links: Vec<LinkSpec>,
    faults: Vec<FaultSpec>,
}

impl Clip {
    pub fn is_empty(&self) -> bool {
        self.nodes.is_empty()
    }

    pub fn len(&self) -> usize {
        self.nodes.len()
    }
}

/// The selected nodes, the links among them and the faults on either.
/// `None` when no node is selected.
pub fn copy(s: &Scenario, sel: &Selection) -> Option<Clip> {
    let nodes: Vec<NodeSpec> = s.nodes.iter().filter(|n| sel.has_node(&n.id)).cloned().collect();
    if nodes.is_empty() {
        return None;
    }
    let inside = |id: &str| sel.has_node(id);
    let links: Vec<LinkSpec> = s.links.iter().filter(|l| inside(&l.from) && inside(&l.to)).cloned().collect();
    let copied = |id: &str| inside(id) || links.iter().any(|l| l.id == id);
    let faults = s.faults.iter().filter(|f| copied(&f.target)).cloned().collect();
    Some(Clip { nodes, links, faults })
}

/// Adds a copy of `clip` moved by `offset` and returns what was added, for
/// the selection.
pub fn paste(s: &mut Scenario, clip: &Clip, offset: Point) -> Selection {
    let mut added = Selection::default();
    // Old id to new id, for the nodes and then the links.
    let mut renamed: Vec<(String, String)> = Vec::new();
    for n in &clip.nodes {
        let id = fresh_id(s, &stem(&n.id));
        let label = if n.label.is_empty() { String::new() } else { next_label(s, &n.label) };
        let (x, y) = (n.x + offset.x, n.y + offset.y);
        let (x, y) = if x.is_finite() && y.is_finite() { (x, y) } else { (offset.x, offset.y) };
        s.nodes.push(NodeSpec { id: id.clone(), label, x, y, ..n.clone() });
        renamed.push((n.id.clone(), id.clone()));
        added.nodes.insert(id);
    }
    let new_id = |renamed: &[(String, String)], old: &str| {
        renamed.iter().find(|(o, _)| o == old).map(|(_, n)| n.clone()).unwrap_or_else(|| old.to_string())
    };
    // A copied queue whose dead-letter queue was copied too uses the copy.
    let first_pasted = s.nodes.len() - clip.nodes.len();
    for n in &mut s.nodes[first_pasted..] {
        if let Some(d) = &n.dead_letter {
            n.dead_letter = Some(new_id(&renamed, d));
        }
    }
    for l in &clip.links {
        let id = fresh_id(s, "l");
        let (from, to) = (new_id(&renamed, &l.from), new_id(&renamed, &l.to));
        s.links.push(LinkSpec { id: id.clone(), from, to, ..l.clone() });
        renamed.push((l.id.clone(), id.clone()));
        added.links.insert(id);
    }
    for f in &clip.faults {
        s.faults.push(FaultSpec { target: new_id(&renamed, &f.target), ..f.clone() });
    }
    added
}

/// The id without its trailing number ("service3" -> "service").
fn stem(id: &str) -> String {
    let bare = id.trim_end_matches(|c: char| c.is_ascii_digit());
    let bare = if bare.is_empty() { "node" } else { bare };
    bare.chars().take(STEM_MAX).collect()
}

/// "Payments" -> "Payments 2", "Payments 2" -> "Payments 3": the first
/// numbered label no node has.
fn next_label(s: &Scenario, label: &str) -> String {
    let base = match label.rsplit_once(' ') {
        Some((head, n)) if !head.is_empty() && n.parse::<u32>().is_ok() => head,
        _ => label,
    };
    (2..)
        .map(|n| format!("{base} {n}"))
        .find(|c| !s.nodes.iter().any(|n| n.label == *c))
        .unwrap_or_else(|| label.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::editor::examples::by_key;
    use crate::engine::format::validate;

    fn payments() -> Scenario {
        by_key("payments-queue").expect("example").scenario()
    }

    #[test]
    fn a_copy_takes_the_links_between_copied_nodes_only() {
        let s = payments();
        let sel = Selection::of_nodes(["pay".to_string(), "sms_q".to_string()]);
        let clip = copy(&s, &sel).unwrap();
        assert_eq!(clip.len(), 2);
        // pay -> sms_q comes along; app -> pay and sms_q -> sms stay behind.
        assert_eq!(clip.links.iter().map(|l| l.id.as_str()).collect::<Vec<_>>(), vec!["l2"]);
        assert!(copy(&s, &Selection::link("l1")).is_none(), "links alone are not copied");
    }

    #[test]
    fn pasting_adds_fresh_ids_labels_and_links_offset_from_the_originals() {
        let mut s = payments();
        let before = s.clone();
        let clip = copy(&s, &Selection::of_nodes(["pay".to_string(), "sms_q".to_string()])).unwrap();
        let added = paste(&mut s, &clip, Point::new(PASTE_OFFSET, PASTE_OFFSET));
        assert_eq!(s.nodes.len(), before.nodes.len() + 2);
        assert_eq!(added.nodes.len(), 2);
        assert_eq!(added.links.len(), 1);
        let pay2 = s.nodes.iter().find(|n| n.label == "Payments 2").expect("a second Payments");
        assert_eq!((pay2.x, pay2.y), (440.0, 240.0));
        assert_eq!(pay2.workers, Some(16), "settings come along");
        let link = s.links.last().unwrap();
        assert!(added.has_node(&link.from) && added.has_node(&link.to), "the copied link joins the copies");
        assert!(validate::errors(&s).is_empty(), "{:?}", validate::errors(&s));
        // The originals are untouched.
        assert_eq!(&s.nodes[..before.nodes.len()], &before.nodes[..]);
    }

    #[test]
    fn a_queue_copied_with_its_dead_letter_queue_uses_the_copy() {
        let mut s = payments();
        let both = copy(&s, &Selection::of_nodes(["sms_q".to_string(), "sms_dlq".to_string()])).unwrap();
        let added = paste(&mut s, &both, Point::new(0.0, 200.0));
        let q = s.nodes.iter().find(|n| added.has_node(&n.id) && n.dead_letter.is_some()).unwrap();
        assert!(added.has_node(q.dead_letter.as_deref().unwrap()));
        let alone = copy(&s, &Selection::node("sms_q")).unwrap();
        let added = paste(&mut s, &alone, Point::new(0.0, 400.0));
        let q = s.nodes.iter().find(|n| added.has_node(&n.id)).unwrap();
        assert_eq!(q.dead_letter.as_deref(), Some("sms_dlq"), "a DLQ left behind is still the target");
    }

    #[test]
    fn faults_on_copied_nodes_come_along() {
        let mut s = payments();
        let clip = copy(&s, &Selection::node("sms")).unwrap();
        let added = paste(&mut s, &clip, Point::new(0.0, 100.0));
        assert_eq!(s.faults.len(), 2);
        assert!(added.has_node(&s.faults[1].target));
    }

    #[test]
    fn repeated_pastes_keep_numbering() {
        let mut s = payments();
        let clip = copy(&s, &Selection::node("pay")).unwrap();
        paste(&mut s, &clip, Point::new(40.0, 40.0));
        paste(&mut s, &clip, Point::new(80.0, 80.0));
        let labels: Vec<&str> =
            s.nodes.iter().map(|n| n.label.as_str()).filter(|l| l.starts_with("Payments")).collect();
        assert_eq!(labels, vec!["Payments", "Payments 2", "Payments 3"]);
        let ids: Vec<&str> = s.nodes.iter().map(|n| n.id.as_str()).filter(|i| i.starts_with("pay")).collect();
        assert_eq!(ids, vec!["pay", "pay1", "pay2"]);
    }
}
