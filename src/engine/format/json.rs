//! The one way the crate reads typed values from JSON text: through a
//! `serde_json::Value`. serde_json's text parser is then compiled once, for
//! `Value` (scenarios, lessons and links are read that way already), rather
//! than once more for every type read straight from text, and each derived
//! `Deserialize` is compiled for the one deserializer `&Value` (see
//! docs/SIZE.md for what this saves the download).
//!
//! Likewise for writing: pretty JSON is the compact text indented here
//! ([`to_string_pretty`]), so every `Serialize` is compiled once, for the
//! compact writer, rather than again for serde_json's pretty one.

use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;

/// `text` read as a `T`.
pub fn read<T: DeserializeOwned>(text: &str) -> Result<T, serde_json::Error> {
    let v: Value = serde_json::from_str(text)?;
    T::deserialize(&v)
}

/// `value` as serde_json's `to_string_pretty` writes it (two spaces per
/// level, `"key": value`, empty `{}` and `[]` on one line), made from its
/// compact text.
pub fn to_string_pretty<T: Serialize + ?Sized>(value: &T) -> Result<String, serde_json::Error> {
    serde_json::to_string(value).map(|compact| indent(&compact))
}

/// Compact JSON text (no whitespace outside strings) laid out as serde_json's
/// pretty writer lays it out.
fn indent(compact: &str) -> String {
    fn line(out: &mut String, depth: usize) {
        out.push('\n');
        for _ in 0..depth {
            out.push_str("  ");
        }
    }
    let mut out = String::with_capacity(compact.len() + compact.len() / 2);
    let mut depth = 0usize;
    let mut strings = super::json_strings::Strings::default();
    let mut chars = compact.chars().peekable();
    while let Some(c) = chars.next() {
        out.push(c);
        if strings.step(c) {
            continue;
        }
        match c {
            '{' | '[' => match chars.peek() {
                Some(&close @ ('}' | ']')) => {
                    out.push(close);
                    chars.next();
                }
                _ => {
                    depth += 1;
                    line(&mut out, depth);
                }
            },
            '}' | ']' => {
                out.pop();
                depth = depth.saturating_sub(1);
                line(&mut out, depth);
                out.push(c);
            }
            ',' => line(&mut out, depth),
            ':' => out.push(' '),
            _ => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pretty_text_is_serde_jsons_pretty_text() {
        let values = [
            serde_json::json!({}),
            serde_json::json!([]),
            serde_json::json!(null),
            serde_json::json!("a \"quoted\" {[,:]} \\ string\n"),
            serde_json::json!({"a": 1, "b": [1, 2.5, -3e-7], "c": {}, "d": [], "e": {"f": [{"g": null}, [[]], "x,y"]}}),
            serde_json::json!([[1, [2, [3, {}]]], {"k:": "v\\"}, true, false]),
        ];
        for v in &values {
            assert_eq!(to_string_pretty(v).unwrap(), serde_json::to_string_pretty(v).unwrap(), "{v}");
        }
    }

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
