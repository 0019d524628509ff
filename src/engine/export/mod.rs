//! Exports: the run's figures and the diagram's settings as files other
//! tools read.
//!
//! Every generator is a pure function of the scenario (and, for figures,
//! the run's report and per-second series), so the command line
//! (`crosstalk export`) and the app's Export dialog write the same bytes.
//! An empty scenario gives a valid empty file of each kind (a CSV with its
//! header, definitions with empty lists).
//!
//! - `csv`: the node table and the per-second series (RFC 4180 quoting).
//! - `rabbitmq`: a RabbitMQ definitions file (queues, exchanges, bindings,
//!   dead-letter policies), importable by the management API.
//! - `resilience4j`: YAML for every link's retry, circuit breaker and timeout.
//! - `kafka`: topic settings for log topics (partitions, `retention.ms`).

pub mod csv;
pub mod kafka;
pub mod rabbitmq;
pub mod resilience4j;

use crate::engine::format::Scenario;
use crate::engine::report::{Bucket, Report};

/// The text exports, by the names `crosstalk export --format` takes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// The node table as CSV.
    Csv,
    /// The per-second series as CSV.
    SeriesCsv,
    /// The run report, as `crosstalk run --json` prints it.
    Json,
    Rabbitmq,
    Resilience4j,
    Kafka,
}

impl Format {
    pub const ALL: [Format; 6] =
        [Format::Csv, Format::SeriesCsv, Format::Json, Format::Rabbitmq, Format::Resilience4j, Format::Kafka];

    pub fn name(self) -> &'static str {
        match self {
            Format::Csv => "csv",
            Format::SeriesCsv => "series-csv",
            Format::Json => "json",
            Format::Rabbitmq => "rabbitmq",
            Format::Resilience4j => "resilience4j",
            Format::Kafka => "kafka",
        }
    }

    pub fn parse(name: &str) -> Option<Format> {
        Format::ALL.into_iter().find(|f| f.name() == name)
    }

    /// Whether the export needs a run (figures) or only the scenario.
    pub fn needs_run(self) -> bool {
        matches!(self, Format::Csv | Format::SeriesCsv | Format::Json)
    }

    /// The file name suffix, after the scenario's slug.
    pub fn file_suffix(self) -> &'static str {
        match self {
            Format::Csv => "-nodes.csv",
            Format::SeriesCsv => "-series.csv",
            Format::Json => "-report.json",
            Format::Rabbitmq => "-rabbitmq-definitions.json",
            Format::Resilience4j => "-resilience4j.yaml",
            Format::Kafka => "-kafka-topics.json",
        }
    }

    /// The MIME type of the file.
    pub fn mime(self) -> &'static str {
        match self {
            Format::Csv | Format::SeriesCsv => "text/csv",
            Format::Resilience4j => "application/yaml",
            _ => "application/json",
        }
    }
}

/// The text of `format` for `scenario` and (for figures) its run so far.
/// `series` holds each node's per-second buckets, in the order of
/// `scenario.nodes`.
pub fn text(format: Format, scenario: &Scenario, report: &Report, series: &[Vec<Bucket>]) -> String {
    match format {
        Format::Csv => csv::nodes(scenario, report),
        Format::SeriesCsv => csv::series(scenario, series),
        Format::Json => report_json(report),
        Format::Rabbitmq => rabbitmq::definitions(scenario),
        Format::Resilience4j => resilience4j::yaml(scenario),
        Format::Kafka => kafka::topics(scenario),
    }
}

/// The run report, pretty-printed as `crosstalk run --json` prints it.
pub fn report_json(report: &Report) -> String {
    let mut s = crate::engine::format::json::to_string_pretty(report).unwrap_or_else(|_| "{}".into());
    s.push('\n');
    s
}

/// A file name for an export of `scenario`: its name in lowercase words
/// (or `scenario`), then the format's suffix.
pub fn file_name(scenario: &Scenario, suffix: &str) -> String {
    let slug: String =
        scenario.name.chars().map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '-' }).collect();
    let slug = slug.split('-').filter(|w| !w.is_empty()).collect::<Vec<_>>().join("-");
    let slug = if slug.is_empty() { "scenario".to_string() } else { slug };
    format!("{slug}{suffix}")
}
