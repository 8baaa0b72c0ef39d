//! Partitioned planning at scale, through the public API: a daily source of 1M partitions, a 7-day
//! rolling feature, a monthly rollup and a model reading every partition. Checks answers (early
//! cutoff, window propagation, plans by ranges) and prints the timings the issue's targets name;
//! the timing targets themselves are the benchmark harness's job.

use std::time::Instant;

use rivers_planner::hash::{hash_fields, Field};
use rivers_planner::partitions::{
    Mapping, PartitionRecordBatch, PartitionSet, PartitionSpec, PartitionedPlanner, StatusSummary,
};
use rivers_planner::{ExtId, Graph, FRESH, MISSING, STALE};

const N: u64 = 1_000_000;
const EVENTS: u32 = 0;
const ROLLING: u32 = 1;
const MONTHLY: u32 = 2;
const MODEL: u32 = 3;

fn h(domain: &str, i: u64) -> [u8; 16] {
    hash_fields("test", &[Field::Str(domain), Field::Str(&i.to_string())])
}

fn planner() -> PartitionedPlanner {
    let graph = Graph::from_keyed(
        &[
            ("events", &[]),
            ("rolling", &["events"]),
            ("monthly", &["events"]),
            ("model", &["rolling"]),
        ],
        &["events"],
    )
    .expect("graph");
    let months: Vec<u64> = (0..=N / 30).map(|m| m * 30).collect();
    let specs = vec![
        PartitionSpec {
            size: N,
            valid: None,
            deps: vec![],
        },
        PartitionSpec {
            size: N,
            valid: None,
            deps: vec![(EVENTS, Mapping::Window { from: -6, to: 0 })],
        },
        PartitionSpec {
            size: N / 30,
            valid: None,
            deps: vec![(EVENTS, Mapping::Coarsen { boundaries: months })],
        },
        PartitionSpec {
            size: 1,
            valid: None,
            deps: vec![(ROLLING, Mapping::All)],
        },
    ];
    PartitionedPlanner::new(graph, specs).expect("planner")
}

/// Records for `parts` of `asset`, each consuming its deps as they are now (what a run records).
fn records(
    p: &PartitionedPlanner,
    asset: u32,
    parts: &[u64],
    deps: &[u32],
    data: impl Fn(u64) -> u64,
) -> Owned {
    let mut o = Owned::default();
    o.off.push(0);
    for &q in parts {
        o.ids.push(asset);
        o.parts.push(q);
        o.code.extend([0u8; 16]);
        o.config.extend([0u8; 16]);
        o.data.extend(h("data", data(q)));
        for &d in deps {
            o.deps.push(d);
            o.fps.push(p.input_fingerprint(asset, q, d).expect("input"));
        }
        o.off.push(o.deps.len() as u32);
    }
    o
}

#[derive(Default)]
struct Owned {
    ids: Vec<u32>,
    parts: Vec<u64>,
    code: Vec<u8>,
    config: Vec<u8>,
    data: Vec<u8>,
    off: Vec<u32>,
    deps: Vec<u32>,
    fps: Vec<u64>,
}

impl Owned {
    fn view(&self) -> PartitionRecordBatch<'_> {
        PartitionRecordBatch {
            ids: &self.ids,
            partitions: &self.parts,
            code_versions: &self.code,
            config_hashes: &self.config,
            data_versions: &self.data,
            input_offsets: &self.off,
            input_deps: &self.deps,
            input_fingerprints: &self.fps,
        }
    }
}

fn ms(t: Instant) -> f64 {
    t.elapsed().as_secs_f64() * 1e3
}

#[test]
fn a_million_daily_partitions() {
    let mut p = planner();
    // Nothing materialized: a backfill plan of everything is a handful of ranges.
    let t = Instant::now();
    let plan = p
        .plan(&[EVENTS, ROLLING, MONTHLY, MODEL], &[], false)
        .expect("plan");
    eprintln!(
        "plan of 3 assets x up to 1M missing partitions: {:.3} ms",
        ms(t)
    );
    assert_eq!(plan.layers.len(), 2);
    assert_eq!(
        plan.layers[0],
        vec![
            (ExtId(ROLLING), PartitionSet::full(N)),
            (ExtId(MONTHLY), PartitionSet::full(N / 30))
        ]
    );
    assert_eq!(plan.layers[1], vec![(ExtId(MODEL), PartitionSet::full(1))]);
    // The source is missing and not planned: every planned partition lacks inputs.
    assert_eq!(
        plan.missing_inputs[0],
        (ExtId(ROLLING), ExtId(EVENTS), PartitionSet::full(N))
    );

    // Materialize everything, in dependency order, as runs would.
    let all: Vec<u64> = (0..N).collect();
    let t = Instant::now();
    let ev = records(&p, EVENTS, &all, &[], |q| q);
    p.apply_records(&ev.view()).expect("events");
    let ro = records(&p, ROLLING, &all, &[EVENTS], |q| q);
    p.apply_records(&ro.view()).expect("rolling");
    let months: Vec<u64> = (0..N / 30).collect();
    let mo = records(&p, MONTHLY, &months, &[EVENTS], |q| q);
    p.apply_records(&mo.view()).expect("monthly");
    let md = records(&p, MODEL, &[0], &[ROLLING], |_| 1);
    p.apply_records(&md.view()).expect("model");
    eprintln!(
        "materialize 2M+ partition records incrementally: {:.1} ms",
        ms(t)
    );
    for a in [EVENTS, ROLLING, MONTHLY, MODEL] {
        let s = p.summary(a).expect("summary");
        assert_eq!(
            s,
            StatusSummary {
                total: s.total,
                fresh: s.total,
                stale: 0,
                missing: 0
            }
        );
    }
    assert!(p
        .plan(&[EVENTS, ROLLING, MONTHLY, MODEL], &[], false)
        .expect("plan")
        .layers
        .is_empty());

    // Bulk load of the same records gives the same statuses.
    let mut all_recs = Owned::default();
    all_recs.off.push(0);
    for o in [&ev, &ro, &mo, &md] {
        let base = all_recs.deps.len() as u32;
        all_recs.ids.extend(&o.ids);
        all_recs.parts.extend(&o.parts);
        all_recs.code.extend(&o.code);
        all_recs.config.extend(&o.config);
        all_recs.data.extend(&o.data);
        all_recs.deps.extend(&o.deps);
        all_recs.fps.extend(&o.fps);
        all_recs.off.extend(o.off[1..].iter().map(|x| x + base));
    }
    let mut q = planner();
    let t = Instant::now();
    q.load_records(&all_recs.view()).expect("load");
    eprintln!("load 2M+ partition records in bulk: {:.1} ms", ms(t));
    let t = Instant::now();
    let s = q.summary(ROLLING).expect("summary");
    eprintln!("status summary of 1M partitions: {:.4} ms", ms(t));
    assert_eq!(
        s,
        StatusSummary {
            total: N,
            fresh: N,
            stale: 0,
            missing: 0
        }
    );

    // Early cutoff: day 500_000 re-observed with the same data changes nothing.
    let same = records(&p, EVENTS, &[500_000], &[], |q| q);
    assert!(p.apply_records(&same.view()).expect("same").is_empty());
    // New data for that day: the 7 windows that read it and its month go stale; the model does
    // not (its input, the rolling feature, has not changed yet).
    let t = Instant::now();
    let changed = records(&p, EVENTS, &[500_000], &[], |_| 7);
    let diff = p.apply_records(&changed.view()).expect("changed");
    let replan = p
        .plan(&[ROLLING, MONTHLY, MODEL], &[], false)
        .expect("plan");
    eprintln!(
        "apply one changed upstream partition (window of 7) and re-plan: {:.4} ms",
        ms(t)
    );
    assert_eq!(
        diff,
        vec![
            (ExtId(ROLLING), PartitionSet::range(500_000, 500_007)),
            (ExtId(MONTHLY), PartitionSet::range(16_666, 16_667)),
        ]
    );
    assert_eq!(p.status(ROLLING, 500_006).expect("status"), Some(STALE));
    assert_eq!(p.status(ROLLING, 500_007).expect("status"), Some(FRESH));
    assert_eq!(
        replan.layers,
        vec![
            vec![
                (ExtId(ROLLING), PartitionSet::range(500_000, 500_007)),
                (ExtId(MONTHLY), PartitionSet::range(16_666, 16_667))
            ],
            vec![(ExtId(MODEL), PartitionSet::full(1))],
        ]
    );
    // A backfill restricted to a range plans only inside it.
    let ranged = p
        .plan(
            &[ROLLING],
            &[(ROLLING, PartitionSet::range(500_003, 600_000))],
            true,
        )
        .expect("plan");
    assert_eq!(
        ranged.layers,
        vec![vec![(
            ExtId(ROLLING),
            PartitionSet::range(500_003, 600_000)
        )]]
    );
    assert_eq!(
        p.statuses(ROLLING, &PartitionSet::range(499_999, 500_008))
            .expect("runs"),
        vec![
            (499_999, 500_000, FRESH),
            (500_000, 500_007, STALE),
            (500_007, 500_008, FRESH)
        ]
    );
    // Re-running the 7 windows with the new data: fresh again, and the model now sees new input.
    let rerun = records(
        &p,
        ROLLING,
        &(500_000..500_007).collect::<Vec<_>>(),
        &[EVENTS],
        |q| q + 1,
    );
    let diff = p.apply_records(&rerun.view()).expect("rerun");
    assert_eq!(
        diff,
        vec![
            (ExtId(ROLLING), PartitionSet::range(500_000, 500_007)),
            (ExtId(MODEL), PartitionSet::full(1))
        ]
    );
    assert_eq!(p.status(MODEL, 0).expect("status"), Some(STALE));
    assert_eq!(p.summary(ROLLING).expect("summary").fresh, N);
    eprintln!(
        "heap of the planner with 2M+ records: {:.1} MB",
        p.heap_bytes() as f64 / 1e6
    );
}

#[test]
fn ten_million_partitions_never_materialized_cost_ranges() {
    let graph = Graph::from_keyed(&[("hourly", &[]), ("daily", &["hourly"])], &[]).expect("graph");
    let n = 10_000_000u64;
    let days: Vec<u64> = (0..=n / 24).map(|d| d * 24).collect();
    let p = PartitionedPlanner::new(
        graph,
        vec![
            PartitionSpec {
                size: n,
                valid: None,
                deps: vec![],
            },
            PartitionSpec {
                size: n / 24,
                valid: None,
                deps: vec![(0, Mapping::Coarsen { boundaries: days })],
            },
        ],
    )
    .expect("planner");
    // The boundaries table is the only per-partition memory (one u64 per day).
    let bytes = p.heap_bytes();
    assert!(bytes < 8 * (n / 24) as usize + 1_000_000, "heap {bytes}");
    assert_eq!(p.status(0, n - 1).expect("status"), Some(MISSING));
    assert_eq!(
        p.statuses(0, &PartitionSet::full(n)).expect("runs"),
        vec![(0, n, MISSING)]
    );
    // Days 10..20 read hours 240..480; restricted to days 5..15, the plan keeps 5..15.
    let plan = p
        .plan(
            &[0, 1],
            &[
                (0, PartitionSet::range(240, 480)),
                (1, PartitionSet::range(5, 15)),
            ],
            false,
        )
        .expect("plan");
    assert_eq!(
        plan.layers,
        vec![
            vec![(ExtId(0), PartitionSet::range(240, 480))],
            vec![(ExtId(1), PartitionSet::range(5, 15))]
        ]
    );
}

#[test]
fn specs_that_do_not_fit_are_refused_with_the_asset_names() {
    let graph = Graph::from_keyed(&[("daily", &[]), ("weekly", &["daily"])], &[]).expect("graph");
    let err = PartitionedPlanner::new(
        graph,
        vec![
            PartitionSpec {
                size: 14,
                valid: None,
                deps: vec![],
            },
            PartitionSpec {
                size: 2,
                valid: None,
                deps: vec![(
                    0,
                    Mapping::Coarsen {
                        boundaries: vec![0, 7],
                    },
                )],
            },
        ],
    )
    .err()
    .expect("refused");
    assert_eq!(err.code.as_str(), "RIVERS_INVALID_MAPPING");
    assert_eq!(err.keys, vec!["weekly".to_owned(), "daily".to_owned()]);
    insta::assert_snapshot!(err.message, @r#"invalid partition mapping "coarsen" from asset "weekly" to its dependency "daily": 2 boundaries given for 2 downstream partitions; give one boundary per downstream partition plus the end of the last (3 in all)"#);
    let graph = Graph::from_keyed(&[("daily", &[])], &[]).expect("graph");
    let err = PartitionedPlanner::new(
        graph,
        vec![PartitionSpec {
            size: 3,
            valid: Some(PartitionSet::range(1, 5)),
            deps: vec![],
        }],
    )
    .err()
    .expect("refused");
    assert_eq!(err.code.as_str(), "RIVERS_PARTITION_OUT_OF_RANGE");
    let graph = Graph::from_keyed(&[("daily", &[])], &[]).expect("graph");
    let p = PartitionedPlanner::new(
        graph,
        vec![PartitionSpec {
            size: 3,
            valid: None,
            deps: vec![],
        }],
    )
    .expect("planner");
    let e = p.status(0, 3).expect_err("out of range");
    insta::assert_snapshot!(e.message, @r#"partition #3 of asset "daily" is out of range: the asset has 3 partitions; pass an index below 3"#);
}

#[test]
fn a_backfill_of_twenty_assets_by_a_million_partitions_is_planned_by_ranges() {
    // A chain of 20 daily assets, each reading the previous 7 days of the one before.
    let keys: Vec<String> = (0..20).map(|i| format!("a{i}")).collect();
    let deps: Vec<Vec<&str>> = (0..20)
        .map(|i| {
            if i == 0 {
                vec![]
            } else {
                vec![keys[i - 1].as_str()]
            }
        })
        .collect();
    let assets: Vec<(&str, &[&str])> = (0..20)
        .map(|i| (keys[i].as_str(), deps[i].as_slice()))
        .collect();
    let graph = Graph::from_keyed(&assets, &[]).expect("graph");
    let specs = (0..20u32)
        .map(|i| PartitionSpec {
            size: N,
            valid: None,
            deps: if i == 0 {
                vec![]
            } else {
                vec![(i - 1, Mapping::Window { from: -6, to: 0 })]
            },
        })
        .collect();
    let p = PartitionedPlanner::new(graph, specs).expect("planner");
    let all: Vec<u32> = (0..20).collect();
    let t = Instant::now();
    let plan = p
        .plan(&all, &[(0, PartitionSet::range(1000, 2000))], false)
        .expect("plan");
    eprintln!(
        "plan a backfill of 20 assets x 1M partitions: {:.3} ms",
        ms(t)
    );
    assert_eq!(plan.layers.len(), 20);
    assert_eq!(
        plan.layers[0],
        vec![(ExtId(0), PartitionSet::range(1000, 2000))]
    );
    assert_eq!(plan.layers[19], vec![(ExtId(19), PartitionSet::full(N))]);
    let t = Instant::now();
    let forced = p.plan(&all, &[], true).expect("plan");
    eprintln!("forced plan of 20 assets x 1M partitions: {:.3} ms", ms(t));
    assert!(forced
        .layers
        .iter()
        .flatten()
        .all(|(_, s)| *s == PartitionSet::full(N)));
}
