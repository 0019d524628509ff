//! Naming what does not fit the format: "node `pay`: workers: must be a
//! whole number (got 2.5)".
//!
//! Serde's own errors say what is wrong but not where. Rather than carry a
//! path through every value while parsing (a crate that does this costs the
//! browser bundle more code than the whole validator), the error path
//! re-reads the document: which node, link or fault fails on its own, and
//! then which of its fields fails alone next to the required ones.

use super::scenario::{BreakerSpec, ChangeSpec, FaultSpec, LinkSpec, NodeSpec, RetrySpec, Scenario};
use serde::de::DeserializeOwned;
use serde::Deserialize;
use serde_json::{Map, Value};

/// Reads a migrated document as a scenario, or says where it does not fit.
pub fn read(doc: &Value) -> Result<Scenario, String> {
    Scenario::deserialize(doc).map_err(|e| explain(doc, &e.to_string()))
}

fn explain(doc: &Value, whole: &str) -> String {
    if let Some(m) = item_error::<NodeSpec>(doc, "nodes", "node", &["id", "kind"]) {
        return m;
    }
    if let Some(m) = item_error::<LinkSpec>(doc, "links", "link", &["from", "to", "via"]) {
        return m;
    }
    if let Some(m) = item_error::<FaultSpec>(doc, "faults", "fault", &["target", "kind"]) {
        return m;
    }
    if let Some(m) = item_error::<ChangeSpec>(doc, "changes", "change", &["target", "field", "value"]) {
        return m;
    }
    if let Some(obj) = doc.as_object() {
        for (k, v) in obj {
            if matches!(k.as_str(), "nodes" | "links" | "faults" | "changes") && v.is_array() {
                continue;
            }
            let mut probe = Map::new();
            probe.insert("crosstalk".into(), Value::from(1));
            probe.insert(k.clone(), v.clone());
            if let Err(e) = Scenario::deserialize(&Value::Object(probe)) {
                return format!("{k}: {e}");
            }
        }
    }
    whole.to_string()
}

/// The first item of `list` that does not read as a `T`, named.
fn item_error<T: DeserializeOwned>(doc: &Value, list: &str, what: &str, required: &[&str]) -> Option<String> {
    let items = doc.get(list)?.as_array()?;
    for (i, item) in items.iter().enumerate() {
        let Err(e) = T::deserialize(item) else { continue };
        let name = match item.get("id").and_then(Value::as_str) {
            Some(id) => format!("{what} `{id}`"),
            None => format!("{what} #{}", i + 1),
        };
        return Some(match culprit::<T>(item, required, what) {
            Some((field, why)) => format!("{name}: {field}: {why}"),
            None => format!("{name}: {e}"),
        });
    }
    None
}

/// The field of `item` that is wrong, with the reason: a required field
/// that is missing or fails on its own first, then the first other field
/// that fails alone next to the required ones; nested retry and breaker
/// objects are named to their field.
fn culprit<T: DeserializeOwned>(item: &Value, required: &[&str], what: &str) -> Option<(String, String)> {
    let obj = item.as_object()?;
    for r in required {
        let Some(v) = obj.get(*r) else {
            let all: Vec<String> = required.iter().map(|f| format!("`{f}`")).collect();
            let all = match all.split_last() {
                Some((last, [])) => last.clone(),
                Some((last, init)) => format!("{} and {last}", init.join(", ")),
                None => String::new(),
            };
            return Some((r.to_string(), format!("missing (every {what} has {all})")));
        };
        // Alone, a good value only leaves the other required fields missing.
        let mut probe = Map::new();
        probe.insert(r.to_string(), v.clone());
        if let Err(e) = T::deserialize(&Value::Object(probe)) {
            let e = e.to_string();
            if !e.starts_with("missing field") {
                return Some((r.to_string(), e));
            }
        }
    }
    for (k, v) in obj.iter().filter(|(k, _)| !required.contains(&k.as_str())) {
        let mut probe = Map::new();
        for r in required {
            if let Some(x) = obj.get(*r) {
                probe.insert(r.to_string(), x.clone());
            }
        }
        probe.insert(k.clone(), v.clone());
        let Err(e) = T::deserialize(&Value::Object(probe)) else { continue };
        let inner = match k.as_str() {
            "retry" => culprit::<RetrySpec>(v, &[], "retry"),
            "circuit_breaker" => culprit::<BreakerSpec>(v, &[], "circuit_breaker"),
            _ => None,
        };
        return Some(match inner {
            Some((field, why)) => (format!("{k}.{field}"), why),
            None => (k.clone(), e.to_string()),
        });
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn message(doc: Value) -> String {
        read(&doc).unwrap_err()
    }

    #[test]
    fn names_the_node_and_the_field() {
        let m = message(
            json!({"crosstalk":1,"nodes":[{"id":"a","kind":"client"},{"id":"pay","kind":"service","workers":"many"}]}),
        );
        assert!(m.starts_with("node `pay`: workers:"), "{m}");
        let m = message(json!({"crosstalk":1,"nodes":[{"id":"pay","kind":"service","wrkers":3}]}));
        assert!(m.starts_with("node `pay`: wrkers:") && m.contains("unknown field"), "{m}");
    }

    #[test]
    fn names_nested_retry_fields() {
        let m = message(
            json!({"crosstalk":1,"nodes":[],"links":[{"id":"l1","from":"a","to":"b","via":"http","retry":{"atempts":2}}]}),
        );
        assert!(m.starts_with("link `l1`: retry.atempts:"), "{m}");
    }

    #[test]
    fn names_unknown_kinds_and_top_level_fields() {
        let m = message(json!({"crosstalk":1,"nodes":[{"id":"x","kind":"servise"}]}));
        assert!(m.starts_with("node `x`:") && m.contains("servise"), "{m}");
        let m = message(json!({"crosstalk":1,"duration_ms":"long"}));
        assert!(m.starts_with("duration_ms:"), "{m}");
        let m = message(json!({"crosstalk":1,"speed":3}));
        assert!(m.contains("speed"), "{m}");
        let m = message(json!({"crosstalk":1,"faults":[{"target":"x","kind":"explode"}]}));
        assert!(m.starts_with("fault #1: kind:") && m.contains("explode"), "{m}");
    }
}
