//! Hostile input, in the repo (issue 12): a fuzz target over the share-link
//! decoder, the scenario loader and a short simulation.
//!
//! Each input is a number; the same number is the same input everywhere.
//! It becomes one of
//! - a hostile scenario from a structured generator (`fuzz/hostile.rs`),
//!   loaded, validated and run for a few thousand events with live faults,
//!   reads of every view, and the accounting audit;
//! - that scenario's share link, damaged (`fuzz/mutate.rs`), decoded;
//! - its JSON text, damaged, parsed;
//! - a targeted mistake (a field of the wrong type, a missing one) whose
//!   error must name exactly that place and field;
//! - random JSON.
//!
//! Nothing may panic, the books must balance, simulated time must never
//! run backwards or past the end, the same seed must give the same run,
//! and every refusal must say something. `cargo test` tries 10,000 inputs
//! (a few seconds); `scripts/fuzz.sh` tries a million and reports inputs
//! tried, panics and the slowest input. Environment:
//! `CROSSTALK_FUZZ_INPUTS` (how many), `CROSSTALK_FUZZ_FIRST` (the first
//! input's number), `CROSSTALK_FUZZ_THREADS`, `CROSSTALK_FUZZ_ONLY=N`
//! (replay one input and print it).

#[path = "fuzz/hostile.rs"]
mod hostile;
#[path = "fuzz/mutate.rs"]
mod mutate;

use crosstalk::engine::budget::{self, Budget};
use crosstalk::engine::format::{load, FaultKind, FaultSpec, LoadError, Scenario};
use crosstalk::engine::{codec, Sim, SimOptions};
use hostile::Dice;
use std::panic::{self, AssertUnwindSafe};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Inputs `cargo test` tries.
const DEFAULT_INPUTS: u64 = 10_000;
/// Events each scenario runs for: enough to reach faults, retries and
/// redeliveries, little enough for thousands of inputs a second.
const EVENTS_PER_RUN: u64 = 3_000;
/// Events of the few runs on a tight budget: past the memory guard's first
/// check (every 65,536 events).
const TIGHT_EVENTS_PER_RUN: u64 = 70_000;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Family {
    Scenario,
    Link,
    Text,
    Mistake,
    Junk,
}

/// What became of one input.
#[derive(Debug)]
enum Outcome {
    Ran,
    Stopped,
    Refused,
    Malformed,
}

/// A broken promise other than a panic.
type Finding = String;

fn family(n: u64) -> Family {
    match n % 10 {
        0..=3 => Family::Scenario,
        4 | 5 => Family::Link,
        6 | 7 => Family::Text,
        8 => Family::Mistake,
        _ => Family::Junk,
    }
}

/// Input `n`, as text a user could paste (for reproducing it).
fn input_text(n: u64) -> String {
    let mut d = Dice::new(n);
    let doc = hostile::scenario(&mut d);
    match family(n) {
        Family::Scenario => doc.to_string(),
        Family::Link => mutate::link(&mut d, &doc),
        Family::Text => mutate::text(&mut d, &doc),
        Family::Mistake => match mutate::mistake(&mut d, &doc) {
            Some(m) => format!("{} (expect `{}`: {})", m.doc, m.expect, m.what),
            None => doc.to_string(),
        },
        Family::Junk => mutate::random_value(&mut d, 0).to_string(),
    }
}

/// Runs input `n`; a finding if a promise broke.
fn one(n: u64) -> Result<Outcome, Finding> {
    let mut d = Dice::new(n);
    let doc = hostile::scenario(&mut d);
    match family(n) {
        Family::Scenario => loaded(load::from_value(doc), &mut d),
        Family::Link => {
            let text = mutate::link(&mut d, &doc);
            loaded(codec::decode(&text), &mut d)
        }
        Family::Text => {
            let text = mutate::text(&mut d, &doc);
            let r = load::parse(&text);
            if text.starts_with('\u{feff}') {
                if let Err(e) = &r {
                    if e.to_string().contains("line 1 column 1") {
                        return Err(format!("a byte-order mark broke the parse: {e}"));
                    }
                }
            }
            loaded(r, &mut d)
        }
        Family::Mistake => {
            // Only documents whose shape is fine: then the mistake is the
            // one thing wrong, and the message must name it.
            if load::from_value(doc.clone()).is_err() {
                return loaded(load::from_value(doc), &mut d);
            }
            let Some(m) = mutate::mistake(&mut d, &doc) else {
                return Ok(Outcome::Malformed);
            };
            match load::from_value(m.doc) {
                Ok(_) => Err(format!("{}: accepted", m.what)),
                Err(e) if e.to_string().starts_with(&m.expect) => Ok(Outcome::Malformed),
                Err(e) => Err(format!("{}: expected `{}`, got: {e}", m.what, m.expect)),
            }
        }
        Family::Junk => loaded(load::from_value(mutate::random_value(&mut d, 0)), &mut d),
    }
}

/// A parsed (not yet validated) scenario, or why not: validate, run.
fn loaded(r: Result<Scenario, LoadError>, d: &mut Dice) -> Result<Outcome, Finding> {
    let s = match r {
        Ok(s) => s,
        Err(e) => return said(&e).map(|_| Outcome::Malformed),
    };
    // What the app does with any document it opens, valid or not.
    let _ = crosstalk::editor::geometry::link_paths(&s);
    let problems = crosstalk::engine::format::validate(&s);
    if problems.iter().any(|p| p.message.is_empty()) {
        return Err("a problem without a message".into());
    }
    let options = if d.chance(30) { SimOptions::interactive() } else { SimOptions::default() };
    // Now and then a longer run on a tight budget, so that the guards trip
    // (and say something) too.
    let tight = d.chance(3);
    let budget = if tight {
        let events = budget::estimate(&s).events * 1.5 + 20_000.0;
        Budget { events: events.min(1e12) as u64, memory_bytes: 2 << 20 }
    } else {
        Budget::default()
    };
    let mut sim = match Sim::with_budget(&s, options, budget) {
        Ok(sim) => sim,
        Err(e) => return said(&e).map(|_| Outcome::Refused),
    };
    let events = if tight { TIGHT_EVENTS_PER_RUN } else { EVENTS_PER_RUN };
    let injected = short_run(&s, &mut sim, d, events)?;
    if let Some(why) = sim.stopped() {
        if !why.contains('`') && !why.contains("waiting events") && !why.contains("ids") {
            return Err(format!("a stop that names nothing: {why}"));
        }
    }
    if d.chance(3) && !injected {
        // Same scenario, same seed: the same run, bit for bit.
        let mut again = Sim::with_budget(&s, options, budget).map_err(|e| format!("built once, refused again: {e}"))?;
        let target = sim.events();
        while again.events() < target && !again.is_finished() {
            again.step(target - again.events());
        }
        if again.run_hash() != sim.run_hash() {
            return Err(format!("same seed, different run: {} vs {}", again.run_hash_hex(), sim.run_hash_hex()));
        }
    }
    Ok(if sim.stopped().is_some() { Outcome::Stopped } else { Outcome::Ran })
}

fn said(e: &LoadError) -> Result<(), Finding> {
    if e.to_string().trim().is_empty() {
        return Err(format!("refused without a word: {e:?}"));
    }
    Ok(())
}

/// Runs a few slices of at most `events` events, poking the run the way
/// the app does between frames. Returns whether it made live faults
/// (which change the run on purpose).
fn short_run(s: &Scenario, sim: &mut Sim, d: &mut Dice, events: u64) -> Result<bool, Finding> {
    let mut injected = false;
    let ids: Vec<String> = s.nodes.iter().map(|n| n.id.clone()).chain(s.links.iter().map(|l| l.id.clone())).collect();
    let end = sim.end_us();
    let mut left = events;
    let mut last = sim.now_us();
    let mut tokens = Vec::new();
    let mut departures = Vec::new();
    for slice in 0..4 {
        let to = match d.below(3) {
            0 => end,
            1 => sim.now_us().saturating_add(d.below(end / 4 + 2)),
            _ => sim.now_us().saturating_add(1),
        };
        left -= sim.advance_to(to, left / (4 - slice)).min(left);
        let now = sim.now_us();
        if now < last || now > end {
            return Err(format!("time went from {last} to {now} us (end {end})"));
        }
        last = now;
        sim.audit().map_err(|e| format!("books out of balance: {e}"))?;
        if d.chance(25) && !ids.is_empty() {
            injected = true;
            let _ = sim.inject(live_fault(d, &ids));
        }
        if d.chance(10) && !ids.is_empty() {
            injected = true;
            let id = d.pick(&ids).clone();
            sim.clear_faults(&id);
        }
        let _ = sim.node_live();
        let _ = sim.link_live();
        sim.tokens(&mut tokens);
        if tokens.iter().any(|t| !(0.0..=1.0).contains(&t.progress)) {
            return Err("a token off its link".into());
        }
        sim.take_departures(&mut departures);
        for id in sim.recent_traces().into_iter().rev().take(2) {
            if sim.trace(id).is_none() {
                return Err(format!("trace {id} listed but not kept"));
            }
        }
        if sim.is_finished() {
            break;
        }
    }
    let r = sim.report();
    if r.messages.sent != r.messages.accounted() {
        return Err(format!("sent {} but accounted {}", r.messages.sent, r.messages.accounted()));
    }
    // Injected faults are not replayed: the replay would run a different
    // (possibly far longer) run.
    if d.chance(5) && !injected {
        if let Some(id) = sim.recent_traces().last() {
            let _ = Sim::replay_trace(s, *id, sim.now_us());
        }
    }
    Ok(injected)
}

/// A fault as the app's buttons could make it, or worse.
fn live_fault(d: &mut Dice, ids: &[String]) -> FaultSpec {
    let target = if d.chance(5) { "ghost".to_string() } else { d.pick(ids).clone() };
    FaultSpec {
        target,
        kind: *d.pick(&FaultKind::ALL),
        at_ms: 0.0,
        for_ms: d.chance(60).then(|| *d.pick(&[f64::NAN, 1e300, 0.0, -5.0, 250.0, 86_400_000.0])),
        factor: Some(*d.pick(&[1000.0, f64::INFINITY, 0.0, 2.0, f64::NAN])),
        rate: Some(*d.pick(&[0.5, 1.0, 2.0, f64::NAN])),
    }
}

/// The totals of a campaign.
#[derive(Default)]
struct Totals {
    tried: u64,
    ran: u64,
    stopped: u64,
    refused: u64,
    malformed: u64,
    panics: Vec<(u64, String)>,
    findings: Vec<(u64, String)>,
    /// The slowest inputs as timed during the campaign (on a busy machine
    /// a pause can land on any input: they are timed again alone).
    slowest: Vec<(Duration, u64)>,
}

/// Inputs kept as candidates for the slowest.
const SLOW_CANDIDATES: usize = 8;

fn keep_slowest(list: &mut Vec<(Duration, u64)>, took: Duration, n: u64) {
    if list.len() < SLOW_CANDIDATES || took > list[list.len() - 1].0 {
        list.push((took, n));
        list.sort_by_key(|x| std::cmp::Reverse(x.0));
        list.truncate(SLOW_CANDIDATES);
    }
}

/// The message and place of the last panic on this thread.
static PANIC: Mutex<Option<String>> = Mutex::new(None);

fn campaign(first: u64, count: u64, threads: u64) -> Totals {
    let totals = Mutex::new(Totals::default());
    let hook = panic::take_hook();
    panic::set_hook(Box::new(|info| {
        let msg = info
            .payload()
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| info.payload().downcast_ref::<String>().cloned());
        let at = info.location().map(|l| format!(" at {}:{}", l.file(), l.line())).unwrap_or_default();
        *PANIC.lock().unwrap_or_else(|e| e.into_inner()) = Some(format!("{}{at}", msg.unwrap_or_default()));
    }));
    std::thread::scope(|scope| {
        for t in 0..threads {
            let totals = &totals;
            scope.spawn(move || {
                let mut local = Totals::default();
                let mut n = first + t;
                while n < first + count {
                    let started = Instant::now();
                    let result = panic::catch_unwind(AssertUnwindSafe(|| one(n)));
                    let took = started.elapsed();
                    keep_slowest(&mut local.slowest, took, n);
                    local.tried += 1;
                    match result {
                        Ok(Ok(Outcome::Ran)) => local.ran += 1,
                        Ok(Ok(Outcome::Stopped)) => local.stopped += 1,
                        Ok(Ok(Outcome::Refused)) => local.refused += 1,
                        Ok(Ok(Outcome::Malformed)) => local.malformed += 1,
                        Ok(Err(finding)) => local.findings.push((n, finding)),
                        Err(_) => {
                            let why = PANIC.lock().unwrap_or_else(|e| e.into_inner()).take().unwrap_or_default();
                            local.panics.push((n, why));
                        }
                    }
                    n += threads;
                }
                let mut all = totals.lock().unwrap_or_else(|e| e.into_inner());
                all.tried += local.tried;
                all.ran += local.ran;
                all.stopped += local.stopped;
                all.refused += local.refused;
                all.malformed += local.malformed;
                all.panics.extend(local.panics);
                all.findings.extend(local.findings);
                for (took, n) in local.slowest {
                    keep_slowest(&mut all.slowest, took, n);
                }
            });
        }
    });
    panic::set_hook(hook);
    totals.into_inner().unwrap_or_else(|e| e.into_inner())
}

fn env(name: &str) -> Option<u64> {
    std::env::var(name).ok().and_then(|v| v.replace('_', "").parse().ok())
}

#[test]
fn hostile_input_never_panics_hangs_or_loses_a_message() {
    if let Some(n) = env("CROSSTALK_FUZZ_ONLY") {
        let text = input_text(n);
        println!("input {n} ({:?}), {} bytes:\n{}", family(n), text.len(), &text[..text.len().min(20_000)]);
        println!("result: {:?}", one(n));
        return;
    }
    let count = env("CROSSTALK_FUZZ_INPUTS").unwrap_or(DEFAULT_INPUTS);
    let first = env("CROSSTALK_FUZZ_FIRST").unwrap_or(0);
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get() as u64);
    let threads = env("CROSSTALK_FUZZ_THREADS").unwrap_or(cores.min(4)).max(1);
    let started = Instant::now();
    let t = campaign(first, count, threads);
    // The candidates timed again, alone, best of three: the slowest of them.
    let (slow, slow_n) = t
        .slowest
        .iter()
        .map(|(_, n)| {
            let best = (0..3)
                .map(|_| {
                    let started = Instant::now();
                    let _ = panic::catch_unwind(AssertUnwindSafe(|| one(*n)));
                    started.elapsed()
                })
                .min()
                .unwrap_or_default();
            (best, *n)
        })
        .max()
        .unwrap_or_default();
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("fuzz");
    let _ = std::fs::create_dir_all(&dir);
    let slowest_file = dir.join("slowest.txt");
    let _ = std::fs::write(&slowest_file, input_text(slow_n));
    println!(
        "fuzz: {} inputs tried ({first}..{}) in {:.1} s: {} ran, {} stopped by a guard, {} refused before running, {} malformed",
        t.tried,
        first + count,
        started.elapsed().as_secs_f64(),
        t.ran,
        t.stopped,
        t.refused,
        t.malformed
    );
    println!("fuzz: panics: {}", t.panics.len());
    println!("fuzz: findings: {}", t.findings.len());
    println!(
        "fuzz: slowest input: #{slow_n} ({:?}) in {:.1} ms (best of 3, alone), saved to {} (replay: CROSSTALK_FUZZ_ONLY={slow_n})",
        family(slow_n),
        slow.as_secs_f64() * 1000.0,
        slowest_file.display()
    );
    let mut broken: Vec<String> = Vec::new();
    for (n, why) in t.panics.iter().take(20) {
        let file = dir.join(format!("panic-{n}.txt"));
        let _ = std::fs::write(&file, input_text(*n));
        broken.push(format!("input {n} ({:?}) panicked: {why} (saved to {})", family(*n), file.display()));
    }
    for (n, why) in t.findings.iter().take(20) {
        let file = dir.join(format!("finding-{n}.txt"));
        let _ = std::fs::write(&file, input_text(*n));
        broken.push(format!("input {n} ({:?}): {why} (saved to {})", family(*n), file.display()));
    }
    assert!(t.tried >= count, "tried {} of {count}", t.tried);
    assert!(broken.is_empty(), "{} panics, {} findings:\n{}", t.panics.len(), t.findings.len(), broken.join("\n"));
    // The inputs must reach the engine, not die in the parser.
    assert!(t.ran + t.stopped >= t.tried / 5, "only {} of {} inputs ran", t.ran + t.stopped, t.tried);
}
