//! Parsing: precedence, every term form, depths, wildcards, canonical text.

use crate::select::{Selection, SelectionErrorKind};

/// Canonical text of `src` (fully parenthesised where it matters).
fn canon(src: &str) -> String {
    Selection::parse(src)
        .unwrap_or_else(|e| panic!("{src}: {e}"))
        .to_string()
}

fn kind(src: &str) -> SelectionErrorKind {
    Selection::parse(src).expect_err(src).kind
}

#[test]
fn precedence_not_and_or() {
    assert_eq!(canon("a or b and not c"), "a or (b and not c)");
    assert_eq!(canon("not a and b"), "not a and b");
    assert_eq!(canon("a and b or c and d"), "(a and b) or (c and d)");
    assert_eq!(canon("(a or b) and c"), "(a or b) and c");
    assert_eq!(canon("not (a or b)"), "not (a or b)");
    assert_eq!(canon("a or b or c"), "a or b or c");
    assert_eq!(canon("((a))"), "a");
}

#[test]
fn not_chains_collapse() {
    assert_eq!(canon("not not a"), "a");
    assert_eq!(canon("not not not a"), "not a");
    let many = format!("{}a", "not ".repeat(10_001));
    assert_eq!(canon(&many), "not a");
}

#[test]
fn term_forms() {
    assert_eq!(canon("*"), "*");
    assert_eq!(canon("raw/orders"), "raw/orders");
    assert_eq!(canon("key:raw/orders"), "raw/orders");
    assert_eq!(canon("key:and"), "key:and");
    assert_eq!(canon("2024"), "key:2024");
    assert_eq!(canon("tag:pii"), "tag:pii");
    assert_eq!(canon("tag:pii=true"), "tag:pii=true");
    assert_eq!(canon("group:raw"), "group:raw");
    assert_eq!(canon("kind:dbt"), "kind:dbt");
    assert_eq!(canon("owner:ana@example.com"), "owner:ana@example.com");
    assert_eq!(canon("owner:team:data"), "owner:team:data");
    assert_eq!(
        canon("status:missing or status:stale or status:fresh"),
        "status:missing or status:stale or status:fresh"
    );
    assert_eq!(canon("a.b-c_d/E9"), "a.b-c_d/E9");
}

#[test]
fn wildcards() {
    assert_eq!(canon("raw/*"), "raw/*");
    assert_eq!(canon("*_daily"), "*_daily");
    assert_eq!(canon("key:*/orders"), "*/orders");
    assert_eq!(canon("**"), "**");
    assert_eq!(canon("group:ma*"), "group:ma*");
    assert_eq!(canon("tag:env=*"), "tag:env=*");
}

#[test]
fn depth_forms() {
    assert_eq!(canon("+a"), "+a");
    assert_eq!(canon("2+a"), "2+a");
    assert_eq!(canon("a+"), "a+");
    assert_eq!(canon("a+1"), "a+1");
    assert_eq!(canon("2+a+3"), "2+a+3");
    assert_eq!(canon("+a+"), "+a+");
    assert_eq!(canon("0+a+0"), "0+a+0");
    assert_eq!(canon("007+a"), "7+a");
    assert_eq!(canon("4294967295+a"), "4294967295+a");
    assert_eq!(canon("+(a or b)"), "+(a or b)");
    assert_eq!(canon("(a or b)+2"), "(a or b)+2");
    assert_eq!(canon("2+(not a)+"), "2+(not a)+");
    assert_eq!(canon("+(+a)"), "+(+a)");
    assert_eq!(canon("key:2024+"), "key:2024+");
    assert_eq!(canon("a+ or +b"), "a+ or +b");
    assert_eq!(canon("+a+ and not tag:pii"), "+a+ and not tag:pii");
    assert_eq!(canon("not +a"), "not +a");
}

#[test]
fn whitespace_separates_tokens() {
    assert_eq!(canon("  a\tor\nb  "), "a or b");
    assert_eq!(canon("2 + a + 1"), "2+a+1");
    assert_eq!(canon("(a)or(b)"), "a or b");
    assert_eq!(canon("a\u{a0}or b"), "a or b");
}

#[test]
fn keywords_are_case_sensitive() {
    assert_eq!(canon("AND or Or"), "AND or Or");
    assert_eq!(kind("and"), SelectionErrorKind::Syntax);
}

#[test]
fn uses_status() {
    assert!(Selection::parse("status:stale")
        .expect("parses")
        .uses_status());
    assert!(Selection::parse("a or +(b and not status:missing)+")
        .expect("parses")
        .uses_status());
    assert!(!Selection::parse("a or tag:status")
        .expect("parses")
        .uses_status());
}

#[test]
fn source_is_kept() {
    assert_eq!(
        Selection::parse(" a  or b").expect("parses").source(),
        " a  or b"
    );
}

#[test]
fn error_kinds() {
    use SelectionErrorKind::*;
    for (src, want) in [
        ("a & b", Syntax),
        ("(a", Syntax),
        ("a)", Syntax),
        ("", Syntax),
        ("a and", Syntax),
        ("a+b", Syntax),
        ("a b", Syntax),
        ("a++", Syntax),
        ("++a", Syntax),
        ("2+", Syntax),
        ("raw//x", Syntax),
        ("/x", Syntax),
        ("x/", Syntax),
        ("a=b", Syntax),
        ("key:", Syntax),
        ("key:a:b", Syntax),
        ("group:", Syntax),
        ("group:a=b", Syntax),
        ("tag:=x", Syntax),
        ("tag:pii=", Syntax),
        ("tag:a=b=c", Syntax),
        ("foo:bar", UnknownSelector),
        (":x", UnknownSelector),
        ("99999999999+x", BadDepth),
        ("4294967296+x", BadDepth),
        ("0x+a", BadDepth),
        ("a+1x", BadDepth),
        ("a+4294967296", BadDepth),
        ("status:old", BadStatus),
        ("status:", BadStatus),
        ("status:Fresh", BadStatus),
    ] {
        assert_eq!(kind(src), want, "{src}");
    }
}

#[test]
fn limits() {
    let deep = format!("{}a{}", "(".repeat(129), ")".repeat(129));
    assert_eq!(kind(&deep), SelectionErrorKind::Limit);
    let deep = format!("{}a{}", "(".repeat(256), ")".repeat(256));
    let err = Selection::parse(&deep).expect_err("too deep");
    assert_eq!(err.kind, SelectionErrorKind::Limit);
    assert_eq!(err.column, 129);
    let ok = format!("{}a{}", "(".repeat(128), ")".repeat(128));
    assert_eq!(canon(&ok), "a");
    let long = "a ".repeat(40_000);
    assert_eq!(kind(&long), SelectionErrorKind::Limit);
    let long_ok = format!("{}a", " ".repeat(64 * 1024 - 1));
    assert_eq!(canon(&long_ok), "a");
}

#[test]
fn columns_count_characters() {
    let err = Selection::parse("é and ü").expect_err("non-ascii");
    assert_eq!((err.column, err.span_len), (1, 1));
    let err = Selection::parse("ab and ü").expect_err("non-ascii");
    assert_eq!((err.column, err.span_len), (8, 1));
    let err = Selection::parse("raw/orders and").expect_err("missing term");
    assert_eq!((err.column, err.span_len), (15, 0));
}
