//! The one way the crate reads typed values from JSON text: through a
//! `serde_json::Value`. serde_json's text parser is then compiled once, for
//! `Value` (scenarios, lessons and links are read that way already), rather
//! than once more for every type read straight from text, and each derived
//! `Deserialize` is compiled for the one deserializer `&Value` (see
//! docs/SIZE.md for what this saves the download).

use serde::de::DeserializeOwned;
use serde_json::Value;

/// `text` read as a `T`.
pub fn read<T: DeserializeOwned>(text: &str) -> Result<T, serde_json::Error> {
    let v: Value = serde_json::from_str(text)?;
    T::deserialize(&v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_what_serde_json_reads_and_refuses_what_it_refuses() {
        assert_eq!(read::<f64>("1e3").unwrap(), 1000.0);
        assert_eq!(read::<f64>("5").unwrap(), 5.0);
        assert!(read::<f64>("1e400").is_err());
        assert!(read::<f64>("inf").is_err());
        assert_eq!(read::<Vec<(String, f64)>>(r#"[["a", 1.5]]"#).unwrap(), vec![("a".to_string(), 1.5)]);
        assert!(read::<Vec<(f64, f64)>>("[[1, 2], [3]]").is_err());
        assert!(read::<u64>("[1,").is_err());
    }
}
