import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { SqliteStore } from './sqlite-store.js'

// Proves the bulk paths work at scale (20k records, 60k inputs). Times nothing: the benchmark
// harness measures speed.
const N = 20_000
const version = (i: number): Buffer => {
  const b = Buffer.alloc(16)
  b.writeUInt32BE(i, 12)
  return b
}

let tmp: string
let store: SqliteStore
beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'rivers-scale-'))
  store = SqliteStore.open(join(tmp, '.rivers'))
  await store.beginRun({ id: 'r1', selection: ['*'], force: false })
  const started = new Date()
  for (let i = 0; i < N; i++) {
    const inputs = [1, 2, 3].filter((d) => i - d >= 0).map((d) => ({ key: `k${i - d}`, dataVersion: version(i - d) }))
    await store.recordMaterialization({
      runId: 'r1',
      key: `k${i}`,
      codeVersion: version(i),
      configHash: version(0),
      dataVersion: version(i),
      inputs,
      startedAt: started,
      finishedAt: started,
    })
  }
}, 60_000) // 20k single-record transactions: seconds of disk writes on a loaded 2-core machine (CI took > 10 s)
afterAll(async () => {
  await store.close()
  rmSync(tmp, { recursive: true, force: true })
})

describe('latestRecords at scale', () => {
  it('returns every record and every input, aligned', async () => {
    const l = await store.latestRecords()
    expect(l.keys).toHaveLength(N)
    expect(l.depOffsets[N]).toBe(3 * N - 6)
    expect(l.depKeys).toHaveLength(3 * N - 6)
    expect(l.depVersions.length).toBe(16 * (3 * N - 6))
    // Spot-check alignment: every input of k<i> is k<i-d> with version i-d.
    for (let row = 0; row < N; row += 997) {
      const i = Number((l.keys[row] as string).slice(1))
      expect(l.dataVersions.readUInt32BE(16 * row + 12)).toBe(i)
      const from = l.depOffsets[row] as number
      const to = l.depOffsets[row + 1] as number
      expect(to - from).toBe(Math.min(3, i))
      for (let j = from; j < to; j++) {
        const dep = Number((l.depKeys[j] as string).slice(1))
        expect(dep).toBe(i - 1 - (j - from))
        expect(l.depVersions.readUInt32BE(16 * j + 12)).toBe(dep)
      }
    }
  })
})
