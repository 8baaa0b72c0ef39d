//! The key-by-key reference of the partitioned planner's property test: every (asset, partition)
//! expanded, its consumed inputs kept as the map of upstream partitions to the data versions it read,
//! statuses and plans computed by definition (`SPEC.md`, "Partitions"), plus the random scenarios.

use std::collections::{BTreeMap, BTreeSet};

use super::mapping::tests::{reference_upstream, simple_mapping};
use super::product::ProductDim;
use super::query::*;
use super::state::{PartitionSpec, PartitionedPlanner};
use super::{input_fingerprint_of, Mapping, PartitionPlan, PartitionRecordBatch, PartitionSet};
use crate::graph::Graph;
use crate::hash::{fingerprint, hash_fields, Field, Hash128};
use crate::id::ExtId;
use crate::state::{FRESH, MISSING, STALE};

pub(crate) fn pool(domain: &str, i: u64) -> Hash128 {
    if i == 0 && domain != "data" {
        return [0; 16];
    }
    hash_fields(
        "test-pool",
        &[Field::Str(domain), Field::Str(&i.to_string())],
    )
}

/// What a record consumed from one dependency.
#[derive(Clone, Debug)]
pub(crate) enum Consumed {
    /// The data versions of the upstream partitions it read (None: missing).
    Snapshot(BTreeMap<u64, Option<Hash128>>),
    /// A fingerprint that matches nothing.
    Garbage(u64),
}

#[derive(Clone, Debug)]
pub(crate) struct Rec {
    pub(crate) code: Hash128,
    pub(crate) config: Hash128,
    pub(crate) data: Hash128,
    /// (dependency external id, or u32::MAX / a non-dependency id, what it consumed).
    pub(crate) inputs: Vec<(u32, Consumed)>,
}

pub(crate) struct Model {
    pub(crate) n: Vec<u64>,
    pub(crate) valid: Vec<BTreeSet<u64>>,
    pub(crate) deps: Vec<Vec<(usize, Mapping)>>,
    pub(crate) source: Vec<bool>,
    pub(crate) code: Vec<Hash128>,
    pub(crate) config: Vec<Hash128>,
    pub(crate) recs: BTreeMap<(usize, u64), Rec>,
}

impl Model {
    pub(crate) fn upstream(&self, v: usize, j: usize, p: u64) -> BTreeSet<u64> {
        let (u, m) = &self.deps[v][j];
        reference_upstream(m, p, self.n[*u])
            .into_iter()
            .filter(|q| self.valid[*u].contains(q))
            .collect()
    }

    pub(crate) fn snapshot(&self, v: usize, j: usize, p: u64) -> BTreeMap<u64, Option<Hash128>> {
        let u = self.deps[v][j].0;
        self.upstream(v, j, p)
            .into_iter()
            .map(|q| (q, self.recs.get(&(u, q)).map(|r| r.data)))
            .collect()
    }

    pub(crate) fn causes(&self, v: usize, p: u64) -> u8 {
        let Some(r) = self.recs.get(&(v, p)) else {
            return 0;
        };
        if self.source[v] {
            return 0;
        }
        let mut m = 0;
        if r.code != self.code[v] {
            m |= CAUSE_CODE;
        }
        if r.config != self.config[v] {
            m |= CAUSE_CONFIG;
        }
        if r.inputs
            .iter()
            .any(|(d, _)| !self.deps[v].iter().any(|(u, _)| *u as u32 == *d))
        {
            m |= CAUSE_DEP_REMOVED;
        }
        for (j, (u, _)) in self.deps[v].iter().enumerate() {
            match r.inputs.iter().rev().find(|(d, _)| *d == *u as u32) {
                None => m |= CAUSE_DEP_ADDED,
                Some((_, Consumed::Garbage(_))) => m |= CAUSE_UPSTREAM,
                Some((_, Consumed::Snapshot(s))) if *s != self.snapshot(v, j, p) => {
                    m |= CAUSE_UPSTREAM
                }
                Some(_) => {}
            }
        }
        m
    }

    pub(crate) fn status(&self, v: usize, p: u64) -> u8 {
        match self.recs.get(&(v, p)) {
            None => MISSING,
            Some(_) if self.causes(v, p) != 0 => STALE,
            Some(_) => FRESH,
        }
    }

    pub(crate) fn all_statuses(&self) -> BTreeMap<(usize, u64), u8> {
        let mut out = BTreeMap::new();
        for v in 0..self.n.len() {
            for &p in &self.valid[v] {
                out.insert((v, p), self.status(v, p));
            }
        }
        out
    }

    /// A record of `(v, p)` as a run now would make it, altered by the tape.
    pub(crate) fn record(&self, v: usize, p: u64, t: &mut impl Iterator<Item = u64>) -> Rec {
        let mut next = || t.next().unwrap_or(0);
        let mut inputs = Vec::new();
        for (j, (u, _)) in self.deps[v].iter().enumerate() {
            match next() % 8 {
                0 => {}
                1 => inputs.push((*u as u32, Consumed::Garbage(next() | 1 << 63))),
                _ => inputs.push((*u as u32, Consumed::Snapshot(self.snapshot(v, j, p)))),
            }
        }
        if next() % 10 == 0 {
            inputs.push((u32::MAX, Consumed::Garbage(7)));
        }
        Rec {
            code: if next() % 5 == 0 {
                pool("code", next() % 3)
            } else {
                self.code[v]
            },
            config: if next() % 5 == 0 {
                pool("config", next() % 3)
            } else {
                self.config[v]
            },
            data: pool("data", next() % 3),
            inputs,
        }
    }
}

pub(crate) struct Batch {
    pub(crate) ids: Vec<u32>,
    pub(crate) parts: Vec<u64>,
    pub(crate) code: Vec<u8>,
    pub(crate) config: Vec<u8>,
    pub(crate) data: Vec<u8>,
    pub(crate) off: Vec<u32>,
    pub(crate) deps: Vec<u32>,
    pub(crate) fps: Vec<u64>,
}

pub(crate) fn batch(recs: &[((usize, u64), Rec)]) -> Batch {
    let mut b = Batch {
        ids: vec![],
        parts: vec![],
        code: vec![],
        config: vec![],
        data: vec![],
        off: vec![0],
        deps: vec![],
        fps: vec![],
    };
    for ((v, p), r) in recs {
        b.ids.push(*v as u32);
        b.parts.push(*p);
        b.code.extend(r.code);
        b.config.extend(r.config);
        b.data.extend(r.data);
        for (d, c) in &r.inputs {
            b.deps.push(*d);
            b.fps.push(match c {
                Consumed::Garbage(x) => *x,
                Consumed::Snapshot(s) => input_fingerprint_of(
                    s.iter()
                        .map(|(q, h)| (*q, h.map_or(0, |h| fingerprint(&h)))),
                ),
            });
        }
        b.off.push(b.deps.len() as u32);
    }
    b
}

impl Batch {
    pub(crate) fn view(&self) -> PartitionRecordBatch<'_> {
        PartitionRecordBatch {
            ids: &self.ids,
            partitions: &self.parts,
            code_versions: &self.code,
            config_hashes: &self.config,
            data_versions: &self.data,
            input_offsets: &self.off,
            input_deps: &self.deps,
            input_fingerprints: &self.fps,
        }
    }
}

/// A random partitioned graph from the tape: sizes, holes, sources, deps with mixed mappings.
pub(crate) fn build(t: &mut impl Iterator<Item = u64>) -> (Model, PartitionedPlanner) {
    let mut next = || t.next().unwrap_or(0);
    let na = 2 + (next() % 5) as usize;
    let mut dims: Vec<Vec<u64>> = Vec::new();
    let mut m = Model {
        n: vec![],
        valid: vec![],
        deps: vec![],
        source: vec![],
        code: vec![],
        config: vec![],
        recs: BTreeMap::new(),
    };
    for v in 0..na {
        let d: Vec<u64> = if next() % 3 == 0 {
            vec![1 + next() % 3, 1 + next() % 3]
        } else {
            vec![next() % 11]
        };
        let n: u64 = d.iter().product();
        dims.push(d);
        let valid: BTreeSet<u64> = if next() % 3 == 0 {
            (0..n).filter(|_| next() % 4 != 0).collect()
        } else {
            (0..n).collect()
        };
        let source = v == 0 || next() % 6 == 0;
        let mut deps = Vec::new();
        if !source {
            for u in 0..v {
                if next() % 2 == 0 {
                    continue;
                }
                let tape: Vec<u64> = (0..24).map(|_| next()).collect();
                let mapping = if dims[u].len() == 2 && dims[v].len() == 2 && tape[23] % 2 == 0 {
                    Mapping::Product {
                        dims: (0..2)
                            .map(|k| ProductDim {
                                mapping: simple_mapping(&tape[k * 10..], dims[v][k], dims[u][k]),
                                down_size: dims[v][k],
                                up_size: dims[u][k],
                            })
                            .collect(),
                    }
                } else {
                    simple_mapping(&tape, n, m.n[u])
                };
                deps.push((u, mapping));
            }
        }
        m.n.push(n);
        m.valid.push(valid);
        m.source.push(source && deps.is_empty());
        m.deps.push(deps);
        m.code.push([0; 16]);
        m.config.push([0; 16]);
    }
    let keys: Vec<String> = (0..na).map(|i| format!("a{i}")).collect();
    let dep_keys: Vec<Vec<&str>> = m
        .deps
        .iter()
        .map(|ds| ds.iter().map(|(u, _)| keys[*u].as_str()).collect())
        .collect();
    let assets: Vec<(&str, &[&str])> = (0..na)
        .map(|i| (keys[i].as_str(), dep_keys[i].as_slice()))
        .collect();
    let sources: Vec<&str> = (0..na)
        .filter(|&i| m.source[i])
        .map(|i| keys[i].as_str())
        .collect();
    let graph = Graph::from_keyed(&assets, &sources).expect("graph");
    let specs = (0..na)
        .map(|v| PartitionSpec {
            size: m.n[v],
            valid: Some(PartitionSet::from_ranges(
                m.valid[v].iter().map(|&p| (p, p + 1)),
            )),
            deps: m.deps[v]
                .iter()
                .rev()
                .map(|(u, mp)| (*u as u32, mp.clone()))
                .collect(),
        })
        .collect();
    let planner = PartitionedPlanner::new(graph, specs).expect("valid specs");
    (m, planner)
}

pub(crate) fn random_records(
    m: &mut Model,
    count: usize,
    t: &mut impl Iterator<Item = u64>,
) -> Vec<((usize, u64), Rec)> {
    let mut out = Vec::new();
    for _ in 0..count {
        let v = (t.next().unwrap_or(0) % m.n.len() as u64) as usize;
        if m.n[v] == 0 {
            continue;
        }
        let p = t.next().unwrap_or(0) % m.n[v];
        let r = m.record(v, p, t);
        m.recs.insert((v, p), r.clone());
        out.push(((v, p), r));
    }
    out
}

pub(crate) fn reference_plan(
    m: &Model,
    pl: &PartitionedPlanner,
    sel: &BTreeSet<usize>,
    ranges: &BTreeMap<usize, (u64, u64)>,
    force: bool,
) -> PartitionPlan {
    let na = m.n.len();
    let mut order: Vec<usize> = (0..na).collect();
    order.sort_by_key(|&v| pl.graph().int_of(ExtId(v as u32)));
    let mut planned: Vec<BTreeSet<u64>> = vec![BTreeSet::new(); na];
    let mut layer = vec![0usize; na];
    let mut plan = PartitionPlan::default();
    for &v in &order {
        if !sel.contains(&v) || m.source[v] {
            continue;
        }
        let in_scope = |p: u64| {
            m.valid[v].contains(&p) && ranges.get(&v).is_none_or(|&(s, e)| s <= p && p < e)
        };
        for p in (0..m.n[v]).filter(|&p| in_scope(p)) {
            let fed = (0..m.deps[v].len()).any(|j| {
                let u = m.deps[v][j].0;
                m.upstream(v, j, p).iter().any(|q| planned[u].contains(q))
            });
            if force || m.status(v, p) != FRESH || fed {
                planned[v].insert(p);
            }
        }
        if planned[v].is_empty() {
            continue;
        }
        layer[v] = m.deps[v]
            .iter()
            .filter(|(u, _)| !planned[*u].is_empty())
            .map(|(u, _)| layer[*u] + 1)
            .max()
            .unwrap_or(0);
        if plan.layers.len() <= layer[v] {
            plan.layers.resize(layer[v] + 1, Vec::new());
        }
        plan.layers[layer[v]].push((
            ExtId(v as u32),
            PartitionSet::from_ranges(planned[v].iter().map(|&p| (p, p + 1))),
        ));
    }
    for &v in &order {
        if planned[v].is_empty() {
            continue;
        }
        let mut deps: Vec<usize> = (0..m.deps[v].len()).collect();
        deps.sort_by_key(|&j| pl.graph().int_of(ExtId(m.deps[v][j].0 as u32)));
        for j in deps {
            let u = m.deps[v][j].0;
            let missing: BTreeSet<u64> = planned[v]
                .iter()
                .flat_map(|&p| m.upstream(v, j, p))
                .filter(|q| !m.recs.contains_key(&(u, *q)) && !planned[u].contains(q))
                .collect();
            if !missing.is_empty() {
                plan.missing_inputs.push((
                    ExtId(v as u32),
                    ExtId(u as u32),
                    PartitionSet::from_ranges(missing.iter().map(|&q| (q, q + 1))),
                ));
            }
        }
    }
    plan
}
