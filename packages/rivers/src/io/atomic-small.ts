/**
 * The atomic write of a small buffer (most asset outputs: a JSON value of a few bytes) with the same
 * steps and guarantees as {@link writeAtomic}: temp file in the destination folder, fsync, rename,
 * fsync of the folder. The calls that take microseconds (mkdir, open, write, close, rename) are made
 * directly instead of through the thread pool, which costs several times the call itself per step
 * and runs on the same cores; only the fsyncs, which wait for the disk, stay asynchronous, and the
 * folders' fsyncs are shared with the writes that need the same folder synced at the same time
 * (`dir-sync.ts`).
 *
 * Only for the real file system: with an injected {@link WriterFs} (tests, plugins) the write goes
 * through {@link writeAtomic} and that file system's calls.
 */
import * as fs from 'node:fs'
import { basename, dirname, join } from 'node:path'
import { type AtomicModes, nodeWriterFs, parentsOfCreated, writeAtomic, type WriterFs } from './atomic.js'
import { fsyncFd as fsync, syncDirShared } from './dir-sync.js'
import { tempFileName } from './sweep.js'

/** Buffers up to this size are written by direct calls; larger ones through the thread pool. */
export const SMALL_WRITE_BYTES = 64 * 1024

/**
 * Replaces `finalPath` atomically with `bytes`; returns the number of bytes written. Same contract as
 * {@link writeAtomic} (a failure removes the temp file and leaves the destination untouched; files
 * and the folders created for them are private unless `modes` says otherwise). `written` is called
 * once the bytes are in the temp file, when only the fsyncs and the rename remain (by the direct
 * calls only: not at all on the other path).
 *
 * @example
 * await writeSmallAtomic(nodeWriterFs, '/data/raw/@run.json', Buffer.from('[1]'))
 */
export async function writeSmallAtomic(
  writer: WriterFs,
  finalPath: string,
  bytes: Uint8Array,
  modes: AtomicModes = {},
  written?: () => void,
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
    written?.()
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
  // The folder's new entry and those of the folders created for it: synced together (and with the
  // writes close by that need the same folders synced).
  if (created.length === 0) await syncDirShared(dir)
  else await Promise.all([syncDirShared(dir), ...created.map(syncDirShared)])
  return bytes.length
}

function closeQuietly(fd: number): void {
  try {
    fs.closeSync(fd)
  } catch {
    // Closing after a failure: the failure is what the caller hears of.
  }
}
