//! [`PartitionRecordBatch`]: per-partition materialization records in bulk, and their checks.

use crate::error::{self, PlannerError};
use crate::hash::fingerprint;

use super::state::PartitionedPlanner;

/// Records of (asset, partition) materializations in bulk. Arrays are parallel per record; hashes
/// are 16 bytes each. Consumed inputs are a CSR: record `r` consumed
/// `input_deps[input_offsets[r]..input_offsets[r + 1]]` (external ids of its dependencies; an id
/// that is not a current dependency, such as `u32::MAX` for a key no longer in the graph, reads as
/// `dep_removed`) with the input fingerprint of each (as [`PartitionedPlanner::input_fingerprint`]
/// gave it when the partition ran; 0 reads as "not recorded").
#[derive(Clone, Copy, Debug)]
pub struct PartitionRecordBatch<'a> {
    /// External ids of the assets.
    pub ids: &'a [u32],
    /// Partition index of each record.
    pub partitions: &'a [u64],
    /// Code version of each record (16 bytes each).
    pub code_versions: &'a [u8],
    /// Config hash of each record.
    pub config_hashes: &'a [u8],
    /// Data version of each record.
    pub data_versions: &'a [u8],
    /// CSR offsets into `input_deps` (records + 1).
    pub input_offsets: &'a [u32],
    /// External ids of the consumed dependencies.
    pub input_deps: &'a [u32],
    /// Input fingerprint consumed for each entry of `input_deps`.
    pub input_fingerprints: &'a [u64],
}

/// Fingerprint of the `r`-th 16-byte hash of `buf` (lengths checked beforehand).
pub(crate) fn fp_at(buf: &[u8], r: usize) -> u64 {
    let mut h = [0u8; 16];
    h.copy_from_slice(&buf[16 * r..16 * r + 16]);
    fingerprint(&h)
}

/// Checks lengths, ids and partition ranges of a whole batch before anything is applied.
pub(crate) fn check(
    p: &PartitionedPlanner,
    b: &PartitionRecordBatch<'_>,
) -> Result<(), PlannerError> {
    let n = b.ids.len();
    for (name, len) in [
        ("code_versions", b.code_versions.len()),
        ("config_hashes", b.config_hashes.len()),
        ("data_versions", b.data_versions.len()),
    ] {
        if len != 16 * n {
            return Err(error::invalid_input(format!(
                "{name} has {len} bytes, expected {} (16 per record)",
                16 * n
            )));
        }
    }
    if b.partitions.len() != n {
        return Err(error::invalid_input(format!(
            "{} partitions for {n} records",
            b.partitions.len()
        )));
    }
    if b.input_offsets.len() != n + 1
        || b.input_offsets.first() != Some(&0)
        || b.input_offsets.windows(2).any(|w| w[0] > w[1])
        || b.input_offsets[n] as usize != b.input_deps.len()
    {
        return Err(error::invalid_input(format!(
            "input_offsets must be {} ascending offsets from 0 to the {} input entries",
            n + 1,
            b.input_deps.len()
        )));
    }
    if b.input_fingerprints.len() != b.input_deps.len() {
        return Err(error::invalid_input(format!(
            "{} input fingerprints for {} input entries",
            b.input_fingerprints.len(),
            b.input_deps.len()
        )));
    }
    for (r, &id) in b.ids.iter().enumerate() {
        let v = p.pos(id)?;
        p.check_partition(v, b.partitions[r])?;
    }
    Ok(())
}
