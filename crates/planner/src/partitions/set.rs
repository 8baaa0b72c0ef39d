//! [`PartitionSet`]: a set of partition indices (`u64`) as sorted, disjoint, non-adjacent half-open
//! ranges `[start, end)`. A contiguous range of any length is one range (16 bytes), so a 10M-day
//! time range costs nothing; set operations merge the range lists in linear time and never expand
//! ranges into indices.

/// A set of partition indices as sorted, disjoint, non-adjacent ranges `[start, end)`.
///
/// Invariant: for consecutive ranges `a`, `b`: `a.0 < a.1 < b.0` (touching ranges are merged).
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct PartitionSet {
    ranges: Vec<(u64, u64)>,
}

/// Appends `[s, e)` to a sorted range list whose last range starts at or before `s`, merging when
/// it touches or overlaps the last range. O(1).
#[inline]
pub(crate) fn push_range(out: &mut Vec<(u64, u64)>, s: u64, e: u64) {
    if s >= e {
        return;
    }
    if let Some(last) = out.last_mut() {
        if s <= last.1 {
            if e > last.1 {
                last.1 = e;
            }
            return;
        }
    }
    out.push((s, e));
}

impl PartitionSet {
    /// The empty set.
    pub fn new() -> PartitionSet {
        PartitionSet { ranges: Vec::new() }
    }

    /// Every index of a space of size `n`: `[0, n)`. O(1).
    pub fn full(n: u64) -> PartitionSet {
        PartitionSet::range(0, n)
    }

    /// The indices `[start, end)` (empty when `start >= end`). O(1).
    pub fn range(start: u64, end: u64) -> PartitionSet {
        let mut ranges = Vec::new();
        push_range(&mut ranges, start, end);
        PartitionSet { ranges }
    }

    /// A set from ranges in any order, possibly empty, overlapping or touching: normalised.
    /// O(r log r); O(r) when the ranges come sorted by start.
    pub fn from_ranges<I: IntoIterator<Item = (u64, u64)>>(ranges: I) -> PartitionSet {
        let mut v: Vec<(u64, u64)> = ranges.into_iter().filter(|r| r.0 < r.1).collect();
        if !v.windows(2).all(|w| w[0].0 <= w[1].0) {
            v.sort_unstable();
        }
        let mut out = Vec::with_capacity(v.len());
        for (s, e) in v {
            push_range(&mut out, s, e);
        }
        PartitionSet { ranges: out }
    }

    /// A set from range boundaries already sorted by start (merged where they touch). O(r).
    pub(crate) fn from_sorted(ranges: Vec<(u64, u64)>) -> PartitionSet {
        debug_assert!(ranges.windows(2).all(|w| w[0].1 < w[1].0));
        PartitionSet { ranges }
    }

    /// Adds `[start, end)`. O(log r) to find the place, plus the ranges it absorbs and the shift.
    pub fn insert_range(&mut self, start: u64, end: u64) {
        if start >= end {
            return;
        }
        // First range that ends at or after `start` (it may touch), last that starts at or before `end`.
        let lo = self.ranges.partition_point(|r| r.1 < start);
        let hi = self.ranges.partition_point(|r| r.0 <= end);
        if lo == hi {
            self.ranges.insert(lo, (start, end));
            return;
        }
        let s = start.min(self.ranges[lo].0);
        let e = end.max(self.ranges[hi - 1].1);
        self.ranges.splice(lo..hi, std::iter::once((s, e)));
    }

    /// Adds one index. O(log r) plus the shift.
    pub fn insert(&mut self, index: u64) {
        self.insert_range(index, index.saturating_add(1));
    }

    /// Removes `[start, end)`. O(log r) plus the ranges it drops and the shift.
    pub fn remove_range(&mut self, start: u64, end: u64) {
        if start >= end {
            return;
        }
        // Ranges that overlap `[start, end)` strictly (touching ones are unaffected).
        let lo = self.ranges.partition_point(|r| r.1 <= start);
        let hi = self.ranges.partition_point(|r| r.0 < end);
        if lo >= hi {
            return;
        }
        let first = self.ranges[lo];
        let last = self.ranges[hi - 1];
        let keep = [
            (first.0 < start).then_some((first.0, start)),
            (last.1 > end).then_some((end, last.1)),
        ];
        self.ranges.splice(lo..hi, keep.into_iter().flatten());
    }

    /// Whether `index` is in the set. O(log r).
    pub fn contains(&self, index: u64) -> bool {
        let i = self.ranges.partition_point(|r| r.1 <= index);
        i < self.ranges.len() && self.ranges[i].0 <= index
    }

    /// Number of indices in the set. O(r).
    pub fn len(&self) -> u64 {
        self.ranges.iter().map(|r| r.1 - r.0).sum()
    }

    /// Number of ranges. O(1).
    pub fn range_count(&self) -> usize {
        self.ranges.len()
    }

    /// Whether the set is empty. O(1).
    pub fn is_empty(&self) -> bool {
        self.ranges.is_empty()
    }

    /// The ranges `[start, end)`, ascending.
    pub fn iter_ranges(
        &self,
    ) -> impl DoubleEndedIterator<Item = (u64, u64)> + ExactSizeIterator + '_ {
        self.ranges.iter().copied()
    }

    /// The ranges as a slice.
    pub fn ranges(&self) -> &[(u64, u64)] {
        &self.ranges
    }

    /// Every index, ascending (expands the ranges: for small sets and tests).
    pub fn iter(&self) -> impl Iterator<Item = u64> + '_ {
        self.ranges.iter().flat_map(|&(s, e)| s..e)
    }

    /// Smallest index. O(1).
    pub fn min(&self) -> Option<u64> {
        self.ranges.first().map(|r| r.0)
    }

    /// Largest index. O(1).
    pub fn max(&self) -> Option<u64> {
        self.ranges.last().map(|r| r.1 - 1)
    }

    /// Bytes held on the heap (capacity).
    pub fn heap_bytes(&self) -> usize {
        self.ranges.capacity() * std::mem::size_of::<(u64, u64)>()
    }

    /// Indices in either set. O(r1 + r2).
    pub fn union(&self, other: &PartitionSet) -> PartitionSet {
        let (a, b) = (&self.ranges, &other.ranges);
        let mut out = Vec::with_capacity(a.len() + b.len());
        let (mut i, mut j) = (0, 0);
        while i < a.len() || j < b.len() {
            let take_a = j >= b.len() || (i < a.len() && a[i].0 <= b[j].0);
            let r = if take_a {
                i += 1;
                a[i - 1]
            } else {
                j += 1;
                b[j - 1]
            };
            push_range(&mut out, r.0, r.1);
        }
        PartitionSet { ranges: out }
    }

    /// Indices in both sets. O(r1 + r2).
    pub fn intersection(&self, other: &PartitionSet) -> PartitionSet {
        let (a, b) = (&self.ranges, &other.ranges);
        let mut out = Vec::new();
        let (mut i, mut j) = (0, 0);
        while i < a.len() && j < b.len() {
            let s = a[i].0.max(b[j].0);
            let e = a[i].1.min(b[j].1);
            if s < e {
                out.push((s, e));
            }
            if a[i].1 < b[j].1 {
                i += 1;
            } else {
                j += 1;
            }
        }
        PartitionSet { ranges: out }
    }

    /// Indices of `self` not in `other`. O(r1 + r2).
    pub fn difference(&self, other: &PartitionSet) -> PartitionSet {
        let b = &other.ranges;
        let mut out = Vec::with_capacity(self.ranges.len());
        let mut j = 0;
        for &(s0, e) in &self.ranges {
            let mut s = s0;
            while j < b.len() && b[j].1 <= s {
                j += 1;
            }
            let mut k = j;
            while s < e && k < b.len() && b[k].0 < e {
                if b[k].0 > s {
                    out.push((s, b[k].0));
                }
                s = s.max(b[k].1);
                k += 1;
            }
            if s < e {
                out.push((s, e));
            }
        }
        PartitionSet { ranges: out }
    }

    /// Indices of `[0, n)` not in the set. O(r).
    pub fn complement_within(&self, n: u64) -> PartitionSet {
        PartitionSet::full(n).difference(self)
    }

    /// The set clipped to `[0, n)`. O(log r) plus the copy.
    pub fn clip(&self, n: u64) -> PartitionSet {
        let k = self.ranges.partition_point(|r| r.0 < n);
        let mut ranges = self.ranges[..k].to_vec();
        if let Some(last) = ranges.last_mut() {
            last.1 = last.1.min(n);
        }
        PartitionSet { ranges }
    }

    /// Whether the set and `[start, end)` share an index. O(log r).
    pub fn intersects_range(&self, start: u64, end: u64) -> bool {
        let i = self.ranges.partition_point(|r| r.1 <= start);
        start < end && i < self.ranges.len() && self.ranges[i].0 < end
    }
}

#[cfg(test)]
#[path = "set_tests.rs"]
mod tests;
