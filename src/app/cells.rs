//! Per-node and per-link reactive cells, fanned out from the document.
//!
//! If every node on the canvas subscribed to the whole document, each edit
//! (each pointer move of a drag) would wake every node, and Leptos would
//! rebuild a subscriber list the size of the diagram for each of them:
//! quadratic work that makes a 400-node diagram stutter. Instead one effect
//! per source (document, selection, rename, run snapshot) walks the diagram
//! once and updates only the cells whose value really changed; a node's
//! view subscribes to its own cell alone. This is the js-framework-benchmark
//! `Selector` idea, applied to data as well as to selection.

use super::state::Ctx;
use crate::editor::geometry::{link_paths, LinkPath};
use crate::engine::format::{LinkSpec, NodeSpec};
use crate::engine::view::{LinkLive, NodeLive};
use leptos::prelude::*;
use std::collections::{BTreeMap, HashSet};

#[derive(Clone)]
pub struct NodeCell {
    pub spec: ArcRwSignal<Option<NodeSpec>>,
    pub selected: ArcRwSignal<bool>,
    pub renaming: ArcRwSignal<bool>,
    pub live: ArcRwSignal<Option<NodeLive>>,
}

#[derive(Clone)]
pub struct LinkCell {
    pub spec: ArcRwSignal<Option<LinkSpec>>,
    pub path: ArcRwSignal<Option<LinkPath>>,
    /// Display names of the link's two ends.
    pub ends: ArcRwSignal<(String, String)>,
    pub selected: ArcRwSignal<bool>,
    pub live: ArcRwSignal<Option<LinkLive>>,
}

/// Sets `signal` to `value` only if it differs, so nothing wakes for nothing.
fn put<T: PartialEq + Send + Sync + 'static>(signal: &ArcRwSignal<T>, value: T) {
    if signal.with_untracked(|v| *v != value) {
        signal.set(value);
    }
}

#[derive(Clone, Copy)]
pub struct Cells {
    ctx: Ctx,
    nodes: StoredValue<BTreeMap<String, NodeCell>>,
    links: StoredValue<BTreeMap<String, LinkCell>>,
}

impl Cells {
    /// The cells of the canvas, kept up to date by effects owned by the caller.
    pub fn new(ctx: Ctx) -> Cells {
        let cells = Cells { ctx, nodes: StoredValue::new(BTreeMap::new()), links: StoredValue::new(BTreeMap::new()) };
        // While a run goes, blocks show the settings in force (a live edit).
        Effect::new(move |_| match ctx.shown.get() {
            Some(s) => cells.sync_doc(&s),
            None => ctx.doc.with(|d| cells.sync_doc(d)),
        });
        Effect::new(move |_| {
            ctx.sel.with(|s| {
                cells.nodes.with_value(|m| m.iter().for_each(|(id, c)| put(&c.selected, s.has_node(id))));
                cells.links.with_value(|m| m.iter().for_each(|(id, c)| put(&c.selected, s.has_link(id))));
            })
        });
        Effect::new(move |_| {
            let renaming = ctx.renaming.get();
            cells.nodes.with_value(|m| {
                m.iter().for_each(|(id, c)| put(&c.renaming, renaming.as_deref() == Some(id.as_str())))
            });
        });
        Effect::new(move |_| {
            ctx.run.snap.with(|snap| {
                ctx.doc.with_untracked(|d| {
                    cells.nodes.with_value(|m| {
                        for (i, n) in d.nodes.iter().enumerate() {
                            if let Some(c) = m.get(&n.id) {
                                put(&c.live, snap.nodes.get(i).cloned());
                            }
                        }
                    });
                    cells.links.with_value(|m| {
                        for (i, l) in d.links.iter().enumerate() {
                            if let Some(c) = m.get(&l.id) {
                                put(&c.live, snap.links.get(i).cloned());
                            }
                        }
                    });
                })
            })
        });
        cells
    }

    #[inline(never)]
    fn sync_doc(&self, d: &crate::engine::format::Scenario) {
        let paths = link_paths(d);
        let names = crate::engine::kernel::ordered::ordered(d.nodes.iter().map(|n| (n.id.as_str(), n.display_name())));
        // Sets of ids, so dropping the cells of removed nodes and links is
        // linear (a lookup in the document each was quadratic: 400 nodes,
        // 80,000 string compares on every edit).
        let node_ids: HashSet<&str> = d.nodes.iter().map(|n| n.id.as_str()).collect();
        let link_ids: HashSet<&str> = d.links.iter().map(|l| l.id.as_str()).collect();
        self.nodes.update_value(|m| m.retain(|id, _| node_ids.contains(id.as_str())));
        for (i, n) in d.nodes.iter().enumerate() {
            let c = self.node_at(&n.id, Some(i));
            if c.spec.with_untracked(|v| v.as_ref() != Some(n)) {
                c.spec.set(Some(n.clone()));
            }
        }
        self.links.update_value(|m| m.retain(|id, _| link_ids.contains(id.as_str())));
        for (i, l) in d.links.iter().enumerate() {
            let c = self.link_at(&l.id, Some(i));
            if c.spec.with_untracked(|v| v.as_ref() != Some(l)) {
                c.spec.set(Some(l.clone()));
            }
            put(&c.path, paths.get(i).copied().flatten());
            let end = |id: &str| names.get(id).map(|s| s.to_string()).unwrap_or_else(|| id.to_string());
            put(&c.ends, (end(&l.from), end(&l.to)));
        }
    }

    /// The cell of node `id` (made on first use from the current state).
    pub fn node(&self, id: &str) -> NodeCell {
        self.node_at(id, None)
    }

    /// The cell of node `id`, which is `index` in the document when known
    /// (finding it is a walk of the document).
    fn node_at(&self, id: &str, index: Option<usize>) -> NodeCell {
        if let Some(c) = self.nodes.with_value(|m| m.get(id).cloned()) {
            return c;
        }
        let ctx = self.ctx;
        let index = index.or_else(|| ctx.doc.with_untracked(|d| d.nodes.iter().position(|n| n.id == id)));
        let c = NodeCell {
            spec: ArcRwSignal::new(index.and_then(|i| ctx.doc.with_untracked(|d| d.nodes.get(i).cloned()))),
            selected: ArcRwSignal::new(ctx.sel.with_untracked(|s| s.has_node(id))),
            renaming: ArcRwSignal::new(ctx.renaming.with_untracked(|r| r.as_deref() == Some(id))),
            live: ArcRwSignal::new(index.and_then(|i| ctx.run.snap.with_untracked(|s| s.nodes.get(i).cloned()))),
        };
        self.nodes.update_value(|m| {
            m.insert(id.to_string(), c.clone());
        });
        c
    }

    /// The cell of link `id` (made on first use from the current state).
    pub fn link(&self, id: &str) -> LinkCell {
        self.link_at(id, None)
    }

    /// The cell of link `id`, which is `index` in the document when known.
    fn link_at(&self, id: &str, index: Option<usize>) -> LinkCell {
        if let Some(c) = self.links.with_value(|m| m.get(id).cloned()) {
            return c;
        }
        let ctx = self.ctx;
        // The path and the ends' names wait for the document effect, which
        // does every link at once (one link at a time would be quadratic);
        // a cell made by the view first gets them here.
        let from_effect = index.is_some();
        let (spec, ends, index) = ctx.doc.with_untracked(|d| {
            let index = index.or_else(|| d.links.iter().position(|l| l.id == id));
            let spec = index.and_then(|i| d.links.get(i).cloned());
            let name = |id: &str| d.node(id).map(|n| n.display_name().to_string()).unwrap_or_else(|| id.to_string());
            let ends = match &spec {
                Some(l) if !from_effect => (name(&l.from), name(&l.to)),
                _ => Default::default(),
            };
            (spec, ends, index)
        });
        let c = LinkCell {
            spec: ArcRwSignal::new(spec),
            path: ArcRwSignal::new(None),
            ends: ArcRwSignal::new(ends),
            selected: ArcRwSignal::new(ctx.sel.with_untracked(|s| s.has_link(id))),
            live: ArcRwSignal::new(index.and_then(|i| ctx.run.snap.with_untracked(|s| s.links.get(i).cloned()))),
        };
        self.links.update_value(|m| {
            m.insert(id.to_string(), c.clone());
        });
        c
    }
}
