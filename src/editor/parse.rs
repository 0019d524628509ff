//! Reading what people type into the inspector's fields.
//!
//! Every parser takes the field's text and returns `Ok(None)` for an empty
//! field (the documented default applies), `Ok(Some(v))` for a value, or a
//! message to show by the field. Units people habitually type ("20 ms",
//! "50/s", "10%") are accepted.
//!
//! Durations are stored in milliseconds (the format's `_ms` fields) but read
//! and shown in the unit that suits them: `250ms`, `20s`, `1.5 s`, `2m` and
//! `1h` all parse, a bare number is milliseconds, and 20000 is shown as
//! `20 s` ([`duration_text`]).

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
    crate::engine::format::json::read::<f64>(&format!("{sign}{lead}{digits}")).ok()
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

/// A distribution as text: "20" (ms), "exp 20s", "uniform 10ms 1.5 s",
/// "normal 100 20", "lognormal 10 ms 2 s". Every number is a duration.
pub fn dist(text: &str) -> Result<Option<Dist>, String> {
    let words = duration_words(text);
    let Some((first, rest)) = words.split_first() else {
        return Ok(None);
    };
    let (shape, args) = if starts_numeric(first) { ("const", words.as_slice()) } else { (first.as_str(), rest) };
    if !DIST_SHAPES.contains(&shape) {
        return Err(format!("unknown distribution `{shape}` (const, exp, uniform, normal or lognormal)"));
    }
    let nums: Vec<f64> = args.iter().map(|a| duration_ms(a)).collect::<Result<_, _>>()?;
    let want = dist_params(shape).len();
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

/// The words of a distribution, a unit written apart from its number
/// ("1.5 s") joined back to it.
fn duration_words(text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for w in text.split(|c: char| c.is_whitespace() || c == ',' || c == '[' || c == ']').filter(|w| !w.is_empty()) {
        // A word of letters after a bare number is its unit (or a unit
        // misspelt, which then gets the unit's message).
        let unit_alone =
            w.chars().all(|c| c.is_ascii_alphabetic() || matches!(c, 'µ' | 'μ')) && !DIST_SHAPES.contains(&w);
        match out.last_mut() {
            Some(prev)
                if unit_alone && starts_numeric(prev) && prev.ends_with(|c: char| c.is_ascii_digit() || c == '.') =>
            {
                prev.push(' ');
                prev.push_str(w)
            }
            _ => out.push(w.to_string()),
        }
    }
    out
}

fn starts_numeric(w: &str) -> bool {
    w.starts_with(|c: char| c.is_ascii_digit() || matches!(c, '.' | '+' | '-'))
}

/// The numbers of a distribution, each as a duration ("20 s").
pub fn dist_numbers(d: &Dist) -> Vec<String> {
    d.numbers().into_iter().map(duration_text).collect()
}

/// The shape of a distribution as [`DIST_SHAPES`] names it.
pub fn dist_shape(d: &Dist) -> &'static str {
    match d {
        Dist::Const(_) => "const",
        Dist::Exp(_) => "exp",
        Dist::Uniform(..) => "uniform",
        Dist::Normal(..) => "normal",
        Dist::LogNormal { .. } => "lognormal",
    }
}

/// The text [`dist`] reads back: "20 ms", "exp 1.5 s", "uniform 10 ms 30 ms".
pub fn dist_text(d: &Dist) -> String {
    let nums = dist_numbers(d).join(" ");
    match d {
        Dist::Const(_) => nums,
        _ => format!("{} {nums}", dist_shape(d)),
    }
}

/// The shape and numbers of a distribution's text, for the inspector's
/// shape menu and number boxes.
pub fn dist_parts(text: &str) -> (String, Vec<String>) {
    match dist(text) {
        Ok(Some(d)) => (dist_shape(&d).to_string(), dist_numbers(&d)),
        _ => ("const".into(), Vec::new()),
    }
}

/// A rate schedule typed as "0:10, 20s:100" (from 0, 10/s; from 20 s,
/// 100/s; a bare time is milliseconds), or as the JSON `[[0,10],[20000,100]]`.
pub fn schedule(text: &str) -> Result<Option<Vec<(f64, f64)>>, String> {
    let t = text.trim();
    if t.is_empty() {
        return Ok(None);
    }
    if t.starts_with('[') {
        let v: Vec<(f64, f64)> = crate::engine::format::json::read(t)
            .map_err(|_| "expected pairs like [[0, 10], [20000, 100]]".to_string())?;
        return Ok(Some(v));
    }
    let mut out = Vec::new();
    for step in t.split([',', ';']).map(str::trim).filter(|s| !s.is_empty()) {
        let (at, rate) =
            step.split_once(':').ok_or_else(|| format!("`{step}`: write each step as time:rate, like 20s:100"))?;
        let at = duration_ms(at).map_err(|e| format!("`{step}`: {e}"))?;
        let rate = number(rate)?.ok_or_else(|| format!("`{step}`: missing rate"))?;
        out.push((at, rate));
    }
    Ok(Some(out))
}

/// The text [`schedule`] reads back: "0 ms: 10/s, 20 s: 100/s".
pub fn schedule_text(steps: &[(f64, f64)]) -> String {
    steps.iter().map(|(a, r)| format!("{}: {}/s", duration_text(*a), fmt_num(*r))).collect::<Vec<_>>().join(", ")
}

/// Milliseconds in one of a unit people write after a duration.
fn unit_factor(unit: &str) -> Option<f64> {
    Some(match unit {
        "" | "ms" | "msec" | "msecs" | "millisecond" | "milliseconds" => 1.0,
        "us" | "µs" | "μs" | "microsecond" | "microseconds" => 0.001,
        "s" | "sec" | "secs" | "second" | "seconds" => 1_000.0,
        "m" | "min" | "mins" | "minute" | "minutes" => 60_000.0,
        "h" | "hr" | "hrs" | "hour" | "hours" => 3_600_000.0,
        _ => return None,
    })
}

/// Splits "1.5 s" into its number and its unit ("1.5", "s").
fn split_unit(t: &str) -> (&str, &str) {
    let b = t.as_bytes();
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        let digit_at = |j: usize| b.get(j).is_some_and(u8::is_ascii_digit);
        let exponent = i > 0
            && matches!(c, b'e' | b'E')
            && (digit_at(i + 1) || (matches!(b.get(i + 1), Some(b'+' | b'-')) && digit_at(i + 2)));
        if c.is_ascii_digit() || c == b'.' || (i == 0 && matches!(c, b'+' | b'-')) {
            i += 1;
        } else if exponent {
            i += 2;
        } else {
            break;
        }
    }
    (t[..i].trim(), t[i..].trim())
}

/// A duration in milliseconds: "250ms", "20s", "1.5 s", "2m", "1h", or a
/// bare number of milliseconds. Refuses empty text (see [`opt_duration_ms`]
/// for fields where empty means the default), negative or unbounded values,
/// and units that are not units of time.
pub fn duration_ms(text: &str) -> Result<f64, String> {
    let t = text.trim();
    // "1,000 ms" groups thousands; "1,5 s" is a decimal comma, not 15 s.
    let decimal_comma = t
        .split_once(',')
        .is_some_and(|(_, after)| !after.contains(',') && after.bytes().take_while(u8::is_ascii_digit).count() != 3);
    let t = if decimal_comma { t.replace(',', ".") } else { t.replace(',', "") }.replace('_', "");
    if t.is_empty() {
        return Err("type a duration, like 250ms or 20s".into());
    }
    let (num, unit) = split_unit(&t);
    // ASCII only: Unicode case tables would cost the download ~10 KiB.
    let unit = unit.to_ascii_lowercase();
    let factor = unit_factor(&unit).ok_or_else(|| {
        if num.is_empty() {
            format!("`{}` is not a duration: a number with ms, s, min or h, like 20s", text.trim())
        } else {
            format!("`{unit}` is not a unit of time: use ms, s, min or h")
        }
    })?;
    let v = match to_f64(num) {
        Some(v) => v,
        // serde_json refuses a number out of range ("1e999").
        None if num.contains(['e', 'E']) && num.bytes().any(|c| c.is_ascii_digit()) => {
            return Err(format!("`{num}` is too large"))
        }
        None => return Err(format!("`{}` is not a duration: a number with ms, s, min or h, like 20s", text.trim())),
    };
    if v < 0.0 {
        return Err(format!("must not be negative (got {})", text.trim()));
    }
    let ms = v * factor;
    if !ms.is_finite() {
        return Err(format!("`{}` is too large", text.trim()));
    }
    // The engine keeps time in microseconds: "1.234 s" is 1234 ms, not
    // 1233.9999999999998.
    Ok(libm::round(ms * 1000.0) / 1000.0)
}

/// [`duration_ms`] for a field where empty means the default.
pub fn opt_duration_ms(text: &str) -> Result<Option<f64>, String> {
    if text.trim().is_empty() {
        return Ok(None);
    }
    duration_ms(text).map(Some)
}

/// A duration in the unit that reads best and parses back to the same
/// milliseconds: "250 ms", "1.5 s", "20 s", "2 min", "1 h", "12.5 ms".
pub fn duration_text(ms: f64) -> String {
    let whole = |v: f64| v.is_finite() && v.fract() == 0.0;
    if ms >= 3_600_000.0 && whole(ms / 3_600_000.0) {
        format!("{} h", fmt_num(ms / 3_600_000.0))
    } else if ms >= 60_000.0 && whole(ms / 60_000.0) {
        format!("{} min", fmt_num(ms / 60_000.0))
    } else if ms >= 1_000.0 && whole(ms) {
        format!("{} s", fmt_num(ms / 1_000.0))
    } else {
        format!("{} ms", fmt_num(ms))
    }
}

/// Weighted routing keys: "order.created.eu:3, order.paid:1" (a key
/// without a weight weighs 1), or the format's JSON pairs.
pub fn routing_keys(text: &str) -> Result<Option<Vec<(String, f64)>>, String> {
    let t = text.trim();
    if t.is_empty() {
        return Ok(None);
    }
    if t.starts_with('[') {
        let v: Vec<(String, f64)> = crate::engine::format::json::read(t)
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
        for t in ["20 ms", "exp 20 ms", "uniform 10 ms 30 ms", "normal 100 ms 20 ms", "lognormal 10 ms 2 s"] {
            let d = dist(t).unwrap().unwrap();
            assert_eq!(dist_text(&d), t);
        }
        assert!(dist("uniform 30 10").unwrap_err().contains("lo is above hi"));
        assert!(dist("exp").unwrap_err().contains("takes 1 number"));
        assert!(dist("gamma 3").unwrap_err().contains("unknown"));
    }

    #[test]
    fn distributions_take_units_on_every_number() {
        assert_eq!(dist("exp 20s"), Ok(Some(Dist::Exp(20_000.0))));
        assert_eq!(dist("exp 1.5 s"), Ok(Some(Dist::Exp(1_500.0))));
        assert_eq!(dist("uniform 250ms 2 s"), Ok(Some(Dist::Uniform(250.0, 2_000.0))));
        assert_eq!(dist("20"), Ok(Some(Dist::Const(20.0))));
        assert_eq!(dist("2m"), Ok(Some(Dist::Const(120_000.0))));
        assert!(dist("exp 5 parsecs").unwrap_err().contains("not a unit of time"));
        assert!(dist("exp -5s").unwrap_err().contains("negative"));
    }

    #[test]
    fn distribution_parts_feed_the_shape_menu() {
        assert_eq!(dist_parts("exp 20"), ("exp".into(), vec!["20 ms".into()]));
        assert_eq!(dist_parts("50"), ("const".into(), vec!["50 ms".into()]));
        assert_eq!(dist_parts("uniform 1s 1500"), ("uniform".into(), vec!["1 s".into(), "1.5 s".into()]));
    }

    #[test]
    fn schedules_read_both_forms() {
        let want = Some(vec![(0.0, 10.0), (20000.0, 100.0)]);
        assert_eq!(schedule("0:10, 20000:100"), Ok(want.clone()));
        assert_eq!(schedule("[[0,10],[20000,100]]"), Ok(want.clone()));
        assert_eq!(schedule("0:10, 20s:100/s"), Ok(want.clone()));
        assert!(schedule("0-10").is_err());
        assert!(schedule("5 parsecs:10").unwrap_err().contains("not a unit of time"));
        assert_eq!(schedule_text(&[(0.0, 10.0), (1500.5, 2.0)]), "0 ms: 10/s, 1500.5 ms: 2/s");
        assert_eq!(schedule(&schedule_text(&want.clone().unwrap())), Ok(want));
    }
}

#[cfg(test)]
mod duration_tests {
    use super::*;

    #[test]
    fn durations_accept_the_units_people_type() {
        for (text, ms) in [
            ("250ms", 250.0),
            ("250 ms", 250.0),
            ("20s", 20_000.0),
            ("1.5 s", 1_500.0),
            ("1.5s", 1_500.0),
            ("2m", 120_000.0),
            ("2 min", 120_000.0),
            ("1h", 3_600_000.0),
            ("1 hour", 3_600_000.0),
            ("500us", 0.5),
            ("20", 20.0),
            ("0", 0.0),
            ("1e3", 1_000.0),
            ("1e3 ms", 1_000.0),
            ("2E1s", 20_000.0),
            ("1.234 s", 1_234.0),
            ("  20 S ", 20_000.0),
            ("1_000 ms", 1_000.0),
            (".5s", 500.0),
            ("1,5 s", 1_500.0),
            ("1,000 ms", 1_000.0),
            ("2,500,000", 2_500_000.0),
        ] {
            assert_eq!(duration_ms(text), Ok(ms), "{text}");
        }
    }

    #[test]
    fn durations_refuse_with_a_message() {
        let cases = [
            ("-5s", "must not be negative (got -5s)"),
            ("5 parsecs", "`parsecs` is not a unit of time: use ms, s, min or h"),
            ("1e999", "`1e999` is too large"),
            ("", "type a duration, like 250ms or 20s"),
            ("   ", "type a duration, like 250ms or 20s"),
            ("soon", "`soon` is not a duration: a number with ms, s, min or h, like 20s"),
            ("1.2.3 s", "`1.2.3 s` is not a duration: a number with ms, s, min or h, like 20s"),
            ("1e308 h", "`1e308 h` is too large"),
        ];
        for (text, message) in cases {
            assert_eq!(duration_ms(text), Err(message.to_string()), "{text:?}");
        }
        assert_eq!(opt_duration_ms(""), Ok(None));
        assert_eq!(opt_duration_ms("2s"), Ok(Some(2_000.0)));
        assert!(opt_duration_ms("-5s").is_err());
    }

    #[test]
    fn durations_show_in_the_unit_that_reads_best() {
        for (ms, text) in [
            (0.0, "0 ms"),
            (0.5, "0.5 ms"),
            (12.5, "12.5 ms"),
            (250.0, "250 ms"),
            (999.0, "999 ms"),
            (1_000.0, "1 s"),
            (1_500.0, "1.5 s"),
            (20_000.0, "20 s"),
            (90_000.0, "90 s"),
            (120_000.0, "2 min"),
            (3_600_000.0, "1 h"),
            (5_400_000.0, "90 min"),
            (1_500.5, "1500.5 ms"),
        ] {
            assert_eq!(duration_text(ms), text, "{ms}");
        }
    }

    #[test]
    fn a_shown_duration_reads_back_as_the_same_milliseconds() {
        let mut v = 0.0_f64;
        while v < 10_000_000.0 {
            assert_eq!(duration_ms(&duration_text(v)), Ok(v), "{v}");
            v = v * 1.37 + 0.5;
            v = libm::round(v * 2.0) / 2.0;
        }
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
