//! Evaluation on the hand-built warehouse graph (see `graph.rs` for its picture).

use super::graph::{warehouse, TestGraph};
use crate::select::{select_union, SelectionErrorKind, Status};

#[test]
fn keys_and_wildcards() {
    let g = warehouse();
    assert_eq!(g.select("raw/orders"), ["raw/orders"]);
    assert_eq!(g.select("key:raw/orders"), ["raw/orders"]);
    assert_eq!(
        g.select("raw/*"),
        ["raw/customers", "raw/events", "raw/orders"]
    );
    assert_eq!(
        g.select("*_daily"),
        ["mart/revenue_daily", "mart/users_daily"]
    );
    assert_eq!(g.select("*/orders"), ["raw/orders", "stg/orders"]);
    assert_eq!(
        g.select("*o*s*"),
        [
            "raw/customers",
            "raw/orders",
            "report/kpis",
            "stg/customers",
            "stg/orders"
        ]
    );
    assert_eq!(g.select("*").len(), 8);
    assert_eq!(g.select("**").len(), 8);
    assert!(
        g.select("nothing/*").is_empty(),
        "a wildcard that matches nothing is not an error"
    );
}

#[test]
fn tags_with_and_without_values() {
    let g = warehouse();
    assert_eq!(
        g.select("tag:pii"),
        ["raw/customers", "raw/orders", "stg/customers"]
    );
    assert_eq!(g.select("tag:pii=true"), ["raw/orders"]);
    assert_eq!(g.select("tag:pii=false"), ["stg/customers"]);
    assert_eq!(g.select("tag:env"), ["mart/revenue_daily", "raw/events"]);
    assert_eq!(g.select("tag:env=*"), ["mart/revenue_daily", "raw/events"]);
    assert_eq!(
        g.select("tag:p*"),
        ["raw/customers", "raw/orders", "stg/customers"]
    );
    assert!(g.select("tag:nothing*").is_empty());
}

#[test]
fn groups_kinds_owners() {
    let g = warehouse();
    assert_eq!(
        g.select("group:raw"),
        ["raw/customers", "raw/events", "raw/orders"]
    );
    assert_eq!(
        g.select("group:mart"),
        ["mart/revenue_daily", "mart/users_daily"]
    );
    assert_eq!(g.select("kind:dbt"), ["stg/customers", "stg/orders"]);
    assert_eq!(g.select("owner:ana"), ["raw/orders", "report/kpis"]);
    assert_eq!(g.select("owner:team:data"), ["report/kpis"]);
    assert_eq!(g.select("group:*ing"), ["stg/customers", "stg/orders"]);
}

#[test]
fn status_terms() {
    let g = warehouse();
    assert_eq!(
        g.select("status:fresh"),
        ["raw/customers", "raw/orders", "stg/customers"]
    );
    assert_eq!(
        g.select("status:stale"),
        ["mart/revenue_daily", "stg/orders"]
    );
    assert_eq!(
        g.select("status:missing"),
        ["mart/users_daily", "raw/events", "report/kpis"]
    );
}

#[test]
fn ancestors() {
    let g = warehouse();
    assert_eq!(
        g.select("+report/kpis"),
        [
            "mart/revenue_daily",
            "raw/customers",
            "raw/orders",
            "report/kpis",
            "stg/customers",
            "stg/orders"
        ]
    );
    assert_eq!(g.select("0+report/kpis"), ["report/kpis"]);
    assert_eq!(
        g.select("1+report/kpis"),
        ["mart/revenue_daily", "report/kpis"]
    );
    assert_eq!(
        g.select("2+report/kpis"),
        [
            "mart/revenue_daily",
            "report/kpis",
            "stg/customers",
            "stg/orders"
        ]
    );
    assert_eq!(g.select("+raw/orders"), ["raw/orders"]);
}

#[test]
fn descendants() {
    let g = warehouse();
    assert_eq!(
        g.select("raw/customers+"),
        [
            "mart/revenue_daily",
            "mart/users_daily",
            "raw/customers",
            "report/kpis",
            "stg/customers"
        ]
    );
    assert_eq!(
        g.select("raw/customers+1"),
        ["raw/customers", "stg/customers"]
    );
    assert_eq!(
        g.select("raw/customers+2"),
        [
            "mart/revenue_daily",
            "mart/users_daily",
            "raw/customers",
            "stg/customers"
        ]
    );
    assert_eq!(g.select("report/kpis+"), ["report/kpis"]);
}

#[test]
fn both_directions_and_groups() {
    let g = warehouse();
    assert_eq!(
        g.select("1+stg/orders+1"),
        ["mart/revenue_daily", "raw/orders", "stg/orders"]
    );
    // Ancestors and descendants both start from the inner selection, not from each other.
    assert_eq!(
        g.select("+(stg/orders or mart/users_daily)"),
        [
            "mart/users_daily",
            "raw/customers",
            "raw/orders",
            "stg/customers",
            "stg/orders"
        ]
    );
    assert_eq!(
        g.select("(group:raw and tag:pii)+1"),
        ["raw/customers", "raw/orders", "stg/customers", "stg/orders"]
    );
    // Several seeds walked in both directions at once.
    assert_eq!(g.select("+(raw/orders or mart/revenue_daily)+1").len(), 6);
}

#[test]
fn boolean_operators() {
    let g = warehouse();
    assert_eq!(g.select("group:raw and not tag:pii"), ["raw/events"]);
    assert_eq!(
        g.select("kind:dbt or owner:bo"),
        [
            "mart/revenue_daily",
            "mart/users_daily",
            "stg/customers",
            "stg/orders"
        ]
    );
    assert_eq!(
        g.select("+report/kpis and status:stale"),
        ["mart/revenue_daily", "stg/orders"]
    );
    assert_eq!(g.select("not *"), Vec::<&str>::new());
    assert_eq!(
        g.select("raw/* or stg/* and tag:pii"),
        ["raw/customers", "raw/events", "raw/orders", "stg/customers"]
    );
    assert_eq!(
        g.select("(raw/* or stg/*) and tag:pii"),
        ["raw/customers", "raw/orders", "stg/customers"]
    );
}

#[test]
fn unions() {
    let g = warehouse();
    let members = select_union(&["raw/orders", "tag:env=prod", "stg/orders+1"], &g).expect("valid");
    assert_eq!(
        g.keys_of(&members),
        ["mart/revenue_daily", "raw/orders", "stg/orders"]
    );
    let none = select_union(&[], &g).expect("empty union");
    assert_eq!(none, vec![false; 8]);
    let err = select_union(&["raw/*", "(", "zzz"], &g).expect_err("syntax error first");
    assert_eq!(err.kind, SelectionErrorKind::Syntax);
    assert_eq!(err.source, "(");
}

#[test]
fn unknown_names_are_errors_even_beside_matches() {
    let g = warehouse();
    for (src, kind) in [
        ("raw/orders or raw/ordrs", SelectionErrorKind::UnknownKey),
        ("* and not zzz", SelectionErrorKind::UnknownKey),
        ("tag:nope", SelectionErrorKind::UnknownLabel),
        ("tag:pii=maybe", SelectionErrorKind::UnknownLabel),
        ("group:nope or *", SelectionErrorKind::UnknownLabel),
        ("kind:raw", SelectionErrorKind::UnknownLabel),
        ("owner:team", SelectionErrorKind::UnknownLabel),
    ] {
        assert_eq!(g.try_select(src).expect_err(src).kind, kind, "{src}");
    }
}

#[test]
fn column_of_evaluation_errors() {
    let err = warehouse()
        .try_select("raw/* or +mart/revenue")
        .expect_err("unknown");
    assert_eq!((err.column, err.span_len), (11, 12));
}

#[test]
fn empty_graph() {
    let g = TestGraph::from_parts(vec![], vec![], vec![], vec![]);
    assert_eq!(
        g.try_select("* or raw/*+").expect("valid"),
        Vec::<bool>::new()
    );
    assert_eq!(
        g.try_select("status:stale").expect("valid"),
        Vec::<bool>::new()
    );
    assert_eq!(
        g.try_select("a").expect_err("unknown").kind,
        SelectionErrorKind::UnknownKey
    );
    let _ = Status::Fresh;
}
