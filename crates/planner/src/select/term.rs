//! One word of the input turned into a [`Term`]: `*`, a key pattern, or `PREFIX:NAME`.

use super::ast::{LabelPrefix, Term, TermKind};
use super::diagnostics::{self as diag, SELECTORS};
use super::error::{SelectionError, Span};
use super::{suggest, Status};

/// Parse the word `text`, found at `span` in `src`.
pub(crate) fn parse_term(src: &str, text: &str, span: Span) -> Result<Term, SelectionError> {
    let kind = if text == "*" {
        TermKind::All
    } else if let Some(colon) = text.find(':') {
        let prefix = &text[..colon];
        let rest = &text[colon + 1..];
        let rest_at = span.start + colon + 1;
        let end = Span::new(span.end, span.end);
        match prefix {
            "key" if rest.is_empty() => {
                return Err(diag::missing_name(src, "key:", "key pattern", end))
            }
            "key" => TermKind::Key(key_pattern(src, rest, rest_at)?),
            "status" => TermKind::Status(match rest {
                "missing" => Status::Missing,
                "stale" => Status::Stale,
                "fresh" => Status::Fresh,
                _ => return Err(diag::bad_status(src, rest, Span::new(rest_at, span.end))),
            }),
            "tag" => {
                let (name, value) = match rest.split_once('=') {
                    Some((n, v)) => (n, Some(v)),
                    None => (rest, None),
                };
                if name.is_empty() {
                    let at = Span::new(rest_at, rest_at);
                    return Err(diag::missing_name(src, "tag:", "tag name", at));
                }
                let name = label_name(src, name, "tag name", rest_at)?;
                let value = match value {
                    Some("") => {
                        let after = format!("tag:{name}=");
                        return Err(diag::missing_name(src, &after, "tag value", end));
                    }
                    Some(v) => Some(label_name(src, v, "tag value", rest_at + name.len() + 1)?),
                    None => None,
                };
                TermKind::Label {
                    prefix: LabelPrefix::Tag,
                    name,
                    value,
                }
            }
            "group" | "kind" | "owner" => {
                let prefix = match prefix {
                    "group" => LabelPrefix::Group,
                    "kind" => LabelPrefix::Kind,
                    _ => LabelPrefix::Owner,
                };
                let p = prefix.as_str();
                if rest.is_empty() {
                    return Err(diag::missing_name(
                        src,
                        &format!("{p}:"),
                        &format!("{p} name"),
                        end,
                    ));
                }
                if rest.contains('=') {
                    return Err(diag::label_takes_no_value(
                        src,
                        p,
                        Span::new(rest_at, span.end),
                    ));
                }
                let name = label_name(src, rest, &format!("{p} name"), rest_at)?;
                TermKind::Label {
                    prefix,
                    name,
                    value: None,
                }
            }
            _ => {
                let closest = suggest::closest(prefix, SELECTORS);
                let at = Span::new(span.start, rest_at);
                return Err(diag::unknown_selector(src, prefix, at, closest));
            }
        }
    } else {
        TermKind::Key(key_pattern(src, text, span.start)?)
    };
    Ok(Term { kind, span })
}

/// A key pattern: non-empty segments of `[A-Za-z0-9_.-*]` separated by `/`.
fn key_pattern(src: &str, pattern: &str, at: usize) -> Result<String, SelectionError> {
    for (i, c) in pattern.char_indices() {
        if !(c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-' | '*' | '/')) {
            return Err(diag::invalid_char_in(
                src,
                c,
                "key pattern",
                pattern,
                at + i,
            ));
        }
    }
    if pattern.split('/').any(str::is_empty) {
        let span = Span::new(at, at + pattern.len());
        return Err(diag::empty_segment(src, pattern, span));
    }
    Ok(pattern.to_owned())
}

/// A label name or tag value: `[A-Za-z0-9_.-/*@:]`, so `owner:team:data` and `owner:a@b.io` work.
fn label_name(src: &str, name: &str, what: &str, at: usize) -> Result<String, SelectionError> {
    match name.char_indices().find(|&(_, c)| c == '=') {
        Some((i, c)) => Err(diag::invalid_char_in(src, c, what, name, at + i)),
        None => Ok(name.to_owned()),
    }
}
