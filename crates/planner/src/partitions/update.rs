//! Updates of a [`PartitionedPlanner`]: records in bulk or incrementally, and current code and
//! config versions. Each keeps the per-partition flags, the status counts and sets, and the input
//! fingerprint trees in step (`SPEC.md`, "Partitions").

use crate::error::{self, PlannerError};
use crate::id::{ExtId, Pos};
use crate::state::{C_CODE, C_CONFIG, HAS_RECORD};

use super::batch::{self, PartitionRecordBatch};
use super::inputs::Fenwick;
use super::set::{push_range, PartitionSet};
use super::state::{AssetState, PartitionedPlanner};

impl PartitionedPlanner {
    /// Replaces every record with `batch` and recomputes all statuses. O(partitions with records ×
    /// deps × input fingerprint) plus O(size) per asset with records.
    pub fn load_records(&mut self, b: &PartitionRecordBatch<'_>) -> Result<(), PlannerError> {
        batch::check(self, b)?;
        self.assets.iter_mut().for_each(AssetState::clear);
        for r in 0..b.ids.len() {
            self.write(b, r);
        }
        for a in &mut self.assets {
            if a.flags.is_empty() {
                continue;
            }
            let values: Vec<u64> = (0..a.n).map(|p| a.delta(p, a.data(p))).collect();
            a.deltas = Some(Fenwick::from_values(&values));
        }
        for v in Pos::all(self.assets.len()) {
            let a = &self.assets[v.idx()];
            if a.flags.is_empty() {
                continue;
            }
            let recorded: Vec<u64> = (0..a.n)
                .filter(|&p| a.flags[p as usize] & HAS_RECORD != 0)
                .collect();
            for p in recorded {
                self.refresh(v, p);
            }
        }
        Ok(())
    }

    /// Applies new records (later ones win) and returns, per asset (topological order), the
    /// partitions whose status changed: the records' own and the downstream partitions that read
    /// a partition whose data fingerprint changed. O(records + affected downstream partitions ×
    /// deps × input fingerprint); an upstream partition re-materialized with the same data
    /// fingerprint affects nothing downstream (early cutoff).
    pub fn apply_records(
        &mut self,
        b: &PartitionRecordBatch<'_>,
    ) -> Result<Vec<(ExtId, PartitionSet)>, PlannerError> {
        batch::check(self, b)?;
        let na = self.assets.len();
        // Per asset: (partition, status before the batch) of each record, first occurrence kept.
        let mut before: Vec<Vec<(u64, u8)>> = vec![Vec::new(); na];
        let mut changed: Vec<Vec<(u64, u64)>> = vec![Vec::new(); na];
        for r in 0..b.ids.len() {
            let v = self.graph.int_of(ExtId(b.ids[r]));
            let p = b.partitions[r];
            let a = &self.assets[v.idx()];
            before[v.idx()].push((p, a.status_of_flags(a.flag(p))));
            let (v, p, old, new) = self.write(b, r);
            if old != new {
                self.set_delta(v, p, old, new);
                changed[v.idx()].push((p, p + 1));
            }
        }
        let changed: Vec<PartitionSet> =
            changed.into_iter().map(PartitionSet::from_ranges).collect();
        let mut out = Vec::new();
        for v in Pos::all(na) {
            let a = &self.assets[v.idx()];
            if a.flags.is_empty() {
                continue;
            }
            let mut was_list = std::mem::take(&mut before[v.idx()]);
            was_list.sort_by_key(|x| x.0); // stable: the first record of a partition comes first
            was_list.dedup_by_key(|x| x.0);
            let mut touched = PartitionSet::from_ranges(was_list.iter().map(|x| (x.0, x.0 + 1)));
            for d in &a.deps {
                let c = &changed[d.up.idx()];
                if !c.is_empty() {
                    touched = touched.union(&d.mapping.downstream_of_set(
                        c,
                        a.n,
                        self.assets[d.up.idx()].n,
                    ));
                }
            }
            let touched = touched.intersection(&a.valid.set);
            let mut diff = Vec::new();
            let mut k = 0;
            for p in touched.iter() {
                while k < was_list.len() && was_list[k].0 < p {
                    k += 1;
                }
                let a = &self.assets[v.idx()];
                let was = match was_list.get(k) {
                    Some(&(q, st)) if q == p => st,
                    _ => a.status_of_flags(a.flag(p)),
                };
                if self.refresh(v, p) != was {
                    push_range(&mut diff, p, p + 1);
                }
            }
            if !diff.is_empty() {
                out.push((self.graph.ext_of(v), PartitionSet::from_ranges(diff)));
            }
        }
        Ok(out)
    }

    /// Sets current code versions (`hashes`: 16 bytes per id) or, with `config`, config hashes, and
    /// re-derives those causes. O(partitions with records of each asset).
    pub fn set_versions(
        &mut self,
        ids: &[u32],
        hashes: &[u8],
        config: bool,
    ) -> Result<(), PlannerError> {
        if hashes.len() != 16 * ids.len() {
            return Err(error::invalid_input(format!(
                "{} hash bytes for {} ids (16 per id)",
                hashes.len(),
                ids.len()
            )));
        }
        for (r, &id) in ids.iter().enumerate() {
            let v = self.pos(id)?;
            let fp = batch::fp_at(hashes, r);
            let a = &mut self.assets[v.idx()];
            if config {
                a.cur_config = fp;
            } else {
                a.cur_code = fp;
            }
            if a.source {
                continue;
            }
            let bit = if config { C_CONFIG } else { C_CODE };
            for i in 0..a.flags.len() {
                let f = a.flags[i];
                if f & HAS_RECORD == 0 {
                    continue;
                }
                let rec = if config {
                    a.rec_config[i]
                } else {
                    a.rec_code[i]
                };
                let new = if rec != fp { f | bit } else { f & !bit };
                a.flags[i] = new;
                let (so, sn) = (a.status_of_flags(f), a.status_of_flags(new));
                a.moved(i as u64, so, sn);
            }
        }
        Ok(())
    }
}
