import { mkdirSync, mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { FileIOManager } from './file-io-manager.js'
import { parseTempName, pidAlive, sweepTempFiles, tempFileName } from './sweep.js'

let base: string
beforeEach(() => {
  base = mkdtempSync(join(tmpdir(), 'rivers-sweep-'))
})
afterEach(() => rmSync(base, { recursive: true, force: true }))

function put(rel: string, ageMs: number): void {
  const file = join(base, rel)
  mkdirSync(join(file, '..'), { recursive: true })
  writeFileSync(file, 'x')
  const t = new Date(Date.now() - ageMs)
  utimesSync(file, t, t)
}

/** Paths relative to `base`, the random part of temp names as `*`. */
const shown = (files: string[]): string[] =>
  files.map((f) => (f.startsWith(base) ? f.slice(base.length + 1) : f).replace(/-[0-9a-f]{16}-/, '-*-')).sort()
const all = (): string[] =>
  shown((readdirSync(base, { recursive: true, encoding: 'utf8' }) as string[]).filter((f) => f.includes('@')))

describe('sweepTempFiles', () => {
  it('removes old temp files of dead writers and of unknown writers, keeps the rest', async () => {
    const dead = 999_999_99
    put(`raw/${tempFileName('@r1.json', dead)}`, 120_000) // old, writer gone: removed
    put(`raw/${tempFileName('@r2.json', dead)}`, 5_000) // young: kept (maybe a slow writer on another clock)
    put(`raw/${tempFileName('@r3.json', process.pid)}`, 120_000) // ours: kept
    put(`deep/er/key/${'.tmp-0123abcd-@r4.bin'}`, 120_000) // an older writer's name (no pid): age decides
    put(`raw/${tempFileName('@r5.json', 1)}`, 2 * 24 * 3600_000) // alive pid but two days old: removed
    put('raw/@r1.json', 120_000) // a real artifact: never touched
    const removed = await sweepTempFiles(base, { isAlive: (pid) => pid !== dead })
    expect(shown(removed)).toEqual([
      'deep/er/key/.tmp-0123abcd-@r4.bin',
      'raw/.tmp-1-*-@r5.json',
      'raw/.tmp-99999999-*-@r1.json',
    ])
    expect(all()).toEqual(['raw/.tmp-99999999-*-@r2.json', `raw/.tmp-${process.pid}-*-@r3.json`, 'raw/@r1.json'].sort())
  })

  it('never throws: a missing folder sweeps nothing', async () => {
    expect(await sweepTempFiles(join(base, 'nope'))).toEqual([])
  })

  it('is what FileIOManager.sweepTempFiles does under its folder', async () => {
    put(`storage/k/${tempFileName('@r1.json', 999_999_98)}`, 120_000)
    expect(await new FileIOManager(join(base, 'storage')).sweepTempFiles({ isAlive: () => false })).toHaveLength(1)
  })

  it('tempFileName: unique names that parse back to their pid', () => {
    const names = Array.from({ length: 1000 }, () => tempFileName('@r1.json', 4242))
    expect(new Set(names).size).toBe(1000)
    for (const n of names) {
      expect(n).toMatch(/^\.tmp-4242-[0-9a-f]{16}-@r1\.json$/)
      expect(parseTempName(n)).toEqual({ pid: 4242 })
    }
  })

  it('pidAlive', () => {
    expect(pidAlive(process.pid)).toBe(true)
    expect(pidAlive(0)).toBe(false)
    expect(pidAlive(-1)).toBe(false)
  })
})

describe('sweeping only some folders', () => {
  it('looks in the folders of the given keys only, not below them', async () => {
    put(`storage/raw/${tempFileName('@r1.json', 999_999_97)}`, 120_000)
    put(`storage/raw/orders/${tempFileName('@r1.json', 999_999_97)}`, 120_000)
    put(`storage/other/${tempFileName('@r1.json', 999_999_97)}`, 120_000)
    const io = new FileIOManager(join(base, 'storage'))
    const removed = await io.sweepTempFiles({ keys: ['raw', '../evil', 'missing/key'], isAlive: () => false })
    expect(removed.map((f) => f.slice(base.length + 1).replace(/-[0-9a-f]{16}-/, '-*-'))).toEqual([
      'storage/raw/.tmp-99999997-*-@r1.json',
    ])
    expect(await io.sweepTempFiles({ isAlive: () => false })).toHaveLength(2)
  })

  it('finds nothing, and fails on nothing, when the storage folder does not exist yet', async () => {
    const io = new FileIOManager(join(base, 'no-storage'))
    expect(await io.sweepTempFiles({ keys: ['raw', 'a/b'], isAlive: () => false })).toEqual([])
    expect(await sweepTempFiles(join(base, 'no-storage'), { only: ['raw'], isAlive: () => false })).toEqual([])
    put(`no-storage/raw/${tempFileName('@r1.json', 999_999_97)}`, 120_000) // created later: found
    expect(await io.sweepTempFiles({ keys: ['raw'], isAlive: () => false })).toHaveLength(1)
  })
})
