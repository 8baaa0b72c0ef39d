/**
 * Shared fsyncs of folders. Writes that finish close together often need the same folder synced
 * (the folder above many new key folders, the folder of a partitioned asset): instead of one
 * fsync each, a request joins the next fsync of that folder, which starts once the one under way
 * (if any) has ended. A request never joins an fsync that had started before it: that one may have
 * missed the entry the request is about. So every caller still waits for an fsync of the folder that
 * began after its own change, and at most one runs per folder at a time, plus one waiting.
 */
import * as fs from 'node:fs'

/** The fsync of a folder under way, and the one requests made meanwhile share. */
interface Syncing {
  running: Promise<void>
  next: Promise<void> | undefined
}

/**
 * A folder syncer that shares fsyncs as described above; `syncOnce` syncs one folder and never
 * rejects (tests give their own).
 *
 * @example
 * const sync = sharedDirSyncs()
 * await Promise.all([sync('/data/a'), sync('/data/a')]) // one fsync, or two when one was under way
 */
export function sharedDirSyncs(syncOnce: (dir: string) => Promise<void> = syncDirOnce): (dir: string) => Promise<void> {
  const syncing = new Map<string, Syncing>()
  const start = (dir: string): Promise<void> => {
    const s: Syncing = { running: Promise.resolve(), next: undefined }
    syncing.set(dir, s)
    s.running = syncOnce(dir).finally(() => {
      // Nobody waits for another one: the folder is done with. Else `next` starts one, which replaces this.
      if (s.next === undefined && syncing.get(dir) === s) syncing.delete(dir)
    })
    return s.running
  }
  return (dir) => {
    const s = syncing.get(dir)
    if (s === undefined) return start(dir)
    s.next ??= s.running.then(() => start(dir))
    return s.next
  }
}

/**
 * Syncs folder `dir` (best effort, as `atomic.ts` does it: a platform that cannot open or sync a
 * folder skips it; never rejects), sharing the fsync with the requests made while one is under way.
 *
 * @example
 * await syncDirShared('/data/storage/raw') // the entry of a file renamed into it is durable
 */
export const syncDirShared: (dir: string) => Promise<void> = sharedDirSyncs()

/**
 * One fsync of a folder, best effort.
 *
 * @example
 * await syncDirOnce('/data/storage')
 */
export async function syncDirOnce(dir: string): Promise<void> {
  let fd: number | undefined
  try {
    fd = fs.openSync(dir, 'r')
    await fsyncFd(fd)
  } catch {
    // Nothing useful to do: the data itself is synced.
  } finally {
    if (fd !== undefined)
      try {
        fs.closeSync(fd)
      } catch {
        // As above.
      }
  }
}

/**
 * `fsync(fd)` on the thread pool (it waits for the disk), as a promise.
 *
 * @example
 * await fsyncFd(fd)
 */
export function fsyncFd(fd: number): Promise<void> {
  return new Promise((resolve, reject) => fs.fsync(fd, (e) => (e === null ? resolve() : reject(e))))
}
