/**
 * The part of the `Store` conformance suite about artifacts (what gc relies on): pins, the records
 * that still have an artifact, and marking one collected. A current or pinned record is never
 * marked; a collected one cannot be pinned.
 */
import type { NewRecord, Store } from '@rivers-orchestrator/rivers/plugin'
import { isRiversError } from '@rivers-orchestrator/rivers'
import { describe, expect, it } from 'vitest'

const h = (n: number): Buffer => Buffer.alloc(16, n)

/**
 * Registers the artifact tests inside a store's conformance suite; `store()` is the fresh store of
 * the running test.
 *
 * @example
 * storeArtifactTests(() => store)
 */
export function storeArtifactTests(store: () => Store): void {
  const record = (key: string, runId: string, extra: Partial<NewRecord> = {}): Promise<number> =>
    store().recordMaterialization({
      runId,
      key,
      codeVersion: h(1),
      configHash: h(2),
      dataVersion: h(3),
      inputs: [],
      startedAt: new Date('2026-01-01T00:00:00.000Z'),
      finishedAt: new Date('2026-01-01T00:00:01.000Z'),
      storagePath: `${key}/@${runId}.json`,
      ...extra,
    })
  const runs = async (...ids: string[]) => {
    for (const id of ids) await store().beginRun({ id, selection: ['*'], force: false })
  }

  describe('artifacts, pins and collection', () => {
    it('lists records that still have an artifact, newest first, with latest and pinned flags', async () => {
      await runs('r1', 'r2')
      const first = await record('raw', 'r1')
      const second = await record('raw', 'r2')
      await record('src', 'r1', { kind: 'observation', storagePath: undefined })
      await store().pin('raw', { runId: 'r1', note: 'keep' })
      const list = await store().artifactRecords()
      expect(list.map((r) => [r.id, r.key, r.storagePath, r.isLatest, r.pinned, r.wipedAt])).toEqual([
        [second, 'raw', 'raw/@r2.json', true, false, null],
        [first, 'raw', 'raw/@r1.json', false, true, null],
      ])
      expect(await store().artifactRecords(['other'])).toEqual([])
    })

    it('pins the current record or a run’s, with a note; lists and unpins them', async () => {
      await runs('r1', 'r2')
      await record('model', 'r1')
      await record('model', 'r2')
      const current = await store().pin('model', { note: 'registered v2' })
      expect(current).toMatchObject({ key: 'model', runId: 'r2', note: 'registered v2', storagePath: 'model/@r2.json' })
      await store().pin('model', { runId: 'r1' })
      expect((await store().pins('model')).map((p) => [p.runId, p.note])).toEqual([
        ['r2', 'registered v2'],
        ['r1', null],
      ])
      const [latest] = await store().assetHistory('model', { limit: 1 })
      expect(latest?.pin).toMatchObject({ note: 'registered v2' })
      expect(await store().unpin('model', { runId: 'r1' })).toBe(1)
      expect(await store().unpin('model')).toBe(1)
      expect(await store().unpin('model')).toBe(0)
      expect(await store().pins()).toEqual([])
    })

    it('refuses a pin of an asset without a record, or of a run that did not build it, naming both', async () => {
      await runs('r1')
      await record('model', 'r1')
      for (const [key, runId] of [
        ['nothing', undefined],
        ['model', 'r9'],
      ] as const) {
        const err = await store()
          .pin(key, runId === undefined ? {} : { runId })
          .then(
            () => undefined,
            (e: unknown) => e,
          )
        expect(isRiversError(err)).toBe(true)
        expect((err as Error).message).toContain(`'${key}'`)
        if (runId !== undefined) expect((err as Error).message).toContain(runId)
      }
    })

    it('marks only records that are neither current nor pinned; a collected record keeps its row and cannot be pinned', async () => {
      await runs('r1', 'r2', 'r3')
      const a = await record('raw', 'r1')
      const b = await record('raw', 'r2')
      const c = await record('raw', 'r3')
      await store().pin('raw', { runId: 'r2' })
      expect(await store().markCollected([a, b, c])).toEqual([a])
      expect(await store().markCollected([a])).toEqual([])
      expect((await store().artifactRecords()).map((r) => r.id)).toEqual([c, b])
      const history = await store().assetHistory('raw')
      expect(history.find((r) => r.id === a)?.collectedAt).toMatch(/^\d{4}-/)
      expect(history.find((r) => r.id === c)?.collectedAt).toBeNull()
      const err = await store()
        .pin('raw', { runId: 'r1' })
        .then(
          () => undefined,
          (e: unknown) => e,
        )
      expect(isRiversError(err)).toBe(true)
      expect((err as Error).message).toContain('r1')
    })

    it('lists wiped records as wiped, and lets them be collected', async () => {
      await runs('r1')
      const a = await record('raw', 'r1')
      await store().wipe(['raw'])
      const [wiped] = await store().artifactRecords()
      expect(wiped).toMatchObject({ id: a, isLatest: false, pinned: false })
      expect(wiped?.wipedAt).not.toBeNull()
      expect(await store().markCollected([a])).toEqual([a])
    })
  })
}
