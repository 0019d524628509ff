//! Migrations of old scenario documents, oldest first.
//!
//! A migration is an append-only function on raw JSON that lifts a document
//! from version `n` to `n + 1`. A shipped migration is never edited: links
//! people pasted years ago must still open. Each old version keeps a frozen
//! fixture under `tests/fixtures/` that must keep loading.

use super::scenario::FORMAT_VERSION;
use serde_json::Value;

/// `MIGRATIONS[i]` lifts version `i + 1` to `i + 2`. Version 1 is the first.
const MIGRATIONS: &[fn(Value) -> Value] = &[];

/// Brings a document of any known version up to [`FORMAT_VERSION`].
/// A document without a version is read as version 1, the first there was.
pub fn migrate(mut doc: Value) -> Result<Value, String> {
    let Some(obj) = doc.as_object() else {
        return Err("a scenario is a JSON object like {\"crosstalk\": 1, \"nodes\": [...]}".into());
    };
    let version = match obj.get("crosstalk") {
        None => 1,
        Some(v) => v
            .as_u64()
            .or_else(|| v.as_f64().filter(|f| f.fract() == 0.0 && *f >= 1.0 && *f < 1e9).map(|f| f as u64))
            .filter(|v| *v >= 1)
            .ok_or_else(|| format!("`crosstalk` is the format version, a whole number like 1; got {v}"))?,
    };
    if version > FORMAT_VERSION as u64 {
        return Err(format!(
            "this scenario uses format version {version}, made by a newer Crosstalk; this one reads up to version {FORMAT_VERSION}"
        ));
    }
    for step in &MIGRATIONS[(version as usize - 1)..] {
        doc = step(doc);
    }
    if let Some(obj) = doc.as_object_mut() {
        obj.insert("crosstalk".into(), Value::from(FORMAT_VERSION));
    }
    Ok(doc)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_newer_version_is_refused_with_a_clear_message() {
        let e = migrate(json!({"crosstalk": 99})).unwrap_err();
        assert!(e.contains("newer Crosstalk"), "{e}");
    }

    #[test]
    fn a_missing_version_reads_as_the_first() {
        let v = migrate(json!({"nodes": []})).unwrap();
        assert_eq!(v["crosstalk"], json!(FORMAT_VERSION));
    }

    #[test]
    fn a_non_object_is_refused() {
        assert!(migrate(json!([1, 2])).is_err());
    }
}
