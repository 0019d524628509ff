//! Kafka settings for the diagram's log topics (`delivery: "log"`): each
//! topic as the body of a Kafka REST (v3) create-topic request
//! (`topic_name`, `partitions_count`, `configs` with `retention.ms`), and
//! each consumer group's consumer properties (`group.id`, the commit mode,
//! `session.timeout.ms`). Topics and groups are named by their ids;
//! `retention.ms` is `-1` (Kafka's "keep forever") when the diagram sets no
//! retention. A diagram without log topics gives empty lists.

use crate::engine::format::defaults as d;
use crate::engine::format::{CommitMode, Delivery, NodeKind, NodeSpec, Scenario, Via};
use serde_json::{json, Value};
use std::collections::BTreeMap;

fn is_log(n: &NodeSpec) -> bool {
    n.kind == NodeKind::Topic && n.delivery == Some(Delivery::Log)
}

/// Milliseconds as Kafka's configs take them: a whole number in a string.
fn ms(v: f64) -> String {
    format!("{}", v.max(0.0).round() as u64)
}

fn topic(n: &NodeSpec) -> Value {
    let retention = n.retention_ms.map_or_else(|| "-1".to_string(), ms);
    json!({
        "topic_name": n.id,
        "partitions_count": n.partitions.unwrap_or(d::LOG_PARTITIONS).max(1),
        "configs": [
            { "name": "cleanup.policy", "value": "delete" },
            { "name": "retention.ms", "value": retention },
        ]
    })
}

/// The consumer groups reading the log topics: (topic, group) -> members.
fn groups(s: &Scenario) -> Vec<Value> {
    let mut by_group: BTreeMap<(String, String), Vec<&crate::engine::format::LinkSpec>> = BTreeMap::new();
    for l in &s.links {
        if l.via != Via::Subscribe || !s.node(&l.from).is_some_and(is_log) {
            continue;
        }
        let group = l.group.clone().unwrap_or_else(|| l.id.clone());
        by_group.entry((l.from.clone(), group)).or_default().push(l);
    }
    by_group
        .into_iter()
        .map(|((topic, group), links)| {
            // The group's first link speaks for its commit settings.
            let first = links[0];
            let mode = first.commit.unwrap_or_default();
            let mut props = serde_json::Map::new();
            props.insert("group.id".into(), json!(group));
            props.insert("enable.auto.commit".into(), json!((mode == CommitMode::Auto).to_string()));
            if mode == CommitMode::Auto {
                props.insert(
                    "auto.commit.interval.ms".into(),
                    json!(ms(first.commit_every_ms.unwrap_or(d::COMMIT_EVERY_MS))),
                );
            }
            props.insert(
                "session.timeout.ms".into(),
                json!(ms(first.session_timeout_ms.unwrap_or(d::SESSION_TIMEOUT_MS))),
            );
            props.insert("auto.offset.reset".into(), json!("earliest"));
            let commit = match mode {
                CommitMode::Auto => "auto",
                CommitMode::AfterProcessing => "commitSync after processing each record (at least once)",
                CommitMode::BeforeProcessing => "commitSync before processing each record (at most once)",
            };
            json!({
                "topic": topic,
                "members": links.iter().map(|l| l.to.clone()).collect::<Vec<_>>(),
                "commit": commit,
                "consumer_properties": props,
            })
        })
        .collect()
}

/// The Kafka settings JSON (pretty-printed) for `s`.
pub fn topics(s: &Scenario) -> String {
    let topics: Vec<Value> = s.nodes.iter().filter(|n| is_log(n)).map(topic).collect();
    let doc = json!({ "topics": topics, "consumer_groups": groups(s) });
    let mut text = crate::engine::format::json::to_string_pretty(&doc).unwrap_or_else(|_| "{}".into());
    text.push('\n');
    text
}
