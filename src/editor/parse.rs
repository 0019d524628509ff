//! Reading what people type into the inspector's fields.
//!
//! Every parser takes the field's text and returns `Ok(None)` for an empty
//! field (the documented default applies), `Ok(Some(v))` for a value, or a
//! message to show by the field. Units people habitually type ("20 ms",
//! "50/s", "10%") are accepted.

use crate::engine::format::Dist;

/// A decimal number, read with serde_json's parser (the bundle has it
/// anyway) rather than `str::parse::<f64>`, whose tables cost the download
/// about 10 KiB. Accepts what people type: "+5", ".5", "5.", "1e3".
fn to_f64(t: &str) -> Option<f64> {
    let t = t.strip_prefix('+').unwrap_or(t);
    let (sign, digits) = match t.strip_prefix('-') {
        Some(rest) => ("-", rest),
        None => ("", t),
    };
    let digits = digits.strip_suffix('.').unwrap_or(digits);
    let lead = if digits.starts_with('.') { "0" } else { "" };
    serde_json::from_str::<f64>(&format!("{sign}{lead}{digits}")).ok()
}

fn clean(text: &str) -> String {
    text.trim().trim_end_matches("ms").trim_end_matches("/s").trim().replace(['_', ','], "")
}

/// A number that is not negative: "20", "20 ms", "1e3".
pub fn number(text: &str) -> Result<Option<f64>, String> {
    let t = clean(text);
    if t.is_empty() {
        return Ok(None);
    }
    let v = to_f64(&t).ok_or_else(|| format!("`{}` is not a number", text.trim()))?;
    if !v.is_finite() {
        return Err("must be a finite number".into());
    }
    if v < 0.0 {
        return Err(format!("must not be negative (got {v})"));
    }
    Ok(Some(v))
}

/// A whole number that is not negative.
pub fn integer(text: &str) -> Result<Option<u64>, String> {
    let t = clean(text);
    if t.is_empty() {
        return Ok(None);
    }
    if let Ok(v) = t.parse::<u64>() {
        return Ok(Some(v));
    }
    match to_f64(&t) {
        Some(v) if v < 0.0 => Err(format!("must not be negative (got {v})")),
        Some(v) if v.is_finite() && v.fract() != 0.0 => Err(format!("must be a whole number (got {v})")),
        Some(v) if v < u64::MAX as f64 => Ok(Some(v as u64)),
        Some(_) => Err("too large".into()),
        None => Err(format!("`{}` is not a whole number", text.trim())),
    }
}

/// A whole number that fits a `u32`.
pub fn small_integer(text: &str) -> Result<Option<u32>, String> {
    match integer(text)? {
        None => Ok(None),
        Some(v) => u32::try_from(v).map(Some).map_err(|_| format!("{v} is too large")),
    }
}

/// A fraction between 0 and 1: "0.1" or "10%".
pub fn fraction(text: &str) -> Result<Option<f64>, String> {
    let t = text.trim();
    let (t, scale) = match t.strip_suffix('%') {
        Some(p) => (p, 100.0),
        None => (t, 1.0),
    };
    let Some(v) = number(t)? else {
        return Ok(None);
    };
    let v = v / scale;
    if v > 1.0 {
        return Err(format!("must be between 0 and 1 (got {v}); 10% is 0.1"));
    }
    Ok(Some(v))
}

/// "true", "false" or empty.
pub fn boolean(text: &str) -> Result<Option<bool>, String> {
    match text.trim() {
        "" => Ok(None),
        "true" | "yes" | "on" => Ok(Some(true)),
        "false" | "no" | "off" => Ok(Some(false)),
        other => Err(format!("`{other}` is not true or false")),
    }
}

/// The shapes a distribution can take, as the inspector names them.
pub const DIST_SHAPES: [&str; 5] = ["const", "exp", "uniform", "normal", "lognormal"];

/// How many numbers a shape takes and what they are called.
pub fn dist_params(shape: &str) -> &'static [&'static str] {
    match shape {
        "exp" => &["mean"],
        "uniform" => &["from", "to"],
        "normal" => &["mean", "sd"],
        "lognormal" => &["p50", "p99"],
        _ => &["value"],
    }
}

/// A distribution as text: "20", "exp 20", "uniform 10 30",
/// "normal 100 20", "lognormal 10 100".
pub fn dist(text: &str) -> Result<Option<Dist>, String> {
    let words: Vec<&str> = text
        .split(|c: char| c.is_whitespace() || c == ',' || c == '[' || c == ']')
        .filter(|w| !w.is_empty() && *w != "ms")
        .collect();
    let Some((first, rest)) = words.split_first() else {
        return Ok(None);
    };
    let (shape, args) = if to_f64(first).is_some() { ("const", words.as_slice()) } else { (*first, rest) };
    let nums: Vec<f64> =
        args.iter().map(|a| number(a)?.ok_or_else(|| "missing number".to_string())).collect::<Result<_, _>>()?;
    let want = dist_params(shape).len();
    if !DIST_SHAPES.contains(&shape) {
        return Err(format!("unknown distribution `{shape}` (const, exp, uniform, normal or lognormal)"));
    }
    if nums.len() != want {
        return Err(format!(
            "{shape} takes {want} number{} ({})",
            if want == 1 { "" } else { "s" },
            dist_params(shape).join(", ")
        ));
    }
    let d = match shape {
        "exp" => Dist::Exp(nums[0]),
        "uniform" => Dist::Uniform(nums[0], nums[1]),
        "normal" => Dist::Normal(nums[0], nums[1]),
        "lognormal" => Dist::LogNormal { p50: nums[0], p99: nums[1] },
        _ => Dist::Const(nums[0]),
    };
    match d.problem() {
        Some(p) => Err(p),
        None => Ok(Some(d)),
    }
}

/// The text [`dist`] reads back.
pub fn dist_text(d: &Dist) -> String {
    match *d {
        Dist::Const(m) => fmt_num(m),
        Dist::Exp(m) => format!("exp {}", fmt_num(m)),
        Dist::Uniform(a, b) => format!("uniform {} {}", fmt_num(a), fmt_num(b)),
        Dist::Normal(a, b) => format!("normal {} {}", fmt_num(a), fmt_num(b)),
        Dist::LogNormal { p50, p99 } => format!("lognormal {} {}", fmt_num(p50), fmt_num(p99)),
    }
}

/// The shape and numbers of a distribution's text, for the inspector's
/// shape menu and number boxes.
pub fn dist_parts(text: &str) -> (String, Vec<String>) {
    match dist(text) {
        Ok(Some(d)) => {
            let t = dist_text(&d);
            let mut words = t.split(' ').map(String::from).collect::<Vec<_>>();
            if matches!(d, Dist::Const(_)) {
                ("const".into(), words)
            } else {
                let shape = words.remove(0);
                (shape, words)
            }
        }
        _ => ("const".into(), Vec::new()),
    }
}

/// A rate schedule typed as "0:10, 20000:100" (from 0 ms, 10/s; from 20 s,
/// 100/s), or as the JSON `[[0,10],[20000,100]]`.
pub fn schedule(text: &str) -> Result<Option<Vec<(f64, f64)>>, String> {
    let t = text.trim();
    if t.is_empty() {
        return Ok(None);
    }
    if t.starts_with('[') {
        let v: Vec<(f64, f64)> =
            serde_json::from_str(t).map_err(|_| "expected pairs like [[0, 10], [20000, 100]]".to_string())?;
        return Ok(Some(v));
    }
    let mut out = Vec::new();
    for step in t.split([',', ';']).map(str::trim).filter(|s| !s.is_empty()) {
        let (at, rate) =
            step.split_once(':').ok_or_else(|| format!("`{step}`: write each step as at_ms:rate, like 20000:100"))?;
        let at = number(at)?.ok_or_else(|| format!("`{step}`: missing time"))?;
        let rate = number(rate)?.ok_or_else(|| format!("`{step}`: missing rate"))?;
        out.push((at, rate));
    }
    Ok(Some(out))
}

pub fn schedule_text(steps: &[(f64, f64)]) -> String {
    steps.iter().map(|(a, r)| format!("{}:{}", fmt_num(*a), fmt_num(*r))).collect::<Vec<_>>().join(", ")
}

/// Weighted routing keys: "order.created.eu:3, order.paid:1" (a key
/// without a weight weighs 1), or the format's JSON pairs.
pub fn routing_keys(text: &str) -> Result<Option<Vec<(String, f64)>>, String> {
    let t = text.trim();
    if t.is_empty() {
        return Ok(None);
    }
    if t.starts_with('[') {
        let v: Vec<(String, f64)> = serde_json::from_str(t)
            .map_err(|_| "expected pairs like [[\"order.created\", 3], [\"order.paid\", 1]]".to_string())?;
        return Ok(Some(v));
    }
    let mut out = Vec::new();
    for item in t.split(',').map(str::trim).filter(|s| !s.is_empty()) {
        // The last colon separates the weight: a key may hold colons itself.
        let (key, weight) = match item.rsplit_once(':') {
            Some((k, w)) if to_f64(w.trim()).is_some() => (k.trim(), number(w)?.unwrap_or(1.0)),
            _ => (item, 1.0),
        };
        out.push((key.to_string(), weight));
    }
    Ok(Some(out))
}

pub fn routing_keys_text(keys: &[(String, f64)]) -> String {
    keys.iter().map(|(k, w)| format!("{k}:{}", fmt_num(*w))).collect::<Vec<_>>().join(", ")
}

/// A number as people write it: no trailing ".0".
pub fn fmt_num(v: f64) -> String {
    if v.is_finite() && v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{}", v as i64)
    } else {
        format!("{v}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routing_keys_read_with_or_without_weights() {
        let k = routing_keys("order.created.eu:3, order.paid").unwrap().unwrap();
        assert_eq!(k, vec![("order.created.eu".to_string(), 3.0), ("order.paid".to_string(), 1.0)]);
        assert_eq!(routing_keys_text(&k), "order.created.eu:3, order.paid:1");
        assert_eq!(routing_keys(&routing_keys_text(&k)).unwrap().unwrap(), k);
        assert!(routing_keys("a:-2").is_err());
        assert_eq!(routing_keys(" "), Ok(None));
    }

    #[test]
    fn empty_means_the_default() {
        assert_eq!(number("  "), Ok(None));
        assert_eq!(integer(""), Ok(None));
        assert_eq!(dist(""), Ok(None));
        assert_eq!(schedule(""), Ok(None));
    }

    #[test]
    fn units_people_type_are_accepted() {
        assert_eq!(number("20 ms"), Ok(Some(20.0)));
        assert_eq!(number("50/s"), Ok(Some(50.0)));
        assert_eq!(number("1_000"), Ok(Some(1000.0)));
        assert_eq!(fraction("10%"), Ok(Some(0.1)));
    }

    #[test]
    fn nonsense_gets_a_message() {
        assert!(number("fast").unwrap_err().contains("not a number"));
        assert!(number("-3").unwrap_err().contains("negative"));
        assert!(integer("2.5").unwrap_err().contains("whole"));
        assert!(fraction("1.5").unwrap_err().contains("between 0 and 1"));
        assert!(small_integer("99999999999").unwrap_err().contains("too large"));
    }

    #[test]
    fn distributions_round_trip_through_text() {
        for t in ["20", "exp 20", "uniform 10 30", "normal 100 20", "lognormal 10 100"] {
            let d = dist(t).unwrap().unwrap();
            assert_eq!(dist_text(&d), t);
        }
        assert!(dist("uniform 30 10").unwrap_err().contains("lo is above hi"));
        assert!(dist("exp").unwrap_err().contains("takes 1 number"));
        assert!(dist("gamma 3").unwrap_err().contains("unknown"));
    }

    #[test]
    fn distribution_parts_feed_the_shape_menu() {
        assert_eq!(dist_parts("exp 20"), ("exp".into(), vec!["20".into()]));
        assert_eq!(dist_parts("50"), ("const".into(), vec!["50".into()]));
    }

    #[test]
    fn schedules_read_both_forms() {
        let want = Some(vec![(0.0, 10.0), (20000.0, 100.0)]);
        assert_eq!(schedule("0:10, 20000:100"), Ok(want.clone()));
        assert_eq!(schedule("[[0,10],[20000,100]]"), Ok(want));
        assert!(schedule("0-10").is_err());
        assert_eq!(schedule_text(&[(0.0, 10.0), (1500.5, 2.0)]), "0:10, 1500.5:2");
    }
}

#[cfg(test)]
mod number_tests {
    use super::*;

    #[test]
    fn numbers_read_the_way_people_type_them() {
        for (text, want) in
            [("20", 20.0), ("20 ms", 20.0), ("+5", 5.0), (".5", 0.5), ("5.", 5.0), ("1e3", 1000.0), ("1_000", 1000.0)]
        {
            assert_eq!(number(text), Ok(Some(want)), "{text}");
        }
        assert!(number("-.5").unwrap_err().contains("negative"));
        for bad in ["abc", "1e400", "NaN", "inf", "--1"] {
            assert!(number(bad).is_err(), "{bad}");
        }
        assert_eq!(integer("16.0"), Ok(Some(16)));
        assert!(integer("2.5").unwrap_err().contains("whole"));
        assert!(integer("1e30").unwrap_err().contains("too large"));
    }
}
