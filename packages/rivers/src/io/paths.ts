/**
 * From asset keys to file paths inside a storage folder, refusing anything that could escape it.
 * Two independent checks: every key segment is validated, and the resolved path must still lie
 * inside the folder (defence in depth).
 */
import { isAbsolute, relative, resolve, sep } from 'node:path'
import { unsafeKey } from './errors.js'

const SEGMENT = /^[A-Za-z0-9_.-]+$/

/** File extension per stored format; a read decodes by it. */
export const FORMAT_EXT = { json: '.json', bytes: '.bin', stream: '.stream' } as const

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

const VERSION = /^[A-Za-z0-9_.-]+$/

/**
 * The file name of a segment (the outputs of many partitions in one file, see `segments.ts`):
 * `@<run>.<first>~<last>.<tag>.seg`. `~` appears in no key, run id or escaped partition name.
 */
export const SEGMENT_FILE = /^@[A-Za-z0-9_.-]+~[A-Za-z0-9_.-]+\.seg$/

/**
 * A partition key as part of a file name: `A-Z a-z 0-9 - .` kept, every other character (and `_`)
 * written `_XX` (its UTF-8 bytes in hex), so distinct keys give distinct names.
 *
 * @example
 * partitionFileName('2024-01-05T13:00') // '2024-01-05T13_3a00'
 * partitionFileName('2024-01-05|eu') // '2024-01-05_7ceu'
 */
export function partitionFileName(key: string): string {
  let out = ''
  for (const ch of key) {
    if (/^[A-Za-z0-9.-]$/.test(ch) && !(ch === '.' && out === '')) out += ch
    else for (const b of Buffer.from(ch, 'utf8')) out += `_${b.toString(16).padStart(2, '0')}`
  }
  return out
}

/**
 * The storage path of a key's output, relative to the storage folder with `/` separators (the
 * form kept in the store). With a `version` (the run id), each materialization gets its own file in
 * the key's folder, named `@<version><ext>`: a crash between writing an output and recording it can
 * then never leave the recorded version's file overwritten. `@` cannot appear in keys, so these
 * names never collide with another key's folder.
 *
 * @example
 * storagePathFor('raw/orders', '.json') // 'raw/orders.json'
 * storagePathFor('raw/orders', '.json', 'r1') // 'raw/orders/@r1.json'
 */
export function storagePathFor(key: string, extension: string, version?: string): string {
  const base = keySegments(key).join('/')
  if (version === undefined) return `${base}${extension}`
  if (!VERSION.test(version) || version === '.' || version === '..')
    throw unsafeKey(key, `its version name ${JSON.stringify(version)} has a character outside A-Z a-z 0-9 _ - .`)
  return `${base}/@${version}${extension}`
}

/**
 * The absolute path of a storage path under `baseDir`, after checking it stays inside. `key` names
 * the asset in the error. A storage path read back from the store is validated like a key (its last
 * part may also be a version file `@<version><ext>` or a segment file, see `SEGMENT_FILE`).
 *
 * @example
 * resolveInside('/p/.rivers/storage', 'raw/orders.json', 'raw/orders') // '/p/.rivers/storage/raw/orders.json'
 */
export function resolveInside(baseDir: string, storagePath: string, key: string): string {
  let segments: string[]
  try {
    const parts = storagePath.split('/')
    const last = parts.at(-1) ?? ''
    if (last.startsWith('@') && parts.length > 1) {
      if (!VERSION.test(last.slice(1)) && !SEGMENT_FILE.test(last)) throw new Error('bad version file name')
      segments = [...keySegments(parts.slice(0, -1).join('/')), last]
    } else segments = keySegments(storagePath)
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
