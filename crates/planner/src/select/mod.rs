//! Selection language (docs/cli.md, "Selections"): parse an expression such as `+raw/orders+1 and not tag:pii`
//! once, then evaluate it against any graph that implements [`SelectionGraph`].
//!
//! ```text
//! expr   := or ;  or := and ("or" and)* ;  and := not ("and" not)* ;  not := "not" not | atom
//! atom   := [N] "+"? ( "(" expr ")" | term ) "+"? [N]
//! term   := "*" | KEYPATTERN | "key:" KEYPATTERN | "tag:" NAME ["=" VALUE] | "group:" NAME
//!         | "kind:" NAME | "owner:" NAME | "status:" ("missing"|"stale"|"fresh")
//! ```
//!
//! Costs: parsing is linear in the input (capped at [`MAX_SELECTION_LEN`] bytes, nesting capped at
//! [`MAX_NESTING`]) and never recurses on user input beyond that cap. Evaluation is linear in the
//! graph per term and per `+` (iterative breadth-first walks, no recursion on the graph), so a
//! selection with `t` terms costs `O(t · (assets + edges))` time and `O(depth · assets)` memory.

mod ast;
mod diagnostics;
mod error;
mod eval;
mod glob;
mod lexer;
mod parser;
mod suggest;
mod term;

#[cfg(test)]
mod tests;

pub use error::{SelectionError, SelectionErrorKind};

use ast::Expr;

use crate::id::Pos;

/// Largest accepted selection, in bytes. Longer input is rejected with [`SelectionErrorKind::Limit`].
pub const MAX_SELECTION_LEN: usize = 64 * 1024;

/// Deepest accepted nesting of parentheses. Deeper input is rejected with
/// [`SelectionErrorKind::Limit`] ("selection nests too deeply").
pub const MAX_NESTING: usize = 128;

/// Materialization status of an asset, as matched by `status:missing|stale|fresh`.
///
/// # Example
/// ```
/// use rivers_planner::select::Status;
/// assert_ne!(Status::Fresh, Status::Stale);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Status {
    /// The asset has never been materialized (or, for a source, observed).
    Missing,
    /// The asset has a record, but its code, config or inputs changed since.
    Stale,
    /// The asset's record matches its current code, config and inputs.
    Fresh,
}

/// What evaluation needs from a graph. Ids are dense `0..len()`; `deps` and `children` are
/// direct edges (every id they return must be `< len()`).
///
/// Evaluation calls `key` once per asset for wildcard key patterns, `labels` once per asset for
/// label terms, `status` once per asset for `status:` terms, and `deps`/`children` once per asset
/// reached by a `+`.
///
/// # Example
/// ```
/// use rivers_planner::select::{Selection, SelectionGraph, Status};
/// use rivers_planner::Pos;
/// /// raw/orders <- mart/revenue, raw/orders tagged pii.
/// struct Two;
/// impl SelectionGraph for Two {
///     fn len(&self) -> usize { 2 }
///     fn key(&self, id: Pos) -> &str { ["raw/orders", "mart/revenue"][id.idx()] }
///     fn deps(&self, id: Pos) -> &[Pos] { if id == Pos(1) { &[Pos(0)] } else { &[] } }
///     fn children(&self, id: Pos) -> &[Pos] { if id == Pos(0) { &[Pos(1)] } else { &[] } }
///     fn labels(&self, id: Pos) -> &[u32] { if id == Pos(0) { &[0] } else { &[] } }
///     fn label_count(&self) -> usize { 1 }
///     fn label_name(&self, _: u32) -> &str { "tag:pii" }
///     fn status(&self, _: Pos) -> Status { Status::Missing }
///     fn find_key(&self, key: &str) -> Option<Pos> { Pos::all(2).find(|&i| self.key(i) == key) }
/// }
/// let graph = Two;
/// let members = Selection::parse("+mart/revenue")?.evaluate(&graph)?;
/// assert_eq!(members, [true, true]);
/// # Ok::<(), rivers_planner::select::SelectionError>(())
/// ```
pub trait SelectionGraph {
    /// Number of assets; ids are the positions `0..len()`.
    fn len(&self) -> usize;
    /// True if the graph has no assets.
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
    /// The asset key of `id` (for example `raw/orders`).
    fn key(&self, id: Pos) -> &str;
    /// Direct dependencies (parents) of `id`.
    fn deps(&self, id: Pos) -> &[Pos];
    /// Direct dependents (children) of `id`.
    fn children(&self, id: Pos) -> &[Pos];
    /// Label ids of this asset (indices into `0..label_count()`).
    fn labels(&self, id: Pos) -> &[u32];
    /// Number of distinct labels in the graph.
    fn label_count(&self) -> usize;
    /// Label text: `group:NAME`, `kind:NAME`, `owner:NAME`, `tag:NAME` or `tag:NAME=VALUE`.
    fn label_name(&self, label: u32) -> &str;
    /// Current status of `id` (only called when the selection [uses status](Selection::uses_status)).
    fn status(&self, id: Pos) -> Status;
    /// Id of an exact key, if any (used for key patterns without `*`).
    fn find_key(&self, key: &str) -> Option<Pos>;
}

/// A parsed selection expression, ready to be evaluated against any [`SelectionGraph`].
///
/// `Display` prints a canonical, fully parenthesised form that parses back to the same selection.
///
/// # Example
/// ```
/// # use rivers_planner::select::{select_union, Selection, SelectionGraph, Status};
/// # use rivers_planner::Pos;
/// # struct Two; // raw/orders <- mart/revenue
/// # impl SelectionGraph for Two {
/// #     fn len(&self) -> usize { 2 }
/// #     fn key(&self, id: Pos) -> &str { ["raw/orders", "mart/revenue"][id.idx()] }
/// #     fn deps(&self, id: Pos) -> &[Pos] { if id == Pos(1) { &[Pos(0)] } else { &[] } }
/// #     fn children(&self, id: Pos) -> &[Pos] { if id == Pos(0) { &[Pos(1)] } else { &[] } }
/// #     fn labels(&self, id: Pos) -> &[u32] { if id == Pos(0) { &[0] } else { &[] } }
/// #     fn label_count(&self) -> usize { 1 }
/// #     fn label_name(&self, _: u32) -> &str { "tag:pii" }
/// #     fn status(&self, _: Pos) -> Status { Status::Missing }
/// #     fn find_key(&self, key: &str) -> Option<Pos> { Pos::all(2).find(|&i| self.key(i) == key) }
/// # }
/// # let graph = Two;
/// let s = Selection::parse("a or b and not c")?;
/// assert_eq!(s.to_string(), "a or (b and not c)");
/// # Ok::<(), rivers_planner::select::SelectionError>(())
/// ```
#[derive(Debug, Clone)]
pub struct Selection {
    source: String,
    expr: Expr,
    uses_status: bool,
}

impl Selection {
    /// Parse one expression. Linear in `src`; fails with a [`SelectionError`] that points at the
    /// offending column. Does not look at any graph, so unknown keys are reported by
    /// [`evaluate`](Selection::evaluate).
    ///
    /// # Example
    /// ```
    /// # use rivers_planner::select::{select_union, Selection, SelectionGraph, Status};
    /// # use rivers_planner::Pos;
    /// # struct Two; // raw/orders <- mart/revenue
    /// # impl SelectionGraph for Two {
    /// #     fn len(&self) -> usize { 2 }
    /// #     fn key(&self, id: Pos) -> &str { ["raw/orders", "mart/revenue"][id.idx()] }
    /// #     fn deps(&self, id: Pos) -> &[Pos] { if id == Pos(1) { &[Pos(0)] } else { &[] } }
    /// #     fn children(&self, id: Pos) -> &[Pos] { if id == Pos(0) { &[Pos(1)] } else { &[] } }
    /// #     fn labels(&self, id: Pos) -> &[u32] { if id == Pos(0) { &[0] } else { &[] } }
    /// #     fn label_count(&self) -> usize { 1 }
    /// #     fn label_name(&self, _: u32) -> &str { "tag:pii" }
    /// #     fn status(&self, _: Pos) -> Status { Status::Missing }
    /// #     fn find_key(&self, key: &str) -> Option<Pos> { Pos::all(2).find(|&i| self.key(i) == key) }
    /// # }
    /// # let graph = Two;
    /// let s = Selection::parse("2+raw/orders+ or tag:pii=true")?;
    /// assert_eq!(s.to_string(), "2+raw/orders+ or tag:pii=true");
    /// let err = Selection::parse("raw/orders and").unwrap_err();
    /// assert_eq!(err.column, 15);
    /// # Ok::<(), rivers_planner::select::SelectionError>(())
    /// ```
    pub fn parse(src: &str) -> Result<Selection, SelectionError> {
        let expr = parser::parse(src)?;
        let uses_status = expr.uses_status();
        Ok(Selection {
            source: src.to_owned(),
            expr,
            uses_status,
        })
    }

    /// Evaluate against `g`; returns a membership vector of length `g.len()`.
    ///
    /// Fails when an exact key (no `*`) names no asset ([`SelectionErrorKind::UnknownKey`]) or a
    /// `tag:`/`group:`/`kind:`/`owner:` name without `*` matches no label
    /// ([`SelectionErrorKind::UnknownLabel`]); a wildcard that matches nothing selects nothing.
    /// Allocates a few `Vec<bool>` of `g.len()` per nesting level.
    ///
    /// # Example
    /// ```
    /// # use rivers_planner::select::{select_union, Selection, SelectionGraph, Status};
    /// # use rivers_planner::Pos;
    /// # struct Two; // raw/orders <- mart/revenue
    /// # impl SelectionGraph for Two {
    /// #     fn len(&self) -> usize { 2 }
    /// #     fn key(&self, id: Pos) -> &str { ["raw/orders", "mart/revenue"][id.idx()] }
    /// #     fn deps(&self, id: Pos) -> &[Pos] { if id == Pos(1) { &[Pos(0)] } else { &[] } }
    /// #     fn children(&self, id: Pos) -> &[Pos] { if id == Pos(0) { &[Pos(1)] } else { &[] } }
    /// #     fn labels(&self, id: Pos) -> &[u32] { if id == Pos(0) { &[0] } else { &[] } }
    /// #     fn label_count(&self) -> usize { 1 }
    /// #     fn label_name(&self, _: u32) -> &str { "tag:pii" }
    /// #     fn status(&self, _: Pos) -> Status { Status::Missing }
    /// #     fn find_key(&self, key: &str) -> Option<Pos> { Pos::all(2).find(|&i| self.key(i) == key) }
    /// # }
    /// # let graph = Two;
    /// let members: Vec<bool> = Selection::parse("raw/orders+ and tag:pii")?.evaluate(&graph)?;
    /// assert_eq!(members, [true, false]);
    /// let err = Selection::parse("raw/ordrs")?.evaluate(&graph).unwrap_err();
    /// assert_eq!(err.help.as_deref(), Some("did you mean 'raw/orders'?"));
    /// # Ok::<(), rivers_planner::select::SelectionError>(())
    /// ```
    pub fn evaluate<G: SelectionGraph>(&self, g: &G) -> Result<Vec<bool>, SelectionError> {
        eval::evaluate(&self.expr, &self.source, g)
    }

    /// True if a `status:` term appears, so the caller knows whether statuses must be computed
    /// before evaluating.
    ///
    /// # Example
    /// ```
    /// # use rivers_planner::select::{select_union, Selection, SelectionGraph, Status};
    /// # use rivers_planner::Pos;
    /// # struct Two; // raw/orders <- mart/revenue
    /// # impl SelectionGraph for Two {
    /// #     fn len(&self) -> usize { 2 }
    /// #     fn key(&self, id: Pos) -> &str { ["raw/orders", "mart/revenue"][id.idx()] }
    /// #     fn deps(&self, id: Pos) -> &[Pos] { if id == Pos(1) { &[Pos(0)] } else { &[] } }
    /// #     fn children(&self, id: Pos) -> &[Pos] { if id == Pos(0) { &[Pos(1)] } else { &[] } }
    /// #     fn labels(&self, id: Pos) -> &[u32] { if id == Pos(0) { &[0] } else { &[] } }
    /// #     fn label_count(&self) -> usize { 1 }
    /// #     fn label_name(&self, _: u32) -> &str { "tag:pii" }
    /// #     fn status(&self, _: Pos) -> Status { Status::Missing }
    /// #     fn find_key(&self, key: &str) -> Option<Pos> { Pos::all(2).find(|&i| self.key(i) == key) }
    /// # }
    /// # let graph = Two;
    /// assert!(Selection::parse("status:stale+")?.uses_status());
    /// assert!(!Selection::parse("raw/*")?.uses_status());
    /// # Ok::<(), rivers_planner::select::SelectionError>(())
    /// ```
    pub fn uses_status(&self) -> bool {
        self.uses_status
    }

    /// The expression text this selection was parsed from.
    ///
    /// # Example
    /// ```
    /// # use rivers_planner::select::{select_union, Selection, SelectionGraph, Status};
    /// # use rivers_planner::Pos;
    /// # struct Two; // raw/orders <- mart/revenue
    /// # impl SelectionGraph for Two {
    /// #     fn len(&self) -> usize { 2 }
    /// #     fn key(&self, id: Pos) -> &str { ["raw/orders", "mart/revenue"][id.idx()] }
    /// #     fn deps(&self, id: Pos) -> &[Pos] { if id == Pos(1) { &[Pos(0)] } else { &[] } }
    /// #     fn children(&self, id: Pos) -> &[Pos] { if id == Pos(0) { &[Pos(1)] } else { &[] } }
    /// #     fn labels(&self, id: Pos) -> &[u32] { if id == Pos(0) { &[0] } else { &[] } }
    /// #     fn label_count(&self) -> usize { 1 }
    /// #     fn label_name(&self, _: u32) -> &str { "tag:pii" }
    /// #     fn status(&self, _: Pos) -> Status { Status::Missing }
    /// #     fn find_key(&self, key: &str) -> Option<Pos> { Pos::all(2).find(|&i| self.key(i) == key) }
    /// # }
    /// # let graph = Two;
    /// assert_eq!(Selection::parse(" a ")?.source(), " a ");
    /// # Ok::<(), rivers_planner::select::SelectionError>(())
    /// ```
    pub fn source(&self) -> &str {
        &self.source
    }
}

impl std::fmt::Display for Selection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.expr.fmt(f)
    }
}

/// Union of several expressions (the CLI passes several arguments), each parsed separately.
/// Every expression is parsed before any is evaluated, so a syntax error in a later argument is
/// reported without walking the graph. An empty slice selects nothing.
///
/// # Example
/// ```
/// # use rivers_planner::select::{select_union, Selection, SelectionGraph, Status};
/// # use rivers_planner::Pos;
/// # struct Two; // raw/orders <- mart/revenue
/// # impl SelectionGraph for Two {
/// #     fn len(&self) -> usize { 2 }
/// #     fn key(&self, id: Pos) -> &str { ["raw/orders", "mart/revenue"][id.idx()] }
/// #     fn deps(&self, id: Pos) -> &[Pos] { if id == Pos(1) { &[Pos(0)] } else { &[] } }
/// #     fn children(&self, id: Pos) -> &[Pos] { if id == Pos(0) { &[Pos(1)] } else { &[] } }
/// #     fn labels(&self, id: Pos) -> &[u32] { if id == Pos(0) { &[0] } else { &[] } }
/// #     fn label_count(&self) -> usize { 1 }
/// #     fn label_name(&self, _: u32) -> &str { "tag:pii" }
/// #     fn status(&self, _: Pos) -> Status { Status::Missing }
/// #     fn find_key(&self, key: &str) -> Option<Pos> { Pos::all(2).find(|&i| self.key(i) == key) }
/// # }
/// # let graph = Two;
/// let members = select_union(&["raw/*", "tag:pii+"], &graph)?;
/// assert_eq!(members, [true, true]);
/// # Ok::<(), rivers_planner::select::SelectionError>(())
/// ```
pub fn select_union<G: SelectionGraph>(exprs: &[&str], g: &G) -> Result<Vec<bool>, SelectionError> {
    let parsed = exprs
        .iter()
        .map(|src| Selection::parse(src))
        .collect::<Result<Vec<_>, _>>()?;
    let mut out = vec![false; g.len()];
    for selection in &parsed {
        let members = selection.evaluate(g)?;
        for (acc, m) in out.iter_mut().zip(members) {
            *acc |= m;
        }
    }
    Ok(out)
}
