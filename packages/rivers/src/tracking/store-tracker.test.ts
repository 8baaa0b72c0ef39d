/** The built-in tracker against the `Tracker` conformance suite, on a real SQLite store. */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'

import { trackerConformance } from '@rivers-orchestrator/conformance'

import { SqliteStore } from '../store/sqlite-store.js'
import { StoreTracker } from './store-tracker.js'

trackerConformance('StoreTracker', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'rivers-tracker-'))
  const store = SqliteStore.open(path.join(dir, '.rivers'))
  await store.beginRun({ id: 'r1', selection: ['*'], force: false })
  const keys = new Map<number, string>()
  const h = Buffer.alloc(16, 7)
  return {
    tracker: new StoreTracker(store),
    newRecordId: async () => {
      const key = `model/train-${keys.size}`
      const id = await store.recordMaterialization({
        runId: 'r1',
        key,
        codeVersion: h,
        configHash: h,
        dataVersion: h,
        inputs: [],
        startedAt: new Date(),
        finishedAt: new Date(),
      })
      keys.set(id, key)
      return id
    },
    paramsOf: async (recordId) => {
      const [record] = await store.assetHistory(keys.get(recordId)!, { limit: 1 })
      if (record === undefined) throw new Error(`no record ${recordId}`)
      return record.params
    },
    cleanup: async () => {
      await store.close()
      rmSync(dir, { recursive: true, force: true })
    },
  }
})
