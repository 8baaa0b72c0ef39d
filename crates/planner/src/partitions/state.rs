//! [`PartitionedPlanner`]: per-partition records and statuses of a graph of partitioned assets, each
//! reading its dependencies through a [`Mapping`], maintained incrementally (`SPEC.md`,
//! "Partitions").
//!
//! Per asset: its size, its valid partitions, and — only once it has a record — dense per-partition
//! arrays (flags, the record's code/config/data fingerprints, one consumed input fingerprint per
//! dependency) and a Fenwick tree of data-fingerprint contributions (see [`super::inputs`]). An asset
//! never materialized costs a few words, whatever its size.

use crate::error::{self, PlannerError};
use crate::graph::Graph;
use crate::hash::fingerprint;
use crate::id::{ExtId, Pos};
use crate::state::{
    CAUSES, C_ADDED, C_CODE, C_CONFIG, C_REMOVED, C_UPSTREAM, FRESH, HAS_RECORD, MISSING, STALE,
};

use super::batch::{self, PartitionRecordBatch};
use super::inputs::{self, Fenwick, Valid, MISSING_INPUT};
use super::mapping::Mapping;
use super::set::PartitionSet;

/// The record listed a dependency that is not among the asset's current dependencies.
const REC_EXTRA: u8 = 64;

/// How one asset is partitioned, given to [`PartitionedPlanner::new`] per external id.
#[derive(Clone, Debug)]
pub struct PartitionSpec {
    /// Size of the index space (1 for an unpartitioned asset).
    pub size: u64,
    /// Valid partitions (dynamic sets with holes); `None`: all of `[0, size)`.
    pub valid: Option<PartitionSet>,
    /// Each dependency (external id) with the mapping it is read through: exactly the graph's deps.
    pub deps: Vec<(u32, Mapping)>,
}

/// Status counts of one asset's valid partitions.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct StatusSummary {
    /// Valid partitions.
    pub total: u64,
    /// Fresh partitions.
    pub fresh: u64,
    /// Stale partitions.
    pub stale: u64,
    /// Missing partitions.
    pub missing: u64,
}

#[derive(Clone, Debug)]
pub(crate) struct Dep {
    pub(crate) up: Pos,
    pub(crate) mapping: Mapping,
}

#[derive(Clone, Debug)]
pub(crate) struct AssetState {
    pub(crate) n: u64,
    pub(crate) valid: Valid,
    pub(crate) deps: Vec<Dep>,
    pub(crate) source: bool,
    pub(crate) cur_code: u64,
    pub(crate) cur_config: u64,
    /// Per partition; empty while the asset has no record (every partition missing).
    pub(crate) flags: Vec<u8>,
    pub(crate) rec_code: Vec<u64>,
    pub(crate) rec_config: Vec<u64>,
    pub(crate) rec_data: Vec<u64>,
    /// `consumed[p * deps.len() + j]`: input fingerprint of dep `j` recorded for `p` (0: none).
    pub(crate) consumed: Vec<u64>,
    pub(crate) deltas: Option<Fenwick>,
    /// By status code (`MISSING`, `STALE`, `FRESH`), over valid partitions.
    pub(crate) counts: [u64; 3],
    /// Valid partitions that are missing, and those that are stale (maintained with the flags).
    pub(crate) missing: PartitionSet,
    pub(crate) stale: PartitionSet,
}

impl AssetState {
    pub(crate) fn status_of_flags(&self, f: u8) -> u8 {
        if f & HAS_RECORD == 0 {
            MISSING
        } else if !self.source && f & CAUSES != 0 {
            STALE
        } else {
            FRESH
        }
    }

    pub(crate) fn flag(&self, p: u64) -> u8 {
        self.flags.get(p as usize).copied().unwrap_or(0)
    }

    pub(crate) fn data(&self, p: u64) -> u64 {
        if self.flag(p) & HAS_RECORD != 0 {
            self.rec_data[p as usize]
        } else {
            0
        }
    }

    pub(crate) fn allocate(&mut self) {
        if self.flags.is_empty() && self.n > 0 {
            let n = self.n as usize;
            self.flags = vec![0; n];
            self.rec_code = vec![0; n];
            self.rec_config = vec![0; n];
            self.rec_data = vec![0; n];
            self.consumed = vec![0; n * self.deps.len()];
        }
    }

    pub(crate) fn clear(&mut self) {
        for v in [
            &mut self.rec_code,
            &mut self.rec_config,
            &mut self.rec_data,
            &mut self.consumed,
        ] {
            *v = Vec::new();
        }
        self.flags = Vec::new();
        self.deltas = None;
        self.counts = [self.valid.set.len(), 0, 0];
        self.missing = self.valid.set.clone();
        self.stale = PartitionSet::new();
    }

    pub(crate) fn heap_bytes(&self) -> usize {
        self.flags.capacity()
            + 8 * (self.rec_code.capacity()
                + self.rec_config.capacity()
                + self.rec_data.capacity()
                + self.consumed.capacity())
            + self.deltas.as_ref().map_or(0, Fenwick::heap_bytes)
            + self.valid.heap_bytes()
    }

    /// Moves valid partition `p` from status `from` to `to` in the counts and sets. O(log ranges).
    pub(crate) fn moved(&mut self, p: u64, from: u8, to: u8) {
        if from == to || !self.valid.set.contains(p) {
            return;
        }
        self.counts[from as usize] -= 1;
        self.counts[to as usize] += 1;
        match from {
            MISSING => self.missing.remove_range(p, p + 1),
            STALE => self.stale.remove_range(p, p + 1),
            _ => {}
        }
        match to {
            MISSING => self.missing.insert(p),
            STALE => self.stale.insert(p),
            _ => {}
        }
    }

    /// Contribution of partition `p` with data fingerprint `fp` to the delta tree.
    pub(crate) fn delta(&self, p: u64, fp: u64) -> u64 {
        if fp == 0 || !self.valid.set.contains(p) {
            0
        } else {
            inputs::mix(p, fp).wrapping_sub(MISSING_INPUT)
        }
    }
}

/// A graph of partitioned assets with per-partition records, statuses and plans.
pub struct PartitionedPlanner {
    pub(crate) graph: Graph,
    pub(crate) assets: Vec<AssetState>,
}

impl PartitionedPlanner {
    /// Wraps a graph with the partitioning of each asset (`specs[ext id]`): validates sizes, valid
    /// sets and every mapping (errors name the assets). Every partition starts missing; current
    /// code and config unset (zero). O(assets + edges + mapping tables).
    pub fn new(
        graph: Graph,
        specs: Vec<PartitionSpec>,
    ) -> Result<PartitionedPlanner, PlannerError> {
        let n = graph.len();
        if specs.len() != n {
            return Err(error::invalid_input(format!(
                "{} partition specs for {n} assets",
                specs.len()
            )));
        }
        let unset = fingerprint(&[0u8; 16]);
        let mut slots: Vec<Option<PartitionSpec>> = specs.into_iter().map(Some).collect();
        let mut assets = Vec::with_capacity(n);
        for v in Pos::all(n) {
            let ext = graph.ext_of(v);
            let spec = slots[ext.idx()]
                .take()
                .ok_or_else(|| error::invalid_input("spec taken twice"))?;
            let key = graph.key(v);
            let valid = spec.valid.unwrap_or_else(|| PartitionSet::full(spec.size));
            if let Some(m) = valid.max().filter(|&m| m >= spec.size) {
                return Err(error::partition_out_of_range(key, m, spec.size));
            }
            let mut deps = Vec::with_capacity(spec.deps.len());
            for (d, mapping) in spec.deps {
                let up = graph.check_ext(d).map(|e| graph.int_of(e)).ok_or_else(|| {
                    error::invalid_input(format!(
                        "asset \"{key}\" reads dependency #{d} out of range"
                    ))
                })?;
                deps.push(Dep { up, mapping });
            }
            deps.sort_by_key(|d| d.up);
            let want = graph.deps(v);
            if deps.len() != want.len() || deps.iter().zip(want).any(|(d, &w)| d.up != w) {
                return Err(error::invalid_input(format!(
                    "the partition spec of asset \"{key}\" gives mappings for {} dependencies; the graph has {} (give exactly one mapping per dependency)",
                    deps.len(),
                    want.len()
                )));
            }
            for d in &deps {
                let up_n = assets.get(d.up.idx()).map_or(0, |a: &AssetState| a.n);
                d.mapping
                    .validate_for(key, graph.key(d.up), spec.size, up_n)?;
            }
            let total = valid.len();
            let valid_set = valid.clone();
            assets.push(AssetState {
                n: spec.size,
                valid: Valid::new(valid),
                deps,
                source: graph.is_source(v),
                cur_code: unset,
                cur_config: unset,
                flags: Vec::new(),
                rec_code: Vec::new(),
                rec_config: Vec::new(),
                rec_data: Vec::new(),
                consumed: Vec::new(),
                deltas: None,
                counts: [total, 0, 0],
                missing: valid_set,
                stale: PartitionSet::new(),
            });
        }
        Ok(PartitionedPlanner { graph, assets })
    }

    /// The graph.
    pub fn graph(&self) -> &Graph {
        &self.graph
    }

    pub(crate) fn pos(&self, ext: u32) -> Result<Pos, PlannerError> {
        match self.graph.check_ext(ext) {
            Some(e) => Ok(self.graph.int_of(e)),
            None => Err(error::invalid_input(format!(
                "asset id {ext} out of range ({} assets)",
                self.graph.len()
            ))),
        }
    }

    pub(crate) fn check_partition(&self, v: Pos, p: u64) -> Result<(), PlannerError> {
        let n = self.assets[v.idx()].n;
        if p >= n {
            return Err(error::partition_out_of_range(self.graph.key(v), p, n));
        }
        Ok(())
    }

    /// The input fingerprint of dependency `j` of `(v, p)` now. O(ranges of its upstream × log n).
    pub(crate) fn input_fp(&self, v: Pos, p: u64, j: usize) -> u64 {
        let d = &self.assets[v.idx()].deps[j];
        let u = &self.assets[d.up.idx()];
        inputs::input_fingerprint(&d.mapping.upstream_of(p, u.n), &u.valid, u.deltas.as_ref())
    }

    /// Cause bits of `(v, p)` from its record. O(deps × input fingerprint).
    pub(crate) fn compute_causes(&self, v: Pos, p: u64) -> u8 {
        let a = &self.assets[v.idx()];
        let f = a.flag(p);
        if a.source || f & HAS_RECORD == 0 {
            return 0;
        }
        let i = p as usize;
        let mut m = 0;
        if a.rec_code[i] != a.cur_code {
            m |= C_CODE;
        }
        if a.rec_config[i] != a.cur_config {
            m |= C_CONFIG;
        }
        if f & REC_EXTRA != 0 {
            m |= C_REMOVED;
        }
        let nd = a.deps.len();
        for j in 0..nd {
            match a.consumed[i * nd + j] {
                0 => m |= C_ADDED,
                c if c != self.input_fp(v, p, j) => m |= C_UPSTREAM,
                _ => {}
            }
        }
        m
    }

    /// Recomputes the causes of `(v, p)` and its status count; returns the new status.
    pub(crate) fn refresh(&mut self, v: Pos, p: u64) -> u8 {
        let m = self.compute_causes(v, p);
        let a = &mut self.assets[v.idx()];
        let old = a.flag(p);
        if a.flags.is_empty() {
            return MISSING;
        }
        let new = (old & !CAUSES) | m;
        a.flags[p as usize] = new;
        let (so, sn) = (a.status_of_flags(old), a.status_of_flags(new));
        a.moved(p, so, sn);
        sn
    }

    /// Writes record `r` of `batch`; returns `(v, p, old data, new data)`.
    pub(crate) fn write(&mut self, b: &PartitionRecordBatch<'_>, r: usize) -> (Pos, u64, u64, u64) {
        let v = self.graph.int_of(ExtId(b.ids[r]));
        let p = b.partitions[r];
        let a = &mut self.assets[v.idx()];
        a.allocate();
        let old = a.data(p);
        let (new, code, config) = (
            batch::fp_at(b.data_versions, r),
            batch::fp_at(b.code_versions, r),
            batch::fp_at(b.config_hashes, r),
        );
        let i = p as usize;
        let nd = a.deps.len();
        let mut flags = HAS_RECORD;
        a.consumed[i * nd..(i + 1) * nd].fill(0);
        for k in b.input_offsets[r] as usize..b.input_offsets[r + 1] as usize {
            let dep = b.input_deps[k];
            let j = self
                .graph
                .check_ext(dep)
                .map(|e| self.graph.int_of(e))
                .and_then(|u| a.deps.iter().position(|d| d.up == u));
            match j {
                Some(j) => a.consumed[i * nd + j] = b.input_fingerprints[k],
                None => flags |= REC_EXTRA,
            }
        }
        a.rec_code[i] = code;
        a.rec_config[i] = config;
        a.rec_data[i] = new;
        let was = a.flags[i];
        a.flags[i] = flags | (was & CAUSES);
        let (so, sn) = (a.status_of_flags(was), a.status_of_flags(a.flags[i]));
        a.moved(p, so, sn);
        (v, p, old, new)
    }

    pub(crate) fn set_delta(&mut self, v: Pos, p: u64, old: u64, new: u64) {
        let a = &mut self.assets[v.idx()];
        let d = a.delta(p, new).wrapping_sub(a.delta(p, old));
        if d != 0 {
            let n = a.n as usize;
            a.deltas
                .get_or_insert_with(|| Fenwick::from_values(&vec![0; n]))
                .add(p as usize, d);
        }
    }
}

#[cfg(test)]
#[path = "state_tests.rs"]
mod tests;
