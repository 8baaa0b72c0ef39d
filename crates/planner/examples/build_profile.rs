//! Times the phases of a 1M-asset build and load (a profiling aid; the benchmark harness in
//! `benches/` is the authority). Run: `cargo run --release -p rivers-planner --example build_profile`.
use std::time::Instant;

use rivers_planner::{Graph, GraphInput, Planner, RecordBatch};

fn main() {
    let n: usize = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(1_000_000);
    // A layered graph with ~2 deps per asset, ids shuffled by a multiplicative permutation.
    let perm = |i: usize| (i.wrapping_mul(2_654_435_761) % n as usize) as u32;
    let mut inv = vec![0u32; n];
    for i in 0..n {
        inv[perm(i) as usize] = i as u32;
    }
    let keys: Vec<String> = (0..n)
        .map(|e| format!("d{:03}/model_{}", inv[e] as usize / 500, inv[e]))
        .collect();
    let refs: Vec<&str> = keys.iter().map(String::as_str).collect();
    let mut offsets = vec![0u32];
    let mut deps = Vec::new();
    for &ie in &inv {
        let i = ie as usize;
        for d in [i / 2, i.saturating_sub(7)] {
            if d < i {
                deps.push(perm(d));
            }
        }
        offsets.push(deps.len() as u32);
    }
    let t = Instant::now();
    let g = Graph::build(GraphInput {
        keys: &refs,
        dep_offsets: &offsets,
        deps: &deps,
        sources: None,
        labels: None,
    })
    .expect("valid");
    let build = t.elapsed();
    let t = Instant::now();
    let mut p = Planner::new(g);
    let new = t.elapsed();
    let ids: Vec<u32> = (0..n as u32).collect();
    let zero = vec![0u8; 16 * n];
    let mut data = vec![0u8; 16 * n];
    for i in 0..n {
        data[16 * i..16 * i + 4].copy_from_slice(&(i as u32 + 1).to_le_bytes());
    }
    let mut dv = vec![0u8; 16 * deps.len()];
    for (j, &d) in deps.iter().enumerate() {
        dv[16 * j..16 * j + 16].copy_from_slice(&data[16 * d as usize..16 * d as usize + 16]);
    }
    let t = Instant::now();
    p.load_records(&RecordBatch {
        ids: &ids,
        code_versions: &zero,
        config_hashes: &zero,
        data_versions: &data,
        dep_offsets: &offsets,
        deps: &deps,
        dep_versions: &dv,
        extern_keys: &[],
    })
    .expect("load");
    let load = t.elapsed();
    let t = Instant::now();
    let plan = p.plan(None, false).expect("plan");
    let warm = t.elapsed();
    println!("n={n} build={build:?} new={new:?} load={load:?} warm_plan={warm:?} planned={} bytes/asset={:.1}", plan.ids.len(), p.heap_bytes() as f64 / n as f64);
}
