/**
 * The part of the `Store` conformance suite about automation: ticks, decisions (newest first, with
 * their tick's time, bounded to the newest 100 ticks), state by scope (upserts, one scope at a time)
 * and the unexpired leases the tick engine reads in one query.
 */
import type { Store } from '@rivers-orchestrator/rivers/plugin'
import { describe, expect, it } from 'vitest'

/**
 * Registers the automation tests inside a store's conformance suite; `store()` is the fresh store
 * of the running test.
 *
 * @example
 * storeAutomationTests(() => store)
 */
export function storeAutomationTests(store: () => Store): void {
  describe('automation', () => {
    it('stores ticks and decisions, newest first, with run ids set when the tick finishes', async () => {
      const s = store()
      const t1 = await s.beginTick({ startedAt: new Date('2026-12-05T10:00:00.000Z'), dryRun: false })
      const tree = { kind: 'eager', path: '', value: true, label: 'eager: input raw has a new data version' }
      await s.recordDecisions(t1, [
        { key: 'model', requested: true, tree },
        { key: 'report', requested: false, tree: { ...tree, value: false } },
      ])
      await s.finishTick(t1, { evaluated: 2, requested: 1, runIds: ['run-1'], decisionRuns: [['model', 'run-1']] })
      const t2 = await s.beginTick({ startedAt: new Date('2026-12-05T10:00:05.000Z'), dryRun: false })
      expect(t2).toBeGreaterThan(t1)
      await s.recordDecisions(t2, [{ key: 'model', requested: false, tree: { ...tree, value: false } }])

      const all = await s.automationDecisions()
      expect(all.map((d) => [d.tickId, d.key, d.requested, d.runId])).toEqual([
        [t2, 'model', false, null],
        [t1, 'report', false, null],
        [t1, 'model', true, 'run-1'],
      ])
      expect(all[2]).toMatchObject({ at: '2026-12-05T10:00:00.000Z', partition: '', tree })
      const model = await s.automationDecisions({ key: 'model', limit: 1 })
      expect(model.map((d) => d.tickId)).toEqual([t2])

      const [last, first] = await s.automationTicks()
      expect(last).toMatchObject({ id: t2, finishedAt: null, evaluated: 0, runIds: [] })
      expect(first).toMatchObject({ id: t1, evaluated: 2, requested: 1, runIds: ['run-1'], error: null, dryRun: false })
      expect(first!.finishedAt).not.toBeNull()
    })

    it('keeps the decisions of the newest 100 ticks', async () => {
      const s = store()
      const ids: number[] = []
      for (let i = 0; i < 103; i++) {
        const t = await s.beginTick({ startedAt: new Date(Date.UTC(2026, 11, 5, 10, 0, i)), dryRun: false })
        ids.push(t)
        await s.recordDecisions(t, [{ key: 'a', requested: false, tree: { i } }])
      }
      const kept = await s.automationDecisions({ key: 'a', limit: 1000 })
      expect(kept).toHaveLength(100)
      expect(kept[0]!.tree).toEqual({ i: 102 })
      expect(kept[99]!.tickId).toBe(ids[3])
    })

    it('keeps state by scope, upserted, saved with decisions in one call', async () => {
      const s = store()
      expect(await s.automationState('sensor')).toEqual(new Map())
      await s.saveAutomationState('sensor', [
        ['batches', { cursor: 'b-1' }],
        ['files', { cursor: null }],
      ])
      await s.saveAutomationState('sensor', [['batches', { cursor: 'b-2' }]])
      await s.saveAutomationState('schedule', [['batches', { lastTick: '2026-12-05T02:00:00.000Z' }]])
      expect(await s.automationState('sensor')).toEqual(
        new Map<string, unknown>([
          ['batches', { cursor: 'b-2' }],
          ['files', { cursor: null }],
        ]),
      )
      const t = await s.beginTick({ startedAt: new Date(), dryRun: false })
      await s.recordDecisions(t, [{ key: 'm', requested: true, tree: {} }], {
        scope: 'asset',
        entries: [['m', { evaluatedAt: 5, nodes: { '0': { kind: 'since', trueAt: 4 } } }]],
      })
      expect((await s.automationState('asset')).get('m')).toEqual({
        evaluatedAt: 5,
        nodes: { '0': { kind: 'since', trueAt: 4 } },
      })
    })

    it('lists the leases not expired yet in one call', async () => {
      const s = store()
      expect(await s.tryAcquireLease('a', 'r1', 60_000)).toBe(true)
      expect(await s.tryAcquireLease('b', 'r2', 60_000)).toBe(true)
      expect(await s.tryAcquireLease('c', 'r3', 0)).toBe(true)
      const active = await s.activeLeases()
      expect(active.map((l) => [l.key, l.runId]).sort()).toEqual([
        ['a', 'r1'],
        ['b', 'r2'],
      ])
      expect(await s.activeLeases(Date.now() + 120_000)).toEqual([])
    })
  })
}
