/**
 * The planning core at one million assets, through the binding, step by step: build from JS keys,
 * load every record, plan, change one source, re-plan, then run the plan in a simulated executor
 * that re-verifies each asset before it "runs" (early cutoff) and applies each new record. Prints
 * what it did and how long each step took.
 *
 * Usage: node --expose-gc --import tsx benches/src/million.ts [N] (default 1,000,000)
 */
import { generate } from './graphs.js'
import { collectGarbage } from './harness.js'
import { buildNative, nativeBatch } from './native.js'
import { materialized, writeVersion } from './records.js'
import { formatBytes, formatCount, formatNs } from './stats.js'
import { flatKeys } from './workload.js'

const n = Number(process.argv[2] ?? 1_000_000)
const lines: string[] = []
const step = <T>(what: string, fn: () => T, describe: (r: T) => string = () => ''): T => {
  const t0 = process.hrtime.bigint()
  const r = fn()
  const ns = Number(process.hrtime.bigint() - t0)
  const line = `${what.padEnd(52)} ${formatNs(ns).padStart(9)}  ${describe(r)}`
  lines.push(line)
  process.stdout.write(`${line}\n`)
  return r
}

process.stdout.write(`Rivers planning core at ${formatCount(n)} assets (dbt-like graph, shuffled ids)\n\n`)
const generated = step(
  'generate the graph (JS, not Rivers)',
  () => generate('dbt', n, { seed: 1, order: 'shuffled' }),
  (g) => `${formatCount(g.n)} assets, ${formatCount(g.deps.length)} edges`,
)
// Flat key strings, as literals or JSON.parse give them (see `flatKeys` in workload.ts).
const g = { ...generated, keys: flatKeys(generated.keys) }
const mat = step(
  'build the "everything materialized" records (JS)',
  () => materialized(g),
  (m) => `${formatCount(m.batch.ids.length)} records, ${formatCount(m.observedIds.length)} sources`,
)
collectGarbage()
const rss0 = process.memoryUsage().rss
const ng = step(
  'build from JS keys (join + NativeGraph.build)',
  () => buildNative(g),
  (ng) => `validated, topologically sorted; ${formatCount(ng.size)} assets, ${formatCount(ng.edgeCount)} edges`,
)
step('observe every source (setObserved)', () => ng.setObserved(mat.observedIds, mat.observed))
step(
  'load every record (loadRecords)',
  () => ng.loadRecords(nativeBatch(mat.batch)),
  () => `planned now: ${ng.plannedCount()}`,
)
const statuses = step(
  'status of every asset (statuses)',
  () => ng.statuses(),
  (s) => `${formatCount(s.filter((x) => x === 2).length)} fresh`,
)
step(
  'whole-graph plan (plan(null))',
  () => ng.plan(null, false),
  (p) => `${p.ids.length} assets to run`,
)
collectGarbage()
process.stdout.write(
  `${'memory: heapBytes / process RSS growth'.padEnd(52)} ${formatBytes(ng.heapBytes()).padStart(9)}  ${(ng.heapBytes() / n).toFixed(1)} B per asset; RSS +${formatBytes(process.memoryUsage().rss - rss0)}\n`,
)

// One source changes.
const src = mat.observedIds[0] ?? 0
const newVersion = new Uint8Array(16)
writeVersion(newVersion, 0, src, 99)
step(`source ${g.keys[src]} changes (setObserved)`, () => ng.setObserved(Uint32Array.of(src), newVersion))
const plan = step(
  're-plan (plan(null), maintained)',
  () => ng.plan(null, false),
  (p) =>
    `${p.ids.length} assets in ${p.layerOffsets.length - 1} layers: ${[...p.ids.subarray(0, 4)].map((v) => g.keys[v]).join(', ')}${p.ids.length > 4 ? ', …' : ''}`,
)
const roots = ng.rootCauses(plan.ids.subarray(0, 1))
process.stdout.write(
  `${'why (rootCauses of the first planned asset)'.padEnd(52)} ${''.padStart(9)}  ${[...roots.ids].map((v, i) => `${g.keys[v]} ${['code_changed', 'config_changed', 'dep_added', 'dep_removed', '', 'new_data_version', 'source_changed', 'missing'][roots.kinds[i] ?? 0]}`).join(', ')}\n`,
)

// Run the plan: each asset is re-verified just before it runs; the first asset produces a new data
// version, every later one reproduces its old one (so early cutoff stops the wave after one layer).
const current = new Map<number, Uint8Array>([[src, newVersion]])
const versionOf = (u: number): Uint8Array => {
  const v = current.get(u)
  if (v) return v
  const b = new Uint8Array(16)
  writeVersion(b, 0, u, 0)
  return b
}
let ran = 0
let skipped = 0
let firstRan = -1
step(
  'run the plan: needsRun before each asset, applyRecords after',
  () => {
    for (const v of plan.ids) {
      if (!ng.needsRun(v)) {
        skipped++
        continue
      }
      ran++
      const deps = g.deps.subarray(g.depOffsets[v] ?? 0, g.depOffsets[v + 1] ?? 0)
      const data = new Uint8Array(16)
      writeVersion(data, 0, v, firstRan < 0 ? 7 : 0)
      if (firstRan < 0) firstRan = v
      current.set(v, data)
      const depVersions = new Uint8Array(16 * deps.length)
      deps.forEach((u, i) => depVersions.set(versionOf(u), 16 * i))
      ng.applyRecords({
        ids: Uint32Array.of(v),
        codeVersions: new Uint8Array(16),
        configHashes: new Uint8Array(16),
        dataVersions: data,
        depOffsets: Uint32Array.of(0, deps.length),
        deps: Uint32Array.from(deps),
        depVersions,
      })
    }
  },
  () => `${ran} ran, ${skipped} skipped as upstream_unchanged (early cutoff); planned now: ${ng.plannedCount()}`,
)
const rec = step(
  'selection +x (ancestors of the first asset run)',
  () => ng.select([`+${g.keys[firstRan]}`]),
  (ids) => `${ids.length} assets`,
)
step(
  'selection tag:pii',
  () => ng.select(['tag:pii']),
  (ids) => `${formatCount(ids.length)} assets`,
)
if (rec.length === 0 || statuses.length !== n) process.exitCode = 1
