import { execFile } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { SqliteStore } from './sqlite-store.js'

const run = promisify(execFile)
const here = dirname(fileURLToPath(import.meta.url))
const repoRoot = resolve(here, '../../../..')
const worker = join(here, 'concurrent-writer.worker.ts')
const h = (n: number): Buffer => Buffer.alloc(16, n)

let tmp: string
beforeEach(() => {
  tmp = mkdtempSync(join(tmpdir(), 'rivers-conc-'))
})
afterEach(() => {
  rmSync(tmp, { recursive: true, force: true })
})

describe('concurrent use of one store file', () => {
  it('lets several processes create, migrate and write the same store without SQLITE_BUSY', async () => {
    const dir = join(tmp, '.rivers')
    const workers = 4
    const count = 150
    const results = await Promise.all(
      Array.from({ length: workers }, (_, w) =>
        run(process.execPath, ['--import', 'tsx', worker, dir, String(w), String(count)], { cwd: repoRoot }),
      ),
    )
    for (const r of results) expect(r.stderr).toBe('')
    const store = SqliteStore.open(dir)
    try {
      const runs = await store.listRuns({ limit: 10 })
      expect(runs).toHaveLength(workers)
      expect(runs.every((r) => r.status === 'success')).toBe(true)
      for (let w = 0; w < workers; w++) {
        expect((await store.runEvents(`w${w}`)).filter((e) => e.type === 'tick')).toHaveLength(count)
        expect((await store.runEvents(`w${w}`)).filter((e) => e.type === 'materialized')).toHaveLength(count)
      }
      expect(await store.assetHistory('asset0', { limit: 1000 })).toHaveLength((workers * count) / 25)
      expect((await store.latestRecords()).keys).toHaveLength(25)
      expect(await store.getLease('shared')).toBeUndefined()
    } finally {
      await store.close()
    }
  }, 60_000)

  it('lets a reader keep a consistent snapshot while another connection writes', async () => {
    const dir = join(tmp, '.rivers')
    const a = SqliteStore.open(dir)
    const b = SqliteStore.open(dir)
    try {
      await a.beginRun({ id: 'r1', selection: [], force: false })
      const rec = (s: SqliteStore, key: string) =>
        s.recordMaterialization({
          runId: 'r1',
          key,
          codeVersion: h(1),
          configHash: h(1),
          dataVersion: h(1),
          inputs: [],
          startedAt: new Date(),
          finishedAt: new Date(),
        })
      await rec(a, 'x')
      await rec(b, 'y')
      await rec(a, 'z')
      expect((await a.latestRecords()).keys).toEqual(['x', 'y', 'z'])
      expect((await b.latestRecords()).keys).toEqual(['x', 'y', 'z'])
      expect(await b.wipe(['y'])).toBe(1)
      expect((await a.latestRecords()).keys).toEqual(['x', 'z'])
    } finally {
      await a.close()
      await b.close()
    }
  })
})
