//! `NativePartitionedPlanner`: the core's `PartitionedPlanner` over the binding. Sets cross in the
//! wire format of `partitions.rs`; records and plans as typed arrays plus one object per asset
//! (never one per partition).

use napi::bindgen_prelude::{BigInt, BigUint64Array, Float64Array, Uint32Array, Uint8Array};
use napi::{Env, Result};
use napi_derive::napi;
use rivers_planner::error::invalid_input;
use rivers_planner::partitions::{PartitionRecordBatch, PartitionSpec, PartitionedPlanner};
use rivers_planner::{Graph, GraphParts, KeyList};

use crate::partitions::{index, js, mapping_in, set_in, set_out, MappingInit};
use crate::throw;

/// A graph of partitioned assets, handed over once.
#[napi(object)]
pub struct PartitionedInit {
    /// All keys joined by `\n`, in id order.
    pub keys: String,
    /// CSR offsets into `deps` (assets + 1).
    pub dep_offsets: Uint32Array,
    /// Dependency ids.
    pub deps: Uint32Array,
    /// The mapping of each entry of `deps` (same order).
    pub mappings: Vec<MappingInit>,
    /// Size of each asset's index space (1 for an unpartitioned asset).
    pub sizes: Float64Array,
    /// Optional: 1 marks a source asset.
    pub sources: Option<Uint8Array>,
    /// Optional: ids of the assets whose valid partitions have holes (dynamic sets)...
    pub valid_ids: Option<Uint32Array>,
    /// ...and their valid partitions (wire format), in the same order.
    pub valid_sets: Option<Vec<Float64Array>>,
}

/// Per-partition records in bulk. Hashes are 16 bytes each; record `r` consumed
/// `inputDeps[inputOffsets[r]..inputOffsets[r + 1]]` with the input fingerprints given by
/// `inputFingerprint` when it ran (an id that is not a current dependency reads as removed).
#[napi(object)]
pub struct PartitionRecordsInit {
    /// Asset ids.
    pub ids: Uint32Array,
    /// Partition index of each record.
    pub partitions: Float64Array,
    /// Code version of each record.
    pub code_versions: Uint8Array,
    /// Config hash of each record.
    pub config_hashes: Uint8Array,
    /// Data version of each record.
    pub data_versions: Uint8Array,
    /// CSR offsets into `inputDeps` (records + 1).
    pub input_offsets: Uint32Array,
    /// Ids of the consumed dependencies.
    pub input_deps: Uint32Array,
    /// Input fingerprint consumed per entry of `inputDeps`.
    pub input_fingerprints: BigUint64Array,
}

/// Status counts of one asset's valid partitions.
#[napi(object)]
pub struct PartitionSummary {
    /// Valid partitions.
    pub total: f64,
    /// Fresh ones.
    pub fresh: f64,
    /// Stale ones.
    pub stale: f64,
    /// Missing ones.
    pub missing: f64,
}

/// Partitions of one asset, in the set wire format.
#[napi(object)]
pub struct AssetPartitions {
    /// Asset id.
    pub id: u32,
    /// The partitions (`start, end` pairs).
    pub ranges: Float64Array,
}

/// One asset of a partition plan.
#[napi(object)]
pub struct PlannedPartitions {
    /// Asset id.
    pub id: u32,
    /// Layer (0: no planned dependency).
    pub layer: u32,
    /// The partitions to build (`start, end` pairs).
    pub ranges: Float64Array,
}

/// Missing upstream partitions that block a plan.
#[napi(object)]
pub struct MissingPartitions {
    /// The planned asset.
    pub id: u32,
    /// Its dependency.
    pub dep: u32,
    /// The missing partitions of `dep` it would read (`start, end` pairs).
    pub ranges: Float64Array,
}

/// A partition plan: assets by layer, then topological order.
#[napi(object)]
pub struct PartitionPlanOut {
    /// Planned assets.
    pub assets: Vec<PlannedPartitions>,
    /// Missing inputs (the plan cannot run as is when non-empty).
    pub missing_inputs: Vec<MissingPartitions>,
}

/// Per-partition staleness and plans of a graph of partitioned assets.
#[napi]
pub struct NativePartitionedPlanner {
    inner: PartitionedPlanner,
}

fn records<'a>(r: &'a PartitionRecordsInit, parts: &'a [u64]) -> PartitionRecordBatch<'a> {
    PartitionRecordBatch {
        ids: &r.ids,
        partitions: parts,
        code_versions: &r.code_versions,
        config_hashes: &r.config_hashes,
        data_versions: &r.data_versions,
        input_offsets: &r.input_offsets,
        input_deps: &r.input_deps,
        input_fingerprints: &r.input_fingerprints,
    }
}

fn partitions_in(env: &Env, xs: &[f64]) -> Result<Vec<u64>> {
    xs.iter()
        .map(|&x| js(env, index(x, "a partition index")))
        .collect()
}

#[napi]
impl NativePartitionedPlanner {
    /// Builds the graph (same checks as `NativeGraph.build`) and validates every asset's size, valid
    /// set and mapping (`RIVERS_INVALID_MAPPING`, `RIVERS_PARTITION_OUT_OF_RANGE`, naming the
    /// assets). Every partition starts missing. O(assets + edges + mapping tables).
    #[napi(factory)]
    pub fn build(env: Env, init: PartitionedInit) -> Result<Self> {
        let n = init.dep_offsets.len().saturating_sub(1);
        if init.sizes.len() != n || init.mappings.len() != init.deps.len() {
            return Err(throw(
                &env,
                invalid_input(format!(
                    "{} sizes for {n} assets and {} mappings for {} dependencies (give one of each)",
                    init.sizes.len(),
                    init.mappings.len(),
                    init.deps.len()
                )),
            ));
        }
        let keys = js(&env, KeyList::from_joined(init.keys))?;
        let graph = js(
            &env,
            Graph::build_keyed(
                keys,
                GraphParts {
                    dep_offsets: &init.dep_offsets,
                    deps: &init.deps,
                    sources: init.sources.as_deref(),
                    labels: None,
                },
            ),
        )?;
        let mut specs = Vec::with_capacity(n);
        for i in 0..n {
            let (s, e) = (
                init.dep_offsets[i] as usize,
                init.dep_offsets[i + 1] as usize,
            );
            let mut deps = Vec::with_capacity(e - s);
            for k in s..e {
                deps.push((init.deps[k], js(&env, mapping_in(&init.mappings[k]))?));
            }
            specs.push(PartitionSpec {
                size: js(&env, index(init.sizes[i], "a size"))?,
                valid: None,
                deps,
            });
        }
        if let (Some(ids), Some(sets)) = (&init.valid_ids, &init.valid_sets) {
            for (id, set) in ids.iter().zip(sets) {
                let slot = specs.get_mut(*id as usize).ok_or_else(|| {
                    throw(
                        &env,
                        invalid_input(format!(
                            "validIds names asset {id}, out of range ({n} assets)"
                        )),
                    )
                })?;
                slot.valid = Some(js(&env, set_in(set))?);
            }
        }
        Ok(NativePartitionedPlanner {
            inner: js(&env, PartitionedPlanner::new(graph, specs))?,
        })
    }

    /// Replaces every record and recomputes all statuses. O(records × deps × log n + sizes).
    #[napi]
    pub fn load_records(&mut self, env: Env, init: PartitionRecordsInit) -> Result<()> {
        let parts = partitions_in(&env, &init.partitions)?;
        js(&env, self.inner.load_records(&records(&init, &parts)))
    }

    /// Applies new records; returns, per asset (topological order), the partitions whose status
    /// changed (their own and the downstream ones that read changed data). Early cutoff: a record
    /// with an unchanged data version changes nothing downstream.
    #[napi]
    pub fn apply_records(
        &mut self,
        env: Env,
        init: PartitionRecordsInit,
    ) -> Result<Vec<AssetPartitions>> {
        let parts = partitions_in(&env, &init.partitions)?;
        let changed = js(&env, self.inner.apply_records(&records(&init, &parts)))?;
        Ok(changed
            .iter()
            .map(|(e, s)| AssetPartitions {
                id: e.0,
                ranges: set_out(s),
            })
            .collect())
    }

    /// Sets current code versions (16 bytes per id). O(partitions with records).
    #[napi]
    pub fn set_code_versions(
        &mut self,
        env: Env,
        ids: Uint32Array,
        hashes: Uint8Array,
    ) -> Result<()> {
        js(&env, self.inner.set_versions(&ids, &hashes, false))
    }

    /// Sets current config hashes (16 bytes per id). O(partitions with records).
    #[napi]
    pub fn set_config_hashes(
        &mut self,
        env: Env,
        ids: Uint32Array,
        hashes: Uint8Array,
    ) -> Result<()> {
        js(&env, self.inner.set_versions(&ids, &hashes, true))
    }

    /// Status counts of an asset's valid partitions. O(1).
    #[napi]
    pub fn summary(&self, env: Env, id: u32) -> Result<PartitionSummary> {
        let s = js(&env, self.inner.summary(id))?;
        Ok(PartitionSummary {
            total: s.total as f64,
            fresh: s.fresh as f64,
            stale: s.stale as f64,
            missing: s.missing as f64,
        })
    }

    /// Status (`Status`) of one partition; `null` for a hole of a dynamic set. O(log ranges).
    #[napi]
    pub fn status(&self, env: Env, id: u32, partition: f64) -> Result<Option<u32>> {
        let p = js(&env, index(partition, "a partition index"))?;
        Ok(js(&env, self.inner.status(id, p))?.map(u32::from))
    }

    /// Cause bits of one partition: 1 code, 2 config, 4 dep added, 8 dep removed, 16 upstream data.
    #[napi]
    pub fn causes(&self, env: Env, id: u32, partition: f64) -> Result<u32> {
        let p = js(&env, index(partition, "a partition index"))?;
        Ok(js(&env, self.inner.causes(id, p))?.into())
    }

    /// Statuses of the valid partitions of `set` as `start, end, status` triples, ascending.
    #[napi]
    pub fn statuses(&self, env: Env, id: u32, set: Float64Array) -> Result<Float64Array> {
        let runs = js(&env, self.inner.statuses(id, &js(&env, set_in(&set))?))?;
        Ok(Float64Array::new(
            runs.iter()
                .flat_map(|&(s, e, st)| [s as f64, e as f64, f64::from(st)])
                .collect(),
        ))
    }

    /// The input fingerprint of dependency `dep` for partition `partition` of `id` now: what a run of
    /// that partition records as consumed. O(ranges read × log n).
    #[napi]
    pub fn input_fingerprint(&self, env: Env, id: u32, partition: f64, dep: u32) -> Result<BigInt> {
        let p = js(&env, index(partition, "a partition index"))?;
        Ok(BigInt::from(js(
            &env,
            self.inner.input_fingerprint(id, p, dep),
        )?))
    }

    /// The fingerprint of asset `id`'s data over the partitions of `set`: what a reader of exactly
    /// those partitions records as consumed (over every partition: the asset's roll-up version).
    /// O(ranges × log n).
    #[napi]
    pub fn data_fingerprint(&self, env: Env, id: u32, set: Float64Array) -> Result<BigInt> {
        let set = js(&env, set_in(&set))?;
        Ok(BigInt::from(js(
            &env,
            self.inner.data_fingerprint(id, &set),
        )?))
    }

    /// Plans `selection`: per selected asset, its missing and stale partitions (all of them with
    /// `force`) and those that read planned upstream partitions, within `rangeSets[i]` for the asset
    /// `rangeIds[i]` when given. Costs ranges, not partitions.
    #[napi]
    pub fn plan(
        &self,
        env: Env,
        selection: Uint32Array,
        range_ids: Option<Uint32Array>,
        range_sets: Option<Vec<Float64Array>>,
        force: Option<bool>,
    ) -> Result<PartitionPlanOut> {
        let mut ranges = Vec::new();
        if let (Some(ids), Some(sets)) = (&range_ids, &range_sets) {
            if ids.len() != sets.len() {
                return Err(throw(
                    &env,
                    invalid_input(format!(
                        "{} rangeIds for {} rangeSets",
                        ids.len(),
                        sets.len()
                    )),
                ));
            }
            for (id, s) in ids.iter().zip(sets) {
                ranges.push((*id, js(&env, set_in(s))?));
            }
        }
        let plan = js(
            &env,
            self.inner.plan(&selection, &ranges, force.unwrap_or(false)),
        )?;
        let mut assets = Vec::new();
        for (layer, entries) in plan.layers.iter().enumerate() {
            for (id, set) in entries {
                assets.push(PlannedPartitions {
                    id: id.0,
                    layer: layer as u32,
                    ranges: set_out(set),
                });
            }
        }
        let missing_inputs = plan
            .missing_inputs
            .iter()
            .map(|(v, u, s)| MissingPartitions {
                id: v.0,
                dep: u.0,
                ranges: set_out(s),
            })
            .collect();
        Ok(PartitionPlanOut {
            assets,
            missing_inputs,
        })
    }

    /// Bytes held by the planner (capacities), for benchmarks.
    #[napi(getter)]
    pub fn heap_bytes(&self) -> f64 {
        self.inner.heap_bytes() as f64
    }
}
