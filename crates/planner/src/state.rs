//! The planner: a [`Graph`] plus the current versions and the latest record of every asset, with
//! statuses and the plan of the whole graph maintained incrementally.
//!
//! Versions are compared by 64-bit fingerprints ([`crate::hash::fingerprint`]) to keep the state at a
//! few words per asset. Consumed input versions are stored only where they differ from the input's
//! current data version (`exc`, keyed by dependency edge): when an asset's data version changes,
//! only its children's edges are touched, so every update costs the degrees it concerns.

use std::collections::HashMap;

use crate::fxmap::{map_bytes, IdMap};
use crate::pair_column::PairColumn;

use crate::error::{self, PlannerError};
use crate::graph::Graph;
use crate::hash::{fingerprint, Hash128};
use crate::id::{ExtId, Pos};

/// Status codes, as the binding returns them.
pub const MISSING: u8 = 0;
/// Record exists and at least one cause holds.
pub const STALE: u8 = 1;
/// Record exists and no cause holds.
pub const FRESH: u8 = 2;

pub(crate) const C_CODE: u8 = 1;
pub(crate) const C_CONFIG: u8 = 2;
pub(crate) const C_ADDED: u8 = 4;
pub(crate) const C_REMOVED: u8 = 8;
pub(crate) const C_UPSTREAM: u8 = 16;
pub(crate) const CAUSES: u8 = 31;
pub(crate) const HAS_RECORD: u8 = 32;
/// The asset is in `planned_list` (which may also hold assets no longer planned, until compacted).
pub(crate) const IN_LIST: u8 = 64;
/// A source with an observed data version, held in its `rec_data` slot: an observation wins over
/// any record of the source and is never withdrawn, so the record's own data version is not needed.
/// Kept across `load_records`.
const OBSERVED: u8 = 128;

/// A dependency as a record saw it: an asset of the graph (its position) or a key no longer in it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum RecDep {
    Asset(Pos),
    Extern(u32),
}

/// Latest materialization records in bulk. Arrays are parallel; hashes are 16 bytes each.
#[derive(Clone, Copy, Debug)]
pub struct RecordBatch<'a> {
    /// External ids of the assets the records belong to.
    pub ids: &'a [u32],
    /// Code version of each record (16 bytes each).
    pub code_versions: &'a [u8],
    /// Config hash of each record.
    pub config_hashes: &'a [u8],
    /// Data version of each record.
    pub data_versions: &'a [u8],
    /// CSR offsets into `deps` (records + 1).
    pub dep_offsets: &'a [u32],
    /// Consumed deps: an external id `< n`, or `n + j` for `extern_keys[j]` (a key not in the graph).
    pub deps: &'a [u32],
    /// Data version consumed for each dep (16 bytes each).
    pub dep_versions: &'a [u8],
    /// Keys of recorded deps that are not in the graph.
    pub extern_keys: &'a [&'a str],
}

/// Graph + state. Built once; records and versions are loaded in bulk and updated incrementally.
pub struct Planner {
    pub(crate) graph: Graph,
    cur_code: Vec<u64>,
    rec_code: Vec<u64>,
    /// Current and recorded config hashes (few distinct values: coded, see `pair_column`).
    config: PairColumn,
    rec_data: Vec<u64>,
    pub(crate) flags: Vec<u8>,
    pub(crate) exc: IdMap<u32, u64>,
    pub(crate) odd_deps: IdMap<Pos, Box<[(RecDep, u64)]>>,
    pub(crate) extern_keys: Vec<String>,
    extern_index: HashMap<String, u32>,
    count: Vec<u32>,
    /// Assets of the maintained plan, plus stale entries dropped lazily (see `compact_planned`).
    pub(crate) planned_list: Vec<Pos>,
    planned_live: usize,
    pub(crate) scratch: Vec<u32>,
}

fn hash_at(buf: &[u8], i: usize) -> Hash128 {
    let mut h = [0u8; 16];
    h.copy_from_slice(&buf[16 * i..16 * i + 16]);
    h
}

fn check_hashes(name: &str, buf: &[u8], count: usize) -> Result<(), PlannerError> {
    if buf.len() != 16 * count {
        return Err(error::invalid_input(format!(
            "{name} has {} bytes, expected {} (16 per entry)",
            buf.len(),
            16 * count
        )));
    }
    Ok(())
}

impl Planner {
    /// Wraps a graph with empty state: every asset missing, current code and config unset (zero).
    /// Cost: O(n) allocation of the per-asset state.
    pub fn new(graph: Graph) -> Planner {
        let n = graph.len();
        // Unset current versions are the zero hash, compared like any other 16 bytes (so a record
        // with zero code/config matches an unset current version, and setting zero == unset).
        let unset = fingerprint(&[0u8; 16]);
        let mut p = Planner {
            graph,
            cur_code: vec![unset; n],
            rec_code: vec![0; n],
            config: PairColumn::new(n, unset, 0),
            rec_data: vec![0; n],
            flags: vec![0; n],
            exc: IdMap::default(),
            odd_deps: IdMap::default(),
            extern_keys: Vec::new(),
            extern_index: HashMap::new(),
            count: vec![0; n],
            planned_list: Vec::new(),
            planned_live: 0,
            scratch: vec![0; n],
        };
        p.rebuild_plan_counts();
        p
    }

    /// The graph.
    pub fn graph(&self) -> &Graph {
        &self.graph
    }

    /// Position of an external id given by a caller; an id out of range is an error.
    pub(crate) fn ext_to_int(&self, ext: u32) -> Result<Pos, PlannerError> {
        match self.graph.check_ext(ext) {
            Some(e) => Ok(self.graph.int_of(e)),
            None => Err(error::invalid_input(format!(
                "asset id {ext} out of range ({} assets)",
                self.graph.len()
            ))),
        }
    }

    /// Current data version fingerprint of position `v` (0 = none).
    pub(crate) fn cur_data(&self, v: Pos) -> u64 {
        if self.flags[v.idx()] & (HAS_RECORD | OBSERVED) != 0 {
            self.rec_data[v.idx()]
        } else {
            0
        }
    }

    /// Status code of position `v`.
    pub(crate) fn status_int(&self, v: Pos) -> u8 {
        let f = self.flags[v.idx()];
        if self.graph.is_source(v) {
            return if f & (HAS_RECORD | OBSERVED) != 0 {
                FRESH
            } else {
                MISSING
            };
        }
        if f & HAS_RECORD == 0 {
            MISSING
        } else if f & CAUSES != 0 {
            STALE
        } else {
            FRESH
        }
    }

    pub(crate) fn dirty(&self, v: Pos) -> bool {
        !self.graph.is_source(v)
            && (self.flags[v.idx()] & HAS_RECORD == 0 || self.flags[v.idx()] & CAUSES != 0)
    }

    /// Cause bits of `v` from its record and its deps' current data versions. O(deg v).
    fn compute_causes(&self, v: Pos) -> u8 {
        let i = v.idx();
        if self.graph.is_source(v) || self.flags[i] & HAS_RECORD == 0 {
            return 0;
        }
        let mut m = 0;
        if self.rec_code[i] != self.cur_code[i] {
            m |= C_CODE;
        }
        if self.config.differs(i) {
            m |= C_CONFIG;
        }
        match if self.odd_deps.is_empty() {
            None
        } else {
            self.odd_deps.get(&v)
        } {
            None => {
                if !self.exc.is_empty()
                    && self
                        .graph
                        .dep_edge_range(v)
                        .any(|e| self.exc.contains_key(&(e as u32)))
                {
                    m |= C_UPSTREAM;
                }
            }
            Some(rec) => {
                let deps = self.graph.deps(v);
                if deps
                    .iter()
                    .any(|&u| !rec.iter().any(|&(d, _)| d == RecDep::Asset(u)))
                {
                    m |= C_ADDED;
                }
                if rec
                    .iter()
                    .any(|&(d, _)| !matches!(d, RecDep::Asset(u) if deps.binary_search(&u).is_ok()))
                {
                    m |= C_REMOVED;
                }
                // A dep recorded more than once: its last entry counts (as in `causes_int`).
                for &u in deps {
                    if let Some(&(_, ver)) = rec.iter().rev().find(|&&(d, _)| d == RecDep::Asset(u))
                    {
                        if ver != self.cur_data(u) {
                            m |= C_UPSTREAM;
                        }
                    }
                }
            }
        }
        m
    }

    /// Recomputes `v`'s causes and keeps the maintained plan in step.
    fn refresh(&mut self, v: Pos) {
        let was = self.dirty(v);
        self.refresh_from(v, was);
    }

    /// [`Self::refresh`] for a `v` whose flags were already changed: `was` is whether it was dirty
    /// (as counted in the plan) before the change.
    fn refresh_from(&mut self, v: Pos, was: bool) {
        let m = self.compute_causes(v);
        self.flags[v.idx()] = (self.flags[v.idx()] & !CAUSES) | m;
        let now = self.dirty(v);
        if was != now {
            self.bump(v, now);
        }
    }

    /// Adds (`up`) or removes one reason for `v` to be planned, propagating to descendants whose
    /// planned state flips. Cost: proportional to the assets that flip and their children.
    fn bump(&mut self, v: Pos, up: bool) {
        let mut work = vec![(v, up)];
        while let Some((x, up)) = work.pop() {
            let c = &mut self.count[x.idx()];
            let before = *c > 0;
            if up {
                *c += 1;
            } else {
                *c -= 1;
            }
            let after = *c > 0;
            if before != after {
                if after {
                    self.planned_live += 1;
                    if self.flags[x.idx()] & IN_LIST == 0 {
                        self.flags[x.idx()] |= IN_LIST;
                        self.planned_list.push(x);
                    }
                } else {
                    self.planned_live -= 1;
                }
                work.extend(self.graph.children(x).iter().map(|&ch| (ch, after)));
            }
        }
    }

    /// Recomputes every plan counter from the flags. O(n + e).
    fn rebuild_plan_counts(&mut self) {
        for &m in &self.planned_list {
            self.flags[m.idx()] &= !IN_LIST;
        }
        self.planned_list.clear();
        self.planned_live = 0;
        for v in Pos::all(self.graph.len()) {
            let mut c = u32::from(self.dirty(v));
            for &u in self.graph.deps(v) {
                c += u32::from(self.count[u.idx()] > 0);
            }
            self.count[v.idx()] = c;
            if c > 0 {
                self.planned_live += 1;
                self.flags[v.idx()] |= IN_LIST;
                self.planned_list.push(v);
            }
        }
    }

    /// Drops the entries of `planned_list` that are no longer planned. Amortised O(1) per flip.
    pub(crate) fn compact_planned(&mut self) {
        let (count, flags) = (&self.count, &mut self.flags);
        self.planned_list.retain(|&v| {
            let keep = count[v.idx()] > 0;
            if !keep {
                flags[v.idx()] &= !IN_LIST;
            }
            keep
        });
    }

    /// Keeps `exc` exact when `u`'s current data version goes from `old` to `new`, and refreshes
    /// its children. O(children of u · log deg).
    fn data_changed(&mut self, u: Pos, old: u64, new: u64) {
        if old == new {
            return;
        }
        let children: Vec<Pos> = self.graph.children(u).to_vec();
        for &c in &children {
            if self.flags[c.idx()] & HAS_RECORD == 0 || self.odd_deps.contains_key(&c) {
                continue;
            }
            if let Some(e) = self.graph.edge_id(c, u) {
                let e = e as u32;
                match self.exc.get(&e) {
                    None => {
                        self.exc.insert(e, old);
                    }
                    Some(&x) if x == new => {
                        self.exc.remove(&e);
                    }
                    Some(_) => {}
                }
            }
        }
        for c in children {
            self.refresh(c);
        }
    }

    /// Stores a record's data version, unless an observation of the source holds the slot (it wins).
    fn set_rec_data(&mut self, v: Pos, data: u64) {
        if self.flags[v.idx()] & OBSERVED == 0 {
            self.rec_data[v.idx()] = data;
        }
    }

    fn intern_extern(&mut self, key: &str) -> u32 {
        if let Some(&j) = self.extern_index.get(key) {
            return j;
        }
        let j = self.extern_keys.len() as u32;
        self.extern_keys.push(key.to_owned());
        self.extern_index.insert(key.to_owned(), j);
        j
    }

    fn decode_deps(
        &mut self,
        batch: &RecordBatch<'_>,
        r: usize,
    ) -> Result<Vec<(RecDep, u64)>, PlannerError> {
        let n = self.graph.len() as u32;
        let mut out =
            Vec::with_capacity((batch.dep_offsets[r + 1] - batch.dep_offsets[r]) as usize);
        for k in batch.dep_offsets[r] as usize..batch.dep_offsets[r + 1] as usize {
            let d = batch.deps[k];
            let ver = fingerprint(&hash_at(batch.dep_versions, k));
            let dep = if d < n {
                RecDep::Asset(self.graph.int_of(ExtId(d)))
            } else {
                let j = (d - n) as usize;
                let key = batch.extern_keys.get(j).ok_or_else(|| {
                    error::invalid_input(format!(
                        "record dep {d} names extern key {j}, but only {} extern keys were given",
                        batch.extern_keys.len()
                    ))
                })?;
                RecDep::Extern(self.intern_extern(key))
            };
            out.push((dep, ver));
        }
        Ok(out)
    }

    fn check_batch(&self, b: &RecordBatch<'_>) -> Result<(), PlannerError> {
        let m = b.ids.len();
        check_hashes("codeVersions", b.code_versions, m)?;
        check_hashes("configHashes", b.config_hashes, m)?;
        check_hashes("dataVersions", b.data_versions, m)?;
        if b.dep_offsets.len() != m + 1
            || b.dep_offsets[0] != 0
            || b.dep_offsets[m] as usize != b.deps.len()
            || b.dep_offsets.windows(2).any(|w| w[0] > w[1])
        {
            return Err(error::invalid_input(format!(
                "record depOffsets must have {} non-decreasing entries from 0 to {}",
                m + 1,
                b.deps.len()
            )));
        }
        check_hashes("depVersions", b.dep_versions, b.deps.len())?;
        for &id in b.ids {
            self.ext_to_int(id)?;
        }
        // Checked up front so that an error leaves the state untouched.
        let limit = self.graph.len() as u64 + b.extern_keys.len() as u64;
        if let Some(&d) = b.deps.iter().find(|&&d| u64::from(d) >= limit) {
            let j = d as usize - self.graph.len();
            return Err(error::invalid_input(format!(
                "record dep {d} names extern key {j}, but only {} extern keys were given",
                b.extern_keys.len()
            )));
        }
        Ok(())
    }

    /// Stores record `r`'s consumed deps for `v`: as edge exceptions when they are exactly the current
    /// deps (the usual case, allocation-free), else as an explicit list. Requires the current data
    /// versions of the deps to be final.
    fn store_consumed(
        &mut self,
        v: Pos,
        batch: &RecordBatch<'_>,
        r: usize,
    ) -> Result<(), PlannerError> {
        let n = self.graph.len() as u32;
        let range = batch.dep_offsets[r] as usize..batch.dep_offsets[r + 1] as usize;
        let edges = self.graph.dep_edge_range(v);
        // Same set as the current deps: same length, every recorded dep is a current dep, no repeats.
        let mut same = range.len() == edges.len();
        if same {
            for k in range.clone() {
                let d = batch.deps[k];
                let hit = if d < n {
                    self.graph.edge_id(v, self.graph.int_of(ExtId(d)))
                } else {
                    None
                };
                match hit {
                    Some(e) if self.scratch[e - edges.start] == 0 => {
                        self.scratch[e - edges.start] = 1
                    }
                    _ => {
                        same = false;
                        break;
                    }
                }
            }
            // scratch is indexed by edge offset here; clear what was marked.
            for i in 0..edges.len() {
                self.scratch[i] = 0;
            }
        }
        for e in edges.clone() {
            if !self.exc.is_empty() {
                self.exc.remove(&(e as u32));
            }
        }
        if same {
            self.odd_deps.remove(&v);
            for k in range {
                let u = self.graph.int_of(ExtId(batch.deps[k]));
                let ver = fingerprint(&hash_at(batch.dep_versions, k));
                if ver != self.cur_data(u) {
                    if let Some(e) = self.graph.edge_id(v, u) {
                        self.exc.insert(e as u32, ver);
                    }
                }
            }
        } else {
            let deps = self.decode_deps(batch, r)?;
            self.odd_deps.insert(v, deps.into_boxed_slice());
        }
        Ok(())
    }

    /// Replaces all records with `batch` (the latest record of each asset; at most one per asset —
    /// a later one wins). Current code/config versions and observations are kept. Cost: O(n + e + r).
    pub fn load_records(&mut self, batch: &RecordBatch<'_>) -> Result<(), PlannerError> {
        self.check_batch(batch)?;
        self.flags.iter_mut().for_each(|f| *f &= OBSERVED);
        // A new list rather than a cleared one: its capacity follows the plan of these records
        // (a fresh graph's plan of every asset would otherwise hold n slots forever).
        self.planned_list = Vec::new();
        self.exc = IdMap::default();
        self.odd_deps = IdMap::default();
        self.extern_keys.clear();
        self.extern_index.clear();
        let mut ints = Vec::with_capacity(batch.ids.len());
        for (r, &id) in batch.ids.iter().enumerate() {
            let v = self.graph.int_of(ExtId(id));
            ints.push(v);
            let i = v.idx();
            self.rec_code[i] = fingerprint(&hash_at(batch.code_versions, r));
            self.config
                .set_rec(i, fingerprint(&hash_at(batch.config_hashes, r)));
            self.set_rec_data(v, fingerprint(&hash_at(batch.data_versions, r)));
            self.flags[i] |= HAS_RECORD;
        }
        for (r, &v) in ints.iter().enumerate() {
            self.store_consumed(v, batch, r)?;
        }
        for v in Pos::all(self.graph.len()) {
            let m = self.compute_causes(v);
            self.flags[v.idx()] = (self.flags[v.idx()] & !CAUSES) | m;
        }
        self.rebuild_plan_counts();
        Ok(())
    }

    /// Applies new records (assets just materialized or observed) incrementally. Returns the
    /// positions of the recorded assets' children that are now missing or stale. Cost: O(records'
    /// degrees + their children's degrees + the plan cone that flips).
    pub fn apply_records(&mut self, batch: &RecordBatch<'_>) -> Result<Vec<Pos>, PlannerError> {
        self.check_batch(batch)?;
        let mut touched = Vec::new();
        for (r, &id) in batch.ids.iter().enumerate() {
            let v = self.graph.int_of(ExtId(id));
            let old = self.cur_data(v);
            let was = self.dirty(v);
            let i = v.idx();
            self.rec_code[i] = fingerprint(&hash_at(batch.code_versions, r));
            self.config
                .set_rec(i, fingerprint(&hash_at(batch.config_hashes, r)));
            self.set_rec_data(v, fingerprint(&hash_at(batch.data_versions, r)));
            self.flags[i] |= HAS_RECORD;
            self.store_consumed(v, batch, r)?;
            let new = self.cur_data(v);
            self.data_changed(v, old, new);
            self.refresh_from(v, was);
            touched.push(v);
        }
        let mut out: Vec<Pos> = touched
            .iter()
            .flat_map(|&v| self.graph.children(v).iter().copied())
            .filter(|&c| self.dirty(c))
            .collect();
        out.sort_unstable();
        out.dedup();
        Ok(out)
    }

    fn set_versions(
        &mut self,
        ids: &[u32],
        hashes: &[u8],
        config: bool,
    ) -> Result<(), PlannerError> {
        check_hashes(
            if config {
                "configHashes"
            } else {
                "codeVersions"
            },
            hashes,
            ids.len(),
        )?;
        for (k, &id) in ids.iter().enumerate() {
            let v = self.ext_to_int(id)?;
            let fp = fingerprint(&hash_at(hashes, k));
            if config {
                self.config.set_cur(v.idx(), fp);
            } else {
                self.cur_code[v.idx()] = fp;
            }
            self.refresh(v);
        }
        Ok(())
    }

    /// Sets current code versions (16 bytes each). Cost: O(1) per asset plus the plan cone that flips.
    pub fn set_code_versions(&mut self, ids: &[u32], hashes: &[u8]) -> Result<(), PlannerError> {
        self.set_versions(ids, hashes, false)
    }

    /// Sets current config hashes (16 bytes each). Same cost as [`Self::set_code_versions`].
    pub fn set_config_hashes(&mut self, ids: &[u32], hashes: &[u8]) -> Result<(), PlannerError> {
        self.set_versions(ids, hashes, true)
    }

    /// Sets observed data versions of source assets. Cost: O(children of each source) plus the plan
    /// cone that flips. Fails if an id is not a source.
    pub fn set_observed(&mut self, ids: &[u32], versions: &[u8]) -> Result<(), PlannerError> {
        check_hashes("versions", versions, ids.len())?;
        for (k, &id) in ids.iter().enumerate() {
            let v = self.ext_to_int(id)?;
            if !self.graph.is_source(v) {
                return Err(error::invalid_input(format!(
                    "asset \"{}\" is not a source asset; only sources are observed",
                    self.graph.key(v)
                )));
            }
            let old = self.cur_data(v);
            self.rec_data[v.idx()] = fingerprint(&hash_at(versions, k));
            self.flags[v.idx()] |= OBSERVED;
            self.data_changed(v, old, self.cur_data(v));
        }
        Ok(())
    }

    /// Status codes (0 missing, 1 stale, 2 fresh) of the given external ids. O(ids).
    pub fn statuses(&self, ids: &[u32]) -> Result<Vec<u8>, PlannerError> {
        let n = self.graph.len() as u32;
        if let Some(&bad) = ids.iter().find(|&&id| id >= n) {
            return Err(error::invalid_input(format!(
                "asset id {bad} out of range ({n} assets)"
            )));
        }
        Ok(ids
            .iter()
            .map(|&id| self.status_int(self.graph.int_of(ExtId(id))))
            .collect())
    }

    /// Status codes of every asset, by external id. O(n), one pass, no per-id checks.
    pub fn all_statuses(&self) -> Vec<u8> {
        (0..self.graph.len() as u32)
            .map(|e| self.status_int(self.graph.int_of(ExtId(e))))
            .collect()
    }

    /// Whether position `v` is in the maintained whole-graph plan. O(1).
    pub(crate) fn is_planned(&self, v: Pos) -> bool {
        self.count[v.idx()] > 0
    }

    /// Number of assets the maintained whole-graph plan holds. O(1).
    pub fn planned_count(&self) -> usize {
        self.planned_live
    }

    /// Bytes held by the graph and the state (capacities, hash tables by their slots), for benchmarks.
    pub fn heap_bytes(&self) -> usize {
        self.graph.heap_bytes()
            + 8 * (self.cur_code.capacity() + self.rec_code.capacity() + self.rec_data.capacity())
            + self.config.heap_bytes()
            + self.flags.capacity()
            + 4 * (self.count.capacity() + self.planned_list.capacity() + self.scratch.capacity())
            + map_bytes(&self.exc)
            + map_bytes(&self.odd_deps)
            + self
                .odd_deps
                .values()
                .map(|d| std::mem::size_of_val::<[(RecDep, u64)]>(d))
                .sum::<usize>()
            + std::mem::size_of::<String>() * self.extern_keys.capacity()
            + map_bytes(&self.extern_index)
            + self
                .extern_keys
                .iter()
                .chain(self.extern_index.keys())
                .map(String::capacity)
                .sum::<usize>()
    }
}
