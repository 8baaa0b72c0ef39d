/**
 * Issue 14's latency row: from an upstream materialization to the eager downstream run starting
 * (target p95 ≤ 1 s), with real processes, as a user sees it.
 *
 * A temporary project (`latencyProject.ts`: `raw.txt` → `up` → `down`, `down` `when.eager()`) is
 * populated once with `assets materialize`; the real `assets daemon` runs beside it (its default
 * interval unless `interval` is given). Then, `samples` times (after one warm-up), a separate
 * `assets materialize up --force` process records a new data version of `up`, and this process
 * reads the store (its own `SqliteStore` handle) until `down` has a record that consumed that
 * version: the latency is from `up`'s record finishing (its `finishedAt`, written by the materialize
 * process) to the start of the daemon's run that materialized `down` (that run's `startedAt`, written
 * by the daemon). Both clocks are this machine's. The next sample starts once that run finished and
 * a seeded random pause within one interval went by: a materialization started right after the tick
 * that launched the previous run would always land early in the next cycle (and the latency would
 * look shorter than it is). At the end the daemon gets SIGTERM and must exit 0; anything else is a
 * problem in the report.
 *
 * @example
 * await latencyScenario(ctx) // 20 samples, the daemon's default interval
 */
import path from 'node:path'
import { SqliteStore } from '@rivers-orchestrator/rivers/plugin'
import type { Row } from '../results.js'
import type { RunCtx } from '../scenarios/common.js'
import { WORK } from '../scenarios/e2e.js'
import { Rng } from '../rng.js'
import { quantile, summarize } from '../stats.js'
import { type AssetsProcess, assets, startAssets, writeLatencyProject } from './latencyProject.js'

/** The variant of the `automation-latency` row (tickTargets.ts finds it by this). */
export const LATENCY_VARIANT = 'upstream materialization → eager downstream run started'
/** The issue's target for the p95 latency. */
export const LATENCY_TARGET_MS = 1000

/** Options of the latency row. */
export interface LatencyOptions {
  /** Timed samples (default 20), after one warm-up sample. */
  samples?: number
  /** `assets daemon --interval` (e.g. `'200ms'`); absent: the daemon's default. */
  interval?: string
  /** The project folder (default `benches/.work/latency`). */
  dir?: string
}

/** One sample: ms from `up` recorded to the start of the daemon's run of `down`, and to `down`'s own start. */
interface Sample {
  runMs: number
  downMs: number
}

/**
 * Records `up` once through a separate `assets materialize up --force` and waits (at most
 * `timeoutMs`) for the daemon's run of `down` that consumed it to finish.
 */
async function sample(dir: string, store: SqliteStore, timeoutMs: number): Promise<Sample> {
  const forced = await assets(dir, ['materialize', 'up', '--force'])
  if (forced.code !== 0) throw new Error(`assets materialize up --force exited ${forced.code}:\n${forced.output}`)
  const up = await store.currentRecord('up')
  if (up === undefined) throw new Error('assets materialize up --force left no record of up')
  const end = Date.now() + timeoutMs
  for (;;) {
    const down = await store.currentRecord('down')
    if (down?.inputs.some((i) => i.key === 'up' && i.dataVersion === up.dataVersion)) {
      const run = await store.getRun(down.runId)
      if (run?.finishedAt) {
        const finished = Date.parse(up.finishedAt)
        return { runMs: Date.parse(run.startedAt) - finished, downMs: Date.parse(down.startedAt) - finished }
      }
    }
    if (Date.now() > end)
      throw new Error(`the daemon did not materialize down within ${timeoutMs} ms of up's new record (run ${up.runId})`)
    await new Promise((r) => setTimeout(r, 10))
  }
}

/** Stops the daemon with SIGTERM; a problem unless it exits 0 within 30 s. */
async function stopDaemon(ctx: RunCtx, daemon: AssetsProcess): Promise<number | null | 'timeout'> {
  daemon.child.kill('SIGTERM')
  const timeout = new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), 30_000).unref())
  const code = await Promise.race([daemon.exited, timeout])
  if (code === 'timeout') daemon.child.kill('SIGKILL')
  if (code !== 0)
    ctx.problem(`eager latency: the daemon did not exit 0 on SIGTERM (${code}); output:\n${daemon.output()}`)
  return code
}

/** The `automation-latency` row; returns it (undefined when no sample completed, a problem then). */
export async function latencyScenario(ctx: RunCtx, options: LatencyOptions = {}): Promise<Row | undefined> {
  const count = options.samples ?? 20
  const dir = writeLatencyProject(options.dir ?? path.join(WORK, 'latency'))
  const populated = await assets(dir, ['materialize'])
  if (populated.code !== 0) {
    ctx.problem(`eager latency: assets materialize exited ${populated.code}:\n${populated.output}`)
    return undefined
  }
  // --json: one event per line; `started` carries the interval it ticks at.
  const daemon = startAssets(dir, ['daemon', '--json', ...(options.interval ? ['--interval', options.interval] : [])])
  const samples: Sample[] = []
  let intervalMs = Number.NaN
  let failure: string | undefined
  const store = SqliteStore.open(path.join(dir, '.rivers'))
  try {
    intervalMs = Number((await daemon.waitFor(/"event":"started".*"intervalMs":(\d+)/, 60_000))[1])
    const timeoutMs = Math.max(30_000, 10 * intervalMs)
    const rng = new Rng(14)
    for (let i = 0; i <= count; i++) {
      await new Promise((r) => setTimeout(r, rng.int(Math.ceil(intervalMs))))
      const s = await sample(dir, store, timeoutMs)
      if (i > 0) samples.push(s) // the first one warms the daemon up
      ctx.log(
        `    eager latency ${i === 0 ? 'warm-up' : `${i}/${count}`}: ${s.runMs} ms to the run, ${s.downMs} ms to down`,
      )
    }
  } catch (e) {
    failure = (e as Error).message
  } finally {
    await store.close()
    const code = await stopDaemon(ctx, daemon)
    if (code === 0 && !daemon.output().includes('"event":"stopped"'))
      ctx.problem(`eager latency: the daemon exited 0 without saying it released its lease:\n${daemon.output()}`)
  }
  if (failure !== undefined) ctx.problem(`eager latency: ${failure}\ndaemon output:\n${daemon.output()}`)
  if (samples.length === 0) return undefined
  const runMs = Float64Array.from(samples, (s) => s.runMs).sort()
  const downMs = Float64Array.from(samples, (s) => s.downMs).sort()
  const p95 = quantile(runMs, 0.95)
  const row: Row = {
    scenario: 'automation-latency',
    variant: LATENCY_VARIANT,
    shape: 'raw → up → down (eager)',
    order: 'topo',
    n: 2,
    impl: 'rivers',
    stats: summarize(Array.from(runMs, (ms) => ms * 1e6)),
    work: { nodes: 3, edges: 2 },
    extra: {
      intervalMs,
      defaultInterval: options.interval === undefined,
      p50Ms: quantile(runMs, 0.5),
      p95Ms: p95,
      maxMs: runMs[runMs.length - 1] ?? Number.NaN,
      downStartP50Ms: quantile(downMs, 0.5),
      downStartP95Ms: quantile(downMs, 0.95),
      trigger: 'assets materialize up --force (separate process)',
      targetMs: LATENCY_TARGET_MS,
      met: p95 <= LATENCY_TARGET_MS,
    },
  }
  ctx.rows.push(row)
  ctx.log(
    `    eager latency (interval ${intervalMs} ms, ${samples.length} samples): p50 ${row.extra?.p50Ms} ms, p95 ${p95} ms, max ${row.extra?.maxMs} ms`,
  )
  return row
}
