/**
 * Issue 12's executor rows: `assets materialize --json` of every trivial asset of a generated project
 * (dbt-like or hub-shaped) into a fresh store, one run per shape and size. A run longer than the
 * profile's cap is cancelled with SIGTERM (the CLI ends the run `cancelled` and prints its summary):
 * the per-asset cost is then over the assets it materialized, and the row says it was capped.
 */
import { readFileSync, rmSync } from 'node:fs'
import path from 'node:path'
import type { Shape } from '../graphs.js'
import { summarize } from '../stats.js'
import type { RunCtx } from './common.js'
import { runCli, writeProject } from './e2e.js'

/** The row variant of these runs (the targets find them by it). */
export const EXECUTOR_VARIANT = 'executor run, one sample (summary durationMs ÷ materialized)'

/** The part of `materialize --json` these rows read. */
interface Summary {
  status: string
  materialized: unknown[]
  failed: unknown[]
  durationMs: number
}

/** One `materialize` of `n` assets of `shape`, cancelled after `capS` seconds. */
export async function e2eExecutorScenario(ctx: RunCtx, shape: Shape, n: number, capS: number): Promise<void> {
  const config = writeProject(`materialize-${shape}-${n}`, n, shape)
  const dir = path.dirname(config)
  const store = path.join(dir, 'store')
  rmSync(store, { recursive: true, force: true })
  const t0 = performance.now()
  const r = await runCli(['materialize', '--json', '--project', config, '--store', store], dir, capS * 1000)
  const wallMs = performance.now() - t0
  if (r.code !== 0 && !(r.capped && r.code === 130) && !(r.capped && r.code === -1))
    return ctx.problem(`assets materialize (${shape} ${n}) exited ${r.code}; see ${path.join(dir, 'stderr.log')}`)
  let s: Summary = { status: 'killed before the run started', materialized: [], failed: [], durationMs: capS * 1000 }
  if (r.code === -1)
    ctx.problem(`assets materialize (${shape} ${n}) was still starting when its ${capS} s cap ended it`)
  else s = JSON.parse(readFileSync(r.stdoutFile, 'utf8')) as Summary
  if (s.failed.length > 0) ctx.problem(`assets materialize (${shape} ${n}): ${s.failed.length} assets failed`)
  if (!r.capped && s.status !== 'success')
    ctx.problem(`assets materialize (${shape} ${n}) ended ${s.status}, expected success`)
  // Sources are observed, not materialized: the count is the graph's non-source assets.
  const materialized = s.materialized.length
  ctx.rows.push({
    scenario: 'e2e-materialize',
    variant: EXECUTOR_VARIANT,
    shape,
    order: 'topo',
    n,
    impl: 'rivers',
    stats: summarize([s.durationMs * 1e6]),
    work: { nodes: n, edges: 0, records: materialized },
    extra: {
      materialized,
      perAssetMs: materialized > 0 ? s.durationMs / materialized : Number.POSITIVE_INFINITY,
      capped: r.capped,
      capS,
      wallMs,
      status: s.status,
    },
  })
  rmSync(store, { recursive: true, force: true })
}
