/**
 * Atomic file replacement: write a temp file in the destination folder, fsync it, rename it over the
 * destination, fsync the folder. Readers see the old file or the new one, never a partial one; on any
 * failure the temp file is removed and the destination is untouched.
 *
 * The few file-system calls go through a {@link WriterFs}, so tests can inject failures (ENOSPC)
 * without a full disk.
 */
import { randomBytes } from 'node:crypto'
import * as fsp from 'node:fs/promises'
import { basename, dirname, join } from 'node:path'

/** The part of a file handle the writer uses. */
export interface WriterHandle {
  write(buffer: Uint8Array, offset: number, length: number): Promise<{ bytesWritten: number }>
  sync(): Promise<void>
  close(): Promise<void>
}

/** The file-system calls the writer makes; `node:fs/promises` satisfies it. */
export interface WriterFs {
  mkdir(path: string, options: { recursive: true }): Promise<unknown>
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

/**
 * Replaces `finalPath` atomically with what `produce` writes; returns the number of bytes written.
 * `beforeRename` runs after the temp file is complete and synced (e.g. to hash it). Errors from
 * `produce`, `beforeRename` or the file system propagate after the temp file is removed.
 *
 * @example
 * const bytes = await writeAtomic(nodeWriterFs, '/data/raw.json', (out) => out.write(Buffer.from('[1]')))
 */
export async function writeAtomic(
  fs: WriterFs,
  finalPath: string,
  produce: (out: TempFile) => Promise<void>,
  beforeRename?: (tempPath: string) => void | Promise<void>,
): Promise<number> {
  const dir = dirname(finalPath)
  await fs.mkdir(dir, { recursive: true })
  const tempPath = join(dir, `.tmp-${randomBytes(8).toString('hex')}-${basename(finalPath)}`)
  const handle = await fs.open(tempPath, 'wx', 0o644)
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
