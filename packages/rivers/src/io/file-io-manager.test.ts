import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import * as fsp from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, relative } from 'node:path'
import { Readable } from 'node:stream'

import { ioManagerConformance } from '@rivers-orchestrator/conformance'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { parentsOfCreated, type WriterFs, type WriterHandle } from './atomic.js'
import { storagePathFor } from './paths.js'
import { FileIOManager } from './file-io-manager.js'
import { hashBytes, hashFile } from './hash.js'

let base: string
let io: FileIOManager
const ctx = (key: string) => ({ key, runId: 'r1' })

beforeEach(() => {
  base = mkdtempSync(join(tmpdir(), 'rivers-io-'))
  io = new FileIOManager(join(base, 'storage'))
})
afterEach(() => {
  rmSync(base, { recursive: true, force: true })
})

/** Every file under the storage folder, relative, sorted (temp files included). */
function files(): string[] {
  const root = join(base, 'storage')
  const out: string[] = []
  const walk = (dir: string): void => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      if (e.isDirectory()) walk(join(dir, e.name))
      else out.push(relative(root, join(dir, e.name)))
    }
  }
  try {
    walk(root)
  } catch {
    return []
  }
  return out.sort()
}

ioManagerConformance('FileIOManager', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'rivers-io-conformance-'))
  return {
    io: new FileIOManager(join(dir, 'storage')),
    streams: true,
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  }
})

ioManagerConformance('FileIOManager without its in-memory cache (every read from disk)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'rivers-io-conformance-'))
  return {
    io: new FileIOManager(join(dir, 'storage'), { cacheBytes: 0 }),
    streams: true,
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  }
})

describe('reads of recently written outputs', () => {
  it('decode the bytes just written, without the disk, into the value a later process would read', async () => {
    const value = { rows: [{ id: 1 }], s: 'é' }
    const stored = await io.write(ctx('raw'), value)
    const file = join(base, 'storage', stored.storagePath)
    const fromDisk = JSON.parse(readFileSync(file, 'utf8'))
    rmSync(file)
    const cached = await io.read(ctx('raw'), stored)
    expect(cached).toStrictEqual(fromDisk)
    expect(cached).not.toBe(await io.read(ctx('raw'), stored))
    const bytes = await io.write(ctx('model'), new Uint8Array([7, 8]))
    rmSync(join(base, 'storage', bytes.storagePath))
    const back = await io.read(ctx('model'), bytes)
    expect(Buffer.isBuffer(back)).toBe(true)
    expect([...(back as Buffer)]).toEqual([7, 8])
  })

  it('keep at most cacheBytes in memory; older outputs are read from disk', async () => {
    const small = new FileIOManager(join(base, 'small'), { cacheBytes: 16 })
    const a = await small.write(ctx('a'), 'aaaaaaaaaa') // 12 bytes
    const b = await small.write(ctx('b'), 'bbbbbbbbbb') // pushes a out
    rmSync(join(base, 'small', a.storagePath))
    rmSync(join(base, 'small', b.storagePath))
    expect(await small.read(ctx('b'), b)).toBe('bbbbbbbbbb')
    await expect(small.read(ctx('a'), a)).rejects.toThrow(/RIVERS_IO_READ_FAILED|could not read|a\b/)
  })
})

describe('FileIOManager round trips', () => {
  it('stores plain values as JSON and reads them back', async () => {
    const value = { rows: [{ id: 1, name: 'a' }], total: 1.5, ok: true, none: null }
    const stored = await io.write(ctx('raw/orders'), value)
    expect(stored.storagePath).toBe('raw/orders/@r1.json')
    const bytes = readFileSync(join(base, 'storage', 'raw', 'orders', '@r1.json'))
    expect(bytes.toString()).toBe(JSON.stringify(value))
    expect(stored.bytes).toBe(bytes.length)
    expect(stored.dataVersion).toMatch(/^[0-9a-f]{32}$/)
    expect(stored.dataVersion).toBe(hashBytes(bytes))
    expect(await io.read({ key: 'raw/orders' }, stored)).toEqual(value)
    expect(await io.read({ key: 'n' }, await io.write(ctx('n'), null))).toBeNull()
  })

  it('stores bytes raw and reads a Buffer back', async () => {
    const data = new Uint8Array([0, 1, 2, 255])
    const stored = await io.write(ctx('model'), data)
    expect(stored).toEqual({ storagePath: 'model/@r1.bin', bytes: 4, dataVersion: hashBytes(data) })
    const back = await io.read({ key: 'model' }, stored)
    expect(Buffer.isBuffer(back)).toBe(true)
    expect([...(back as Buffer)]).toEqual([0, 1, 2, 255])
  })

  it('gives equal bytes equal data versions, whatever the key or format', async () => {
    const a = await io.write(ctx('a'), Buffer.from('[1,2]'))
    const b = await io.write(ctx('b'), [1, 2])
    expect(a.dataVersion).toBe(b.dataVersion)
    expect((await io.write(ctx('c'), [1, 3])).dataVersion).not.toBe(b.dataVersion)
  })

  it('streams an async iterable to disk chunk by chunk and reads a stream back', async () => {
    async function* chunks() {
      for (let i = 0; i < 64; i++) yield Buffer.alloc(64 * 1024, i)
      yield 'tail'
      yield new Uint8Array([1, 2, 3])
    }
    const stored = await io.write(ctx('big/blob'), chunks())
    expect(stored.storagePath).toBe('big/blob/@r1.stream')
    const file = join(base, 'storage', 'big', 'blob', '@r1.stream')
    expect(stored.bytes).toBe(64 * 64 * 1024 + 4 + 3)
    expect(statSync(file).size).toBe(stored.bytes)
    expect(stored.dataVersion).toBe(hashFile(file))
    expect(stored.dataVersion).toBe(hashBytes(readFileSync(file)))
    const back = await io.read({ key: 'big/blob' }, stored)
    expect(back).toBeInstanceOf(Readable)
    const parts: Buffer[] = []
    for await (const chunk of back as Readable) parts.push(chunk as Buffer)
    expect(Buffer.concat(parts).equals(readFileSync(file))).toBe(true)
  })

  it('streams a Node Readable, and a stream read back can be stored again', async () => {
    const stored = await io.write(ctx('s1'), Readable.from([Buffer.from('hello '), Buffer.from('world')]))
    const again = await io.write(ctx('s2'), await io.read({ key: 's1' }, stored))
    expect(readFileSync(join(base, 'storage', 's2', '@r1.stream'), 'utf8')).toBe('hello world')
    expect(again.dataVersion).toBe(stored.dataVersion)
    expect(again.dataVersion).toBe(hashBytes(Buffer.from('hello world')))
  })

  it('keeps one file per run, and a retry in the same run replaces its own file', async () => {
    const first = await io.write({ key: 'raw', runId: 'r1' }, { v: 1 })
    await io.write({ key: 'raw', runId: 'r2' }, { v: 0 })
    const stored = await io.write({ key: 'raw', runId: 'r2' }, { v: 2 })
    expect(await io.read({ key: 'raw' }, stored)).toEqual({ v: 2 })
    expect(await io.read({ key: 'raw' }, first)).toEqual({ v: 1 })
    expect(files()).toEqual(['raw/@r1.json', 'raw/@r2.json'])
    // A key named like a version file cannot collide: '@' is not a key character.
    expect(() => storagePathFor('raw/@r1.json', '.json')).toThrow(/character outside/)
  })
})

describe('FileIOManager safety', () => {
  it.each(['../x', 'a/../../b', '/etc/passwd', 'a//b', '', 'a\0b', 'a/./b'])(
    'refuses the key %j and writes nothing',
    async (key) => {
      await expect(io.write(ctx(key), { v: 1 })).rejects.toMatchObject({ code: 'RIVERS_IO_UNSAFE_KEY' })
      expect(readdirSync(base)).toEqual([])
    },
  )

  it('refuses a stored path that leaves the folder', async () => {
    writeFileSync(join(base, 'secret.json'), '{"secret":true}')
    await expect(io.read({ key: 'raw' }, { storagePath: '../secret.json' })).rejects.toMatchObject({
      code: 'RIVERS_IO_UNSAFE_KEY',
    })
    await expect(io.read({ key: 'raw' }, { storagePath: join(base, 'secret.json') })).rejects.toMatchObject({
      code: 'RIVERS_IO_UNSAFE_KEY',
    })
  })

  it('refuses unserializable values before touching the disk', async () => {
    await expect(io.write(ctx('raw'), undefined)).rejects.toThrowErrorMatchingInlineSnapshot(
      `[RiversError: Asset 'raw' returned undefined; return a value, or null.]`,
    )
    await expect(io.write(ctx('raw'), { a: { b: Number.NaN } })).rejects.toThrow(/returned NaN at \$\.a\.b/)
    expect(files()).toEqual([])
  })

  it('explains reads of missing outputs', async () => {
    await expect(io.read({ key: 'raw' }, {})).rejects.toThrowErrorMatchingInlineSnapshot(
      `[RiversError: Asset 'raw' has no stored output to read (its record has no storage path). Materialize it with \`assets materialize raw\`.]`,
    )
    await expect(io.read({ key: 'raw' }, { storagePath: 'raw.json' })).rejects.toThrow(
      /^Could not read the stored output of asset 'raw' at .*raw\.json \(ENOENT: .*\): the file is gone; rebuild it with `assets materialize raw --force`\.$/,
    )
    await expect(io.read({ key: 'raw' }, { storagePath: 'raw.stream' })).rejects.toMatchObject({
      code: 'RIVERS_IO_READ_FAILED',
    })
    await expect(io.read({ key: 'raw' }, { storagePath: 'raw.txt' })).rejects.toThrow(/has no known format/)
  })
})

/** node:fs/promises, except that writes fail with ENOSPC once `budget` bytes have been written. */
function diskWithRoom(budget: number): WriterFs {
  let left = budget
  return {
    mkdir: (p, o) => fsp.mkdir(p, o),
    rename: (a, b) => fsp.rename(a, b),
    rm: (p, o) => fsp.rm(p, o),
    async open(p, flags, mode) {
      const real = await fsp.open(p, flags, mode)
      const handle: WriterHandle = {
        async write(buf, offset, length) {
          if (length > left) {
            // A real full disk may accept part of the write first.
            await real.write(buf, offset, left)
            left = 0
            throw Object.assign(new Error('ENOSPC: no space left on device, write'), {
              code: 'ENOSPC',
              errno: -28,
              syscall: 'write',
            })
          }
          left -= length
          return real.write(buf, offset, length)
        },
        sync: () => real.sync(),
        close: () => real.close(),
      }
      return handle
    },
  }
}

describe('FileIOManager atomicity', () => {
  it('creates a folder once, and again when it was removed since', async () => {
    const root = join(base, 'own')
    const made: string[] = []
    const counting: WriterFs = {
      mkdir: (p, o) => (made.push(relative(root, p)), fsp.mkdir(p, o)),
      rename: (a, b) => fsp.rename(a, b),
      rm: (p, o) => fsp.rm(p, o),
      open: (p, flags, mode) => fsp.open(p, flags, mode),
    }
    const own = new FileIOManager(root, { fs: counting })
    await own.write({ key: 'a/b', runId: 'r1' }, 1)
    await own.write({ key: 'a/b', runId: 'r2' }, 2)
    expect(made).toEqual(['a/b'])
    rmSync(join(root, 'a'), { recursive: true }) // e.g. removed by hand
    const { storagePath } = await own.write({ key: 'a/b', runId: 'r3' }, 3)
    expect(made).toEqual(['a/b', 'a/b'])
    expect(await new FileIOManager(root).read({ key: 'a/b' }, { storagePath })).toBe(3)
    // Folders its own delete removed are forgotten too.
    await own.delete({ key: 'a/b' }, { storagePath })
    await own.write({ key: 'a/b', runId: 'r4' }, 4)
    expect(made).toEqual(['a/b', 'a/b', 'a/b'])
  })

  it('syncs the folders above the folders it creates (a new key survives a power loss), once', async () => {
    const root = join(base, 'synced')
    mkdirSync(root, { recursive: true })
    const synced: string[] = []
    const recording: WriterFs = {
      mkdir: (p, o) => fsp.mkdir(p, o),
      rename: (a, b) => fsp.rename(a, b),
      rm: (p, o) => fsp.rm(p, o),
      async open(p, flags, mode) {
        const real = await fsp.open(p, flags, mode)
        if (flags !== 'r') return real
        return {
          write: real.write.bind(real),
          close: () => real.close(),
          sync: () => (synced.push(relative(base, p)), real.sync()),
        }
      },
    }
    const own = new FileIOManager(root, { fs: recording })
    await own.write({ key: 'a/b', runId: 'r1' }, 1)
    // The file's folder after the rename, and the parents of the two new folders (a/b in a, a in root).
    expect(synced.sort()).toEqual(['synced', 'synced/a', 'synced/a/b'].sort())
    synced.length = 0
    await own.write({ key: 'a/b', runId: 'r2' }, 2)
    expect(synced).toEqual(['synced/a/b'])
    expect(parentsOfCreated(undefined, '/x/y')).toEqual([])
    expect(parentsOfCreated('/x/y', '/x/y/z')).toEqual(['/x/y', '/x'])
  })

  it('leaves no temp file after success', async () => {
    await io.write(ctx('a/b'), { v: 1 })
    await io.write(ctx('a/c'), Buffer.from('x'))
    await io.write(ctx('a/d'), Readable.from(['x']))
    expect(files()).toEqual(['a/b/@r1.json', 'a/c/@r1.bin', 'a/d/@r1.stream'])
  })

  it('on a full disk removes the temp file, keeps the previous output, and names key and path', async () => {
    await io.write(ctx('raw'), { v: 'old' })
    const full = new FileIOManager(join(base, 'storage'), { fs: diskWithRoom(10) })
    const err = await full.write({ key: 'raw', runId: 'r2' }, { v: 'x'.repeat(100) }).catch((e: unknown) => e)
    expect(err).toMatchObject({ code: 'RIVERS_IO_WRITE_FAILED', exitCode: 1 })
    expect((err as Error).message.replace(base, '<base>')).toMatchInlineSnapshot(
      `"Could not store the output of asset 'raw' at <base>/storage/raw/@r2.json (ENOSPC: no space left on device, write): the disk is full; free space (or move the store with --store) and run again. The previous output, if any, is unchanged."`,
    )
    expect(files()).toEqual(['raw/@r1.json'])
    expect(await io.read({ key: 'raw' }, { storagePath: 'raw/@r1.json' })).toEqual({ v: 'old' })
  })

  it('on a full disk during a stream stops the producer and leaves nothing', async () => {
    let finalized = false
    async function* chunks() {
      try {
        for (let i = 0; i < 1000; i++) yield Buffer.alloc(1024)
      } finally {
        finalized = true
      }
    }
    const full = new FileIOManager(join(base, 'storage'), { fs: diskWithRoom(5000) })
    await expect(full.write(ctx('big'), chunks())).rejects.toMatchObject({ code: 'RIVERS_IO_WRITE_FAILED' })
    expect(finalized).toBe(true)
    expect(files()).toEqual([])
  })

  it('when the returned stream fails, reports the asset error and leaves nothing', async () => {
    async function* chunks() {
      yield Buffer.from('partial')
      throw new Error('upstream connection reset')
    }
    const err = await io.write(ctx('raw'), chunks()).catch((e: unknown) => e)
    expect(err).toMatchInlineSnapshot(
      `[RiversError: The stream returned by asset 'raw' failed while it was being stored: upstream connection reset. Nothing was stored; the asset stays due, so the next \`assets materialize\` runs it again (add a retry policy if the source is flaky).]`,
    )
    expect((err as Error).cause).toMatchObject({ message: 'upstream connection reset' })
    expect(files()).toEqual([])
  })

  it('refuses a stream chunk that is not bytes, and leaves nothing', async () => {
    await expect(
      io.write(ctx('raw'), Readable.from([{ row: 1 }], { objectMode: true })),
    ).rejects.toThrowErrorMatchingInlineSnapshot(
      `[RiversError: Asset 'raw' streamed a chunk of type Object; a streamed result must yield Buffers, Uint8Arrays or strings. Convert each chunk before yielding it (String(x), Buffer.from(…), or JSON.stringify(x) + '\\n' for records).]`,
    )
    expect(files()).toEqual([])
  })

  it('reports a failing rename and removes the temp file', async () => {
    const failing: WriterFs = {
      ...diskWithRoom(Number.POSITIVE_INFINITY),
      rename: async () => Promise.reject(Object.assign(new Error('EXDEV: cross-device link'), { code: 'EXDEV' })),
    }
    const broken = new FileIOManager(join(base, 'storage'), { fs: failing })
    await expect(broken.write(ctx('raw'), [1])).rejects.toThrow(
      /^Could not store the output of asset 'raw' at .*raw\/@r1\.json \(EXDEV: cross-device link\): check the storage folder and run again/,
    )
    expect(files()).toEqual([])
  })
})
