//! The immutable asset graph: validated once at build, renumbered into topological order, stored as
//! CSR arrays both ways (deps and children). External ids ([`ExtId`]) are input positions; internal
//! ids are topological positions ([`Pos`]; Kahn's algorithm taking ready assets in ascending
//! external id).

use crate::bitheap::BitHeap;
use crate::error::{self, PlannerError};
use crate::id::{ExtId, Pos};
use crate::key::{closest, key_is_valid, key_problem};
use crate::keylist::{KeyIndex, KeyList};
use crate::labels::Labels;

/// Labels of the assets (selection terms `group:`, `tag:`, `kind:`, `owner:`), CSR by external id.
#[derive(Clone, Copy, Debug, Default)]
pub struct LabelInput<'a> {
    /// Label texts: `group:G`, `tag:K`, `tag:K=V`, `kind:K`, `owner:O`.
    pub names: &'a [&'a str],
    /// `offsets[i]..offsets[i+1]` indexes `ids` for asset `i` (length: assets + 1).
    pub offsets: &'a [u32],
    /// Label ids into `names`.
    pub ids: &'a [u32],
}

/// What a graph is built from. Arrays are indexed by external id.
#[derive(Clone, Copy, Debug)]
pub struct GraphInput<'a> {
    /// One key per asset.
    pub keys: &'a [&'a str],
    /// `dep_offsets[i]..dep_offsets[i+1]` indexes `deps` for asset `i` (length: assets + 1).
    pub dep_offsets: &'a [u32],
    /// Dependency ids (external).
    pub deps: &'a [u32],
    /// Optional: nonzero marks a source asset (observed, never built).
    pub sources: Option<&'a [u8]>,
    /// Optional labels.
    pub labels: Option<LabelInput<'a>>,
}

/// A validated, immutable DAG of assets.
#[derive(Clone, Debug)]
pub struct Graph {
    keys: KeyList,
    key_index: KeyIndex,
    ext_of: Vec<ExtId>,
    int_of: Vec<Pos>,
    dep_off: Vec<u32>,
    dep_ids: Vec<Pos>,
    child_off: Vec<u32>,
    child_ids: Vec<Pos>,
    /// One bit per position.
    source: Vec<u64>,
    labels: Labels,
}

/// What a graph is built from besides its keys (see [`Graph::build_keyed`]).
#[derive(Clone, Copy, Debug)]
pub struct GraphParts<'a> {
    /// `dep_offsets[i]..dep_offsets[i+1]` indexes `deps` for asset `i` (length: assets + 1).
    pub dep_offsets: &'a [u32],
    /// Dependency ids (external).
    pub deps: &'a [u32],
    /// Optional: nonzero marks a source asset (observed, never built).
    pub sources: Option<&'a [u8]>,
    /// Optional labels.
    pub labels: Option<LabelInput<'a>>,
}

pub(crate) fn check_csr(
    name: &str,
    offsets: &[u32],
    values_len: usize,
    n: usize,
) -> Result<(), PlannerError> {
    if offsets.len() != n + 1 {
        return Err(error::invalid_input(format!(
            "{name} offsets have {} entries, expected {} (assets + 1)",
            offsets.len(),
            n + 1
        )));
    }
    if offsets[0] != 0 || offsets[n] as usize != values_len {
        return Err(error::invalid_input(format!(
            "{name} offsets must start at 0 and end at {values_len}"
        )));
    }
    if offsets.windows(2).any(|w| w[0] > w[1]) {
        return Err(error::invalid_input(format!(
            "{name} offsets must not decrease"
        )));
    }
    Ok(())
}

/// Transposes a CSR of `n` rows (`off`, `ids`; `index` maps an id to its row) into the CSR of
/// the reverse edges, whose values are row numbers made ids by `make`.
fn transpose<I: Copy + Default>(
    n: usize,
    off: &[u32],
    ids: &[I],
    index: impl Fn(I) -> usize,
    make: impl Fn(u32) -> I,
) -> (Vec<u32>, Vec<I>) {
    let mut counts = vec![0u32; n + 1];
    for &d in ids {
        counts[index(d) + 1] += 1;
    }
    for i in 0..n {
        counts[i + 1] += counts[i];
    }
    let mut fill = counts.clone();
    let mut out = vec![I::default(); ids.len()];
    for v in 0..n {
        for &d in &ids[off[v] as usize..off[v + 1] as usize] {
            let slot = &mut fill[index(d)];
            out[*slot as usize] = make(v as u32);
            *slot += 1;
        }
    }
    (counts, out)
}

impl Graph {
    /// Builds and validates a graph. Cost: O(n + e) expected time (the topological sort's queue costs
    /// O(log₆₄ n) per asset), O(n + e) memory; allocates the CSR arrays once. Fails on an invalid or
    /// duplicate key, a dependency out of range, a self-dependency, a source with dependencies, or a
    /// cycle (the error lists the whole cycle).
    pub fn build(input: GraphInput<'_>) -> Result<Graph, PlannerError> {
        let keys = KeyList::from_keys(input.keys)?;
        Graph::build_keyed(
            keys,
            GraphParts {
                dep_offsets: input.dep_offsets,
                deps: input.deps,
                sources: input.sources,
                labels: input.labels,
            },
        )
    }

    /// [`Graph::build`] from keys already in a [`KeyList`] (e.g. taken over from keys joined by
    /// `\n`, without a copy): the graph keeps the list as its key store. Same checks and cost.
    pub fn build_keyed(keys: KeyList, input: GraphParts<'_>) -> Result<Graph, PlannerError> {
        let n = keys.len();
        if n >= u32::MAX as usize {
            return Err(error::invalid_input("too many assets"));
        }
        check_csr("dependency", input.dep_offsets, input.deps.len(), n)?;
        if let Some(s) = input.sources {
            if s.len() != n {
                return Err(error::invalid_input(format!(
                    "sources has {} entries, expected {n}",
                    s.len()
                )));
            }
        }

        // Keys: validate every key first (an invalid key is reported before a duplicate), then index.
        for i in 0..n {
            let k = keys.get(i);
            if !key_is_valid(k) {
                if let Some(reason) = key_problem(k) {
                    return Err(error::invalid_key(k, i, &reason));
                }
            }
        }
        let key_index =
            KeyIndex::build(&keys).map_err(|(a, b)| error::duplicate_key(keys.get(a), a, b))?;

        // Dependencies: range-check, reject self-deps, merge duplicates (sorted per asset).
        let mut dep_off_ext = Vec::with_capacity(n + 1);
        let mut deps_ext: Vec<u32> = Vec::with_capacity(input.deps.len());
        dep_off_ext.push(0u32);
        for v in 0..n {
            let start = deps_ext.len();
            for &d in &input.deps[input.dep_offsets[v] as usize..input.dep_offsets[v + 1] as usize]
            {
                if d as usize >= n {
                    return Err(error::unknown_dep(keys.get(v), d, n));
                }
                if d as usize == v {
                    return Err(error::self_dep(keys.get(v)));
                }
                deps_ext.push(d);
            }
            let row = &mut deps_ext[start..];
            row.sort_unstable();
            let mut w = start;
            for r in start..deps_ext.len() {
                if r == start || deps_ext[r] != deps_ext[w - 1] {
                    deps_ext[w] = deps_ext[r];
                    w += 1;
                }
            }
            deps_ext.truncate(w);
            if w > start && input.sources.is_some_and(|s| s[v] != 0) {
                return Err(error::source_with_deps(keys.get(v)));
            }
            dep_off_ext.push(deps_ext.len() as u32);
        }

        // Kahn's algorithm, ready assets in ascending external id (raw u32 external ids here). When
        // an asset gets its position, it is written into each child's dependency row (by external
        // id): rows fill in ascending position, so they come out sorted without a sort.
        let (child_off_ext, child_ext) =
            transpose(n, &dep_off_ext, &deps_ext, |d| d as usize, |v| v);
        // Per asset, the end of its dependency row and how many of its deps are still unordered,
        // side by side (one cache line for both on the hot path).
        let mut pending: Vec<(u32, u32)> = (0..n)
            .map(|v| (dep_off_ext[v + 1], dep_off_ext[v + 1] - dep_off_ext[v]))
            .collect();
        let mut heap = BitHeap::new(n);
        for v in 0..n as u32 {
            if pending[v as usize].1 == 0 {
                heap.push(v);
            }
        }
        let mut ext_of: Vec<ExtId> = Vec::with_capacity(n);
        let mut dep_pos: Vec<Pos> = vec![Pos(0); deps_ext.len()];
        while let Some(v) = heap.pop() {
            let p = Pos(ext_of.len() as u32);
            ext_of.push(ExtId(v));
            for &c in &child_ext
                [child_off_ext[v as usize] as usize..child_off_ext[v as usize + 1] as usize]
            {
                let (end, left) = &mut pending[c as usize];
                // The row of `c` has `left` slots still empty, at its end.
                dep_pos[(*end - *left) as usize] = p;
                *left -= 1;
                if *left == 0 {
                    heap.push(c);
                }
            }
        }
        if ext_of.len() < n {
            let pending: Vec<u32> = pending.iter().map(|p| p.1).collect();
            return Err(find_cycle(&keys, &dep_off_ext, &deps_ext, &pending));
        }
        drop((child_off_ext, child_ext, pending, deps_ext, heap));
        let mut int_of = vec![Pos(0); n];
        for (i, &e) in ext_of.iter().enumerate() {
            int_of[e.idx()] = Pos(i as u32);
        }

        // Internal CSR: the rows in topological order (each already sorted ascending).
        let mut dep_off = Vec::with_capacity(n + 1);
        let mut dep_ids: Vec<Pos> = Vec::with_capacity(dep_pos.len());
        dep_off.push(0u32);
        for &e in &ext_of {
            dep_ids.extend_from_slice(
                &dep_pos[dep_off_ext[e.idx()] as usize..dep_off_ext[e.idx() + 1] as usize],
            );
            dep_off.push(dep_ids.len() as u32);
        }
        drop((dep_off_ext, dep_pos));
        let (child_off, child_ids) = transpose(n, &dep_off, &dep_ids, Pos::idx, Pos);

        let mut source = vec![0u64; n.div_ceil(64)];
        if let Some(s) = input.sources {
            for (p, &e) in ext_of.iter().enumerate() {
                if s[e.idx()] != 0 {
                    source[p / 64] |= 1u64 << (p % 64);
                }
            }
        }
        let labels = match input.labels {
            None => Labels::none(n),
            Some(l) => Labels::build(l, &ext_of)?,
        };

        Ok(Graph {
            keys,
            key_index,
            ext_of,
            int_of,
            dep_off,
            dep_ids,
            child_off,
            child_ids,
            source,
            labels,
        })
    }

    /// Builds from `(key, dep keys)` pairs: a convenience for tests and Rust users. An unknown dep key
    /// fails with the closest existing key as a suggestion.
    pub fn from_keyed(assets: &[(&str, &[&str])], sources: &[&str]) -> Result<Graph, PlannerError> {
        let keys: Vec<&str> = assets.iter().map(|a| a.0).collect();
        let mut index = std::collections::HashMap::with_capacity(keys.len());
        for (i, k) in keys.iter().enumerate() {
            index.entry(*k).or_insert(i as u32);
        }
        let mut offsets = vec![0u32];
        let mut deps = Vec::new();
        for (k, ds) in assets {
            for d in *ds {
                match index.get(d) {
                    Some(&i) => deps.push(i),
                    None => {
                        return Err(error::unknown_dep_key(
                            k,
                            d,
                            closest(d, keys.iter().copied()),
                        ))
                    }
                }
            }
            offsets.push(deps.len() as u32);
        }
        let src: Vec<u8> = keys.iter().map(|k| u8::from(sources.contains(k))).collect();
        Graph::build(GraphInput {
            keys: &keys,
            dep_offsets: &offsets,
            deps: &deps,
            sources: Some(&src),
            labels: None,
        })
    }

    /// Number of assets.
    pub fn len(&self) -> usize {
        self.ext_of.len()
    }

    /// Whether the graph has no asset.
    pub fn is_empty(&self) -> bool {
        self.ext_of.is_empty()
    }

    /// Number of (deduplicated) dependency edges.
    pub fn edge_count(&self) -> usize {
        self.dep_ids.len()
    }

    /// Key of the asset with external id `ext`.
    pub fn key_ext(&self, ext: ExtId) -> &str {
        self.keys.get(ext.idx())
    }

    /// Key of the asset at position `v`.
    pub fn key(&self, v: Pos) -> &str {
        self.key_ext(self.ext_of[v.idx()])
    }

    /// External id of a key. Cost: O(1) expected (one hash, then key comparisons while probing).
    pub fn find_ext(&self, key: &str) -> Option<ExtId> {
        self.key_index.find(&self.keys, key).map(ExtId)
    }

    /// The external id `ext` if it names an asset of this graph.
    pub fn check_ext(&self, ext: u32) -> Option<ExtId> {
        ((ext as usize) < self.len()).then_some(ExtId(ext))
    }

    /// Topological position of external id `ext`.
    pub fn int_of(&self, ext: ExtId) -> Pos {
        self.int_of[ext.idx()]
    }

    /// External id of position `v`.
    pub fn ext_of(&self, v: Pos) -> ExtId {
        self.ext_of[v.idx()]
    }

    /// Dependencies (positions, ascending) of position `v`.
    pub fn deps(&self, v: Pos) -> &[Pos] {
        &self.dep_ids[self.dep_off[v.idx()] as usize..self.dep_off[v.idx() + 1] as usize]
    }

    /// Index range of `v`'s dependency edges (edge ids are positions in the dependency CSR).
    pub fn dep_edge_range(&self, v: Pos) -> std::ops::Range<usize> {
        self.dep_off[v.idx()] as usize..self.dep_off[v.idx() + 1] as usize
    }

    /// Children (positions, ascending) of position `v`.
    pub fn children(&self, v: Pos) -> &[Pos] {
        &self.child_ids[self.child_off[v.idx()] as usize..self.child_off[v.idx() + 1] as usize]
    }

    /// Edge id of the dependency edge `child -> dep`, if it exists. Cost: O(log deg(child)).
    pub fn edge_id(&self, child: Pos, dep: Pos) -> Option<usize> {
        let r = self.dep_edge_range(child);
        self.dep_ids[r.clone()]
            .binary_search(&dep)
            .ok()
            .map(|i| r.start + i)
    }

    /// Whether position `v` is a source asset.
    pub fn is_source(&self, v: Pos) -> bool {
        self.source[v.idx() / 64] >> (v.idx() % 64) & 1 != 0
    }

    /// Label ids of position `v`.
    pub fn labels(&self, v: Pos) -> &[u32] {
        self.labels.of(v)
    }

    /// All label texts.
    pub fn label_names(&self) -> &[String] {
        self.labels.names()
    }

    /// Bytes held by the graph's arrays (capacity, not length), for the memory benchmark.
    pub fn heap_bytes(&self) -> usize {
        self.keys.heap_bytes()
            + self.key_index.heap_bytes()
            + 4 * (self.ext_of.capacity() + self.int_of.capacity())
            + 4 * (self.dep_off.capacity()
                + self.dep_ids.capacity()
                + self.child_off.capacity()
                + self.child_ids.capacity())
            + 8 * self.source.capacity()
            + self.labels.heap_bytes()
    }
}

/// Finds one cycle among the assets Kahn's algorithm could not order, rotated to start at its
/// smallest key, and turns it into the error.
fn find_cycle(keys: &KeyList, off: &[u32], deps: &[u32], pending: &[u32]) -> PlannerError {
    let n = keys.len();
    let start = (0..n).find(|&v| pending[v] > 0).unwrap_or(0);
    // Every unordered asset has an unordered dependency; follow them until one repeats.
    let mut seen_at = vec![u32::MAX; n];
    let mut path: Vec<u32> = Vec::new();
    let mut v = start as u32;
    loop {
        if seen_at[v as usize] != u32::MAX {
            break;
        }
        seen_at[v as usize] = path.len() as u32;
        path.push(v);
        let row = &deps[off[v as usize] as usize..off[v as usize + 1] as usize];
        match row.iter().find(|&&d| pending[d as usize] > 0) {
            Some(&d) => v = d,
            None => break,
        }
    }
    let cyc = &path[seen_at[v as usize].min(path.len() as u32 - 1) as usize..];
    let min_pos = (0..cyc.len())
        .min_by_key(|&i| keys.get(cyc[i] as usize))
        .unwrap_or(0);
    let rotated: Vec<String> = cyc[min_pos..]
        .iter()
        .chain(&cyc[..min_pos])
        .map(|&x| keys.get(x as usize).to_owned())
        .collect();
    error::cycle(rotated)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn g(assets: &[(&str, &[&str])]) -> Result<Graph, PlannerError> {
        Graph::from_keyed(assets, &[])
    }

    #[test]
    fn builds_topological_order() {
        let graph = g(&[
            ("c", &["b"]),
            ("b", &["a"]),
            ("a", &[]),
            ("d", &["a", "c", "a"]),
        ])
        .expect("valid");
        let order: Vec<&str> = Pos::all(4).map(|v| graph.key(v)).collect();
        assert_eq!(order, ["a", "b", "c", "d"]);
        assert_eq!(graph.edge_count(), 4, "duplicate deps are merged");
        let d = graph.int_of(ExtId(3));
        assert_eq!(
            graph
                .deps(d)
                .iter()
                .map(|&x| graph.key(x))
                .collect::<Vec<_>>(),
            ["a", "c"]
        );
        assert_eq!(graph.children(graph.int_of(ExtId(2))).len(), 2);
        assert_eq!(graph.find_ext("c"), Some(ExtId(0)));
        assert_eq!(graph.find_ext("zz"), None);
        assert!(graph.edge_id(d, graph.int_of(ExtId(0))).is_some());
        assert!(graph.edge_id(d, graph.int_of(ExtId(1))).is_none());
    }

    #[test]
    fn errors() {
        insta::assert_snapshot!(
            g(&[("a", &["b"]), ("b", &["c"]), ("c", &["a"]), ("x", &["a"])])
                .expect_err("the build must fail")
                .to_string()
        );
        insta::assert_snapshot!(g(&[("z", &["y"]), ("y", &["z"])])
            .expect_err("the build must fail")
            .to_string());
        insta::assert_snapshot!(g(&[("a", &[]), ("a", &[])])
            .expect_err("the build must fail")
            .to_string());
        insta::assert_snapshot!(g(&[("a", &["a"])])
            .expect_err("the build must fail")
            .to_string());
        insta::assert_snapshot!(g(&[("raw/orders", &[]), ("f", &["raw/order"])])
            .expect_err("the build must fail")
            .to_string());
        insta::assert_snapshot!(g(&[("raw orders", &[])])
            .expect_err("the build must fail")
            .to_string());
        insta::assert_snapshot!(Graph::from_keyed(&[("s", &[]), ("t", &["s"])], &["t"])
            .expect_err("the build must fail")
            .to_string());
        let bad = Graph::build(GraphInput {
            keys: &["a"],
            dep_offsets: &[0, 1],
            deps: &[7],
            sources: None,
            labels: None,
        });
        insta::assert_snapshot!(bad.expect_err("the build must fail").to_string());
        let bad = Graph::build(GraphInput {
            keys: &["a"],
            dep_offsets: &[0],
            deps: &[],
            sources: None,
            labels: None,
        });
        insta::assert_snapshot!(bad.expect_err("the build must fail").to_string());
    }

    #[test]
    fn deep_chain_does_not_recurse() {
        let n = 200_000u32;
        let keys: Vec<String> = (0..n).map(|i| format!("k{i}")).collect();
        let refs: Vec<&str> = keys.iter().map(String::as_str).collect();
        let offsets: Vec<u32> = (0..=n).map(|i| i.saturating_sub(1)).collect();
        let deps: Vec<u32> = (0..n - 1).collect();
        let graph = Graph::build(GraphInput {
            keys: &refs,
            dep_offsets: &offsets,
            deps: &deps,
            sources: None,
            labels: None,
        })
        .expect("chain");
        assert_eq!(graph.len(), n as usize);
        // Close the chain into a cycle: the error lists all of it without recursing.
        let mut deps2 = vec![n - 1];
        deps2.extend_from_slice(&deps);
        let mut offsets2 = offsets.clone();
        offsets2.iter_mut().for_each(|o| *o += 1);
        offsets2[0] = 0;
        let cyc = Graph::build(GraphInput {
            keys: &refs,
            dep_offsets: &offsets2,
            deps: &deps2,
            sources: None,
            labels: None,
        })
        .expect_err("the build must fail");
        assert_eq!(cyc.keys.len(), n as usize);
    }
}
