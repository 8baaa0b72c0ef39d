import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterEach, expect, test, vi } from 'vitest'

/** What the next `rmdirSync` throws (undefined: the real one runs). */
let rmdirFails: string | undefined
vi.mock('node:fs', async (importOriginal) => {
  const fs = await importOriginal<typeof import('node:fs')>()
  return {
    ...fs,
    rmdirSync: (p: string) => {
      if (rmdirFails === undefined) return fs.rmdirSync(p)
      throw Object.assign(new Error(`${rmdirFails}: rmdir '${p}'`), { code: rmdirFails })
    },
  }
})
const { checkStoreDir } = await import('./store-dir.js')

const dirs: string[] = []
afterEach(() => {
  rmdirFails = undefined
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true })
})
const base = (): string => {
  const d = mkdtempSync(path.join(tmpdir(), 'rivers-store-dir-'))
  dirs.push(d)
  return d
}

test('a store folder that can be created is left to the store to create', () => {
  const dir = path.join(base(), 'a', '.rivers')
  checkStoreDir(dir)
  expect(existsSync(path.dirname(dir))).toBe(false)
})

test('another process using the folder meanwhile (ENOTEMPTY, ENOENT) is no error; other failures are', () => {
  for (const code of ['ENOTEMPTY', 'ENOENT']) {
    rmdirFails = code
    expect(() => checkStoreDir(path.join(base(), '.rivers'))).not.toThrow()
  }
  rmdirFails = 'EACCES'
  expect(() => checkStoreDir(path.join(base(), '.rivers'))).toThrow(/EACCES/)
})
