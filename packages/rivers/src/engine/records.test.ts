/**
 * Loading the store's latest records into the core by key: records of assets that left the project
 * are dropped, recorded inputs that are no longer assets become `dep_removed`, and a store without
 * the packed read gives the same statuses as one with it.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'

import { afterEach, beforeEach, describe, expect, it } from 'vitest'

import { asset, defineProject } from '../definitions/index.js'
import { openWorkspace } from '../open.js'
import { SqliteStore } from '../store/sqlite-store.js'
import type { Store } from '../store/store.js'

let dir: string
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'rivers-records-'))
})
afterEach(() => rmSync(dir, { recursive: true, force: true }))

const raw = asset({ key: 'raw', codeVersion: 'v1' }, () => 1)
const old = asset({ key: 'old', codeVersion: 'v1' }, () => 2)
const before = defineProject({
  assets: [raw, old, asset({ key: 'model', codeVersion: 'v1', deps: { raw, old } }, ({ raw, old }) => raw + old)],
})
// `old` is gone: `model` no longer reads it, and its record is no longer an asset's.
const after = defineProject({
  assets: [asset({ key: 'model', codeVersion: 'v1', deps: { raw } }, ({ raw }) => raw), raw],
})

/** A store that only implements the columnar read (as a third-party store may). */
function withoutPackedRead(store: SqliteStore): Store {
  return new Proxy(store, {
    get(target, prop) {
      if (prop === 'latestRecordsPacked') return undefined
      const v = Reflect.get(target, prop, target) as unknown
      return typeof v === 'function' ? v.bind(target) : v
    },
  })
}

describe('loading latest records by key', () => {
  it.each([
    ['the packed read', (s: SqliteStore): Store => s],
    ['a store with only latestRecords', withoutPackedRead],
  ])('drops records of removed assets and names removed inputs, through %s', async (_, wrap) => {
    const storeDir = path.join(dir, '.rivers')
    const first = await openWorkspace(before, { storeDir, projectDir: dir, logLevel: 'silent' })
    const summary = await first.materialize()
    await first.close()
    expect(summary.failed).toEqual([])

    const ws = await openWorkspace(after, {
      storeDir,
      projectDir: dir,
      logLevel: 'silent',
      store: wrap(SqliteStore.open(storeDir)),
    })
    try {
      const { assets } = await ws.status()
      expect(assets.map((a) => [a.key, a.status, a.causes.map((c) => `${c.kind}:${c.dep ?? ''}`)])).toEqual([
        ['model', 'stale', ['dep_removed:old']],
        ['raw', 'fresh', []],
      ])
      const rawRun = assets[1]!.last
      expect(rawRun?.runId).toBe(summary.runId)
      expect(rawRun?.dataVersion).toMatch(/^[0-9a-f]{32}$/)
      expect((await ws.versions()).map((v) => v.dataVersion !== '')).toEqual([true, true])

      // A record made in this process is seen at once, and a reload reads the same from the store.
      const run = await ws.materialize({ select: ['model'] })
      const fresh = (await ws.status(['model'])).assets[0]!
      expect([fresh.status, fresh.last?.runId]).toEqual(['fresh', run.runId])
      await ws.reload()
      const reloaded = (await ws.status(['model'])).assets[0]!
      expect(reloaded).toEqual(fresh)
    } finally {
      await ws.close()
    }
  })
})
