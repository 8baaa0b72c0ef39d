/**
 * Batched partition leases of the SQLite store beyond the conformance suite: two processes racing
 * for overlapping ranges never both get a partition, and the cost of a batch of 1,000 partitions.
 */
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
const worker = join(here, 'partition-leases.worker.ts')
const name = (i: number): string => `p${String(i).padStart(5, '0')}`

let tmp: string
beforeEach(() => {
  tmp = mkdtempSync(join(tmpdir(), 'rivers-leases-'))
})
afterEach(() => {
  rmSync(tmp, { recursive: true, force: true })
})

describe('partition leases', () => {
  it('never gives one partition to two processes racing for overlapping ranges', async () => {
    const dir = join(tmp, '.rivers')
    SqliteStore.open(dir).close() // created and migrated before the race
    const startAt = String(Date.now() + 2_500)
    const args = (runId: string, from: number, to: number, order: string) => [
      '--import',
      'tsx',
      worker,
      dir,
      runId,
      String(from),
      String(to),
      '25',
      startAt,
      order,
    ]
    // a: 0..2999 upwards, b: 2999..1000 downwards; they meet somewhere in 1000..2999.
    const [a, b] = await Promise.all([
      run(process.execPath, args('ra', 0, 2_999, 'up'), { cwd: repoRoot }),
      run(process.execPath, args('rb', 1_000, 3_999, 'down'), { cwd: repoRoot }),
    ])
    expect(a.stderr).toBe('')
    expect(b.stderr).toBe('')
    const gotA = JSON.parse(a.stdout) as string[]
    const gotB = JSON.parse(b.stdout) as string[]
    const inA = new Set(gotA)
    expect(gotB.filter((p) => inA.has(p))).toEqual([])
    // Every partition went to exactly one of them, and the store agrees on which.
    expect(gotA.length + gotB.length).toBe(4_000)
    const store = SqliteStore.open(dir)
    try {
      const all = Array.from({ length: 4_000 }, (_, i) => name(i))
      const holders = await store.partitionLeaseHolders('events', all)
      expect(holders.map((l) => l?.runId)).toEqual(all.map((p) => (inA.has(p) ? 'ra' : 'rb')))
    } finally {
      await store.close()
    }
  }, 60_000)
})
