/**
 * The automation migration on a store written before it (version 4): its runs and records stay,
 * and the automation tables work. The behaviour of the tables: the conformance suite
 * (packages/conformance/src/store-automation.ts, run from sqlite-store.test.ts).
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { afterEach, beforeEach, expect, it } from 'vitest'
import { MIGRATIONS, migrate, SCHEMA_VERSION } from './migrations.js'
import { SqliteStore } from './sqlite-store.js'

let tmp: string
beforeEach(() => {
  tmp = mkdtempSync(join(tmpdir(), 'rivers-automation-'))
})
afterEach(() => rmSync(tmp, { recursive: true, force: true }))

it('migrates a version 4 store: records stay, automation tables work', async () => {
  // A store as Rivers wrote it before automation: schema version 4, one run and one record.
  const file = join(tmp, 'rivers.db')
  const old = new Database(file)
  migrate(
    old,
    MIGRATIONS.filter((m) => m.version <= 4),
  )
  old
    .prepare(
      "INSERT INTO runs (id, started_at, status, selection) VALUES ('r1', '2026-01-01T00:00:00.000Z', 'success', '[]')",
    )
    .run()
  old
    .prepare(
      `INSERT INTO materializations (run_id, asset_key, code_version, config_hash, data_version, started_at, finished_at, duration_ms)
       VALUES ('r1', 'raw', ?, ?, ?, '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:01.000Z', 1000)`,
    )
    .run(Buffer.alloc(16, 1), Buffer.alloc(16, 2), Buffer.alloc(16, 3))
  old.close()
  const before = new Database(file)
  expect(before.pragma('user_version', { simple: true })).toBe(4)
  before.close()

  const store = SqliteStore.open(tmp)
  try {
    const db = new Database(file, { readonly: true })
    expect(db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION)
    db.close()
    expect((await store.assetHistory('raw')).map((r) => r.runId)).toEqual(['r1'])
    const tick = await store.beginTick({ startedAt: new Date(), dryRun: false })
    await store.recordDecisions(tick, [{ key: 'raw', requested: false, tree: { kind: 'missing' } }], {
      scope: 'asset',
      entries: [['raw', { evaluatedAt: 1, nodes: {} }]],
    })
    expect((await store.automationDecisions({ key: 'raw' })).map((d) => d.tree)).toEqual([{ kind: 'missing' }])
    expect((await store.automationState('asset')).get('raw')).toEqual({ evaluatedAt: 1, nodes: {} })
  } finally {
    await store.close()
  }
})
