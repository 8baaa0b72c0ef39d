import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import * as fsp from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, relative } from 'node:path'

import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { nodeWriterFs, type WriterFs } from './atomic.js'
import { SMALL_WRITE_BYTES, writeSmallAtomic } from './atomic-small.js'

let base: string
beforeEach(() => {
  base = mkdtempSync(join(tmpdir(), 'rivers-atomic-small-'))
})
afterEach(() => {
  rmSync(base, { recursive: true, force: true })
})

/** Every file and folder under `dir`, relative, sorted, with its permission bits. */
function tree(dir: string): string[] {
  const out: string[] = []
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name)
      out.push(`${relative(dir, p)} ${(statSync(p).mode & 0o777).toString(8)}`)
      if (e.isDirectory()) walk(p)
    }
  }
  walk(dir)
  return out.sort()
}

// The direct calls (real file system, small buffer) against the thread-pool path of `writeAtomic`
// (any other WriterFs; a copy of node:fs/promises is one): same files, modes, results and failures.
const paths: [string, WriterFs][] = [
  ['direct calls', nodeWriterFs],
  ['writeAtomic', { ...fsp } as WriterFs],
]

describe.each(paths)('writeSmallAtomic (%s)', (_, fs) => {
  it('writes the bytes into new private folders and leaves no temp file', async () => {
    const root = join(base, 'out')
    const known = new Set<string>()
    expect(await writeSmallAtomic(fs, join(root, 'a/b/@r1.json'), Buffer.from('[1]'), { knownDirs: known })).toBe(3)
    expect(await writeSmallAtomic(fs, join(root, 'a/b/@r2.json'), Buffer.from(''), { knownDirs: known })).toBe(0)
    expect(readFileSync(join(root, 'a/b/@r1.json'), 'utf8')).toBe('[1]')
    expect(tree(root)).toEqual(['a 700', 'a/b 700', 'a/b/@r1.json 600', 'a/b/@r2.json 600'])
    expect([...known]).toEqual([join(root, 'a/b')])
  })

  it('replaces an existing file, and writes a buffer over the small size', async () => {
    const file = join(base, 'x/@r1.bin')
    await writeSmallAtomic(fs, file, Buffer.from('old'))
    const big = Buffer.alloc(SMALL_WRITE_BYTES + 1, 7)
    expect(await writeSmallAtomic(fs, file, big)).toBe(big.length)
    expect(readFileSync(file).equals(big)).toBe(true)
    expect(tree(join(base, 'x'))).toEqual(['@r1.bin 600'])
  })

  it('creates a known folder again when it was removed since', async () => {
    const known = new Set<string>()
    const file = join(base, 'k/@r1.json')
    await writeSmallAtomic(fs, file, Buffer.from('1'), { knownDirs: known })
    rmSync(join(base, 'k'), { recursive: true })
    await writeSmallAtomic(fs, file, Buffer.from('2'), { knownDirs: known })
    expect(readFileSync(file, 'utf8')).toBe('2')
  })

  it('on a failed rename removes the temp file and leaves the destination as it was', async () => {
    const dest = join(base, 'd/@r1.json')
    mkdirSync(join(dest, 'inside'), { recursive: true }) // a non-empty folder where the file goes
    const err = await writeSmallAtomic(fs, dest, Buffer.from('1')).catch((e: unknown) => e)
    expect(err).toMatchObject({ syscall: 'rename' })
    expect(tree(join(base, 'd'))).toEqual(['@r1.json 755', '@r1.json/inside 755'])
  })

  it('fails with the file-system error when the folder cannot be created', async () => {
    writeFileSync(join(base, 'file'), 'not a folder')
    const err = await writeSmallAtomic(fs, join(base, 'file/k/@r1.json'), Buffer.from('1')).catch((e: unknown) => e)
    expect(err).toMatchObject({ code: 'ENOTDIR', syscall: 'mkdir' })
    expect(tree(base)).toEqual(['file 644'])
  })
})
