//! Thin napi-rs binding over `rivers-planner`. Everything crosses the boundary as typed arrays and
//! joined strings, never as one JS object per asset; JavaScript maps ids to keys itself.
//!
//! Threads: every method runs synchronously on the JS main thread, except `hashFiles`, which hashes
//! on a libuv worker thread (and fans out over several threads) and resolves a promise.
//! Errors become JS `Error`s whose `code` is a stable `RIVERS_*` string.
//!
//! Ids: everything that crosses is an external id (the asset's position in the key list given to
//! `build`); topological positions ([`rivers_planner::Pos`]) stay inside the core.
//!
//! Lints: the workspace's, with no exception. The `unsafe extern "C"` glue `#[napi]` expands to
//! allows itself (`#[allow(unsafe_code)]` on each generated item), which is why the workspace denies
//! `unsafe_code` rather than forbidding it; this crate writes no `unsafe`.

use std::collections::HashMap;

mod partitioned;
mod partitions;

pub use partitioned::*;
pub use partitions::*;

use napi::bindgen_prelude::{AsyncTask, Uint32Array, Uint8Array};
use napi::{Env, Error, Result, Task};
use napi_derive::napi;
use rivers_planner::hash::{self, Field};
use rivers_planner::{
    ExtId, Graph, GraphParts, KeyList, LabelInput, Planner, PlannerError, RecordBatch,
};

/// Status of an asset, as `statuses` and `statusReport` return it (one byte per asset).
#[napi]
pub enum Status {
    /// No record.
    Missing = 0,
    /// A record, and at least one cause holds.
    Stale = 1,
    /// A record, and no cause holds.
    Fresh = 2,
}

/// Kind of a cause or root cause, as `causes`, `rootCauses` and `statusReport` return it.
#[napi]
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

/// The `deps` entry of a cause that is about no dependency (code and config causes).
#[napi]
pub const NO_DEP: u32 = rivers_planner::NO_DEP;

// The binding's codes are the core's: checked at compile time.
const _: () = {
    assert!(Status::Missing as u8 == rivers_planner::MISSING);
    assert!(Status::Stale as u8 == rivers_planner::STALE);
    assert!(Status::Fresh as u8 == rivers_planner::FRESH);
    use rivers_planner::CauseKind as K;
    assert!(CauseKind::CodeChanged as u8 == K::CodeChanged as u8);
    assert!(CauseKind::ConfigChanged as u8 == K::ConfigChanged as u8);
    assert!(CauseKind::DepAdded as u8 == K::DepAdded as u8);
    assert!(CauseKind::DepRemoved as u8 == K::DepRemoved as u8);
    assert!(CauseKind::UpstreamDataChanged as u8 == K::UpstreamDataChanged as u8);
    assert!(CauseKind::NewDataVersion as u8 == K::NewDataVersion as u8);
    assert!(CauseKind::SourceChanged as u8 == K::SourceChanged as u8);
    assert!(CauseKind::Missing as u8 == K::Missing as u8);
};

/// External ids as the `Uint32Array` JS receives (in place: no copy).
fn ext_ids(ids: Vec<ExtId>) -> Uint32Array {
    Uint32Array::new(ids.into_iter().map(u32::from).collect())
}

/// Throws `e` as a JS error whose `code` is the stable `RIVERS_*` string, and returns the pending
/// exception marker so napi does not throw a second error.
fn throw(env: &Env, e: PlannerError) -> Error {
    // A message quoting user input may hold a NUL byte, which a C string cannot: show it escaped
    // (otherwise the coded error would become an uncoded "nul byte found" failure).
    let message = e.message.replace('\0', "\\0");
    match env.throw_error(&message, Some(e.code.as_str())) {
        Ok(()) => Error::from_status(napi::Status::PendingException),
        Err(err) => err,
    }
}

/// Lines of an optional `\n`-joined string (none for an absent or empty string).
fn split_lines(s: Option<&str>) -> Vec<&str> {
    match s {
        None | Some("") => Vec::new(),
        Some(t) => t.split('\n').collect(),
    }
}

/// Graph definition handed over once: keys joined by `\n` plus CSR dependency arrays, by id.
#[napi(object)]
pub struct GraphInit {
    /// All keys joined by `\n` (a key can never contain a newline), in id order.
    pub keys: String,
    /// `depOffsets[i]..depOffsets[i+1]` indexes `deps` for asset `i` (length: assets + 1).
    pub dep_offsets: Uint32Array,
    /// Dependency ids.
    pub deps: Uint32Array,
    /// Optional: 1 marks a source asset (observed, never built).
    pub sources: Option<Uint8Array>,
    /// Optional: label texts joined by `\n` (`group:G`, `tag:K`, `tag:K=V`, `kind:K`, `owner:O`).
    pub labels: Option<String>,
    /// Optional: CSR offsets into `labelIds` (assets + 1).
    pub label_offsets: Option<Uint32Array>,
    /// Optional: label ids into `labels`.
    pub label_ids: Option<Uint32Array>,
    /// Optional: current code versions, 16 bytes per asset.
    pub code_versions: Option<Uint8Array>,
    /// Optional: current config hashes, 16 bytes per asset.
    pub config_hashes: Option<Uint8Array>,
}

/// Latest materialization records in bulk (see `SPEC.md`). Hashes are 16 bytes each.
#[napi(object)]
pub struct RecordsInit {
    /// Ids of the recorded assets.
    pub ids: Uint32Array,
    /// Code version of each record.
    pub code_versions: Uint8Array,
    /// Config hash of each record.
    pub config_hashes: Uint8Array,
    /// Data version of each record.
    pub data_versions: Uint8Array,
    /// CSR offsets into `deps` (records + 1).
    pub dep_offsets: Uint32Array,
    /// Consumed deps: an id `< size`, or `size + j` for the j-th extern key.
    pub deps: Uint32Array,
    /// Consumed data version per dep, 16 bytes each.
    pub dep_versions: Uint8Array,
    /// Recorded dep keys that are no longer assets, joined by `\n`.
    pub extern_keys: Option<String>,
}

/// The store's latest records as it reads them, keyed by asset key rather than id: the binding maps
/// keys to ids itself, so no JS string or object is made per record or per input.
#[napi(object)]
pub struct RecordsByKey {
    /// Keys of the recorded assets joined by `\n` (one line per record; empty: no record).
    pub keys: String,
    /// Code version of each record (16 bytes each).
    pub code_versions: Uint8Array,
    /// Config hash of each record.
    pub config_hashes: Uint8Array,
    /// Data version of each record.
    pub data_versions: Uint8Array,
    /// Number of consumed inputs of each record.
    pub input_counts: Uint32Array,
    /// Keys of the consumed inputs, in record order, joined by `\n`.
    pub input_keys: String,
    /// Data version consumed for each input (16 bytes each).
    pub input_versions: Uint8Array,
}

/// A plan: ids in topological layers.
#[napi(object)]
pub struct PlanResult {
    /// Planned ids, layer after layer.
    pub ids: Uint32Array,
    /// Layer `k` is `ids[layerOffsets[k]..layerOffsets[k+1]]`.
    pub layer_offsets: Uint32Array,
    /// Flat `(asset, input)` id pairs: planned assets whose input is missing and not selected.
    pub missing_inputs: Uint32Array,
}

/// Causes as CSR rows.
#[napi(object)]
pub struct CauseRows {
    /// Row offsets (rows + 1).
    pub offsets: Uint32Array,
    /// Kind of each cause: a `CauseKind` (`CodeChanged` to `UpstreamDataChanged`).
    pub kinds: Uint8Array,
    /// Dep of each cause: an id, `size + j` for an extern key (see `keyOf`), or `NO_DEP` for none.
    pub deps: Uint32Array,
}

/// Root causes as CSR rows.
#[napi(object)]
pub struct RootCauseRows {
    /// Row offsets (rows + 1).
    pub offsets: Uint32Array,
    /// Ids of the assets where the change started.
    pub ids: Uint32Array,
    /// Kind of each root cause: a `CauseKind` (any but `UpstreamDataChanged`).
    pub kinds: Uint8Array,
}

/// Everything `assets status` shows, from one call: statuses, causes, root causes, and the plan of
/// the same selection. Rows follow the `ids` asked for.
#[napi(object)]
pub struct StatusReport {
    /// One `Status` per asked id.
    pub statuses: Uint8Array,
    /// Causes of each asked id.
    pub causes: CauseRows,
    /// Root causes of each asked id.
    pub root_causes: RootCauseRows,
    /// Ids in the plan of the selection (every asset's plan when `wholeGraph`), in plan order.
    pub planned: Uint32Array,
}

/// The planning core's state for one project: graph, versions, records, maintained plan. Built once
/// (`NativeGraph.build`), then called many times.
#[napi]
pub struct NativeGraph {
    inner: Planner,
}

fn batch_from<'a>(r: &'a RecordsInit, externs: &'a [&'a str]) -> RecordBatch<'a> {
    RecordBatch {
        ids: &r.ids,
        code_versions: &r.code_versions,
        config_hashes: &r.config_hashes,
        data_versions: &r.data_versions,
        dep_offsets: &r.dep_offsets,
        deps: &r.deps,
        dep_versions: &r.dep_versions,
        extern_keys: externs,
    }
}

#[napi]
impl NativeGraph {
    /// Builds and validates the graph (duplicate/invalid keys, unknown deps, self-deps, cycles), and
    /// sets the current code versions and config hashes if given. Cost: O(n + e) expected; the joined
    /// keys, copied out of JS once, become the graph's key buffer as they are (no string per key);
    /// the CSR arrays are copied once. Main thread.
    #[napi(factory)]
    pub fn build(env: Env, init: GraphInit) -> Result<Self> {
        if init.dep_offsets.is_empty() {
            return Err(throw(
                &env,
                rivers_planner::error::invalid_input(
                    "depOffsets is empty; it needs assets + 1 entries (a single 0 for no asset)",
                ),
            ));
        }
        let n = init.dep_offsets.len() - 1;
        // The joined keys become the graph's key buffer as they are: no string per key, no copy.
        let keys = KeyList::from_joined(init.keys).map_err(|e| throw(&env, e))?;
        if keys.len() != n {
            return Err(throw(
                &env,
                rivers_planner::error::invalid_input(format!(
                    "{} keys for {} assets (depOffsets has {} entries)",
                    keys.len(),
                    n,
                    init.dep_offsets.len()
                )),
            ));
        }
        let label_names = split_lines(init.labels.as_deref());
        let labels = match (&init.label_offsets, &init.label_ids) {
            (Some(o), Some(i)) => Some(LabelInput {
                names: &label_names,
                offsets: o,
                ids: i,
            }),
            _ => None,
        };
        let graph = Graph::build_keyed(
            keys,
            GraphParts {
                dep_offsets: &init.dep_offsets,
                deps: &init.deps,
                sources: init.sources.as_deref(),
                labels,
            },
        )
        .map_err(|e| throw(&env, e))?;
        let mut planner = Planner::new(graph);
        let all: Vec<u32> = (0..n as u32).collect();
        if let Some(c) = &init.code_versions {
            planner
                .set_code_versions(&all, c)
                .map_err(|e| throw(&env, e))?;
        }
        if let Some(c) = &init.config_hashes {
            planner
                .set_config_hashes(&all, c)
                .map_err(|e| throw(&env, e))?;
        }
        Ok(NativeGraph { inner: planner })
    }

    /// Number of assets. O(1).
    #[napi(getter)]
    pub fn size(&self) -> u32 {
        self.inner.graph().len() as u32
    }

    /// Number of dependency edges (duplicates merged). O(1).
    #[napi(getter)]
    pub fn edge_count(&self) -> u32 {
        self.inner.graph().edge_count() as u32
    }

    /// Key of an id, or of `size + j` for the j-th extern key of the loaded records. O(1).
    #[napi]
    pub fn key_of(&self, id: u32) -> Option<String> {
        self.inner.dep_key(id).map(str::to_owned)
    }

    /// Id of a key, if it is an asset. O(1) expected (a hash probe).
    #[napi]
    pub fn id_of(&self, key: String) -> Option<u32> {
        self.inner.graph().find_ext(&key).map(u32::from)
    }

    /// Topological position of each id (a `Uint32Array` of length `size`). O(n); allocates n words.
    #[napi]
    pub fn topo_positions(&self) -> Uint32Array {
        let g = self.inner.graph();
        Uint32Array::new((0..g.len() as u32).map(|e| g.int_of(ExtId(e)).0).collect())
    }

    /// Sets current code versions (16 bytes per id). O(ids) plus the plan cone that changes.
    #[napi]
    pub fn set_code_versions(
        &mut self,
        env: Env,
        ids: Uint32Array,
        hashes: Uint8Array,
    ) -> Result<()> {
        self.inner
            .set_code_versions(&ids, &hashes)
            .map_err(|e| throw(&env, e))
    }

    /// Sets current config hashes (16 bytes per id). O(ids) plus the plan cone that changes.
    #[napi]
    pub fn set_config_hashes(
        &mut self,
        env: Env,
        ids: Uint32Array,
        hashes: Uint8Array,
    ) -> Result<()> {
        self.inner
            .set_config_hashes(&ids, &hashes)
            .map_err(|e| throw(&env, e))
    }

    /// Sets observed data versions of sources. O(children of the sources) plus the plan cone.
    #[napi]
    pub fn set_observed(&mut self, env: Env, ids: Uint32Array, versions: Uint8Array) -> Result<()> {
        self.inner
            .set_observed(&ids, &versions)
            .map_err(|e| throw(&env, e))
    }

    /// Replaces all records (bulk load of the store's latest records). O(n + e + records).
    #[napi]
    pub fn load_records(&mut self, env: Env, records: RecordsInit) -> Result<()> {
        let externs = split_lines(records.extern_keys.as_deref());
        self.inner
            .load_records(&batch_from(&records, &externs))
            .map_err(|e| throw(&env, e))
    }

    /// Replaces all records, given by key as the store reads them (see `RecordsByKey`): records of
    /// keys that are not assets are dropped, recorded inputs that are not assets become extern keys
    /// (`dep_removed`). Returns the id of each record's asset, or `NO_DEP` for a dropped record.
    /// O(records + inputs): one key comparison each when records come in key order and consume
    /// their asset's current deps in order (a fresh store), else a key search; then `loadRecords`.
    #[napi]
    pub fn load_records_by_key(&mut self, env: Env, records: RecordsByKey) -> Result<Uint32Array> {
        let bad = |what: String| throw(&env, rivers_planner::error::invalid_input(what));
        let keys = split_lines(Some(&records.keys));
        let input_keys = split_lines(Some(&records.input_keys));
        let m = keys.len();
        let total: u64 = records.input_counts.iter().map(|&c| u64::from(c)).sum();
        if records.code_versions.len() != 16 * m
            || records.config_hashes.len() != 16 * m
            || records.data_versions.len() != 16 * m
            || records.input_counts.len() != m
            || input_keys.len() as u64 != total
            || records.input_versions.len() as u64 != 16 * total
        {
            return Err(bad(format!(
                "records by key do not line up: {m} keys, {} input counts, {total} inputs counted, {} input keys",
                records.input_counts.len(),
                input_keys.len()
            )));
        }
        let n = self.inner.graph().len() as u32;
        let mut row_ids = Vec::with_capacity(m);
        let (mut ids, mut code, mut config, mut data) =
            (Vec::new(), Vec::new(), Vec::new(), Vec::new());
        let mut dep_offsets = vec![0u32];
        let (mut deps, mut dep_versions) = (Vec::new(), Vec::new());
        let mut externs: Vec<&str> = Vec::new();
        {
            // Look-ups guessed first, each checked by one key comparison: records come in key
            // order, as ids do, and a record's inputs are usually its asset's current deps in
            // order. A wrong guess falls back to the graph's key search.
            let g = self.inner.graph();
            let mut extern_index: HashMap<&str, u32> = HashMap::new();
            let mut next_id = 0u32;
            let mut j = 0usize;
            for (r, &key) in keys.iter().enumerate() {
                let count = records.input_counts[r] as usize;
                let guess = (next_id < n && g.key_ext(ExtId(next_id)) == key).then_some(next_id);
                let Some(id) = guess.or_else(|| g.find_ext(key).map(u32::from)) else {
                    row_ids.push(NO_DEP);
                    j += count;
                    continue;
                };
                next_id = id + 1;
                row_ids.push(id);
                ids.push(id);
                let hashes = 16 * r..16 * r + 16;
                code.extend_from_slice(&records.code_versions[hashes.clone()]);
                config.extend_from_slice(&records.config_hashes[hashes.clone()]);
                data.extend_from_slice(&records.data_versions[hashes]);
                let current = g.deps(g.int_of(ExtId(id)));
                for (k, &input) in input_keys[j..j + count].iter().enumerate() {
                    let found = match current.get(k) {
                        Some(&p) if g.key(p) == input => Some(g.ext_of(p)),
                        _ => g.find_ext(input),
                    };
                    let dep = match found {
                        Some(e) => u32::from(e),
                        None => {
                            let next = externs.len() as u32;
                            let e = *extern_index.entry(input).or_insert(next);
                            if e == next {
                                externs.push(input);
                            }
                            n + e
                        }
                    };
                    deps.push(dep);
                }
                dep_versions.extend_from_slice(&records.input_versions[16 * j..16 * (j + count)]);
                j += count;
                dep_offsets.push(deps.len() as u32);
            }
        }
        self.inner
            .load_records(&RecordBatch {
                ids: &ids,
                code_versions: &code,
                config_hashes: &config,
                data_versions: &data,
                dep_offsets: &dep_offsets,
                deps: &deps,
                dep_versions: &dep_versions,
                extern_keys: &externs,
            })
            .map_err(|e| throw(&env, e))?;
        Ok(Uint32Array::new(row_ids))
    }

    /// Applies the records of assets just materialized or observed, incrementally (early cutoff).
    /// Returns the ids of their children that are now missing or stale (they must run); children
    /// not returned can be skipped if nothing else changed. O(degrees of the records and children).
    #[napi]
    pub fn apply_records(&mut self, env: Env, records: RecordsInit) -> Result<Uint32Array> {
        let externs = split_lines(records.extern_keys.as_deref());
        let out = self
            .inner
            .apply_records(&batch_from(&records, &externs))
            .map_err(|e| throw(&env, e))?;
        let g = self.inner.graph();
        Ok(ext_ids(out.into_iter().map(|v| g.ext_of(v)).collect()))
    }

    /// Status codes (`Status`) of `ids`, or of every asset when omitted. O(ids).
    #[napi]
    pub fn statuses(&self, env: Env, ids: Option<Uint32Array>) -> Result<Uint8Array> {
        match ids {
            Some(ids) => self
                .inner
                .statuses(&ids)
                .map(Uint8Array::new)
                .map_err(|e| throw(&env, e)),
            None => Ok(Uint8Array::new(self.inner.all_statuses())),
        }
    }

    /// Causes of `ids` as CSR rows. O(sum of their degrees).
    #[napi]
    pub fn causes(&self, env: Env, ids: Uint32Array) -> Result<CauseRows> {
        let t = self.inner.causes(&ids).map_err(|e| throw(&env, e))?;
        Ok(CauseRows {
            offsets: Uint32Array::new(t.offsets),
            kinds: Uint8Array::new(t.kinds),
            deps: Uint32Array::new(t.deps),
        })
    }

    /// Root causes of `ids` as CSR rows. O(stale ancestors reached, memoised).
    #[napi]
    pub fn root_causes(&self, env: Env, ids: Uint32Array) -> Result<RootCauseRows> {
        let t = self.inner.root_causes(&ids).map_err(|e| throw(&env, e))?;
        Ok(RootCauseRows {
            offsets: Uint32Array::new(t.offsets),
            ids: ext_ids(t.ids),
            kinds: Uint8Array::new(t.kinds),
        })
    }

    /// Statuses, causes and root causes of `ids`, and the plan of the same selection (of every asset
    /// when `wholeGraph`, which reads the maintained plan), in one call: what `assets status` needs.
    /// Cost: the sum of `statuses`, `causes`, `rootCauses` and `plan`; main thread; allocates the
    /// result arrays only.
    #[napi]
    pub fn status_report(
        &mut self,
        env: Env,
        ids: Uint32Array,
        whole_graph: bool,
    ) -> Result<StatusReport> {
        let statuses = self.inner.statuses(&ids).map_err(|e| throw(&env, e))?;
        let causes = self.inner.causes(&ids).map_err(|e| throw(&env, e))?;
        let roots = self.inner.root_causes(&ids).map_err(|e| throw(&env, e))?;
        let plan = self
            .inner
            .plan(if whole_graph { None } else { Some(&ids) }, false)
            .map_err(|e| throw(&env, e))?;
        Ok(StatusReport {
            statuses: Uint8Array::new(statuses),
            causes: CauseRows {
                offsets: Uint32Array::new(causes.offsets),
                kinds: Uint8Array::new(causes.kinds),
                deps: Uint32Array::new(causes.deps),
            },
            root_causes: RootCauseRows {
                offsets: Uint32Array::new(roots.offsets),
                ids: ext_ids(roots.ids),
                kinds: Uint8Array::new(roots.kinds),
            },
            planned: ext_ids(plan.ids),
        })
    }

    /// Plans a selection (ids; omitted = everything). Without a selection and without `force` this
    /// reads the incrementally maintained plan: O(plan log plan), independent of the graph size.
    /// Otherwise O(selection + its edges). Returns fresh typed arrays; main thread.
    #[napi]
    pub fn plan(
        &mut self,
        env: Env,
        selection: Option<Uint32Array>,
        force: Option<bool>,
    ) -> Result<PlanResult> {
        let p = self
            .inner
            .plan(selection.as_deref(), force.unwrap_or(false))
            .map_err(|e| throw(&env, e))?;
        let flat: Vec<u32> = p
            .missing_inputs
            .iter()
            .flat_map(|&(a, b)| [a.0, b.0])
            .collect();
        Ok(PlanResult {
            ids: ext_ids(p.ids),
            layer_offsets: Uint32Array::new(p.layer_offsets),
            missing_inputs: Uint32Array::new(flat),
        })
    }

    /// Number of assets in the maintained whole-graph plan. O(1).
    #[napi]
    pub fn planned_count(&self) -> u32 {
        self.inner.planned_count() as u32
    }

    /// Whether an asset must run now (missing or stale): the run-time re-verification of one asset
    /// just before it runs. O(1).
    #[napi]
    pub fn needs_run(&self, env: Env, id: u32) -> Result<bool> {
        Ok(self.inner.statuses(&[id]).map_err(|e| throw(&env, e))?[0] != Status::Fresh as u8)
    }

    /// Evaluates selection expressions (their union); returns ids ascending. O(n + e). Errors carry
    /// code `RIVERS_SELECTION` and a message pointing at the column.
    #[napi]
    pub fn select(&self, env: Env, exprs: Vec<String>) -> Result<Uint32Array> {
        let refs: Vec<&str> = exprs.iter().map(String::as_str).collect();
        self.inner
            .select(&refs)
            .map(ext_ids)
            .map_err(|e| throw(&env, e))
    }

    /// Bytes held natively by the graph and its state. O(1)-ish.
    #[napi]
    pub fn heap_bytes(&self) -> f64 {
        self.inner.heap_bytes() as f64
    }

    /// Readable twin for tests: the whole state as a JSON string (the JS wrapper parses it). O(n + e).
    #[napi]
    pub fn debug_json(&self) -> String {
        self.inner.to_json()
    }
}

/// Content hash (data version) of bytes: 32 hex digits. O(bytes); main thread.
#[napi]
pub fn hash_bytes(data: Uint8Array) -> String {
    hash::to_hex(&hash::content_hash(&data))
}

/// Content hash of a file, streamed: equal to `hashBytes` of its bytes. Blocks the main thread for
/// the read; use `hashFiles` for many or large files.
#[napi]
pub fn hash_file(path: String) -> Result<String> {
    hash::content_hash_file(std::path::Path::new(&path))
        .map(|h| hash::to_hex(&h))
        .map_err(|e| Error::from_reason(format!("cannot hash {path}: {e}")))
}

/// Hashes string fields in a domain with the frozen encoding (`SPEC.md`): code versions, config
/// hashes, user data versions. Returns 32 hex digits. O(bytes); main thread.
#[napi]
pub fn hash_strings(domain: String, fields: Vec<String>) -> String {
    let f: Vec<Field<'_>> = fields.iter().map(|s| Field::Str(s)).collect();
    hash::to_hex(&hash::hash_fields(&domain, &f))
}

/// Worker task of `hashFiles`.
pub struct HashFilesTask {
    paths: Vec<String>,
}

impl Task for HashFilesTask {
    type Output = Vec<String>;
    type JsValue = Vec<String>;

    fn compute(&mut self) -> Result<Self::Output> {
        hash::content_hash_files(&self.paths, 0)
            .into_iter()
            .zip(&self.paths)
            .map(|(r, p)| {
                r.map(|h| hash::to_hex(&h))
                    .map_err(|e| Error::from_reason(format!("cannot hash {p}: {e}")))
            })
            .collect()
    }

    fn resolve(&mut self, _env: Env, output: Self::Output) -> Result<Self::JsValue> {
        Ok(output)
    }
}

/// Content hashes of many files, in parallel off the main thread (a libuv worker fanning out over
/// the available cores). Resolves to hex hashes in the order of `paths`; rejects naming the first
/// file that could not be read.
#[napi(ts_return_type = "Promise<string[]>")]
pub fn hash_files(paths: Vec<String>) -> AsyncTask<HashFilesTask> {
    AsyncTask::new(HashFilesTask { paths })
}
