import { execFile } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { Store } from './store.js'

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
    const store = Store.open(dir)
    try {
      const runs = store.listRuns({ limit: 10 })
      expect(runs).toHaveLength(workers)
      expect(runs.every((r) => r.status === 'success')).toBe(true)
      for (let w = 0; w < workers; w++) {
        expect(store.runEvents(`w${w}`).filter((e) => e.type === 'tick')).toHaveLength(count)
        expect(store.runEvents(`w${w}`).filter((e) => e.type === 'materialized')).toHaveLength(count)
      }
      expect(store.assetHistory('asset0', { limit: 1000 })).toHaveLength((workers * count) / 25)
      expect(store.latestRecords().keys).toHaveLength(25)
      expect(store.getLease('shared')).toBeUndefined()
    } finally {
      store.close()
    }
  }, 60_000)

  it('lets a reader keep a consistent snapshot while another connection writes', () => {
    const dir = join(tmp, '.rivers')
    const a = Store.open(dir)
    const b = Store.open(dir)
    try {
      a.beginRun({ id: 'r1', selection: [], force: false })
      const rec = (s: Store, key: string) =>
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
      rec(a, 'x')
      rec(b, 'y')
      rec(a, 'z')
      expect(a.latestRecords().keys).toEqual(['x', 'y', 'z'])
      expect(b.latestRecords().keys).toEqual(['x', 'y', 'z'])
      expect(b.wipe(['y'])).toBe(1)
      expect(a.latestRecords().keys).toEqual(['x', 'z'])
    } finally {
      a.close()
      b.close()
    }
  })
})
