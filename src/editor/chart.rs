//! Chart math as plain data (leptos-chartistry's projection, in small): a
//! linear scale from data to pixels, "nice" ticks, and SVG polylines. The
//! results panel draws what this computes.

/// Maps `[d0, d1]` onto `[r0, r1]`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Scale {
    pub d0: f64,
    pub d1: f64,
    pub r0: f64,
    pub r1: f64,
}

impl Scale {
    pub fn new(domain: (f64, f64), range: (f64, f64)) -> Scale {
        Scale { d0: domain.0, d1: domain.1, r0: range.0, r1: range.1 }
    }

    /// The data value at range position `r` (a pointer's x back to time).
    pub fn invert(&self, r: f64) -> f64 {
        let span = self.r1 - self.r0;
        if span == 0.0 || !span.is_finite() || !r.is_finite() {
            return self.d0;
        }
        self.d0 + (r - self.r0) / span * (self.d1 - self.d0)
    }

    pub fn map(&self, v: f64) -> f64 {
        let span = self.d1 - self.d0;
        if span == 0.0 || !span.is_finite() || !v.is_finite() {
            return self.r0;
        }
        self.r0 + (v - self.d0) / span * (self.r1 - self.r0)
    }
}

/// A "nice" upper bound and step for an axis from 0 to `max`: 1, 2, 2.5 or 5
/// times a power of ten, about four steps.
pub fn nice_axis(max: f64) -> (f64, f64) {
    if !max.is_finite() || max <= 0.0 {
        return (1.0, 0.25);
    }
    let rough = max / 4.0;
    let power = libm::pow(10.0, libm::floor(libm::log10(rough)));
    let step = [1.0, 2.0, 2.5, 5.0, 10.0].into_iter().map(|m| m * power).find(|s| *s >= rough).unwrap_or(10.0 * power);
    // A hair under whole steps rounds down: a top that is already nice
    // (0.6000000000000001 = 3 x 0.2) must give itself back, or the grid
    // drawn from the scale's top would get a tick above the chart.
    let top = libm::ceil(max / step - 1e-9) * step;
    (top, step)
}

/// Tick values from 0 to `top` by `step`.
pub fn ticks(top: f64, step: f64) -> Vec<f64> {
    if step <= 0.0 || !step.is_finite() || !top.is_finite() {
        return vec![0.0];
    }
    let n = libm::round(top / step) as usize;
    (0..=n.min(20)).map(|i| i as f64 * step).collect()
}

/// The SVG `points` of a line through `(x, y)` data pairs.
pub fn polyline(points: &[(f64, f64)], x: &Scale, y: &Scale) -> String {
    let mut out = String::with_capacity(points.len() * 12);
    for (i, (px, py)) in points.iter().enumerate() {
        if i > 0 {
            out.push(' ');
        }
        out.push_str(&format!("{:.1},{:.1}", x.map(*px), y.map(*py)));
    }
    out
}

/// Where a chart draws inside its box: margins for the axes' labels.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Frame {
    pub w: f64,
    pub h: f64,
    pub left: f64,
    pub right: f64,
    pub top: f64,
    pub bottom: f64,
}

impl Frame {
    /// The scales of a chart of `lines` over `end_s` seconds.
    pub fn scales(&self, lines: &[(String, Vec<(f64, f64)>)], end_s: f64) -> (Scale, Scale) {
        let max = lines.iter().flat_map(|(_, p)| p.iter().map(|(_, v)| *v)).fold(0.0_f64, f64::max);
        let (top, _) = nice_axis(max);
        (
            Scale::new((0.0, end_s), (self.left, self.w - self.right)),
            Scale::new((0.0, top), (self.h - self.bottom, self.top)),
        )
    }
}

/// The inside of a chart's `<svg>` as markup: fault bands, grid, ticks and
/// one polyline per line (coloured by `colours`); a span that ends where
/// it starts (a scheduled change) is a dashed line instead of a band. It holds numbers and
/// fixed words only, never a name someone typed (the legend, outside the
/// SVG, shows those as text), so it can be set as markup: one assignment
/// per refresh instead of a tree of components, which would cost the
/// download kilobytes.
pub fn svg_markup(
    lines: &[(String, Vec<(f64, f64)>)],
    end_s: f64,
    faults_ms: &[(f64, f64)],
    f: &Frame,
    colours: &[&str],
) -> String {
    use std::fmt::Write;
    let (x, y) = f.scales(lines, end_s);
    let (x0, x1, y_top, y_bottom) = (f.left, f.w - f.right, f.top, f.h - f.bottom);
    let mut out = String::with_capacity(2048);
    for (a, b) in faults_ms {
        let (l, r) = (x.map(a / 1000.0).clamp(x0, x1), x.map(b / 1000.0).clamp(x0, x1));
        if b > a {
            let _ = write!(
                out,
                r#"<rect class="fault-band" x="{l:.1}" y="{y_top}" width="{:.1}" height="{}"/>"#,
                (r - l).max(1.0),
                y_bottom - y_top
            );
        } else {
            // A change happens at an instant: a line, not a band.
            let _ = write!(out, r#"<line class="change-mark" x1="{l:.1}" x2="{l:.1}" y1="{y_top}" y2="{y_bottom}"/>"#);
        }
    }
    let (top, step) = nice_axis(y.d1);
    for t in ticks(top, step) {
        let py = y.map(t);
        let _ = write!(
            out,
            r#"<line class="grid-line" x1="{x0}" x2="{x1}" y1="{py:.1}" y2="{py:.1}"/><text class="tick" x="{}" y="{:.1}" text-anchor="end">{}</text>"#,
            x0 - 4.0,
            py + 3.0,
            tick_text(t)
        );
    }
    let (xt, xs) = nice_axis(end_s);
    for t in ticks(xt, xs).into_iter().filter(|t| *t <= end_s) {
        let _ = write!(
            out,
            r#"<text class="tick" x="{:.1}" y="{}" text-anchor="middle">{}s</text>"#,
            x.map(t),
            f.h - 4.0,
            tick_text(t)
        );
    }
    for (i, (_, pts)) in lines.iter().enumerate() {
        let colour = colours.get(i % colours.len().max(1)).copied().unwrap_or("currentColor");
        let _ = write!(
            out,
            r#"<polyline class="series" fill="none" stroke="{colour}" points="{}"/>"#,
            polyline(pts, &x, &y)
        );
    }
    out
}

/// An axis label: "250", "2.5", "12k".
pub fn tick_text(v: f64) -> String {
    if v >= 10_000.0 {
        format!("{:.0}k", v / 1000.0)
    } else if v.fract() == 0.0 {
        format!("{v:.0}")
    } else {
        format!("{v:.1}")
    }
}

/// What a chart shows at one moment: the time of the sample nearest `t`
/// (the charts sample once a second) and each line's value there, for the
/// readout under a chart while the pointer or the keyboard is on it. Lines
/// with no sample at that time are left out.
pub fn readout(lines: &[(String, Vec<(f64, f64)>)], t: f64) -> Option<(f64, Vec<(&str, f64)>)> {
    let at = lines
        .iter()
        .flat_map(|(_, pts)| pts.iter().map(|(x, _)| *x))
        .min_by(|a, b| (a - t).abs().total_cmp(&(b - t).abs()))?;
    let values = lines
        .iter()
        .filter_map(|(name, pts)| pts.iter().find(|(x, _)| *x == at).map(|(_, v)| (name.as_str(), *v)))
        .collect();
    Some((at, values))
}

/// The sample time `steps` samples from `t` (the keyboard's arrows), kept
/// within the samples there are.
pub fn step_sample(lines: &[(String, Vec<(f64, f64)>)], t: Option<f64>, steps: i64) -> Option<f64> {
    // Every line is sampled at the same seconds, in order: the longest
    // line has them all.
    let times: Vec<f64> = lines.iter().max_by_key(|(_, pts)| pts.len())?.1.iter().map(|(x, _)| *x).collect();
    let last = times.len().checked_sub(1)?;
    let here = match t {
        // No sample chosen yet: start from the latest.
        None => return times.last().copied(),
        Some(t) => (0..times.len()).min_by(|a, b| (times[*a] - t).abs().total_cmp(&(times[*b] - t).abs()))?,
    };
    let next = (here as i64 + steps).clamp(0, last as i64) as usize;
    times.get(next).copied()
}

/// A duration for people: "850 µs", "12.5 ms", "3.20 s", "2 min 5 s".
pub fn fmt_ms(ms: f64) -> String {
    if !ms.is_finite() {
        return "—".into();
    }
    if ms < 1.0 {
        format!("{:.0} µs", ms * 1000.0)
    } else if ms < 100.0 && libm::round(ms * 10.0) % 10.0 != 0.0 {
        format!("{ms:.1} ms")
    } else if ms < 1000.0 {
        format!("{ms:.0} ms")
    } else if ms < 60_000.0 {
        format!("{:.2} s", ms / 1000.0)
    } else {
        let s = libm::round(ms / 1000.0) as u64;
        format!("{} min {} s", s / 60, s % 60)
    }
}

/// A count for a card or a strip, where room is short: "950", "1.5k", "4.1M".
pub fn fmt_short(n: u64) -> String {
    if n < 1000 {
        n.to_string()
    } else if n < 1_000_000 {
        format!("{:.1}k", n as f64 / 1000.0)
    } else {
        format!("{:.1}M", n as f64 / 1_000_000.0)
    }
}

/// A count for people: "950", "9500", "12.3k", "4.1M".
pub fn fmt_count(n: u64) -> String {
    if n < 10_000 {
        n.to_string()
    } else {
        fmt_short(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_scale_maps_ends_to_ends() {
        let s = Scale::new((0.0, 10.0), (100.0, 0.0));
        assert_eq!(s.map(0.0), 100.0);
        assert_eq!(s.map(10.0), 0.0);
        assert_eq!(s.map(5.0), 50.0);
        assert_eq!(Scale::new((3.0, 3.0), (7.0, 9.0)).map(3.0), 7.0);
    }

    #[test]
    fn axes_end_on_round_numbers() {
        assert_eq!(nice_axis(87.0), (100.0, 25.0));
        // A nice top is its own axis: the grid and the scale agree.
        for i in 1..2000 {
            let max = i as f64 * 0.0137;
            let (top, step) = nice_axis(max);
            assert!(top >= max, "{max}: top {top}");
            assert_eq!(nice_axis(top), (top, step), "{max}");
            assert!(ticks(top, step).last().is_some_and(|t| (t - top).abs() < 1e-9 * top), "{max}");
        }
        assert_eq!(nice_axis(7.0), (8.0, 2.0));
        assert_eq!(nice_axis(0.0), (1.0, 0.25));
        assert_eq!(ticks(100.0, 25.0), vec![0.0, 25.0, 50.0, 75.0, 100.0]);
    }

    #[test]
    fn durations_read_naturally() {
        assert_eq!(fmt_ms(0.5), "500 µs");
        assert_eq!(fmt_ms(12.34), "12.3 ms");
        assert_eq!(fmt_ms(20.0), "20 ms");
        assert_eq!(fmt_ms(3200.0), "3.20 s");
        assert_eq!(fmt_ms(125_000.0), "2 min 5 s");
        assert_eq!(fmt_count(12_345), "12.3k");
    }

    #[test]
    fn a_scale_inverts_what_it_maps() {
        let s = Scale::new((0.0, 60.0), (34.0, 434.0));
        for t in [0.0, 12.5, 60.0] {
            assert!((s.invert(s.map(t)) - t).abs() < 1e-9);
        }
    }

    fn two_lines() -> Vec<(String, Vec<(f64, f64)>)> {
        vec![
            ("Payments".to_string(), vec![(0.5, 40.0), (1.5, 48.0), (2.5, 51.0)]),
            ("SMS".to_string(), vec![(0.5, 3.0), (1.5, 0.0)]),
        ]
    }

    #[test]
    fn the_readout_names_every_line_at_the_nearest_sample() {
        let lines = two_lines();
        assert_eq!(readout(&lines, 1.3), Some((1.5, vec![("Payments", 48.0), ("SMS", 0.0)])));
        assert_eq!(readout(&lines, 99.0), Some((2.5, vec![("Payments", 51.0)])));
        assert_eq!(readout(&[], 1.0), None);
    }

    #[test]
    fn arrow_keys_walk_the_samples_and_stop_at_the_ends() {
        let lines = two_lines();
        assert_eq!(step_sample(&lines, None, -1), Some(2.5));
        assert_eq!(step_sample(&lines, Some(2.5), -1), Some(1.5));
        assert_eq!(step_sample(&lines, Some(1.5), -10), Some(0.5));
        assert_eq!(step_sample(&lines, Some(0.5), 10), Some(2.5));
        assert_eq!(step_sample(&[], Some(0.5), 1), None);
    }

    #[test]
    fn the_markup_draws_every_line_band_and_tick_and_no_text_it_was_given() {
        let f = Frame { w: 300.0, h: 100.0, left: 34.0, right: 8.0, top: 8.0, bottom: 18.0 };
        let mut lines = two_lines();
        lines[0].0 = "<script>alert(1)</script>".into();
        let svg = svg_markup(&lines, 60.0, &[(15_000.0, 35_000.0)], &f, &["#111", "#222"]);
        assert_eq!(svg.matches("<polyline").count(), 2);
        assert!(svg.contains(r##"stroke="#222""##));
        assert_eq!(svg.matches("fault-band").count(), 1);
        assert!(svg.contains(">60s</text>") && svg.contains(">0s</text>"));
        assert!(svg.contains(">60</text>"), "the y axis ends on a round 60 above 51: {svg}");
        assert!(!svg.contains("script"), "names never reach the markup");
        // The band starts at 15 s of 60 on a 258-pixel axis from 34.
        assert!(svg.contains(r#"x="98.5""#), "{svg}");
    }

    #[test]
    fn a_polyline_lists_its_points() {
        let x = Scale::new((0.0, 2.0), (0.0, 100.0));
        let y = Scale::new((0.0, 1.0), (50.0, 0.0));
        assert_eq!(polyline(&[(0.0, 0.0), (2.0, 1.0)], &x, &y), "0.0,50.0 100.0,0.0");
    }
}
