/**
 * The SQLite store: the `Store` conformance suite, and what is particular to SQLite (hex helpers,
 * exact messages). Opening, migrations, permissions and locking: open.test.ts; several processes:
 * concurrency.test.ts; jobs migration: jobs.test.ts; scale: scale.test.ts.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

import { storeConformance } from '@rivers-orchestrator/conformance'
import { describe, expect, it } from 'vitest'

import { fromHex, toHex } from './hex.js'
import { SqliteStore } from './sqlite-store.js'

storeConformance('SqliteStore', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'rivers-store-'))
  return { store: SqliteStore.open(join(dir, '.rivers')), cleanup: () => rmSync(dir, { recursive: true, force: true }) }
})

describe('SqliteStore', () => {
  it('names the file and the fix when a hash has the wrong size', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rivers-store-'))
    const store = SqliteStore.open(join(dir, '.rivers'))
    try {
      await store.beginRun({ id: 'r1', selection: [], force: false })
      await expect(
        store.recordMaterialization({
          runId: 'r1',
          key: 'raw',
          codeVersion: Buffer.alloc(15),
          configHash: Buffer.alloc(16),
          dataVersion: Buffer.alloc(16),
          inputs: [],
          startedAt: new Date(),
          finishedAt: new Date(),
        }),
      ).rejects.toThrowErrorMatchingInlineSnapshot(
        `[RiversError: codeVersion of asset 'raw' must be a 16-byte hash (32 hex digits), got 15 bytes. Produce it with the native hasher (hashBytes / hashFields).]`,
      )
    } finally {
      await store.close()
      rmSync(dir, { recursive: true, force: true })
    }
  })
})

describe('SqliteStore.othersVersion', () => {
  it("changes with another connection's commit, not with its own writes, and commits nothing queued", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rivers-others-'))
    const a = SqliteStore.open(dir)
    const b = SqliteStore.open(dir)
    try {
      const seen = await a.othersVersion()
      await a.beginRun({ id: 'r1', selection: ['*'], force: false })
      expect(await a.othersVersion()).toBe(seen)
      // A queued write of its own is not committed by the call (the other connection does not see it yet).
      const queued = a.tryAcquireLease('raw', 'r1', 60_000)
      await a.othersVersion()
      expect(await b.getLease('raw')).toBeUndefined()
      await queued
      await b.beginRun({ id: 'r2', selection: ['*'], force: false })
      expect(await a.othersVersion()).not.toBe(seen)
    } finally {
      await a.close()
      await b.close()
      rmSync(dir, { recursive: true, force: true })
    }
  })
})

describe('hex', () => {
  it('round-trips and refuses bad input', () => {
    const hex = '000102030405060708090a0b0c0d0e0f'
    expect(toHex(fromHex(hex))).toBe(hex)
    expect(toHex(fromHex(hex.toUpperCase()))).toBe(hex)
    expect(() => fromHex('abc')).toThrow(/32 hex digits/)
    expect(() => toHex(Buffer.alloc(3))).toThrow(/16-byte/)
  })
})
