//! Replications: one scenario run over several seeds, summarised as a mean
//! and a 95% confidence interval (Student's t) per metric.
//!
//! Plain code, no threads: `crosstalk run --replications` spreads the runs
//! over threads and the app over Web Workers, and both hand the samples,
//! in seed order, to [`summarise`]. The same samples give the same table,
//! to the last digit, whoever ran them and in whatever order they finished.
//!
//! A sample holds whole numbers only (counts and microseconds), so it
//! crosses a worker boundary as JSON without any rounding.

use crate::engine::budget::Budget;
use crate::engine::format::Scenario;
use crate::engine::kernel::clock::{ms_to_us, us_to_ms};
use crate::engine::{Sim, SimOptions};
use serde::{Deserialize, Serialize};

/// The most replications one request may ask for.
pub const MAX_REPLICATIONS: u64 = 1_000;
/// What the app offers first.
pub const DEFAULT_REPLICATIONS: u64 = 10;

/// Checks a requested count: 1 to [`MAX_REPLICATIONS`].
pub fn check_count(n: u64) -> Result<u32, String> {
    if n == 0 {
        Err("replications: at least 1 run is needed (got 0)".into())
    } else if n > MAX_REPLICATIONS {
        Err(format!("replications: at most {MAX_REPLICATIONS} runs at once (got {n})"))
    } else {
        Ok(n as u32)
    }
}

/// The seeds of `n` replications: the scenario's seed, then the next ones
/// (wrapping past 2^64-1 to 0).
pub fn seeds(first: u64, n: u32) -> Vec<u64> {
    (0..n as u64).map(|i| first.wrapping_add(i)).collect()
}

/// Checks a warm-up against the scenario: a finite number of milliseconds,
/// at least 0 and shorter than the run.
pub fn check_warmup(scenario: &Scenario, warmup_ms: f64) -> Result<(), String> {
    if !warmup_ms.is_finite() || warmup_ms < 0.0 {
        return Err(format!("warm-up: wants 0 or more milliseconds, got {warmup_ms}"));
    }
    if warmup_ms > 0.0 && warmup_ms >= scenario.duration_ms {
        return Err(format!(
            "warm-up: {warmup_ms} ms leaves nothing to measure in a run of {} ms; make it shorter than the run",
            scenario.duration_ms
        ));
    }
    Ok(())
}

/// What one replication measured after its warm-up. Whole numbers only.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sample {
    pub seed: u64,
    pub run_hash: String,
    /// Client requests that ended after the warm-up, and those of them ok.
    pub requests_ended: u64,
    pub requests_ok: u64,
    /// Client latency percentiles of requests that ended after the warm-up
    /// (every outcome, as the client's own latency), µs; `None` if none did.
    pub p50_us: Option<u64>,
    pub p99_us: Option<u64>,
    /// Messages and call attempts lost after the warm-up.
    pub lost: u64,
    /// Side effects executed twice after the warm-up.
    pub duplicates: u64,
    /// Why the run stopped early, if it did (a runaway guard).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stopped: Option<String>,
}

/// The counters a warm-up subtracts.
struct Mark {
    ended: u64,
    ok: u64,
    lost: u64,
    duplicates: u64,
    latency: crate::engine::metrics::Latency,
}

fn mark(sim: &Sim) -> Mark {
    let r = sim.report();
    Mark {
        ended: r.requests.ok + r.requests.failed + r.requests.timed_out,
        ok: r.requests.ok,
        lost: r.messages.lost,
        duplicates: r.messages.duplicates,
        latency: sim.client_latency(),
    }
}

/// Runs `scenario` with `seed` to its end and measures what ended strictly
/// after `warmup_ms` (see docs/FORMAT.md, "Replications").
pub fn measure(scenario: &Scenario, seed: u64, warmup_ms: f64, budget: Budget) -> Result<Sample, String> {
    check_warmup(scenario, warmup_ms)?;
    let mut s = scenario.clone();
    s.seed = seed;
    let mut sim = Sim::with_budget(&s, SimOptions::default(), budget).map_err(|e| e.to_string())?;
    // Slicing a run never changes it: the run hash is the same as without.
    let before = if warmup_ms > 0.0 {
        sim.advance_to(ms_to_us(warmup_ms), u64::MAX);
        Some(mark(&sim))
    } else {
        None
    };
    sim.run_to_end();
    let after = mark(&sim);
    let zero = Mark { ended: 0, ok: 0, lost: 0, duplicates: 0, latency: Default::default() };
    let before = before.unwrap_or(zero);
    let latency = after.latency.since(&before.latency);
    Ok(Sample {
        seed,
        run_hash: sim.run_hash_hex(),
        requests_ended: after.ended.saturating_sub(before.ended),
        requests_ok: after.ok.saturating_sub(before.ok),
        p50_us: latency.quantile_us(0.50),
        p99_us: latency.quantile_us(0.99),
        lost: after.lost.saturating_sub(before.lost),
        duplicates: after.duplicates.saturating_sub(before.duplicates),
        stopped: sim.stopped().map(str::to_string),
    })
}

/// One metric over the replications.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Row {
    pub metric: &'static str,
    pub unit: &'static str,
    /// Replications that measured it (a run with no client request ended
    /// after the warm-up has no success rate).
    pub n: u32,
    pub mean: f64,
    /// Half the width of the 95% interval; `None` below 2 values.
    pub half_width: Option<f64>,
}

impl Row {
    fn of(metric: &'static str, unit: &'static str, values: &[f64]) -> Row {
        let (mean, half_width) = mean_ci95(values);
        Row { metric, unit, n: values.len() as u32, mean, half_width }
    }

    /// The mean as the table shows it ("—" with no value).
    pub fn mean_text(&self) -> String {
        if self.n == 0 {
            "—".into()
        } else {
            format!("{} {}", fixed(self.mean, self.unit), self.unit).trim_end().to_string()
        }
    }

    /// The interval's half width as the table shows it ("—" below 2 values).
    pub fn ci_text(&self) -> String {
        match self.half_width {
            Some(h) => format!("± {} {}", fixed(h, self.unit), self.unit).trim_end().to_string(),
            None => "—".into(),
        }
    }
}

/// Decimals by unit: enough to compare runs, not more than they mean.
fn fixed(x: f64, unit: &str) -> String {
    match unit {
        "%" => format!("{x:.2}"),
        "ms" => format!("{x:.3}"),
        _ => format!("{x:.1}"),
    }
}

/// The replications' table.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Summary {
    pub replications: u32,
    pub seeds: Vec<u64>,
    pub warmup_ms: f64,
    pub rows: Vec<Row>,
    /// Replications a runaway guard stopped early (they still count).
    pub stopped: u32,
}

/// Summarises `samples` (in seed order: the order of the sums is fixed).
pub fn summarise(samples: &[Sample], warmup_ms: f64) -> Summary {
    let pick = |f: &dyn Fn(&Sample) -> Option<f64>| samples.iter().filter_map(f).collect::<Vec<f64>>();
    let rate = pick(&|s| (s.requests_ended > 0).then(|| 100.0 * s.requests_ok as f64 / s.requests_ended as f64));
    let p50 = pick(&|s| s.p50_us.map(us_to_ms));
    let p99 = pick(&|s| s.p99_us.map(us_to_ms));
    let lost = pick(&|s| Some(s.lost as f64));
    let dups = pick(&|s| Some(s.duplicates as f64));
    Summary {
        replications: samples.len() as u32,
        seeds: samples.iter().map(|s| s.seed).collect(),
        warmup_ms,
        rows: vec![
            Row::of("client success rate", "%", &rate),
            Row::of("latency p50", "ms", &p50),
            Row::of("latency p99", "ms", &p99),
            Row::of("lost messages", "", &lost),
            Row::of("duplicates", "", &dups),
        ],
        stopped: samples.iter().filter(|s| s.stopped.is_some()).count() as u32,
    }
}

/// The seeds in a few words: "7 to 16", "7" or "1, 3, 9".
pub fn seed_words(seeds: &[u64]) -> String {
    match seeds {
        [] => "none".into(),
        [one] => one.to_string(),
        [first, .., last] if seeds.windows(2).all(|w| w[1] == w[0].wrapping_add(1)) => format!("{first} to {last}"),
        _ => seeds.iter().map(u64::to_string).collect::<Vec<_>>().join(", "),
    }
}

/// The table as `crosstalk run --replications` prints it.
pub fn render(s: &Summary) -> String {
    let mut out = format!(
        "{} replications, seeds {}, warm-up {} ms left out; mean and 95% confidence interval (Student's t)\n\n",
        s.replications,
        seed_words(&s.seeds),
        s.warmup_ms
    );
    out.push_str(&format!("{:<22}{:>14}{:>16}{:>6}\n", "metric", "mean", "± 95% CI", "n"));
    for r in &s.rows {
        out.push_str(&format!("{:<22}{:>14}{:>16}{:>6}\n", r.metric, r.mean_text(), r.ci_text(), r.n));
    }
    if s.stopped > 0 {
        out.push_str(&format!(
            "\n{} of the runs stopped early (a runaway guard); they count as far as they ran\n",
            s.stopped
        ));
    }
    out
}

/// Mean and the 95% interval's half width, t(n-1) · s / √n.
pub fn mean_ci95(values: &[f64]) -> (f64, Option<f64>) {
    let n = values.len();
    if n == 0 {
        return (0.0, None);
    }
    let mean = values.iter().sum::<f64>() / n as f64;
    if n < 2 {
        return (mean, None);
    }
    let var = values.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / (n - 1) as f64;
    (mean, Some(t975(n as u32 - 1) * (var / n as f64).sqrt()))
}

/// The 0.975 quantile of Student's t with `df` degrees of freedom (the
/// two-sided 95% factor). Exact values to 30; above, the Cornish-Fisher
/// expansion around the normal quantile, within 1e-6 of the exact value
/// (checked against `statrs` in the tests). `df` 0 has none: infinity.
pub fn t975(df: u32) -> f64 {
    const TABLE: [f64; 30] = [
        12.706204736174704,
        4.302652729749464,
        3.182446305284263,
        2.7764451051977934,
        2.5705818356363155,
        2.4469118511449692,
        2.3646242515927844,
        2.3060041352041662,
        2.2621571628540993,
        2.2281388519649385,
        2.200985160082949,
        2.1788128296634177,
        2.1603686564610127,
        2.1447866879169273,
        2.131449545559323,
        2.1199052992210112,
        2.1098155778331806,
        2.10092204024096,
        2.093024054408263,
        2.085963447265837,
        2.079613844727662,
        2.0738730679040147,
        2.0686576104190406,
        2.0638985616280205,
        2.059538552753294,
        2.055529438642871,
        2.0518305164802833,
        2.048407141795244,
        2.0452296421327034,
        2.0422724563012373,
    ];
    match df {
        0 => f64::INFINITY,
        1..=30 => TABLE[df as usize - 1],
        _ => {
            let z = 1.959963984540054_f64;
            let v = df as f64;
            let z2 = z * z;
            let g1 = (z2 + 1.0) * z / 4.0;
            let g2 = ((5.0 * z2 + 16.0) * z2 + 3.0) * z / 96.0;
            let g3 = (((3.0 * z2 + 19.0) * z2 + 17.0) * z2 - 15.0) * z / 384.0;
            let g4 = ((((79.0 * z2 + 776.0) * z2 + 1482.0) * z2 - 1920.0) * z2 - 945.0) * z / 92160.0;
            z + g1 / v + g2 / (v * v) + g3 / (v * v * v) + g4 / (v * v * v * v)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_outside_one_to_a_thousand_are_refused_with_the_limit() {
        assert!(check_count(0).unwrap_err().contains("at least 1"));
        assert!(check_count(1_001).unwrap_err().contains("at most 1000"));
        assert_eq!(check_count(1_000), Ok(1_000));
    }

    #[test]
    fn seeds_follow_the_first_and_wrap() {
        assert_eq!(seeds(7, 3), vec![7, 8, 9]);
        assert_eq!(seeds(u64::MAX, 2), vec![u64::MAX, 0]);
        assert_eq!(seed_words(&seeds(7, 10)), "7 to 16");
    }

    #[test]
    fn the_interval_of_a_known_sample() {
        // 1..=5: mean 3, s = sqrt(2.5), t(4) = 2.776: half width 1.963.
        let (m, h) = mean_ci95(&[1.0, 2.0, 3.0, 4.0, 5.0]);
        assert_eq!(m, 3.0);
        assert!((h.unwrap() - 2.7764451051977934 * (2.5f64 / 5.0).sqrt()).abs() < 1e-12);
        assert_eq!(mean_ci95(&[4.0]), (4.0, None));
        assert_eq!(mean_ci95(&[2.0, 2.0, 2.0]).1, Some(0.0));
    }

    #[test]
    fn a_run_without_requests_has_no_rate_and_says_so() {
        let s = Sample { seed: 1, ..Sample::default() };
        let sum = summarise(&[s.clone(), s], 0.0);
        assert_eq!(sum.rows[0].n, 0);
        assert_eq!(sum.rows[0].mean_text(), "—");
        assert_eq!(sum.rows[3].mean_text(), "0.0");
        assert_eq!(sum.rows[3].ci_text(), "± 0.0");
    }
}
