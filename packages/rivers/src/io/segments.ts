/**
 * Segment files: the outputs of many partitions of one asset in ONE file, written by one call of a
 * batched partition function (`FileIOManager.writePartitions`), so that a backfill creates a file per
 * batch instead of one per partition.
 *
 * The format (no header and no index in the file: the partitions' records are the index):
 *
 * - A segment is its partitions' values concatenated in the batch's order, each encoded exactly as
 *   `write` encodes it alone: UTF-8 `JSON.stringify` (validated by `encodeJsonResult`), or the bytes
 *   of a `Uint8Array`. Streams are refused: a segment holds values.
 * - Its storage path is `<key>/@<run>.<first>~<last>.<tag>.seg`: the run id, the first and the last
 *   partition of the batch (escaped with `partitionFileName`), and `<tag>`, 16 hex digits of a hash of
 *   the batch's partitions and data versions. Two different batches of one run never share a file, so
 *   a slice stays valid whatever the run stores later; a retry storing the same values rewrites the
 *   same file.
 * - Each partition's storage path is a *slice path*: `<segment path>#<offset>+<length><ext>`, the byte
 *   range of its value in the segment (decimal, no leading zeros) and `.json` or `.bin` for how to
 *   decode it. `#`, `+` and `~` appear in no key, run id or escaped partition name, so a slice path is
 *   never the path of a file, and a segment's name is never another output's.
 *
 * A slice's data version is the hash of exactly its bytes, the same as `write` gives for the same
 * value: batching changes no data version. Deleting a slice path deletes its whole segment.
 */
import { open } from 'node:fs/promises'
import { RiversError } from '../errors.js'
import { badPartitionBatch, badSlicePath, readFailed, streamInBatch } from './errors.js'
import { hashBytes } from './hash.js'
import { FORMAT_EXT, keySegments, partitionFileName, SEGMENT_FILE, storagePathFor } from './paths.js'
import type { RecentBytes } from './recent-bytes.js'
import { encodeJsonResult } from './serialize.js'

/** A slice path's parts (the grammar is checked; where it points is not yet). */
const SLICE = /^([^#]+\.seg)#(0|[1-9][0-9]{0,15})\+(0|[1-9][0-9]{0,15})(\.json|\.bin)$/

/** Where a partition's value lies in a segment. */
export interface Slice {
  /** The storage path of the segment file. */
  segment: string
  offset: number
  length: number
  /** How to decode the bytes: `.json` or `.bin`, as for a file of its own. */
  ext: string
}

/**
 * The stored file that holds a storage path: the segment of a slice path, the path itself otherwise.
 * Garbage collection maps every record's path through it to know which files are still referenced (a
 * segment is, while one partition's record points into it). Only a well-formed slice path is mapped.
 *
 * @example
 * storedFileOf('events/@r1.2024-01-01~2024-01-31.9f1c0a7e3b5d2c11.seg#120+42.json') // 'events/@r1.2024-01-01~2024-01-31.9f1c0a7e3b5d2c11.seg'
 * storedFileOf('events/@r1.2024-01-01.json') // 'events/@r1.2024-01-01.json'
 */
export function storedFileOf(storagePath: string): string {
  const m = SLICE.exec(storagePath)
  return m === null ? storagePath : m[1]!
}

/**
 * The slice a storage path names, or undefined for a path without `#` (the path of a file). A path
 * with `#` that is not a well-formed slice of a segment file is refused, naming the key.
 *
 * @example
 * parseSlicePath('events', 'events/@r1.a~b.0f1e.seg#0+12.json') // { segment: 'events/@r1.a~b.0f1e.seg', offset: 0, length: 12, ext: '.json' }
 */
export function parseSlicePath(key: string, storagePath: string, partition?: string): Slice | undefined {
  if (!storagePath.includes('#')) return undefined
  const m = SLICE.exec(storagePath)
  const bad = (reason: string) => badSlicePath(key, storagePath, reason, partition)
  if (m === null) throw bad('expected <segment>.seg#<offset>+<length>.json or .bin')
  const segment = m[1]!
  const slash = segment.lastIndexOf('/')
  if (slash < 0 || !SEGMENT_FILE.test(segment.slice(slash + 1)))
    throw bad('its segment is not named <key>/@<run>.<first>~<last>.<tag>.seg')
  const offset = Number(m[2])
  const length = Number(m[3])
  if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || !Number.isSafeInteger(offset + length))
    throw bad('its offset or length is too large')
  return { segment, offset, length, ext: m[4]! }
}

/** A batch encoded for one segment. */
export interface EncodedBatch {
  /** The storage path of the segment. */
  segment: string
  /** The segment's bytes. */
  bytes: Buffer
  /** One per partition, in order: its slice path, length and data version. */
  outputs: { storagePath: string; bytes: number; dataVersion: string }[]
}

/**
 * Encodes the values of a batch of partitions for one segment file of `key` written in `runId`: each
 * value as `write` would encode it, hashed alone. Refuses an empty batch, a count mismatch, a partition
 * named twice, and a stream (with the partition), before anything touches the disk.
 *
 * @example
 * const batch = encodeBatch('events', 'r1', ['2024-01-01', '2024-01-02'], [[1], [2]])
 * batch.outputs[1]?.storagePath // 'events/@r1.2024-01-01~2024-01-02.<tag>.seg#3+3.json'
 */
export function encodeBatch(
  key: string,
  runId: string,
  partitions: readonly string[],
  values: readonly unknown[],
): EncodedBatch {
  if (!Array.isArray(partitions) || !Array.isArray(values))
    throw badPartitionBatch(key, 'partitions and values must be arrays')
  if (partitions.length === 0) throw badPartitionBatch(key, 'it names no partition')
  if (partitions.length !== values.length)
    throw badPartitionBatch(key, `it got ${values.length} values for ${partitions.length} partitions`)
  const seen = new Set<string>()
  for (const p of partitions) {
    if (typeof p !== 'string') throw badPartitionBatch(key, `a partition key is a ${typeof p}, not a string`)
    if (seen.has(p)) throw badPartitionBatch(key, `partition ${JSON.stringify(p)} appears twice`)
    seen.add(p)
  }
  keySegments(key) // a bad key is refused before any value is serialized, as `write` does
  const parts: Uint8Array[] = []
  const exts: string[] = []
  values.forEach((value, i) => {
    if (value instanceof Uint8Array) {
      parts.push(value) // copied below by Buffer.concat, before any await
      exts.push(FORMAT_EXT.bytes)
    } else if (isAsyncIterable(value)) throw streamInBatch(key, partitions[i]!)
    else {
      parts.push(encodeJsonResult(key, value))
      exts.push(FORMAT_EXT.json)
    }
  })
  const dataVersions = parts.map((p) => hashBytes(p))
  const tag = hashBytes(Buffer.from(JSON.stringify([partitions, dataVersions]), 'utf8')).slice(0, 16)
  const first = partitionFileName(partitions[0]!)
  const last = partitionFileName(partitions.at(-1)!)
  // storagePathFor validates the run id; the segment's name then adds what no version name holds (`~`).
  const segment = storagePathFor(key, `~${last}.${tag}.seg`, `${runId}.${first}`)
  const outputs: EncodedBatch['outputs'] = []
  let offset = 0
  parts.forEach((p, i) => {
    const storagePath = `${segment}#${offset}+${p.byteLength}${exts[i]}`
    outputs.push({ storagePath, bytes: p.byteLength, dataVersion: dataVersions[i]! })
    offset += p.byteLength
  })
  return { segment, bytes: Buffer.concat(parts, offset), outputs }
}

/**
 * Reads slices of segment files. A segment small enough for the cache of recent bytes is read whole
 * once and kept there (by its segment path), so reading every partition of a batch reads the file
 * once, even when the reads run at the same time; a larger one is read slice by slice.
 *
 * @example
 * const reader = new SegmentReader(new RecentBytes(64 * 1024 * 1024))
 * const bytes = await reader.bytes('events', '/p/.rivers/storage/events/@r1.a~b.0f1e.seg', slice)
 */
export class SegmentReader {
  readonly #recent: RecentBytes
  /** Whole-segment loads under way, by segment path: a size, and the bytes when they fit the cache. */
  readonly #loading = new Map<string, Promise<{ size: number; bytes?: Buffer }>>()

  constructor(recent: RecentBytes) {
    this.#recent = recent
  }

  /**
   * The bytes of `slice` (a view the caller must copy before handing out), its bounds checked against
   * the segment at `path` (its absolute file). Errors name `key` (and `partition` when given).
   *
   * @example
   * const bytes = await reader.bytes('events', path, { segment, offset: 0, length: 12, ext: '.json' })
   */
  async bytes(key: string, path: string, slice: Slice, partition?: string): Promise<Buffer> {
    const { segment, offset, length } = slice
    const inside = (size: number): void => {
      if (offset + length > size) {
        const storagePath = `${segment}#${offset}+${length}${slice.ext}`
        throw badSlicePath(key, storagePath, `it ends past the end of the ${size}-byte segment`, partition)
      }
    }
    const cached = this.#recent.get(segment)
    if (cached !== undefined) {
      inside(cached.length)
      return cached.subarray(offset, offset + length)
    }
    try {
      let load = this.#loading.get(segment)
      if (load === undefined) {
        load = this.#load(segment, path)
        this.#loading.set(segment, load)
        const mine = load
        void mine.then(
          () => this.#loading.get(segment) === mine && this.#loading.delete(segment),
          () => this.#loading.get(segment) === mine && this.#loading.delete(segment),
        )
      }
      const whole = await load
      inside(whole.size)
      if (whole.bytes !== undefined) return whole.bytes.subarray(offset, offset + length)
      return await readRange(path, offset, length)
    } catch (e) {
      if (e instanceof RiversError) throw e
      throw readFailed(key, path, e)
    }
  }

  /** Reads a segment whole when the cache can keep it (and keeps it), else only its size. */
  async #load(segment: string, path: string): Promise<{ size: number; bytes?: Buffer }> {
    const handle = await open(path, 'r')
    try {
      const { size } = await handle.stat()
      if (size > this.#recent.limit) return { size }
      const bytes = await handle.readFile()
      this.#recent.set(segment, bytes)
      return { size: bytes.length, bytes }
    } finally {
      await handle.close()
    }
  }
}

/** `length` bytes of the file at `path` from `offset` (a short file is an error). */
async function readRange(path: string, offset: number, length: number): Promise<Buffer> {
  const handle = await open(path, 'r')
  try {
    const out = Buffer.alloc(length)
    for (let got = 0; got < length; ) {
      const { bytesRead } = await handle.read(out, got, length - got, offset + got)
      if (bytesRead === 0) throw new Error(`the file ends at byte ${offset + got}, inside the slice`)
      got += bytesRead
    }
    return out
  } finally {
    await handle.close()
  }
}

/**
 * Whether a value is an async iterable (a stream, for `write`).
 *
 * @example
 * isAsyncIterable((async function* () {})()) // true
 */
export function isAsyncIterable(value: unknown): value is AsyncIterable<unknown> {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { [Symbol.asyncIterator]?: unknown })[Symbol.asyncIterator] === 'function'
  )
}
