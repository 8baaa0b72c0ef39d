//! [`Mapping`]: which partitions of an upstream asset a downstream partition reads, and the inverse,
//! computed range by range (never partition by partition) for every structured kind.
//!
//! The kinds are those of the partitions contract (`SPEC.md`, "Partitions"). Every answer is
//! clipped to the upstream space `[0, n_up)` (and, for the inverse, the downstream space).

use crate::error::{self, PlannerError};

use super::product::{self, ProductDim};
use super::set::{push_range, PartitionSet};

/// A mapping from a downstream asset's partitions to the upstream partitions each one reads.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Mapping {
    /// Downstream `p` reads upstream `p`.
    Identity,
    /// Downstream `p` reads `[p + from, p + to]` (inclusive; `from <= to`).
    Window {
        /// Offset of the first partition read (negative: earlier).
        from: i64,
        /// Offset of the last partition read.
        to: i64,
    },
    /// Downstream `p` reads the fine range `[b[p], b[p + 1])`; `boundaries` has `n_down + 1` strictly
    /// ascending entries (a monthly asset reading a daily one).
    Coarsen {
        /// Fine index at which each coarse partition begins, plus the end of the last.
        boundaries: Vec<u64>,
    },
    /// Downstream `p` reads the coarse `q` with `b[q] <= p < b[q + 1]`; `boundaries` has `n_up + 1`
    /// strictly ascending entries (a daily asset reading its month).
    Refine {
        /// Fine (downstream) index at which each coarse (upstream) partition begins, plus the end.
        boundaries: Vec<u64>,
    },
    /// Every downstream partition reads every upstream partition.
    All,
    /// Every downstream partition reads upstream partition 0 (an unpartitioned upstream).
    Single,
    /// Per-dimension mappings of a product space (mixed radix, first dimension most significant).
    Product {
        /// The dimensions, in declared order.
        dims: Vec<ProductDim>,
    },
    /// A table: downstream `p` reads `upstream[p]` (results of a user function; small spaces).
    Explicit {
        /// The upstream set of each downstream index (`n_down` entries).
        upstream: Vec<PartitionSet>,
    },
}

fn strictly_ascending(b: &[u64]) -> Option<usize> {
    b.windows(2).position(|w| w[0] >= w[1])
}

/// Range of interval indices `q` (intervals `[b[q], b[q + 1])`, strictly ascending `b`) that meet
/// `[s, e)`. O(log |b|).
fn intervals_meeting(b: &[u64], s: u64, e: u64) -> (u64, u64) {
    if b.len() < 2 || s >= e {
        return (0, 0);
    }
    let nq = b.len() - 1;
    let lo = b.partition_point(|&x| x <= s).saturating_sub(1);
    let hi = b.partition_point(|&x| x < e).min(nq);
    (lo as u64, hi.max(lo) as u64)
}

/// `[b[s], b[e])` for interval indices `[s, e)` clipped to the table. O(1).
fn intervals_span(b: &[u64], s: u64, e: u64) -> (u64, u64) {
    if b.len() < 2 {
        return (0, 0);
    }
    let nq = (b.len() - 1) as u64;
    let (s, e) = (s.min(nq), e.min(nq));
    (b[s as usize], b[e as usize])
}

fn clip_i128(s: i128, e: i128, n: u64) -> (u64, u64) {
    let s = s.clamp(0, n as i128) as u64;
    let e = e.clamp(0, n as i128) as u64;
    (s, e.max(s))
}

impl Mapping {
    /// The kind's name, as the contract spells it (`identity`, `window`, ...).
    pub fn kind(&self) -> &'static str {
        match self {
            Mapping::Identity => "identity",
            Mapping::Window { .. } => "window",
            Mapping::Coarsen { .. } => "coarsen",
            Mapping::Refine { .. } => "refine",
            Mapping::All => "all",
            Mapping::Single => "single",
            Mapping::Product { .. } => "product",
            Mapping::Explicit { .. } => "explicit",
        }
    }

    /// Checks the mapping against a downstream space of `n_down` and an upstream space of `n_up`
    /// partitions. O(size of the mapping's tables).
    pub fn validate(&self, n_down: u64, n_up: u64) -> Result<(), PlannerError> {
        self.check(n_down, n_up)
            .map_err(|reason| error::invalid_mapping(None, self.kind(), &reason))
    }

    /// [`Self::validate`], naming the downstream asset and its dependency in the error.
    pub fn validate_for(
        &self,
        down: &str,
        up: &str,
        n_down: u64,
        n_up: u64,
    ) -> Result<(), PlannerError> {
        self.check(n_down, n_up)
            .map_err(|reason| error::invalid_mapping(Some((down, up)), self.kind(), &reason))
    }

    /// What is wrong, as the tail of the error message.
    pub(crate) fn check(&self, n_down: u64, n_up: u64) -> Result<(), String> {
        match self {
            Mapping::Identity | Mapping::All | Mapping::Single => Ok(()),
            Mapping::Window { from, to } => {
                if from > to {
                    Err(format!("the window's start offset ({from}) is after its end offset ({to}); give from <= to, e.g. from: -6, to: 0 for the last 7 partitions"))
                } else {
                    Ok(())
                }
            }
            Mapping::Coarsen { boundaries } | Mapping::Refine { boundaries } => {
                let (n, which) = match self {
                    Mapping::Coarsen { .. } => (n_down, "downstream"),
                    _ => (n_up, "upstream"),
                };
                if boundaries.len() as u64 != n.saturating_add(1) {
                    return Err(format!("{} boundaries given for {n} {which} partitions; give one boundary per {which} partition plus the end of the last ({} in all)", boundaries.len(), n.saturating_add(1)));
                }
                if let Some(i) = strictly_ascending(boundaries) {
                    return Err(format!("boundaries must be strictly ascending, but boundary #{} ({}) is not below boundary #{} ({}); every coarse partition covers at least one fine partition", i, boundaries[i], i + 1, boundaries[i + 1]));
                }
                Ok(())
            }
            Mapping::Product { dims } => product::check(dims, n_down, n_up),
            Mapping::Explicit { upstream } => {
                if upstream.len() as u64 != n_down {
                    return Err(format!("the table has {} entries for {n_down} downstream partitions; give one upstream set per downstream partition", upstream.len()));
                }
                for (p, set) in upstream.iter().enumerate() {
                    if let Some(m) = set.max().filter(|&m| m >= n_up) {
                        return Err(format!("downstream partition #{p} reads upstream partition #{m}, but the upstream asset has {n_up} partitions; return indices below {n_up}"));
                    }
                }
                Ok(())
            }
        }
    }

    /// The upstream partitions downstream partition `p` reads, within `[0, n_up)`.
    pub fn upstream_of(&self, p: u64, n_up: u64) -> PartitionSet {
        self.upstream_of_set(&PartitionSet::range(p, p.saturating_add(1)), n_up)
    }

    /// The upstream partitions any partition of `set` reads: `⋃_{p ∈ set} upstream_of(p)`.
    /// O(ranges of `set`) (times log of the boundaries, or the dimensions for products, plus the
    /// output); `explicit`: O(indices of `set`).
    pub fn upstream_of_set(&self, set: &PartitionSet, n_up: u64) -> PartitionSet {
        let mut out = Vec::with_capacity(set.range_count());
        match self {
            Mapping::Identity => return set.clip(n_up),
            Mapping::Window { from, to } => {
                for (s, e) in set.iter_ranges() {
                    let (a, b) =
                        clip_i128(s as i128 + *from as i128, e as i128 + *to as i128, n_up);
                    push_range(&mut out, a, b);
                }
            }
            Mapping::Coarsen { boundaries } => {
                for (s, e) in set.iter_ranges() {
                    let (a, b) = intervals_span(boundaries, s, e);
                    push_range(&mut out, a, b.min(n_up));
                }
            }
            Mapping::Refine { boundaries } => {
                for (s, e) in set.iter_ranges() {
                    let (a, b) = intervals_meeting(boundaries, s, e);
                    push_range(&mut out, a, b.min(n_up));
                }
            }
            Mapping::All if !set.is_empty() => return PartitionSet::full(n_up),
            Mapping::Single if !set.is_empty() => return PartitionSet::full(n_up.min(1)),
            Mapping::All | Mapping::Single => {}
            Mapping::Product { dims } => return product::upstream_of_set(dims, set, n_up),
            Mapping::Explicit { upstream } => {
                let all = set
                    .clip(upstream.len() as u64)
                    .iter()
                    .flat_map(|p| {
                        upstream[p as usize]
                            .clip(n_up)
                            .iter_ranges()
                            .collect::<Vec<_>>()
                    })
                    .collect::<Vec<_>>();
                return PartitionSet::from_ranges(all);
            }
        }
        PartitionSet::from_sorted(out)
    }

    /// The downstream partitions (within `[0, n_down)`) that read some partition of `set` (taken
    /// within `[0, n_up)`): the inverse of [`Self::upstream_of_set`]. Same costs, except
    /// `explicit`: O(size of the table).
    pub fn downstream_of_set(&self, set: &PartitionSet, n_down: u64, n_up: u64) -> PartitionSet {
        let set = set.clip(n_up);
        let mut out = Vec::with_capacity(set.range_count());
        match self {
            Mapping::Identity => return set.clip(n_down),
            Mapping::Window { from, to } => {
                for (s, e) in set.iter_ranges() {
                    let (a, b) =
                        clip_i128(s as i128 - *to as i128, e as i128 - *from as i128, n_down);
                    push_range(&mut out, a, b);
                }
            }
            Mapping::Coarsen { boundaries } => {
                for (s, e) in set.iter_ranges() {
                    let (a, b) = intervals_meeting(boundaries, s, e);
                    push_range(&mut out, a, b.min(n_down));
                }
            }
            Mapping::Refine { boundaries } => {
                for (s, e) in set.iter_ranges() {
                    let (a, b) = intervals_span(boundaries, s, e);
                    push_range(&mut out, a, b.min(n_down));
                }
            }
            Mapping::All if !set.is_empty() => return PartitionSet::full(n_down),
            Mapping::Single if set.contains(0) => return PartitionSet::full(n_down),
            Mapping::All | Mapping::Single => {}
            Mapping::Product { dims } => {
                return product::downstream_of_set(dims, &set, n_down, n_up)
            }
            Mapping::Explicit { upstream } => {
                for (p, up) in upstream
                    .iter()
                    .enumerate()
                    .take(n_down.min(usize::MAX as u64) as usize)
                {
                    if up.iter_ranges().any(|(s, e)| set.intersects_range(s, e)) {
                        push_range(&mut out, p as u64, p as u64 + 1);
                    }
                }
            }
        }
        PartitionSet::from_sorted(out)
    }
}

#[cfg(test)]
#[path = "mapping_tests.rs"]
pub(crate) mod tests;
