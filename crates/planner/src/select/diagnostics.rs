//! Every message of the selection language, one constructor per mistake (oxc style). The lexer,
//! parser and evaluator only call these functions; no message text is written anywhere else.

use super::error::{error, SelectionError, SelectionErrorKind, Span};

/// How a token is named in messages: `end of input`, `')'`, `'raw/orders'`.
pub(crate) fn describe(text: Option<&str>) -> String {
    match text {
        None => "end of input".to_owned(),
        Some(t) if t.chars().count() > 40 => {
            format!("'{}…'", t.chars().take(40).collect::<String>())
        }
        Some(t) => format!("'{t}'"),
    }
}

const TERM_HELP: &str =
    "a term is a key pattern, '*', or key:/tag:/group:/kind:/owner:/status: followed by a name";

// ---- limits ------------------------------------------------------------------------------------

pub(crate) fn too_long(src: &str, limit: usize) -> SelectionError {
    error(
        SelectionErrorKind::Limit,
        src,
        Span::new(0, 0),
        format!(
            "selection is {} bytes long; the limit is {limit}",
            src.len()
        ),
        Some(
            "pass several shorter selections, or select by tag:/group: instead of listing keys"
                .into(),
        ),
    )
}

pub(crate) fn too_deep(src: &str, at: Span, limit: usize) -> SelectionError {
    error(
        SelectionErrorKind::Limit,
        src,
        at,
        format!("selection nests too deeply (more than {limit} levels of parentheses)"),
        Some("remove redundant parentheses".into()),
    )
}

// ---- lexical -----------------------------------------------------------------------------------

pub(crate) fn unexpected_char(src: &str, at: usize, c: char) -> SelectionError {
    let help = match c {
        '&' => "write 'and' to intersect selections".to_owned(),
        '|' => "write 'or' to combine selections".to_owned(),
        '!' | '~' => "write 'not' to exclude a selection".to_owned(),
        ',' | ';' => "write 'or' between selections, or pass them as separate arguments".to_owned(),
        '"' | '\'' | '`' => "keys and names are written without quotes".to_owned(),
        '[' | ']' | '{' | '}' => "group with '(' and ')'".to_owned(),
        _ => "keys and names use only A-Z a-z 0-9 _ - . / and '*' as a wildcard".to_owned(),
    };
    error(
        SelectionErrorKind::Syntax,
        src,
        Span::new(at, at + c.len_utf8()),
        format!("unexpected character {}", quote_char(c)),
        Some(help),
    )
}

fn quote_char(c: char) -> String {
    if c.is_control() {
        format!("{:?}", c)
    } else {
        format!("'{c}'")
    }
}

// ---- structure ---------------------------------------------------------------------------------

pub(crate) fn empty_selection(src: &str) -> SelectionError {
    error(
        SelectionErrorKind::Syntax,
        src,
        Span::new(0, 0),
        "empty selection".into(),
        Some("write '*' to select every asset".into()),
    )
}

/// `after` is the text of the previous token (`and`, `(`, `2+`), `None` at the start.
pub(crate) fn missing_term(
    src: &str,
    after: Option<&str>,
    found: Option<&str>,
    at: Span,
) -> SelectionError {
    let message = match after {
        Some(a) => format!("expected a term after '{a}', found {}", describe(found)),
        None => format!("expected a term, found {}", describe(found)),
    };
    let plus = after.is_some_and(|a| a.ends_with('+'));
    let help = match found {
        Some(k @ ("and" | "or" | "not")) if plus && k == "not" => {
            "'+' applies to a term or a parenthesised selection: write +(not x)".to_owned()
        }
        Some(k @ ("and" | "or" | "not")) => {
            format!("'{k}' is a keyword; a key named '{k}' is written key:{k}")
        }
        Some("+") if plus => "write a single '+' on each side of a term".to_owned(),
        _ if plus
            && after.is_some_and(|a| {
                a.len() > 1 && a.bytes().all(|b| b.is_ascii_digit() || b == b'+')
            }) =>
        {
            let digits = after.unwrap_or_default().trim_end_matches('+');
            format!("'{digits}+' is a depth prefix and needs a term, as in {digits}+raw/orders; a key made of digits is written key:{digits}")
        }
        _ => TERM_HELP.to_owned(),
    };
    error(SelectionErrorKind::Syntax, src, at, message, Some(help))
}

pub(crate) fn unclosed_paren(src: &str, open: Span) -> SelectionError {
    error(
        SelectionErrorKind::Syntax,
        src,
        open,
        "unclosed '('".into(),
        Some("add a matching ')'".into()),
    )
}

pub(crate) fn unmatched_close(src: &str, at: Span) -> SelectionError {
    error(
        SelectionErrorKind::Syntax,
        src,
        at,
        "unmatched ')'".into(),
        Some("remove it, or add a matching '(' before it".into()),
    )
}

/// A complete atom was followed by something that is not `and`, `or`, `)` or the end.
pub(crate) fn expected_operator(
    src: &str,
    found: &str,
    at: Span,
    in_parens: bool,
    after_plus: bool,
) -> SelectionError {
    let expected = if in_parens {
        "'and', 'or' or ')'"
    } else {
        "'and', 'or' or end of input"
    };
    let help = if after_plus || found == "+" {
        "'+' belongs to the term beside it, so 'a+b' is not a selection: write 'a+ or +b' for both, or 'a+ and +b' for what lies between"
    } else if found == "not" {
        "to exclude a selection, write 'a and not b'"
    } else if found == "(" {
        "join the parenthesised selection with 'and' or 'or'"
    } else {
        "join terms with 'and' or 'or', e.g. 'raw/* or tag:pii'"
    };
    error(
        SelectionErrorKind::Syntax,
        src,
        at,
        format!("expected {expected}, found {}", describe(Some(found))),
        Some(help.into()),
    )
}

// ---- terms -------------------------------------------------------------------------------------

pub(crate) const SELECTORS: [&str; 6] = ["key", "tag", "group", "kind", "owner", "status"];

pub(crate) fn unknown_selector(
    src: &str,
    prefix: &str,
    at: Span,
    closest: Option<&str>,
) -> SelectionError {
    let help = match closest {
        Some(c) => format!("did you mean '{c}:'? A key never contains ':'"),
        None => "a key never contains ':'; keys are written as is, e.g. raw/orders".into(),
    };
    error(
        SelectionErrorKind::UnknownSelector,
        src,
        at,
        format!(
            "unknown selector '{prefix}:'; expected one of key:, tag:, group:, kind:, owner:, status:"
        ),
        Some(help),
    )
}

/// `what` names the missing part: "key pattern", "tag name", "group name", "tag value".
pub(crate) fn missing_name(src: &str, after: &str, what: &str, at: Span) -> SelectionError {
    error(
        SelectionErrorKind::Syntax,
        src,
        at,
        format!("expected a {what} after '{after}'"),
        Some(format!(
            "write it without spaces, e.g. {after}{}",
            example_for(what)
        )),
    )
}

fn example_for(what: &str) -> &'static str {
    match what {
        "key pattern" => "raw/orders",
        "tag name" => "pii",
        "tag value" => "true",
        "group name" => "finance",
        "kind name" => "dbt",
        _ => "data-team",
    }
}

/// `what` is "key pattern" or "name".
pub(crate) fn invalid_char_in(
    src: &str,
    c: char,
    what: &str,
    word: &str,
    at: usize,
) -> SelectionError {
    let help = match c {
        '=' => "only tag: takes a value, as in tag:env=prod".to_owned(),
        ':' => "':' only follows a selector such as key: or tag:".to_owned(),
        _ => "key patterns use only A-Z a-z 0-9 _ - . / and '*'".to_owned(),
    };
    error(
        SelectionErrorKind::Syntax,
        src,
        Span::new(at, at + c.len_utf8()),
        format!("invalid character {} in {what} '{word}'", quote_char(c)),
        Some(help),
    )
}

pub(crate) fn empty_segment(src: &str, pattern: &str, at: Span) -> SelectionError {
    error(
        SelectionErrorKind::Syntax,
        src,
        at,
        format!("key pattern '{pattern}' has an empty segment"),
        Some("segments are separated by a single '/', with none at the start or end".into()),
    )
}

pub(crate) fn label_takes_no_value(src: &str, prefix: &str, at: Span) -> SelectionError {
    error(
        SelectionErrorKind::Syntax,
        src,
        at,
        format!("'{prefix}:' takes a name, not NAME=VALUE"),
        Some("only tag: takes a value, as in tag:env=prod".into()),
    )
}

pub(crate) fn bad_depth_not_number(src: &str, text: &str, at: Span) -> SelectionError {
    error(
        SelectionErrorKind::BadDepth,
        src,
        at,
        format!("invalid depth '{text}': a depth is a whole number"),
        Some(
            "write the depth in decimal digits beside '+', as in 2+raw/orders or raw/orders+1"
                .into(),
        ),
    )
}

pub(crate) fn bad_depth_overflow(src: &str, text: &str, at: Span) -> SelectionError {
    error(
        SelectionErrorKind::BadDepth,
        src,
        at,
        format!(
            "depth {text} is too large; the largest depth is {}",
            u32::MAX
        ),
        Some("leave the number out to follow every level, as in +raw/orders".into()),
    )
}

pub(crate) fn bad_status(src: &str, value: &str, at: Span) -> SelectionError {
    let help = match value.to_ascii_lowercase().as_str() {
        v @ ("missing" | "stale" | "fresh") => {
            format!("did you mean 'status:{v}'? Statuses are lowercase")
        }
        _ => {
            "missing: never built; stale: code, config or inputs changed; fresh: up to date".into()
        }
    };
    let message = if value.is_empty() {
        "expected missing, stale or fresh after 'status:'".to_owned()
    } else {
        format!("unknown status '{value}'; expected missing, stale or fresh")
    };
    error(SelectionErrorKind::BadStatus, src, at, message, Some(help))
}

// ---- evaluation --------------------------------------------------------------------------------

/// `suggestion` is a ready-to-type term (`raw/orders`, `group:finance`).
pub(crate) fn unknown_key(
    src: &str,
    key: &str,
    at: Span,
    suggestion: Option<&str>,
) -> SelectionError {
    let help = match suggestion {
        Some(s) => format!("did you mean '{s}'?"),
        None => {
            "check the key, or use a wildcard such as raw/* (a wildcard may match nothing)".into()
        }
    };
    error(
        SelectionErrorKind::UnknownKey,
        src,
        at,
        format!("no asset has the key '{key}'"),
        Some(help),
    )
}

/// `prefix` is `tag`, `group`, `kind` or `owner`; `name` is what followed it (`pii`, `env=prod`).
/// `suggestion` is a close existing name; otherwise `existing` lists some names of that type.
pub(crate) fn unknown_label(
    src: &str,
    prefix: &str,
    name: &str,
    at: Span,
    suggestion: Option<&str>,
    existing: &[&str],
    more: bool,
) -> SelectionError {
    let message = match prefix {
        "group" => format!("no asset is in group '{name}'"),
        "owner" => format!("no asset is owned by '{name}'"),
        _ => format!("no asset has {prefix} '{name}'"),
    };
    let help = if let Some(s) = suggestion {
        format!("did you mean '{prefix}:{s}'?")
    } else if existing.is_empty() {
        format!("no asset has any {prefix}; label assets with {prefix}: in their definitions")
    } else {
        let ellipsis = if more { ", …" } else { "" };
        format!("existing {prefix}s: {}{ellipsis}", existing.join(", "))
    };
    error(
        SelectionErrorKind::UnknownLabel,
        src,
        at,
        message,
        Some(help),
    )
}
