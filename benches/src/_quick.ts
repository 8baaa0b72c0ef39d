import { generate, SHAPES, graphStats } from '/work/main/benches/src/graphs.ts'
import { ReferencePlanner } from '/work/main/benches/src/baselines/reference.ts'
for (const s of SHAPES) {
  for (const order of ['topo', 'shuffled'] as const) {
    let t = performance.now()
    const g = generate(s, 1_000_000, { seed: 1, order })
    const gen = performance.now() - t
    t = performance.now()
    const p = new ReferencePlanner(g)
    const build = performance.now() - t
    t = performance.now()
    const plan = p.plan(null, false)
    const pl = performance.now() - t
    console.log(s, order, gen.toFixed(0), build.toFixed(0), pl.toFixed(0), plan.ids.length, plan.layerOffsets.length - 1, JSON.stringify(graphStats(g)), (process.memoryUsage().rss/1e6).toFixed(0))
  }
}
