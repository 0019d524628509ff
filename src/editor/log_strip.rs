//! How a log topic's partitions are drawn under its card: one cell per
//! partition (up to [`MAX_DRAWN`]), each filled in proportion to its lag
//! (the largest of its groups'), and each consumer group's lag as text.
//! Plain geometry and text, so it is tested natively.

use super::chart::fmt_short;
use super::describe::fit_label;
use super::geometry::{NODE_H, NODE_W};
use crate::engine::view::NodeLive;

/// Partitions drawn at most; a log with more shows the count only.
pub const MAX_DRAWN: usize = 24;
pub const STRIP_X: f64 = 10.0;
pub const STRIP_W: f64 = NODE_W - 20.0;
pub const STRIP_Y: f64 = NODE_H + 6.0;
pub const STRIP_H: f64 = 12.0;

/// What the strip shows, as attribute texts (written only when they change).
#[derive(Clone, PartialEq, Default)]
pub struct Strip {
    pub cells: String,
    pub fills: String,
    pub lag: String,
    pub label: String,
}

pub fn strip(partitions: usize, live: Option<&NodeLive>, names: &[String]) -> Strip {
    let drawn = partitions.min(MAX_DRAWN);
    if drawn == 0 {
        return Strip::default();
    }
    let gap = 2.0;
    let cell_w = (STRIP_W - gap * (drawn as f64 - 1.0)) / drawn as f64;
    let x = |i: usize| STRIP_X + i as f64 * (cell_w + gap);
    let cells = (0..drawn).map(|i| format!("M{:.1} {STRIP_Y}h{cell_w:.1}v{STRIP_H}h-{cell_w:.1}z", x(i))).collect();
    let lags: &[u64] = live.map(|l| l.partition_lag.as_slice()).unwrap_or(&[]);
    let top = lags.iter().copied().max().unwrap_or(0).max(1) as f64;
    let fills = lags
        .iter()
        .take(drawn)
        .enumerate()
        .filter(|(_, lag)| **lag > 0)
        .map(|(i, lag)| {
            let h = (STRIP_H * *lag as f64 / top).max(1.5);
            format!("M{:.1} {:.1}h{cell_w:.1}v{h:.1}h-{cell_w:.1}z", x(i), STRIP_Y + STRIP_H - h)
        })
        .collect();
    let group_lag: Vec<String> = live
        .map(|l| {
            names
                .iter()
                .zip(&l.group_lag)
                .map(|(name, lag)| format!("{} {}", fit_label(name, 12), fmt_short(*lag)))
                .collect()
        })
        .unwrap_or_default();
    let lag =
        if group_lag.is_empty() { String::new() } else { fit_label(&format!("lag {}", group_lag.join(" · ")), 34) };
    let label = format!(
        "{partitions} partition{}{}",
        if partitions == 1 { "" } else { "s" },
        if group_lag.is_empty() { String::new() } else { format!("; consumer lag: {}", group_lag.join(", ")) }
    );
    Strip { cells, fills, lag, label }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_strip_fills_each_partition_by_its_lag() {
        let live = NodeLive { partition_lag: vec![0, 50, 100], group_lag: vec![150, 3], ..NodeLive::default() };
        let s = strip(3, Some(&live), &["billing".into(), "emails".into()]);
        assert_eq!(s.cells.matches('M').count(), 3);
        assert_eq!(s.fills.matches('M').count(), 2, "an empty partition has no fill");
        assert_eq!(s.lag, "lag billing 150 · emails 3");
        assert!(s.label.starts_with("3 partitions; consumer lag: billing 150"));
        let idle = strip(40, None, &[]);
        assert_eq!(idle.cells.matches('M').count(), MAX_DRAWN);
        assert!(idle.lag.is_empty());
    }
}
