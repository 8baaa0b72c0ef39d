/**
 * A check of the store folder before the store opens it. Node's recursive `mkdir` never returns
 * when a folder above the target exists but creating an entry in it fails with ENOENT (it creates
 * the "missing" parent, finds it exists, and tries the child again): that is what /proc/<pid> and
 * some FUSE file systems answer. The check creates the first missing folder once, without recursion
 * (the store creates the rest), and turns that answer into an error (exit 2). Other failures (a parent that is a file, no
 * permission, a read-only file system) are left to the store, whose messages already cover them.
 */
import { mkdirSync, statSync, type Stats } from 'node:fs'
import path from 'node:path'
import { storeDirRefused } from './errors.js'

/**
 * @example
 * checkStoreDir('/proc/1/store') // throws: /proc/1 does not accept new folders
 */
export function checkStoreDir(dir: string): void {
  let existing = path.resolve(dir)
  let firstMissing: string | undefined
  for (;;) {
    let st: Stats | undefined
    try {
      st = statSync(existing, { throwIfNoEntry: false })
    } catch {
      return // cannot even look (no permission): the store says so
    }
    if (st !== undefined) {
      if (firstMissing === undefined || !st.isDirectory()) return
      break
    }
    const parent = path.dirname(existing)
    if (parent === existing) return
    firstMissing = existing
    existing = parent
  }
  try {
    mkdirSync(firstMissing, { mode: 0o700 })
  } catch (e) {
    if ((e as { code?: unknown }).code === 'ENOENT') throw storeDirRefused(path.resolve(dir), existing)
    return
  }
  // It could be created, with the store's own mode (0700): it stays. Removing it again raced with
  // another process opening the same new store, which could find the folder, skip creating it, and
  // then fail to create its database file (ENOENT) once the folder was gone.
}
