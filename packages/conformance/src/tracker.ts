/**
 * The `Tracker` conformance suite: a tracker takes what the engine tells it of runs and
 * materializations, in every shape the engine sends (params or none, metrics with and without
 * steps, metadata, a storage path or none), and keeps what it says it keeps. Run it from the
 * tracker's own tests: `trackerConformance('StoreTracker', async () => ({ tracker, … }))`.
 */
import type { TrackedMaterialization, Tracker } from '@rivers-orchestrator/rivers'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'

/** A fresh tracker, and what the suite needs to check it. */
export interface TrackerUnderTest {
  tracker: Tracker
  /** A record id the tracker may be told of (a store-backed tracker needs a real record). */
  newRecordId(): Promise<number>
  /** The params the tracker kept for a record, if it keeps params where they can be read back. */
  paramsOf?(recordId: number): Promise<unknown>
  cleanup?: () => Promise<void> | void
}

/**
 * Registers the conformance tests of a `Tracker` implementation.
 *
 * @example
 * trackerConformance('StoreTracker', async () => ({ tracker: new StoreTracker(store), newRecordId, paramsOf }))
 */
export function trackerConformance(name: string, factory: () => Promise<TrackerUnderTest>): void {
  describe(`tracker conformance: ${name}`, () => {
    let under: TrackerUnderTest
    beforeEach(async () => {
      under = await factory()
    })
    afterEach(async () => {
      await under.cleanup?.()
    })

    const materialization = async (extra: Partial<TrackedMaterialization> = {}): Promise<TrackedMaterialization> => ({
      runId: 'r1',
      assetKey: 'model/train',
      recordId: await under.newRecordId(),
      params: { epochs: 3, optimizer: { name: 'adam', lr: 0.01 }, token: '[redacted]' },
      metrics: [
        { name: 'loss', value: 0.9, step: 0 },
        { name: 'loss', value: 0.4, step: 1 },
        { name: 'accuracy', value: 0.93 },
      ],
      metadata: { rows: 120, framework: 'torch' },
      dataVersion: '17ac24a7c55bfb6a038b5fb196d27e63',
      codeVersion: 'b93de105adc28f5d1f8fa6773400273c',
      storagePath: 'model/train/@r1.json',
      startedAt: new Date('2026-01-01T00:00:00.000Z'),
      finishedAt: new Date('2026-01-01T00:00:02.000Z'),
      ...extra,
    })

    it('follows a run: started, a materialization with params, metrics and metadata, finished', async () => {
      const t = under.tracker
      expect(typeof t.name).toBe('string')
      await t.runStarted?.({ runId: 'r1', selection: ['*'], force: false, config: {}, startedAt: new Date() })
      const m = await materialization()
      await t.materialized(m)
      await t.runFinished?.({
        runId: 'r1',
        status: 'success',
        durationMs: 2000,
        materialized: ['model/train'],
        failed: [],
        finishedAt: new Date(),
      })
      if (under.paramsOf !== undefined) expect(await under.paramsOf(m.recordId)).toEqual(m.params)
    })

    it('takes an asset without config (no params) and a record without a storage path', async () => {
      const { storagePath: _none, ...m } = await materialization({ params: undefined })
      await under.tracker.materialized(m)
      if (under.paramsOf !== undefined) expect(await under.paramsOf(m.recordId)).toBeNull()
    })

    it('keeps the params of each record apart', async () => {
      const a = await materialization({ params: { epochs: 1 } })
      const b = await materialization({ params: { epochs: 2 } })
      await under.tracker.materialized(a)
      await under.tracker.materialized(b)
      if (under.paramsOf !== undefined) {
        expect(await under.paramsOf(a.recordId)).toEqual({ epochs: 1 })
        expect(await under.paramsOf(b.recordId)).toEqual({ epochs: 2 })
      }
    })

    it('is told of a failed run', async () => {
      await under.tracker.runStarted?.({
        runId: 'r2',
        selection: ['model'],
        force: true,
        config: {},
        startedAt: new Date(),
      })
      await under.tracker.runFinished?.({
        runId: 'r2',
        status: 'failed',
        durationMs: 10,
        materialized: [],
        failed: [{ key: 'model/train', error: 'boom' }],
        finishedAt: new Date(),
      })
    })
  })
}
