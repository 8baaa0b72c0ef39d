/**
 * Atomic file replacement: write a temp file in the destination folder, fsync it, rename it over the
 * destination, fsync the folder. Readers see the old file or the new one, never a partial one; on any
 * failure the temp file is removed and the destination is untouched. A writer killed before the
 * rename leaves its temp file (`.tmp-<pid>-…`), which `sweepTempFiles` removes later.
 *
 * The few file-system calls go through a {@link WriterFs}, so tests can inject failures (ENOSPC)
 * without a full disk.
 */
import * as fsp from 'node:fs/promises'
import { basename, dirname, join } from 'node:path'
import { tempFileName } from './sweep.js'

/** The part of a file handle the writer uses. */
export interface WriterHandle {
  write(buffer: Uint8Array, offset: number, length: number): Promise<{ bytesWritten: number }>
  sync(): Promise<void>
  close(): Promise<void>
}

/** The file-system calls the writer makes; `node:fs/promises` satisfies it. */
export interface WriterFs {
  mkdir(path: string, options: { recursive: true; mode?: number }): Promise<unknown>
  open(path: string, flags: string, mode?: number): Promise<WriterHandle>
  rename(from: string, to: string): Promise<void>
  rm(path: string, options: { force: true }): Promise<void>
}

/**
 * The real file system.
 *
 * @example
 * await writeAtomic(nodeWriterFs, '/tmp/x.json', async (out) => out.write(Buffer.from('{}')))
 */
export const nodeWriterFs: WriterFs = fsp

/** Where `produce` writes: the temp file, with a `write` that loops until every byte is written. */
export interface TempFile {
  /** Path of the temp file (e.g. to hash it before it is renamed into place). */
  readonly path: string
  write(bytes: Uint8Array): Promise<void>
}

/** Permissions of what {@link writeAtomic} creates. */
export interface AtomicModes {
  /** Mode of the file (default 0o600: only the user can read it). */
  fileMode?: number
  /** Mode of folders it creates (default 0o700). */
  dirMode?: number
  /**
   * Folders known to exist (a writer's own record of where it wrote): no `mkdir` for them. A folder
   * removed since is created again when opening the temp file fails with ENOENT. `writeAtomic` adds
   * the folders it creates.
   */
  knownDirs?: Set<string>
}

/**
 * Replaces `finalPath` atomically with what `produce` writes; returns the number of bytes written.
 * `beforeRename` runs after the temp file is complete and synced (e.g. to hash it). Errors from
 * `produce`, `beforeRename` or the file system propagate after the temp file is removed. Files and
 * the folders created for them are private to the user unless `modes` says otherwise.
 *
 * @example
 * const bytes = await writeAtomic(nodeWriterFs, '/data/raw.json', (out) => out.write(Buffer.from('[1]')))
 */
export async function writeAtomic(
  fs: WriterFs,
  finalPath: string,
  produce: (out: TempFile) => Promise<void>,
  beforeRename?: (tempPath: string) => void | Promise<void>,
  modes: AtomicModes = {},
): Promise<number> {
  const dir = dirname(finalPath)
  const known = modes.knownDirs
  const mkdir = async (): Promise<void> => {
    const first = await fs.mkdir(dir, { recursive: true, mode: modes.dirMode ?? 0o700 })
    // New folders' own entries, in the folders above them, must be durable too.
    for (const parent of parentsOfCreated(first, dir)) await syncDir(fs, parent)
    known?.add(dir)
  }
  const tempPath = join(dir, tempFileName(basename(finalPath)))
  const fileMode = modes.fileMode ?? 0o600
  let handle: WriterHandle
  if (known?.has(dir)) {
    try {
      handle = await fs.open(tempPath, 'wx', fileMode)
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e
      known.delete(dir) // removed since (gc, wipe, by hand)
      await mkdir()
      handle = await fs.open(tempPath, 'wx', fileMode)
    }
  } else {
    await mkdir()
    handle = await fs.open(tempPath, 'wx', fileMode)
  }
  let bytes = 0
  let open = true
  try {
    await produce({
      path: tempPath,
      async write(chunk) {
        let offset = 0
        while (offset < chunk.length) {
          const { bytesWritten } = await handle.write(chunk, offset, chunk.length - offset)
          offset += bytesWritten
        }
        bytes += chunk.length
      },
    })
    await handle.sync()
    open = false
    await handle.close()
    await beforeRename?.(tempPath)
    await fs.rename(tempPath, finalPath)
  } catch (e) {
    if (open) await handle.close().catch(() => undefined)
    await fs.rm(tempPath, { force: true }).catch(() => undefined)
    throw e
  }
  await syncDir(fs, dir)
  return bytes
}

/**
 * The folders whose entries changed when a recursive `mkdir` of `dir` created `first` (what it
 * returns: the first folder it created, undefined when `dir` existed) and everything below it down
 * to `dir`: the parent of each created folder, innermost first. Syncing them makes the new folders
 * survive a power loss; `dir` itself is synced after the rename.
 *
 * @example
 * parentsOfCreated('/data/a', '/data/a/b') // ['/data/a', '/data']
 */
export function parentsOfCreated(first: unknown, dir: string): string[] {
  if (typeof first !== 'string') return []
  const out: string[] = []
  for (let d = dir; ; d = dirname(d)) {
    const parent = dirname(d)
    if (parent === d) break
    out.push(parent)
    if (d === first) break
  }
  return out
}

/**
 * Makes a rename durable by fsyncing its folder. Best effort: platforms that cannot open a folder
 * (Windows) or sync it (some network file systems) skip it; the data itself is already synced.
 */
async function syncDir(fs: WriterFs, dir: string): Promise<void> {
  let handle: WriterHandle | undefined
  try {
    handle = await fs.open(dir, 'r')
    await handle.sync()
  } catch {
    // See above: nothing useful to do.
  } finally {
    await handle?.close().catch(() => undefined)
  }
}
