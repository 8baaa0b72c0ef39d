//! Product mappings: one [`Mapping`] per dimension of a mixed-radix space (first dimension most
//! significant). A range of flat indices splits into at most `2 × dims` boxes (a digit range per
//! dimension); each box maps dimension by dimension, and the per-dimension answers are flattened
//! back into ranges. Cost per input range: O(dims) boxes, each O(dims) mappings plus its output.

use super::mapping::Mapping;
use super::set::{push_range, PartitionSet};

/// One dimension of a product mapping.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProductDim {
    /// The mapping of this dimension's digit.
    pub mapping: Mapping,
    /// Size of the downstream dimension.
    pub down_size: u64,
    /// Size of the upstream dimension.
    pub up_size: u64,
}

pub(crate) fn check(dims: &[ProductDim], n_down: u64, n_up: u64) -> Result<(), String> {
    if dims.is_empty() {
        return Err("a product mapping needs at least one dimension".into());
    }
    let mut down: Option<u64> = Some(1);
    let mut up: Option<u64> = Some(1);
    for (i, d) in dims.iter().enumerate() {
        d.mapping
            .check(d.down_size, d.up_size)
            .map_err(|r| format!("dimension #{i} ({}): {r}", d.mapping.kind()))?;
        down = down.and_then(|x| x.checked_mul(d.down_size));
        up = up.and_then(|x| x.checked_mul(d.up_size));
    }
    let sizes = |f: fn(&ProductDim) -> u64| {
        dims.iter()
            .map(|d| f(d).to_string())
            .collect::<Vec<_>>()
            .join(" × ")
    };
    if down != Some(n_down) {
        return Err(format!("the downstream dimension sizes ({}) do not multiply to the downstream asset's {n_down} partitions; give each dimension's current size", sizes(|d| d.down_size)));
    }
    if up != Some(n_up) {
        return Err(format!("the upstream dimension sizes ({}) do not multiply to the upstream asset's {n_up} partitions; give each dimension's current size", sizes(|d| d.up_size)));
    }
    Ok(())
}

/// Digit ranges `[lo, hi)`, one per dimension: a box of a product space.
type DigitBox = [(u64, u64)];

/// Calls `f` with each box (one digit range `[lo, hi)` per dimension) of the flat range `[s, e)`
/// in a space of dimension sizes `sizes` whose strides are `strides`.
fn boxes(
    sizes: &[u64],
    strides: &[u64],
    s: u64,
    e: u64,
    prefix: &mut Vec<(u64, u64)>,
    f: &mut dyn FnMut(&DigitBox),
) {
    if s >= e {
        return;
    }
    let j = prefix.len();
    if j + 1 == sizes.len() {
        prefix.push((s, e));
        f(prefix);
        prefix.pop();
        return;
    }
    let stride = strides[j];
    let a = s / stride;
    if a == (e - 1) / stride {
        prefix.push((a, a + 1));
        boxes(sizes, strides, s - a * stride, e - a * stride, prefix, f);
        prefix.pop();
        return;
    }
    let mut mid = a;
    if s % stride != 0 {
        prefix.push((a, a + 1));
        boxes(sizes, strides, s % stride, stride, prefix, f);
        prefix.pop();
        mid = a + 1;
    }
    let end_digit = e / stride;
    if mid < end_digit {
        let depth = prefix.len();
        prefix.push((mid, end_digit));
        prefix.extend(sizes[j + 1..].iter().map(|&n| (0, n)));
        f(prefix);
        prefix.truncate(depth);
    }
    if e % stride != 0 {
        prefix.push((end_digit, end_digit + 1));
        boxes(sizes, strides, 0, e % stride, prefix, f);
        prefix.pop();
    }
}

/// Flattens the cartesian product of per-dimension sets (mixed radix over `sizes`) into ranges,
/// appended to `out` in ascending order. Cost: the size of the output (plus the dimensions).
fn flatten(sets: &[PartitionSet], sizes: &[u64], out: &mut Vec<(u64, u64)>) {
    if sets.iter().any(PartitionSet::is_empty) {
        return;
    }
    let k = sets.len();
    let mut cur: Vec<(u64, u64)> = sets[k - 1].ranges().to_vec();
    let mut cur_size = sizes[k - 1];
    for j in (0..k - 1).rev() {
        let full = cur.len() == 1 && cur[0] == (0, cur_size);
        let mut next = Vec::new();
        for (x, y) in sets[j].iter_ranges() {
            if full {
                push_range(&mut next, x * cur_size, y * cur_size);
            } else {
                for a in x..y {
                    for &(s, e) in &cur {
                        push_range(&mut next, a * cur_size + s, a * cur_size + e);
                    }
                }
            }
        }
        cur = next;
        cur_size *= sizes[j];
    }
    out.extend(cur);
}

fn strides(sizes: &[u64]) -> Vec<u64> {
    let mut st = vec![1u64; sizes.len()];
    for j in (0..sizes.len().saturating_sub(1)).rev() {
        st[j] = st[j + 1].saturating_mul(sizes[j + 1]);
    }
    st
}

/// Maps `set` (flat indices over `from_sizes`) dimension by dimension with `map`, flattening over
/// `to_sizes`.
fn map_boxes(
    set: &PartitionSet,
    from_sizes: &[u64],
    to_sizes: &[u64],
    map: &dyn Fn(usize, &PartitionSet) -> PartitionSet,
) -> PartitionSet {
    let st = strides(from_sizes);
    let total = st[0].saturating_mul(from_sizes[0]);
    let mut out = Vec::new();
    let mut prefix = Vec::with_capacity(from_sizes.len());
    for (s, e) in set.clip(total).iter_ranges() {
        boxes(from_sizes, &st, s, e, &mut prefix, &mut |digits| {
            let sets: Vec<PartitionSet> = digits
                .iter()
                .enumerate()
                .map(|(j, &(lo, hi))| map(j, &PartitionSet::range(lo, hi)))
                .collect();
            flatten(&sets, to_sizes, &mut out);
        });
    }
    PartitionSet::from_ranges(out)
}

pub(crate) fn upstream_of_set(dims: &[ProductDim], set: &PartitionSet, n_up: u64) -> PartitionSet {
    if dims.is_empty() {
        return PartitionSet::new();
    }
    let down: Vec<u64> = dims.iter().map(|d| d.down_size).collect();
    let up: Vec<u64> = dims.iter().map(|d| d.up_size).collect();
    map_boxes(set, &down, &up, &|j, s| {
        dims[j].mapping.upstream_of_set(s, dims[j].up_size)
    })
    .clip(n_up)
}

pub(crate) fn downstream_of_set(
    dims: &[ProductDim],
    set: &PartitionSet,
    n_down: u64,
    n_up: u64,
) -> PartitionSet {
    if dims.is_empty() {
        return PartitionSet::new();
    }
    let down: Vec<u64> = dims.iter().map(|d| d.down_size).collect();
    let up: Vec<u64> = dims.iter().map(|d| d.up_size).collect();
    map_boxes(&set.clip(n_up), &up, &down, &|j, s| {
        dims[j]
            .mapping
            .downstream_of_set(s, dims[j].down_size, dims[j].up_size)
    })
    .clip(n_down)
}
