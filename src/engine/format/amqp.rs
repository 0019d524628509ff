//! AMQP 0-9-1 topic matching, as RabbitMQ's topic exchange does it.
//!
//! A routing key and a binding key are lists of words separated by dots;
//! the empty string is the list of no words. In a binding key `*` stands
//! for exactly one word and `#` for zero or more; any other word (including
//! one that merely contains `*` or `#`) must equal the routing key's word.
//! A direct exchange compares the whole keys; a fanout exchange ignores them.
//!
//! The matcher walks both word lists with one backtracking point per `#`
//! (the classic wildcard algorithm), so a pattern of many `#` cannot blow
//! up: the work is at most (pattern words × key words).

/// The words of a key: `""` has none, `"a..b"` has three (`a`, ``, `b`).
pub fn words(key: &str) -> Vec<&str> {
    if key.is_empty() {
        Vec::new()
    } else {
        key.split('.').collect()
    }
}

/// Whether `routing_key` matches the topic binding `pattern`.
pub fn topic_matches(pattern: &str, routing_key: &str) -> bool {
    matches_words(&words(pattern), &words(routing_key))
}

/// The same over words already split.
pub fn matches_words(pattern: &[&str], key: &[&str]) -> bool {
    let (mut p, mut k) = (0usize, 0usize);
    // The last `#` seen and the key position it has swallowed up to.
    let mut star: Option<(usize, usize)> = None;
    loop {
        if p < pattern.len() && pattern[p] == "#" {
            // Try matching zero words first; remember where to widen it.
            star = Some((p, k));
            p += 1;
            continue;
        }
        if k == key.len() && p == pattern.len() {
            return true;
        }
        if k < key.len() && p < pattern.len() && (pattern[p] == "*" || pattern[p] == key[k]) {
            p += 1;
            k += 1;
            continue;
        }
        // A mismatch: let the last `#` take one more word, if there is one.
        match star {
            Some((sp, sk)) if sk < key.len() => {
                star = Some((sp, sk + 1));
                p = sp + 1;
                k = sk + 1;
            }
            _ => return false,
        }
    }
}

/// What is wrong with a binding pattern as the format accepts it, if
/// anything: Crosstalk refuses empty words (`a..b`, `.a`), which RabbitMQ
/// would accept but which are nearly always a typo.
pub fn pattern_problem(pattern: &str) -> Option<String> {
    if pattern.len() > super::defaults::caps::KEY_BYTES {
        return Some(format!("longer than {} bytes (an AMQP short string)", super::defaults::caps::KEY_BYTES));
    }
    if !pattern.is_empty() && words(pattern).iter().any(|w| w.is_empty()) {
        return Some(format!("`{pattern}` has an empty word: words are separated by single dots"));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The binding table of RabbitMQ's own routing test
    /// (rabbitmq-server `deps/rabbit/test/routing_SUITE.erl`, `topic1/1`, at
    /// commit 5b09e556da53b8473f26843a2493d8460ced8c8e): binding keys, queue
    /// names, and for each routing key the queues RabbitMQ routes it to.
    const BINDINGS: &[(&str, &str)] = &[
        ("a.b.c", "t1"),
        ("a.*.c", "t2"),
        ("a.#.b", "t3"),
        ("a.b.b.c", "t4"),
        ("#", "t5"),
        ("#.#", "t6"),
        ("#.b", "t7"),
        ("*.*", "t8"),
        ("a.*", "t9"),
        ("*.b.c", "t10"),
        ("a.#", "t11"),
        ("a.#.#", "t12"),
        ("b.b.c", "t13"),
        ("a.b.b", "t14"),
        ("a.b", "t15"),
        ("b.c", "t16"),
        ("", "t17"),
        ("*.*.*", "t18"),
        ("vodka.martini", "t19"),
        ("a.b.c", "t20"),
        ("*.#", "t21"),
        ("#.*.#", "t22"),
        ("*.#.#", "t23"),
        ("*", "t25"),
        ("#.b.#", "t26"),
        ("args-test", "t27"),
    ];

    const EXPECTED: &[(&str, &[&str])] = &[
        ("a.b.c", &["t1", "t2", "t5", "t6", "t10", "t11", "t12", "t18", "t20", "t21", "t22", "t23", "t26"]),
        ("a.b", &["t3", "t5", "t6", "t7", "t8", "t9", "t11", "t12", "t15", "t21", "t22", "t23", "t26"]),
        ("a.b.b", &["t3", "t5", "t6", "t7", "t11", "t12", "t14", "t18", "t21", "t22", "t23", "t26"]),
        ("", &["t5", "t6", "t17"]),
        ("b.c.c", &["t5", "t6", "t18", "t21", "t22", "t23", "t26"]),
        ("a.a.a.a.a", &["t5", "t6", "t11", "t12", "t21", "t22", "t23"]),
        ("vodka.gin", &["t5", "t6", "t8", "t21", "t22", "t23"]),
        ("vodka.martini", &["t5", "t6", "t8", "t19", "t21", "t22", "t23"]),
        ("b.b.c", &["t5", "t6", "t10", "t13", "t18", "t21", "t22", "t23", "t26"]),
        ("nothing.here.at.all", &["t5", "t6", "t21", "t22", "t23"]),
        ("oneword", &["t5", "t6", "t21", "t22", "t23", "t25"]),
        ("args-test", &["t5", "t6", "t21", "t22", "t23", "t25", "t27"]),
    ];

    fn routed(bindings: &[(&str, &str)], key: &str) -> Vec<String> {
        let mut queues: Vec<String> =
            bindings.iter().filter(|(p, _)| topic_matches(p, key)).map(|(_, q)| q.to_string()).collect();
        queues.sort();
        queues.dedup();
        queues
    }

    fn sorted(names: &[&str]) -> Vec<String> {
        let mut v: Vec<String> = names.iter().map(|s| s.to_string()).collect();
        v.sort();
        v
    }

    #[test]
    fn rabbitmqs_routing_table_routes_the_same() {
        for (key, expected) in EXPECTED {
            assert_eq!(routed(BINDINGS, key), sorted(expected), "routing key `{key}`");
        }
    }

    #[test]
    fn rabbitmqs_table_after_removing_bindings() {
        // The suite then removes bindings 1, 5, 11, 19 and 21 (the 27th is
        // the args alias, which this format has no way to write).
        let removed = [1, 5, 11, 19, 21];
        let left: Vec<(&str, &str)> =
            BINDINGS.iter().enumerate().filter(|(i, _)| !removed.contains(&(i + 1))).map(|(_, b)| *b).collect();
        let expected: &[(&str, &[&str])] = &[
            ("a.b.c", &["t2", "t6", "t10", "t12", "t18", "t20", "t22", "t23", "t26"]),
            ("a.b", &["t3", "t6", "t7", "t8", "t9", "t12", "t15", "t22", "t23", "t26"]),
            ("a.b.b", &["t3", "t6", "t7", "t12", "t14", "t18", "t22", "t23", "t26"]),
            ("", &["t6", "t17"]),
            ("b.c.c", &["t6", "t18", "t22", "t23", "t26"]),
            ("a.a.a.a.a", &["t6", "t12", "t22", "t23"]),
            ("vodka.gin", &["t6", "t8", "t22", "t23"]),
            ("vodka.martini", &["t6", "t8", "t22", "t23"]),
            ("b.b.c", &["t6", "t10", "t13", "t18", "t22", "t23", "t26"]),
            ("nothing.here.at.all", &["t6", "t22", "t23"]),
            ("oneword", &["t6", "t22", "t23", "t25"]),
            ("args-test", &["t6", "t22", "t23", "t25", "t27"]),
        ];
        for (key, want) in expected {
            assert_eq!(routed(&left, key), sorted(want), "routing key `{key}`");
        }
    }

    #[test]
    fn many_hashes_stay_cheap() {
        let pattern = vec!["#"; 40].join(".") + ".z";
        let key = vec!["a"; 200].join(".");
        assert!(!topic_matches(&pattern, &key));
        assert!(topic_matches(&pattern, &(key + ".z")));
    }

    #[test]
    fn empty_words_are_refused_by_name() {
        assert!(pattern_problem("a..b").unwrap().contains("empty word"));
        assert!(pattern_problem(".a").is_some());
        assert_eq!(pattern_problem(""), None);
        assert_eq!(pattern_problem("order.*.eu"), None);
    }
}
