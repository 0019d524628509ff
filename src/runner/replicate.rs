//! `crosstalk run FILE --replications N [--jobs J] [--warmup-ms W]`: the
//! runs spread over threads, the table from `engine::replications`.
//!
//! Each thread takes the next seed's index until none is left and puts its
//! sample in that index's slot, so the table depends on the seeds only,
//! never on how many threads ran them or which finished first.

use crate::engine::budget::Budget;
use crate::engine::format::Scenario;
use crate::engine::replications::{self, Sample, Summary};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

/// Threads when `--jobs` is not given: the machine's cores.
pub fn default_jobs() -> usize {
    std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1)
}

/// Runs every seed with at most `jobs` threads; samples in seed order.
/// The first failure (in seed order) is the answer if any run fails.
pub fn run_all(
    scenario: &Scenario,
    seeds: &[u64],
    warmup_ms: f64,
    budget: Budget,
    jobs: usize,
) -> Result<Vec<Sample>, String> {
    let slots: Vec<Mutex<Option<Result<Sample, String>>>> = seeds.iter().map(|_| Mutex::new(None)).collect();
    let next = AtomicUsize::new(0);
    std::thread::scope(|scope| {
        for _ in 0..jobs.clamp(1, seeds.len().max(1)) {
            scope.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(&seed) = seeds.get(i) else { break };
                let sample = replications::measure(scenario, seed, warmup_ms, budget);
                if let Ok(mut slot) = slots[i].lock() {
                    *slot = Some(sample);
                }
            });
        }
    });
    slots
        .into_iter()
        .zip(seeds)
        .map(|(slot, seed)| match slot.into_inner().ok().flatten() {
            Some(Ok(s)) => Ok(s),
            Some(Err(e)) => Err(format!("seed {seed}: {e}")),
            None => Err(format!("seed {seed}: the run's thread stopped without a result")),
        })
        .collect()
}

/// The whole command: checks, runs, summarises.
pub fn replicate(scenario: &Scenario, n: u32, warmup_ms: f64, budget: Budget, jobs: usize) -> Result<Summary, String> {
    replications::check_warmup(scenario, warmup_ms)?;
    // Every seed shares the scenario's problems: say them once, up front.
    crate::engine::format::load::check(scenario).map_err(|e| e.to_string())?;
    let seeds = replications::seeds(scenario.seed, n);
    let samples = run_all(scenario, &seeds, warmup_ms, budget, jobs)?;
    Ok(replications::summarise(&samples, warmup_ms))
}
