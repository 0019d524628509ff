//! Whole numbers written either way: `16` or `16.0`. Scenarios are often
//! written by scripts (Python's `json.dumps(16.0)`, JavaScript arithmetic),
//! so an integral float is accepted; `16.5` or `-1` is refused by name.

use serde::de::{Deserializer, Error};
use serde::Deserialize;
use serde_json::Value;

fn whole(v: &Value, max: u64) -> Result<u64, String> {
    if let Some(n) = v.as_u64() {
        return if n <= max { Ok(n) } else { Err(format!("{n} is too large (at most {max})")) };
    }
    match v.as_f64() {
        Some(f) if f.is_finite() && f >= 0.0 && f.fract() == 0.0 && f <= max as f64 => Ok(f as u64),
        Some(f) if f < 0.0 => Err(format!("must not be negative (got {v})")),
        Some(_) => Err(format!("must be a whole number (got {v})")),
        None => Err(format!("expected a whole number, got {v}")),
    }
}

pub fn u64_<'de, D: Deserializer<'de>>(d: D) -> Result<u64, D::Error> {
    whole(&Value::deserialize(d)?, u64::MAX).map_err(D::Error::custom)
}

pub fn u32_<'de, D: Deserializer<'de>>(d: D) -> Result<u32, D::Error> {
    whole(&Value::deserialize(d)?, u32::MAX as u64).map(|n| n as u32).map_err(D::Error::custom)
}

pub fn opt_u64<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u64>, D::Error> {
    match Option::<Value>::deserialize(d)? {
        None | Some(Value::Null) => Ok(None),
        Some(v) => whole(&v, u64::MAX).map(Some).map_err(D::Error::custom),
    }
}

pub fn opt_u32<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u32>, D::Error> {
    match Option::<Value>::deserialize(d)? {
        None | Some(Value::Null) => Ok(None),
        Some(v) => whole(&v, u32::MAX as u64).map(|n| Some(n as u32)).map_err(D::Error::custom),
    }
}

#[cfg(test)]
mod tests {
    use crate::engine::format::load::parse;

    #[test]
    fn integral_floats_are_whole_numbers() {
        let s = parse(r#"{"crosstalk":1.0,"seed":7.0,"nodes":[{"id":"a","kind":"service","workers":16.0}]}"#).unwrap();
        assert_eq!(s.nodes[0].workers, Some(16));
        assert_eq!(s.seed, 7);
        let e = parse(r#"{"crosstalk":1,"nodes":[{"id":"a","kind":"service","workers":2.5}]}"#).unwrap_err();
        assert!(e.to_string().contains("node `a`") && e.to_string().contains("whole number"), "{e}");
        let e = parse(r#"{"crosstalk":1,"nodes":[{"id":"a","kind":"service","workers":-3}]}"#).unwrap_err();
        assert!(e.to_string().contains("negative"), "{e}");
    }
}
