/**
 * What a `FileIOManager` folder holds, for garbage collection: every artifact file (versioned
 * `<key>/@<run>.<ext>`, a segment of many partitions `<key>/@<run>.<first>~<last>.<tag>.seg`, or an
 * older unversioned `<key>.<ext>`) and every temp file of an interrupted write, each with the asset it
 * belongs to, its size and age. Files of other shapes are not ours and
 * are never listed (so never deleted).
 */
import type { Dirent } from 'node:fs'
import { readdir, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { SEGMENT_FILE } from './paths.js'
import { parseTempName } from './sweep.js'
import type { StoredFile } from './types.js'

const SEGMENT = /^[A-Za-z0-9_.-]+$/
const VERSIONED = /^@[A-Za-z0-9_.-]+\.(json|bin|stream)$/
const UNVERSIONED = /^([A-Za-z0-9_.-]+)\.(json|bin|stream)$/

/**
 * The artifact and temp files under `baseDir`, of `keys` only when given. A folder that cannot be
 * read, or a file that vanishes meanwhile, is skipped.
 *
 * @example
 * const files = await listStoredFiles('.rivers/storage') // [{ key: 'raw', storagePath: 'raw/@r1.json', … }]
 */
export async function listStoredFiles(baseDir: string, keys?: readonly string[]): Promise<StoredFile[]> {
  const only = keys === undefined ? undefined : new Set(keys)
  const out: StoredFile[] = []
  const walk = async (segments: string[]): Promise<void> => {
    let entries: Dirent[]
    try {
      entries = await readdir(join(baseDir, ...segments), { withFileTypes: true })
    } catch {
      return
    }
    for (const e of entries) {
      if (e.isDirectory()) {
        if (SEGMENT.test(e.name) && e.name !== '.' && e.name !== '..') await walk([...segments, e.name])
        continue
      }
      if (!e.isFile()) continue
      const found = classify(segments, e.name)
      if (found === undefined || (only !== undefined && !only.has(found.key))) continue
      try {
        const st = await stat(join(baseDir, ...segments, e.name))
        out.push({ ...found, bytes: st.size, modifiedMs: st.mtimeMs })
      } catch {
        // Gone meanwhile.
      }
    }
  }
  await walk([])
  return out.sort((a, b) => (a.storagePath < b.storagePath ? -1 : a.storagePath > b.storagePath ? 1 : 0))
}

function classify(
  segments: readonly string[],
  name: string,
): Pick<StoredFile, 'key' | 'storagePath' | 'temp'> | undefined {
  const storagePath = [...segments, name].join('/')
  const temp = parseTempName(name)
  if (temp !== undefined) {
    // A versioned write's temp file sits in its key's folder; an unversioned one beside `<key>.<ext>`.
    const final = name.replace(/^\.tmp-(?:\d+-)?[0-9a-f]+-/, '')
    const m = UNVERSIONED.exec(final)
    const key = final.startsWith('@') || m === null ? segments.join('/') : [...segments, m[1]].join('/')
    return key === '' ? undefined : { key, storagePath, temp }
  }
  if (VERSIONED.test(name) || SEGMENT_FILE.test(name))
    return segments.length === 0 ? undefined : { key: segments.join('/'), storagePath }
  const m = UNVERSIONED.exec(name)
  if (m !== null) return { key: [...segments, m[1]].join('/'), storagePath }
  return undefined
}
