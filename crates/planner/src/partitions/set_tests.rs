//! `PartitionSet` against `BTreeSet<u64>` as the reference, operation by operation.

use std::collections::BTreeSet;

use proptest::collection::vec;
use proptest::prelude::*;

use super::PartitionSet;

const U: u64 = 160;

fn expand(ranges: &[(u64, u64)]) -> BTreeSet<u64> {
    ranges.iter().flat_map(|&(s, e)| s..e).collect()
}

fn to_btree(s: &PartitionSet) -> BTreeSet<u64> {
    s.iter().collect()
}

fn assert_normal(s: &PartitionSet) {
    for w in s.ranges().windows(2) {
        assert!(w[0].1 < w[1].0, "ranges disjoint and non-adjacent: {s:?}");
    }
    for r in s.ranges() {
        assert!(r.0 < r.1, "no empty range: {s:?}");
    }
}

fn ranges_strategy() -> impl Strategy<Value = Vec<(u64, u64)>> {
    vec((0..U, 0..U), 0..8).prop_map(|v| v.into_iter().map(|(a, b)| (a, a + b % 20)).collect())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn matches_btreeset(a in ranges_strategy(), b in ranges_strategy(), probe in 0..U + 25, n in 0..U + 25) {
        let sa = PartitionSet::from_ranges(a.iter().copied());
        let sb = PartitionSet::from_ranges(b.iter().copied());
        let (ra, rb) = (expand(&a), expand(&b));
        assert_normal(&sa);
        prop_assert_eq!(to_btree(&sa), ra.clone());
        prop_assert_eq!(sa.len(), ra.len() as u64);
        prop_assert_eq!(sa.is_empty(), ra.is_empty());
        prop_assert_eq!(sa.min(), ra.first().copied());
        prop_assert_eq!(sa.max(), ra.last().copied());
        prop_assert_eq!(sa.contains(probe), ra.contains(&probe));

        let u = sa.union(&sb);
        assert_normal(&u);
        prop_assert_eq!(to_btree(&u), ra.union(&rb).copied().collect::<BTreeSet<_>>());
        let i = sa.intersection(&sb);
        assert_normal(&i);
        prop_assert_eq!(to_btree(&i), ra.intersection(&rb).copied().collect::<BTreeSet<_>>());
        let d = sa.difference(&sb);
        assert_normal(&d);
        prop_assert_eq!(to_btree(&d), ra.difference(&rb).copied().collect::<BTreeSet<_>>());
        let c = sa.complement_within(n);
        assert_normal(&c);
        prop_assert_eq!(to_btree(&c), (0..n).filter(|x| !ra.contains(x)).collect::<BTreeSet<_>>());
        let cl = sa.clip(n);
        assert_normal(&cl);
        prop_assert_eq!(to_btree(&cl), ra.iter().copied().filter(|&x| x < n).collect::<BTreeSet<_>>());
        let (p, q) = (probe.min(n), probe.max(n));
        prop_assert_eq!(sa.intersects_range(p, q), (p..q).any(|x| ra.contains(&x)));
        // Range count: the number of maximal runs.
        let runs = ra.iter().filter(|&&x| x == 0 || !ra.contains(&(x - 1))).count();
        prop_assert_eq!(sa.range_count(), runs);
    }

    #[test]
    fn insert_and_remove_match_btreeset(ops in vec((any::<bool>(), 0..U, 0..30u64), 0..30)) {
        let mut s = PartitionSet::new();
        let mut r = BTreeSet::new();
        for (add, start, len) in ops {
            if add {
                s.insert_range(start, start + len);
                r.extend(start..start + len);
            } else {
                s.remove_range(start, start + len);
                for x in start..start + len {
                    r.remove(&x);
                }
            }
            assert_normal(&s);
            prop_assert_eq!(to_btree(&s), r.clone());
        }
    }
}

#[test]
fn huge_ranges_stay_ranges() {
    let ten_m = 10_000_000;
    let full = PartitionSet::full(ten_m);
    assert_eq!(full.len(), ten_m);
    assert_eq!(full.range_count(), 1);
    assert!(full.heap_bytes() <= 64);
    let mut s = full.clone();
    s.remove_range(5, 6);
    s.remove_range(9_000_000, 9_500_000);
    assert_eq!(s.len(), ten_m - 1 - 500_000);
    assert_eq!(s.ranges(), &[(0, 5), (6, 9_000_000), (9_500_000, ten_m)]);
    let c = s.complement_within(ten_m + 3);
    assert_eq!(
        c.ranges(),
        &[(5, 6), (9_000_000, 9_500_000), (ten_m, ten_m + 3)]
    );
    assert_eq!(s.union(&c), PartitionSet::full(ten_m + 3));
    assert!(s.intersection(&c).is_empty());
    assert_eq!(full.difference(&s), c.clip(ten_m));
    s.insert_range(0, ten_m);
    assert_eq!(s, full);
    assert!(s.contains(ten_m - 1) && !s.contains(ten_m));
    // Near the top of u64.
    let top = PartitionSet::range(u64::MAX - 3, u64::MAX);
    assert_eq!(top.len(), 3);
    assert_eq!(top.max(), Some(u64::MAX - 1));
}

#[test]
fn insert_single_and_touching_ranges_merge() {
    let mut s = PartitionSet::new();
    s.insert(3);
    s.insert(5);
    assert_eq!(s.ranges(), &[(3, 4), (5, 6)]);
    s.insert(4);
    assert_eq!(s.ranges(), &[(3, 6)]);
    assert_eq!(
        PartitionSet::from_ranges([(5, 7), (0, 2), (2, 5), (9, 9)]).ranges(),
        &[(0, 7)]
    );
}
