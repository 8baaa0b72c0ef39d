//! Every message a user can read, rendered and snapshotted (`tests/snapshots/`). These tests exist
//! to keep the messages informative: each names the column, what was expected, and a fix.

use insta::assert_snapshot;

use super::graph::warehouse;
use crate::select::{select_union, Selection};

fn parse_err(src: &str) -> String {
    Selection::parse(src).expect_err(src).to_string()
}

fn eval_err(src: &str) -> String {
    warehouse().try_select(src).expect_err(src).to_string()
}

#[test]
fn unexpected_character() {
    assert_snapshot!("unexpected_ampersand", parse_err("raw/orders & tag:pii"));
    assert_snapshot!("unexpected_comma", parse_err("raw/orders, raw/customers"));
    assert_snapshot!("unexpected_quote", parse_err("\"raw/orders\""));
    assert_snapshot!("unexpected_non_ascii", parse_err("raw/kunden_ü"));
}

#[test]
fn parentheses() {
    assert_snapshot!("unclosed_paren", parse_err("(raw/orders or tag:pii"));
    assert_snapshot!("unmatched_close", parse_err("raw/orders) and tag:pii"));
    assert_snapshot!("empty_parens", parse_err("()"));
    assert_snapshot!(
        "too_deep",
        parse_err(&format!("{}a{}", "(".repeat(256), ")".repeat(256)))
    );
}

#[test]
fn empty_and_too_long() {
    assert_snapshot!("empty", parse_err("   "));
    assert_snapshot!("too_long", parse_err(&"raw/orders or ".repeat(5000)));
}

#[test]
fn missing_term() {
    assert_snapshot!("missing_after_and", parse_err("raw/orders and"));
    assert_snapshot!(
        "missing_after_or_keyword",
        parse_err("raw/orders or or tag:pii")
    );
    assert_snapshot!("missing_after_not", parse_err("raw/orders and not"));
    assert_snapshot!("missing_after_plus", parse_err("raw/orders or +"));
    assert_snapshot!("missing_after_depth", parse_err("2+"));
    assert_snapshot!("plus_before_not", parse_err("+not raw/orders"));
    assert_snapshot!("double_plus", parse_err("++raw/orders"));
}

#[test]
fn missing_operator() {
    assert_snapshot!("plus_between_terms", parse_err("raw/orders+stg/orders"));
    assert_snapshot!("two_terms", parse_err("raw/orders stg/orders"));
    assert_snapshot!("term_then_not", parse_err("raw/* not tag:pii"));
    assert_snapshot!("term_in_parens", parse_err("(raw/orders stg/orders)"));
}

#[test]
fn selectors() {
    assert_snapshot!("unknown_selector", parse_err("foo:bar"));
    assert_snapshot!("unknown_selector_close", parse_err("raw/* and tags:pii"));
    assert_snapshot!("missing_key_pattern", parse_err("key:"));
    assert_snapshot!("missing_tag_value", parse_err("tag:pii="));
    assert_snapshot!("group_with_value", parse_err("group:mart=1"));
    assert_snapshot!("empty_segment", parse_err("raw//orders"));
    assert_snapshot!("invalid_char_in_key", parse_err("raw/orders=1"));
}

#[test]
fn bad_depth() {
    assert_snapshot!("depth_too_large", parse_err("99999999999+raw/orders"));
    assert_snapshot!("depth_overflows_u32", parse_err("raw/orders+4294967296"));
    assert_snapshot!("depth_not_a_number", parse_err("0x+raw/orders"));
    assert_snapshot!("depth_after_not_a_number", parse_err("raw/orders+1x"));
}

#[test]
fn bad_status() {
    assert_snapshot!("status_unknown", parse_err("status:old"));
    assert_snapshot!("status_case", parse_err("status:Stale"));
    assert_snapshot!("status_empty", parse_err("status:"));
}

#[test]
fn unknown_key() {
    assert_snapshot!("unknown_key_close", eval_err("+raw/ordrs"));
    assert_snapshot!("unknown_key_far", eval_err("raw/* or zzz"));
    assert_snapshot!("unknown_key_is_a_group", eval_err("staging"));
    assert_snapshot!("unknown_key_prefixed", eval_err("key:stg/order"));
}

#[test]
fn unknown_label() {
    assert_snapshot!("unknown_group_close", eval_err("group:marts"));
    assert_snapshot!("unknown_tag_far", eval_err("tag:secret"));
    assert_snapshot!("unknown_tag_value", eval_err("tag:env=staging"));
    assert_snapshot!("unknown_kind", eval_err("kind:sql"));
    assert_snapshot!("unknown_owner", eval_err("owner:anna"));
}

#[test]
fn long_expression_is_windowed() {
    let src = format!(
        "{}raw/orders and and {}stg/*",
        "raw/* or ".repeat(20),
        "stg/* or ".repeat(20)
    );
    assert_snapshot!("windowed", parse_err(&src));
}

#[test]
fn union_reports_the_failing_argument() {
    let g = warehouse();
    let err = select_union(&["raw/*", "stg/ordres"], &g).expect_err("unknown key");
    assert_snapshot!("union_unknown_key", err.to_string());
}
