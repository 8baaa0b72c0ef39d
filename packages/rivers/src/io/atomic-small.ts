/**
 * The atomic write of a small buffer (most asset outputs: a JSON value of a few bytes) with the same
 * steps and guarantees as {@link writeAtomic}: temp file in the destination folder, fsync, rename,
 * fsync of the folder. The calls that take microseconds (mkdir, open, write, close, rename) are made
 * directly instead of through the thread pool, which costs several times the call itself per step
 * and runs on the same cores; only the two fsyncs, which wait for the disk, stay asynchronous.
 *
 * Only for the real file system: with an injected {@link WriterFs} (tests, plugins) the write goes
 * through {@link writeAtomic} and that file system's calls.
 */
import * as fs from 'node:fs'
import { basename, dirname, join } from 'node:path'
import { type AtomicModes, nodeWriterFs, parentsOfCreated, writeAtomic, type WriterFs } from './atomic.js'
import { tempFileName } from './sweep.js'

/** Buffers up to this size are written by direct calls; larger ones through the thread pool. */
export const SMALL_WRITE_BYTES = 64 * 1024

const fsync = (fd: number): Promise<void> =>
  new Promise((resolve, reject) => fs.fsync(fd, (e) => (e === null ? resolve() : reject(e))))

/**
 * Replaces `finalPath` atomically with `bytes`; returns the number of bytes written. Same contract as
 * {@link writeAtomic} (a failure removes the temp file and leaves the destination untouched; files
 * and the folders created for them are private unless `modes` says otherwise).
 *
 * @example
 * await writeSmallAtomic(nodeWriterFs, '/data/raw/@run.json', Buffer.from('[1]'))
 */
export async function writeSmallAtomic(
  writer: WriterFs,
  finalPath: string,
  bytes: Uint8Array,
  modes: AtomicModes = {},
): Promise<number> {
  if (writer !== nodeWriterFs || bytes.length > SMALL_WRITE_BYTES)
    return writeAtomic(writer, finalPath, (out) => out.write(bytes), undefined, modes)
  const dir = dirname(finalPath)
  const known = modes.knownDirs
  /** Creates the folder; the parents whose entries changed are synced after the file's fsync. */
  let created: string[] = []
  const mkdir = (): void => {
    created = parentsOfCreated(fs.mkdirSync(dir, { recursive: true, mode: modes.dirMode ?? 0o700 }), dir)
    known?.add(dir)
  }
  const tempPath = join(dir, tempFileName(basename(finalPath)))
  const fileMode = modes.fileMode ?? 0o600
  let fd: number
  if (known?.has(dir)) {
    try {
      fd = fs.openSync(tempPath, 'wx', fileMode)
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e
      known.delete(dir) // removed since (gc, wipe, by hand)
      mkdir()
      fd = fs.openSync(tempPath, 'wx', fileMode)
    }
  } else {
    mkdir()
    fd = fs.openSync(tempPath, 'wx', fileMode)
  }
  let open = true
  try {
    for (let offset = 0; offset < bytes.length; ) offset += fs.writeSync(fd, bytes, offset, bytes.length - offset)
    await fsync(fd)
    open = false
    fs.closeSync(fd)
    fs.renameSync(tempPath, finalPath)
  } catch (e) {
    if (open) closeQuietly(fd)
    try {
      fs.rmSync(tempPath, { force: true })
    } catch {
      // As above: the write's failure is what the caller hears of.
    }
    throw e
  }
  // The folder's new entry and those of the folders created for it: synced together.
  if (created.length === 0) await syncDir(dir)
  else await Promise.all([syncDir(dir), ...created.map(syncDir)])
  return bytes.length
}

function closeQuietly(fd: number): void {
  try {
    fs.closeSync(fd)
  } catch {
    // Closing after a failure: the failure is what the caller hears of.
  }
}

/** As `atomic.ts` does it: best effort (a platform that cannot open or sync a folder skips it). */
async function syncDir(dir: string): Promise<void> {
  let fd: number | undefined
  try {
    fd = fs.openSync(dir, 'r')
    await fsync(fd)
  } catch {
    // Nothing useful to do: the data itself is synced.
  } finally {
    if (fd !== undefined) closeQuietly(fd)
  }
}
