//! The partitioned planner against the key-by-key reference of `state_reference.rs`: statuses,
//! causes, counts, status runs, input fingerprints, status changes and plans, after a bulk load and
//! after each random update.

use std::collections::{BTreeMap, BTreeSet};

use proptest::collection::vec;
use proptest::prelude::*;

use super::*;
use crate::hash::fingerprint;
use crate::partitions::input_fingerprint_of;
use crate::partitions::state_reference::*;

fn check_all(
    m: &Model,
    pl: &PartitionedPlanner,
    t: &mut impl Iterator<Item = u64>,
) -> Result<(), TestCaseError> {
    for v in 0..m.n.len() {
        let id = v as u32;
        let mut counts = [0u64; 3];
        for p in 0..m.n[v] {
            let want = m.valid[v].contains(&p).then(|| m.status(v, p));
            prop_assert_eq!(
                pl.status(id, p).expect("status"),
                want,
                "status of a{} #{}",
                v,
                p
            );
            if let Some(s) = want {
                counts[s as usize] += 1;
                prop_assert_eq!(
                    pl.causes(id, p).expect("causes"),
                    m.causes(v, p),
                    "causes of a{} #{}",
                    v,
                    p
                );
            }
            for (j, (u, _)) in m.deps[v].iter().enumerate() {
                let snap = m.snapshot(v, j, p);
                let want = input_fingerprint_of(
                    snap.iter()
                        .map(|(q, h)| (*q, h.map_or(0, |h| fingerprint(&h)))),
                );
                prop_assert_eq!(pl.input_fingerprint(id, p, *u as u32).expect("input"), want);
            }
        }
        // The roll-up over every partition, and over a random window, as a reader of them records.
        let a = t.next().unwrap_or(0) % (m.n[v] + 1);
        let b = t.next().unwrap_or(0) % (m.n[v] + 1);
        for (lo, hi) in [(0, m.n[v]), (a.min(b), a.max(b))] {
            let want = input_fingerprint_of(
                (lo..hi)
                    .filter(|q| m.valid[v].contains(q))
                    .map(|q| (q, m.recs.get(&(v, q)).map_or(0, |r| fingerprint(&r.data)))),
            );
            prop_assert_eq!(
                pl.data_fingerprint(id, &PartitionSet::range(lo, hi))
                    .expect("fingerprint"),
                want,
                "data fingerprint of a{} over [{}, {})",
                v,
                lo,
                hi
            );
        }
        let s = pl.summary(id).expect("summary");
        prop_assert_eq!(
            s,
            StatusSummary {
                total: m.valid[v].len() as u64,
                missing: counts[0],
                stale: counts[1],
                fresh: counts[2]
            }
        );
        // Runs of a random window.
        let a = t.next().unwrap_or(0) % (m.n[v] + 1);
        let b = t.next().unwrap_or(0) % (m.n[v] + 1);
        let runs = pl
            .statuses(id, &PartitionSet::range(a.min(b), a.max(b)))
            .expect("runs");
        let mut expanded = Vec::new();
        for w in runs.windows(2) {
            prop_assert!(
                w[0].1 < w[1].0 || w[0].2 != w[1].2,
                "runs merged: {:?}",
                runs
            );
        }
        for (s, e, st) in runs {
            expanded.extend((s..e).map(|p| (p, st)));
        }
        let want: Vec<(u64, u8)> = (a.min(b)..a.max(b))
            .filter(|p| m.valid[v].contains(p))
            .map(|p| (p, m.status(v, p)))
            .collect();
        prop_assert_eq!(expanded, want);
    }
    Ok(())
}

fn check_plan(
    m: &Model,
    pl: &PartitionedPlanner,
    t: &mut impl Iterator<Item = u64>,
) -> Result<(), TestCaseError> {
    let mut next = || t.next().unwrap_or(0);
    let na = m.n.len();
    let sel: BTreeSet<usize> = (0..na).filter(|_| next() % 4 != 0).collect();
    let mut ranges = BTreeMap::new();
    for &v in &sel {
        if next() % 3 == 0 {
            let (a, b) = (next() % (m.n[v] + 1), next() % (m.n[v] + 1));
            ranges.insert(v, (a.min(b), a.max(b)));
        }
    }
    let force = next() % 5 == 0;
    let ids: Vec<u32> = sel.iter().map(|&v| v as u32).collect();
    let rs: Vec<(u32, PartitionSet)> = ranges
        .iter()
        .map(|(&v, &(s, e))| (v as u32, PartitionSet::range(s, e)))
        .collect();
    let got = pl.plan(&ids, &rs, force).expect("plan");
    prop_assert_eq!(
        got,
        reference_plan(m, pl, &sel, &ranges, force),
        "plan of {:?} ranges {:?} force {}",
        sel,
        ranges,
        force
    );
    Ok(())
}

fn run(tape: Vec<u64>) -> Result<(), TestCaseError> {
    let mut t = tape.into_iter().chain(std::iter::repeat(0));
    let (mut m, mut pl) = build(&mut t);
    let count = (t.next().unwrap_or(0) % 30) as usize;
    let recs = random_records(&mut m, count, &mut t);
    let b = batch(&recs);
    pl.load_records(&b.view()).expect("load");
    check_all(&m, &pl, &mut t)?;
    check_plan(&m, &pl, &mut t)?;
    for _ in 0..6 {
        let before = m.all_statuses();
        match t.next().unwrap_or(0) % 4 {
            0 => {
                let v = (t.next().unwrap_or(0) % m.n.len() as u64) as usize;
                let config = t.next().unwrap_or(0) % 2 == 0;
                let h = pool(
                    if config { "config" } else { "code" },
                    t.next().unwrap_or(0) % 3,
                );
                if config {
                    m.config[v] = h;
                } else {
                    m.code[v] = h;
                }
                pl.set_versions(&[v as u32], &h, config).expect("versions");
            }
            _ => {
                let count = 1 + (t.next().unwrap_or(0) % 3) as usize;
                let recs = random_records(&mut m, count, &mut t);
                let b = batch(&recs);
                let changed = pl.apply_records(&b.view()).expect("apply");
                let after = m.all_statuses();
                let mut want: BTreeMap<u32, BTreeSet<u64>> = BTreeMap::new();
                for (k, s) in &after {
                    if before.get(k) != Some(s) {
                        want.entry(k.0 as u32).or_default().insert(k.1);
                    }
                }
                let got: BTreeMap<u32, BTreeSet<u64>> = changed
                    .iter()
                    .map(|(e, s)| (e.0, s.iter().collect()))
                    .collect();
                prop_assert_eq!(
                    got,
                    want,
                    "status changes of {:?}",
                    recs.iter().map(|r| r.0).collect::<Vec<_>>()
                );
            }
        }
        check_all(&m, &pl, &mut t)?;
        check_plan(&m, &pl, &mut t)?;
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 1500, failure_persistence: None, max_shrink_iters: 4096, ..ProptestConfig::default() })]

    #[test]
    fn matches_the_key_by_key_reference(tape in vec(0..1_000_000u64, 0..900)) {
        run(tape)?;
    }
}
