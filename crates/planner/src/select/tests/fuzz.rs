//! Fuzzing the parser: arbitrary text and token soup never panic, and every error points inside
//! the input.

use proptest::prelude::*;

use super::graph::warehouse;
use crate::select::Selection;

/// Parse and evaluate arbitrary text: must not panic, and errors point inside the input.
fn check_robust(src: &str) {
    let chars = src.chars().count();
    let check = |e: &crate::select::SelectionError| {
        assert!(
            e.column >= 1 && e.column + e.span_len <= chars + 1,
            "{src:?}: {e:?}"
        );
        assert_eq!(e.source, src);
        assert!(e.to_string().starts_with("invalid selection: "));
    };
    match Selection::parse(src) {
        Err(e) => check(&e),
        Ok(s) => {
            let text = s.to_string();
            let again =
                Selection::parse(&text).unwrap_or_else(|e| panic!("{src:?} -> {text:?}: {e}"));
            assert_eq!(again.to_string(), text);
            match s.evaluate(&warehouse()) {
                Ok(v) => assert_eq!(v.len(), 8),
                Err(e) => check(&e),
            }
        }
    }
}

const VOCAB: [&str; 32] = [
    "(",
    ")",
    "+",
    "and",
    "or",
    "not",
    "*",
    "raw/*",
    "raw/orders",
    "key:",
    "key:and",
    "tag:",
    "pii",
    "tag:pii",
    "=",
    "true",
    "2",
    "0",
    "99999999999",
    "4294967296",
    "status:",
    "fresh",
    "status:old",
    "foo:",
    "group:raw",
    "kind:",
    "owner:ana",
    "/",
    "x",
    "_daily",
    "é",
    ":",
];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(3000))]

    #[test]
    fn parser_survives_arbitrary_text(src in any::<String>()) {
        check_robust(&src);
    }

    #[test]
    fn parser_survives_printable_ascii(src in "[ -~\t\n]{0,60}") {
        check_robust(&src);
    }

    #[test]
    fn parser_survives_token_soup(parts in prop::collection::vec((0..VOCAB.len(), any::<bool>()), 0..24)) {
        let src: String = parts.iter().map(|&(i, sp)| format!("{}{}", VOCAB[i], if sp { " " } else { "" })).collect();
        check_robust(&src);
    }
}
