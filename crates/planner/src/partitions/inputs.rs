//! Input fingerprints: one `u64` per (downstream partition, dependency) that changes whenever the
//! data of the upstream partitions it reads changes, maintained so that a window of any length is
//! evaluated in O(log n) and an upstream change costs O(log n).
//!
//! Definition (`SPEC.md`, "Partitions"): over the upstream partitions `Q` a downstream partition
//! reads (its mapping's answer, within the upstream asset's valid partitions),
//!
//! ```text
//! sum = Σ_{q ∈ Q, q present} mix(q, fp(q))  +  MISSING × |{q ∈ Q : q missing}|      (wrapping)
//! input fingerprint = sum, or 1 where sum = 0      (0 is reserved for "not recorded")
//! ```
//!
//! where `mix` is XXH3-64 of `q` and `fp(q)` (16 bytes, little-endian) and `MISSING` a fixed odd
//! constant. Rewritten as `Σ_{q ∈ Q present} (mix(q, fp(q)) - MISSING) + MISSING × |Q|`, it needs
//! a Fenwick tree of the per-partition deltas (zero for missing partitions, so an asset that has
//! never been materialized needs none) and a count of `Q`, read off the valid set's ranges.

use xxhash_rust::xxh3::xxh3_64_with_seed;

use super::set::PartitionSet;

/// What a missing upstream partition contributes (odd, so that `k × MISSING != 0` for `k < 2^64`).
pub const MISSING_INPUT: u64 = 0x9e37_79b9_7f4a_7c15;

const MIX_SEED: u64 = 0x7269_7665_7273_7031; // "riversp1"

/// The pseudo-random contribution of upstream partition `q` with data fingerprint `fp` (non-zero).
#[inline]
pub fn mix(q: u64, fp: u64) -> u64 {
    let mut b = [0u8; 16];
    b[..8].copy_from_slice(&q.to_le_bytes());
    b[8..].copy_from_slice(&fp.to_le_bytes());
    xxh3_64_with_seed(&b, MIX_SEED)
}

/// The input fingerprint of a set of `(upstream partition, data fingerprint)` pairs, `0` for a
/// missing partition: the definition, evaluated pair by pair. O(pairs).
pub fn input_fingerprint_of<I: IntoIterator<Item = (u64, u64)>>(pairs: I) -> u64 {
    let sum = pairs.into_iter().fold(0u64, |acc, (q, fp)| {
        acc.wrapping_add(if fp == 0 { MISSING_INPUT } else { mix(q, fp) })
    });
    finish(sum)
}

#[inline]
pub(crate) fn finish(sum: u64) -> u64 {
    if sum == 0 {
        1
    } else {
        sum
    }
}

/// Wrapping prefix sums of per-partition deltas (a Fenwick tree). Point update and prefix query
/// O(log n).
#[derive(Clone, Debug)]
pub(crate) struct Fenwick {
    tree: Vec<u64>,
}

impl Fenwick {
    /// A tree over `values`. O(n).
    pub(crate) fn from_values(values: &[u64]) -> Fenwick {
        let n = values.len();
        let mut tree = vec![0u64; n + 1];
        tree[1..].copy_from_slice(values);
        for i in 1..=n {
            let j = i + (i & i.wrapping_neg());
            if j <= n {
                tree[j] = tree[j].wrapping_add(tree[i]);
            }
        }
        Fenwick { tree }
    }

    /// Adds `delta` at index `i`.
    pub(crate) fn add(&mut self, i: usize, delta: u64) {
        let mut k = i + 1;
        while k < self.tree.len() {
            self.tree[k] = self.tree[k].wrapping_add(delta);
            k += k & k.wrapping_neg();
        }
    }

    /// Sum of indices `[0, i)`.
    pub(crate) fn prefix(&self, i: usize) -> u64 {
        let mut k = i.min(self.tree.len().saturating_sub(1));
        let mut s = 0u64;
        while k > 0 {
            s = s.wrapping_add(self.tree[k]);
            k &= k - 1;
        }
        s
    }

    pub(crate) fn heap_bytes(&self) -> usize {
        8 * self.tree.capacity()
    }
}

/// The valid partitions of an asset with prefix counts over its ranges, to count `|Q ∩ valid|` for
/// a range in O(log r).
#[derive(Clone, Debug)]
pub(crate) struct Valid {
    pub(crate) set: PartitionSet,
    /// `before[i]`: number of valid indices in the ranges before range `i`.
    before: Vec<u64>,
}

impl Valid {
    pub(crate) fn new(set: PartitionSet) -> Valid {
        let mut before = Vec::with_capacity(set.range_count());
        let mut acc = 0;
        for (s, e) in set.iter_ranges() {
            before.push(acc);
            acc += e - s;
        }
        Valid { set, before }
    }

    /// Number of valid indices below `i`. O(log r).
    pub(crate) fn rank(&self, i: u64) -> u64 {
        let r = self.set.ranges();
        let k = r.partition_point(|x| x.0 < i);
        if k == 0 {
            return 0;
        }
        let (s, e) = r[k - 1];
        self.before[k - 1] + (i.min(e) - s)
    }

    /// Number of valid indices in `[s, e)`.
    pub(crate) fn count(&self, s: u64, e: u64) -> u64 {
        if s >= e {
            0
        } else {
            self.rank(e) - self.rank(s)
        }
    }

    pub(crate) fn heap_bytes(&self) -> usize {
        self.set.heap_bytes() + 8 * self.before.capacity()
    }
}

/// The input fingerprint of the upstream partitions `q` (ranges, within the upstream space) given
/// the upstream's valid set and delta tree (`None`: no partition present). O(ranges × log n).
pub(crate) fn input_fingerprint(q: &PartitionSet, valid: &Valid, deltas: Option<&Fenwick>) -> u64 {
    let mut sum = 0u64;
    for (s, e) in q.iter_ranges() {
        let c = valid.count(s, e);
        sum = sum.wrapping_add(MISSING_INPUT.wrapping_mul(c));
        if let Some(f) = deltas {
            sum = sum.wrapping_add(f.prefix(e as usize).wrapping_sub(f.prefix(s as usize)));
        }
    }
    finish(sum)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fenwick_and_rank_match_sums() {
        let values: Vec<u64> = (0..37u64).map(|i| mix(i, i * 7 + 1)).collect();
        let mut f = Fenwick::from_values(&values);
        let mut vals = values.clone();
        f.add(5, 12345);
        vals[5] = vals[5].wrapping_add(12345);
        for s in 0..=37usize {
            for e in s..=37usize {
                let want = vals[s..e].iter().fold(0u64, |a, &b| a.wrapping_add(b));
                assert_eq!(f.prefix(e).wrapping_sub(f.prefix(s)), want);
            }
        }
        let v = Valid::new(PartitionSet::from_ranges([(2, 5), (9, 10), (20, 30)]));
        for s in 0..35 {
            for e in s..35 {
                assert_eq!(
                    v.count(s, e),
                    (s..e).filter(|&i| v.set.contains(i)).count() as u64
                );
            }
        }
    }

    #[test]
    fn maintained_sums_equal_the_definition() {
        // Partitions 0..10 valid except 4; 1, 3, 7 present.
        let valid = Valid::new(PartitionSet::from_ranges([(0, 4), (5, 10)]));
        let fp = |q: u64| {
            if [1, 3, 7].contains(&q) {
                q * 100 + 1
            } else {
                0
            }
        };
        let deltas: Vec<u64> = (0..10)
            .map(|q| {
                if fp(q) != 0 && q != 4 {
                    mix(q, fp(q)).wrapping_sub(MISSING_INPUT)
                } else {
                    0
                }
            })
            .collect();
        let f = Fenwick::from_values(&deltas);
        let q = PartitionSet::from_ranges([(0, 2), (3, 8)]);
        let want = input_fingerprint_of(q.iter().filter(|&x| x != 4).map(|x| (x, fp(x))));
        assert_eq!(input_fingerprint(&q, &valid, Some(&f)), want);
        // Nothing present: only the count matters.
        let none = input_fingerprint_of(q.iter().filter(|&x| x != 4).map(|x| (x, 0)));
        assert_eq!(input_fingerprint(&q, &valid, None), none);
        assert_ne!(none, want);
        assert_eq!(input_fingerprint_of([]), 1);
    }
}
