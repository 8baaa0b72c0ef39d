//! The one error type of the selection language and its rendering. The messages themselves are
//! built in `diagnostics.rs`, one constructor per mistake.

use std::fmt;

/// What went wrong, for callers that branch on it (the text is in [`SelectionError::message`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SelectionErrorKind {
    /// The text is not a valid selection: a stray character, a missing term or operator, an
    /// unbalanced parenthesis, an empty expression, a malformed key pattern or name.
    Syntax,
    /// A `PREFIX:` other than `key:`, `tag:`, `group:`, `kind:`, `owner:` or `status:`.
    UnknownSelector,
    /// An exact key (no `*`) that names no asset.
    UnknownKey,
    /// A `tag:`/`group:`/`kind:`/`owner:` name (no `*`) that matches no label of that type.
    UnknownLabel,
    /// A depth before or after `+` that is not a whole number or does not fit in 32 bits.
    BadDepth,
    /// A `status:` value other than `missing`, `stale` or `fresh`.
    BadStatus,
    /// The input is longer than [`MAX_SELECTION_LEN`](super::MAX_SELECTION_LEN) or nests deeper
    /// than [`MAX_NESTING`](super::MAX_NESTING).
    Limit,
}

/// An invalid selection, pointing at the column where the problem is.
///
/// `Display` renders the message, the expression with a caret under the column, and a hint:
///
/// ```text
/// invalid selection: expected a term after 'and', found end of input
///   raw/orders and
///                 ^ here (column 15)
///   help: a term is a key pattern, '*', or key:/tag:/group:/kind:/owner:/status: followed by a name
/// ```
///
/// # Example
/// ```
/// use rivers_planner::select::{Selection, SelectionErrorKind};
/// let err = Selection::parse("raw/orders and").unwrap_err();
/// assert_eq!((err.kind, err.column, err.span_len), (SelectionErrorKind::Syntax, 15, 0));
/// assert!(err.to_string().contains("^ here (column 15)"));
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct SelectionError {
    /// What went wrong.
    pub kind: SelectionErrorKind,
    /// The whole expression that failed.
    pub source: String,
    /// 1-based column, counted in characters; `source.chars().count() + 1` means end of input.
    pub column: usize,
    /// Length in characters of the offending text (0 at end of input).
    pub span_len: usize,
    /// One-line description, without the `invalid selection:` prefix.
    pub message: String,
    /// How to fix it, when there is something useful to say.
    pub help: Option<String>,
}

impl std::error::Error for SelectionError {}

/// Longest excerpt of the expression shown above the caret.
const WINDOW: usize = 80;

impl fmt::Display for SelectionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "invalid selection: {}", self.message)?;
        // Whitespace other than ' ' would break the caret alignment: show it as a space.
        let chars: Vec<char> = self
            .source
            .chars()
            .map(|c| if c.is_whitespace() { ' ' } else { c })
            .collect();
        let at = self.column.saturating_sub(1).min(chars.len());
        let (start, end) = if chars.len() <= WINDOW {
            (0, chars.len())
        } else {
            let start = at.saturating_sub(WINDOW / 2).min(chars.len() - WINDOW);
            (start, start + WINDOW)
        };
        let lead = if start > 0 { "…" } else { "" };
        let tail = if end < chars.len() { "…" } else { "" };
        let excerpt: String = chars[start..end].iter().collect();
        writeln!(f, "  {lead}{excerpt}{tail}")?;
        let pad = at - start + lead.chars().count();
        let carets = self.span_len.clamp(1, (end + 1 - at).max(1));
        write!(
            f,
            "  {}{} here (column {})",
            " ".repeat(pad),
            "^".repeat(carets),
            self.column
        )?;
        if let Some(help) = &self.help {
            write!(f, "\n  help: {help}")?;
        }
        Ok(())
    }
}

/// Byte range of the offending text in the expression.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Span {
    pub start: usize,
    pub end: usize,
}

impl Span {
    pub(crate) fn new(start: usize, end: usize) -> Span {
        Span { start, end }
    }
}

/// Builds an error, converting the byte span into a character column. Only `diagnostics.rs`
/// calls this, so every message is written in one place.
pub(crate) fn error(
    kind: SelectionErrorKind,
    src: &str,
    span: Span,
    message: String,
    help: Option<String>,
) -> SelectionError {
    let start = floor_char_boundary(src, span.start);
    let end = floor_char_boundary(src, span.end.max(start));
    SelectionError {
        kind,
        source: src.to_owned(),
        column: src[..start].chars().count() + 1,
        span_len: src[start..end].chars().count(),
        message,
        help,
    }
}

fn floor_char_boundary(src: &str, mut i: usize) -> usize {
    i = i.min(src.len());
    while !src.is_char_boundary(i) {
        i -= 1;
    }
    i
}
