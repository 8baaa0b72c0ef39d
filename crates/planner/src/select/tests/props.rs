//! Property tests: random selections over random small DAGs against a naive reference evaluator,
//! and canonical text round trips.

use proptest::prelude::*;

use super::graph::TestGraph;
use crate::select::{Selection, SelectionErrorKind, Status};

// ---- random graphs -----------------------------------------------------------------------------

const GRAPH_LABELS: [&str; 8] = [
    "tag:pii",
    "tag:pii=true",
    "tag:env=prod",
    "tag:env=dev",
    "group:g1",
    "group:g2",
    "kind:k1",
    "owner:o1",
];
const TERM_LABELS: [&str; 13] = [
    "tag:pii",
    "tag:pii=true",
    "tag:env",
    "tag:env=prod",
    "tag:env=dev",
    "tag:nope",
    "group:g1",
    "group:g2",
    "group:g*",
    "kind:k1",
    "owner:o1",
    "owner:o*",
    "tag:e*=p*",
];
const WILDCARDS: [&str; 7] = ["raw/*", "*_daily*", "*1", "mart/*", "zzz*", "*/*", "s*s*"];
const STATUSES: [Status; 3] = [Status::Missing, Status::Stale, Status::Fresh];

fn key(i: usize) -> String {
    let area = ["raw", "stg", "mart"][i % 3];
    let name = ["orders", "users", "events_daily"][(i / 3) % 3];
    format!("{area}/{name}{i}")
}

/// The same graph twice: as plain data for the reference, and as a `TestGraph`.
#[derive(Debug, Clone)]
struct RefGraph {
    keys: Vec<String>,
    deps: Vec<Vec<usize>>,
    labels: Vec<Vec<String>>,
    status: Vec<Status>,
}

impl RefGraph {
    fn to_test_graph(&self) -> TestGraph {
        let deps = self
            .deps
            .iter()
            .map(|ds| ds.iter().map(|&d| d as u32).collect())
            .collect();
        TestGraph::from_parts(
            self.keys.clone(),
            deps,
            self.labels.clone(),
            self.status.clone(),
        )
    }
}

fn graph() -> impl Strategy<Value = RefGraph> {
    (1..=10usize)
        .prop_flat_map(|n| prop::collection::vec((any::<u16>(), any::<u8>(), 0..3usize), n))
        .prop_map(|rows| RefGraph {
            keys: (0..rows.len()).map(key).collect(),
            deps: rows
                .iter()
                .enumerate()
                .map(|(i, r)| (0..i).filter(|j| r.0 & (1 << j) != 0).collect())
                .collect(),
            labels: rows
                .iter()
                .map(|r| {
                    (0..8)
                        .filter(|b| r.1 & (1 << b) != 0)
                        .map(|b| GRAPH_LABELS[b].to_owned())
                        .collect()
                })
                .collect(),
            status: rows.iter().map(|r| STATUSES[r.2]).collect(),
        })
}

// ---- random expressions ------------------------------------------------------------------------

type Walk = Option<Option<u32>>;

#[derive(Debug, Clone)]
enum R {
    Or(Box<R>, Box<R>),
    And(Box<R>, Box<R>),
    Not(Box<R>),
    Walk(Box<R>, Walk, Walk),
    All,
    Key(String, bool),
    Label(String),
    Status(Status),
}

fn walk() -> impl Strategy<Value = Walk> {
    prop_oneof![
        Just(None),
        Just(Some(None)),
        (0..4u32).prop_map(|d| Some(Some(d)))
    ]
}

fn expr(n: usize) -> impl Strategy<Value = R> {
    let leaf = prop_oneof![
        1 => Just(R::All),
        4 => (0..=n, any::<bool>()).prop_map(|(i, p)| R::Key(key(i), p)),
        2 => (0..WILDCARDS.len(), any::<bool>()).prop_map(|(i, p)| R::Key(WILDCARDS[i].to_owned(), p)),
        3 => (0..TERM_LABELS.len()).prop_map(|i| R::Label(TERM_LABELS[i].to_owned())),
        1 => (0..3usize).prop_map(|i| R::Status(STATUSES[i])),
    ];
    leaf.prop_recursive(5, 24, 2, |inner| {
        prop_oneof![
            (inner.clone(), inner.clone()).prop_map(|(a, b)| R::Or(Box::new(a), Box::new(b))),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| R::And(Box::new(a), Box::new(b))),
            inner.clone().prop_map(|a| R::Not(Box::new(a))),
            (inner, walk(), walk()).prop_map(|(a, up, down)| {
                let up = if up.is_none() && down.is_none() {
                    Some(None)
                } else {
                    up
                };
                R::Walk(Box::new(a), up, down)
            }),
        ]
    })
}

/// Text with the fewest parentheses precedence allows; `spaced` puts spaces around `+`.
fn render(e: &R, spaced: bool) -> String {
    fn prec(e: &R) -> u8 {
        match e {
            R::Or(..) => 1,
            R::And(..) => 2,
            R::Not(_) => 3,
            _ => 4,
        }
    }
    fn go(e: &R, min: u8, spaced: bool, out: &mut String) {
        let wrap = prec(e) < min;
        if wrap {
            out.push('(');
        }
        let plus = if spaced { " + " } else { "+" };
        match e {
            R::Or(a, b) | R::And(a, b) => {
                let (op, p) = if matches!(e, R::Or(..)) {
                    (" or ", 1)
                } else {
                    (" and ", 2)
                };
                go(a, p, spaced, out);
                out.push_str(op);
                go(b, p, spaced, out);
            }
            R::Not(a) => {
                out.push_str("not ");
                go(a, 3, spaced, out);
            }
            R::Walk(a, up, down) => {
                match up {
                    Some(Some(d)) => out.push_str(&format!("{d}{plus}")),
                    Some(None) => out.push_str(plus.trim_end()),
                    None => {}
                }
                // A walk applies to a term or a parenthesised selection only.
                go(
                    a,
                    if matches!(**a, R::Walk(..)) { 5 } else { 4 },
                    spaced,
                    out,
                );
                match down {
                    Some(Some(d)) => out.push_str(&format!("{plus}{d}")),
                    Some(None) => out.push_str(plus.trim_start()),
                    None => {}
                }
            }
            R::All => out.push('*'),
            R::Key(k, prefixed) => {
                if *prefixed {
                    out.push_str("key:");
                }
                out.push_str(k);
            }
            R::Label(l) => out.push_str(l),
            R::Status(s) => out.push_str(&format!("status:{s:?}").to_lowercase()),
        }
        if wrap {
            out.push(')');
        }
    }
    let mut out = String::new();
    go(e, 0, spaced, &mut out);
    out
}

// ---- the naive reference -----------------------------------------------------------------------

fn glob(p: &[u8], t: &[u8]) -> bool {
    match p.split_first() {
        None => t.is_empty(),
        Some((b'*', rest)) => glob(rest, t) || (!t.is_empty() && glob(p, &t[1..])),
        Some((c, rest)) => t.first() == Some(c) && glob(rest, &t[1..]),
    }
}

fn label_matches(label: &str, term: &str) -> bool {
    let (Some((lp, lbody)), Some((tp, tbody))) = (label.split_once(':'), term.split_once(':'))
    else {
        return false;
    };
    if lp != tp {
        return false;
    }
    if tp != "tag" {
        return glob(tbody.as_bytes(), lbody.as_bytes());
    }
    let (tn, tv) = tbody
        .split_once('=')
        .map_or((tbody, None), |(n, v)| (n, Some(v)));
    let (ln, lv) = lbody
        .split_once('=')
        .map_or((lbody, None), |(n, v)| (n, Some(v)));
    glob(tn.as_bytes(), ln.as_bytes())
        && match (tv, lv) {
            (None, _) => true,
            (Some(tv), Some(lv)) => glob(tv.as_bytes(), lv.as_bytes()),
            (Some(_), None) => false,
        }
}

/// Grow `set` by one edge at a time until `depth` steps or a fixpoint.
fn closure(g: &RefGraph, set: &[bool], depth: Option<u32>, up: bool) -> Vec<bool> {
    let mut cur = set.to_vec();
    let mut step = 0;
    while depth.is_none_or(|d| step < d) {
        let mut next = cur.clone();
        for v in 0..g.keys.len() {
            for &d in &g.deps[v] {
                if up && cur[v] {
                    next[d] = true;
                }
                if !up && cur[d] {
                    next[v] = true;
                }
            }
        }
        if next == cur {
            break;
        }
        cur = next;
        step += 1;
    }
    cur
}

fn reference(e: &R, g: &RefGraph) -> Result<Vec<bool>, SelectionErrorKind> {
    let n = g.keys.len();
    Ok(match e {
        R::Or(a, b) => {
            let (a, b) = (reference(a, g)?, reference(b, g)?);
            a.iter().zip(&b).map(|(x, y)| *x || *y).collect()
        }
        R::And(a, b) => {
            let (a, b) = (reference(a, g)?, reference(b, g)?);
            a.iter().zip(&b).map(|(x, y)| *x && *y).collect()
        }
        R::Not(a) => reference(a, g)?.iter().map(|x| !x).collect(),
        R::Walk(a, up, down) => {
            let seeds = reference(a, g)?;
            let mut out = seeds.clone();
            for (dir, is_up) in [(up, true), (down, false)] {
                if let Some(d) = dir {
                    let more = closure(g, &seeds, *d, is_up);
                    out.iter_mut().zip(more).for_each(|(o, m)| *o |= m);
                }
            }
            out
        }
        R::All => vec![true; n],
        R::Key(k, _) if k.contains('*') => g
            .keys
            .iter()
            .map(|x| glob(k.as_bytes(), x.as_bytes()))
            .collect(),
        R::Key(k, _) => {
            let hits: Vec<bool> = g.keys.iter().map(|x| x == k).collect();
            if !hits.contains(&true) {
                return Err(SelectionErrorKind::UnknownKey);
            }
            hits
        }
        R::Label(term) => {
            let hits: Vec<bool> = g
                .labels
                .iter()
                .map(|ls| ls.iter().any(|l| label_matches(l, term)))
                .collect();
            if !hits.contains(&true) && !term.contains('*') {
                return Err(SelectionErrorKind::UnknownLabel);
            }
            hits
        }
        R::Status(s) => g.status.iter().map(|x| x == s).collect(),
    })
}

// ---- properties --------------------------------------------------------------------------------

fn graph_and_expr() -> impl Strategy<Value = (RefGraph, R, bool)> {
    graph().prop_flat_map(|g| {
        let n = g.keys.len();
        (Just(g), expr(n), any::<bool>())
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn evaluation_matches_reference((g, e, spaced) in graph_and_expr()) {
        let src = render(&e, spaced);
        let want = reference(&e, &g);
        let got = g.to_test_graph().try_select(&src);
        match (got, want) {
            (Ok(got), Ok(want)) => prop_assert_eq!(got, want, "{}", src),
            (Err(got), Err(want)) => prop_assert_eq!(got.kind, want, "{}", src),
            (got, want) => prop_assert!(false, "{}: got {:?}, want {:?}", src, got, want),
        }
    }

    #[test]
    fn canonical_text_round_trips((g, e, spaced) in graph_and_expr()) {
        let src = render(&e, spaced);
        let parsed = Selection::parse(&src).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let canon = parsed.to_string();
        let again = Selection::parse(&canon).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(again.to_string(), canon.clone());
        let tg = g.to_test_graph();
        prop_assert_eq!(parsed.evaluate(&tg).ok(), again.evaluate(&tg).ok(), "{} vs {}", src, canon);
    }
}
