//! A small, obviously correct reference of `SPEC.md` for the property tests: keys and hash maps,
//! full 16-byte hashes, recursion allowed (graphs are tiny). Plus helpers that read the real
//! planner's answers back into the same keyed shapes, and a "tape" that turns proptest's random
//! numbers into scenarios (zeros = the simplest choice, so failures shrink toward small cases).
#![allow(dead_code)]

use std::collections::{BTreeSet, HashMap, HashSet};

use proptest::test_runner::TestCaseError;
use rivers_planner::hash::{hash_fields, Field};
use rivers_planner::{
    CauseKind, Graph, GraphInput, Plan, Planner, RecordBatch, FRESH, MISSING, NO_DEP, STALE,
};

pub type H = [u8; 16];
pub const ZERO: H = [0; 16];

/// A hash from a tiny pool: `h("data", 2)`.
pub fn h(domain: &str, i: u32) -> H {
    hash_fields(
        "test-pool",
        &[Field::Str(domain), Field::Str(&i.to_string())],
    )
}

pub fn code_pool(i: u32) -> H {
    if i == 0 {
        ZERO
    } else {
        h("code", i)
    }
}
pub fn config_pool(i: u32) -> H {
    if i == 0 {
        ZERO
    } else {
        h("config", i)
    }
}
pub fn data_pool(i: u32) -> H {
    h("data", i)
}

/// Keys usable as selection terms (no operators, no leading digits), in no particular sort order.
pub const NAMES: [&str; 14] = [
    "raw/orders",
    "raw/users",
    "b",
    "a",
    "feat/x",
    "feat/y.v2",
    "model",
    "Zeta",
    "m_1",
    "m-2",
    "eval/score",
    "c",
    "report",
    "k9",
];

pub fn kind_of(k: u8) -> CauseKind {
    match k {
        0 => CauseKind::CodeChanged,
        1 => CauseKind::ConfigChanged,
        2 => CauseKind::DepAdded,
        3 => CauseKind::DepRemoved,
        4 => CauseKind::UpstreamDataChanged,
        5 => CauseKind::NewDataVersion,
        6 => CauseKind::SourceChanged,
        7 => CauseKind::Missing,
        _ => panic!("unknown cause kind {k}"),
    }
}

// ---------------------------------------------------------------------------------------------
// Tape

pub struct Tape<'a> {
    t: &'a [u32],
    i: usize,
}

impl<'a> Tape<'a> {
    pub fn new(t: &'a [u32]) -> Self {
        Tape { t, i: 0 }
    }
    /// A number in `0..m` (0 when the tape is used up).
    pub fn below(&mut self, m: usize) -> usize {
        let x = self.t.get(self.i).copied().unwrap_or(0);
        self.i += 1;
        if m == 0 {
            0
        } else {
            x as usize % m
        }
    }
    /// True with probability `pct`% (false on a zero tape).
    pub fn pct(&mut self, pct: usize) -> bool {
        self.below(100) >= 100 - pct
    }
    pub fn shuffle<T>(&mut self, v: &mut [T]) {
        for i in (1..v.len()).rev() {
            let j = self.below(i + 1);
            v.swap(i, j);
        }
    }
    pub fn pick<'b, T>(&mut self, v: &'b [T]) -> Option<&'b T> {
        if v.is_empty() {
            None
        } else {
            Some(&v[self.below(v.len())])
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Graphs

/// A graph as given to `Graph::build`: arrays by external id; deps as given (maybe repeated, any order).
#[derive(Clone, Debug)]
pub struct GraphSpec {
    pub keys: Vec<String>,
    pub deps: Vec<Vec<u32>>,
    pub source: Vec<bool>,
}

/// The same logical graph, by key: `logical[i] = (key, dep keys, source)`, deps only on earlier
/// entries (so always a DAG).
#[derive(Clone, Debug)]
pub struct Logical {
    pub keys: Vec<String>,
    pub deps: Vec<Vec<usize>>,
    pub source: Vec<bool>,
}

pub fn gen_logical(n: usize, t: &mut Tape) -> Logical {
    let mut names: Vec<String> = NAMES.iter().map(|s| (*s).to_owned()).collect();
    t.shuffle(&mut names);
    names.truncate(n);
    let density = [20, 35, 55][t.below(3)];
    let mut source = vec![false; n];
    let mut deps = vec![Vec::new(); n];
    for i in 0..n {
        source[i] = t.pct(25);
        if !source[i] {
            for j in 0..i {
                if t.pct(density) {
                    deps[i].push(j);
                }
            }
        }
    }
    Logical {
        keys: names,
        deps,
        source,
    }
}

/// Lays a logical graph out with a random external-id permutation and random dep order/duplicates.
pub fn layout(l: &Logical, t: &mut Tape) -> GraphSpec {
    let n = l.keys.len();
    let mut perm: Vec<u32> = (0..n as u32).collect();
    t.shuffle(&mut perm);
    let mut keys = vec![String::new(); n];
    let mut deps = vec![Vec::new(); n];
    let mut source = vec![false; n];
    for i in 0..n {
        let e = perm[i] as usize;
        keys[e] = l.keys[i].clone();
        source[e] = l.source[i];
        let mut d: Vec<u32> = l.deps[i].iter().map(|&j| perm[j]).collect();
        if !d.is_empty() && t.pct(15) {
            let x = d[t.below(d.len())];
            d.push(x);
        }
        t.shuffle(&mut d);
        deps[e] = d;
    }
    GraphSpec { keys, deps, source }
}

pub struct GraphArrays {
    pub offsets: Vec<u32>,
    pub deps: Vec<u32>,
    pub sources: Vec<u8>,
}

impl GraphSpec {
    pub fn arrays(&self) -> GraphArrays {
        let mut offsets = vec![0u32];
        let mut deps = Vec::new();
        for d in &self.deps {
            deps.extend_from_slice(d);
            offsets.push(deps.len() as u32);
        }
        GraphArrays {
            offsets,
            deps,
            sources: self.source.iter().map(|&s| u8::from(s)).collect(),
        }
    }
    pub fn build(&self) -> Result<Graph, rivers_planner::PlannerError> {
        let a = self.arrays();
        let keys: Vec<&str> = self.keys.iter().map(String::as_str).collect();
        Graph::build(GraphInput {
            keys: &keys,
            dep_offsets: &a.offsets,
            deps: &a.deps,
            sources: Some(&a.sources),
            labels: None,
        })
    }
}

// ---------------------------------------------------------------------------------------------
// The reference

#[derive(Clone, Debug, PartialEq)]
pub struct Rec {
    pub code: H,
    pub config: H,
    pub data: H,
    /// Consumed deps by key (a key may be outside the graph), with the consumed data version.
    pub deps: Vec<(String, H)>,
}

/// The reference planner: the graph by key plus the state by key.
#[derive(Clone, Debug)]
pub struct Model {
    pub spec: GraphSpec,
    pub index: HashMap<String, u32>,
    /// Topological position of each external id (Kahn, ready assets in ascending external id).
    pub pos: Vec<usize>,
    pub source: HashMap<String, bool>,
    /// Current deps by key, deduplicated, in ascending topological position.
    pub deps: HashMap<String, Vec<String>>,
    pub cur_code: HashMap<String, H>,
    pub cur_config: HashMap<String, H>,
    pub observed: HashMap<String, H>,
    pub records: HashMap<String, Rec>,
}

/// Topological positions by Kahn's algorithm taking the smallest ready external id; None on a cycle.
pub fn kahn(deps: &[Vec<u32>]) -> Option<Vec<usize>> {
    let n = deps.len();
    let dset: Vec<BTreeSet<u32>> = deps.iter().map(|d| d.iter().copied().collect()).collect();
    let mut done = vec![false; n];
    let mut pos = vec![usize::MAX; n];
    for p in 0..n {
        let v = (0..n).find(|&v| !done[v] && dset[v].iter().all(|&d| done[d as usize]))?;
        done[v] = true;
        pos[v] = p;
    }
    Some(pos)
}

impl Model {
    pub fn new(spec: &GraphSpec) -> Model {
        let pos = kahn(&spec.deps).expect("a DAG");
        let mut index = HashMap::new();
        let mut source = HashMap::new();
        let mut deps = HashMap::new();
        for (e, k) in spec.keys.iter().enumerate() {
            index.insert(k.clone(), e as u32);
            source.insert(k.clone(), spec.source[e]);
            let mut d: Vec<u32> = spec.deps[e].clone();
            d.sort_by_key(|&x| pos[x as usize]);
            d.dedup();
            deps.insert(
                k.clone(),
                d.iter().map(|&x| spec.keys[x as usize].clone()).collect(),
            );
        }
        Model {
            spec: spec.clone(),
            index,
            pos,
            source,
            deps,
            cur_code: HashMap::new(),
            cur_config: HashMap::new(),
            observed: HashMap::new(),
            records: HashMap::new(),
        }
    }

    pub fn n(&self) -> usize {
        self.spec.keys.len()
    }
    pub fn keys(&self) -> &[String] {
        &self.spec.keys
    }
    /// Key of an external id (a raw `u32` or an [`ExtId`](rivers_planner::ExtId)).
    pub fn key(&self, ext: impl Into<u32>) -> &str {
        &self.spec.keys[ext.into() as usize]
    }
    pub fn ext(&self, k: &str) -> u32 {
        self.index[k]
    }
    pub fn topo(&self, k: &str) -> usize {
        self.pos[self.index[k] as usize]
    }
    pub fn is_source(&self, k: &str) -> bool {
        self.source[k]
    }
    pub fn code(&self, k: &str) -> H {
        self.cur_code.get(k).copied().unwrap_or(ZERO)
    }
    pub fn config(&self, k: &str) -> H {
        self.cur_config.get(k).copied().unwrap_or(ZERO)
    }
    pub fn children(&self, k: &str) -> Vec<String> {
        self.keys()
            .iter()
            .filter(|c| self.deps[*c].iter().any(|d| d == k))
            .cloned()
            .collect()
    }
    /// Keys in topological order.
    pub fn topo_keys(&self) -> Vec<String> {
        let mut ks: Vec<String> = self.keys().to_vec();
        ks.sort_by_key(|k| self.topo(k));
        ks
    }
    /// Closure over an edge relation, by a worklist.
    fn closure(&self, k: &str, next: impl Fn(&str) -> Vec<String>) -> HashSet<String> {
        let mut out = HashSet::new();
        let mut work = next(k);
        while let Some(x) = work.pop() {
            if out.insert(x.clone()) {
                work.extend(next(&x));
            }
        }
        out
    }
    pub fn descendants(&self, k: &str) -> HashSet<String> {
        self.closure(k, |x| self.children(x))
    }
    pub fn ancestors(&self, k: &str) -> HashSet<String> {
        self.closure(k, |x| self.deps[x].clone())
    }

    /// SPEC "State": a source's observation, else the record's data version.
    pub fn cur_data(&self, k: &str) -> Option<H> {
        if self.is_source(k) {
            if let Some(o) = self.observed.get(k) {
                return Some(*o);
            }
        }
        self.records.get(k).map(|r| r.data)
    }

    pub fn causes(&self, k: &str) -> Vec<(CauseKind, Option<String>)> {
        let mut out = Vec::new();
        let Some(rec) = self.records.get(k) else {
            return out;
        };
        if self.is_source(k) {
            return out;
        }
        if rec.code != self.code(k) {
            out.push((CauseKind::CodeChanged, None));
        }
        if rec.config != self.config(k) {
            out.push((CauseKind::ConfigChanged, None));
        }
        let cur = &self.deps[k];
        for u in cur {
            if !rec.deps.iter().any(|(d, _)| d == u) {
                out.push((CauseKind::DepAdded, Some(u.clone())));
            }
        }
        for (d, _) in &rec.deps {
            if !cur.contains(d) {
                out.push((CauseKind::DepRemoved, Some(d.clone())));
            }
        }
        for u in cur {
            // A dep recorded twice: the last entry counts (like the TS reference planner).
            if let Some((_, consumed)) = rec.deps.iter().rev().find(|(d, _)| d == u) {
                if Some(*consumed) != self.cur_data(u) {
                    out.push((CauseKind::UpstreamDataChanged, Some(u.clone())));
                }
            }
        }
        out
    }

    pub fn status(&self, k: &str) -> u8 {
        let has =
            self.records.contains_key(k) || (self.is_source(k) && self.observed.contains_key(k));
        if !has {
            MISSING
        } else if self.causes(k).is_empty() {
            FRESH
        } else {
            STALE
        }
    }

    pub fn dirty(&self, k: &str) -> bool {
        !self.is_source(k) && self.status(k) != FRESH
    }

    pub fn root_causes(&self, k: &str) -> Vec<(String, CauseKind)> {
        self.all_root_causes().remove(k).unwrap_or_default()
    }

    /// Root causes of every asset, computed in topological order (so a stale dep's are known).
    pub fn all_root_causes(&self) -> HashMap<String, Vec<(String, CauseKind)>> {
        let mut all: HashMap<String, Vec<(String, CauseKind)>> = HashMap::new();
        for k in self.topo_keys() {
            let roots = match self.status(&k) {
                MISSING => vec![(k.clone(), CauseKind::Missing)],
                FRESH => Vec::new(),
                _ => {
                    let mut set = BTreeSet::new();
                    for (kind, dep) in self.causes(&k) {
                        if kind != CauseKind::UpstreamDataChanged {
                            set.insert((self.topo(&k), kind, k.clone()));
                            continue;
                        }
                        let u = dep.expect("upstream cause names its dep");
                        match self.status(&u) {
                            MISSING => {
                                set.insert((self.topo(&u), CauseKind::Missing, u));
                            }
                            STALE => {
                                for (r, rk) in &all[&u] {
                                    set.insert((self.topo(r), *rk, r.clone()));
                                }
                            }
                            _ if self.is_source(&u) => {
                                set.insert((self.topo(&u), CauseKind::SourceChanged, u));
                            }
                            _ => {
                                set.insert((self.topo(&u), CauseKind::NewDataVersion, u));
                            }
                        }
                    }
                    set.into_iter().map(|(_, kind, key)| (key, kind)).collect()
                }
            };
            all.insert(k, roots);
        }
        all
    }

    /// SPEC "Plan": layers of keys (ascending topological position inside a layer) and the set of
    /// `(asset, missing input)` pairs.
    pub fn plan(&self, sel: Option<&[String]>, force: bool) -> KeyPlan {
        let s: HashSet<String> = match sel {
            Some(s) => s.iter().cloned().collect(),
            None => self.keys().iter().cloned().collect(),
        };
        // In topological order, so every dep's answer is known: planned iff in S, not a source,
        // and forced, missing/stale, or with a planned dep; layer = 1 + max layer of planned deps.
        let mut layer_of: HashMap<String, usize> = HashMap::new();
        let mut layers: Vec<Vec<String>> = Vec::new();
        let mut missing = BTreeSet::new();
        for v in self.topo_keys() {
            if !s.contains(&v) || self.is_source(&v) {
                continue;
            }
            let planned_deps: Vec<usize> = self.deps[&v]
                .iter()
                .filter_map(|u| layer_of.get(u).copied())
                .collect();
            if !(force || self.dirty(&v) || !planned_deps.is_empty()) {
                continue;
            }
            let l = planned_deps.iter().map(|x| x + 1).max().unwrap_or(0);
            layer_of.insert(v.clone(), l);
            if layers.len() <= l {
                layers.resize(l + 1, Vec::new());
            }
            layers[l].push(v.clone());
            for u in &self.deps[&v] {
                if !s.contains(u) && self.status(u) == MISSING {
                    missing.insert((v.clone(), u.clone()));
                }
            }
        }
        KeyPlan { layers, missing }
    }

    /// The consumed deps of a correct build of `k` now: its current deps at their current versions.
    pub fn consumed_now(&self, k: &str) -> Option<Vec<(String, H)>> {
        self.deps[k]
            .iter()
            .map(|u| self.cur_data(u).map(|d| (u.clone(), d)))
            .collect()
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeyPlan {
    pub layers: Vec<Vec<String>>,
    pub missing: BTreeSet<(String, String)>,
}

impl KeyPlan {
    pub fn all(&self) -> Vec<String> {
        self.layers.iter().flatten().cloned().collect()
    }
    pub fn set(&self) -> BTreeSet<String> {
        self.layers.iter().flatten().cloned().collect()
    }
}

// ---------------------------------------------------------------------------------------------
// Talking to the real planner

/// A record batch with owned arrays.
#[derive(Default, Debug)]
pub struct OwnedBatch {
    pub ids: Vec<u32>,
    pub code: Vec<u8>,
    pub config: Vec<u8>,
    pub data: Vec<u8>,
    pub offsets: Vec<u32>,
    pub deps: Vec<u32>,
    pub dep_versions: Vec<u8>,
    pub externs: Vec<String>,
}

impl OwnedBatch {
    pub fn new(m: &Model, recs: &[(String, Rec)]) -> OwnedBatch {
        let n = m.n() as u32;
        let mut b = OwnedBatch {
            offsets: vec![0],
            ..Default::default()
        };
        for (k, r) in recs {
            b.ids.push(m.ext(k));
            b.code.extend_from_slice(&r.code);
            b.config.extend_from_slice(&r.config);
            b.data.extend_from_slice(&r.data);
            for (d, ver) in &r.deps {
                let id = match m.index.get(d) {
                    Some(&e) => e,
                    None => {
                        let j = b.externs.iter().position(|x| x == d).unwrap_or_else(|| {
                            b.externs.push(d.clone());
                            b.externs.len() - 1
                        });
                        n + j as u32
                    }
                };
                b.deps.push(id);
                b.dep_versions.extend_from_slice(ver);
            }
            b.offsets.push(b.deps.len() as u32);
        }
        b
    }
    pub fn with<R>(&self, f: impl FnOnce(&RecordBatch<'_>) -> R) -> R {
        let externs: Vec<&str> = self.externs.iter().map(String::as_str).collect();
        let b = RecordBatch {
            ids: &self.ids,
            code_versions: &self.code,
            config_hashes: &self.config,
            data_versions: &self.data,
            dep_offsets: &self.offsets,
            deps: &self.deps,
            dep_versions: &self.dep_versions,
            extern_keys: &externs,
        };
        f(&b)
    }
}

pub fn flat(hs: &[H]) -> Vec<u8> {
    hs.iter().flatten().copied().collect()
}

/// Sets the model's current versions and observations on a planner (all ids, zero where unset).
/// `skip_zero`: leave zero (unset) versions unset instead of setting them to zero explicitly.
pub fn push_versions(p: &mut Planner, m: &Model, skip_zero: bool) {
    let ids: Vec<u32> = (0..m.n() as u32)
        .filter(|&e| !skip_zero || m.code(m.key(e)) != ZERO)
        .collect();
    let codes: Vec<H> = ids.iter().map(|&e| m.code(m.key(e))).collect();
    p.set_code_versions(&ids, &flat(&codes)).expect("codes");
    let ids: Vec<u32> = (0..m.n() as u32)
        .filter(|&e| !skip_zero || m.config(m.key(e)) != ZERO)
        .collect();
    let configs: Vec<H> = ids.iter().map(|&e| m.config(m.key(e))).collect();
    p.set_config_hashes(&ids, &flat(&configs)).expect("configs");
    let mut obs: Vec<(u32, H)> = m.observed.iter().map(|(k, h)| (m.ext(k), *h)).collect();
    obs.sort();
    let (oids, ovs): (Vec<u32>, Vec<H>) = obs.into_iter().unzip();
    p.set_observed(&oids, &flat(&ovs)).expect("observe");
}

/// All records of the model, by ascending external id.
pub fn all_records(m: &Model) -> Vec<(String, Rec)> {
    let mut recs: Vec<(String, Rec)> = m
        .records
        .iter()
        .map(|(k, r)| (k.clone(), r.clone()))
        .collect();
    recs.sort_by_key(|(k, _)| m.ext(k));
    recs
}

/// A planner with the model's state: records loaded in bulk, versions set before or after
/// (`how` picks: bit 0 = versions first, bit 1 = zero versions left unset).
pub fn planner_from(m: &Model, how: usize) -> Planner {
    let (versions_first, skip_zero) = (how & 1 != 0, how & 2 != 0);
    let mut p = Planner::new(m.spec.build().expect("valid graph"));
    if versions_first {
        push_versions(&mut p, m, skip_zero);
    }
    OwnedBatch::new(m, &all_records(m))
        .with(|b| p.load_records(b))
        .expect("load");
    if !versions_first {
        push_versions(&mut p, m, skip_zero);
    }
    p
}

pub fn p_statuses(p: &Planner, m: &Model) -> Vec<u8> {
    let ids: Vec<u32> = (0..m.n() as u32).collect();
    p.statuses(&ids).expect("statuses")
}

pub fn p_causes(p: &Planner, m: &Model) -> Vec<Vec<(CauseKind, Option<String>)>> {
    let ids: Vec<u32> = (0..m.n() as u32).collect();
    let t = p.causes(&ids).expect("causes");
    assert_eq!(t.offsets.len(), ids.len() + 1);
    assert_eq!(t.kinds.len(), t.deps.len());
    (0..ids.len())
        .map(|i| {
            (t.offsets[i] as usize..t.offsets[i + 1] as usize)
                .map(|j| {
                    let dep = t.deps[j];
                    let key = if dep == NO_DEP {
                        None
                    } else {
                        Some(p.dep_key(dep).expect("dep names a key").to_owned())
                    };
                    (kind_of(t.kinds[j]), key)
                })
                .collect()
        })
        .collect()
}

pub fn p_roots(p: &Planner, m: &Model) -> Vec<Vec<(String, CauseKind)>> {
    let ids: Vec<u32> = (0..m.n() as u32).collect();
    let t = p.root_causes(&ids).expect("root causes");
    assert_eq!(t.offsets.len(), ids.len() + 1);
    assert_eq!(t.kinds.len(), t.ids.len());
    (0..ids.len())
        .map(|i| {
            (t.offsets[i] as usize..t.offsets[i + 1] as usize)
                .map(|j| (m.key(t.ids[j]).to_owned(), kind_of(t.kinds[j])))
                .collect()
        })
        .collect()
}

/// Checks the plan's shape (SPEC property 5 and well-formed layers) and reads it back by key.
pub fn read_plan(m: &Model, plan: &Plan, sel: Option<&[String]>) -> Result<KeyPlan, TestCaseError> {
    let lo = &plan.layer_offsets;
    proptest::prop_assert!(
        !lo.is_empty() && lo[0] == 0,
        "layer offsets start at 0: {:?}",
        lo
    );
    proptest::prop_assert_eq!(*lo.last().unwrap_or(&0) as usize, plan.ids.len());
    proptest::prop_assert!(
        lo.windows(2).all(|w| w[0] < w[1]),
        "no empty or decreasing layer: {:?}",
        lo
    );
    let mut layer_of: HashMap<String, usize> = HashMap::new();
    let mut layers = Vec::new();
    for l in 0..lo.len() - 1 {
        let mut layer = Vec::new();
        for &e in &plan.ids[lo[l] as usize..lo[l + 1] as usize] {
            proptest::prop_assert!(e.idx() < m.n());
            let k = m.key(e).to_owned();
            proptest::prop_assert!(
                layer_of.insert(k.clone(), l).is_none(),
                "{} planned twice",
                k
            );
            proptest::prop_assert!(!m.is_source(&k), "source {} planned", k);
            if let Some(s) = sel {
                proptest::prop_assert!(s.contains(&k), "{} planned outside the selection", k);
            }
            layer.push(k);
        }
        layers.push(layer);
    }
    for (k, &l) in &layer_of {
        for u in &m.deps[k] {
            if let Some(&lu) = layer_of.get(u) {
                proptest::prop_assert!(
                    lu < l,
                    "edge {} -> {} inside the plan but layers {} >= {}",
                    k,
                    u,
                    lu,
                    l
                );
            }
        }
    }
    let missing = plan
        .missing_inputs
        .iter()
        .map(|&(v, u)| (m.key(v).to_owned(), m.key(u).to_owned()))
        .collect();
    Ok(KeyPlan { layers, missing })
}

/// Whole comparison of a planner with the reference: statuses, causes, root causes, whole plan,
/// `to_json`, and the plans of the given selections.
pub fn compare(
    p: &mut Planner,
    m: &Model,
    sels: &[(Option<Vec<String>>, bool)],
) -> Result<(), TestCaseError> {
    let st = p_statuses(p, m);
    let want: Vec<u8> = m.keys().iter().map(|k| m.status(k)).collect();
    proptest::prop_assert_eq!(&st, &want, "statuses");
    let causes = p_causes(p, m);
    for (e, k) in m.keys().iter().enumerate() {
        proptest::prop_assert_eq!(&causes[e], &m.causes(k), "causes of {}", k);
    }
    let roots = p_roots(p, m);
    let want_roots = m.all_root_causes();
    for (e, k) in m.keys().iter().enumerate() {
        proptest::prop_assert_eq!(&roots[e], &want_roots[k], "root causes of {}", k);
    }
    let whole = p.plan(None, false).expect("plan");
    let got = read_plan(m, &whole, None)?;
    proptest::prop_assert_eq!(&got, &m.plan(None, false), "maintained whole plan");
    proptest::prop_assert_eq!(p.planned_count(), got.set().len());
    check_json(p, m, &st, &causes, &got)?;
    for (sel, force) in sels {
        let ids: Option<Vec<u32>> = sel.as_ref().map(|s| s.iter().map(|k| m.ext(k)).collect());
        let plan = p.plan(ids.as_deref(), *force).expect("plan");
        let got = read_plan(m, &plan, sel.as_deref())?;
        proptest::prop_assert_eq!(
            &got,
            &m.plan(sel.as_deref(), *force),
            "plan of {:?} force={}",
            sel,
            force
        );
    }
    Ok(())
}

fn check_json(
    p: &Planner,
    m: &Model,
    st: &[u8],
    causes: &[Vec<(CauseKind, Option<String>)>],
    plan: &KeyPlan,
) -> Result<(), TestCaseError> {
    let json = p.to_json();
    let planned = plan.set();
    let mut rest = json.as_str();
    for (e, k) in m.keys().iter().enumerate() {
        let needle = format!("{{\"key\":\"{k}\"");
        let at = rest.find(&needle);
        proptest::prop_assert!(at.is_some(), "to_json lists {} in external id order", k);
        rest = &rest[at.unwrap_or(0) + needle.len()..];
        let end = rest.find("{\"key\":").unwrap_or(rest.len());
        let obj = &rest[..end];
        let status = ["missing", "stale", "fresh"][st[e] as usize];
        proptest::prop_assert!(
            obj.contains(&format!("\"status\":\"{status}\"")),
            "to_json status of {}: {}",
            k,
            obj
        );
        proptest::prop_assert!(
            obj.contains(&format!("\"planned\":{}", planned.contains(k))),
            "to_json planned of {}: {}",
            k,
            obj
        );
        let source = format!("\"source\":{}", m.is_source(k));
        proptest::prop_assert!(
            obj.contains(&source),
            "to_json source flag of {}: {}",
            k,
            obj
        );
        proptest::prop_assert_eq!(
            obj.matches("{\"kind\":").count(),
            causes[e].len(),
            "to_json causes of {}: {}",
            k,
            obj
        );
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Random state

/// A random record for `k` against the model's current state: code/config often current, deps
/// often exactly the current ones, consumed versions often the deps' current data versions.
pub fn gen_record(m: &Model, k: &str, t: &mut Tape) -> Rec {
    let code = if t.pct(35) {
        code_pool(t.below(3) as u32)
    } else {
        m.code(k)
    };
    let config = if t.pct(35) {
        config_pool(t.below(3) as u32)
    } else {
        m.config(k)
    };
    let data = data_pool(t.below(4) as u32);
    // Sorted by key, so the same tape gives the same record whatever the external ids.
    let mut dep_keys: Vec<String> = if m.is_source(k) {
        Vec::new()
    } else {
        m.deps[k].clone()
    };
    dep_keys.sort();
    t.shuffle(&mut dep_keys);
    if !dep_keys.is_empty() && t.pct(15) {
        let i = t.below(dep_keys.len());
        dep_keys.remove(i);
    }
    if t.pct(12) {
        let mut others: Vec<&String> = m
            .keys()
            .iter()
            .filter(|o| o.as_str() != k && !dep_keys.contains(o))
            .collect();
        others.sort();
        if let Some(o) = t.pick(&others) {
            let at = t.below(dep_keys.len() + 1);
            dep_keys.insert(at, (*o).clone());
        }
    }
    if t.pct(12) {
        let x = format!("gone/k{}", t.below(3));
        if !dep_keys.contains(&x) {
            let at = t.below(dep_keys.len() + 1);
            dep_keys.insert(at, x);
        }
    }
    if !dep_keys.is_empty() && t.pct(6) {
        // The same dep recorded twice (its last entry counts).
        let d = dep_keys[t.below(dep_keys.len())].clone();
        let at = t.below(dep_keys.len() + 1);
        dep_keys.insert(at, d);
    }
    let deps = dep_keys
        .into_iter()
        .map(|d| {
            let ver = match m.index.get(&d).and_then(|_| m.cur_data(&d)) {
                Some(cur) if !t.pct(30) => cur,
                _ => data_pool(t.below(4) as u32),
            };
            (d, ver)
        })
        .collect();
    Rec {
        code,
        config,
        data,
        deps,
    }
}

/// Random current versions, observations and records (records generated in topological order so
/// consumed versions can match the deps' data versions).
pub fn gen_state(m: &mut Model, t: &mut Tape, record_pct: usize) {
    for k in m.topo_keys() {
        m.cur_code.insert(k.clone(), code_pool(t.below(3) as u32));
        m.cur_config
            .insert(k.clone(), config_pool(t.below(3) as u32));
        if m.is_source(&k) && t.pct(60) {
            m.observed.insert(k.clone(), data_pool(t.below(4) as u32));
        }
        if t.pct(record_pct) {
            let r = gen_record(m, &k, t);
            m.records.insert(k, r);
        }
    }
}

/// Random selections: subsets, singletons with ancestors, and `None`, each with or without force.
pub fn gen_selections(m: &Model, t: &mut Tape, count: usize) -> Vec<(Option<Vec<String>>, bool)> {
    (0..count)
        .map(|_| {
            let force = t.pct(30);
            let sel = match t.below(4) {
                0 => None,
                1 => {
                    let k = m.key(t.below(m.n()) as u32).to_owned();
                    let mut s: Vec<String> = m.ancestors(&k).into_iter().collect();
                    s.push(k);
                    s.sort();
                    Some(s)
                }
                _ => {
                    let mut s: Vec<String> =
                        m.keys().iter().filter(|_| t.pct(50)).cloned().collect();
                    if !s.is_empty() && t.pct(20) {
                        let d = s[0].clone();
                        s.push(d); // a repeated id in the selection
                    }
                    t.shuffle(&mut s);
                    Some(s)
                }
            };
            (sel, force)
        })
        .collect()
}
