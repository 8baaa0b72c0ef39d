//! Mappings against the contract's table read key by key, on small random spaces.

use std::collections::BTreeSet;

use proptest::collection::vec;
use proptest::prelude::*;

use super::super::product::ProductDim;
use super::Mapping;
use crate::error::ErrorCode;
use crate::partitions::PartitionSet;

/// The contract's definition of "upstream of p", one index at a time.
pub(crate) fn reference_upstream(m: &Mapping, p: u64, n_up: u64) -> BTreeSet<u64> {
    let within =
        |it: &mut dyn Iterator<Item = u64>| it.filter(|&q| q < n_up).collect::<BTreeSet<_>>();
    match m {
        Mapping::Identity => within(&mut std::iter::once(p)),
        Mapping::Window { from, to } => within(
            &mut (*from..=*to)
                .map(|o| p as i64 + o)
                .filter(|&q| q >= 0)
                .map(|q| q as u64),
        ),
        Mapping::Coarsen { boundaries: b } => match (b.get(p as usize), b.get(p as usize + 1)) {
            (Some(&s), Some(&e)) => within(&mut (s..e)),
            _ => BTreeSet::new(),
        },
        Mapping::Refine { boundaries: b } => within(
            &mut (0..b.len().saturating_sub(1) as u64)
                .filter(|&q| b[q as usize] <= p && p < b[q as usize + 1]),
        ),
        Mapping::All => within(&mut (0..n_up)),
        Mapping::Single => within(&mut std::iter::once(0)),
        Mapping::Explicit { upstream } => match upstream.get(p as usize) {
            Some(s) => within(&mut s.iter()),
            None => BTreeSet::new(),
        },
        Mapping::Product { dims } => {
            let mut digits = Vec::new();
            let mut rest = p;
            for d in dims.iter().rev() {
                digits.push(rest % d.down_size.max(1));
                rest /= d.down_size.max(1);
            }
            digits.reverse();
            let mut acc: Vec<u64> = vec![0];
            for (d, &digit) in dims.iter().zip(&digits) {
                let ups = reference_upstream(&d.mapping, digit, d.up_size);
                acc = acc
                    .iter()
                    .flat_map(|&a| ups.iter().map(move |&u| a * d.up_size + u))
                    .collect();
            }
            within(&mut acc.into_iter())
        }
    }
}

fn ascending(start: u64, steps: &[u64], len: usize) -> Vec<u64> {
    let mut b = vec![start];
    for i in 0..len.saturating_sub(1) {
        let last = b[b.len() - 1];
        b.push(last + 1 + steps.get(i).copied().unwrap_or(0) % 3);
    }
    b
}

/// A random non-product mapping valid for `(n_down, n_up)`, from a tape of numbers.
pub(crate) fn simple_mapping(t: &[u64], n_down: u64, n_up: u64) -> Mapping {
    let pick = |i: usize| t.get(i).copied().unwrap_or(0);
    match pick(0) % 7 {
        0 => Mapping::Identity,
        1 => {
            let a = (pick(1) % 9) as i64 - 4;
            let b = (pick(2) % 9) as i64 - 4;
            Mapping::Window {
                from: a.min(b),
                to: a.max(b),
            }
        }
        2 => Mapping::Coarsen {
            boundaries: ascending(pick(3) % 3, &t[4.min(t.len())..], n_down as usize + 1),
        },
        3 => Mapping::Refine {
            boundaries: ascending(pick(3) % 3, &t[4.min(t.len())..], n_up as usize + 1),
        },
        4 => Mapping::All,
        5 => Mapping::Single,
        _ => Mapping::Explicit {
            upstream: (0..n_down)
                .map(|p| {
                    let x = pick(5 + p as usize);
                    if n_up == 0 {
                        PartitionSet::new()
                    } else {
                        PartitionSet::from_ranges([
                            (x % n_up, x % n_up + (x / 7) % 3),
                            ((x / 3) % n_up, (x / 3) % n_up + 1),
                        ])
                        .clip(n_up)
                    }
                })
                .collect(),
        },
    }
}

/// A random mapping with its space sizes: a simple one, or a product of 2 or 3 simple ones.
pub(crate) fn mapping_strategy() -> impl Strategy<Value = (Mapping, u64, u64)> {
    (vec(0..1000u64, 40), 0..3usize).prop_map(|(t, shape)| {
        if shape == 0 {
            let (nd, nu) = (t[30] % 12, t[31] % 12);
            let nu = if t[0] % 7 == 5 { 1 } else { nu };
            (simple_mapping(&t, nd, nu), nd, nu)
        } else {
            let dims: Vec<ProductDim> = (0..=shape)
                .map(|j| {
                    let tj = &t[j * 9..];
                    let (nd, nu) = (1 + tj[7] % 4, 1 + tj[8] % 4);
                    let nu = if tj[0] % 7 == 5 { 1 } else { nu };
                    ProductDim {
                        mapping: simple_mapping(tj, nd, nu),
                        down_size: nd,
                        up_size: nu,
                    }
                })
                .collect();
            let nd = dims.iter().map(|d| d.down_size).product();
            let nu = dims.iter().map(|d| d.up_size).product();
            (Mapping::Product { dims }, nd, nu)
        }
    })
}

fn set_of(bits: u64, n: u64) -> PartitionSet {
    PartitionSet::from_ranges(
        (0..n.min(64))
            .filter(|i| bits >> i & 1 == 1)
            .map(|i| (i, i + 1)),
    )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 3000, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn mappings_match_the_contract((m, nd, nu) in mapping_strategy(), bits in any::<u64>(), ubits in any::<u64>()) {
        prop_assert!(m.validate(nd, nu).is_ok(), "generated mapping valid: {:?}", m.validate(nd, nu));
        // upstream_of(p) is the contract's definition.
        for p in 0..nd {
            let got: BTreeSet<u64> = m.upstream_of(p, nu).iter().collect();
            prop_assert_eq!(got, reference_upstream(&m, p, nu), "upstream of {}", p);
        }
        // upstream_of_set(S) = ⋃ upstream_of(p).
        let s = set_of(bits, nd);
        let want: BTreeSet<u64> = s.iter().flat_map(|p| reference_upstream(&m, p, nu)).collect();
        prop_assert_eq!(m.upstream_of_set(&s, nu).iter().collect::<BTreeSet<_>>(), want);
        // q ∈ upstream_of(p) ⟺ p ∈ downstream_of_set({q}).
        for q in 0..nu {
            let down = m.downstream_of_set(&PartitionSet::range(q, q + 1), nd, nu);
            for p in 0..nd {
                prop_assert_eq!(reference_upstream(&m, p, nu).contains(&q), down.contains(p), "p {} q {}", p, q);
            }
            prop_assert!(down.max().is_none_or(|x| x < nd));
        }
        // downstream_of_set(U) = { p : upstream_of(p) ∩ U ≠ ∅ }.
        let u = set_of(ubits, nu);
        let want: BTreeSet<u64> = (0..nd).filter(|&p| reference_upstream(&m, p, nu).iter().any(|q| u.contains(*q))).collect();
        prop_assert_eq!(m.downstream_of_set(&u, nd, nu).iter().collect::<BTreeSet<_>>(), want);
    }
}

#[test]
fn huge_spaces_map_by_ranges() {
    let n = 10_000_000u64;
    let w = Mapping::Window { from: -6, to: 0 };
    let s = PartitionSet::from_ranges([(0, 10), (5_000_000, n)]);
    assert_eq!(
        w.upstream_of_set(&s, n).ranges(),
        &[(0, 10), (4_999_994, n)]
    );
    assert_eq!(
        w.downstream_of_set(&PartitionSet::range(100, 101), n, n)
            .ranges(),
        &[(100, 107)]
    );
    assert_eq!(Mapping::All.upstream_of(0, n).ranges(), &[(0, n)]);
    assert_eq!(
        Mapping::All
            .downstream_of_set(&PartitionSet::range(3, 4), 1, n)
            .ranges(),
        &[(0, 1)]
    );
    assert_eq!(
        Mapping::Single
            .downstream_of_set(&PartitionSet::full(1), n, 1)
            .ranges(),
        &[(0, n)]
    );
    // 10M days grouped by 30: boundaries are a table, but lookups are binary searches.
    let b: Vec<u64> = (0..=n / 30).map(|i| i * 30).collect();
    let months = n / 30;
    let c = Mapping::Coarsen {
        boundaries: b.clone(),
    };
    assert_eq!(c.upstream_of(2, n).ranges(), &[(60, 90)]);
    assert_eq!(
        c.downstream_of_set(&PartitionSet::range(59, 61), months, n)
            .ranges(),
        &[(1, 3)]
    );
    let r = Mapping::Refine { boundaries: b };
    assert_eq!(r.upstream_of(61, months).ranges(), &[(2, 3)]);
    assert_eq!(
        r.downstream_of_set(&PartitionSet::range(2, 3), n, months)
            .ranges(),
        &[(60, 90)]
    );
    // A product of 1M days × 10 regions: one day across every region is one range.
    let p = Mapping::Product {
        dims: vec![
            ProductDim {
                mapping: Mapping::Window { from: -1, to: 0 },
                down_size: 1_000_000,
                up_size: 1_000_000,
            },
            ProductDim {
                mapping: Mapping::All,
                down_size: 1,
                up_size: 10,
            },
        ],
    };
    assert!(p.validate(1_000_000, 10_000_000).is_ok());
    assert_eq!(p.upstream_of(5, 10_000_000).ranges(), &[(40, 60)]);
    assert_eq!(
        p.upstream_of_set(&PartitionSet::full(1_000_000), 10_000_000)
            .ranges(),
        &[(0, 10_000_000)]
    );
}

#[test]
fn invalid_mappings_say_what_to_fix() {
    let cases: Vec<(Mapping, u64, u64)> = vec![
        (Mapping::Window { from: 3, to: 1 }, 10, 10),
        (
            Mapping::Coarsen {
                boundaries: vec![0, 31, 59],
            },
            3,
            90,
        ),
        (
            Mapping::Refine {
                boundaries: vec![0, 31, 31, 90],
            },
            90,
            3,
        ),
        (
            Mapping::Explicit {
                upstream: vec![PartitionSet::range(0, 1)],
            },
            2,
            5,
        ),
        (
            Mapping::Explicit {
                upstream: vec![PartitionSet::range(4, 6)],
            },
            1,
            5,
        ),
        (
            Mapping::Product {
                dims: vec![ProductDim {
                    mapping: Mapping::Identity,
                    down_size: 3,
                    up_size: 3,
                }],
            },
            4,
            3,
        ),
        (
            Mapping::Product {
                dims: vec![ProductDim {
                    mapping: Mapping::Window { from: 1, to: 0 },
                    down_size: 3,
                    up_size: 3,
                }],
            },
            3,
            3,
        ),
        (Mapping::Product { dims: vec![] }, 1, 1),
    ];
    let messages: Vec<String> = cases
        .iter()
        .map(|(m, nd, nu)| {
            let e = m.validate(*nd, *nu).expect_err("invalid");
            assert_eq!(e.code, ErrorCode::InvalidMapping);
            e.message
        })
        .collect();
    insta::assert_snapshot!(messages.join("\n"));
    let named = Mapping::Window { from: 1, to: 0 }
        .validate_for("features/rolling", "events/daily", 5, 5)
        .expect_err("invalid");
    assert_eq!(
        named.keys,
        vec!["features/rolling".to_owned(), "events/daily".to_owned()]
    );
    insta::assert_snapshot!(named.message);
}
