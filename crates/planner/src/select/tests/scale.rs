//! Scale: a chain of one million assets walked both ways (no recursion on the graph).

use std::time::Instant;

use crate::id::Pos;
use crate::select::{Selection, SelectionGraph, Status};

/// `a0 <- a1 <- … <- a{n-1}`: each asset depends on the previous one.
struct Chain {
    keys: String,
    ends: Vec<usize>,
    /// `ids[i] = i`, so `deps(i) = ids[i-1..i]` and `children(i) = ids[i+1..i+2]`.
    ids: Vec<Pos>,
}

impl Chain {
    fn new(n: usize) -> Chain {
        let mut keys = String::with_capacity(n * 8);
        let mut ends = Vec::with_capacity(n);
        for i in 0..n {
            keys.push('a');
            keys.push_str(&i.to_string());
            ends.push(keys.len());
        }
        Chain {
            keys,
            ends,
            ids: Pos::all(n).collect(),
        }
    }
}

impl SelectionGraph for Chain {
    fn len(&self) -> usize {
        self.ends.len()
    }
    fn key(&self, id: Pos) -> &str {
        let i = id.idx();
        let start = if i == 0 { 0 } else { self.ends[i - 1] };
        &self.keys[start..self.ends[i]]
    }
    fn deps(&self, id: Pos) -> &[Pos] {
        let i = id.idx();
        if i == 0 {
            &[]
        } else {
            &self.ids[i - 1..i]
        }
    }
    fn children(&self, id: Pos) -> &[Pos] {
        let i = id.idx();
        if i + 1 >= self.ids.len() {
            &[]
        } else {
            &self.ids[i + 1..i + 2]
        }
    }
    fn labels(&self, _: Pos) -> &[u32] {
        &[]
    }
    fn label_count(&self) -> usize {
        0
    }
    fn label_name(&self, _: u32) -> &str {
        ""
    }
    fn status(&self, id: Pos) -> Status {
        if id.0 & 1 == 0 {
            Status::Fresh
        } else {
            Status::Stale
        }
    }
    fn find_key(&self, key: &str) -> Option<Pos> {
        let id: u32 = key.strip_prefix('a')?.parse().ok()?;
        (key == self.key(*self.ids.get(id as usize)?)).then_some(Pos(id))
    }
}

fn count(g: &Chain, src: &str) -> usize {
    let members = Selection::parse(src)
        .expect("valid")
        .evaluate(g)
        .expect("evaluates");
    assert_eq!(members.len(), g.len());
    members.iter().filter(|m| **m).count()
}

#[test]
fn million_chain_walks_without_recursion() {
    const N: usize = 1_000_000;
    let g = Chain::new(N);
    let started = Instant::now();
    assert_eq!(count(&g, "+a999999"), N);
    assert_eq!(count(&g, "a0+"), N);
    assert_eq!(count(&g, "a500000+"), N / 2);
    assert_eq!(count(&g, "3+a500000+2"), 6);
    assert_eq!(count(&g, "+a999999 and not a0+10"), N - 11);
    assert_eq!(count(&g, "a9*"), 111_111);
    assert_eq!(count(&g, "(status:stale and a99999*)+"), N - 99_999);
    let took = started.elapsed();
    // Generous bound: the point is linear work, not a benchmark (debug builds are slower).
    assert!(took.as_secs() < 20, "took {took:?}");
}

#[test]
fn unknown_key_suggestion_on_a_large_graph() {
    let g = Chain::new(200_000);
    let err = Selection::parse("a19999x")
        .expect("valid")
        .evaluate(&g)
        .expect_err("unknown");
    assert_eq!(err.help.as_deref(), Some("did you mean 'a19999'?"));
}
