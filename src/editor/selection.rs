//! What is selected: nodes and links by id. Part of the view state, so it is
//! never undone or shared; after an undo it keeps only what still exists.

use crate::engine::format::Scenario;
use std::collections::BTreeSet;

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Selection {
    pub nodes: BTreeSet<String>,
    pub links: BTreeSet<String>,
}

/// The one thing the inspector shows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Focus {
    Node(String),
    Link(String),
}

impl Selection {
    pub fn node(id: &str) -> Selection {
        let mut s = Selection::default();
        s.nodes.insert(id.to_string());
        s
    }

    pub fn link(id: &str) -> Selection {
        let mut s = Selection::default();
        s.links.insert(id.to_string());
        s
    }

    pub fn of_nodes(ids: impl IntoIterator<Item = String>) -> Selection {
        // `extend`, not `collect` (which sorts: see engine::format::load::name_links).
        let mut nodes = BTreeSet::new();
        nodes.extend(ids);
        Selection { nodes, links: BTreeSet::new() }
    }

    pub fn is_empty(&self) -> bool {
        self.nodes.is_empty() && self.links.is_empty()
    }

    pub fn len(&self) -> usize {
        self.nodes.len() + self.links.len()
    }

    pub fn has_node(&self, id: &str) -> bool {
        self.nodes.contains(id)
    }

    pub fn has_link(&self, id: &str) -> bool {
        self.links.contains(id)
    }

    /// Shift-click on a node: add it, or take it out if it was in.
    pub fn toggle_node(&mut self, id: &str) {
        if !self.nodes.remove(id) {
            self.nodes.insert(id.to_string());
        }
    }

    pub fn toggle_link(&mut self, id: &str) {
        if !self.links.remove(id) {
            self.links.insert(id.to_string());
        }
    }

    /// Everything in either.
    pub fn merged(&self, other: &Selection) -> Selection {
        // `extend`, not `collect` (which sorts: see engine::format::load::name_links).
        let mut both = self.clone();
        both.nodes.extend(other.nodes.iter().cloned());
        both.links.extend(other.links.iter().cloned());
        both
    }

    /// The single selected thing, if exactly one is selected.
    pub fn focus(&self) -> Option<Focus> {
        match (self.nodes.len(), self.links.len()) {
            (1, 0) => self.nodes.first().cloned().map(Focus::Node),
            (0, 1) => self.links.first().cloned().map(Focus::Link),
            _ => None,
        }
    }

    /// Only what still exists in `s` (after an undo or a load).
    pub fn retained(&self, s: &Scenario) -> Selection {
        let mut kept = self.clone();
        kept.nodes.retain(|id| s.node(id).is_some());
        kept.links.retain(|id| s.link(id).is_some());
        kept
    }

    /// Every node and link of `s` (Ctrl+A).
    pub fn all(s: &Scenario) -> Selection {
        // Inserted one by one: collecting into a set instantiates a sort.
        let mut all = Selection::default();
        for n in &s.nodes {
            all.nodes.insert(n.id.clone());
        }
        for l in &s.links {
            all.links.insert(l.id.clone());
        }
        all
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::format::{NodeKind, NodeSpec};

    #[test]
    fn shift_click_toggles_membership() {
        let mut s = Selection::node("a");
        s.toggle_node("b");
        assert_eq!(s.len(), 2);
        s.toggle_node("a");
        assert_eq!(s.focus(), Some(Focus::Node("b".into())));
    }

    #[test]
    fn the_inspector_focuses_only_a_single_thing() {
        let mut s = Selection::link("l1");
        assert_eq!(s.focus(), Some(Focus::Link("l1".into())));
        s.toggle_node("a");
        assert_eq!(s.focus(), None);
    }

    #[test]
    fn undone_nodes_leave_the_selection() {
        let doc = Scenario { nodes: vec![NodeSpec::new("a", NodeKind::Queue)], ..Scenario::default() };
        let s = Selection::of_nodes(["a".to_string(), "gone".to_string()]);
        assert_eq!(s.retained(&doc), Selection::node("a"));
    }
}
