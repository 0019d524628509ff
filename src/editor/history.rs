//! Undo and redo of the document.
//!
//! The history keeps whole documents, not diffs: a scenario is a few KiB, a
//! few hundred of them fit easily, and restoring a snapshot cannot drift the
//! way replaying inverse operations can. One *gesture* is one entry, as in
//! tldraw's marks: a drag that moved three nodes over sixty frames is undone
//! by one Ctrl+Z, because the app records the document once when the
//! gesture starts and pushes it only if the gesture changed something.

use crate::engine::format::Scenario;
use std::collections::VecDeque;

/// How many steps back Undo reaches (the brief asks for at least 100).
pub const DEFAULT_LIMIT: usize = 200;

#[derive(Clone, Debug)]
pub struct History {
    undo: VecDeque<Scenario>,
    redo: Vec<Scenario>,
    limit: usize,
}

impl Default for History {
    fn default() -> Self {
        History::new(DEFAULT_LIMIT)
    }
}

impl History {
    pub fn new(limit: usize) -> History {
        History { undo: VecDeque::new(), redo: Vec::new(), limit: limit.max(1) }
    }

    /// Records that the document was `before` until an edit that produced
    /// `after`. Nothing is recorded when the edit changed nothing. A new edit
    /// forgets what could have been redone.
    pub fn record(&mut self, before: Scenario, after: &Scenario) -> bool {
        if &before == after {
            return false;
        }
        if self.undo.len() == self.limit {
            self.undo.pop_front();
        }
        self.undo.push_back(before);
        self.redo.clear();
        true
    }

    /// The document before the last edit; `current` becomes redoable.
    pub fn undo(&mut self, current: Scenario) -> Option<Scenario> {
        let previous = self.undo.pop_back()?;
        self.redo.push(current);
        Some(previous)
    }

    /// The document the last undo left; `current` becomes undoable again.
    pub fn redo(&mut self, current: Scenario) -> Option<Scenario> {
        let next = self.redo.pop()?;
        if self.undo.len() == self.limit {
            self.undo.pop_front();
        }
        self.undo.push_back(current);
        Some(next)
    }

    pub fn can_undo(&self) -> bool {
        !self.undo.is_empty()
    }

    pub fn can_redo(&self) -> bool {
        !self.redo.is_empty()
    }

    pub fn undo_len(&self) -> usize {
        self.undo.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn named(n: usize) -> Scenario {
        Scenario { name: format!("v{n}"), ..Scenario::default() }
    }

    #[test]
    fn undo_then_redo_returns_to_the_same_document() {
        let mut h = History::default();
        let mut doc = named(0);
        for i in 1..=3 {
            let next = named(i);
            h.record(doc, &next);
            doc = next;
        }
        doc = h.undo(doc).unwrap();
        doc = h.undo(doc).unwrap();
        assert_eq!(doc.name, "v1");
        doc = h.redo(doc).unwrap();
        assert_eq!(doc.name, "v2");
        doc = h.redo(doc).unwrap();
        assert_eq!(doc.name, "v3");
        assert!(h.redo(doc).is_none());
    }

    #[test]
    fn at_least_a_hundred_steps_can_be_undone() {
        let mut h = History::default();
        let mut doc = named(0);
        for i in 1..=150 {
            let next = named(i);
            h.record(doc, &next);
            doc = next;
        }
        for _ in 0..150 {
            doc = h.undo(doc).unwrap();
        }
        assert_eq!(doc.name, "v0");
    }

    #[test]
    fn the_oldest_steps_fall_off_past_the_limit() {
        let mut h = History::new(3);
        let mut doc = named(0);
        for i in 1..=5 {
            let next = named(i);
            h.record(doc, &next);
            doc = next;
        }
        assert_eq!(h.undo_len(), 3);
        for _ in 0..3 {
            doc = h.undo(doc).unwrap();
        }
        assert_eq!(doc.name, "v2");
        assert!(!h.can_undo());
    }

    #[test]
    fn a_new_edit_forgets_the_redo_branch() {
        let mut h = History::default();
        h.record(named(0), &named(1));
        let doc = h.undo(named(1)).unwrap();
        assert!(h.can_redo());
        h.record(doc, &named(9));
        assert!(!h.can_redo());
    }

    #[test]
    fn an_edit_that_changes_nothing_is_not_a_step() {
        let mut h = History::default();
        assert!(!h.record(named(1), &named(1)));
        assert!(!h.can_undo());
    }
}
