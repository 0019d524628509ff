//! Command-line arguments, parsed by hand: four subcommands and a few flags
//! do not need a framework, and every error stays one clear line.

#[derive(Clone, Debug, PartialEq)]
pub struct RunArgs {
    pub input: String,
    pub seed: Option<u64>,
    pub duration_ms: Option<f64>,
    pub json: bool,
    /// The run's event budget (default: `caps::EVENTS`).
    pub max_events: Option<u64>,
    /// `--replications N`: run N seeds and print mean and 95% intervals.
    pub replications: Option<u32>,
    /// `--jobs J`: threads for the replications (default: the cores).
    pub jobs: Option<usize>,
    /// `--warmup-ms W`: what ends before W ms is left out of replications.
    pub warmup_ms: Option<f64>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct ExportArgs {
    /// The scenario, and the seed and duration of the run figures come from.
    pub run: RunArgs,
    pub format: crate::engine::export::Format,
}

#[derive(Clone, Debug, PartialEq)]
pub struct BenchArgs {
    pub customers: u64,
    pub simpy: bool,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Command {
    Run(RunArgs),
    Link {
        file: String,
        base: String,
    },
    Check {
        file: String,
    },
    /// `crosstalk lesson [NAME|FILE]`: list the lessons, or run one.
    Lesson {
        name: Option<String>,
    },
    Bench(BenchArgs),
    /// `crosstalk export FILE --format F`: one of the app's text exports.
    Export(ExportArgs),
    Help,
    Version,
}

pub fn parse(args: &[String]) -> Result<Command, String> {
    let Some((cmd, rest)) = args.split_first() else {
        return Ok(Command::Help);
    };
    let mut positional = Vec::new();
    let mut flags: Vec<(String, Option<String>)> = Vec::new();
    let mut it = rest.iter();
    while let Some(a) = it.next() {
        if a == "-" || !a.starts_with('-') {
            positional.push(a.clone());
            continue;
        }
        let (name, inline) = match a.split_once('=') {
            Some((n, v)) => (n.to_string(), Some(v.to_string())),
            None => (a.clone(), None),
        };
        let takes_value = matches!(
            name.as_str(),
            "--seed"
                | "--duration-ms"
                | "--base"
                | "--customers"
                | "--max-events"
                | "--format"
                | "--replications"
                | "--jobs"
                | "--warmup-ms"
        );
        let value = if takes_value {
            match inline {
                Some(v) => Some(v),
                None => Some(it.next().cloned().ok_or_else(|| format!("{name} needs a value"))?),
            }
        } else {
            inline
        };
        flags.push((name, value));
    }
    let flag = |name: &str| flags.iter().find(|(n, _)| n == name).and_then(|(_, v)| v.clone());
    let has = |name: &str| flags.iter().any(|(n, _)| n == name);
    let allow = |ok: &[&str]| -> Result<(), String> {
        match flags.iter().find(|(n, _)| !ok.contains(&n.as_str())) {
            Some((n, _)) => Err(format!("unknown option {n} for `{cmd}` (see crosstalk --help)")),
            None => Ok(()),
        }
    };
    let one_file = |what: &str| -> Result<String, String> {
        match positional.as_slice() {
            [f] => Ok(f.clone()),
            [] => Err(format!("`{cmd}` needs {what}")),
            _ => Err(format!("`{cmd}` takes one {what}, got {}", positional.len())),
        }
    };
    // A scenario run's arguments, shared by `run` and `export`.
    let run_args = || -> Result<RunArgs, String> {
        let seed = flag("--seed")
            .map(|v| v.parse::<u64>().map_err(|_| format!("--seed wants a whole number from 0 to 2^64-1, got `{v}`")))
            .transpose()?;
        let duration_ms = flag("--duration-ms")
            .map(|v| match v.parse::<f64>() {
                Ok(d) if d.is_finite() && d > 0.0 => Ok(d),
                _ => Err(format!("--duration-ms wants a positive number of milliseconds, got `{v}`")),
            })
            .transpose()?;
        let max_events = flag("--max-events")
            .map(|v| match v.parse::<u64>() {
                Ok(n) if n > 0 => Ok(n),
                _ => Err(format!("--max-events wants a whole number of events above 0, got `{v}`")),
            })
            .transpose()?;
        let replications = flag("--replications")
            .map(|v| match v.parse::<u64>() {
                Ok(n) => crate::engine::replications::check_count(n).map_err(|e| format!("--{e}")),
                _ => Err(format!("--replications wants a whole number from 1 to 1000, got `{v}`")),
            })
            .transpose()?;
        let jobs = flag("--jobs")
            .map(|v| match v.parse::<usize>() {
                Ok(n) if (1..=1024).contains(&n) => Ok(n),
                _ => Err(format!("--jobs wants a whole number of threads from 1 to 1024, got `{v}`")),
            })
            .transpose()?;
        let warmup_ms = flag("--warmup-ms")
            .map(|v| match v.parse::<f64>() {
                Ok(d) if d.is_finite() && d >= 0.0 => Ok(d),
                _ => Err(format!("--warmup-ms wants 0 or more milliseconds, got `{v}`")),
            })
            .transpose()?;
        if replications.is_none() {
            if let Some(f) = ["--jobs", "--warmup-ms"].into_iter().find(|f| has(f)) {
                return Err(format!("{f} goes with --replications N"));
            }
        }
        Ok(RunArgs {
            input: one_file("a FILE, `-` or a LINK")?,
            seed,
            duration_ms,
            json: has("--json"),
            max_events,
            replications,
            jobs,
            warmup_ms,
        })
    };
    match cmd.as_str() {
        "-h" | "--help" | "help" => Ok(Command::Help),
        "-V" | "--version" | "version" => Ok(Command::Version),
        "run" => {
            allow(&["--seed", "--duration-ms", "--json", "--max-events", "--replications", "--jobs", "--warmup-ms"])?;
            Ok(Command::Run(run_args()?))
        }
        "export" => {
            allow(&["--seed", "--duration-ms", "--format", "--max-events"])?;
            let names = || crate::engine::export::Format::ALL.map(|f| f.name()).join("|");
            let format = match flag("--format") {
                Some(v) => crate::engine::export::Format::parse(&v)
                    .ok_or_else(|| format!("--format wants one of {}, got `{v}`", names()))?,
                None => return Err(format!("`export` needs --format {}", names())),
            };
            Ok(Command::Export(ExportArgs { run: run_args()?, format }))
        }
        "link" => {
            allow(&["--base"])?;
            let base = flag("--base").unwrap_or_else(|| super::DEFAULT_BASE.to_string());
            Ok(Command::Link { file: one_file("a FILE")?, base })
        }
        "check" => {
            allow(&[])?;
            Ok(Command::Check { file: one_file("a FILE")? })
        }
        "lesson" | "lessons" => {
            allow(&[])?;
            match positional.as_slice() {
                [] => Ok(Command::Lesson { name: None }),
                [n] => Ok(Command::Lesson { name: Some(n.clone()) }),
                _ => Err(format!("`{cmd}` takes one lesson NAME or FILE, got {}", positional.len())),
            }
        }
        "bench" => {
            allow(&["--customers", "--no-simpy"])?;
            let customers = flag("--customers")
                .map(|v| match v.parse::<u64>() {
                    Ok(n) if (1..=100_000_000).contains(&n) => Ok(n),
                    _ => Err(format!("--customers wants a whole number from 1 to 100000000, got `{v}`")),
                })
                .transpose()?
                .unwrap_or(1_000_000);
            Ok(Command::Bench(BenchArgs { customers, simpy: !has("--no-simpy") }))
        }
        other => Err(format!(
            "unknown command `{other}` (expected run, export, link, check, lesson or bench; see crosstalk --help)"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> Result<Command, String> {
        parse(&s.split_whitespace().map(String::from).collect::<Vec<_>>())
    }

    #[test]
    fn run_takes_its_flags_in_any_order() {
        let c = p("run --json x.json --seed 9 --duration-ms=500").unwrap();
        assert_eq!(
            c,
            Command::Run(RunArgs {
                input: "x.json".into(),
                seed: Some(9),
                duration_ms: Some(500.0),
                json: true,
                max_events: None,
                replications: None,
                jobs: None,
                warmup_ms: None,
            })
        );
    }

    #[test]
    fn bad_flags_say_what_is_wrong() {
        assert!(p("run x --seed nine").unwrap_err().contains("--seed"));
        assert!(p("run x --frobnicate").unwrap_err().contains("unknown option"));
        assert!(p("run").unwrap_err().contains("needs"));
        assert!(p("fly").unwrap_err().contains("unknown command"));
        assert!(p("run x --duration-ms -5").unwrap_err().contains("positive"));
        assert!(p("export x").unwrap_err().contains("--format"));
        assert!(p("export x --format pdf").unwrap_err().contains("rabbitmq"));
        assert!(p("export x --format csv --json").unwrap_err().contains("unknown option"));
        assert!(p("run x --max-events 0").unwrap_err().contains("--max-events"));
        assert!(p("run x --replications 0").unwrap_err().contains("at least 1"));
        assert!(p("run x --replications 1001").unwrap_err().contains("at most 1000"));
        assert!(p("run x --replications ten").unwrap_err().contains("--replications"));
        assert!(p("run x --jobs 2").unwrap_err().contains("goes with --replications"));
        assert!(p("run x --replications 3 --warmup-ms -1").unwrap_err().contains("--warmup-ms"));
    }
}
