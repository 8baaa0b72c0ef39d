//! Plans, causes and root causes, read off the [`Planner`]'s state.

use crate::fxmap::IdMap;

use crate::error::PlannerError;
use crate::id::{ExtId, Pos};
use crate::state::{
    Planner, RecDep, C_CODE, C_CONFIG, C_UPSTREAM, FRESH, HAS_RECORD, MISSING, STALE,
};

/// Kinds of causes and root causes, with their stable codes (the binding returns the `u8`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[repr(u8)]
pub enum CauseKind {
    /// The code version differs from the record's.
    CodeChanged = 0,
    /// The config hash differs from the record's.
    ConfigChanged = 1,
    /// A current dependency was not in the record.
    DepAdded = 2,
    /// A recorded dependency is no longer a dependency.
    DepRemoved = 3,
    /// A dependency's current data version differs from the one consumed.
    UpstreamDataChanged = 4,
    /// (root cause) The asset is fresh but was re-materialized to a new data version.
    NewDataVersion = 5,
    /// (root cause) A source observed a new version.
    SourceChanged = 6,
    /// (root cause) The asset has never been materialized (or was wiped).
    Missing = 7,
}

impl CauseKind {
    /// The stable string used in JSON output.
    pub fn as_str(self) -> &'static str {
        match self {
            CauseKind::CodeChanged => "code_changed",
            CauseKind::ConfigChanged => "config_changed",
            CauseKind::DepAdded => "dep_added",
            CauseKind::DepRemoved => "dep_removed",
            CauseKind::UpstreamDataChanged => "upstream_data_changed",
            CauseKind::NewDataVersion => "new_data_version",
            CauseKind::SourceChanged => "source_changed",
            CauseKind::Missing => "missing",
        }
    }
}

/// A dependency named by a cause: an external id, or `n + j` for the j-th extern key.
pub const NO_DEP: u32 = u32::MAX;

/// A plan: external ids in layers (`layer_offsets` has layers + 1 entries), and the planned assets
/// whose input is missing and outside the selection, as `(asset, input)` external id pairs.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Plan {
    /// Planned assets, layer after layer, ascending topological position inside a layer.
    pub ids: Vec<ExtId>,
    /// `ids[layer_offsets[k]..layer_offsets[k+1]]` is layer `k`.
    pub layer_offsets: Vec<u32>,
    /// `(asset, input)` pairs that block the plan.
    pub missing_inputs: Vec<(ExtId, ExtId)>,
}

/// Causes of many assets, CSR: `kinds[offsets[i]..offsets[i+1]]` with parallel `deps`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CauseTable {
    /// Row offsets (rows + 1).
    pub offsets: Vec<u32>,
    /// Cause kinds.
    pub kinds: Vec<u8>,
    /// The dep each cause is about: an external id, `n + j` for the j-th extern key, or [`NO_DEP`]
    /// (code/config causes). A third kind of reference, so a plain `u32`.
    pub deps: Vec<u32>,
}

/// Root causes of many assets, CSR: `(ids, kinds)` rows.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RootCauseTable {
    /// Row offsets (rows + 1).
    pub offsets: Vec<u32>,
    /// External ids of the assets where the change started.
    pub ids: Vec<ExtId>,
    /// Root cause kinds.
    pub kinds: Vec<u8>,
}

impl Planner {
    /// Plans `selection` (external ids; `None` = every asset). Without `force` and without a selection
    /// this reads the incrementally maintained plan: O(p log p + edges inside the plan) for a plan of
    /// `p` assets, independent of the graph size. Otherwise O(s log s + edges of the selection).
    pub fn plan(&mut self, selection: Option<&[u32]>, force: bool) -> Result<Plan, PlannerError> {
        let n = self.graph.len();
        let mut members: Vec<Pos>;
        let mut in_sel: Option<Vec<bool>> = None;
        match selection {
            None if !force => {
                self.compact_planned();
                members = self.planned_list.clone();
                members.sort_unstable();
            }
            _ => {
                let sel: Vec<Pos> = match selection {
                    Some(s) => s
                        .iter()
                        .map(|&e| self.ext_to_int(e))
                        .collect::<Result<_, _>>()?,
                    None => Pos::all(n).collect(),
                };
                let mut mark = vec![false; n];
                for &v in &sel {
                    mark[v.idx()] = true;
                }
                members = Vec::new();
                // scratch[v] = 1 while v is planned in this call; reset below.
                for v in Pos::all(n) {
                    if !mark[v.idx()] || self.graph.is_source(v) {
                        continue;
                    }
                    let planned = force
                        || self.dirty(v)
                        || self
                            .graph
                            .deps(v)
                            .iter()
                            .any(|&u| self.scratch[u.idx()] != 0);
                    if planned {
                        self.scratch[v.idx()] = 1;
                        members.push(v);
                    }
                }
                for &v in &members {
                    self.scratch[v.idx()] = 0;
                }
                in_sel = Some(mark);
            }
        }

        // Layers: scratch[v] = layer + 1 for planned v.
        let mut max_layer = 0u32;
        for &v in &members {
            let l = self
                .graph
                .deps(v)
                .iter()
                .map(|&u| self.scratch[u.idx()])
                .max()
                .unwrap_or(0);
            self.scratch[v.idx()] = l + 1;
            max_layer = max_layer.max(l + 1);
        }
        let mut counts = vec![0u32; max_layer as usize + 1];
        for &v in &members {
            counts[self.scratch[v.idx()] as usize] += 1;
        }
        let mut layer_offsets = Vec::with_capacity(max_layer as usize + 1);
        let mut acc = 0u32;
        layer_offsets.push(0);
        for c in counts.iter().skip(1) {
            acc += c;
            layer_offsets.push(acc);
        }
        let mut fill: Vec<u32> = layer_offsets.clone();
        let mut ids = vec![ExtId(0); members.len()];
        for &v in &members {
            let l = self.scratch[v.idx()] as usize - 1;
            ids[fill[l] as usize] = self.graph.ext_of(v);
            fill[l] += 1;
        }

        let mut missing_inputs = Vec::new();
        if let Some(mark) = &in_sel {
            for &e in &ids {
                let v = self.graph.int_of(e);
                for &u in self.graph.deps(v) {
                    if !mark[u.idx()] && self.status_int(u) == MISSING {
                        missing_inputs.push((self.graph.ext_of(v), self.graph.ext_of(u)));
                    }
                }
            }
        }
        for &v in &members {
            self.scratch[v.idx()] = 0;
        }
        Ok(Plan {
            ids,
            layer_offsets,
            missing_inputs,
        })
    }

    /// Causes of the given external ids, in the order of `SPEC.md`. O(sum of their degrees).
    pub fn causes(&self, ids: &[u32]) -> Result<CauseTable, PlannerError> {
        let mut t = CauseTable {
            offsets: vec![0],
            ..Default::default()
        };
        for &id in ids {
            let v = self.ext_to_int(id)?;
            for (kind, dep) in self.causes_int(v) {
                t.kinds.push(kind as u8);
                t.deps.push(dep);
            }
            t.offsets.push(t.kinds.len() as u32);
        }
        Ok(t)
    }

    fn dep_ext(&self, d: RecDep) -> u32 {
        match d {
            RecDep::Asset(u) => self.graph.ext_of(u).0,
            RecDep::Extern(j) => self.graph.len() as u32 + j,
        }
    }

    /// Causes of position `v` as (kind, dep as external id or extern index).
    pub(crate) fn causes_int(&self, v: Pos) -> Vec<(CauseKind, u32)> {
        let mut out = Vec::new();
        let f = self.flags[v.idx()];
        if self.graph.is_source(v) || f & HAS_RECORD == 0 {
            return out;
        }
        if f & C_CODE != 0 {
            out.push((CauseKind::CodeChanged, NO_DEP));
        }
        if f & C_CONFIG != 0 {
            out.push((CauseKind::ConfigChanged, NO_DEP));
        }
        match self.odd_deps.get(&v) {
            None => {
                if f & C_UPSTREAM != 0 {
                    for (e, &u) in self.graph.dep_edge_range(v).zip(self.graph.deps(v)) {
                        if self.exc.contains_key(&(e as u32)) {
                            out.push((CauseKind::UpstreamDataChanged, self.graph.ext_of(u).0));
                        }
                    }
                }
            }
            Some(rec) => {
                let deps = self.graph.deps(v);
                for &u in deps {
                    if !rec.iter().any(|&(d, _)| d == RecDep::Asset(u)) {
                        out.push((CauseKind::DepAdded, self.graph.ext_of(u).0));
                    }
                }
                for &(d, _) in rec.iter() {
                    let current = matches!(d, RecDep::Asset(u) if deps.binary_search(&u).is_ok());
                    if !current {
                        out.push((CauseKind::DepRemoved, self.dep_ext(d)));
                    }
                }
                for &u in deps {
                    if let Some(&(_, ver)) = rec.iter().rev().find(|&&(d, _)| d == RecDep::Asset(u))
                    {
                        if ver != self.cur_data(u) {
                            out.push((CauseKind::UpstreamDataChanged, self.graph.ext_of(u).0));
                        }
                    }
                }
            }
        }
        out
    }

    /// Root causes of the given external ids (`SPEC.md`): walks `upstream_data_changed` causes up
    /// through stale assets, memoised. O(the stale ancestors reached and their degrees).
    pub fn root_causes(&self, ids: &[u32]) -> Result<RootCauseTable, PlannerError> {
        let wanted: Vec<Pos> = ids
            .iter()
            .map(|&e| self.ext_to_int(e))
            .collect::<Result<_, _>>()?;
        // Collect the stale assets whose root causes are needed.
        let mut need: Vec<Pos> = Vec::new();
        let mut seen: IdMap<Pos, ()> = IdMap::default();
        let mut stack: Vec<Pos> = wanted
            .iter()
            .copied()
            .filter(|&v| self.status_int(v) == STALE)
            .collect();
        while let Some(v) = stack.pop() {
            if seen.insert(v, ()).is_some() {
                continue;
            }
            need.push(v);
            for (kind, dep) in self.causes_int(v) {
                if kind == CauseKind::UpstreamDataChanged {
                    let u = self.graph.int_of(ExtId(dep));
                    if self.status_int(u) == STALE {
                        stack.push(u);
                    }
                }
            }
        }
        need.sort_unstable();
        let mut memo: IdMap<Pos, Vec<(Pos, u8)>> = IdMap::default();
        for &v in &need {
            let mut roots: Vec<(Pos, u8)> = Vec::new();
            for (kind, dep) in self.causes_int(v) {
                if kind != CauseKind::UpstreamDataChanged {
                    roots.push((v, kind as u8));
                    continue;
                }
                let u = self.graph.int_of(ExtId(dep));
                match self.status_int(u) {
                    MISSING => roots.push((u, CauseKind::Missing as u8)),
                    STALE => roots.extend(memo.get(&u).map(Vec::as_slice).unwrap_or(&[])),
                    _ if self.graph.is_source(u) => roots.push((u, CauseKind::SourceChanged as u8)),
                    _ => roots.push((u, CauseKind::NewDataVersion as u8)),
                }
            }
            roots.sort_unstable();
            roots.dedup();
            memo.insert(v, roots);
        }
        let mut t = RootCauseTable {
            offsets: vec![0],
            ..Default::default()
        };
        for &v in &wanted {
            match self.status_int(v) {
                MISSING => {
                    t.ids.push(self.graph.ext_of(v));
                    t.kinds.push(CauseKind::Missing as u8);
                }
                FRESH => {}
                _ => {
                    for &(u, k) in memo.get(&v).map(Vec::as_slice).unwrap_or(&[]) {
                        t.ids.push(self.graph.ext_of(u));
                        t.kinds.push(k);
                    }
                }
            }
            t.offsets.push(t.ids.len() as u32);
        }
        Ok(t)
    }

    /// Key of a cause's dep (external id or `n + j` extern index).
    pub fn dep_key(&self, dep: u32) -> Option<&str> {
        let n = self.graph.len() as u32;
        if dep < n {
            Some(self.graph.key_ext(ExtId(dep)))
        } else {
            self.extern_keys.get((dep - n) as usize).map(String::as_str)
        }
    }
}
