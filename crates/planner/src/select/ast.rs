//! The parsed form of a selection, and its canonical text (`Display`).

use std::fmt;

use super::error::Span;
use super::Status;

/// How far a `+` walks: `None` follows every level, `Some(d)` at most `d` edges.
pub(crate) type Depth = Option<u32>;

/// A selection expression. `Or`/`And` hold at least two operands.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Expr {
    Or(Vec<Expr>),
    And(Vec<Expr>),
    Not(Box<Expr>),
    /// `[N]+inner+[N]`: `up` adds ancestors, `down` adds descendants (both from `inner`).
    Walk {
        inner: Box<Expr>,
        up: Option<Depth>,
        down: Option<Depth>,
    },
    Term(Term),
}

/// One term and where it was written (for errors raised while evaluating it).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Term {
    pub kind: TermKind,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum TermKind {
    /// `*`
    All,
    /// `raw/orders`, `key:raw/*`: an exact key unless it contains `*`.
    Key(String),
    /// `tag:NAME[=VALUE]`, `group:NAME`, `kind:NAME`, `owner:NAME`; names may contain `*`.
    Label {
        prefix: LabelPrefix,
        name: String,
        value: Option<String>,
    },
    /// `status:missing|stale|fresh`
    Status(Status),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum LabelPrefix {
    Tag,
    Group,
    Kind,
    Owner,
}

impl LabelPrefix {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            LabelPrefix::Tag => "tag",
            LabelPrefix::Group => "group",
            LabelPrefix::Kind => "kind",
            LabelPrefix::Owner => "owner",
        }
    }
}

impl Expr {
    /// True if a `status:` term appears anywhere (recursion is bounded by the parser's nesting cap).
    pub(crate) fn uses_status(&self) -> bool {
        match self {
            Expr::Or(items) | Expr::And(items) => items.iter().any(Expr::uses_status),
            Expr::Not(inner) | Expr::Walk { inner, .. } => inner.uses_status(),
            Expr::Term(t) => matches!(t.kind, TermKind::Status(_)),
        }
    }

    fn write(&self, f: &mut fmt::Formatter<'_>, top: bool) -> fmt::Result {
        match self {
            Expr::Or(items) | Expr::And(items) => {
                let op = if matches!(self, Expr::Or(_)) {
                    " or "
                } else {
                    " and "
                };
                if !top {
                    f.write_str("(")?;
                }
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        f.write_str(op)?;
                    }
                    item.write(f, false)?;
                }
                if !top {
                    f.write_str(")")?;
                }
                Ok(())
            }
            Expr::Not(inner) => {
                f.write_str("not ")?;
                inner.write(f, false)
            }
            Expr::Walk { inner, up, down } => {
                write_depth(f, *up, true)?;
                if let Expr::Term(t) = &**inner {
                    write!(f, "{t}")?;
                } else {
                    f.write_str("(")?;
                    inner.write(f, true)?;
                    f.write_str(")")?;
                }
                write_depth(f, *down, false)
            }
            Expr::Term(t) => write!(f, "{t}"),
        }
    }
}

fn write_depth(f: &mut fmt::Formatter<'_>, depth: Option<Depth>, before: bool) -> fmt::Result {
    match (depth, before) {
        (None, _) => Ok(()),
        (Some(None), _) => f.write_str("+"),
        (Some(Some(d)), true) => write!(f, "{d}+"),
        (Some(Some(d)), false) => write!(f, "+{d}"),
    }
}

impl fmt::Display for Expr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.write(f, true)
    }
}

impl fmt::Display for Term {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            TermKind::All => f.write_str("*"),
            // Keywords and digit-led keys need `key:` to read back as keys.
            TermKind::Key(k)
                if matches!(k.as_str(), "and" | "or" | "not")
                    || k.starts_with(|c: char| c.is_ascii_digit()) =>
            {
                write!(f, "key:{k}")
            }
            TermKind::Key(k) => f.write_str(k),
            TermKind::Label {
                prefix,
                name,
                value,
            } => {
                write!(f, "{}:{name}", prefix.as_str())?;
                match value {
                    Some(v) => write!(f, "={v}"),
                    None => Ok(()),
                }
            }
            TermKind::Status(s) => f.write_str(match s {
                Status::Missing => "status:missing",
                Status::Stale => "status:stale",
                Status::Fresh => "status:fresh",
            }),
        }
    }
}
