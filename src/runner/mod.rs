//! The `crosstalk` command-line runner: run a scenario natively, make its
//! share link, check it, benchmark the engine.
//!
//! Errors are values: every failure becomes one line on stderr and exit
//! code 2 (bad input) — the binary never panics on what a user typed.

pub mod args;
pub mod bench;
pub mod input;
pub mod lesson;
pub mod replicate;
pub mod table;

use crate::engine::budget::Budget;
use crate::engine::format::defaults::caps;
use crate::engine::format::{validate, Severity};
use crate::engine::{codec, Sim, SimOptions};
use args::{Command, RunArgs};

/// The default base of share links: the app as `scripts/serve.sh` serves it.
pub const DEFAULT_BASE: &str = "http://127.0.0.1:8080/";

pub const USAGE: &str = "\
crosstalk: run Crosstalk scenarios natively

usage:
  crosstalk run FILE|-|LINK [--seed N] [--duration-ms N] [--max-events N] [--json]
                           [--replications N [--jobs J] [--warmup-ms W]]
  crosstalk export FILE|-|LINK --format FORMAT [--seed N] [--duration-ms N] [--max-events N]
  crosstalk link FILE [--base URL]
  crosstalk check FILE
  crosstalk lesson [NAME|FILE]
  crosstalk bench [--customers N] [--no-simpy]

FILE is a scenario JSON file (format: docs/FORMAT.md), `-` reads standard
input, LINK is a share link (or its #s1. fragment) made by the app or by
`crosstalk link`. A run may process at most 1,000,000,000 events (estimated
before it starts, counted while it runs); --max-events changes that budget.
--replications N runs seeds SEED to SEED+N-1 (N from 1 to 1000) on J threads
(default: every core) and prints mean and 95% confidence interval of the
client success rate, latency p50/p99, lost messages and duplicates; what
ends within the first W ms is left out. The table is the same for any J.
`lesson` alone lists the lessons; with a NAME (or a lesson FILE being
written) it runs the lesson and prints each check.
`export` prints one of the app's exports: csv (the node table), series-csv
(per-second figures), json (the run report, as run --json), rabbitmq
(definitions), resilience4j (YAML) or kafka (topic settings).
Exit status: 0 on success, 1 when a lesson's check fails, 2 on bad input.";

/// What the process prints and how it exits.
pub struct Outcome {
    pub stdout: String,
    pub stderr: String,
    pub code: i32,
}

impl Outcome {
    fn ok(stdout: String) -> Outcome {
        Outcome { stdout, stderr: String::new(), code: 0 }
    }

    fn bad(message: impl std::fmt::Display) -> Outcome {
        let line = message.to_string().replace('\n', " ");
        Outcome { stdout: String::new(), stderr: format!("crosstalk: {line}\n"), code: 2 }
    }
}

/// Runs the command line `args` (without the program name).
pub fn main_with(args: &[String], stdin: &mut dyn std::io::Read) -> Outcome {
    match args::parse(args) {
        Err(e) => Outcome::bad(e),
        Ok(Command::Help) => Outcome::ok(format!("{USAGE}\n")),
        Ok(Command::Version) => Outcome::ok(format!(
            "crosstalk {} (engine version {})\n",
            env!("CARGO_PKG_VERSION"),
            crate::engine::ENGINE_VERSION
        )),
        Ok(Command::Run(r)) => run(&r, stdin),
        Ok(Command::Export(e)) => export(&e, stdin),
        Ok(Command::Link { file, base }) => link(&file, &base, stdin),
        Ok(Command::Check { file }) => check(&file, stdin),
        Ok(Command::Lesson { name }) => match lesson::run(name.as_deref()) {
            Ok((text, passed)) => Outcome { stdout: text, stderr: String::new(), code: if passed { 0 } else { 1 } },
            Err(e) => Outcome::bad(e),
        },
        Ok(Command::Bench(b)) => match bench::run(&b) {
            Ok(text) => Outcome::ok(text),
            Err(e) => Outcome::bad(e),
        },
    }
}

fn run(r: &RunArgs, stdin: &mut dyn std::io::Read) -> Outcome {
    let mut scenario = match input::read_scenario(&r.input, stdin) {
        Ok(s) => s,
        Err(e) => return Outcome::bad(e),
    };
    if let Some(seed) = r.seed {
        scenario.seed = seed;
    }
    if let Some(d) = r.duration_ms {
        scenario.duration_ms = d;
    }
    let budget = Budget { events: r.max_events.unwrap_or(caps::EVENTS), ..Budget::default() };
    if let Some(n) = r.replications {
        let jobs = r.jobs.unwrap_or_else(replicate::default_jobs);
        return match replicate::replicate(&scenario, n, r.warmup_ms.unwrap_or(0.0), budget, jobs) {
            Ok(summary) if r.json => {
                Outcome::ok(format!("{}\n", serde_json::to_string_pretty(&summary).unwrap_or_default()))
            }
            Ok(summary) => Outcome::ok(crate::engine::replications::render(&summary)),
            Err(e) => Outcome::bad(e),
        };
    }
    let mut sim = match Sim::with_budget(&scenario, SimOptions::default(), budget) {
        Ok(sim) => sim,
        Err(e) => {
            let over = crate::engine::format::load::check(&scenario).is_ok();
            let hint = if over { " (or raise the budget with --max-events N)" } else { "" };
            return Outcome::bad(format!("{e}{hint}"));
        }
    };
    sim.run_to_end();
    let report = sim.report();
    let mut out = if r.json {
        let mut s = serde_json::to_string_pretty(&report).unwrap_or_default();
        s.push('\n');
        s
    } else {
        table::render(&scenario, &report)
    };
    if r.json {
        out = out.replace("\r", "");
    }
    let mut o = Outcome::ok(out);
    if let Some(why) = &report.stopped {
        o.stderr = format!("crosstalk: warning: {why}\n");
    }
    o
}

/// Prints one export; the figures come from a run to the end.
fn export(e: &args::ExportArgs, stdin: &mut dyn std::io::Read) -> Outcome {
    use crate::engine::export;
    let mut scenario = match input::read_scenario(&e.run.input, stdin) {
        Ok(s) => s,
        Err(err) => return Outcome::bad(err),
    };
    if let Some(seed) = e.run.seed {
        scenario.seed = seed;
    }
    if let Some(d) = e.run.duration_ms {
        scenario.duration_ms = d;
    }
    if let Err(err) = crate::engine::format::load::check(&scenario) {
        return Outcome::bad(err);
    }
    if !e.format.needs_run() {
        return Outcome::ok(export::text(e.format, &scenario, &Default::default(), &[]));
    }
    // Series are kept aside from the run (same hash either way).
    let options = SimOptions { series: e.format == export::Format::SeriesCsv, ..SimOptions::default() };
    let budget = Budget { events: e.run.max_events.unwrap_or(caps::EVENTS), ..Budget::default() };
    let mut sim = match Sim::with_budget(&scenario, options, budget) {
        Ok(sim) => sim,
        Err(err) => return Outcome::bad(err),
    };
    sim.run_to_end();
    let series: Vec<_> = (0..scenario.nodes.len()).map(|i| sim.series(i).to_vec()).collect();
    Outcome::ok(export::text(e.format, &scenario, &sim.report(), &series))
}

fn link(file: &str, base: &str, stdin: &mut dyn std::io::Read) -> Outcome {
    match input::read_scenario(file, stdin) {
        Ok(s) => match crate::engine::format::load::check(&s) {
            Ok(()) => Outcome::ok(format!("{}\n", codec::link(base, &s))),
            Err(e) => Outcome::bad(e),
        },
        Err(e) => Outcome::bad(e),
    }
}

fn check(file: &str, stdin: &mut dyn std::io::Read) -> Outcome {
    let s = match input::read_scenario(file, stdin) {
        Ok(s) => s,
        Err(e) => return Outcome::bad(e),
    };
    let problems = validate(&s);
    if let Some(first) = problems.iter().find(|p| p.severity == Severity::Error) {
        let more = problems.iter().filter(|p| p.severity == Severity::Error).count() - 1;
        let tail = if more > 0 { format!(" (and {more} more)") } else { String::new() };
        return Outcome::bad(format!("{first}{tail}"));
    }
    let mut out = format!(
        "ok: {} nodes, {} links, {} faults, {} ms, seed {}\n",
        s.nodes.len(),
        s.links.len(),
        s.faults.len(),
        s.duration_ms,
        s.seed
    );
    for w in problems.iter().filter(|p| p.severity == Severity::Warning) {
        out.push_str(&format!("warning: {w}\n"));
    }
    // Design warnings: the run is possible, maybe not what was meant.
    for w in crate::engine::lint::lint(&s) {
        out.push_str(&format!("warning: {}\n", w.message));
    }
    Outcome::ok(out)
}
