/** The tick rows on a small generated project: they run, request what they should, and count store calls. */
import { expect, it } from 'vitest'
import { QUICK } from '../profile.js'
import type { Row } from '../results.js'
import type { RunCtx } from '../scenarios/common.js'
import { TICK_CHANGED, TICK_IDLE, TICK_IDLE_STORED, tickScenario } from './tick.js'
import { evaluateTickTargets } from './tickTargets.js'

it('measures an idle tick and a tick after 20 changed assets, with no problem', { timeout: 120_000 }, async () => {
  const problems: string[] = []
  const ctx: RunCtx = { profile: QUICK, rows: [], memory: [], problem: (m) => problems.push(m), log: () => {} }
  await tickScenario(ctx, 2_000, 20, { warmup: 1, minSamples: 3, maxSamples: 3, budgetMs: 0 })
  expect(problems).toEqual([])
  const idle = ctx.rows.find((r) => r.variant === TICK_IDLE) as Row
  const changed = ctx.rows.find((r) => r.variant === TICK_CHANGED) as Row
  expect(idle.extra).toMatchObject({ changed: 0, requested: 0 })
  expect(changed.extra?.changed).toBe(20)
  expect(Number(changed.extra?.requested)).toBeGreaterThan(0)
  expect(Number(changed.extra?.storeQueries)).toBeGreaterThan(0)
  expect(changed.stats.samples).toBe(3)
  const stored = ctx.rows.find((r) => r.variant === TICK_IDLE_STORED) as Row
  expect(stored.extra).toMatchObject({ requested: 0, dryRun: false })
  // A stored tick that found nothing to evaluate writes nothing: the same two reads as a dry run
  // (the records since its cursor, the leases).
  expect(Number(stored.extra?.storeQueries)).toBe(2)
  expect(Number(idle.extra?.storeQueries)).toBe(2)
  // Targets are judged at 100k only: a 2k run leaves them not measured.
  expect(evaluateTickTargets(ctx.rows).map((t) => t.verdict)).toEqual(['NOT MEASURED', 'NOT MEASURED', 'NOT MEASURED'])
})
