import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterEach, expect, test } from 'vitest'
import { checkStoreDir } from './store-dir.js'

const dirs: string[] = []
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true })
})
const base = (): string => {
  const d = mkdtempSync(path.join(tmpdir(), 'rivers-store-dir-'))
  dirs.push(d)
  return d
}

test('the first missing folder is created once (0700) and stays; the store creates the rest', () => {
  const dir = path.join(base(), 'a', '.rivers')
  checkStoreDir(dir)
  expect(statSync(path.dirname(dir)).mode & 0o777).toBe(0o700)
  expect(existsSync(dir)).toBe(false)
})

test('a folder it created is never removed again: another process may be opening the same new store in it', () => {
  const dir = path.join(base(), '.rivers')
  checkStoreDir(dir)
  expect(statSync(dir).isDirectory()).toBe(true)
  // A second process's check finds it and leaves it as it is.
  checkStoreDir(dir)
  expect(statSync(dir).isDirectory()).toBe(true)
})

test('a parent that refuses new folders (ENOENT, as /proc does) is an error naming it', () => {
  expect(() => checkStoreDir(`/proc/${process.pid}/rivers-store`)).toThrow(/does not accept new folders/)
})
