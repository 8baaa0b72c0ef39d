//! Property tests of the planner against the small reference in `common/mod.rs` (SPEC.md read
//! literally), plus hand-written stories. Scenarios are drawn from a "tape" of random numbers so
//! that proptest shrinks failures toward small graphs and simple choices.

mod common;

use std::collections::{BTreeMap, BTreeSet, HashSet};

use common::*;
use proptest::collection::vec;
use proptest::prelude::*;
use proptest::test_runner::TestCaseError;
use rivers_planner::hash::{hash_fields, Field};
use rivers_planner::{
    CauseKind, ErrorCode, ExtId, Graph, GraphInput, LabelInput, Planner, Pos, RecordBatch, FRESH,
    MISSING, NO_DEP, STALE,
};

const TAPE: usize = 1200;

fn config(cases: u32) -> ProptestConfig {
    ProptestConfig {
        cases,
        failure_persistence: None,
        max_shrink_iters: 4096,
        ..ProptestConfig::default()
    }
}

fn fail(e: rivers_planner::PlannerError) -> TestCaseError {
    TestCaseError::fail(format!("unexpected planner error: {e}"))
}

fn ids_of(m: &Model, keys: &[String]) -> Vec<u32> {
    keys.iter().map(|k| m.ext(k)).collect()
}

/// External ids as plain numbers (to compare with the reference's).
fn raw(ids: Vec<ExtId>) -> Vec<u32> {
    ids.into_iter().map(u32::from).collect()
}

/// The children of the batch's assets that are missing or stale now, as `apply_records` returns
/// them (positions, ascending, no repeats).
fn check_dirty_children(
    p: &Planner,
    m: &Model,
    keys: &[String],
    ret: &[Pos],
) -> Result<(), TestCaseError> {
    prop_assert!(
        ret.windows(2).all(|w| w[0] < w[1]),
        "apply_records result sorted and unique: {:?}",
        ret
    );
    let got: BTreeSet<String> = ret
        .iter()
        .map(|&v| m.key(p.graph().ext_of(v)).to_owned())
        .collect();
    let want: BTreeSet<String> = keys
        .iter()
        .flat_map(|k| m.children(k))
        .filter(|c| m.dirty(c))
        .collect();
    prop_assert_eq!(got, want, "children now dirty after applying {:?}", keys);
    Ok(())
}

fn apply(p: &mut Planner, m: &mut Model, recs: &[(String, Rec)]) -> Result<(), TestCaseError> {
    let ret = OwnedBatch::new(m, recs)
        .with(|b| p.apply_records(b))
        .map_err(fail)?;
    for (k, r) in recs {
        m.records.insert(k.clone(), r.clone());
    }
    let keys: Vec<String> = recs.iter().map(|(k, _)| k.clone()).collect();
    check_dirty_children(p, m, &keys, &ret)
}

fn set_code(p: &mut Planner, m: &mut Model, kv: &[(String, H)]) -> Result<(), TestCaseError> {
    let ids: Vec<u32> = kv.iter().map(|(k, _)| m.ext(k)).collect();
    let hs: Vec<H> = kv.iter().map(|(_, h)| *h).collect();
    p.set_code_versions(&ids, &flat(&hs)).map_err(fail)?;
    for (k, h) in kv {
        m.cur_code.insert(k.clone(), *h);
    }
    Ok(())
}

fn set_config(p: &mut Planner, m: &mut Model, kv: &[(String, H)]) -> Result<(), TestCaseError> {
    let ids: Vec<u32> = kv.iter().map(|(k, _)| m.ext(k)).collect();
    let hs: Vec<H> = kv.iter().map(|(_, h)| *h).collect();
    p.set_config_hashes(&ids, &flat(&hs)).map_err(fail)?;
    for (k, h) in kv {
        m.cur_config.insert(k.clone(), *h);
    }
    Ok(())
}

fn observe(p: &mut Planner, m: &mut Model, kv: &[(String, H)]) -> Result<(), TestCaseError> {
    let ids: Vec<u32> = kv.iter().map(|(k, _)| m.ext(k)).collect();
    let hs: Vec<H> = kv.iter().map(|(_, h)| *h).collect();
    p.set_observed(&ids, &flat(&hs)).map_err(fail)?;
    for (k, h) in kv {
        m.observed.insert(k.clone(), *h);
    }
    Ok(())
}

fn random_keys(t: &mut Tape, pool: &[String]) -> Vec<String> {
    let count = 1 + t.below(3);
    (0..count).filter_map(|_| t.pick(pool).cloned()).collect()
}

/// One random edit, applied to the planner and the reference alike. `records`: whether record
/// batches are among the edits.
fn random_edit(
    p: &mut Planner,
    m: &mut Model,
    t: &mut Tape,
    records: bool,
) -> Result<String, TestCaseError> {
    // Sorted by key, so the same tape picks the same assets whatever the external ids.
    let mut keys = m.keys().to_vec();
    keys.sort();
    let sources: Vec<String> = keys.iter().filter(|k| m.is_source(k)).cloned().collect();
    match t.below(if records { 5 } else { 3 }) {
        0 => {
            let kv: Vec<(String, H)> = random_keys(t, &keys)
                .into_iter()
                .map(|k| (k, code_pool(t.below(3) as u32)))
                .collect();
            set_code(p, m, &kv)?;
            Ok(format!(
                "code {:?}",
                kv.iter().map(|x| &x.0).collect::<Vec<_>>()
            ))
        }
        1 => {
            let kv: Vec<(String, H)> = random_keys(t, &keys)
                .into_iter()
                .map(|k| (k, config_pool(t.below(3) as u32)))
                .collect();
            set_config(p, m, &kv)?;
            Ok(format!(
                "config {:?}",
                kv.iter().map(|x| &x.0).collect::<Vec<_>>()
            ))
        }
        2 => {
            let kv: Vec<(String, H)> = random_keys(t, &sources)
                .into_iter()
                .map(|k| (k, data_pool(t.below(4) as u32)))
                .collect();
            observe(p, m, &kv)?;
            Ok(format!("observe {:?}", kv))
        }
        _ => {
            // A batch of 1..3 records (an asset may repeat: the later one wins).
            let recs: Vec<(String, Rec)> = random_keys(t, &keys)
                .into_iter()
                .map(|k| {
                    let r = gen_record(m, &k, t);
                    (k, r)
                })
                .collect();
            apply(p, m, &recs)?;
            Ok(format!("apply {:?}", recs))
        }
    }
}

/// A scenario: a random DAG laid out with random ids, and a reference holding random state.
fn scenario(n: usize, t: &mut Tape, record_pct: usize) -> Model {
    let l = gen_logical(n, t);
    let spec = layout(&l, t);
    let mut m = Model::new(&spec);
    gen_state(&mut m, t, record_pct);
    m
}

// ---------------------------------------------------------------------------------------------
// 1. Statuses, causes, root causes, plans (random selections, force), selections == reference.

proptest! {
    #![proptest_config(config(512))]
    #[test]
    fn matches_reference(n in 1usize..=14, tape in vec(any::<u32>(), TAPE)) {
        let t = &mut Tape::new(&tape);
        let m = scenario(n, t, 75);
        let sels = gen_selections(&m, t, 6);
        let mut p = planner_from(&m, t.below(4));

        // Internal ids are the reference's topological positions.
        for v in Pos::all(n) {
            prop_assert_eq!(m.pos[p.graph().ext_of(v).idx()], v.idx(), "topological position of {}", m.key(p.graph().ext_of(v)));
        }
        compare(&mut p, &m, &sels)?;

        // Arbitrary id lists (any order, repeats): rows follow the list.
        let list: Vec<u32> = (0..t.below(2 * n + 1)).map(|_| t.below(n) as u32).collect();
        let st = p.statuses(&list).map_err(fail)?;
        let causes = p.causes(&list).map_err(fail)?;
        let roots = p.root_causes(&list).map_err(fail)?;
        let all_roots = m.all_root_causes();
        for (i, &e) in list.iter().enumerate() {
            let k = m.key(e);
            prop_assert_eq!(st[i], m.status(k));
            let row: Vec<(CauseKind, Option<String>)> = (causes.offsets[i] as usize..causes.offsets[i + 1] as usize)
                .map(|j| (kind_of(causes.kinds[j]), (causes.deps[j] != NO_DEP).then(|| p.dep_key(causes.deps[j]).unwrap_or("?").to_owned())))
                .collect();
            prop_assert_eq!(row, m.causes(k));
            let row: Vec<(String, CauseKind)> = (roots.offsets[i] as usize..roots.offsets[i + 1] as usize)
                .map(|j| (m.key(roots.ids[j]).to_owned(), kind_of(roots.kinds[j])))
                .collect();
            prop_assert_eq!(&row, &all_roots[k]);
        }
        // Out-of-range ids are errors, not panics.
        prop_assert!(p.statuses(&[n as u32]).is_err());
        prop_assert!(p.causes(&[n as u32 + 3]).is_err());
        prop_assert!(p.root_causes(&[u32::MAX]).is_err());
        prop_assert!(p.plan(Some(&[n as u32]), false).is_err());
        prop_assert!(p.plan(Some(&[0, n as u32]), true).is_err());
        prop_assert_eq!(p.dep_key(NO_DEP), None);

        // The selection language over the planner: `+k`, `k+`, `status:`, `*`.
        let k = m.key(t.below(n) as u32).to_owned();
        let mut want: Vec<u32> = m.ancestors(&k).iter().map(|a| m.ext(a)).collect();
        want.push(m.ext(&k));
        want.sort_unstable();
        prop_assert_eq!(raw(p.select(&[&format!("+{k}")]).map_err(fail)?), want);
        let mut want: Vec<u32> = m.descendants(&k).iter().map(|a| m.ext(a)).collect();
        want.push(m.ext(&k));
        want.sort_unstable();
        prop_assert_eq!(raw(p.select(&[&format!("{k}+")]).map_err(fail)?), want);
        for (name, code) in [("missing", MISSING), ("stale", STALE), ("fresh", FRESH)] {
            let want: Vec<u32> = (0..n as u32).filter(|&e| m.status(m.key(e)) == code).collect();
            prop_assert_eq!(raw(p.select(&[&format!("status:{name}")]).map_err(fail)?), want, "status:{}", name);
        }
        prop_assert_eq!(raw(p.select(&["*"]).map_err(fail)?), (0..n as u32).collect::<Vec<_>>());
    }
}

// ---------------------------------------------------------------------------------------------
// 2. Incremental == from scratch (and == reference), after every edit and at the end.

proptest! {
    #![proptest_config(config(512))]
    #[test]
    fn incremental_equals_from_scratch(n in 1usize..=14, tape in vec(any::<u32>(), TAPE)) {
        let t = &mut Tape::new(&tape);
        let mut m = scenario(n, t, 50);
        let mut p = planner_from(&m, t.below(4));
        compare(&mut p, &m, &[])?;
        let initial = format!("{:?} {:?} {:?} {:?}", m.cur_code, m.cur_config, m.observed, m.records);
        let mut log: Vec<String> = Vec::new();
        let edits = 1 + t.below(16);
        for _ in 0..edits {
            if t.pct(8) {
                // A malformed batch (extern index out of range after a valid record): an error
                // that leaves the state untouched.
                let k = m.key(t.below(n) as u32).to_owned();
                let r = gen_record(&m, &k, t);
                let mut b = OwnedBatch::new(&m, &[(k.clone(), r.clone()), (k, r)]);
                b.deps.push(n as u32 + b.externs.len() as u32 + 5);
                b.dep_versions.extend_from_slice(&data_pool(0));
                *b.offsets.last_mut().unwrap_or(&mut 0) += 1;
                prop_assert!(b.with(|x| p.apply_records(x)).is_err());
                let bulk = t.pct(50);
                if bulk {
                    prop_assert!(b.with(|x| p.load_records(x)).is_err());
                }
                log.push("bad batch".to_owned());
            } else {
                log.push(random_edit(&mut p, &mut m, t, true)?);
            }
            compare(&mut p, &m, &[]).map_err(|e| TestCaseError::fail(format!("{e}\ngraph {:?}\ninitial {initial}\nedits:\n{}", m.spec, log.join("\n"))))?;
        }
        let sels = gen_selections(&m, t, 6);
        compare(&mut p, &m, &sels)?;

        let mut fresh = planner_from(&m, t.below(4));
        compare(&mut fresh, &m, &sels)?;
        // A bulk load where some assets have earlier, superseded records in the same batch.
        {
            let mut recs: Vec<(String, Rec)> = Vec::new();
            for k in m.records.keys() {
                if t.pct(30) {
                    recs.push((k.clone(), gen_record(&m, k, t)));
                }
            }
            recs.sort_by(|a, b| a.0.cmp(&b.0));
            t.shuffle(&mut recs);
            let mut last = all_records(&m);
            t.shuffle(&mut last);
            recs.extend(last);
            let mut q = planner_from(&m, t.below(4));
            OwnedBatch::new(&m, &recs).with(|b| q.load_records(b)).map_err(fail)?;
            compare(&mut q, &m, &sels)?;
        }
        // Same external ids on both sides: the plans are equal as values.
        for (sel, force) in &sels {
            let ids = sel.as_ref().map(|s| ids_of(&m, s));
            let a = p.plan(ids.as_deref(), *force).map_err(fail)?;
            let b = fresh.plan(ids.as_deref(), *force).map_err(fail)?;
            prop_assert_eq!((&a.ids, &a.layer_offsets), (&b.ids, &b.layer_offsets));
            let (mut x, mut y) = (a.missing_inputs.clone(), b.missing_inputs.clone());
            x.sort_unstable();
            y.sort_unstable();
            prop_assert_eq!(x, y);
        }
        prop_assert_eq!(p.plan(None, false).map_err(fail)?, fresh.plan(None, false).map_err(fail)?);

        // Bulk reload over the incrementally edited planner replaces everything.
        OwnedBatch::new(&m, &all_records(&m)).with(|b| p.load_records(b)).map_err(fail)?;
        compare(&mut p, &m, &sels)?;
        // And one more round of edits after the reload.
        for _ in 0..3 {
            random_edit(&mut p, &mut m, t, true)?;
            compare(&mut p, &m, &[])?;
        }
    }
}

// ---------------------------------------------------------------------------------------------
// 3. Run simulation: an executor walks plans, materializing, skipping and failing assets.

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum DataMode {
    /// Data is a function of (asset, code, config, inputs), or random from a tiny pool for the
    /// non-deterministic assets.
    Normal,
    /// Every asset re-materializes to its previous data version (identical bytes).
    Identical,
}

#[derive(Default, Debug)]
struct RunOut {
    built: Vec<String>,
    failed: Vec<String>,
    refused: bool,
}

fn data_of(k: &str, code: &H, config: &H, consumed: &[(String, H)]) -> H {
    let mut fields = vec![Field::Str(k), Field::Hash(code), Field::Hash(config)];
    for (d, v) in consumed {
        fields.push(Field::Str(d));
        fields.push(Field::Hash(v));
    }
    hash_fields("sim", &fields)
}

#[allow(clippy::too_many_arguments)]
fn run(
    p: &mut Planner,
    m: &mut Model,
    sel: Option<&[String]>,
    force: bool,
    fail_pct: usize,
    mode: DataMode,
    nondet: &HashSet<String>,
    t: &mut Tape,
) -> Result<RunOut, TestCaseError> {
    let ids = sel.map(|s| ids_of(m, s));
    let plan = p.plan(ids.as_deref(), force).map_err(fail)?;
    let kp = read_plan(m, &plan, sel)?;
    prop_assert_eq!(&kp, &m.plan(sel, force), "plan before the run");
    let mut out = RunOut::default();
    if !kp.missing.is_empty() {
        out.refused = true; // the CLI refuses a plan with missing inputs
        return Ok(out);
    }
    let mut bad: HashSet<String> = HashSet::new(); // failed or blocked by a failure upstream
    let mut built: HashSet<String> = HashSet::new();
    for k in kp.all() {
        if m.deps[&k].iter().any(|u| bad.contains(u)) {
            bad.insert(k);
            continue;
        }
        let st = p.statuses(&[m.ext(&k)]).map_err(fail)?[0];
        prop_assert_eq!(
            st,
            m.status(&k),
            "re-verified status of {} during the run",
            k
        );
        if !force && st == FRESH {
            continue; // upstream_unchanged
        }
        let Some(consumed) = m.consumed_now(&k) else {
            // An input has no data version (an unobserved source outside the plan): it fails.
            out.failed.push(k.clone());
            bad.insert(k);
            continue;
        };
        if t.pct(fail_pct) {
            out.failed.push(k.clone());
            bad.insert(k);
            continue;
        }
        let data = match (mode, m.records.get(&k)) {
            (DataMode::Identical, Some(r)) => r.data,
            _ if nondet.contains(&k) => data_pool(t.below(3) as u32),
            _ => data_of(&k, &m.code(&k), &m.config(&k), &consumed),
        };
        let rec = Rec {
            code: m.code(&k),
            config: m.config(&k),
            data,
            deps: consumed,
        };
        apply(p, m, &[(k.clone(), rec)])?;
        prop_assert!(built.insert(k.clone()), "{} ran twice", k);
        out.built.push(k);
        // The maintained whole plan stays exact while the run applies records.
        let whole = p.plan(None, false).map_err(fail)?;
        prop_assert_eq!(
            read_plan(m, &whole, None)?,
            m.plan(None, false),
            "maintained plan mid-run"
        );
    }
    // Trace consistency: every asset built consumed exactly its deps' recorded data versions, so
    // it is fresh now.
    for k in &out.built {
        let r = &m.records[k];
        for (u, ver) in &r.deps {
            prop_assert_eq!(
                Some(*ver),
                m.cur_data(u),
                "{} consumed {} at a version that is not its data version",
                k,
                u
            );
        }
        prop_assert_eq!(
            p.statuses(&[m.ext(k)]).map_err(fail)?[0],
            FRESH,
            "{} fresh after its build",
            k
        );
    }
    Ok(out)
}

proptest! {
    #![proptest_config(config(384))]
    #[test]
    fn run_simulation(n in 1usize..=14, tape in vec(any::<u32>(), TAPE)) {
        let t = &mut Tape::new(&tape);
        let mut m = scenario(n, t, 60);
        let mut p = planner_from(&m, t.below(4));
        let nondet: HashSet<String> = m.keys().iter().filter(|_| t.pct(30)).cloned().collect();
        let non_sources: Vec<String> = m.topo_keys().into_iter().filter(|k| !m.is_source(k)).collect();

        for _ in 0..1 + t.below(4) {
            for _ in 0..t.below(3) {
                random_edit(&mut p, &mut m, t, false)?;
            }
            let (sel, force) = if t.pct(30) { gen_selections(&m, t, 1).remove(0) } else { (None, false) };
            let fail_pct = if t.pct(40) { 15 } else { 0 };
            let out = run(&mut p, &mut m, sel.as_deref(), force, fail_pct, DataMode::Normal, &nondet, t)?;
            if out.refused {
                continue;
            }
            let ids = sel.as_ref().map(|s| ids_of(&m, s));
            let next = read_plan(&m, &p.plan(ids.as_deref(), false).map_err(fail)?, sel.as_deref())?;
            if out.failed.is_empty() {
                // Fixpoint: re-planning the same selection gives an empty plan.
                prop_assert!(next.layers.is_empty(), "plan after a successful run: {:?}", next);
            } else if sel.is_none() && !force {
                // A failed asset stays planned with its descendants; its succeeded siblings do not.
                let mut want: BTreeSet<String> = BTreeSet::new();
                for f in &out.failed {
                    want.insert(f.clone());
                    want.extend(m.descendants(f));
                }
                prop_assert_eq!(next.set(), want, "plan after failures {:?}", out.failed);
                for b in &out.built {
                    prop_assert!(!next.set().contains(b) || m.ancestors(b).iter().any(|a| out.failed.contains(a)));
                }
            }
        }

        // A run without failures reaches the fixpoint: every source observed, everything fresh.
        let unobserved: Vec<(String, H)> =
            m.keys().iter().filter(|k| m.is_source(k) && m.cur_data(k).is_none()).map(|k| (k.clone(), data_pool(t.below(4) as u32))).collect();
        observe(&mut p, &mut m, &unobserved)?;
        let out = run(&mut p, &mut m, None, false, 0, DataMode::Normal, &nondet, t)?;
        prop_assert!(out.failed.is_empty() && !out.refused);
        prop_assert!(p.plan(None, false).map_err(fail)?.ids.is_empty(), "fixpoint");
        prop_assert!(p_statuses(&p, &m).iter().all(|&s| s == FRESH), "all fresh at the fixpoint");
        // A second run builds nothing.
        let again = run(&mut p, &mut m, None, false, 0, DataMode::Normal, &nondet, t)?;
        prop_assert!(again.built.is_empty());

        // Early cutoff: change the code of X; if every rebuild yields identical bytes, exactly X runs.
        if !non_sources.is_empty() {
            let mut x: Vec<String> = non_sources.iter().filter(|_| t.pct(30)).cloned().collect();
            if x.is_empty() {
                x.push(non_sources[t.below(non_sources.len())].clone());
            }
            let kv: Vec<(String, H)> = x.iter().map(|k| (k.clone(), h("code-new", t.below(1000) as u32))).collect();
            set_code(&mut p, &mut m, &kv)?;
            let mut cone: BTreeSet<String> = x.iter().cloned().collect();
            for k in &x {
                cone.extend(m.descendants(k));
            }
            prop_assert_eq!(read_plan(&m, &p.plan(None, false).map_err(fail)?, None)?.set(), cone, "plan = changed assets and descendants");
            let out = run(&mut p, &mut m, None, false, 0, DataMode::Identical, &nondet, t)?;
            let built: BTreeSet<String> = out.built.iter().cloned().collect();
            let x: BTreeSet<String> = x.into_iter().collect();
            prop_assert_eq!(built, x, "identical bytes upstream: zero downstream runs");
            prop_assert!(p.plan(None, false).map_err(fail)?.ids.is_empty());

            // A forced run of a selection, then the fixpoint of that selection.
            let (sel, _) = gen_selections(&m, t, 1).remove(0);
            let out = run(&mut p, &mut m, sel.as_deref(), true, 0, DataMode::Normal, &nondet, t)?;
            prop_assert!(out.failed.is_empty() && !out.refused);
            let ids = sel.as_ref().map(|s| ids_of(&m, s));
            prop_assert!(p.plan(ids.as_deref(), false).map_err(fail)?.ids.is_empty());
            compare(&mut p, &m, &[])?;
        }
    }
}

// ---------------------------------------------------------------------------------------------
// 4. Layering: edges inside a plan go to earlier layers; plans stay inside the selection; sources
//    are never planned (read_plan checks all three on every plan it reads).

proptest! {
    #![proptest_config(config(384))]
    #[test]
    fn layering(n in 1usize..=14, tape in vec(any::<u32>(), TAPE)) {
        let t = &mut Tape::new(&tape);
        let m = scenario(n, t, 70);
        let mut p = planner_from(&m, t.below(4));
        for (sel, force) in gen_selections(&m, t, 12) {
            let ids = sel.as_ref().map(|s| ids_of(&m, s));
            let plan = p.plan(ids.as_deref(), force).map_err(fail)?;
            let got = read_plan(&m, &plan, sel.as_deref())?;
            prop_assert_eq!(&got, &m.plan(sel.as_deref(), force));
            if force {
                // Forced: the selection without sources, exactly.
                let want: BTreeSet<String> = sel.clone().unwrap_or_else(|| m.keys().to_vec()).into_iter().filter(|k| !m.is_source(k)).collect();
                prop_assert_eq!(got.set(), want);
            }
            // Layer k > 0 members each have a planned dep in layer k - 1.
            for (l, layer) in got.layers.iter().enumerate().skip(1) {
                for k in layer {
                    prop_assert!(m.deps[k].iter().any(|u| got.layers[l - 1].contains(u)), "{} in layer {} without a dep in layer {}", k, l, l - 1);
                }
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// 5. Determinism: permuted external ids and dep order give the same answers, through keys.

type Keyed = (
    BTreeMap<String, u8>,
    BTreeMap<String, Vec<(u8, Option<String>)>>,
    BTreeMap<String, BTreeSet<(String, u8)>>,
    Vec<(BTreeMap<String, usize>, BTreeSet<(String, String)>)>,
);

fn keyed(
    p: &mut Planner,
    m: &Model,
    sels: &[(Option<Vec<String>>, bool)],
) -> Result<Keyed, TestCaseError> {
    let st = p_statuses(p, m);
    let causes = p_causes(p, m);
    let roots = p_roots(p, m);
    let mut s = BTreeMap::new();
    let mut c = BTreeMap::new();
    let mut r = BTreeMap::new();
    for (e, k) in m.keys().iter().enumerate() {
        s.insert(k.clone(), st[e]);
        let mut row: Vec<(u8, Option<String>)> = causes[e]
            .iter()
            .map(|(kind, d)| (*kind as u8, d.clone()))
            .collect();
        row.sort();
        c.insert(k.clone(), row);
        r.insert(
            k.clone(),
            roots[e]
                .iter()
                .map(|(key, kind)| (key.clone(), *kind as u8))
                .collect(),
        );
    }
    let mut plans = Vec::new();
    for (sel, force) in std::iter::once(&(None, false)).chain(sels) {
        let ids = sel.as_ref().map(|s| ids_of(m, s));
        let kp = read_plan(
            m,
            &p.plan(ids.as_deref(), *force).map_err(fail)?,
            sel.as_deref(),
        )?;
        let layer_of = kp
            .layers
            .iter()
            .enumerate()
            .flat_map(|(l, ks)| ks.iter().map(move |k| (k.clone(), l)))
            .collect();
        plans.push((layer_of, kp.missing));
    }
    Ok((s, c, r, plans))
}

proptest! {
    #![proptest_config(config(256))]
    #[test]
    fn determinism(n in 1usize..=14, tape in vec(any::<u32>(), TAPE)) {
        let t = &mut Tape::new(&tape);
        let l = gen_logical(n, t);
        let mut m1 = Model::new(&layout(&l, t));
        gen_state(&mut m1, t, 70);
        let mut m2 = Model::new(&layout(&l, t));
        m2.cur_code = m1.cur_code.clone();
        m2.cur_config = m1.cur_config.clone();
        m2.observed = m1.observed.clone();
        m2.records = m1.records.clone();
        let mut p1 = planner_from(&m1, t.below(4));
        let mut p2 = planner_from(&m2, t.below(4));
        let sels = gen_selections(&m1, t, 5);
        prop_assert_eq!(keyed(&mut p1, &m1, &sels)?, keyed(&mut p2, &m2, &sels)?);
        // The same edits on both sides keep them equal.
        let edits: Vec<u32> = (0..60).map(|_| t.below(1 << 20) as u32).collect();
        for round in 0..4 {
            let slice = &edits[round * 15..round * 15 + 15];
            random_edit(&mut p1, &mut m1, &mut Tape::new(slice), true)?;
            random_edit(&mut p2, &mut m2, &mut Tape::new(slice), true)?;
            prop_assert_eq!(keyed(&mut p1, &m1, &sels)?, keyed(&mut p2, &m2, &sels)?);
        }
    }
}

// ---------------------------------------------------------------------------------------------
// 6. Graph build errors; never a panic on garbage.

fn no_sources(l: &mut Logical) {
    l.source.iter_mut().for_each(|s| *s = false);
}

proptest! {
    #![proptest_config(config(512))]
    #[test]
    fn injected_cycle_is_reported(n in 2usize..=14, tape in vec(any::<u32>(), TAPE)) {
        let t = &mut Tape::new(&tape);
        let mut l = gen_logical(n, t);
        no_sources(&mut l);
        // A chain a1 <- a2 <- ... <- ak (a_{i+1} depends on a_i), closed by a1 depending on ak.
        let mut chain: Vec<usize> = (0..n).filter(|_| t.pct(40)).collect();
        while chain.len() < 2 {
            let x = t.below(n);
            if !chain.contains(&x) {
                chain.push(x);
            } else {
                chain.push((x + 1) % n);
                chain.sort_unstable();
                chain.dedup();
            }
        }
        chain.sort_unstable();
        for w in chain.windows(2) {
            if !l.deps[w[1]].contains(&w[0]) {
                l.deps[w[1]].push(w[0]);
            }
        }
        l.deps[chain[0]].push(chain[chain.len() - 1]);
        let spec = layout(&l, t);
        prop_assert!(kahn(&spec.deps).is_none());
        let err = spec.build().err();
        prop_assert!(err.is_some(), "a cyclic graph builds");
        let err = err.unwrap_or_else(|| unreachable!());
        prop_assert_eq!(err.code, ErrorCode::Cycle, "{}", err);
        let cyc = &err.keys;
        prop_assert!(cyc.len() >= 2);
        let distinct: HashSet<&String> = cyc.iter().collect();
        prop_assert_eq!(distinct.len(), cyc.len(), "cycle repeats a key: {:?}", cyc);
        let min = cyc.iter().min().cloned().unwrap_or_default();
        prop_assert_eq!(&cyc[0], &min, "cycle starts at its smallest key");
        let index: std::collections::HashMap<&str, usize> = spec.keys.iter().enumerate().map(|(i, k)| (k.as_str(), i)).collect();
        for i in 0..cyc.len() {
            let (a, b) = (&cyc[i], &cyc[(i + 1) % cyc.len()]);
            let (ea, eb) = (index[a.as_str()], index[b.as_str()] as u32);
            prop_assert!(spec.deps[ea].contains(&eb), "{} -> {} is not a dependency; cycle {:?}", a, b, cyc);
        }
        let path = format!("{} -> {}", cyc.join(" -> "), cyc[0]);
        prop_assert!(err.message.contains(&path), "message {:?} lists {:?}", err.message, path);
    }

    #[test]
    fn build_agrees_with_kahn(n in 1usize..=10, tape in vec(any::<u32>(), 400)) {
        // Arbitrary (possibly cyclic) dependencies without self-deps.
        let t = &mut Tape::new(&tape);
        let keys: Vec<String> = NAMES[..n].iter().map(|s| (*s).to_owned()).collect();
        let deps: Vec<Vec<u32>> = (0..n).map(|v| (0..n as u32).filter(|&d| d as usize != v && t.pct(20)).collect()).collect();
        let spec = GraphSpec { keys, deps, source: vec![false; n] };
        match (spec.build(), kahn(&spec.deps)) {
            (Ok(g), Some(pos)) => {
                for v in Pos::all(n) {
                    prop_assert_eq!(pos[g.ext_of(v).idx()], v.idx());
                    prop_assert_eq!(g.int_of(g.ext_of(v)), v);
                }
            }
            (Err(e), None) => prop_assert_eq!(e.code, ErrorCode::Cycle),
            (g, pos) => prop_assert!(false, "build {:?} but reference order {:?}", g.map(|g| g.len()), pos),
        }
    }

    #[test]
    fn build_error_codes(n in 2usize..=14, which in 0usize..6, tape in vec(any::<u32>(), TAPE)) {
        let t = &mut Tape::new(&tape);
        let mut l = gen_logical(n, t);
        let mut spec = layout(&l, t);
        let e = t.below(n);
        let (code, key) = match which {
            0 => {
                let j = (e + 1 + t.below(n - 1)) % n;
                spec.keys[j] = spec.keys[e].clone();
                (ErrorCode::DuplicateKey, Some(spec.keys[e].clone()))
            }
            1 => {
                spec.source[e] = false;
                let at = t.below(spec.deps[e].len() + 1);
                spec.deps[e].insert(at, e as u32);
                (ErrorCode::SelfDep, Some(spec.keys[e].clone()))
            }
            2 => {
                spec.source[e] = false;
                let bad = n as u32 + t.below(3) as u32;
                let at = t.below(spec.deps[e].len() + 1);
                spec.deps[e].insert(at, bad);
                (ErrorCode::UnknownDep, Some(spec.keys[e].clone()))
            }
            3 => {
                let bad = ["", "a//b", "/a", "a/", "a/..", ".", "x/./y", "a b", "é", "a\nb", "tab\t"][t.below(11)];
                spec.keys[e] = bad.to_owned();
                (ErrorCode::InvalidKey, Some(bad.to_owned()))
            }
            4 => {
                // A source with dependencies: give a non-source logical asset with deps the flag.
                no_sources(&mut l);
                if let Some(i) = (0..n).find(|&i| !l.deps[i].is_empty()) {
                    let mut s2 = layout(&l, t);
                    let ext = s2.keys.iter().position(|k| *k == l.keys[i]).unwrap_or(0);
                    s2.source[ext] = true;
                    spec = s2;
                    (ErrorCode::SourceWithDeps, Some(l.keys[i].clone()))
                } else {
                    spec = layout(&l, t);
                    spec.deps[0].push(1);
                    spec.source[0] = true;
                    (ErrorCode::SourceWithDeps, Some(spec.keys[0].clone()))
                }
            }
            _ => {
                // Offsets that do not match the arrays.
                let mut a = spec.arrays();
                match t.below(3) {
                    0 => { a.offsets.pop(); }
                    1 => { a.offsets.push(a.deps.len() as u32); }
                    _ => { a.deps.push(0); }
                }
                let keys: Vec<&str> = spec.keys.iter().map(String::as_str).collect();
                let r = Graph::build(GraphInput { keys: &keys, dep_offsets: &a.offsets, deps: &a.deps, sources: None, labels: None });
                prop_assert_eq!(r.err().map(|e| e.code), Some(ErrorCode::InvalidInput));
                return Ok(());
            }
        };
        let err = spec.build().err();
        prop_assert!(err.is_some(), "{:?} expected", code);
        let err = err.unwrap_or_else(|| unreachable!());
        prop_assert_eq!(err.code, code, "{}", err);
        if let Some(k) = key {
            prop_assert_eq!(err.keys.first(), Some(&k), "{}", err);
        }
        prop_assert!(!err.message.is_empty());
    }

    #[test]
    fn garbage_never_panics(
        keys in vec(prop_oneof![Just("a"), Just("b"), Just("c/d"), Just("e"), Just(""), Just("x y")], 0..7),
        offsets in vec(0u32..9, 0..9),
        deps in vec(0u32..9, 0..10),
        sources in proptest::option::of(vec(0u8..2, 0..8)),
        labels in proptest::option::of((vec(0u32..6, 0..9), vec(0u32..5, 0..8))),
        rec in vec(0u32..20, 0..40),
    ) {
        let names = ["group:g", "tag:t", "kind:k"];
        let label_input = labels.as_ref().map(|(off, ids)| LabelInput { names: &names, offsets: off, ids });
        let built = Graph::build(GraphInput { keys: &keys, dep_offsets: &offsets, deps: &deps, sources: sources.as_deref(), labels: label_input });
        if let Ok(g) = built {
            prop_assert_eq!(g.len(), keys.len());
            let n = g.len();
            let mut p = Planner::new(g);
            let all: Vec<u32> = (0..n as u32).collect();
            prop_assert!(p.statuses(&all).is_ok());
            prop_assert!(p.plan(None, false).is_ok());
            prop_assert!(p.plan(Some(&all), true).is_ok());
            let _ = p.select(&["*"]);
            let _ = p.select(&["group:g or tag:t"]);
            // A garbage record batch: Ok or Err, never a panic.
            let t = &mut Tape::new(&rec);
            let m = t.below(4);
            let ids: Vec<u32> = (0..m).map(|_| t.below(n + 2) as u32).collect();
            let hashes = |t: &mut Tape, count: usize| vec![7u8; 16 * count + usize::from(t.pct(10))];
            let code = hashes(t, m);
            let cfg = hashes(t, m);
            let data = hashes(t, m);
            let mut offs: Vec<u32> = vec![0];
            for _ in 0..m {
                let last = *offs.last().unwrap_or(&0);
                offs.push(last + t.below(3) as u32);
            }
            if t.pct(10) {
                offs.push(1);
            }
            let nd = *offs.last().unwrap_or(&0) as usize;
            let rdeps: Vec<u32> = (0..nd).map(|_| t.below(n + 3) as u32).collect();
            let vers = hashes(t, nd);
            let externs = ["gone/a"];
            let b = RecordBatch { ids: &ids, code_versions: &code, config_hashes: &cfg, data_versions: &data, dep_offsets: &offs, deps: &rdeps, dep_versions: &vers, extern_keys: &externs };
            let _ = p.apply_records(&b);
            let _ = p.load_records(&b);
            prop_assert!(p.plan(None, false).is_ok());
            prop_assert!(p.root_causes(&all).is_ok());
            prop_assert!(p.causes(&all).is_ok());
            let _ = p.to_json();
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Hand-written stories.

struct Story {
    p: Planner,
}

impl Story {
    /// `raw` (a source) <- `a` <- `b`; `c` depends on `a` and `b`.
    fn new() -> Story {
        let g = Graph::from_keyed(
            &[
                ("b", &["a"]),
                ("raw", &[]),
                ("a", &["raw"]),
                ("c", &["a", "b"]),
            ],
            &["raw"],
        )
        .expect("graph");
        Story { p: Planner::new(g) }
    }
    fn id(&self, k: &str) -> u32 {
        self.p.graph().find_ext(k).expect("key").0
    }
    fn code(&mut self, k: &str, v: u32) {
        let id = self.id(k);
        self.p
            .set_code_versions(&[id], &h("code", v))
            .expect("code");
    }
    fn observe(&mut self, k: &str, v: u32) {
        let id = self.id(k);
        self.p.set_observed(&[id], &h("data", v)).expect("observe");
    }
    /// Records a build of `k` with code `code`, data `data`, consuming `deps` at the given versions.
    /// Returns the keys `apply_records` reports as now dirty.
    fn record(&mut self, k: &str, code: u32, data: u32, deps: &[(&str, u32)]) -> Vec<String> {
        let n = self.p.graph().len() as u32;
        let mut externs: Vec<&str> = Vec::new();
        let ids: Vec<u32> = deps
            .iter()
            .map(|(d, _)| {
                self.p
                    .graph()
                    .find_ext(d)
                    .map(u32::from)
                    .unwrap_or_else(|| {
                        externs.push(d);
                        n + externs.len() as u32 - 1
                    })
            })
            .collect();
        let vers: Vec<u8> = deps.iter().flat_map(|(_, v)| h("data", *v)).collect();
        let b = RecordBatch {
            ids: &[self.id(k)],
            code_versions: &h("code", code),
            config_hashes: &ZERO,
            data_versions: &h("data", data),
            dep_offsets: &[0, ids.len() as u32],
            deps: &ids,
            dep_versions: &vers,
            extern_keys: &externs,
        };
        let out = self.p.apply_records(&b).expect("apply");
        out.iter()
            .map(|&v| self.p.graph().key(v).to_owned())
            .collect()
    }
    fn status(&self, k: &str) -> u8 {
        self.p.statuses(&[self.id(k)]).expect("status")[0]
    }
    fn causes(&self, k: &str) -> Vec<(CauseKind, Option<String>)> {
        let t = self.p.causes(&[self.id(k)]).expect("causes");
        t.kinds
            .iter()
            .zip(&t.deps)
            .map(|(&kind, &d)| {
                (
                    kind_of(kind),
                    (d != NO_DEP).then(|| self.p.dep_key(d).expect("key").to_owned()),
                )
            })
            .collect()
    }
    fn roots(&self, k: &str) -> Vec<(String, CauseKind)> {
        let t = self.p.root_causes(&[self.id(k)]).expect("roots");
        t.ids
            .iter()
            .zip(&t.kinds)
            .map(|(&e, &kind)| (self.p.graph().key_ext(e).to_owned(), kind_of(kind)))
            .collect()
    }
    /// The plan as layers of keys.
    fn plan(
        &mut self,
        sel: Option<&[&str]>,
        force: bool,
    ) -> (Vec<Vec<String>>, Vec<(String, String)>) {
        let ids: Option<Vec<u32>> = sel.map(|s| s.iter().map(|k| self.id(k)).collect());
        let plan = self.p.plan(ids.as_deref(), force).expect("plan");
        let g = self.p.graph();
        let layers = plan
            .layer_offsets
            .windows(2)
            .map(|w| {
                plan.ids[w[0] as usize..w[1] as usize]
                    .iter()
                    .map(|&e| g.key_ext(e).to_owned())
                    .collect()
            })
            .collect();
        let missing = plan
            .missing_inputs
            .iter()
            .map(|&(v, u)| (g.key_ext(v).to_owned(), g.key_ext(u).to_owned()))
            .collect();
        (layers, missing)
    }
    fn layers(&mut self) -> Vec<Vec<String>> {
        self.plan(None, false).0
    }
}

fn ks(layers: &[&[&str]]) -> Vec<Vec<String>> {
    layers
        .iter()
        .map(|l| l.iter().map(|s| (*s).to_owned()).collect())
        .collect()
}

fn key(s: &str) -> Option<String> {
    Some(s.to_owned())
}

/// Builds everything once: raw observed at 1; a, b, c at code 1.
fn built_story() -> Story {
    let mut s = Story::new();
    for k in ["a", "b", "c"] {
        s.code(k, 1);
    }
    s.observe("raw", 1);
    s.record("a", 1, 10, &[("raw", 1)]);
    s.record("b", 1, 20, &[("a", 10)]);
    s.record("c", 1, 30, &[("a", 10), ("b", 20)]);
    s
}

#[test]
fn story_nothing_built() {
    let mut s = Story::new();
    for k in ["raw", "a", "b", "c"] {
        assert_eq!(s.status(k), MISSING, "{k}");
        assert_eq!(s.roots(k), [(k.to_owned(), CauseKind::Missing)]);
        assert!(s.causes(k).is_empty());
    }
    assert_eq!(
        s.layers(),
        ks(&[&["a"], &["b"], &["c"]]),
        "sources are never planned"
    );
    // b alone: its input a is missing and outside the selection.
    assert_eq!(
        s.plan(Some(&["b"]), false),
        (ks(&[&["b"]]), vec![("b".to_owned(), "a".to_owned())])
    );
    assert_eq!(
        s.plan(Some(&["raw", "a", "b"]), true).0,
        ks(&[&["a"], &["b"]])
    );
}

#[test]
fn story_fresh_graph_has_empty_plan() {
    let mut s = built_story();
    for k in ["raw", "a", "b", "c"] {
        assert_eq!(s.status(k), FRESH, "{k}");
        assert!(s.roots(k).is_empty());
    }
    assert!(s.layers().is_empty());
    assert_eq!(s.p.planned_count(), 0);
    // Forced: everything but the source, in layers.
    assert_eq!(s.plan(None, true).0, ks(&[&["a"], &["b"], &["c"]]));
}

#[test]
fn story_first_record_leaves_the_plan() {
    // A missing asset that gets its first record must leave the maintained plan.
    let mut s = Story::new();
    s.code("a", 1);
    s.observe("raw", 1);
    assert_eq!(s.layers(), ks(&[&["a"], &["b"], &["c"]]));
    s.record("a", 1, 10, &[("raw", 1)]);
    assert_eq!(s.status("a"), FRESH);
    assert_eq!(s.layers(), ks(&[&["b"], &["c"]]));
    // A first record that is already stale keeps it planned.
    s.record("b", 7, 20, &[("a", 10)]);
    assert_eq!(s.status("b"), STALE);
    assert_eq!(s.layers(), ks(&[&["b"], &["c"]]));
}

#[test]
fn story_code_change_and_early_cutoff() {
    let mut s = built_story();
    // Code change on a: a stale, b and c fresh but planned.
    s.code("a", 2);
    assert_eq!(s.status("a"), STALE);
    assert_eq!(s.causes("a"), [(CauseKind::CodeChanged, None)]);
    assert_eq!(s.roots("a"), [("a".to_owned(), CauseKind::CodeChanged)]);
    assert_eq!(s.status("b"), FRESH);
    assert!(s.causes("b").is_empty() && s.roots("b").is_empty());
    assert_eq!(s.layers(), ks(&[&["a"], &["b"], &["c"]]));

    // Re-materialize a with the identical data version: nothing downstream needs a run.
    assert!(s.record("a", 2, 10, &[("raw", 1)]).is_empty());
    assert_eq!(s.status("a"), FRESH);
    assert_eq!(s.status("b"), FRESH);
    assert!(s.layers().is_empty());

    // Code change again, and this time a new data version: b and c stale.
    s.code("a", 3);
    assert_eq!(s.record("a", 3, 11, &[("raw", 1)]), ["b", "c"]);
    assert_eq!(s.status("a"), FRESH);
    assert_eq!(s.status("b"), STALE);
    assert_eq!(s.causes("b"), [(CauseKind::UpstreamDataChanged, key("a"))]);
    assert_eq!(s.roots("b"), [("a".to_owned(), CauseKind::NewDataVersion)]);
    assert_eq!(s.layers(), ks(&[&["b"], &["c"]]));
    // b rebuilt to a new version: c now has two upstream causes, one root (a) and b.
    assert_eq!(s.record("b", 1, 21, &[("a", 11)]), ["c"]);
    assert_eq!(
        s.causes("c"),
        [
            (CauseKind::UpstreamDataChanged, key("a")),
            (CauseKind::UpstreamDataChanged, key("b"))
        ]
    );
    assert_eq!(
        s.roots("c"),
        [
            ("a".to_owned(), CauseKind::NewDataVersion),
            ("b".to_owned(), CauseKind::NewDataVersion)
        ]
    );
    s.record("c", 1, 31, &[("a", 11), ("b", 21)]);
    assert!(s.layers().is_empty());
}

#[test]
fn story_source_changed() {
    let mut s = built_story();
    s.observe("raw", 2);
    assert_eq!(s.status("raw"), FRESH, "a source is never stale");
    assert_eq!(s.status("a"), STALE);
    assert_eq!(
        s.causes("a"),
        [(CauseKind::UpstreamDataChanged, key("raw"))]
    );
    assert_eq!(s.roots("a"), [("raw".to_owned(), CauseKind::SourceChanged)]);
    assert_eq!(s.status("b"), FRESH);
    assert_eq!(s.layers(), ks(&[&["a"], &["b"], &["c"]]));
    // Observing the old version again: fresh again, empty plan.
    s.observe("raw", 1);
    assert_eq!(s.status("a"), FRESH);
    assert!(s.layers().is_empty());
    // Stale chain: a stale from raw, b stale from a's code -> roots in topological order.
    s.observe("raw", 3);
    s.code("b", 9);
    s.record("a", 1, 12, &[("raw", 1)]); // a built against an old raw: still stale
    assert_eq!(s.status("a"), STALE);
    assert_eq!(
        s.causes("b"),
        [
            (CauseKind::CodeChanged, None),
            (CauseKind::UpstreamDataChanged, key("a"))
        ]
    );
    assert_eq!(s.causes("c"), [(CauseKind::UpstreamDataChanged, key("a"))]);
    assert_eq!(s.roots("c"), [("raw".to_owned(), CauseKind::SourceChanged)]);
    assert_eq!(
        s.roots("b"),
        [
            ("raw".to_owned(), CauseKind::SourceChanged),
            ("b".to_owned(), CauseKind::CodeChanged)
        ]
    );
}

#[test]
fn story_deps_added_removed_and_config() {
    let mut s = built_story();
    // b's record consumed an extern key and not a.
    s.record("b", 1, 20, &[("old/x", 5)]);
    assert_eq!(s.status("b"), STALE);
    assert_eq!(
        s.causes("b"),
        [
            (CauseKind::DepAdded, key("a")),
            (CauseKind::DepRemoved, key("old/x"))
        ]
    );
    assert_eq!(
        s.roots("b"),
        [
            ("b".to_owned(), CauseKind::DepAdded),
            ("b".to_owned(), CauseKind::DepRemoved)
        ]
    );
    // Config change on c (recorded config is zero).
    let c = s.id("c");
    s.p.set_config_hashes(&[c], &h("config", 1))
        .expect("config");
    assert_eq!(s.causes("c")[0], (CauseKind::ConfigChanged, None));
    let json = s.p.to_json();
    assert!(json.contains("\"dep_removed\",\"dep\":\"old/x\""), "{json}");
    assert!(json.contains("\"config_changed\""), "{json}");
}

#[test]
fn story_graph_errors() {
    let e = Graph::from_keyed(
        &[("x", &["a"]), ("b", &["c"]), ("a", &["b"]), ("c", &["a"])],
        &[],
    )
    .expect_err("cycle");
    assert_eq!(e.code, ErrorCode::Cycle);
    assert_eq!(e.keys, ["a", "b", "c"]);
    assert!(e.message.contains("a -> b -> c -> a"), "{}", e.message);
    let e = Graph::from_keyed(&[("a", &["a"])], &[]).expect_err("self");
    assert_eq!(e.code, ErrorCode::SelfDep);
    let e = Graph::from_keyed(&[("a", &[]), ("a", &[])], &[]).expect_err("dup");
    assert_eq!(e.code, ErrorCode::DuplicateKey);
    let e = Graph::build(GraphInput {
        keys: &["a"],
        dep_offsets: &[0, 1],
        deps: &[3],
        sources: None,
        labels: None,
    })
    .expect_err("oob");
    assert_eq!(e.code, ErrorCode::UnknownDep);
}

/// An observation of a source shares the slot of the source's record data version: it wins over any
/// record of the source (loaded or applied later) and survives `load_records`.
#[test]
fn story_observation_wins_over_source_records() {
    let g = Graph::from_keyed(&[("s", &[]), ("a", &["s"])], &["s"]).expect("graph");
    let mut p = Planner::new(g);
    let h = |b: u8| [b; 16];
    let (s, a) = (0u32, 1u32);
    p.set_observed(&[s], &h(1)).expect("observe");
    // Records: the source with data 9, `a` having consumed the source at 1.
    let zeros = [0u8; 32];
    let data: Vec<u8> = [h(9), h(5)].concat();
    let records = RecordBatch {
        ids: &[s, a],
        code_versions: &zeros,
        config_hashes: &zeros,
        data_versions: &data,
        dep_offsets: &[0, 0, 1],
        deps: &[s],
        dep_versions: &h(1),
        extern_keys: &[],
    };
    p.load_records(&records).expect("load");
    assert_eq!(p.statuses(&[s, a]).expect("ids"), [FRESH, FRESH]);
    // A new record of the source does not replace the observation.
    let rec = RecordBatch {
        ids: &[s],
        code_versions: &zeros[..16],
        config_hashes: &zeros[..16],
        data_versions: &h(7),
        dep_offsets: &[0, 0],
        deps: &[],
        dep_versions: &[],
        extern_keys: &[],
    };
    assert!(p.apply_records(&rec).expect("apply").is_empty());
    assert_eq!(p.statuses(&[a]).expect("ids"), [FRESH]);
    // A new observation makes `a` stale, and reloading the records keeps it.
    p.set_observed(&[s], &h(2)).expect("observe");
    assert_eq!(p.statuses(&[a]).expect("ids"), [STALE]);
    p.load_records(&records).expect("reload");
    assert_eq!(p.statuses(&[s, a]).expect("ids"), [FRESH, STALE]);
}
