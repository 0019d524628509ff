//! Databases and stale reads (issue 9 point 5, MODEL.md "Databases and
//! stale reads"): a read that returns an older version of its key than the
//! newest committed anywhere is stale. The engine's counts are checked
//! against a brute-force reference recomputed from the traces of small
//! runs: every committed write (its version is its trace id) and every
//! read (which copy answered, and when).

mod common;

use common::{run, run_json, scenario};
use crosstalk::engine::format::{self, Place, Severity};
use crosstalk::engine::trace::{HopKind, Trace};
use crosstalk::engine::{Sim, SimOptions};
use proptest::prelude::*;
use std::collections::BTreeMap;

/// A committed write or an answered read, read back from a trace.
#[derive(Clone, Debug)]
struct Op {
    at_us: u64,
    db: String,
    key: String,
    /// The trace that made it: a write's version.
    trace: u64,
    /// Reads: the replica that answered (`db#2`), None for the primary
    /// (the trace says "primary", or nothing for a database without replicas).
    replica: Option<String>,
    /// Reads: the engine said stale.
    stale: bool,
    /// The node whose request chain started it (the session's client).
    client: String,
    /// Reads: when the read was sent.
    sent_us: u64,
    /// The node that made the query.
    from: String,
}

fn us(ms: f64) -> u64 {
    (ms * 1000.0).round() as u64
}

/// Every database write and read in the run's traces (kept in full).
fn ops(sim: &Sim, links: &BTreeMap<String, (String, String)>) -> (Vec<Op>, Vec<Op>) {
    let (mut writes, mut reads) = (Vec::new(), Vec::new());
    for id in sim.recent_traces() {
        let t: Trace = sim.trace(id).expect("kept");
        let client = t.hops.first().map(|h| h.node.clone()).unwrap_or_default();
        let mut last_send: BTreeMap<String, u64> = BTreeMap::new();
        for h in &t.hops {
            if h.kind == HopKind::Send {
                if let Some(l) = &h.link {
                    last_send.insert(l.clone(), us(h.at_ms));
                }
            }
            if !matches!(h.kind, HopKind::Write | HopKind::Read) {
                continue;
            }
            let link = h.link.clone().expect("a query names its link");
            let parts: Vec<&str> = h.detail.split(", ").collect();
            let key = parts[0].to_string();
            let replica = parts.iter().find_map(|p| p.strip_prefix("replica ")).map(str::to_string);
            let op = Op {
                at_us: us(h.at_ms),
                db: h.node.clone(),
                key,
                trace: t.id,
                replica,
                stale: parts.contains(&"stale"),
                client: client.clone(),
                sent_us: last_send.get(&link).copied().unwrap_or(0),
                from: links[&link].0.clone(),
            };
            if h.kind == HopKind::Write {
                writes.push(op);
            } else {
                reads.push(op);
            }
        }
    }
    (writes, reads)
}

/// What a read returns by brute force: the newest version of its key
/// among the writes to its copy that it can see (the primary's at once, a
/// replica's `lag_us` after the commit).
fn returned(read: &Op, writes: &[Op], lag_us: u64) -> u64 {
    returned_with(read, writes, lag_us, None)
}

/// A replica's crash: which one (`db#2`), from when to when (us).
#[derive(Clone, Copy)]
struct Down<'a> {
    replica: &'a str,
    from_us: u64,
    to_us: u64,
}

/// As `returned`, with one replica down for a while: a commit it had not
/// applied when it went down, or made while it was down, reaches it a lag
/// after it came back (it replays the WAL from where it stopped).
fn returned_with(read: &Op, writes: &[Op], lag_us: u64, down: Option<Down>) -> u64 {
    let applies = |w: &Op| match down {
        Some(d) if read.replica.as_deref() == Some(d.replica) && w.at_us + lag_us > d.from_us && w.at_us < d.to_us => {
            d.to_us + lag_us
        }
        _ => w.at_us + lag_us,
    };
    writes
        .iter()
        .filter(|w| w.db == read.db && w.key == read.key)
        .filter(|w| if read.replica.is_some() { applies(w) <= read.at_us } else { w.at_us <= read.at_us })
        .map(|w| w.trace)
        .max()
        .unwrap_or(0)
}

/// The newest version of a key committed anywhere by then.
fn newest(read: &Op, writes: &[Op]) -> u64 {
    writes.iter().filter(|w| w.key == read.key && w.at_us <= read.at_us).map(|w| w.trace).max().unwrap_or(0)
}

fn link_ends(s: &format::Scenario) -> BTreeMap<String, (String, String)> {
    s.links.iter().map(|l| (l.id.clone(), (l.from.clone(), l.to.clone()))).collect()
}

/// Runs with every trace kept; returns the report and the brute-force
/// stale count per database and per reading node, after checking it
/// read by read against the engine's verdict.
fn reference(json: &str, lag_us: u64) -> (crosstalk::engine::report::Report, BTreeMap<String, u64>, Vec<Op>, Vec<Op>) {
    reference_with(json, lag_us, None)
}

fn reference_with(
    json: &str,
    lag_us: u64,
    down: Option<Down>,
) -> (crosstalk::engine::report::Report, BTreeMap<String, u64>, Vec<Op>, Vec<Op>) {
    let s = scenario(json);
    let mut sim = Sim::new(&s, SimOptions { keep_traces: 1_000_000, ..SimOptions::default() }).expect("valid");
    sim.run_to_end();
    sim.audit().expect("every message in exactly one state");
    let report = sim.report();
    let (writes, reads) = ops(&sim, &link_ends(&s));
    assert!(report.requests.started < 1_000_000, "every trace kept");
    let mut stale: BTreeMap<String, u64> = BTreeMap::new();
    for r in &reads {
        let is_stale = returned_with(r, &writes, lag_us, down) < newest(r, &writes);
        assert_eq!(is_stale, r.stale, "read {r:?}");
        if is_stale {
            *stale.entry(r.db.clone()).or_default() += 1;
            *stale.entry(r.from.clone()).or_default() += 1;
        }
    }
    (report, stale, writes, reads)
}

fn extra(r: &crosstalk::engine::report::Report, node: &str, name: &str) -> f64 {
    r.nodes[node].extra.get(name).copied().unwrap_or(0.0)
}

/// Stock that buyers write and shoppers read from replicas.
fn inventory(lag: &str, read_from: &str, replicas: u32, seed: u64) -> String {
    format!(
        r#"{{"crosstalk":1,"seed":{seed},"duration_ms":8000,
        "nodes":[
          {{"id":"buyers","kind":"client","rate_per_s":15,"keys":8}},
          {{"id":"shoppers","kind":"client","rate_per_s":60,"keys":8}},
          {{"id":"checkout","kind":"service","workers":8,"work_ms":{{"exp":4}}}},
          {{"id":"catalog","kind":"service","workers":8,"work_ms":{{"exp":4}}}},
          {{"id":"db","kind":"database","replicas":{replicas},"replication_lag_ms":{lag},"work_ms":{{"uniform":[1,3]}}}}
        ],
        "links":[
          {{"id":"buy","from":"buyers","to":"checkout","via":"http"}},
          {{"id":"browse","from":"shoppers","to":"catalog","via":"http"}},
          {{"id":"w","from":"checkout","to":"db","via":"write"}},
          {{"id":"r","from":"catalog","to":"db","via":"read","read_from":"{read_from}"}}
        ]}}"#
    )
}

#[test]
fn stale_reads_from_replicas_equal_a_brute_force_reference() {
    for seed in 1..=4 {
        let (report, stale, _, reads) = reference(&inventory("250", "replica", 2, seed), 250_000);
        let db = extra(&report, "db", "stale_reads");
        assert!(db > 0.0, "seed {seed}: a 250 ms lag makes some reads stale");
        assert_eq!(db, stale["db"] as f64, "seed {seed}");
        assert_eq!(extra(&report, "catalog", "stale_reads"), stale["catalog"] as f64);
        assert_eq!(extra(&report, "db", "reads"), reads.len() as f64);
        // Both replicas answered reads; none went to the primary.
        assert!(reads.iter().all(|r| r.replica.is_some()));
        assert!(reads.iter().any(|r| r.replica.as_deref() == Some("db#2")));
        assert!(reads.iter().any(|r| r.replica.as_deref() == Some("db#3")));
    }
}

#[test]
fn zero_replication_lag_reads_nothing_stale() {
    let (report, stale, _, reads) = reference(&inventory("0", "replica", 2, 5), 0);
    assert!(!reads.is_empty());
    assert_eq!(extra(&report, "db", "stale_reads"), 0.0);
    assert!(stale.is_empty());
}

#[test]
fn reads_from_the_primary_are_never_stale() {
    for seed in 1..=3 {
        let (report, _, _, reads) = reference(&inventory("{\"exp\":500}", "primary", 2, seed), 0);
        assert!(reads.iter().all(|r| r.replica.is_none() && !r.stale));
        assert_eq!(extra(&report, "db", "stale_reads"), 0.0);
        assert!(extra(&report, "db", "reads") > 100.0);
    }
}

#[test]
fn a_longer_lag_makes_more_reads_stale_and_staler() {
    let (short, ..) = reference(&inventory("50", "replica", 1, 9), 50_000);
    let (long, ..) = reference(&inventory("500", "replica", 1, 9), 500_000);
    assert!(extra(&long, "db", "stale_reads") > 2.0 * extra(&short, "db", "stale_reads"));
    // A stale read's version was out of date for less than the lag.
    for (r, lag) in [(&short, 50.0), (&long, 500.0)] {
        assert!(extra(r, "db", "stale_age_max_ms") <= lag * 1.01, "{:?}", r.nodes["db"].extra);
        assert!(extra(r, "db", "stale_age_mean_ms") > 0.0);
    }
}

/// Authors post (write their key, then read it back); readers read the
/// same keys. Both read links use `read_from`.
fn posts(read_from: &str, seed: u64) -> String {
    format!(
        r#"{{"crosstalk":1,"seed":{seed},"duration_ms":8000,
        "nodes":[
          {{"id":"authors","kind":"client","rate_per_s":20,"keys":6}},
          {{"id":"readers","kind":"client","rate_per_s":60,"keys":6}},
          {{"id":"post","kind":"service","workers":8,"work_ms":{{"exp":3}}}},
          {{"id":"feed","kind":"service","workers":8,"work_ms":{{"exp":3}}}},
          {{"id":"db","kind":"database","replicas":2,"replication_lag_ms":300}}
        ],
        "links":[
          {{"id":"a","from":"authors","to":"post","via":"http"}},
          {{"id":"b","from":"readers","to":"feed","via":"http"}},
          {{"id":"w","from":"post","to":"db","via":"write"}},
          {{"id":"own","from":"post","to":"db","via":"read","read_from":"{read_from}"}},
          {{"id":"others","from":"feed","to":"db","via":"read","read_from":"{read_from}"}}
        ]}}"#
    )
}

/// Reads by the authors that miss a write of their own (same client and
/// key) committed before the read was sent.
fn own_writes_missed(writes: &[Op], reads: &[Op], lag_us: u64) -> usize {
    reads
        .iter()
        .filter(|r| r.client == "authors")
        .filter(|r| {
            let mine = writes
                .iter()
                .filter(|w| w.client == r.client && w.key == r.key && w.at_us <= r.sent_us)
                .map(|w| w.trace)
                .max()
                .unwrap_or(0);
            returned(r, writes, lag_us) < mine
        })
        .count()
}

#[test]
fn primary_after_write_shows_writers_their_own_posts_and_others_eventually() {
    for seed in 1..=3 {
        let (report, stale, writes, reads) = reference(&posts("primary_after_write", seed), 300_000);
        assert_eq!(own_writes_missed(&writes, &reads, 300_000), 0, "seed {seed}");
        // The writer's own reads right after writing went to the primary...
        assert!(reads.iter().filter(|r| r.client == "authors").all(|r| r.replica.is_none()));
        // ...while the others read replicas, some of them stale.
        assert!(reads.iter().filter(|r| r.client == "readers").all(|r| r.replica.is_some()));
        assert!(extra(&report, "feed", "stale_reads") > 0.0, "seed {seed}");
        assert_eq!(extra(&report, "post", "stale_reads"), 0.0);
        assert_eq!(extra(&report, "db", "stale_reads"), stale.get("db").copied().unwrap_or(0) as f64);
    }
    // Without it the authors miss their own posts.
    let (_, _, writes, reads) = reference(&posts("replica", 1), 300_000);
    assert!(own_writes_missed(&writes, &reads, 300_000) > 10);
}

/// CQRS: orders are written to the write model and published to a log; a
/// projector consumes the log and writes the read model that views read.
fn cqrs(projector_ms: f64, extra_fault: &str) -> String {
    format!(
        r#"{{"crosstalk":1,"seed":4,"duration_ms":10000,
        "nodes":[
          {{"id":"shoppers","kind":"client","rate_per_s":25,"keys":10}},
          {{"id":"viewers","kind":"client","rate_per_s":60,"keys":10}},
          {{"id":"orders","kind":"service","workers":8,"work_ms":{{"exp":3}}}},
          {{"id":"events","kind":"topic","delivery":"log","partitions":2}},
          {{"id":"projector","kind":"service","workers":1,"work_ms":{{"exp":{projector_ms}}}}},
          {{"id":"views","kind":"service","workers":8,"work_ms":{{"exp":2}}}},
          {{"id":"write_db","kind":"database"}},
          {{"id":"read_db","kind":"database"}}
        ],
        "links":[
          {{"id":"place","from":"shoppers","to":"orders","via":"http"}},
          {{"id":"look","from":"viewers","to":"views","via":"http"}},
          {{"id":"save","from":"orders","to":"write_db","via":"write"}},
          {{"id":"emit","from":"orders","to":"events","via":"publish"}},
          {{"id":"feed","from":"events","to":"projector","via":"subscribe","commit":"after_processing"}},
          {{"id":"project","from":"projector","to":"read_db","via":"write"}},
          {{"id":"show","from":"views","to":"read_db","via":"read"}},
          {{"id":"check","from":"views","to":"write_db","via":"read"}}
        ],
        "faults":[{extra_fault}]}}"#
    )
}

#[test]
fn a_lagging_projector_makes_the_read_model_stale() {
    let (fast, stale, writes, _) = reference(&cqrs(1.0, ""), 0);
    let (slow, ..) = reference(&cqrs(30.0, ""), 0);
    let (down, ..) = reference(&cqrs(1.0, r#"{"target":"projector","kind":"crash","at_ms":3000,"for_ms":3000}"#), 0);
    // The projector writes the versions the orders wrote.
    assert!(writes.iter().any(|w| w.db == "read_db"));
    assert_eq!(extra(&fast, "read_db", "stale_reads"), stale.get("read_db").copied().unwrap_or(0) as f64);
    // Reading the write model's primary is never stale; the read model is
    // as stale as the projector is behind.
    for r in [&fast, &slow, &down] {
        assert_eq!(extra(r, "write_db", "stale_reads"), 0.0);
    }
    let f = extra(&fast, "read_db", "stale_reads");
    assert!(f > 0.0, "even a fast projector is a little behind");
    assert!(extra(&slow, "read_db", "stale_reads") > 3.0 * f);
    assert!(extra(&down, "read_db", "stale_reads") > 3.0 * f);
    assert!(extra(&down, "read_db", "stale_age_max_ms") > 1000.0, "the crash kept the view seconds behind");
    assert_eq!(extra(&slow, "views", "stale_reads"), extra(&slow, "read_db", "stale_reads"));
}

/// `inventory` with replica `db#2` crashed from 3 s to 5 s.
fn replica_crash(lag: &str, seed: u64) -> String {
    inventory(lag, "replica", 2, seed)
        .replace(r#""links":["#, r#""faults":[{"target":"db#2","kind":"crash","at_ms":3000,"for_ms":2000}],"links":["#)
}

#[test]
fn a_crashed_replica_replays_what_it_missed_and_reads_stale_until_it_catches_up() {
    let down = Down { replica: "db#2", from_us: 3_000_000, to_us: 5_000_000 };
    for seed in 1..=4 {
        // Read by read, the engine agrees with the brute force in which
        // the replica applies what it missed a lag after it is back.
        let (report, stale, writes, reads) = reference_with(&replica_crash("250", seed), 250_000, Some(down));
        assert_eq!(extra(&report, "db", "stale_reads"), stale["db"] as f64, "seed {seed}");
        assert_eq!(extra(&report, "catalog", "stale_reads"), stale["catalog"] as f64, "seed {seed}");
        assert!(writes.iter().any(|w| w.at_us > down.from_us && w.at_us < down.to_us), "writes while it was down");
        // Nothing was read from it while it was down (it refused).
        let on = |r: &&Op| r.replica.as_deref() == Some("db#2");
        assert!(!reads.iter().filter(on).any(|r| r.at_us > down.from_us && r.at_us < down.to_us));
        // Just after it came back it still had what it had when it went
        // down: its reads of keys written meanwhile are stale; once it has
        // replayed them (a lag later) it is as fresh as the other replica.
        let share = |from: u64, to: u64, replica: &str| {
            let rs: Vec<&Op> = reads
                .iter()
                .filter(|r| r.replica.as_deref() == Some(replica) && r.at_us >= from && r.at_us < to)
                .collect();
            rs.iter().filter(|r| r.stale).count() as f64 / rs.len().max(1) as f64
        };
        let (catching, other) = (share(5_000_000, 5_250_000, "db#2"), share(5_000_000, 5_250_000, "db#3"));
        assert!(catching >= 0.6, "seed {seed}: {catching} of reads from the replica catching up were stale");
        assert!(catching > 2.0 * other, "seed {seed}: {catching} vs {other} on the replica that stayed up");
        assert!(share(5_300_000, 8_000_000, "db#2") < 2.0 * share(5_300_000, 8_000_000, "db#3") + 0.05);
        // A read served on recovery returned a version that had been out
        // of date for most of the crash, far more than the 250 ms lag.
        assert!(extra(&report, "db", "stale_age_max_ms") > 1000.0, "{:?}", report.nodes["db"].extra);
    }
}

#[test]
fn runs_without_a_replica_crash_keep_their_hash() {
    // Frozen before crashed replicas replayed what they missed: the two
    // database lessons (the CQRS one crashes its projector) and a primary
    // crash (its replicas keep replicating) run exactly as before.
    let lesson = |name: &str| {
        let text = std::fs::read_to_string(format!("lessons/{name}.json")).expect("lesson");
        let v: serde_json::Value = serde_json::from_str(&text).expect("json");
        scenario(&v["scenario"].to_string())
    };
    let hash = |s: &format::Scenario| {
        let mut sim = Sim::new(s, SimOptions::default()).expect("valid");
        sim.run_to_end();
        sim.run_hash_hex()
    };
    assert_eq!(hash(&lesson("read-replicas-stale-inventory")), "67c5aa13b246731e");
    assert_eq!(hash(&lesson("cqrs-read-model-lag")), "43e71c1d41fe2c34");
    let primary = inventory("100", "replica", 2, 2)
        .replace(r#""links":["#, r#""faults":[{"target":"db#1","kind":"crash","at_ms":2000,"for_ms":2000}],"links":["#);
    assert_eq!(hash(&scenario(&primary)), "a4384f62ef9df3b2");
}

#[test]
fn a_crashed_database_fails_its_queries_like_a_service() {
    let json = inventory("100", "replica", 1, 2)
        .replace(r#""links":["#, r#""faults":[{"target":"db#1","kind":"crash","at_ms":2000,"for_ms":2000}],"links":["#);
    let json = json.replace(r#""via":"write"}"#, r#""via":"write","timeout_ms":500}"#);
    let (_, r) = run(&scenario(&json));
    // Writes to the crashed primary failed; reads from the replica went on.
    assert!(r.nodes["db"].rejected + r.nodes["db"].lost > 0);
    assert!(r.nodes["buyers"].requests.as_ref().unwrap().failed > 0);
    assert_eq!(r.nodes["shoppers"].requests.as_ref().unwrap().failed, 0);
    assert_eq!(r.messages.sent, r.messages.accounted());
}

#[test]
fn bad_database_input_names_the_link_or_node_and_field() {
    let base = inventory("100", "replica", 1, 1);
    let problems = |json: &str| format::validate(&serde_json::from_str::<format::Scenario>(json).expect("parses"));
    // A read into a service.
    let p = problems(&base.replace(r#""to":"db","via":"read""#, r#""to":"checkout","via":"read""#));
    let e = p.iter().find(|p| p.severity == Severity::Error).expect("refused");
    assert_eq!(e.place, Place::Link("r".into()));
    assert_eq!(e.field.as_deref(), Some("via"));
    assert!(e.message.contains("must end at a database") && e.message.contains("checkout"), "{e}");
    // A write from a client.
    let p = problems(
        &base.replace(r#""from":"checkout","to":"db","via":"write""#, r#""from":"buyers","to":"db","via":"write""#),
    );
    assert!(p.iter().any(|p| p.severity == Severity::Error && p.place == Place::Link("w".into())));
    // A negative lag.
    let p = problems(&inventory("-5", "replica", 1, 1));
    let e = p.iter().find(|p| p.severity == Severity::Error).expect("refused");
    assert_eq!((e.place.clone(), e.field.as_deref()), (Place::Node("db".into()), Some("replication_lag_ms")));
    let p = problems(&inventory("{\"normal\":[100,-3]}", "replica", 1, 1));
    assert!(p.iter().any(|p| p.severity == Severity::Error && p.field.as_deref() == Some("replication_lag_ms")));
    // A replica read without replicas: a warning, and the reads go to the primary.
    let json = inventory("100", "replica", 0, 1);
    let p = problems(&json);
    assert!(p.iter().all(|p| p.severity == Severity::Warning));
    let w = p.iter().find(|p| p.field.as_deref() == Some("read_from")).expect("warned");
    assert_eq!(w.place, Place::Link("r".into()));
    assert!(w.message.contains("no read replicas"), "{w}");
    let (report, ..) = reference(&json, 0);
    assert_eq!(extra(&report, "db", "stale_reads"), 0.0);
    // A replica fault past the replicas.
    let p =
        problems(&base.replace(r#""links":["#, r#""faults":[{"target":"db#3","kind":"crash","at_ms":1}],"links":["#));
    let e = p.iter().find(|p| p.severity == Severity::Error).expect("refused");
    assert!(e.message.contains("1 read replica"), "{e}");
    // A database field on a service is a warning that names it.
    let p = problems(&base.replace(
        r#""id":"checkout","kind":"service","#,
        r#""id":"checkout","kind":"service","replication_lag_ms":5,"#,
    ));
    assert!(p
        .iter()
        .any(|p| p.place == Place::Node("checkout".into()) && p.field.as_deref() == Some("replication_lag_ms")));
}

#[test]
fn the_budget_counts_database_work() {
    let with = scenario(&inventory("100", "replica", 2, 1));
    let mut without = with.clone();
    without.links.retain(|l| l.to != "db");
    without.nodes.retain(|n| n.id != "db");
    let (a, b) = (crosstalk::engine::budget::estimate(&with), crosstalk::engine::budget::estimate(&without));
    let mut sim = Sim::new(&with, SimOptions::default()).expect("valid");
    sim.run_to_end();
    // Reads and writes each add an arrival, a query and an answer.
    assert!(a.events > b.events + 2.0 * (15.0 + 60.0) * 8.0, "{} vs {}", a.events, b.events);
    assert!(
        a.events > 0.5 * sim.events() as f64 && a.events < 2.0 * sim.events() as f64,
        "{} vs {}",
        a.events,
        sim.events()
    );
}

#[test]
fn every_database_field_survives_a_share_link() {
    let json = cqrs(2.0, "").replace(
        r#"{"id":"read_db","kind":"database"}"#,
        r#"{"id":"read_db","kind":"database","workers":3,"work_ms":{"exp":1.5},"replicas":2,"replication_lag_ms":{"lognormal":{"p50":50,"p99":900}}}"#,
    )
    .replace(r#""via":"read"}"#, r#""via":"read","read_from":"primary_after_write","timeout_ms":200}"#);
    let s = scenario(&json);
    assert_eq!(s.node("read_db").unwrap().replicas, Some(2));
    let back = crosstalk::engine::codec::decode(&crosstalk::engine::codec::encode(&s)).expect("decodes");
    assert_eq!(back, s);
    let hash = |s: &format::Scenario| {
        let mut sim = Sim::new(s, SimOptions::default()).expect("valid");
        sim.run_to_end();
        sim.run_hash()
    };
    assert_eq!(hash(&back), hash(&s));
}

#[test]
fn scenarios_without_a_database_keep_their_hash_when_one_is_added_unlinked_elsewhere() {
    // The database's streams are its own: the rest of the run is unchanged.
    let s = scenario(&inventory("100", "replica", 1, 3));
    let mut other = s.clone();
    other.nodes.push(format::NodeSpec::new("spare", format::NodeKind::Database));
    let run = |s: &format::Scenario| {
        let mut sim = Sim::new(s, SimOptions::default()).expect("valid");
        sim.run_to_end();
        sim.report()
    };
    let (a, b) = (run(&s), run(&other));
    assert_eq!(a.nodes["catalog"].latency_ms, b.nodes["catalog"].latency_ms);
    assert_eq!(a.nodes["db"].extra, b.nodes["db"].extra);
}

fn dist() -> impl Strategy<Value = String> {
    prop_oneof![
        (0.0f64..400.0).prop_map(|m| format!("{m}")),
        (1.0f64..400.0).prop_map(|m| format!("{{\"exp\":{m}}}")),
        (0.0f64..100.0, 0.0f64..300.0).prop_map(|(a, b)| format!("{{\"uniform\":[{a},{}]}}", a + b)),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    /// Whatever the database's settings: every query ends in exactly one
    /// state, stale reads never exceed reads, the primary is never stale,
    /// and a run is its own replay.
    #[test]
    fn database_fields_keep_the_invariants(
        workers in 1u32..12,
        replicas in 0u32..4,
        lag in dist(),
        work in dist(),
        read_from in prop::sample::select(vec!["primary", "replica", "primary_after_write"]),
        timeout in prop::option::of(5.0f64..300.0),
        crash in prop::option::of(0u32..4),
        seed in 1u64..1000,
    ) {
        let timeout = timeout.map_or(String::new(), |t| format!(r#","timeout_ms":{t}"#));
        let fault = crash.map_or(String::new(), |k| {
            let target = if k == 0 { "db".to_string() } else { format!("db#{}", k.min(replicas + 1)) };
            format!(r#"{{"target":"{target}","kind":"crash","at_ms":1000,"for_ms":800}}"#)
        });
        let json = inventory(&lag, read_from, replicas, seed)
            .replace(r#""duration_ms":8000"#, r#""duration_ms":3000"#)
            .replace(r#""work_ms":{"uniform":[1,3]}"#, &format!(r#""work_ms":{work},"workers":{workers}"#))
            .replace(r#""via":"read","#, &format!(r#""via":"read"{timeout},"#))
            .replace(r#""links":["#, &format!(r#""faults":[{fault}],"links":["#));
        let s = scenario(&json);
        let (sim, r) = run(&s);
        prop_assert_eq!(r.messages.sent, r.messages.accounted());
        let reads = extra(&r, "db", "reads");
        let stale = extra(&r, "db", "stale_reads");
        prop_assert!(stale <= reads);
        if read_from == "primary" || replicas == 0 {
            prop_assert_eq!(stale, 0.0);
        }
        let mut again = Sim::new(&s, SimOptions::default()).expect("valid");
        again.run_to_end();
        prop_assert_eq!(again.run_hash(), sim.run_hash());
    }
}

/// Shoppers read at 150/s from a database of 2 connections × 20 ms (100/s
/// on the primary), from `read_from` with `replicas` read replicas.
fn busy_catalog(replicas: u32, read_from: &str) -> String {
    format!(
        r#"{{"crosstalk":1,"seed":3,"duration_ms":20000,
        "nodes":[
          {{"id":"shoppers","kind":"client","rate_per_s":150,"arrival":"uniform"}},
          {{"id":"catalog","kind":"service","workers":200,"work_ms":1}},
          {{"id":"db","kind":"database","label":"Stock DB","workers":2,"work_ms":20,"replicas":{replicas}}}
        ],
        "links":[
          {{"id":"browse","from":"shoppers","to":"catalog","via":"http"}},
          {{"id":"r","from":"catalog","to":"db","via":"read","read_from":"{read_from}"}}
        ]}}"#
    )
}

#[test]
fn the_lint_warns_of_a_database_with_too_few_connections_and_the_run_agrees() {
    use crosstalk::engine::lint::{lint, Rule};
    let overloaded =
        |json: &str| lint(&scenario(json)).into_iter().find(|w| w.rule == Rule::Overload).map(|w| w.message);
    let json = busy_catalog(0, "primary");
    let message = overloaded(&json).expect("2 connections x 20 ms cannot take 150 reads/s");
    assert!(message.contains("Stock DB") && message.contains("2 connections"), "{message}");
    assert!(message.contains("add connections or read replicas"), "{message}");
    // The run agrees: the database is busy all the time, and the requests
    // pile up behind it (at the catalog, whose 200 workers all wait).
    let r = run_json(&json);
    assert!(r.nodes["db"].utilization > 0.98, "{}", r.nodes["db"].utilization);
    assert!(r.nodes["catalog"].queue_len.max > 500.0, "{:?}", r.nodes["catalog"].queue_len);
    // Two read replicas that take the reads double what it handles.
    let spread = busy_catalog(2, "replica");
    assert_eq!(overloaded(&spread), None);
    let r = run_json(&spread);
    assert!(r.nodes["catalog"].queue_len.max < 50.0, "{:?}", r.nodes["catalog"].queue_len);
}
