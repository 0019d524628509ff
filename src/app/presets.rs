//! Adding a palette item that may be a preset (a log topic, a FIFO queue):
//! one edit, one undo entry, the new node selected.

use super::state::Ctx;
use crate::editor::geometry::Point;
use crate::editor::presets::{self, Preset};
use crate::editor::selection::Selection;
use crate::engine::format::NodeKind;
use leptos::prelude::*;

impl Ctx {
    /// Adds a node of `kind`, or of `preset`, centred near `at`.
    pub fn add_item(&self, kind: NodeKind, preset: Option<Preset>, at: Point) {
        let Some(p) = preset else {
            self.add_node(kind, at);
            return;
        };
        let snap = self.snap.get_untracked();
        let id = self.edit(|s| presets::add(s, p, at, snap));
        self.sel.set(Selection::node(&id));
    }

    /// The same, in the middle of the visible canvas.
    pub fn add_item_at_centre(&self, kind: NodeKind, preset: Option<Preset>) {
        let Some(p) = preset else {
            self.add_node_at_centre(kind);
            return;
        };
        // Placed where a plain node of its kind would go (that edit is the
        // one undo entry), then made the preset in place: undo removes it.
        self.add_node_at_centre(kind);
        let Some(id) = self.sel.with_untracked(|s| s.nodes.iter().next().cloned()) else { return };
        self.doc.update(|s| {
            if let Some(n) = s.nodes.iter_mut().find(|n| n.id == id) {
                p.apply(n);
                n.label = n.label.replacen(kind.title(), p.title(), 1);
            }
        });
    }
}
