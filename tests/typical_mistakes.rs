//! Typical mistakes in a scenario file, each refused with a message that
//! names the node, link or fault and the field that is wrong, never a
//! neighbour. Before issue 12's fixes, a misspelt `kind` was blamed on
//! `label`, a missing `via` on `id`, an unknown fault kind on `at_ms`, and a
//! file saved with a byte-order mark was "not valid JSON at line 1 column 1".

use crosstalk::engine::format::defaults::caps;
use crosstalk::engine::format::load;

/// The message `text` is refused with (parsing and validation).
fn refusal(text: &str) -> String {
    match load::load(text) {
        Ok(_) => panic!("accepted: {text}"),
        Err(e) => e.to_string(),
    }
}

fn with_nodes(nodes: &str) -> String {
    format!(r#"{{"crosstalk":1,"nodes":[{{"id":"a","kind":"client"}},{nodes}]}}"#)
}

fn with_link(link: &str) -> String {
    format!(
        r#"{{"crosstalk":1,"nodes":[{{"id":"a","kind":"client"}},{{"id":"b","kind":"service"}}],"links":[{link}]}}"#
    )
}

fn with_fault(fault: &str) -> String {
    format!(r#"{{"crosstalk":1,"nodes":[{{"id":"a","kind":"client"}}],"faults":[{fault}]}}"#)
}

/// Asserts the message starts with `place: field:` and contains `hint`.
fn blames(text: &str, place_and_field: &str, hint: &str) {
    let m = refusal(text);
    assert!(m.starts_with(place_and_field), "expected `{place_and_field}`, got: {m}");
    assert!(m.contains(hint), "expected `{hint}` in: {m}");
}

#[test]
fn a_misspelt_kind_is_blamed_on_kind() {
    blames(&with_nodes(r#"{"id":"pay","kind":"servise","label":"Payments"}"#), "node `pay`: kind:", "servise");
}

#[test]
fn a_missing_kind_is_blamed_on_kind() {
    blames(&with_nodes(r#"{"id":"pay","label":"Payments","workers":3}"#), "node `pay`: kind:", "missing");
}

#[test]
fn a_kind_of_the_wrong_type_is_blamed_on_kind() {
    blames(&with_nodes(r#"{"id":"pay","kind":3,"label":"Payments"}"#), "node `pay`: kind:", "");
}

#[test]
fn a_missing_id_is_blamed_on_id() {
    blames(&with_nodes(r#"{"kind":"service","label":"Payments"}"#), "node #2: id:", "missing");
}

#[test]
fn an_unknown_via_is_blamed_on_via() {
    blames(&with_link(r#"{"id":"l1","from":"a","to":"b","via":"htp"}"#), "link `l1`: via:", "htp");
}

#[test]
fn a_missing_via_is_blamed_on_via() {
    blames(&with_link(r#"{"id":"l1","from":"a","to":"b"}"#), "link `l1`: via:", "missing");
}

#[test]
fn a_missing_from_or_to_is_blamed_on_it() {
    blames(&with_link(r#"{"id":"l1","to":"b","via":"http"}"#), "link `l1`: from:", "missing");
    blames(&with_link(r#"{"id":"l1","from":"a","via":"http","timeout_ms":5}"#), "link `l1`: to:", "missing");
}

#[test]
fn an_unknown_fault_kind_is_blamed_on_kind() {
    blames(&with_fault(r#"{"target":"a","kind":"explode","at_ms":5}"#), "fault #1: kind:", "explode");
}

#[test]
fn a_missing_fault_target_is_blamed_on_target() {
    blames(&with_fault(r#"{"kind":"crash","at_ms":5}"#), "fault #1: target:", "missing");
}

#[test]
fn a_field_of_the_wrong_type_is_still_blamed_on_that_field() {
    blames(&with_nodes(r#"{"id":"pay","kind":"service","workers":"8"}"#), "node `pay`: workers:", "");
    blames(
        &with_link(r#"{"id":"l1","from":"a","to":"b","via":"http","latency_ms":{"exp":"5"}}"#),
        "link `l1`: latency_ms:",
        "",
    );
    blames(
        &with_link(r#"{"id":"l1","from":"a","to":"b","via":"http","retry":{"attempts":"3"}}"#),
        "link `l1`: retry.attempts:",
        "",
    );
    blames(&with_fault(r#"{"target":"a","kind":"crash","at_ms":"soon"}"#), "fault #1: at_ms:", "");
}

#[test]
fn a_file_saved_with_a_byte_order_mark_opens() {
    let text = format!("\u{feff}{}", with_nodes(r#"{"id":"pay","kind":"service"}"#));
    let s = load::load(&text).expect("a UTF-8 BOM is not part of the JSON");
    assert_eq!(s.nodes.len(), 2);
}

#[test]
fn too_many_links_are_refused_before_any_is_named() {
    // Each link without an id gets the first free `l<n>`; naming 115,000 of
    // them checked every name against every id (76 s) before the cap said no.
    let links = vec![r#"{"from":"a","to":"b","via":"http"}"#; 115_000].join(",");
    let text = with_link(&links);
    let e = load::parse(&text).expect_err("above the cap");
    let m = e.to_string();
    assert!(m.starts_with("links:") && m.contains(&caps::LINKS.to_string()), "{m}");
}

#[test]
fn links_without_ids_are_named_in_order_skipping_taken_names() {
    let nodes: Vec<String> = (0..3).map(|i| format!(r#"{{"id":"l{}","kind":"service"}}"#, i * 2 + 1)).collect();
    let links = vec![r#"{"from":"a","to":"l1","via":"http"}"#; caps::LINKS - 1].join(",");
    let text = format!(
        r#"{{"crosstalk":1,"nodes":[{{"id":"a","kind":"client"}},{}],"links":[{links},{{"id":"l2","from":"a","to":"l3","via":"http"}}]}}"#,
        nodes.join(",")
    );
    let s = load::parse(&text).expect("at the cap");
    let ids: Vec<&str> = s.links.iter().map(|l| l.id.as_str()).collect();
    // l1, l3 and l5 are nodes and l2 a link: the free names are l4, l6, l7...
    assert_eq!(&ids[..4], &["l4", "l6", "l7", "l8"]);
    assert_eq!(ids[caps::LINKS - 2], format!("l{}", caps::LINKS + 3));
    let unique: std::collections::BTreeSet<&str> = ids.iter().copied().collect();
    assert_eq!(unique.len(), ids.len());
}

#[test]
fn huge_numbers_are_shown_short() {
    let m = refusal(&with_nodes(r#"{"id":"c2","kind":"client","rate_per_s":1e308}"#));
    assert_eq!(m, "node `c2`: rate_per_s: 1e308 is above the limit of 1000000");
}
