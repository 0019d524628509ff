//! Kafka settings for the diagram's log topics: none before log topics exist.

use crate::engine::format::Scenario;

pub fn topics(_s: &Scenario) -> String {
    "{\n  \"topics\": [],\n  \"consumer_groups\": []\n}\n".to_string()
}
