/**
 * Creating the store folder without Node's recursive `mkdir`, which never returns when a folder
 * above the target exists but creating an entry in it fails with ENOENT (it creates the "missing"
 * parent, finds it exists, and tries the child again): what /proc/<pid> and some FUSE file systems
 * answer. Here each missing folder is created once, top down, without recursion.
 */
import { mkdirSync, statSync } from 'node:fs'
import path from 'node:path'
import { storeDirRefused, storeDirUnavailable } from './errors.js'

/**
 * Creates `dir` and its missing parents (mode `mode`), each once; an ENOENT from a parent that
 * exists becomes `storeDirRefused`, other failures `storeDirUnavailable`.
 *
 * @example
 * makeStoreDir('/project/.rivers') // creates it (0700) if absent
 */
export function makeStoreDir(dir: string, mode = 0o700): void {
  const target = path.resolve(dir)
  const missing: string[] = []
  for (let d = target; ; d = path.dirname(d)) {
    let st: import('node:fs').Stats | undefined
    try {
      st = statSync(d, { throwIfNoEntry: false })
    } catch (e) {
      throw storeDirUnavailable(target, e)
    }
    if (st !== undefined) {
      if (!st.isDirectory()) {
        try {
          mkdirSync(d) // fails with the file system's own EEXIST / ENOTDIR, which the message explains
        } catch (e) {
          throw storeDirUnavailable(target, e)
        }
      }
      break
    }
    missing.unshift(d)
    if (path.dirname(d) === d) break
  }
  for (const d of missing) {
    try {
      mkdirSync(d, { mode })
    } catch (e) {
      const code = (e as { code?: unknown }).code
      if (code === 'EEXIST' && statSync(d, { throwIfNoEntry: false })?.isDirectory() === true) continue
      if (code === 'ENOENT') throw storeDirRefused(target, path.dirname(d))
      throw storeDirUnavailable(target, e)
    }
  }
}
