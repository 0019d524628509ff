//! Palette presets: building blocks that are a node kind with settings
//! made for one real system, so it can be dropped in as such: a Kafka log
//! (a topic with `delivery: "log"`) and an SQS FIFO queue.

use super::doc;
use super::geometry::Point;
use crate::engine::format::{Delivery, NodeKind, NodeSpec, Scenario};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Preset {
    LogTopic,
    FifoQueue,
}

impl Preset {
    pub const ALL: [Preset; 2] = [Preset::LogTopic, Preset::FifoQueue];

    pub fn kind(self) -> NodeKind {
        match self {
            Preset::LogTopic => NodeKind::Topic,
            Preset::FifoQueue => NodeKind::Queue,
        }
    }

    /// Stable name (tests and the palette's `data-palette-kind`).
    pub fn key(self) -> &'static str {
        match self {
            Preset::LogTopic => "log-topic",
            Preset::FifoQueue => "fifo-queue",
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            Preset::LogTopic => "Log topic",
            Preset::FifoQueue => "FIFO queue",
        }
    }

    /// The palette's name for it: neither says "topic" or "queue", so that
    /// the palette's Topic and Queue are the one button of that name.
    pub fn palette_name(self) -> &'static str {
        match self {
            Preset::LogTopic => "Kafka log",
            Preset::FifoQueue => "SQS FIFO",
        }
    }

    pub fn blurb(self) -> &'static str {
        match self {
            Preset::LogTopic => "A partitioned log read by consumer groups, in order per partition (Kafka)",
            Preset::FifoQueue => "In order per key, one message in flight per key, resends deduplicated (SQS FIFO)",
        }
    }

    /// The settings that make a plain node of `kind()` this preset.
    pub fn apply(self, n: &mut NodeSpec) {
        match self {
            Preset::LogTopic => {
                n.delivery = Some(Delivery::Log);
                n.partitions = Some(3);
            }
            Preset::FifoQueue => n.fifo = Some(true),
        }
    }
}

/// Adds a node of preset `p` near `at` (one edit) and returns its id.
pub fn add(s: &mut Scenario, p: Preset, at: Point, snap: bool) -> String {
    let id = doc::add_node(s, p.kind(), at, snap);
    if let Some(n) = s.nodes.iter_mut().find(|n| n.id == id) {
        p.apply(n);
        n.label = n.label.replacen(p.kind().title(), p.title(), 1);
    }
    id
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::format::validate;

    #[test]
    fn presets_make_valid_nodes_of_their_system() {
        let mut s = Scenario::default();
        let log = add(&mut s, Preset::LogTopic, Point::default(), true);
        let fifo = add(&mut s, Preset::FifoQueue, Point::new(300.0, 0.0), true);
        assert_eq!(s.node(&log).and_then(|n| n.delivery), Some(Delivery::Log));
        assert_eq!(s.node(&fifo).and_then(|n| n.fifo), Some(true));
        assert_eq!(s.node(&log).map(|n| n.label.as_str()), Some("Log topic 1"));
        assert!(validate::validate(&s).is_empty());
    }
}
