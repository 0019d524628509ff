//! Scheduled changes (`changes: [{at_ms, target, field, value}]`): which
//! fields may change while a run goes, and what a node or link looks like
//! once a change applied.
//!
//! A change is written the way the field is written in the format, so it is
//! read by the same code: the node or link is turned into JSON, the field
//! (dotted for nested ones, `retry.attempts`) takes the value (`null` puts
//! back the default), and the result is read back as a node or link. The
//! validator then checks it like any other (see `validate`), and the engine
//! applies the same spec (see `sim::timed`).

use super::scenario::{LinkSpec, NodeKind, NodeSpec, Scenario, Via};
use super::validate::{link_fields, node_fields};
use serde_json::{Map, Value};

/// Why a change cannot apply: the field (it does not exist or cannot change
/// during a run) or the value (the field refuses it).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ChangeError {
    Field(String),
    Value(String),
}

impl ChangeError {
    pub fn message(&self) -> &str {
        match self {
            ChangeError::Field(m) | ChangeError::Value(m) => m,
        }
    }
}

/// Settings fixed for a whole run, and why (the runtime is built from them).
fn fixed_reason(field: &str) -> Option<&'static str> {
    Some(match field {
        "id" | "kind" | "via" | "from" | "to" => "is the shape of the diagram; it cannot change during a run",
        "label" | "x" | "y" => "only changes the drawing, not the run",
        "region" => "places the node in a region, fixed for a run (crash `region:NAME` instead)",
        "schedule" => "is set for the whole run; change `rate_per_s` instead",
        "users" => "is the size of the browser population, fixed for a run",
        "delivery" => "decides how subscriptions are built, fixed for a run",
        "replicas" | "health_check_ms" | "unhealthy_after" | "health_timeout_ms" => {
            "sets up the service's replicas and their health checks, fixed for a run (crash one as `svc#2` instead)"
        }
        // The brokers are built from these (partitions, groups, routes,
        // presence timers, key streams): fixed for a run.
        "keys" | "poison_rate" | "fifo" | "dedup_window_ms" | "partitions" | "retention_ms" | "type" | "alternate"
        | "online_ms" | "offline_ms" | "routing_keys" | "pattern" | "group" | "commit" | "commit_every_ms"
        | "session_timeout_ms" | "rebalance_ms" | "store_and_forward" => {
            "is part of how a broker is built, fixed for a run"
        }
        _ => return None,
    })
}

const RETRY_FIELDS: [&str; 5] = ["attempts", "base_ms", "multiplier", "max_ms", "jitter"];
const BREAKER_FIELDS: [&str; 5] = ["failure_rate", "window", "min_calls", "open_ms", "half_open_calls"];

/// Whether `field` (dotted for nested ones) exists among `uses`.
fn known(uses: &[&str], field: &str) -> bool {
    match field.split_once('.') {
        None => uses.contains(&field),
        Some(("retry", sub)) => uses.contains(&"retry") && RETRY_FIELDS.contains(&sub),
        Some(("circuit_breaker", sub)) => uses.contains(&"circuit_breaker") && BREAKER_FIELDS.contains(&sub),
        Some(_) => false,
    }
}

/// Whether a node of `kind` may change `field` during a run; the reason if not.
pub fn node_changeable(kind: NodeKind, field: &str) -> Result<(), String> {
    if let Some(why) = fixed_reason(field) {
        return Err(format!("`{field}` {why}"));
    }
    if known(node_fields(kind), field) {
        Ok(())
    } else {
        Err(format!("a {} has no field `{field}`", kind.as_str()))
    }
}

/// Whether a `via` link may change `field` during a run; the reason if not.
pub fn link_changeable(via: Via, field: &str) -> Result<(), String> {
    if let Some(why) = fixed_reason(field) {
        return Err(format!("`{field}` {why}"));
    }
    if known(link_fields(via), field) {
        Ok(())
    } else {
        Err(format!("a `{}` link has no field `{field}`", via.as_str()))
    }
}

/// Sets `field` (dotted: one level of nesting) of a JSON object; `null`
/// reads as an omitted field, so the default applies again.
fn set_path(obj: &mut Map<String, Value>, field: &str, value: &Value) {
    match field.split_once('.') {
        None => {
            obj.insert(field.to_string(), value.clone());
        }
        Some((outer, inner)) => {
            if !obj.get(outer).is_some_and(Value::is_object) {
                obj.insert(outer.to_string(), Value::Object(Map::new()));
            }
            if let Some(m) = obj.get_mut(outer).and_then(Value::as_object_mut) {
                set_path(m, inner, value);
            }
        }
    }
}

/// `spec` as a JSON value. Through text on purpose: files and links are
/// written and read that way already, so the browser bundle carries no
/// second copy of every (de)serializer for direct value conversion.
fn as_json<T: serde::Serialize>(spec: &T) -> Value {
    serde_json::to_string(spec).ok().and_then(|t| serde_json::from_str(&t).ok()).unwrap_or(Value::Null)
}

fn with_field<T: serde::Serialize + for<'de> serde::Deserialize<'de>>(
    spec: &T,
    field: &str,
    value: &Value,
) -> Result<T, ChangeError> {
    let mut v = as_json(spec);
    let Some(obj) = v.as_object_mut() else {
        return Err(ChangeError::Value("not an object".into()));
    };
    set_path(obj, field, value);
    T::deserialize(&v).map_err(|e| ChangeError::Value(format!("{field}: {e}")))
}

/// The node as it is once `field` took `value`.
pub fn apply_node(n: &NodeSpec, field: &str, value: &Value) -> Result<NodeSpec, ChangeError> {
    node_changeable(n.kind, field).map_err(ChangeError::Field)?;
    with_field(n, field, value)
}

/// The link as it is once `field` took `value`.
pub fn apply_link(l: &LinkSpec, field: &str, value: &Value) -> Result<LinkSpec, ChangeError> {
    link_changeable(l.via, field).map_err(ChangeError::Field)?;
    with_field(l, field, value)
}

/// Applies one change to the node or link it names in `s` (unchecked
/// beyond the field's own type: validation says whether the value fits).
pub fn apply(s: &mut Scenario, target: &str, field: &str, value: &Value) -> Result<(), ChangeError> {
    if let Some(n) = s.nodes.iter_mut().find(|n| n.id == target) {
        *n = apply_node(n, field, value)?;
        return Ok(());
    }
    if let Some(l) = s.links.iter_mut().find(|l| l.id == target) {
        *l = apply_link(l, field, value)?;
        return Ok(());
    }
    Err(ChangeError::Field(format!("no node or link `{target}`")))
}

/// The value a field has in `s` now, as a change would write it (`null`
/// when the default applies).
pub fn current(s: &Scenario, target: &str, field: &str) -> Value {
    let spec = match (s.node(target), s.link(target)) {
        (Some(n), _) => as_json(n),
        (None, Some(l)) => as_json(l),
        _ => return Value::Null,
    };
    let mut at = &spec;
    for part in field.split('.') {
        match at.get(part) {
            Some(v) => at = v,
            None => return Value::Null,
        }
    }
    at.clone()
}

/// The positions of `s.changes` in the order they apply: by time, and in
/// list order at the same time.
pub fn in_time_order(s: &Scenario) -> Vec<usize> {
    let key = |i: usize| crate::engine::kernel::clock::ms_to_us(s.changes[i].at_ms);
    // Insertion keeps list order at equal times (no sort code in the bundle).
    let mut order: Vec<usize> = Vec::with_capacity(s.changes.len());
    for i in 0..s.changes.len() {
        let at = order.partition_point(|&j| key(j) <= key(i));
        order.insert(at, i);
    }
    order
}

/// The scenario as it stands at `at_ms`: every change due by then applied
/// (the app shows these values while a run goes).
pub fn effective_at(s: &Scenario, at_ms: f64) -> Scenario {
    let mut out = s.clone();
    for i in in_time_order(s) {
        let c = &s.changes[i];
        if c.at_ms <= at_ms {
            let _ = apply(&mut out, &c.target, &c.field, &c.value);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::format::load::parse;
    use serde_json::json;

    fn doc() -> Scenario {
        parse(
            r#"{"crosstalk":1,"nodes":[{"id":"c","kind":"client"},{"id":"pay","kind":"service","workers":4}],
                "links":[{"id":"l1","from":"c","to":"pay","via":"http"}]}"#,
        )
        .unwrap()
    }

    #[test]
    fn a_change_sets_a_field_and_null_restores_the_default() {
        let mut s = doc();
        apply(&mut s, "pay", "workers", &json!(8)).unwrap();
        assert_eq!(s.nodes[1].workers, Some(8));
        apply(&mut s, "pay", "workers", &Value::Null).unwrap();
        assert_eq!(s.nodes[1].workers, None);
    }

    #[test]
    fn nested_fields_create_their_object() {
        let mut s = doc();
        apply(&mut s, "l1", "retry.attempts", &json!(4)).unwrap();
        assert_eq!(s.links[0].retry.as_ref().and_then(|r| r.attempts), Some(4));
        assert_eq!(current(&s, "l1", "retry.attempts"), json!(4));
        assert_eq!(current(&s, "l1", "timeout_ms"), Value::Null);
    }

    #[test]
    fn fields_fixed_for_a_run_and_unknown_ones_are_refused_by_name() {
        let mut s = doc();
        let e = apply(&mut s, "pay", "wrkers", &json!(3)).unwrap_err();
        assert_eq!(e, ChangeError::Field("a service has no field `wrkers`".into()));
        assert!(
            matches!(apply(&mut s, "c", "schedule", &json!([])), Err(ChangeError::Field(m)) if m.contains("rate_per_s"))
        );
        assert!(matches!(apply(&mut s, "l1", "outbox", &json!(true)), Err(ChangeError::Field(_))));
        assert!(matches!(apply(&mut s, "l1", "retry.tries", &json!(1)), Err(ChangeError::Field(_))));
        let e = apply(&mut s, "pay", "workers", &json!("many")).unwrap_err();
        assert!(matches!(&e, ChangeError::Value(m) if m.starts_with("workers:")), "{e:?}");
    }

    #[test]
    fn the_effective_scenario_takes_changes_due_in_time_order() {
        let mut s = doc();
        s.changes = vec![
            crate::engine::format::ChangeSpec {
                at_ms: 2000.0,
                target: "pay".into(),
                field: "workers".into(),
                value: json!(2),
            },
            crate::engine::format::ChangeSpec {
                at_ms: 1000.0,
                target: "pay".into(),
                field: "workers".into(),
                value: json!(9),
            },
        ];
        assert_eq!(effective_at(&s, 500.0).nodes[1].workers, Some(4));
        assert_eq!(effective_at(&s, 1500.0).nodes[1].workers, Some(9));
        assert_eq!(effective_at(&s, 2000.0).nodes[1].workers, Some(2));
    }
}
