//! Partitions over the binding (`SPEC.md`, "Partitions"). A partition set crosses as a
//! `Float64Array` of `start, end, start, end, ...` (half-open ranges; indices stay below 2^53, so
//! they are exact in a double); a mapping as a plain object (`MappingInit`); input fingerprints as
//! `BigUint64Array` / `bigint` (they are full 64-bit values).

use napi::bindgen_prelude::{BigInt, BigUint64Array, Float64Array, Uint8Array};
use napi::{Env, Result};
use napi_derive::napi;
use rivers_planner::error::{invalid_input, invalid_mapping};
use rivers_planner::hash::fingerprint;
use rivers_planner::partitions::{input_fingerprint_of, Mapping, PartitionSet, ProductDim};
use rivers_planner::PlannerError;

use crate::throw;

/// Largest index a double holds exactly.
const MAX_INDEX: f64 = 9_007_199_254_740_992.0;

pub(crate) fn index(x: f64, what: &str) -> std::result::Result<u64, PlannerError> {
    if (0.0..=MAX_INDEX).contains(&x) && x.fract() == 0.0 {
        Ok(x as u64)
    } else {
        Err(invalid_input(format!(
            "{what} must be a whole number from 0 to 2^53, got {x}"
        )))
    }
}

/// A set from its wire format (pairs in any order; empty pairs dropped, reversed ones refused).
pub(crate) fn set_in(r: &[f64]) -> std::result::Result<PartitionSet, PlannerError> {
    if r.len() % 2 != 0 {
        return Err(invalid_input(format!(
            "a partition set is start, end pairs; got {} numbers",
            r.len()
        )));
    }
    let mut pairs = Vec::with_capacity(r.len() / 2);
    for c in r.chunks_exact(2) {
        let (s, e) = (index(c[0], "a range start")?, index(c[1], "a range end")?);
        if s > e {
            return Err(invalid_input(format!(
                "partition range [{s}, {e}) is reversed: give the start first"
            )));
        }
        pairs.push((s, e));
    }
    Ok(PartitionSet::from_ranges(pairs))
}

pub(crate) fn set_out(s: &PartitionSet) -> Float64Array {
    Float64Array::new(
        s.iter_ranges()
            .flat_map(|(a, b)| [a as f64, b as f64])
            .collect(),
    )
}

/// A mapping between two index spaces, as the TypeScript side resolves it.
#[napi(object)]
pub struct MappingInit {
    /// `identity`, `window`, `coarsen`, `refine`, `all`, `single`, `product` or `explicit`.
    pub kind: String,
    /// `window`: offset of the first upstream partition read (inclusive).
    pub from: Option<i64>,
    /// `window`: offset of the last upstream partition read (inclusive).
    pub to: Option<i64>,
    /// `coarsen` / `refine`: strictly ascending boundaries.
    pub boundaries: Option<Float64Array>,
    /// `product`: one mapping per dimension, first dimension most significant.
    pub dims: Option<Vec<ProductDimInit>>,
    /// `explicit`: the upstream partition set (wire format) of each downstream partition.
    pub upstream: Option<Vec<Float64Array>>,
}

/// One dimension of a `product` mapping.
#[napi(object)]
pub struct ProductDimInit {
    /// The dimension's mapping.
    pub mapping: MappingInit,
    /// Size of the downstream dimension.
    pub down_size: f64,
    /// Size of the upstream dimension.
    pub up_size: f64,
}

pub(crate) fn mapping_in(m: &MappingInit) -> std::result::Result<Mapping, PlannerError> {
    let need = |what: &str| invalid_mapping(None, &m.kind, &format!("it needs `{what}`"));
    Ok(match m.kind.as_str() {
        "identity" => Mapping::Identity,
        "all" => Mapping::All,
        "single" => Mapping::Single,
        "window" => Mapping::Window {
            from: m.from.ok_or_else(|| need("from"))?,
            to: m.to.ok_or_else(|| need("to"))?,
        },
        "coarsen" | "refine" => {
            let b = m.boundaries.as_ref().ok_or_else(|| need("boundaries"))?;
            let boundaries = b
                .iter()
                .map(|&x| index(x, "a boundary"))
                .collect::<std::result::Result<Vec<_>, _>>()?;
            if m.kind == "coarsen" {
                Mapping::Coarsen { boundaries }
            } else {
                Mapping::Refine { boundaries }
            }
        }
        "product" => Mapping::Product {
            dims: m
                .dims
                .as_ref()
                .ok_or_else(|| need("dims"))?
                .iter()
                .map(|d| {
                    Ok(ProductDim {
                        mapping: mapping_in(&d.mapping)?,
                        down_size: index(d.down_size, "downSize")?,
                        up_size: index(d.up_size, "upSize")?,
                    })
                })
                .collect::<std::result::Result<Vec<_>, PlannerError>>()?,
        },
        "explicit" => Mapping::Explicit {
            upstream: m
                .upstream
                .as_ref()
                .ok_or_else(|| need("upstream"))?
                .iter()
                .map(|s| set_in(s))
                .collect::<std::result::Result<Vec<_>, _>>()?,
        },
        other => return Err(invalid_mapping(
            None,
            other,
            "unknown kind; use identity, window, coarsen, refine, all, single, product or explicit",
        )),
    })
}

pub(crate) fn js<T>(env: &Env, r: std::result::Result<T, PlannerError>) -> Result<T> {
    r.map_err(|e| throw(env, e))
}

/// Normalises a partition set (sorts, merges touching ranges, drops empty ones). O(r log r).
///
/// Wire format of every partition set in this binding: a `Float64Array` of `start, end` pairs, each
/// a half-open range `[start, end)` of partition indices (whole numbers from 0 to 2^53, exact in a
/// double). Results are normalised: ascending, disjoint, non-adjacent ranges. A reversed pair or a
/// fractional index throws `RIVERS_INVALID_INPUT`.
#[napi]
pub fn partition_set_normalize(env: Env, set: Float64Array) -> Result<Float64Array> {
    Ok(set_out(&js(&env, set_in(&set))?))
}

/// Union, intersection or difference (`a` minus `b`) of two partition sets: `op` is `union`,
/// `intersection` or `difference`. O(ranges).
#[napi]
pub fn partition_set_op(
    env: Env,
    op: String,
    a: Float64Array,
    b: Float64Array,
) -> Result<Float64Array> {
    let (a, b) = (js(&env, set_in(&a))?, js(&env, set_in(&b))?);
    let out = match op.as_str() {
        "union" => a.union(&b),
        "intersection" => a.intersection(&b),
        "difference" => a.difference(&b),
        other => {
            return Err(throw(
                &env,
                invalid_input(format!(
                    "unknown set operation {other:?}; use union, intersection or difference"
                )),
            ))
        }
    };
    Ok(set_out(&out))
}

/// The indices of `[0, n)` not in `set`. O(ranges).
#[napi]
pub fn partition_set_complement(env: Env, set: Float64Array, n: f64) -> Result<Float64Array> {
    let n = js(&env, index(n, "n"))?;
    Ok(set_out(&js(&env, set_in(&set))?.complement_within(n)))
}

/// Number of indices in a partition set. O(ranges).
#[napi]
pub fn partition_set_size(env: Env, set: Float64Array) -> Result<f64> {
    Ok(js(&env, set_in(&set))?.len() as f64)
}

/// Checks a mapping against a downstream space of `nDown` and an upstream space of `nUp` partitions;
/// throws `RIVERS_INVALID_MAPPING` saying what to fix.
#[napi]
pub fn validate_mapping(env: Env, mapping: MappingInit, n_down: f64, n_up: f64) -> Result<()> {
    let m = js(&env, mapping_in(&mapping))?;
    let (nd, nu) = (
        js(&env, index(n_down, "nDown"))?,
        js(&env, index(n_up, "nUp"))?,
    );
    js(&env, m.validate(nd, nu))
}

/// The upstream partitions (within `[0, nUp)`) that the downstream partitions of `set` read.
/// O(ranges) for the structured kinds.
#[napi]
pub fn mapping_upstream_of(
    env: Env,
    mapping: MappingInit,
    set: Float64Array,
    n_up: f64,
) -> Result<Float64Array> {
    let m = js(&env, mapping_in(&mapping))?;
    let nu = js(&env, index(n_up, "nUp"))?;
    Ok(set_out(&m.upstream_of_set(&js(&env, set_in(&set))?, nu)))
}

/// The downstream partitions (within `[0, nDown)`) that read some partition of `set`.
#[napi]
pub fn mapping_downstream_of(
    env: Env,
    mapping: MappingInit,
    set: Float64Array,
    n_down: f64,
    n_up: f64,
) -> Result<Float64Array> {
    let m = js(&env, mapping_in(&mapping))?;
    let (nd, nu) = (
        js(&env, index(n_down, "nDown"))?,
        js(&env, index(n_up, "nUp"))?,
    );
    Ok(set_out(&m.downstream_of_set(
        &js(&env, set_in(&set))?,
        nd,
        nu,
    )))
}

/// The input fingerprint a partitioned planner gives a reader of one unpartitioned asset with each
/// 16-byte data version of `dataVersions` (all zeros: no record): how an unpartitioned record's
/// consumed data versions are loaded into a partitioned planner. O(versions).
#[napi]
pub fn version_fingerprints(env: Env, data_versions: Uint8Array) -> Result<BigUint64Array> {
    if data_versions.len() % 16 != 0 {
        return js(
            &env,
            Err(invalid_input(format!(
                "dataVersions has {} bytes, not a multiple of 16",
                data_versions.len()
            ))),
        );
    }
    Ok(BigUint64Array::new(
        data_versions
            .chunks_exact(16)
            .map(|c| {
                let mut h = [0u8; 16];
                h.copy_from_slice(c);
                let fp = if h == [0u8; 16] { 0 } else { fingerprint(&h) };
                input_fingerprint_of([(0, fp)])
            })
            .collect(),
    ))
}

/// The input fingerprint of reading the upstream partitions `partitions` (indices, as doubles) with
/// the 16-byte data versions `dataVersions` (one per partition; all zeros: missing): exactly what
/// `NativePartitionedPlanner.inputFingerprint` gives when the planner holds those versions, computed
/// from what a run actually read. O(partitions).
#[napi]
pub fn input_fingerprint_of_versions(
    env: Env,
    partitions: Float64Array,
    data_versions: Uint8Array,
) -> Result<BigInt> {
    if data_versions.len() != 16 * partitions.len() {
        return js(
            &env,
            Err(invalid_input(format!(
                "dataVersions has {} bytes for {} partitions (16 bytes each)",
                data_versions.len(),
                partitions.len()
            ))),
        );
    }
    let mut pairs = Vec::with_capacity(partitions.len());
    for (i, &q) in partitions.iter().enumerate() {
        let q = js(&env, index(q, "a partition index"))?;
        let mut h = [0u8; 16];
        h.copy_from_slice(&data_versions[16 * i..16 * i + 16]);
        pairs.push((q, if h == [0u8; 16] { 0 } else { fingerprint(&h) }));
    }
    Ok(BigInt::from(input_fingerprint_of(pairs)))
}
