//! Reading a scenario from text: JSON syntax, migrations, shape (unknown
//! fields, wrong types), link ids, then validation. Every failure is a value
//! whose message names what is wrong and where.

use super::defaults::caps;
use super::migrate::migrate;
use super::scenario::Scenario;
use super::validate::{self, Place, Problem, Severity};
use serde_json::Value;
use std::collections::BTreeSet;
use std::fmt;

/// The largest scenario text accepted (files, pasted JSON, decoded links).
pub const MAX_TEXT_BYTES: usize = 4 << 20;

#[derive(Clone, Debug, PartialEq)]
pub enum LoadError {
    /// Not JSON, too large, or not shaped like a scenario.
    Malformed(String),
    /// A scenario that cannot run; every error found.
    Invalid(Vec<Problem>),
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LoadError::Malformed(m) => write!(f, "{m}"),
            LoadError::Invalid(problems) => {
                let first = problems.first().map(|p| p.to_string()).unwrap_or_default();
                match problems.len() {
                    0 | 1 => write!(f, "{first}"),
                    n => write!(f, "{first} (and {} more problem{})", n - 1, if n == 2 { "" } else { "s" }),
                }
            }
        }
    }
}

impl std::error::Error for LoadError {}

/// Parses, migrates and names unnamed links; does not validate.
pub fn parse(text: &str) -> Result<Scenario, LoadError> {
    if text.len() > MAX_TEXT_BYTES {
        return Err(LoadError::Malformed(format!(
            "the scenario is {} bytes; the limit is {} MiB",
            text.len(),
            MAX_TEXT_BYTES >> 20
        )));
    }
    // Editors on Windows may start a UTF-8 file with a byte-order mark; it
    // is not part of the JSON.
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let raw: Value = serde_json::from_str(text).map_err(|e| LoadError::Malformed(format!("not valid JSON: {e}")))?;
    from_value(raw)
}

/// As [`parse`], from JSON already read.
pub fn from_value(raw: Value) -> Result<Scenario, LoadError> {
    let doc = migrate(raw).map_err(LoadError::Malformed)?;
    over_caps(&doc)?;
    let mut scenario = super::shape::read(&doc).map_err(LoadError::Malformed)?;
    name_links(&mut scenario);
    Ok(scenario)
}

/// As [`from_value`], then validates.
pub fn from_value_checked(raw: Value) -> Result<Scenario, LoadError> {
    let s = from_value(raw)?;
    check(&s)?;
    Ok(s)
}

/// Parses and validates: the scenario is ready to run.
pub fn load(text: &str) -> Result<Scenario, LoadError> {
    let s = parse(text)?;
    check(&s)?;
    Ok(s)
}

/// Validates; warnings do not fail.
pub fn check(s: &Scenario) -> Result<(), LoadError> {
    let errors: Vec<Problem> = validate::validate(s).into_iter().filter(|p| p.severity == Severity::Error).collect();
    if errors.is_empty() {
        Ok(())
    } else {
        Err(LoadError::Invalid(errors))
    }
}

/// Refuses more nodes, links or faults than the caps before anything is
/// read or named: what a hostile document costs stays linear in its size.
fn over_caps(doc: &Value) -> Result<(), LoadError> {
    for (list, cap) in [("nodes", caps::NODES), ("links", caps::LINKS), ("faults", caps::FAULTS)] {
        let n = doc.get(list).and_then(Value::as_array).map_or(0, Vec::len);
        if n > cap {
            return Err(LoadError::Invalid(vec![Problem {
                severity: Severity::Error,
                place: Place::Scenario,
                field: Some(list.into()),
                message: format!("{n} {list} is above the limit of {cap}"),
            }]));
        }
    }
    Ok(())
}

/// Gives each link without an id the first free `l<n>`.
pub fn name_links(s: &mut Scenario) {
    // Filled by `extend`, not `collect`: collecting a B-tree sorts first,
    // one more compiled copy of the stable sort (crate::engine::order).
    let mut taken = BTreeSet::new();
    taken.extend(s.nodes.iter().map(|x| x.id.clone()).chain(s.links.iter().map(|x| x.id.clone())));
    let mut n = 0;
    for link in s.links.iter_mut().filter(|l| l.id.is_empty()) {
        link.id = loop {
            n += 1;
            let candidate = format!("l{n}");
            if !taken.contains(&candidate) {
                break candidate;
            }
        };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_fields_name_the_node_and_field() {
        let e = parse(r#"{"crosstalk":1,"nodes":[{"id":"pay","kind":"service","wrkers":3}]}"#).unwrap_err();
        let m = e.to_string();
        assert!(m.contains("node `pay`"), "{m}");
        assert!(m.contains("wrkers"), "{m}");
    }

    #[test]
    fn wrong_types_name_the_field() {
        let e = parse(r#"{"crosstalk":1,"nodes":[{"id":"pay","kind":"service","workers":-1}]}"#).unwrap_err();
        let m = e.to_string();
        assert!(m.contains("node `pay`") && m.contains("workers"), "{m}");
    }

    #[test]
    fn syntax_errors_say_so() {
        let m = parse("{nope").unwrap_err().to_string();
        assert!(m.starts_with("not valid JSON"), "{m}");
    }

    #[test]
    fn links_without_ids_get_free_names() {
        let s = parse(
            r#"{"crosstalk":1,"nodes":[{"id":"l1","kind":"client"},{"id":"b","kind":"service"}],
                "links":[{"from":"l1","to":"b","via":"http"}]}"#,
        )
        .unwrap();
        assert_eq!(s.links[0].id, "l2");
    }
}
