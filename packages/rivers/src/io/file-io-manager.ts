import { open, readFile, rm, rmdir } from 'node:fs/promises'
import { dirname, isAbsolute, resolve, sep } from 'node:path'
import type { Readable } from 'node:stream'
import { RiversError } from '../errors.js'
import { nodeWriterFs, writeAtomic, type TempFile, type WriterFs } from './atomic.js'
import { writeSmallAtomic } from './atomic-small.js'
import {
  badStreamChunk,
  deleteFailed,
  noStoredOutput,
  readFailed,
  streamFailed,
  unsafeKey,
  writeFailed,
} from './errors.js'
import { hashBytes, hashFile } from './hash.js'
import { FORMAT_EXT as EXT, keySegments, partitionFileName, resolveInside, storagePathFor } from './paths.js'
import { listStoredFiles } from './listing.js'
import { RecentBytes } from './recent-bytes.js'
import { encodeBatch, isAsyncIterable, parseSlicePath, SegmentReader, storedFileOf } from './segments.js'
import { encodeJsonResult } from './serialize.js'
import { parseTempName, sweepTempFiles, type SweepOptions } from './sweep.js'
import type { IOManager, StoredFile, StoredOutput, WriteContext } from './types.js'

/** Options of {@link FileIOManager}. */
export interface FileIOManagerOptions {
  /** File-system calls used for writing; tests inject failures here. */
  fs?: WriterFs
  /**
   * Bytes of recently written JSON and binary outputs kept in memory (default 64 MiB; 0 keeps none),
   * so that consumers in the same run decode their copy without re-reading the file.
   */
  cacheBytes?: number
}

/**
 * Stores results as files under `baseDir`, one per asset key (`raw/orders` → `raw/orders.json`):
 *
 * | result | file | `read()` returns |
 * |---|---|---|
 * | `Uint8Array` / `Buffer` | `<key>.bin`, the bytes | a `Buffer` |
 * | a `Readable` or any async iterable of `Buffer`/`Uint8Array`/`string` chunks | `<key>.stream`, the bytes, written chunk by chunk (results larger than memory work) | a `Readable` over the file (opened before `read` resolves) |
 * | any other value | `<key>.json`, UTF-8 `JSON.stringify` | the parsed value |
 *
 * `read` returns a new value on every call, decoded from the stored bytes exactly as a later run would
 * read it (recently written bytes are kept in a bounded in-memory cache, so this costs a decode, not
 * a disk read): a consumer gets the same value, type for type, in the run that built its input and
 * in any later run, and no consumer can change what another sees.
 *
 * JSON stores only what it round-trips: values that would come back as something else are refused at
 * the producer with the path inside the value (`$.d is a Date`): Date, Map, Set, class instances
 * (any object whose prototype is not `Object.prototype` or `null`), boxed primitives, objects with a
 * `toJSON`, typed arrays inside the value, BigInt, functions, symbols, cycles, NaN and ±Infinity,
 * `undefined` in arrays and holes of sparse arrays. Stored as JSON stores them: `-0` as `0`,
 * `undefined` properties omitted, getters as their value, a null-prototype object as a plain object.
 *
 * Writes are atomic (temp file, fsync, rename, fsync folder) and private to the user (files 0600,
 * folders 0700). A key writes one file per format; switching an asset's format leaves the old file
 * behind (harmless; its record points at the new one).
 *
 * `writePartitions` stores the values of many partitions (one call of a batched partition function)
 * in ONE segment file, `<key>/@<run>.<first>~<last>.<tag>.seg`; each partition's storage path is a
 * slice of it, `<segment>#<offset>+<length>.json` (or `.bin`), read back by `read` alone. `list`
 * reports a segment as one file, and deleting a slice path deletes its whole segment (see
 * `segments.ts` for the format, and `storedFileOf`).
 *
 * @example
 * const io = new FileIOManager('.rivers/storage')
 * const { storagePath, dataVersion } = await io.write({ key: 'raw/orders', runId: 'r1' }, [{ id: 1 }])
 * const rows = await io.read({ key: 'raw/orders' }, { storagePath }) // [{ id: 1 }]
 */
export class FileIOManager implements IOManager {
  /** The folder outputs live under. */
  readonly baseDir: string
  readonly #fs: WriterFs
  readonly #recent: RecentBytes
  readonly #segments: SegmentReader
  /** Folders this manager created or wrote into (no `mkdir` per write; see `AtomicModes.knownDirs`). */
  readonly #dirs = new Set<string>()
  /**
   * `baseDir` resolved, with a trailing separator, when it is absolute (a relative one resolves
   * against the working folder of each call) and paths are `/`-separated; else undefined:
   * the file of a storage path this manager just made from a checked key is this plus the path,
   * what `absolutePath` would resolve it to, without resolving and checking it again.
   */
  readonly #prefix: string | undefined

  constructor(baseDir: string, options: FileIOManagerOptions = {}) {
    this.baseDir = baseDir
    const base = resolve(baseDir)
    this.#prefix = sep !== '/' || !isAbsolute(baseDir) ? undefined : base.endsWith('/') ? base : `${base}/`
    this.#fs = options.fs ?? nodeWriterFs
    this.#recent = new RecentBytes(options.cacheBytes ?? 64 * 1024 * 1024)
    this.#segments = new SegmentReader(this.#recent)
  }

  /**
   * Stores `value` as the output of `ctx.key`.
   *
   * @example
   * await io.write({ key: 'model', runId }, Buffer.from(weights))
   */
  async write(ctx: WriteContext, value: unknown): Promise<StoredOutput> {
    const key = ctx.key
    // One file per (run, partition): `@<run>.<partition>` with the partition key escaped.
    const version = ctx.partition === undefined ? ctx.runId : `${ctx.runId}.${partitionFileName(ctx.partition)}`
    // A copy: the asset may change its array after returning it, the stored bytes must not change.
    if (value instanceof Uint8Array)
      return this.#writeBytes(key, storagePathFor(key, EXT.bytes, version), Buffer.from(value), ctx.written)
    if (isAsyncIterable(value)) return this.#writeStream(key, value, version)
    const storagePath = storagePathFor(key, EXT.json, version) // validate the key before serializing
    return this.#writeBytes(key, storagePath, encodeJsonResult(key, value), ctx.written)
  }

  /**
   * Stores the values of many partitions of `ctx.key` (one call of a batched partition function) in
   * one segment file, written atomically once; returns one output per partition, in order, each with
   * its slice path and the data version `write` would give its value. Values only: a stream is
   * refused (naming the partition), as are an empty batch, a count mismatch and a repeated partition.
   *
   * @example
   * const [jan1, jan2] = await io.writePartitions({ key: 'events', runId, partitions: ['2024-01-01', '2024-01-02'] }, [[1], [2]])
   * await io.read({ key: 'events' }, jan2!) // [2]
   */
  async writePartitions(
    ctx: { key: string; runId: string; partitions: readonly string[] },
    values: readonly unknown[],
  ): Promise<StoredOutput[]> {
    const batch = encodeBatch(ctx.key, ctx.runId, ctx.partitions, values)
    const path = this.absolutePath(batch.segment, ctx.key)
    this.#recent.delete(batch.segment)
    await this.#atomic(ctx.key, path, (out) => out.write(batch.bytes))
    this.#recent.set(batch.segment, batch.bytes)
    return batch.outputs
  }

  /**
   * Reads back what `write` (or `writePartitions`) stored, dispatching on the extension of
   * `stored.storagePath`.
   *
   * @example
   * const rows = await io.read({ key: 'raw' }, { storagePath: 'raw.json' })
   */
  async read(ctx: { key: string; partition?: string }, stored: { storagePath?: string | null }): Promise<unknown> {
    const key = ctx.key
    if (stored.storagePath == null || stored.storagePath === '') throw noStoredOutput(key)
    const slice = parseSlicePath(key, stored.storagePath, ctx.partition)
    if (slice !== undefined) {
      const segment = this.absolutePath(slice.segment, key)
      const bytes = await this.#segments.bytes(key, segment, slice, ctx.partition)
      try {
        return slice.ext === EXT.json ? (JSON.parse(bytes.toString('utf8')) as unknown) : Buffer.from(bytes)
      } catch (e) {
        throw readFailed(key, `${segment}#${slice.offset}+${slice.length}`, e)
      }
    }
    // Bytes this manager wrote (at a path it checked then): no path to resolve and check again.
    const recent = this.#recent.get(stored.storagePath)
    if (recent !== undefined) {
      if (stored.storagePath.endsWith(EXT.json)) return JSON.parse(recent.toString('utf8')) as unknown
      if (stored.storagePath.endsWith(EXT.bytes)) return Buffer.from(recent)
    }
    const path = this.absolutePath(stored.storagePath, key)
    try {
      if (path.endsWith(EXT.json)) return JSON.parse(await readFile(path, 'utf8')) as unknown
      if (path.endsWith(EXT.bytes)) return await readFile(path)
      if (path.endsWith(EXT.stream)) {
        // Open now so a missing file fails here; the stream keeps reading this file even if a
        // later write renames a new one over it.
        const handle = await open(path, 'r')
        return handle.createReadStream() as Readable
      }
    } catch (e) {
      throw readFailed(key, path, e)
    }
    throw unsafeKey(
      key,
      `its stored path ${JSON.stringify(stored.storagePath)} has no known format (${Object.values(EXT).join(', ')})`,
    )
  }

  /**
   * Deletes a stored output (or a temp file `list` reported), then the folders it leaves empty, up to
   * `baseDir`. The path is checked to lie inside `baseDir` like any stored path; a file already gone
   * is not an error. A slice path (`….seg#<offset>+<length>.json`) deletes its whole segment, every
   * partition stored in it included: map record paths with `storedFileOf` before deciding.
   *
   * @example
   * await io.delete({ key: 'raw' }, { storagePath: 'raw/@r1.json' })
   */
  async delete(ctx: { key: string }, stored: { storagePath: string }): Promise<void> {
    const storagePath = storedFileOf(stored.storagePath)
    const path = this.#deletablePath(ctx.key, storagePath)
    this.#recent.delete(storagePath)
    try {
      await rm(path, { force: true })
    } catch (e) {
      throw deleteFailed(ctx.key, path, e)
    }
    const base = resolve(this.baseDir)
    for (let dir = dirname(path); dir.startsWith(`${base}${sep}`); dir = dirname(dir)) {
      try {
        await rmdir(dir) // only an empty folder goes
        this.#dirs.delete(dir)
      } catch {
        break
      }
    }
  }

  /**
   * Every artifact and temp file under `baseDir` (of `keys` when given), with its asset, size and age.
   *
   * @example
   * const files = await io.list({ keys: ['raw'] }) // [{ key: 'raw', storagePath: 'raw/@r1.json', bytes: 12, … }]
   */
  list(opts: { keys?: readonly string[] } = {}): Promise<StoredFile[]> {
    return listStoredFiles(this.baseDir, opts.keys)
  }

  /** A stored path, or a temp file's path (its folder checked like a stored path), inside `baseDir`. */
  #deletablePath(key: string, storagePath: string): string {
    const slash = storagePath.lastIndexOf('/')
    const name = storagePath.slice(slash + 1)
    if (parseTempName(name) === undefined || !/^[A-Za-z0-9_.@~-]+$/.test(name))
      return this.absolutePath(storagePath, key)
    const dir = slash < 0 ? resolve(this.baseDir) : this.absolutePath(storagePath.slice(0, slash), key)
    return resolve(dir, name)
  }

  /**
   * Removes temp files that writers killed mid-write left under `baseDir` (see `sweepTempFiles`):
   * in the folders of `keys` only when given (a killed write leaves its temp file in its key's
   * folder, and that asset is due again), else in the whole tree. Returns their paths; never throws.
   *
   * @example
   * await io.sweepTempFiles({ keys: ['raw'] }) // ['/p/.rivers/storage/raw/.tmp-4242-9f1c…-@r1.json']
   */
  sweepTempFiles(options: SweepOptions & { keys?: readonly string[] } = {}): Promise<string[]> {
    const { keys, ...rest } = options
    if (keys === undefined) return sweepTempFiles(this.baseDir, rest)
    const only: string[] = []
    for (const k of keys) {
      try {
        only.push(keySegments(k).join('/'))
      } catch {
        // Not a storable key: nothing of it can be on disk.
      }
    }
    return sweepTempFiles(this.baseDir, { ...rest, only })
  }

  /**
   * The absolute file of a storage path, checked to lie inside `baseDir`.
   *
   * @example
   * io.absolutePath('raw/orders.json') // '/project/.rivers/storage/raw/orders.json'
   */
  absolutePath(storagePath: string, key: string = storagePath): string {
    return resolveInside(this.baseDir, storagePath, key)
  }

  /** Writes bytes this manager owns (nobody else changes them: they are kept for reads). */
  async #writeBytes(
    key: string,
    storagePath: string,
    bytes: Buffer,
    onWritten: (() => void) | undefined,
  ): Promise<StoredOutput> {
    // `storagePath` comes from `storagePathFor` (its key and version checked): no `..`, no empty or
    // absolute segment, so the plain concatenation is the resolved path.
    const path = this.#prefix === undefined ? this.absolutePath(storagePath, key) : this.#prefix + storagePath
    const dataVersion = hashBytes(bytes)
    this.#recent.delete(storagePath)
    let written: number
    try {
      written = await writeSmallAtomic(this.#fs, path, bytes, { knownDirs: this.#dirs }, onWritten)
    } catch (e) {
      if (e instanceof RiversError) throw e
      throw writeFailed(key, path, e)
    }
    this.#recent.set(storagePath, bytes)
    return { storagePath, bytes: written, dataVersion }
  }

  async #writeStream(key: string, source: AsyncIterable<unknown>, version: string): Promise<StoredOutput> {
    const storagePath = storagePathFor(key, EXT.stream, version)
    const path = this.absolutePath(storagePath, key)
    this.#recent.delete(storagePath)
    let dataVersion = ''
    const written = await this.#atomic(
      key,
      path,
      (out) => pump(key, source, out),
      (temp) => {
        dataVersion = hashFile(temp)
      },
    )
    return { storagePath, bytes: written, dataVersion }
  }

  async #atomic(
    key: string,
    path: string,
    produce: (out: TempFile) => Promise<void>,
    beforeRename?: (temp: string) => void,
  ): Promise<number> {
    try {
      return await writeAtomic(this.#fs, path, produce, beforeRename, { knownDirs: this.#dirs })
    } catch (e) {
      if (e instanceof RiversError) throw e
      throw writeFailed(key, path, e)
    }
  }
}

/** Copies a stream's chunks to the temp file; source failures and bad chunks become RiversErrors. */
async function pump(key: string, source: AsyncIterable<unknown>, out: TempFile): Promise<void> {
  const it = source[Symbol.asyncIterator]()
  let done = false
  try {
    for (;;) {
      let next: IteratorResult<unknown>
      try {
        next = await it.next()
      } catch (e) {
        done = true // a failed iterator is finished; do not call return()
        throw streamFailed(key, e)
      }
      if (next.done === true) {
        done = true
        return
      }
      const chunk = next.value
      if (typeof chunk === 'string') await out.write(Buffer.from(chunk, 'utf8'))
      else if (chunk instanceof Uint8Array) await out.write(chunk)
      else
        throw badStreamChunk(
          key,
          chunk === null ? 'null' : typeof chunk === 'object' ? (chunk.constructor?.name ?? 'object') : typeof chunk,
        )
    }
  } finally {
    // Stop the producer (destroys a Readable) when we give up early.
    if (!done) await it.return?.().catch(() => undefined)
  }
}
