//! Evaluation of a parsed selection against a [`SelectionGraph`], as membership vectors.
//!
//! Each term is one pass over the assets (or one `find_key` for an exact key); each `+` is an
//! iterative breadth-first walk by levels, so million-long chains cost no stack.

use super::ast::{Depth, Expr, LabelPrefix, Term, TermKind};
use super::diagnostics as diag;
use super::error::SelectionError;
use super::{glob, suggest, SelectionGraph};
use crate::id::Pos;

/// Evaluate `expr` (parsed from `src`) on `g`.
pub(crate) fn evaluate<G: SelectionGraph>(
    expr: &Expr,
    src: &str,
    g: &G,
) -> Result<Vec<bool>, SelectionError> {
    Evaluator { src, g }.eval(expr)
}

struct Evaluator<'a, G> {
    src: &'a str,
    g: &'a G,
}

#[derive(Clone, Copy)]
enum Direction {
    Ancestors,
    Descendants,
}

impl<G: SelectionGraph> Evaluator<'_, G> {
    /// Recursion here follows the expression, whose depth the parser caps; never the graph.
    fn eval(&self, expr: &Expr) -> Result<Vec<bool>, SelectionError> {
        match expr {
            Expr::Or(items) => self.fold(items, |acc, x| *acc |= x),
            Expr::And(items) => self.fold(items, |acc, x| *acc &= x),
            Expr::Not(inner) => {
                let mut v = self.eval(inner)?;
                v.iter_mut().for_each(|b| *b = !*b);
                Ok(v)
            }
            Expr::Walk { inner, up, down } => {
                let seeds = self.eval(inner)?;
                Ok(self.walk(seeds, *up, *down))
            }
            Expr::Term(term) => self.term(term),
        }
    }

    /// Evaluates every operand (so every unknown key is reported, whatever the others select).
    fn fold(&self, items: &[Expr], op: fn(&mut bool, bool)) -> Result<Vec<bool>, SelectionError> {
        let Some((first, rest)) = items.split_first() else {
            return Ok(vec![false; self.g.len()]);
        };
        let mut acc = self.eval(first)?;
        for item in rest {
            let v = self.eval(item)?;
            acc.iter_mut().zip(v).for_each(|(a, x)| op(a, x));
        }
        Ok(acc)
    }

    fn walk(&self, seeds: Vec<bool>, up: Option<Depth>, down: Option<Depth>) -> Vec<bool> {
        let start: Vec<Pos> = Pos::all(seeds.len()).filter(|&i| seeds[i.idx()]).collect();
        match (up, down) {
            (Some(u), Some(d)) => {
                let mut out = self.reach(seeds.clone(), &start, u, Direction::Ancestors);
                let below = self.reach(seeds, &start, d, Direction::Descendants);
                out.iter_mut().zip(below).for_each(|(a, b)| *a |= b);
                out
            }
            (Some(u), None) => self.reach(seeds, &start, u, Direction::Ancestors),
            (None, Some(d)) => self.reach(seeds, &start, d, Direction::Descendants),
            (None, None) => seeds,
        }
    }

    /// Marks in `seen` (initially the seeds) every node within `limit` edges of `start`, walking
    /// one level of the frontier at a time.
    fn reach(&self, mut seen: Vec<bool>, start: &[Pos], limit: Depth, dir: Direction) -> Vec<bool> {
        let mut frontier = start.to_vec();
        let mut next = Vec::new();
        let mut level = 0u32;
        while !frontier.is_empty() && limit.is_none_or(|l| level < l) {
            for &v in &frontier {
                let neighbours = match dir {
                    Direction::Ancestors => self.g.deps(v),
                    Direction::Descendants => self.g.children(v),
                };
                for &u in neighbours {
                    if let Some(s) = seen.get_mut(u.idx()) {
                        if !*s {
                            *s = true;
                            next.push(u);
                        }
                    }
                }
            }
            std::mem::swap(&mut frontier, &mut next);
            next.clear();
            level += 1;
        }
        seen
    }

    fn term(&self, term: &Term) -> Result<Vec<bool>, SelectionError> {
        let g = self.g;
        let n = g.len();
        Ok(match &term.kind {
            TermKind::All => vec![true; n],
            TermKind::Key(p) if p.bytes().all(|b| b == b'*') => vec![true; n],
            TermKind::Key(p) if glob::is_wildcard(p) => {
                Pos::all(n).map(|id| glob::matches(p, g.key(id))).collect()
            }
            TermKind::Key(key) => {
                let mut v = vec![false; n];
                match g.find_key(key).and_then(|id| v.get_mut(id.idx())) {
                    Some(slot) => *slot = true,
                    None => return Err(self.unknown_key(key, term)),
                }
                v
            }
            TermKind::Label {
                prefix,
                name,
                value,
            } => {
                let wanted: Vec<bool> = (0..g.label_count() as u32)
                    .map(|l| label_matches(g.label_name(l), *prefix, name, value.as_deref()))
                    .collect();
                let wildcard =
                    glob::is_wildcard(name) || value.as_deref().is_some_and(glob::is_wildcard);
                if !wildcard && !wanted.contains(&true) {
                    return Err(self.unknown_label(*prefix, name, value.as_deref(), term));
                }
                Pos::all(n)
                    .map(|id| {
                        g.labels(id)
                            .iter()
                            .any(|&l| wanted.get(l as usize) == Some(&true))
                    })
                    .collect()
            }
            TermKind::Status(s) => Pos::all(n).map(|id| g.status(id) == *s).collect(),
        })
    }

    fn unknown_key(&self, key: &str, term: &Term) -> SelectionError {
        let g = self.g;
        let close_key = suggest::closest(key, Pos::all(g.len()).map(|id| g.key(id)));
        // `finance` typed for `group:finance`: suggest the label when no key is close.
        let label = || {
            (0..g.label_count() as u32)
                .map(|l| g.label_name(l))
                .find(|l| {
                    l.split_once(':')
                        .is_some_and(|(_, rest)| rest.split('=').next() == Some(key))
                })
        };
        let suggestion = match close_key {
            Some(k) => Some(k.to_owned()),
            None => label().map(|l| l.split('=').next().unwrap_or(l).to_owned()),
        };
        diag::unknown_key(self.src, key, term.span, suggestion.as_deref())
    }

    fn unknown_label(
        &self,
        prefix: LabelPrefix,
        name: &str,
        value: Option<&str>,
        term: &Term,
    ) -> SelectionError {
        let g = self.g;
        // Existing names of this type: `NAME` for groups, kinds, owners and value-less tag
        // queries; `NAME=VALUE` when a tag value was asked for.
        let mut names: Vec<&str> = (0..g.label_count() as u32)
            .filter_map(|l| label_body(g.label_name(l), prefix))
            .filter_map(|body| match (prefix, value) {
                (LabelPrefix::Tag, Some(_)) => body.contains('=').then_some(body),
                (LabelPrefix::Tag, None) => body.split('=').next(),
                _ => Some(body),
            })
            .collect();
        names.sort_unstable();
        names.dedup();
        let query = match value {
            Some(v) => format!("{name}={v}"),
            None => name.to_owned(),
        };
        let suggestion = suggest::closest(&query, names.iter().copied());
        // Asking for a value of a tag that exists: list that tag's values first.
        let same_tag: Vec<&str> = names
            .iter()
            .copied()
            .filter(|b| b.split('=').next() == Some(name))
            .collect();
        let existing = if value.is_some() && !same_tag.is_empty() {
            same_tag
        } else {
            names
        };
        const SHOWN: usize = 5;
        let more = existing.len() > SHOWN;
        let shown = &existing[..existing.len().min(SHOWN)];
        diag::unknown_label(
            self.src,
            prefix.as_str(),
            &query,
            term.span,
            suggestion,
            shown,
            more,
        )
    }
}

/// The part of a label after `PREFIX:`, if the label has that prefix.
fn label_body(label: &str, prefix: LabelPrefix) -> Option<&str> {
    label.strip_prefix(prefix.as_str())?.strip_prefix(':')
}

/// `tag:pii` matches labels `tag:pii` and `tag:pii=VALUE`; `tag:pii=true` only `tag:pii=true`.
fn label_matches(label: &str, prefix: LabelPrefix, name: &str, value: Option<&str>) -> bool {
    let Some(body) = label_body(label, prefix) else {
        return false;
    };
    if prefix != LabelPrefix::Tag {
        return glob::matches(name, body);
    }
    let (label_name, label_value) = match body.split_once('=') {
        Some((n, v)) => (n, Some(v)),
        None => (body, None),
    };
    glob::matches(name, label_name)
        && match value {
            None => true,
            Some(v) => label_value.is_some_and(|lv| glob::matches(v, lv)),
        }
}
