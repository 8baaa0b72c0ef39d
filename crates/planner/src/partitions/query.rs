//! Read-only questions to a [`PartitionedPlanner`]: status counts, one partition's status and
//! causes, statuses of a partition set as runs, and the input fingerprint a run records.

use crate::error::PlannerError;
use crate::state::{
    CAUSES, C_ADDED, C_CODE, C_CONFIG, C_REMOVED, C_UPSTREAM, FRESH, MISSING, STALE,
};

use super::set::PartitionSet;
use super::state::{PartitionedPlanner, StatusSummary};

/// Cause bit: the record's code version differs from the current one.
pub const CAUSE_CODE: u8 = C_CODE;
/// Cause bit: the record's config hash differs from the current one.
pub const CAUSE_CONFIG: u8 = C_CONFIG;
/// Cause bit: a current dependency is not in the record.
pub const CAUSE_DEP_ADDED: u8 = C_ADDED;
/// Cause bit: the record lists a dependency that is no longer one.
pub const CAUSE_DEP_REMOVED: u8 = C_REMOVED;
/// Cause bit: the input fingerprint of some dependency differs from the one consumed.
pub const CAUSE_UPSTREAM: u8 = C_UPSTREAM;

impl PartitionedPlanner {
    /// Size of an asset's index space.
    pub fn size(&self, id: u32) -> Result<u64, PlannerError> {
        Ok(self.assets[self.pos(id)?.idx()].n)
    }

    /// An asset's valid partitions.
    pub fn valid(&self, id: u32) -> Result<&PartitionSet, PlannerError> {
        Ok(&self.assets[self.pos(id)?.idx()].valid.set)
    }

    /// Status counts of an asset's valid partitions, maintained as records arrive. O(1).
    pub fn summary(&self, id: u32) -> Result<StatusSummary, PlannerError> {
        let a = &self.assets[self.pos(id)?.idx()];
        Ok(StatusSummary {
            total: a.valid.set.len(),
            missing: a.counts[MISSING as usize],
            stale: a.counts[STALE as usize],
            fresh: a.counts[FRESH as usize],
        })
    }

    /// Status of partition `p` (`MISSING`, `STALE` or `FRESH`); `None` for a hole of the valid set.
    /// O(log ranges of the valid set).
    pub fn status(&self, id: u32, p: u64) -> Result<Option<u8>, PlannerError> {
        let v = self.pos(id)?;
        self.check_partition(v, p)?;
        let a = &self.assets[v.idx()];
        Ok(a.valid
            .set
            .contains(p)
            .then(|| a.status_of_flags(a.flag(p))))
    }

    /// Cause bits (`CAUSE_*`) of partition `p`; 0 when fresh or missing. O(1).
    pub fn causes(&self, id: u32, p: u64) -> Result<u8, PlannerError> {
        let v = self.pos(id)?;
        self.check_partition(v, p)?;
        let a = &self.assets[v.idx()];
        Ok(if a.source { 0 } else { a.flag(p) & CAUSES })
    }

    /// Statuses of the valid partitions of `set` as runs `(start, end, status)`, ascending (runs of
    /// one status never touch). From the maintained sets: O(r log r) in the ranges involved.
    pub fn statuses(
        &self,
        id: u32,
        set: &PartitionSet,
    ) -> Result<Vec<(u64, u64, u8)>, PlannerError> {
        let a = &self.assets[self.pos(id)?.idx()];
        let scope = set.intersection(&a.valid.set);
        let missing = a.missing.intersection(&scope);
        let stale = a.stale.intersection(&scope);
        let fresh = scope.difference(&missing).difference(&stale);
        let mut out: Vec<(u64, u64, u8)> =
            Vec::with_capacity(missing.range_count() + stale.range_count() + fresh.range_count());
        for (st, s) in [(MISSING, &missing), (STALE, &stale), (FRESH, &fresh)] {
            out.extend(s.iter_ranges().map(|(b, e)| (b, e, st)));
        }
        out.sort_unstable();
        Ok(out)
    }

    /// The input fingerprint of dependency `dep` (external id) for partition `p` of asset `id` now:
    /// what a run of `(id, p)` records as consumed. O(ranges it reads × log n).
    pub fn input_fingerprint(&self, id: u32, p: u64, dep: u32) -> Result<u64, PlannerError> {
        let v = self.pos(id)?;
        self.check_partition(v, p)?;
        let u = self.pos(dep)?;
        let j = self.assets[v.idx()]
            .deps
            .iter()
            .position(|d| d.up == u)
            .ok_or_else(|| {
                crate::error::invalid_input(format!(
                    "\"{}\" is not a dependency of \"{}\"",
                    self.graph.key(u),
                    self.graph.key(v)
                ))
            })?;
        Ok(self.input_fp(v, p, j))
    }

    /// The fingerprint of asset `id`'s data over the partitions of `set` (within its valid ones):
    /// the input fingerprint a reader of exactly those partitions would record. With `set` = every
    /// partition it is the asset's roll-up version, which changes whenever any partition's data
    /// does. O(ranges of `set` × log n).
    pub fn data_fingerprint(&self, id: u32, set: &PartitionSet) -> Result<u64, PlannerError> {
        let a = &self.assets[self.pos(id)?.idx()];
        let q = set.intersection(&PartitionSet::range(0, a.n));
        Ok(super::inputs::input_fingerprint(
            &q,
            &a.valid,
            a.deltas.as_ref(),
        ))
    }

    /// Bytes held by the per-asset state (capacities), for benchmarks.
    pub fn heap_bytes(&self) -> usize {
        self.assets.iter().map(|a| a.heap_bytes()).sum::<usize>() + self.graph.heap_bytes()
    }
}
