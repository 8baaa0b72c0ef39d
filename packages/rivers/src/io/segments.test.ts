import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs'
import * as fsp from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, relative } from 'node:path'
import { Readable } from 'node:stream'

import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { WriterFs } from './atomic.js'
import { FileIOManager } from './file-io-manager.js'
import { storedFileOf } from './index.js'
import { parseSlicePath } from './segments.js'
import { tempFileName } from './sweep.js'

let base: string
let root: string
let io: FileIOManager
const days = (n: number): string[] => [...Array(n).keys()].map((i) => `2024-01-${String(i + 1).padStart(2, '0')}`)
const batch = (partitions: readonly string[], runId = 'r1') => ({ key: 'events', runId, partitions })

beforeEach(() => {
  base = mkdtempSync(join(tmpdir(), 'rivers-seg-'))
  root = join(base, 'storage')
  io = new FileIOManager(root)
})
afterEach(() => {
  rmSync(base, { recursive: true, force: true })
})

/** Every file under the storage folder, relative, sorted (temp files included). */
function files(): string[] {
  try {
    return (readdirSync(root, { recursive: true, withFileTypes: true }) as import('node:fs').Dirent[])
      .filter((e) => e.isFile())
      .map((e) => relative(root, join(e.parentPath, e.name)))
      .sort()
  } catch {
    return []
  }
}

async function refusal(p: Promise<unknown>): Promise<Error & { code: string }> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(err).toBeInstanceOf(Error)
  return err as Error & { code: string }
}

describe('writePartitions', () => {
  it('stores a batch in one segment file; each partition reads back alone, JSON and bytes alike', async () => {
    const values = [{ rows: [1, 2], s: 'é' }, new Uint8Array([0, 1, 255]), 'text', null, new Uint8Array(0), [[]]]
    const partitions = ['2024-01-01', '2024-01-02', '2024-01-03', '2024-01-04', '2024-01-05', 'x|y']
    const stored = await io.writePartitions(batch(partitions), values)
    expect(files()).toHaveLength(1)
    const [segment] = files()
    expect(segment).toMatch(/^events\/@r1\.2024-01-01~x_7cy\.[0-9a-f]{16}\.seg$/)
    expect(stored.map((s) => s.storagePath.slice(segment!.length))).toEqual([
      '#0+23.json',
      '#23+3.bin',
      '#26+6.json',
      '#32+4.json',
      '#36+0.bin',
      '#36+4.json',
    ])
    expect(stored.map((s) => s.bytes)).toEqual([23, 3, 6, 4, 0, 4])
    expect(readFileSync(join(root, segment!)).length).toBe(40)
    for (const [i, s] of stored.entries()) {
      const back = await io.read({ key: 'events', partition: partitions[i]! }, s)
      if (values[i] instanceof Uint8Array) {
        expect(Buffer.isBuffer(back)).toBe(true)
        expect([...(back as Buffer)]).toEqual([...(values[i] as Uint8Array)])
      } else expect(back).toStrictEqual(values[i])
    }
  })

  it('gives each partition the data version `write` gives the same value', async () => {
    const values = [{ v: 1 }, [1, 2, 3], new Uint8Array([9, 8, 7]), 'é', 0]
    const stored = await io.writePartitions(batch(days(values.length)), values)
    for (const [i, value] of values.entries()) {
      const alone = await io.write({ key: 'alone', runId: 'r1', partition: days(5)[i]! }, value)
      expect(stored[i]!.dataVersion).toBe(alone.dataVersion)
      expect(stored[i]!.bytes).toBe(alone.bytes)
    }
    expect(new Set(stored.map((s) => s.dataVersion)).size).toBe(values.length)
  })

  it('writes N partitions as one file, and a fresh manager (no cache) reads each back', async () => {
    const partitions = days(31).concat([...Array(969).keys()].map((i) => `p${i}`))
    const values = partitions.map((p, i) => ({ p, i, tags: [i % 7] }))
    const stored = await io.writePartitions(batch(partitions), values)
    expect(files()).toHaveLength(1)
    for (const cacheBytes of [0, undefined]) {
      const fresh = new FileIOManager(root, cacheBytes === undefined ? {} : { cacheBytes })
      const back = await Promise.all(stored.map((s, i) => fresh.read({ key: 'events', partition: partitions[i]! }, s)))
      expect(back).toStrictEqual(values)
    }
  })

  it('reads a segment once into the cache, and slice by slice when it does not fit', async () => {
    const stored = await io.writePartitions(batch(days(3)), [{ v: 1 }, { v: 2 }, { v: 3 }])
    const segment = join(root, storedFileOf(stored[0]!.storagePath))
    const cached = new FileIOManager(root)
    expect(await cached.read({ key: 'events' }, stored[0]!)).toEqual({ v: 1 })
    writeFileSync(segment, 'garbage') // later reads of this segment come from memory
    expect(await cached.read({ key: 'events' }, stored[2]!)).toEqual({ v: 3 })
    const small = new FileIOManager(root, { cacheBytes: 4 })
    await expect(small.read({ key: 'events' }, stored[2]!)).rejects.toMatchObject({ code: 'RIVERS_IO_READ_FAILED' })
  })

  it('gives each read a copy: changing one changes nothing for the next', async () => {
    const stored = await io.writePartitions(batch(days(2)), [new Uint8Array([1, 2]), { a: [1] }])
    const bytes = (await io.read({ key: 'events' }, stored[0]!)) as Buffer
    bytes[0] = 9
    expect([...((await io.read({ key: 'events' }, stored[0]!)) as Buffer)]).toEqual([1, 2])
    const obj = (await io.read({ key: 'events' }, stored[1]!)) as { a: number[] }
    obj.a.push(2)
    expect(await io.read({ key: 'events' }, stored[1]!)).toEqual({ a: [1] })
  })

  it('rewrites the same file for a retry with the same values; other values get their own segment', async () => {
    const first = await io.writePartitions(batch(days(3)), [1, 2, 3])
    expect(await io.writePartitions(batch(days(3)), [1, 2, 3])).toEqual(first)
    const other = await io.writePartitions(batch(days(3)), [1, 20, 3])
    const fewer = await io.writePartitions(batch(['2024-01-01', '2024-01-03']), [1, 3])
    expect(files()).toHaveLength(3)
    expect(await io.read({ key: 'events' }, first[1]!)).toBe(2)
    expect(await io.read({ key: 'events' }, other[1]!)).toBe(20)
    expect(await io.read({ key: 'events' }, fewer[1]!)).toBe(3)
  })

  it('refuses an empty batch, a count mismatch, a repeated partition, and writes nothing', async () => {
    const cases: [string[], unknown[], RegExp][] = [
      [[], [], /names no partition/],
      [['a', 'b'], [1], /got 1 values for 2 partitions/],
      [['a', 'b', 'a'], [1, 2, 3], /partition "a" appears twice/],
    ]
    for (const [partitions, values, why] of cases) {
      const err = await refusal(io.writePartitions(batch(partitions), values))
      expect(err.code).toBe('RIVERS_IO_BAD_BATCH')
      expect(err.message).toMatch(why)
      expect(err.message).toContain("asset 'events'")
      expect(err.message).toContain('one value per partition')
    }
    await expect(io.writePartitions({ key: '../x', runId: 'r1', partitions: ['a'] }, [1])).rejects.toMatchObject({
      code: 'RIVERS_IO_UNSAFE_KEY',
    })
    await expect(io.writePartitions(batch(['a', 'b']), [1, { n: 1n }])).rejects.toThrow(/BigInt at \$\.n/)
    expect(files()).toEqual([])
  })

  it('refuses a stream, naming the asset and the partition and saying to return values', async () => {
    const err = await refusal(io.writePartitions(batch(days(2)), [{ v: 1 }, Readable.from(['x'])]))
    expect(err.code).toBe('RIVERS_IO_UNSERIALIZABLE')
    expect(err.message).toMatchInlineSnapshot(
      `"Asset 'events' returned a stream for partition "2024-01-02" from a batched partition function; the partitions of a batch are stored together in one file, which holds values, not streams. Return values (JSON data or a Uint8Array) from a batched function, or make the asset unbatched so that each partition streams to its own file."`,
    )
    expect(files()).toEqual([])
  })

  it('on a failed write leaves no file and names the asset', async () => {
    const failing: WriterFs = {
      mkdir: (p, o) => fsp.mkdir(p, o),
      open: (p, f, m) => fsp.open(p, f, m),
      rm: (p, o) => fsp.rm(p, o),
      rename: async () => {
        throw Object.assign(new Error('EIO: i/o error, rename'), { code: 'EIO' })
      },
    }
    const broken = new FileIOManager(root, { fs: failing })
    const err = await refusal(broken.writePartitions(batch(days(2)), [1, 2]))
    expect(err.code).toBe('RIVERS_IO_WRITE_FAILED')
    expect(err.message).toContain("asset 'events'")
    expect(files()).toEqual([])
  })
})

describe('slice paths', () => {
  it('are refused when corrupt, with the key and the path', async () => {
    const [stored] = await io.writePartitions(batch(days(1)), [{ v: 1 }]) // 7 bytes
    const segment = storedFileOf(stored!.storagePath)
    expect(stored!.storagePath).toBe(`${segment}#0+7.json`)
    for (const bad of [
      `${segment}#0+8.json`, // past the end
      `${segment}#7+1.json`,
      `${segment}#x+1.json`,
      `${segment}#01+1.json`,
      `${segment}#-1+2.json`,
      `${segment}#0+7.txt`,
      `${segment}#0+7`,
      `${segment}#0+99999999999999999.json`,
      `${segment}#0+7.json#0+7.json`,
      'events/@r1.json#0+7.json', // not a segment
      'events/notes.seg#0+7.json',
    ]) {
      const err = await refusal(io.read({ key: 'events', partition: '2024-01-01' }, { storagePath: bad }))
      expect(err.code, bad).toBe('RIVERS_IO_READ_FAILED')
      expect(err.message).toContain("asset 'events'")
      expect(err.message).toContain(JSON.stringify(bad))
      expect(err.message).toContain('assets materialize events --partition "2024-01-01" --force')
    }
    // A slice that lies inside the file but not on a value's bounds: the decode fails, named.
    const err = await refusal(io.read({ key: 'events' }, { storagePath: `${segment}#0+3.json` }))
    expect(err.code).toBe('RIVERS_IO_READ_FAILED')
    expect(err.message).toContain("asset 'events'")
  })

  it('are refused when their segment lies outside the storage folder', async () => {
    mkdirSync(join(base, 'etc'), { recursive: true })
    writeFileSync(join(base, 'etc', '@r1.a~b.0.seg'), '{"secret":1}')
    for (const storagePath of [
      '../etc/@r1.a~b.0.seg#0+12.json',
      'events/../../etc/@r1.a~b.0.seg#0+12.json',
      `${join(base, 'etc')}/@r1.a~b.0.seg#0+12.json`,
    ]) {
      const err = await refusal(io.read({ key: 'events' }, { storagePath }))
      expect(err.code, storagePath).toBe('RIVERS_IO_UNSAFE_KEY')
      expect(err.message).toContain('events')
      await expect(io.delete({ key: 'events' }, { storagePath })).rejects.toMatchObject({
        code: 'RIVERS_IO_UNSAFE_KEY',
      })
    }
    expect(readFileSync(join(base, 'etc', '@r1.a~b.0.seg'), 'utf8')).toBe('{"secret":1}')
  })

  it('map to their segment with storedFileOf; other paths map to themselves', () => {
    expect(storedFileOf('events/@r1.a~b.0123456789abcdef.seg#10+5.bin')).toBe('events/@r1.a~b.0123456789abcdef.seg')
    for (const p of ['events/@r1.json', 'events/@r1.a~b.0123456789abcdef.seg', 'x#1+2.json', 'a.seg#1+2.txt'])
      expect(storedFileOf(p)).toBe(p)
    expect(parseSlicePath('events', 'events/@r1.json')).toBeUndefined()
  })
})

describe('segments in list, delete and sweep', () => {
  it('list reports a segment once, by its path; delete takes the segment or a slice of it', async () => {
    const a = await io.writePartitions(batch(days(3)), [1, 2, 3])
    const b = await io.writePartitions(batch(['2024-02-01', '2024-02-02']), [4, 5])
    const single = await io.write({ key: 'events', runId: 'r1', partition: '2024-03-01' }, 6)
    const listed = await io.list({ keys: ['events'] })
    expect(listed.map((f) => [f.key, f.storagePath, f.bytes, f.temp])).toEqual(
      [
        ['events', storedFileOf(a[0]!.storagePath), 3, undefined],
        ['events', storedFileOf(b[0]!.storagePath), 2, undefined],
        ['events', single.storagePath, 1, undefined],
      ].sort((x, y) => (String(x[1]) < String(y[1]) ? -1 : 1)),
    )
    await io.delete({ key: 'events' }, { storagePath: a[1]!.storagePath }) // a slice: its whole segment goes
    await expect(io.read({ key: 'events' }, a[0]!)).rejects.toMatchObject({ code: 'RIVERS_IO_READ_FAILED' })
    await io.delete({ key: 'events' }, { storagePath: storedFileOf(b[0]!.storagePath) })
    await io.delete({ key: 'events' }, { storagePath: b[1]!.storagePath }) // already gone: not an error
    expect(files()).toEqual([single.storagePath])
  })

  it('sweeps, lists and deletes the temp file a killed segment write left', async () => {
    const [stored] = await io.writePartitions(batch(days(1)), [1])
    const name = storedFileOf(stored!.storagePath).split('/').at(-1)!
    const temp = `events/${tempFileName(name, 999_999_99)}`
    writeFileSync(join(root, temp), 'partial')
    const old = new Date(Date.now() - 120_000)
    utimesSync(join(root, temp), old, old)
    expect((await io.list()).filter((f) => f.temp !== undefined)).toMatchObject([
      { key: 'events', storagePath: temp, temp: { pid: 999_999_99 } },
    ])
    const removed = await io.sweepTempFiles({ keys: ['events'], isAlive: () => false })
    expect(removed.map((p) => relative(root, p))).toEqual([temp])
    writeFileSync(join(root, temp), 'partial')
    await io.delete({ key: 'events' }, { storagePath: temp })
    expect(files()).toEqual([storedFileOf(stored!.storagePath)])
  })
})
