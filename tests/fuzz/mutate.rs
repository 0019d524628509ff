//! Damage done to valid-looking input: share links cut short, bit-flipped,
//! re-packed from junk or bombs; JSON text truncated, nested, prefixed with
//! a byte-order mark; and targeted mistakes (a field of the wrong type, a
//! missing required field, an unknown field) whose error must name exactly
//! the place and field that were damaged.

use super::hostile::Dice;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use serde_json::{json, Value};

/// A share link for `doc`, then damaged (or not).
pub fn link(d: &mut Dice, doc: &Value) -> String {
    let json = doc.to_string();
    let pack = |bytes: &[u8]| format!("s1.{}", URL_SAFE_NO_PAD.encode(miniz_oxide::deflate::compress_to_vec(bytes, 6)));
    let mut text = pack(json.as_bytes());
    match d.below(14) {
        0 => {} // intact
        1 => text.truncate(d.index(text.len() + 1)),
        2 => flip(d, &mut text, b"ABCxyz019-_=!%#. "),
        3 => {
            let prefix: &&str = d.pick(&["s2.", "s.", "sx.", "S1.", "s01.", ""]);
            text = text.replacen("s1.", prefix, 1);
        }
        4 => {
            text =
                format!("{}{text}", *d.pick(&["http://127.0.0.1:8080/#", "#", "  https://x/?q=1#", "https://x/#s1.#"]))
        }
        5 => text = pack(&junk(d)),
        6 => text = pack(&vec![b'['; 200_000]),
        7 => text = pack(json.replacen('{', "\u{feff}{", 1).as_bytes()),
        8 => text = format!("s1.{}", URL_SAFE_NO_PAD.encode(junk(d))),
        9 => text = pack(&[0xff, 0xfe, 0x00, 0x7b]),
        10 => text.push_str(&"=".repeat(1 + d.index(4))),
        11 => {
            // Padding and a few characters base64url does not use.
            let at = d.index(text.len() + 1);
            let c = *d.pick(&["+", "/", "é", "\n", "%20"]);
            if text.is_char_boundary(at) {
                text.insert_str(at, c);
            }
        }
        12 => text = pack(&bomb(d)),
        _ => text = pack(text_mutation(d, &json).as_bytes()),
    }
    text
}

/// The JSON text of `doc`, damaged (or not).
pub fn text(d: &mut Dice, doc: &Value) -> String {
    text_mutation(d, &doc.to_string())
}

fn text_mutation(d: &mut Dice, json: &str) -> String {
    let mut t = json.to_string();
    match d.below(12) {
        0 => {}
        1 => t.truncate(floor_boundary(&t, d.index(t.len() + 1))),
        2 => t = format!("\u{feff}{t}"),
        3 => flip(d, &mut t, b"{}[]\":,0123456789-eE.tfn \\"),
        4 => t = format!("[{t}]"),
        5 => t = format!("{}1{}", "[".repeat(1 + d.index(100_000)), "]".repeat(d.index(10))),
        6 => t = t.replacen(':', ":1e999999,\"z\":", 1),
        7 => t = t.replace("\"id\"", "\"id\":\"dup\",\"id\""),
        8 => {
            let a = floor_boundary(&t, d.index(t.len() + 1));
            let b = floor_boundary(&t, a + d.index(64));
            let piece = t[a..b].to_string();
            t.insert_str(b, &piece.repeat(1 + d.index(3)));
        }
        9 => t = t.replacen('1', "\u{0}", 1),
        10 => t = String::from_utf8_lossy(&junk(d)).to_string(),
        _ => t = t.replace('}', "}}"),
    }
    t
}

/// Bytes that are not a scenario: noise, or JSON that is not one.
fn junk(d: &mut Dice) -> Vec<u8> {
    match d.below(4) {
        0 => (0..d.below(300)).map(|_| d.next() as u8).collect(),
        1 => random_value(d, 0).to_string().into_bytes(),
        2 => br#"{"crosstalk":99,"nodes":[]}"#.to_vec(),
        _ => br#"{"crosstalk":1,"nodes":[{"id":"a","kind":"client","rate_per_s":1e999}]}"#.to_vec(),
    }
}

/// Something that inflates far past the text limit.
fn bomb(d: &mut Dice) -> Vec<u8> {
    let mut v = b"{\"crosstalk\":1,\"name\":\"".to_vec();
    v.extend(std::iter::repeat_n(b'a', (4 << 20) + d.index(1 << 20)));
    v
}

/// A random JSON value, a few levels deep.
pub fn random_value(d: &mut Dice, depth: u32) -> Value {
    match if depth > 3 { d.below(5) } else { d.below(8) } {
        0 => Value::Null,
        1 => json!(d.chance(50)),
        2 => json!(d.next() as i64),
        3 => json!(*d.pick(&[0.5, -1e300, 1e-300, 86_400_000.0])),
        4 => json!(*d.pick(&["", "client", "http", "s1.", "\u{feff}", "n0"])),
        5 | 6 => Value::Array((0..d.below(4)).map(|_| random_value(d, depth + 1)).collect()),
        _ => {
            let keys = ["crosstalk", "nodes", "links", "faults", "id", "kind", "via", "from", "to", "zzz"];
            Value::Object((0..d.below(5)).map(|_| (d.pick(&keys).to_string(), random_value(d, depth + 1))).collect())
        }
    }
}

fn floor_boundary(t: &str, mut i: usize) -> usize {
    i = i.min(t.len());
    while !t.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// Replaces one character of `t` by one of `alphabet`.
fn flip(d: &mut Dice, t: &mut String, alphabet: &[u8]) {
    if t.is_empty() {
        return;
    }
    let at = floor_boundary(t, d.index(t.len()));
    let end = (at + 1..=t.len()).find(|i| t.is_char_boundary(*i)).unwrap_or(t.len());
    let c = *d.pick(alphabet) as char;
    t.replace_range(at..end, &c.to_string());
}

/// A targeted mistake in a document whose shape was fine, and the start
/// the error message must have ("node `pay`: workers:").
pub struct Mistake {
    pub doc: Value,
    pub expect: String,
    pub what: String,
}

pub fn mistake(d: &mut Dice, doc: &Value) -> Option<Mistake> {
    let mut doc = doc.clone();
    let list = *d.pick(&["nodes", "links", "faults", "top"]);
    if list == "top" {
        let (field, bad) = d
            .pick(&[
                ("duration_ms", json!("long")),
                ("seed", json!(-1)),
                ("name", json!(7)),
                ("speed", json!(3)),
                ("nodes", json!({})),
                ("crosstalk", json!("one")),
            ])
            .clone();
        doc[field] = bad.clone();
        let expect =
            if field == "crosstalk" { "`crosstalk` is the format version".into() } else { format!("{field}:") };
        return Some(Mistake { doc, expect, what: format!("top-level {field} = {bad}") });
    }
    let items = doc.get_mut(list)?.as_array_mut()?;
    if items.is_empty() {
        return None;
    }
    let i = d.index(items.len());
    let item = items[i].as_object_mut()?;
    let fields: &[(&str, Value)] = match list {
        "nodes" => &[
            ("kind", json!("servise")),
            ("kind", json!(3)),
            ("id", json!(7)),
            ("workers", json!("many")),
            ("rate_per_s", json!("fast")),
            ("work_ms", json!("slow")),
            ("work_ms", json!({"gamma": 2})),
            ("arrival", json!("bursty")),
            ("persistence", json!("disk")),
            ("schedule", json!("soon")),
            ("idempotent", json!("yes")),
            ("users", json!(-3)),
            ("label", json!(["x"])),
            ("dead_letter", json!(5)),
            ("wrkers", json!(3)),
        ],
        "links" => &[
            ("via", json!("htp")),
            ("from", json!(7)),
            ("to", json!(null)),
            ("latency_ms", json!("slow")),
            ("timeout_ms", json!("never")),
            ("retry", json!({"attempts": "3"})),
            ("retry", json!({"atempts": 3})),
            ("circuit_breaker", json!({"window": 2.5})),
            ("optional", json!("yes")),
            ("interval_ms", json!([1])),
            ("speed", json!(1)),
        ],
        _ => &[
            ("kind", json!("explode")),
            ("target", json!(7)),
            ("at_ms", json!("soon")),
            ("for_ms", json!({})),
            ("factor", json!("x")),
            ("when", json!(1)),
        ],
    };
    let (field, bad) = d.pick(fields).clone();
    let remove = d.chance(15)
        && matches!(
            (list, field),
            ("nodes", "kind" | "id") | ("links", "via" | "from" | "to") | ("faults", "kind" | "target")
        );
    if remove {
        item.remove(field);
    } else {
        item.insert(field.to_string(), bad.clone());
    }
    let what = if remove { "missing" } else { "bad" };
    let place = match (list, item.get("id").and_then(Value::as_str)) {
        ("nodes", Some(id)) => format!("node `{id}`"),
        ("links", Some(id)) => format!("link `{id}`"),
        ("nodes", None) => format!("node #{}", i + 1),
        ("links", None) => format!("link #{}", i + 1),
        _ => format!("fault #{}", i + 1),
    };
    // Nested fields are named to the field inside.
    let named = match (field, &bad) {
        ("retry", Value::Object(o)) | ("circuit_breaker", Value::Object(o)) if !remove => {
            format!("{field}.{}", o.keys().next().map(String::as_str).unwrap_or(""))
        }
        _ => field.to_string(),
    };
    Some(Mistake { doc, expect: format!("{place}: {named}:"), what: format!("{list}[{i}].{field} {what} ({bad})") })
}
