//! Consumer groups as a scenario spells them: the `subscribe` links of a
//! log topic, grouped by `group` (by default the link's own id), groups in
//! the order their first link appears, members in link order. The engine
//! forms its groups with this, and the app names them with it.

use super::scenario::{Scenario, Via};

/// The groups of topic `topic`: (group name, indices of its links).
pub fn consumer_groups(s: &Scenario, topic: &str) -> Vec<(String, Vec<usize>)> {
    let mut groups: Vec<(String, Vec<usize>)> = Vec::new();
    for (i, l) in s.links.iter().enumerate() {
        if l.via != Via::Subscribe || l.from != topic {
            continue;
        }
        let name = l.group.clone().unwrap_or_else(|| l.id.clone());
        match groups.iter_mut().find(|g| g.0 == name) {
            Some(g) => g.1.push(i),
            None => groups.push((name, vec![i])),
        }
    }
    groups
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::format::load::parse;

    #[test]
    fn links_with_one_group_share_it_and_others_are_their_own() {
        let s = parse(
            r#"{"crosstalk":1,"nodes":[{"id":"t","kind":"topic","delivery":"log"},
                {"id":"a","kind":"service"},{"id":"b","kind":"service"},{"id":"c","kind":"service"}],
               "links":[{"id":"s1","from":"t","to":"a","via":"subscribe","group":"billing"},
                        {"id":"s2","from":"t","to":"b","via":"subscribe"},
                        {"id":"s3","from":"t","to":"c","via":"subscribe","group":"billing"}]}"#,
        )
        .unwrap();
        let g = consumer_groups(&s, "t");
        assert_eq!(g, vec![("billing".to_string(), vec![0, 2]), ("s2".to_string(), vec![1])]);
    }
}
