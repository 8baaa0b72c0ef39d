/**
 * Eight processes on one PostgreSQL store: they race to migrate a fresh database, then to build the
 * same assets under leases. No asset is built twice, none is left out, no lease call fails, and no
 * process holds more connections than its pool bound.
 */
import { execFile } from 'node:child_process'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { describe, expect, it } from 'vitest'
import { PostgresStore } from './postgres-store.js'
import { freshDatabase, pgUnavailable } from './testing.js'

const run = promisify(execFile)
const here = dirname(fileURLToPath(import.meta.url))
const repoRoot = resolve(here, '../../..')
const worker = join(here, 'lease-race.worker.ts')

describe.skipIf(pgUnavailable() !== undefined)('PostgresStore across processes', () => {
  it('8 processes build 200 shared assets under leases: each exactly once, within 3 connections each', async () => {
    const { url, drop } = await freshDatabase()
    const processes = 8
    const assets = 200
    const max = 3
    try {
      const results = await Promise.all(
        Array.from({ length: processes }, (_, w) =>
          run(process.execPath, ['--import', 'tsx', worker, url, String(w), String(assets), String(max)], {
            cwd: repoRoot,
          }),
        ),
      )
      for (const r of results) expect(r.stderr).toBe('')
      const reports = results.map(
        (r) => JSON.parse(r.stdout) as { built: string[]; refused: number; peakConnections: number },
      )
      const built = reports.flatMap((r) => r.built)
      expect(built).toHaveLength(assets)
      expect(new Set(built).size).toBe(assets)
      for (const r of reports) expect(r.peakConnections).toBeLessThanOrEqual(max)
      // They did collide: some lease was refused to some process.
      expect(reports.reduce((n, r) => n + r.refused, 0)).toBeGreaterThan(0)

      const store = await PostgresStore.open(url, { pool: { max: 1 } })
      try {
        expect((await store.latestRecords()).keys).toHaveLength(assets)
        const history = await Promise.all(
          ['asset0000', 'asset0100', 'asset0199'].map((k) => store.assetHistory(k, { limit: 10 })),
        )
        for (const records of history) expect(records).toHaveLength(1)
        expect(await store.activeLeases()).toEqual([])
        expect((await store.listRuns({ limit: 20 })).map((r) => r.status)).toEqual(
          Array.from({ length: processes }, () => 'success'),
        )
      } finally {
        await store.close()
      }
    } finally {
      await drop()
    }
  }, 120_000)
})
