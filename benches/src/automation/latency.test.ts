/**
 * The eager-latency row with real processes and two samples: the daemon materializes `down` after
 * each separate `assets materialize up --force`, the row and its target are filled in, and the
 * daemon exits 0 on SIGTERM (a problem otherwise).
 */
import path from 'node:path'
import { expect, it } from 'vitest'
import { QUICK } from '../profile.js'
import type { RunCtx } from '../scenarios/common.js'
import { WORK } from '../scenarios/e2e.js'
import { LATENCY_VARIANT, latencyScenario } from './latency.js'
import { evaluateTickTargets } from './tickTargets.js'

it('measures upstream materialization → eager downstream run with a real daemon', { timeout: 180_000 }, async () => {
  const problems: string[] = []
  const ctx: RunCtx = { profile: QUICK, rows: [], memory: [], problem: (m) => problems.push(m), log: () => {} }
  const row = await latencyScenario(ctx, { samples: 2, interval: '200ms', dir: path.join(WORK, 'latency-test') })
  expect(problems).toEqual([])
  expect(row).toBeDefined()
  expect(ctx.rows).toEqual([row])
  expect(row).toMatchObject({ scenario: 'automation-latency', variant: LATENCY_VARIANT, stats: { samples: 2 } })
  const e = row?.extra ?? {}
  expect(e).toMatchObject({ intervalMs: 200, defaultInterval: false, targetMs: 1000 })
  // Latencies are real durations: the run starts after up's record, and down starts within that run.
  expect(Number(e.p50Ms)).toBeGreaterThanOrEqual(0)
  expect(Number(e.downStartP50Ms)).toBeGreaterThanOrEqual(Number(e.p50Ms))
  expect(Number(e.maxMs)).toBeGreaterThanOrEqual(Number(e.p95Ms))
  const latency = evaluateTickTargets(ctx.rows).find((t) => t.id === '14-latency')
  expect(latency?.verdict).toMatch(/^(PASS|MISS)$/)
  expect(latency?.measured).toContain('2 samples, daemon interval 200 ms')
})
