//! Editing while a run goes: a field edit becomes a scheduled change at the
//! current simulated time instead of a new document (which would restart
//! the run), and the inspector shows the values in force now.
//!
//! The document keeps each setting's value at the start of the run and
//! lists what changed when (`changes`), so a share link replays the run
//! that was watched.

use super::fields;
use crate::engine::format::changes::{self, current, link_changeable, node_changeable};
use crate::engine::format::validate::Place;
use crate::engine::format::Scenario;
use serde_json::Value;

/// Whether `key` of `place` can change during a run (the rest, like ids,
/// kinds or a schedule, are edited as usual and restart the run).
pub fn changeable(s: &Scenario, place: &Place, key: &str) -> bool {
    match place {
        Place::Node(id) => s.node(id).is_some_and(|n| node_changeable(n.kind, key).is_ok()),
        Place::Link(id) => s.link(id).is_some_and(|l| link_changeable(l.via, key).is_ok()),
        _ => false,
    }
}

/// What typing `text` into `key` of `place` changes, read the way the field
/// reads it, against `shown` (the values in force): the target, the field
/// and the new value, or `None` when the value is the one in force already.
/// A value the field refuses is refused with the field's message.
pub fn as_change(shown: &Scenario, place: &Place, key: &str, text: &str) -> Result<Option<(String, Value)>, String> {
    let target = match place {
        Place::Node(id) | Place::Link(id) => id.clone(),
        _ => return Err("only nodes and links change during a run".into()),
    };
    let next = fields::set(shown, place, key, text)?;
    let (was, now) = (current(shown, &target, key), current(&next, &target, key));
    Ok((was != now).then_some((target, now)))
}

/// The scenario as it stands at `at_ms` (changes due by then applied).
pub fn shown_at(s: &Scenario, at_ms: f64) -> Scenario {
    changes::effective_at(s, at_ms)
}

/// How many of `s`'s changes are due at `at_ms`.
pub fn due(s: &Scenario, at_ms: f64) -> usize {
    s.changes.iter().filter(|c| c.at_ms <= at_ms).count()
}

/// `recorded` (a run's scenario: settings, faults, changes) with the
/// drawing of `layout` (name, labels, positions), which a run never
/// changes but the user may have since it started.
pub fn with_layout_of(mut recorded: Scenario, layout: &Scenario) -> Scenario {
    recorded.name = layout.name.clone();
    for n in &mut recorded.nodes {
        if let Some(l) = layout.node(&n.id) {
            n.label = l.label.clone();
            n.x = l.x;
            n.y = l.y;
        }
    }
    recorded
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::format::{load, ChangeSpec};
    use serde_json::json;

    fn doc() -> Scenario {
        load(
            r#"{"crosstalk":1,"nodes":[{"id":"c","kind":"client"},{"id":"pay","kind":"service","label":"Payments","workers":4}],
                "links":[{"id":"l1","from":"c","to":"pay","via":"http"}]}"#,
        )
        .unwrap()
    }

    #[test]
    fn settings_change_live_and_the_shape_does_not() {
        let s = doc();
        let pay = Place::Node("pay".into());
        assert!(changeable(&s, &pay, "workers"));
        assert!(changeable(&s, &Place::Link("l1".into()), "retry.attempts"));
        assert!(!changeable(&s, &pay, "id"));
        assert!(!changeable(&s, &pay, "label"));
        assert!(!changeable(&s, &Place::Link("l1".into()), "via"));
        assert!(!changeable(&s, &Place::Scenario, "seed"));
    }

    #[test]
    fn typing_a_value_reads_it_like_the_field_and_compares_with_the_value_in_force() {
        let mut s = doc();
        let pay = Place::Node("pay".into());
        assert_eq!(as_change(&s, &pay, "workers", "8"), Ok(Some(("pay".into(), json!(8)))));
        assert_eq!(as_change(&s, &pay, "workers", "4"), Ok(None), "already 4");
        assert_eq!(as_change(&s, &pay, "workers", "0").unwrap_err(), "must be at least 1");
        assert_eq!(as_change(&s, &pay, "work_ms", "exp 20"), Ok(Some(("pay".into(), json!({"exp": 20.0})))));
        assert_eq!(as_change(&s, &pay, "workers", ""), Ok(Some(("pay".into(), Value::Null))), "back to the default");
        let l1 = Place::Link("l1".into());
        assert_eq!(as_change(&s, &l1, "retry", "true"), Ok(Some(("l1".into(), json!({})))));
        // Against what is in force: back to the starting value is a change.
        s.changes.push(ChangeSpec { at_ms: 10.0, target: "pay".into(), field: "workers".into(), value: json!(8) });
        let shown = shown_at(&s, 20.0);
        assert_eq!(shown.nodes[1].workers, Some(8));
        assert_eq!(as_change(&shown, &pay, "workers", "4"), Ok(Some(("pay".into(), json!(4)))));
        assert_eq!(due(&s, 5.0), 0);
        assert_eq!(due(&s, 10.0), 1);
    }

    #[test]
    fn a_recorded_run_keeps_the_drawing_made_meanwhile() {
        let mut recorded = doc();
        recorded.nodes[1].workers = Some(2);
        let mut layout = doc();
        layout.name = "Renamed".into();
        layout.nodes[1].label = "Pay v2".into();
        layout.nodes[1].x = 300.0;
        let out = with_layout_of(recorded, &layout);
        assert_eq!((out.name.as_str(), out.nodes[1].label.as_str(), out.nodes[1].x), ("Renamed", "Pay v2", 300.0));
        assert_eq!(out.nodes[1].workers, Some(2));
    }
}
