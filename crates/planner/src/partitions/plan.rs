//! Plans over partitions: per selected asset, the partitions to build, in topological layers, and
//! the missing upstream partitions that block them (`SPEC.md`, "Partitions").

use crate::error::PlannerError;
use crate::id::{ExtId, Pos};

use super::set::PartitionSet;
use super::state::PartitionedPlanner;

/// A plan over partitions.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PartitionPlan {
    /// Layers of `(asset, partitions to build)`; an asset's layer is 0 without a planned dependency,
    /// else 1 + the largest layer among them. Inside a layer, assets in topological order.
    pub layers: Vec<Vec<(ExtId, PartitionSet)>>,
    /// `(planned asset, dependency, missing partitions)`: upstream partitions a planned partition
    /// reads that are missing and not planned themselves (the plan cannot run as is).
    pub missing_inputs: Vec<(ExtId, ExtId, PartitionSet)>,
}

impl PartitionedPlanner {
    /// The missing and stale partitions of a non-source asset within `scope`, from the maintained
    /// sets. O(ranges).
    fn dirty_in(&self, v: Pos, scope: &PartitionSet) -> PartitionSet {
        let a = &self.assets[v.idx()];
        a.missing.union(&a.stale).intersection(scope)
    }

    /// Plans `selection` (external ids): a selected non-source asset's partition `p` (valid, and in
    /// its entry of `ranges` when it has one) is planned iff `force`, or it is missing or stale, or
    /// it reads a planned partition of a selected dependency. Several entries of `ranges` for one
    /// asset are united. Cost: set operations on the maintained missing/stale sets and the mappings'
    /// range answers, so proportional to ranges, not partitions (a 1M-partition backfill of an
    /// unmaterialized asset is one range).
    pub fn plan(
        &self,
        selection: &[u32],
        ranges: &[(u32, PartitionSet)],
        force: bool,
    ) -> Result<PartitionPlan, PlannerError> {
        let na = self.assets.len();
        let mut in_sel = vec![false; na];
        for &id in selection {
            in_sel[self.pos(id)?.idx()] = true;
        }
        let mut scope: Vec<Option<PartitionSet>> = vec![None; na];
        for (id, set) in ranges {
            let v = self.pos(*id)?;
            let s = set.intersection(&self.assets[v.idx()].valid.set);
            scope[v.idx()] = Some(match scope[v.idx()].take() {
                Some(prev) => prev.union(&s),
                None => s,
            });
        }
        let mut planned: Vec<PartitionSet> = vec![PartitionSet::new(); na];
        let mut layer: Vec<usize> = vec![0; na];
        let mut plan = PartitionPlan::default();
        for v in Pos::all(na) {
            let a = &self.assets[v.idx()];
            if !in_sel[v.idx()] || a.source {
                continue;
            }
            let sc = scope[v.idx()].take().unwrap_or_else(|| a.valid.set.clone());
            let mut set = if force {
                sc.clone()
            } else {
                self.dirty_in(v, &sc)
            };
            let mut lay = 0;
            let mut fed = false;
            for d in &a.deps {
                let pu = &planned[d.up.idx()];
                if pu.is_empty() {
                    continue;
                }
                fed = true;
                lay = lay.max(layer[d.up.idx()] + 1);
                set = set.union(
                    &d.mapping
                        .downstream_of_set(pu, a.n, self.assets[d.up.idx()].n),
                );
            }
            let set = set.intersection(&sc);
            if set.is_empty() {
                continue;
            }
            layer[v.idx()] = if fed { lay } else { 0 };
            if plan.layers.len() <= layer[v.idx()] {
                plan.layers.resize(layer[v.idx()] + 1, Vec::new());
            }
            plan.layers[layer[v.idx()]].push((self.graph.ext_of(v), set.clone()));
            planned[v.idx()] = set;
        }
        for v in Pos::all(na) {
            if planned[v.idx()].is_empty() {
                continue;
            }
            for d in &self.assets[v.idx()].deps {
                let u = &self.assets[d.up.idx()];
                let need = d
                    .mapping
                    .upstream_of_set(&planned[v.idx()], u.n)
                    .intersection(&u.valid.set);
                let missing = need
                    .intersection(&u.missing)
                    .difference(&planned[d.up.idx()]);
                if !missing.is_empty() {
                    plan.missing_inputs.push((
                        self.graph.ext_of(v),
                        self.graph.ext_of(d.up),
                        missing,
                    ));
                }
            }
        }
        Ok(plan)
    }
}
