//! A RabbitMQ definitions file for what the diagram says: the format
//! `rabbitmqctl import_definitions` and the management API's
//! `POST /api/definitions` take (`rabbit_version`, `vhosts`, `queues`,
//! `exchanges`, `bindings`, `policies`, ...), everything in vhost `/`.
//!
//! How the diagram maps onto RabbitMQ:
//! - A queue node is a quorum queue named by its id (quorum queues count
//!   deliveries, which `max_deliveries` needs). Its settings go in a policy
//!   of its own (RabbitMQ recommends policies over queue arguments because
//!   they can change without redeclaring): `delivery-limit` is
//!   `max_deliveries - 1` (RabbitMQ dead-letters a message returned more
//!   times than the limit), `max-length` with `overflow: reject-publish` is
//!   `capacity` (a full queue refuses the enqueue), and `dead_letter` names
//!   the target: a queue through the default exchange (`""` with the
//!   queue's name as routing key).
//! - A pub/sub topic is a fanout exchange; each `subscribe` link gets a
//!   queue `<topic>.<link>` bound to it (a subscriber that is itself a
//!   queue node is bound directly). An `at_most_once` topic's subscription
//!   queues are transient (`durable: false`, `auto_delete: true`), as a
//!   Redis Pub/Sub subscriber misses what is sent while it is away;
//!   `durable` ones are durable quorum queues.
//! - An exchange node is an exchange of its `type`; each `bind` link is a
//!   binding with the link's `pattern` (`#` by default) as routing key. An
//!   `alternate` exchange is the `alternate-exchange` argument; an
//!   alternate queue gets a fanout exchange `<exchange>.alternate` bound to
//!   it (as the format reads it). A `dead_letter` naming an exchange is the
//!   queue's `dead-letter-exchange`, without a routing key (messages keep
//!   theirs).
//! - A FIFO queue (SQS FIFO, which RabbitMQ does not have) is a quorum
//!   queue with a single active consumer: RabbitMQ's way to consume in
//!   order (for the whole queue, not per message group).
//! - Log topics are Kafka's, not RabbitMQ's: see `kafka.rs`.

use crate::engine::format::{Delivery, ExchangeType, NodeKind, NodeSpec, Scenario, Via};
use serde_json::{json, Value};

/// The RabbitMQ version the file says it came from (the importer accepts
/// files from older versions).
pub const RABBIT_VERSION: &str = "3.13.0";
const VHOST: &str = "/";

/// The definitions document.
#[derive(Default)]
struct Definitions {
    queues: Vec<Value>,
    exchanges: Vec<Value>,
    bindings: Vec<Value>,
    policies: Vec<Value>,
}

impl Definitions {
    fn quorum_queue(&mut self, name: &str, single_active_consumer: bool) {
        let mut arguments = json!({ "x-queue-type": "quorum" });
        if single_active_consumer {
            arguments["x-single-active-consumer"] = json!(true);
        }
        self.queues.push(json!({
            "name": name, "vhost": VHOST, "durable": true, "auto_delete": false, "arguments": arguments
        }));
    }

    fn transient_queue(&mut self, name: &str) {
        self.queues.push(json!({
            "name": name, "vhost": VHOST, "durable": false, "auto_delete": true,
            "arguments": { "x-queue-type": "classic" }
        }));
    }

    fn exchange(&mut self, name: &str, kind: &str, arguments: Value) {
        self.exchanges.push(json!({
            "name": name, "vhost": VHOST, "type": kind, "durable": true,
            "auto_delete": false, "internal": false, "arguments": arguments
        }));
    }

    fn bind(&mut self, source: &str, destination: &str, destination_type: &str, routing_key: &str) {
        self.bindings.push(json!({
            "source": source, "vhost": VHOST, "destination": destination,
            "destination_type": destination_type, "routing_key": routing_key, "arguments": {}
        }));
    }

    /// A policy that applies `definition` to the one queue `name`.
    fn queue_policy(&mut self, name: &str, definition: serde_json::Map<String, Value>) {
        if definition.is_empty() {
            return;
        }
        self.policies.push(json!({
            "vhost": VHOST, "name": format!("crosstalk-{name}"), "pattern": format!("^{}$", regex_escape(name)),
            "apply-to": "queues", "definition": definition, "priority": 0
        }));
    }

    fn into_json(self) -> Value {
        json!({
            "rabbit_version": RABBIT_VERSION,
            "rabbitmq_version": RABBIT_VERSION,
            "users": [], "permissions": [], "topic_permissions": [],
            "parameters": [], "global_parameters": [],
            "vhosts": [{ "name": VHOST }],
            "queues": self.queues,
            "exchanges": self.exchanges,
            "bindings": self.bindings,
            "policies": self.policies,
        })
    }
}

/// Escapes regex metacharacters (ids are `A-Z a-z 0-9 _ -`, but names of
/// older files may hold anything).
fn regex_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if "\\^$.|?*+()[]{}".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// The settings of queue node `q` as a policy definition.
fn queue_settings(s: &Scenario, q: &NodeSpec) -> serde_json::Map<String, Value> {
    use crate::engine::format::defaults as d;
    let mut def = serde_json::Map::new();
    let max = q.max_deliveries.unwrap_or(d::QUEUE_MAX_DELIVERIES).max(1);
    def.insert("delivery-limit".into(), json!(max - 1));
    if let Some(cap) = q.capacity {
        def.insert("max-length".into(), json!(cap));
        def.insert("overflow".into(), json!("reject-publish"));
    }
    if let Some(target) = q.dead_letter.as_deref().and_then(|id| s.node(id)) {
        dead_letter_to(&mut def, target);
    }
    def
}

/// Where a queue's dead letters go: an exchange (keeping their routing
/// key), or a queue through the default exchange.
fn dead_letter_to(def: &mut serde_json::Map<String, Value>, target: &NodeSpec) {
    if target.kind == NodeKind::Exchange {
        def.insert("dead-letter-exchange".into(), json!(target.id));
    } else {
        def.insert("dead-letter-exchange".into(), json!(""));
        def.insert("dead-letter-routing-key".into(), json!(target.id));
    }
}

fn is_pubsub_topic(n: &NodeSpec) -> bool {
    n.kind == NodeKind::Topic && n.delivery != Some(Delivery::Log)
}

fn exchange_type(n: &NodeSpec) -> &'static str {
    match n.exchange_type.unwrap_or_default() {
        ExchangeType::Direct => "direct",
        ExchangeType::Topic => "topic",
        ExchangeType::Fanout => "fanout",
    }
}

/// Declares exchange node `x`, with its alternate.
fn exchange_node(d: &mut Definitions, s: &Scenario, x: &NodeSpec) {
    let mut arguments = json!({});
    match x.alternate.as_deref().and_then(|id| s.node(id)) {
        Some(alt) if alt.kind == NodeKind::Exchange => arguments["alternate-exchange"] = json!(alt.id),
        Some(alt) => {
            let via = format!("{}.alternate", x.id);
            d.exchange(&via, "fanout", json!({}));
            d.bind(&via, &alt.id, "queue", "");
            arguments["alternate-exchange"] = json!(via);
        }
        None => {}
    }
    d.exchange(&x.id, exchange_type(x), arguments);
}

/// The definitions JSON (pretty-printed) for `s`.
pub fn definitions(s: &Scenario) -> String {
    let mut d = Definitions::default();
    for n in &s.nodes {
        match n.kind {
            NodeKind::Queue => {
                d.quorum_queue(&n.id, n.fifo == Some(true));
                let settings = queue_settings(s, n);
                d.queue_policy(&n.id, settings);
            }
            NodeKind::Exchange => exchange_node(&mut d, s, n),
            _ if is_pubsub_topic(n) => d.exchange(&n.id, "fanout", json!({})),
            _ => {}
        }
    }
    for l in s.links.iter().filter(|l| l.via == Via::Subscribe) {
        let (Some(topic), Some(sub)) = (s.node(&l.from), s.node(&l.to)) else { continue };
        if !is_pubsub_topic(topic) {
            continue;
        }
        if sub.kind == NodeKind::Queue {
            d.bind(&topic.id, &sub.id, "queue", "");
            continue;
        }
        let name = format!("{}.{}", topic.id, l.id);
        if topic.delivery.unwrap_or_default() == Delivery::Durable {
            d.quorum_queue(&name, false);
        } else {
            d.transient_queue(&name);
        }
        d.bind(&topic.id, &name, "queue", "");
    }
    for l in s.links.iter().filter(|l| l.via == Via::Bind) {
        if let (Some(x), Some(q)) = (s.node(&l.from), s.node(&l.to)) {
            d.bind(
                &x.id,
                &q.id,
                "queue",
                l.pattern.as_deref().unwrap_or(crate::engine::format::defaults::BIND_PATTERN),
            );
        }
    }
    let mut text = crate::engine::format::json::to_string_pretty(&d.into_json()).unwrap_or_else(|_| "{}".into());
    text.push('\n');
    text
}
