//! Share links: a scenario as a compact, URL-safe, versioned fragment.
//!
//! `https://host/#s1.<data>` where `<data>` is the scenario's compact JSON,
//! raw-DEFLATE-compressed (miniz_oxide, level 10) and written in unpadded
//! base64url. `s1` is the codec's version: a later codec gets `s2` and this
//! decoder keeps reading `s1`. The JSON inside carries the format version,
//! so old scenarios migrate as files do.
//!
//! A link is hostile input: its text is capped before decoding and the
//! inflater stops at [`MAX_TEXT_BYTES`], so a zip bomb cannot make the
//! decoder allocate more than a few MiB.

use super::format::load::{self, LoadError, MAX_TEXT_BYTES};
use super::format::Scenario;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;

/// The prefix of a version 1 fragment.
pub const PREFIX: &str = "s1.";

/// The longest fragment accepted: far above any real scenario (a 500-node
/// diagram compresses to tens of KiB) and far below what could hurt.
pub const MAX_LINK_CHARS: usize = 1 << 20;

/// The fragment payload (without `#`) for a scenario.
pub fn encode(s: &Scenario) -> String {
    let json = s.to_json();
    let packed = miniz_oxide::deflate::compress_to_vec(json.as_bytes(), 10);
    format!("{PREFIX}{}", URL_SAFE_NO_PAD.encode(packed))
}

/// The full link that opens `s` in the app served at `base`.
pub fn link(base: &str, s: &Scenario) -> String {
    let base = base.split('#').next().unwrap_or(base);
    format!("{base}#{}", encode(s))
}

/// Reads a scenario back from a link, a `#fragment` or a bare payload.
/// Does not validate: callers run [`load::check`] (or build a `Sim`).
pub fn decode(text: &str) -> Result<Scenario, LoadError> {
    let bad = |m: String| LoadError::Malformed(m);
    let text = text.trim();
    if text.len() > MAX_LINK_CHARS {
        return Err(bad(format!("the link is {} characters; the limit is {MAX_LINK_CHARS}", text.len())));
    }
    let fragment = match text.find('#') {
        Some(i) => &text[i + 1..],
        None => text,
    };
    // A comparison or lesson link carries more parts after `&`.
    let fragment = super::fragment::scenario_part(fragment);
    if fragment.is_empty() {
        return Err(bad("the link has no scenario in it (nothing after #)".into()));
    }
    let payload = match fragment.split_once('.') {
        Some(("s1", data)) => data,
        Some((v, _)) if v.starts_with('s') && v[1..].chars().all(|c| c.is_ascii_digit()) && !v[1..].is_empty() => {
            return Err(bad(format!("this link uses share format {v}, made by a newer Crosstalk; this one reads s1")))
        }
        _ => return Err(bad("this is not a Crosstalk scenario link (it should contain #s1.)".into())),
    };
    let payload = payload.trim_end_matches('=');
    let packed = URL_SAFE_NO_PAD.decode(payload).map_err(|_| {
        // Say which character is foreign (a space or a quote pasted along, a
        // character a mail program changed), else that it ends mid-way.
        let foreign = payload.char_indices().find(|(_, c)| !(c.is_ascii_alphanumeric() || *c == '-' || *c == '_'));
        bad(match foreign {
            Some((at, c)) => format!(
                "the link is damaged: {c:?} at character {} after #s1. cannot be in a share link; was it changed when copied?",
                at + 1
            ),
            None => "the link is damaged: it ends mid-way; was it cut short when copied?".into(),
        })
    })?;
    let json = miniz_oxide::inflate::decompress_to_vec_with_limit(&packed, MAX_TEXT_BYTES).map_err(|e| {
        let why = match e.status {
            miniz_oxide::inflate::TINFLStatus::HasMoreOutput => {
                format!("it unpacks to more than {} MiB", MAX_TEXT_BYTES >> 20)
            }
            _ => "it does not decompress; was it cut short when copied?".to_string(),
        };
        bad(format!("the link is damaged: {why}"))
    })?;
    let json = String::from_utf8(json).map_err(|_| bad("the link is damaged: not UTF-8 text inside".into()))?;
    load::parse(&json)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::format::{NodeKind, NodeSpec};

    fn sample() -> Scenario {
        let mut s = Scenario { name: "Payments <b>& SMS</b>".into(), seed: 42, ..Scenario::default() };
        s.nodes.push(NodeSpec { rate_per_s: Some(50.0), ..NodeSpec::new("app", NodeKind::Client) });
        s.nodes.push(NodeSpec::new("pay", NodeKind::Service));
        s
    }

    #[test]
    fn a_damaged_link_says_what_is_wrong_with_it() {
        let url = link("http://x/", &sample());
        let e = |link: &str| format!("{}", decode(link).expect_err(link));
        // A quote pasted along inside the payload: named, with its place.
        let (head, tail) = url.split_at(url.find("#s1.").expect("fragment") + 6);
        let quoted = format!("{head}\"{tail}");
        let msg = e(&quoted);
        assert!(msg.contains("'\"' at character 3"), "{msg}");
        // Cut to one character: it ends mid-way.
        let msg = e("http://x/#s1.A");
        assert!(msg.contains("ends mid-way"), "{msg}");
    }

    #[test]
    fn a_link_round_trips() {
        let s = sample();
        let url = link("http://localhost:8080/", &s);
        assert!(url.starts_with("http://localhost:8080/#s1."));
        assert_eq!(decode(&url).unwrap(), s);
        assert_eq!(decode(&encode(&s)).unwrap(), s);
    }

    #[test]
    fn damaged_links_say_so() {
        let url = link("http://x/", &sample());
        let cut = &url[..url.len() - 10];
        assert!(decode(cut).unwrap_err().to_string().contains("damaged"));
        assert!(decode("http://x/#hello").unwrap_err().to_string().contains("not a Crosstalk"));
        assert!(decode("http://x/#s9.abc").unwrap_err().to_string().contains("newer"));
        assert!(decode("http://x/#").is_err());
        assert!(decode("#s1.!!!").unwrap_err().to_string().contains("'!' at character 1"));
    }

    #[test]
    fn a_zip_bomb_is_refused() {
        let bomb = vec![b' '; 64 << 20];
        let packed = miniz_oxide::deflate::compress_to_vec(&bomb, 10);
        let text = format!("{PREFIX}{}", URL_SAFE_NO_PAD.encode(packed));
        let e = decode(&text).unwrap_err().to_string();
        assert!(e.contains("MiB"), "{e}");
    }
}

#[cfg(test)]
mod size_tests {
    use super::*;
    use crate::engine::format::{LinkSpec, NodeKind, NodeSpec, Via};

    /// A big but reasonable diagram: 120 services in 40 chains of three,
    /// each behind a client, with labels, positions and a few parameters.
    fn big() -> Scenario {
        let mut s = Scenario { name: "A large system".into(), ..Scenario::default() };
        for c in 0..40 {
            let client = format!("client_{c}");
            s.nodes.push(NodeSpec {
                label: format!("Mobile app {c}"),
                x: 80.0,
                y: 60.0 * c as f64,
                rate_per_s: Some(50.0),
                ..NodeSpec::new(&client, NodeKind::Client)
            });
            let mut prev = client;
            for k in 0..3 {
                let id = format!("svc_{c}_{k}");
                s.nodes.push(NodeSpec {
                    label: format!("Service {c}.{k}"),
                    x: 300.0 + 200.0 * k as f64,
                    y: 60.0 * c as f64,
                    workers: Some(8),
                    work_ms: Some(crate::engine::format::Dist::Exp(20.0)),
                    ..NodeSpec::new(&id, NodeKind::Service)
                });
                let mut l = LinkSpec::new(format!("l_{c}_{k}"), &prev, &id, Via::Http);
                l.timeout_ms = Some(1000.0);
                s.links.push(l);
                prev = id;
            }
        }
        s
    }

    #[test]
    fn a_large_scenario_stays_a_pasteable_link() {
        let s = big();
        let json = s.to_json().len();
        let link = link("https://crosstalk.example/", &s);
        // Chrome and Firefox take URLs far longer; chat apps and address
        // bars are happy below a few tens of KiB.
        assert!(link.len() < 12_000, "{} chars for {} bytes of JSON", link.len(), json);
        assert_eq!(decode(&link).unwrap(), s);
    }
}
