/**
 * The `IOManager` conformance suite: the contract the engine relies on when it stores a result and
 * hands it to consumers, in this run and in later ones. Run it from the IO manager's own tests:
 * `ioManagerConformance('FileIOManager', async () => ({ io: new FileIOManager(dir) }))`.
 */
import { isRiversError } from '@rivers-orchestrator/rivers'
import assert from 'node:assert'
import type { IOManager, StoredOutput } from '@rivers-orchestrator/rivers/plugin'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'

/** A fresh IO manager (nothing stored yet), what it can do, and how to throw it away. */
export interface IOManagerUnderTest {
  io: IOManager
  /** It stores async iterables of bytes chunk by chunk and reads a stream back. */
  streams?: boolean
  cleanup?: () => Promise<void> | void
}

/**
 * Registers the conformance tests of an `IOManager` implementation.
 *
 * @example
 * ioManagerConformance('FileIOManager', async () => ({ io: new FileIOManager(dir), streams: true }))
 */
export function ioManagerConformance(name: string, factory: () => Promise<IOManagerUnderTest>): void {
  describe(`IO manager conformance: ${name}`, () => {
    let under: IOManagerUnderTest
    let io: IOManager
    beforeEach(async () => {
      under = await factory()
      io = under.io
    })
    afterEach(async () => {
      await under.cleanup?.()
    })

    it('reads back what it stored: JSON-like values deep-equal, bytes as bytes', async () => {
      const values = [
        { rows: [{ id: 1, name: 'a' }], total: 1.5, ok: true, none: null },
        [1, 'two', [3]],
        'text',
        42,
        null,
      ]
      for (const [i, value] of values.entries()) {
        const stored = await io.write({ key: `c/v${i}`, runId: 'r1' }, value)
        expect(await io.read({ key: `c/v${i}` }, stored)).toEqual(value)
      }
      const bytes = new Uint8Array([0, 1, 2, 255])
      const back = await io.read({ key: 'c/bytes' }, await io.write({ key: 'c/bytes', runId: 'r1' }, bytes))
      expect(back).toBeInstanceOf(Uint8Array)
      expect([...(back as Uint8Array)]).toEqual([0, 1, 2, 255])
    })

    it('gives a data version of 32 hex digits that follows the content, and counts the bytes', async () => {
      const a = await io.write({ key: 'c/a', runId: 'r1' }, { v: [1, 2] })
      const b = await io.write({ key: 'c/b', runId: 'r1' }, { v: [1, 2] })
      const c = await io.write({ key: 'c/c', runId: 'r1' }, { v: [1, 3] })
      expect(a.dataVersion).toMatch(/^[0-9a-f]{32}$/)
      expect(b.dataVersion).toBe(a.dataVersion)
      expect(c.dataVersion).not.toBe(a.dataVersion)
      expect(Number.isInteger(a.bytes) && a.bytes > 0).toBe(true)
    })

    it('keeps what an earlier run stored readable after a later run stores the same key', async () => {
      const first = await io.write({ key: 'c/raw', runId: 'r1' }, { v: 1 })
      const second = await io.write({ key: 'c/raw', runId: 'r2' }, { v: 2 })
      expect(await io.read({ key: 'c/raw' }, first)).toEqual({ v: 1 })
      expect(await io.read({ key: 'c/raw' }, second)).toEqual({ v: 2 })
    })

    it('refuses, with a RiversError, values it cannot store faithfully', async () => {
      const cyclic: Record<string, unknown> = {}
      cyclic.self = cyclic
      for (const value of [{ n: 10n }, { f: () => 1 }, cyclic]) {
        const err = await io.write({ key: 'c/bad', runId: 'r1' }, value).then(
          () => undefined,
          (e: unknown) => e,
        )
        expect(isRiversError(err), `refused: ${String(err)}`).toBe(true)
        expect((err as Error).message).toContain('c/bad')
      }
    })

    it('reads a new value on every call: a consumer changing its copy changes nothing for the next', async () => {
      const stored = await io.write({ key: 'c/shared', runId: 'r1' }, { rows: [3, 1, 2], meta: { n: 3 } })
      const first = (await io.read({ key: 'c/shared' }, stored)) as { rows: number[]; meta: { n: number } }
      const second = (await io.read({ key: 'c/shared' }, stored)) as { rows: number[]; meta: { n: number } }
      expect(second).not.toBe(first)
      first.rows.sort()
      first.meta.n = 0
      expect(second).toEqual({ rows: [3, 1, 2], meta: { n: 3 } })
      expect(await io.read({ key: 'c/shared' }, stored)).toEqual({ rows: [3, 1, 2], meta: { n: 3 } })
      const bytes = await io.write({ key: 'c/bytes', runId: 'r1' }, new Uint8Array([1, 2, 3]))
      const b1 = (await io.read({ key: 'c/bytes' }, bytes)) as Uint8Array
      b1[0] = 9
      expect([...((await io.read({ key: 'c/bytes' }, bytes)) as Uint8Array)]).toEqual([1, 2, 3])
    })

    it('stores the value as it was when written: the producer changing it afterwards changes nothing', async () => {
      const value = { rows: [1, 2] }
      const stored = await io.write({ key: 'c/later', runId: 'r1' }, value)
      value.rows.push(3)
      expect(await io.read({ key: 'c/later' }, stored)).toEqual({ rows: [1, 2] })
      const bytes = new Uint8Array([1, 2, 3])
      const storedBytes = await io.write({ key: 'c/later-bytes', runId: 'r1' }, bytes)
      bytes[0] = 9
      expect([...((await io.read({ key: 'c/later-bytes' }, storedBytes)) as Uint8Array)]).toEqual([1, 2, 3])
    })

    it('reads back plain data type for type (prototypes included)', async () => {
      const value = { rows: [{ id: 1, tags: ['a'] }], nested: { deep: [[1.5, null, true]] }, s: 'é' }
      const back = await io.read({ key: 'c/plain' }, await io.write({ key: 'c/plain', runId: 'r1' }, value))
      assert.deepStrictEqual(back, value)
    })

    it('either refuses a value with a RiversError or reads it back type for type (Date, Map, class instance)', async () => {
      class Point {
        constructor(readonly x: number) {}
      }
      const values = [{ d: new Date(0) }, { m: new Map([['a', 1]]) }, { p: new Point(1) }, { n: -0 }]
      for (const [i, value] of values.entries()) {
        const key = `c/odd${i}`
        const stored = await io.write({ key, runId: 'r1' }, value).then(
          (s) => s,
          (e: unknown) => e,
        )
        if (stored instanceof Error) {
          expect(isRiversError(stored), `refused: ${String(stored)}`).toBe(true)
          expect(stored.message).toContain(key)
          continue
        }
        const back = await io.read({ key }, stored as StoredOutput)
        // -0 may come back as -0 or as 0 (JSON stores it as 0).
        if (i === 3) expect([0, -0].some((z) => Object.is((back as { n: unknown }).n, z))).toBe(true)
        else assert.deepStrictEqual(back, value)
      }
    })

    it('fails a read of something never stored with a RiversError naming the key', async () => {
      const err = await io.read({ key: 'c/nothing' }, { storagePath: 'c/nothing/@r9.json' }).then(
        () => undefined,
        (e: unknown) => e,
      )
      expect(isRiversError(err)).toBe(true)
      expect((err as Error).message).toContain('c/nothing')
    })

    it('stores a batch of partitions and reads each back alone, in order (when it has writePartitions)', async () => {
      if (io.writePartitions === undefined) return
      // Not in sorted order: the outputs follow the batch's order, not the partitions' names.
      const partitions = ['2024-01-03', '2024-01-01', 'eu|2024-01-02', '2024-01-02']
      const values = [{ rows: [{ id: 3 }] }, [1, 'two'], new Uint8Array([0, 1, 255]), 'text']
      const stored = await io.writePartitions({ key: 'p/events', runId: 'r1', partitions }, values)
      expect(stored).toHaveLength(partitions.length)
      for (const [i, partition] of partitions.entries()) {
        const back = await io.read({ key: 'p/events', partition }, stored[i]!)
        if (values[i] instanceof Uint8Array) {
          expect(back).toBeInstanceOf(Uint8Array)
          expect([...(back as Uint8Array)]).toEqual([0, 1, 255])
        } else assert.deepStrictEqual(back, values[i])
      }
      // A later batch of the same partitions leaves the first one readable.
      const later = await io.writePartitions({ key: 'p/events', runId: 'r2', partitions }, [1, 2, 3, 4])
      expect(await io.read({ key: 'p/events', partition: partitions[0] }, stored[0]!)).toEqual(values[0])
      expect(await io.read({ key: 'p/events', partition: partitions[3] }, later[3]!)).toBe(4)
    })

    it('gives each partition of a batch the data version and size `write` gives its value (when it has writePartitions)', async () => {
      if (io.writePartitions === undefined) return
      const values = [{ v: [1, 2] }, new Uint8Array([7, 8, 9]), null, 'é', { v: [1, 2] }]
      const partitions = values.map((_, i) => `part-${i}`)
      const stored = await io.writePartitions({ key: 'p/batched', runId: 'r1', partitions }, values)
      for (const [i, value] of values.entries()) {
        const alone = await io.write({ key: 'p/alone', runId: `r${i}`, partition: partitions[i] }, value)
        expect(stored[i]!.dataVersion).toMatch(/^[0-9a-f]{32}$/)
        expect(stored[i]!.dataVersion, partitions[i]).toBe(alone.dataVersion)
        expect(stored[i]!.bytes, partitions[i]).toBe(alone.bytes)
      }
      expect(stored[4]!.dataVersion).toBe(stored[0]!.dataVersion)
      expect(stored[1]!.dataVersion).not.toBe(stored[0]!.dataVersion)
    })

    it('stores a stream of bytes and reads it back (when it supports streams)', async () => {
      if (under.streams !== true) return
      async function* chunks() {
        for (let i = 0; i < 8; i++) yield Buffer.alloc(1024, i)
      }
      const stored = await io.write({ key: 'c/stream', runId: 'r1' }, chunks())
      expect(stored.bytes).toBe(8 * 1024)
      const back = (await io.read({ key: 'c/stream' }, stored)) as AsyncIterable<Buffer>
      const parts: Buffer[] = []
      for await (const chunk of back) parts.push(Buffer.from(chunk))
      expect(Buffer.concat(parts).equals(Buffer.concat([...Array(8).keys()].map((i) => Buffer.alloc(1024, i))))).toBe(
        true,
      )
    })

    it('lists what it stored and deletes it (when it has list() and delete())', async () => {
      if (io.list === undefined || io.delete === undefined) return
      const a = await io.write({ key: 'g/a', runId: 'r1' }, { v: 1 })
      const b = await io.write({ key: 'g/a', runId: 'r2' }, { v: 2 })
      const c = await io.write({ key: 'g/c', runId: 'r1' }, new Uint8Array([1, 2, 3]))
      const listed = await io.list({ keys: ['g/a'] })
      expect(listed.map((f) => [f.key, f.storagePath, f.bytes]).sort()).toEqual(
        [
          ['g/a', a.storagePath, a.bytes],
          ['g/a', b.storagePath, b.bytes],
        ].sort(),
      )
      expect((await io.list()).map((f) => f.storagePath)).toContain(c.storagePath)
      await io.delete({ key: 'g/a' }, { storagePath: a.storagePath })
      await io.delete({ key: 'g/a' }, { storagePath: a.storagePath }) // already gone: not an error
      expect((await io.list({ keys: ['g/a'] })).map((f) => f.storagePath)).toEqual([b.storagePath])
      expect(await io.read({ key: 'g/a' }, b)).toEqual({ v: 2 })
    })

    it('refuses to delete a path outside its storage (when it has delete())', async () => {
      if (io.delete === undefined) return
      for (const storagePath of ['../escape.json', '/etc/passwd', 'a/../../b.json']) {
        const err = await io.delete({ key: 'g/x' }, { storagePath }).then(
          () => undefined,
          (e: unknown) => e,
        )
        expect(isRiversError(err), `refused ${storagePath}`).toBe(true)
        expect((err as Error).message).toContain('g/x')
      }
    })
  })
}
