/**
 * From asset keys to file paths inside a storage folder, refusing anything that could escape it.
 * Two independent checks: every key segment is validated, and the resolved path must still lie
 * inside the folder (defence in depth).
 */
import { isAbsolute, relative, resolve, sep } from 'node:path'
import { unsafeKey } from './errors.js'

const SEGMENT = /^[A-Za-z0-9_.-]+$/

/**
 * The segments of a key, validated: non-empty, only `A-Z a-z 0-9 _ - .`, not `.` or `..`.
 *
 * @example
 * keySegments('raw/orders') // ['raw', 'orders']
 */
export function keySegments(key: string): string[] {
  if (typeof key !== 'string' || key === '') throw unsafeKey(String(key), 'it is empty')
  if (key.includes('\0')) throw unsafeKey(key, 'it contains a NUL character')
  if (key.startsWith('/') || isAbsolute(key)) throw unsafeKey(key, 'it is an absolute path')
  const segments = key.split('/')
  segments.forEach((s, i) => {
    if (s === '') throw unsafeKey(key, `segment ${i + 1} is empty`)
    if (s === '.' || s === '..') throw unsafeKey(key, `segment '${s}' is not allowed`)
    if (!SEGMENT.test(s)) throw unsafeKey(key, `segment '${s}' has a character outside A-Z a-z 0-9 _ - .`)
  })
  return segments
}

/**
 * The storage path of a key's output, relative to the storage folder with `/` separators (the
 * form kept in the store): `raw/orders` + `.json` → `raw/orders.json`.
 *
 * @example
 * storagePathFor('raw/orders', '.json') // 'raw/orders.json'
 */
export function storagePathFor(key: string, extension: string): string {
  return `${keySegments(key).join('/')}${extension}`
}

/**
 * The absolute path of a storage path under `baseDir`, after checking it stays inside. `key` names
 * the asset in the error. A storage path read back from the store is validated like a key.
 *
 * @example
 * resolveInside('/p/.rivers/storage', 'raw/orders.json', 'raw/orders') // '/p/.rivers/storage/raw/orders.json'
 */
export function resolveInside(baseDir: string, storagePath: string, key: string): string {
  let segments: string[]
  try {
    segments = keySegments(storagePath)
  } catch {
    throw unsafeKey(key, `its stored path ${JSON.stringify(storagePath)} is not a safe relative path`)
  }
  const base = resolve(baseDir)
  const full = resolve(base, ...segments)
  const rel = relative(base, full)
  if (rel === '' || rel === '..' || rel.startsWith(`..${sep}`) || isAbsolute(rel)) {
    throw unsafeKey(key, `it resolves to ${full}, outside the storage folder ${base}`)
  }
  return full
}
