/**
 * Issue 14's tick rows: one automation tick (`Workspace.tick`) over a generated 100k-asset project
 * (`tickProject.ts`: dbt-like, every asset eager) with a populated store, in this process.
 *
 * - `nothing changed`: a tick right after one that found nothing to do.
 * - `100 changed`: before each sample, another store handle (another process, as far as the
 *   workspace knows) records new data versions of 100 assets; the tick must read them and request
 *   exactly their eager descendants (children have a new input; their own descendants come along
 *   because their inputs are requested in the same tick). After the sample the 100 are recorded back at their old versions
 *   (outside the clock), so every sample starts from the same all-fresh state.
 *
 * Each sample also counts the store calls the tick made (every method call on the `Store` seam is a
 * round trip on a server store); the rows keep the median count.
 */
import { mkdirSync, rmSync } from 'node:fs'
import path from 'node:path'
import { openWorkspace, type TickOptions, type Workspace } from '@rivers-orchestrator/rivers'
import { SqliteStore, type Store } from '@rivers-orchestrator/rivers/plugin'
import { populateStore } from '../e2e/populate.js'
import { type Budget, measureAsync } from '../harness.js'
import type { Row } from '../results.js'
import { summarize } from '../stats.js'
import { Rng } from '../rng.js'
import { median, type RunCtx } from '../scenarios/common.js'
import { WORK } from '../scenarios/e2e.js'
import { tickProject } from './tickProject.js'

/** Variants of the `automation-tick` rows (targets.ts finds them by these). */
export const TICK_IDLE = 'one tick, nothing changed'
export const TICK_CHANGED = 'one tick, 100 assets changed'
export const TICK_IDLE_STORED = 'one stored tick (not a dry run), nothing changed'

/** A store that counts the calls made on it (bound to the real store, so its private fields work). */
export function countingStore(inner: Store): { store: Store; calls: () => number; byMethod: Map<string, number> } {
  let calls = 0
  const byMethod = new Map<string, number>()
  const store = new Proxy(inner, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver) as unknown
      if (typeof value !== 'function') return value
      if (prop === 'close') return (value as () => Promise<void>).bind(target)
      return (...args: unknown[]) => {
        calls++
        byMethod.set(String(prop), (byMethod.get(String(prop)) ?? 0) + 1)
        return (value as (...a: unknown[]) => unknown).apply(target, args)
      }
    },
  })
  return { store, calls: () => calls, byMethod }
}

const BUDGET: Budget = { warmup: 2, minSamples: 10, maxSamples: 60, budgetMs: 3000, gcEachSample: true }

/** Both tick rows at `n` assets. */
export async function tickScenario(ctx: RunCtx, n = 100_000, changed = 100, budget: Budget = BUDGET): Promise<void> {
  const dir = path.join(WORK, `tick-${n}`)
  rmSync(dir, { recursive: true, force: true })
  mkdirSync(dir, { recursive: true })
  const storeDir = path.join(dir, 'store')
  const { project, graph } = tickProject(n)
  await populateStore(project, storeDir, dir)

  const counted = countingStore(SqliteStore.open(storeDir))
  const writer = SqliteStore.open(storeDir) // "another process" that materializes assets
  const ws = await openWorkspace(project, { storeDir, projectDir: dir, store: counted.store, logLevel: 'silent' })
  try {
    const versions = new Map((await ws.versions()).map((v) => [v.key, v]))
    // Assets with consumers, in a seeded order; each sample changes the next `changed` of them.
    const children: number[][] = Array.from({ length: graph.n }, () => [])
    for (let v = 0; v < graph.n; v++)
      for (let i = graph.depOffsets[v] ?? 0; i < (graph.depOffsets[v + 1] ?? 0); i++)
        children[graph.deps[i] ?? 0]!.push(v)
    const candidates = [...children.keys()].filter((v) => !graph.sources[v] && children[v]!.length > 0)
    const rng = new Rng(14)
    for (let i = candidates.length - 1; i > 0; i--) {
      const j = rng.int(i + 1)
      ;[candidates[i], candidates[j]] = [candidates[j]!, candidates[i]!]
    }
    const tickOptions: TickOptions = { dryRun: true }
    const first = await ws.tick(tickOptions)
    if (first.requested.length !== 0)
      ctx.problem(
        `tick ${n}: the populated store should need nothing, the first tick requested ${first.requested.length}`,
      )

    await idleRow(ctx, ws, counted, n, tickOptions, budget, TICK_IDLE)
    await changedRow(
      ctx,
      ws,
      counted,
      writer,
      { n, changed, candidates, children, graph, versions, budget },
      tickOptions,
    )
    // A daemon's tick stores its decisions and memory: the idle tick again, stored (it finds nothing
    // to evaluate, so it writes nothing; few samples).
    const stored: Budget = { ...budget, warmup: 1, minSamples: Math.min(3, budget.minSamples), maxSamples: 3 }
    await idleRow(ctx, ws, counted, n, {}, stored, TICK_IDLE_STORED)
  } finally {
    await ws.close()
    await writer.close()
  }
}

async function idleRow(
  ctx: RunCtx,
  ws: Workspace,
  counted: ReturnType<typeof countingStore>,
  n: number,
  options: TickOptions,
  budget: Budget,
  variant: string,
): Promise<void> {
  const queries: number[] = []
  let before = 0
  const m = await measureAsync(() => ws.tick(options), budget, {
    before: () => {
      before = counted.calls()
    },
    after: (i, report) => {
      if (i >= 0) queries.push(counted.calls() - before)
      if (report.requested.length !== 0) ctx.problem(`idle tick ${n}: requested ${report.requested.length} assets`)
    },
  })
  pushRow(ctx, variant, n, m.stats, { storeQueries: median(queries), changed: 0, requested: 0 }, options)
}

interface ChangeSet {
  n: number
  changed: number
  candidates: number[]
  children: number[][]
  graph: ReturnType<typeof tickProject>['graph']
  versions: Map<string, { key: string; codeVersion: string; configHash: string; dataVersion: string }>
  budget: Budget
}

async function changedRow(
  ctx: RunCtx,
  ws: Workspace,
  counted: ReturnType<typeof countingStore>,
  writer: SqliteStore,
  c: ChangeSet,
  options: TickOptions,
): Promise<void> {
  const { graph, versions } = c
  const keyOf = (v: number): string => graph.keys[v] ?? ''
  let batch: number[] = []
  let runs = 0
  /** Records `batch` at `version(v)` through the writer, each consuming its deps' current versions. */
  const record = async (version: (v: number) => string): Promise<void> => {
    const runId = `bench-change-${runs++}`
    await writer.beginRun({ id: runId, selection: batch.map(keyOf), force: true })
    const at = new Date()
    for (const v of batch) {
      const own = versions.get(keyOf(v))!
      const inputs: { key: string; dataVersion: Buffer }[] = []
      for (let i = graph.depOffsets[v] ?? 0; i < (graph.depOffsets[v + 1] ?? 0); i++) {
        const dep = keyOf(graph.deps[i] ?? 0)
        inputs.push({ key: dep, dataVersion: Buffer.from(versions.get(dep)!.dataVersion, 'hex') })
      }
      await writer.recordMaterialization({
        runId,
        key: own.key,
        codeVersion: Buffer.from(own.codeVersion, 'hex'),
        configHash: Buffer.from(own.configHash, 'hex'),
        dataVersion: Buffer.from(version(v), 'hex'),
        inputs,
        startedAt: at,
        finishedAt: at,
      })
    }
    await writer.finishRun(runId, 'success', { bench: true })
  }
  const fresh = (v: number): string => versions.get(keyOf(v))!.dataVersion
  const changedVersion = (v: number): string => (BigInt(`0x${fresh(v)}`) ^ 1n).toString(16).padStart(32, '0')
  const queries: number[] = []
  const requested: number[] = []
  // measureAsync's hooks are synchronous and the changes need awaits: this row runs its own loop.
  const samples: number[] = []
  let sample = 0
  const { budget } = c
  const total = budget.warmup + budget.maxSamples
  const started = performance.now()
  for (let i = 0; i < total; i++) {
    const timed = i >= budget.warmup
    if (timed && samples.length >= budget.minSamples && performance.now() - started > budget.budgetMs) break
    batch = c.candidates.slice((sample * c.changed) % c.candidates.length).slice(0, c.changed)
    sample++
    await record(changedVersion)
    const expected = descendants(batch, c.children)
    const before = counted.calls()
    const t0 = process.hrtime.bigint()
    const report = await ws.tick(options)
    const t1 = process.hrtime.bigint()
    if (timed) {
      samples.push(Number(t1 - t0))
      queries.push(counted.calls() - before)
      requested.push(report.requested.length)
    }
    if (report.requested.length !== expected.size)
      ctx.problem(
        `tick ${c.n}, ${c.changed} changed: requested ${report.requested.length}, expected the ${expected.size} eager descendants`,
      )
    await record(fresh)
    await ws.tick(options) // back to all fresh (outside the clock)
  }
  pushRow(
    ctx,
    TICK_CHANGED,
    c.n,
    summarize(samples),
    { storeQueries: median(queries), changed: c.changed, requested: median(requested) },
    options,
  )
}

function pushRow(
  ctx: RunCtx,
  variant: string,
  n: number,
  stats: Row['stats'],
  extra: Record<string, number>,
  options: TickOptions,
): void {
  ctx.rows.push({
    scenario: 'automation-tick',
    variant,
    shape: 'dbt',
    order: 'topo',
    n,
    impl: 'rivers',
    stats,
    work: { nodes: n, edges: 0 },
    extra: { ...extra, dryRun: options.dryRun === true },
  })
}

/** Every asset downstream of `roots` (not the roots themselves). */
function descendants(roots: readonly number[], children: readonly number[][]): Set<number> {
  const out = new Set<number>()
  const stack = roots.flatMap((v) => children[v]!)
  while (stack.length > 0) {
    const v = stack.pop()!
    if (out.has(v)) continue
    out.add(v)
    for (const w of children[v]!) if (!out.has(w)) stack.push(w)
  }
  return out
}
