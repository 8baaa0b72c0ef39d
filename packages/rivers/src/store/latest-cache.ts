/**
 * A copy of the packed latest records in a file beside the database, stamped with where the store
 * stood when it was read: opening a big project reads it (one sequential file read) instead of
 * aggregating the `latest` table again, as long as nothing was recorded or wiped since. At 100k
 * assets the aggregate takes 160–270 ms; the file, about 20 MB, reads in 20–30 ms.
 *
 * The stamp is the reader's cursor (the highest record id in `latest`, the count of deleted latest
 * rows) and the identity of that record (its run, key, partition and finish time): a database put
 * back from a backup and written again can reach the same record id with other records, and its
 * identity then differs. The reader (`RecordsTable.latestPacked`) uses a file whose stamp is the
 * store's now as it is, and one whose stamp is an earlier point of the same history (no wipe since,
 * its record still the same one) with the rows recorded since merged in; any other file is not
 * used, nor one that does not decode. Files are written whole to a temporary name and renamed, so a
 * reader never sees half of one.
 */
import { randomBytes } from 'node:crypto'
import { closeSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs'
import path from 'node:path'
import type { PackedLatestRecords } from './types.js'

/** Where the store stood when the records were read (see the module comment). */
export interface LatestStamp {
  record: number
  deletes: number
  identity: string
}

const MAGIC = 'rivers-latest-records 1\n'
const WRITE_PIECE = 1 << 20
const FILE = 'latest-records.bin'
/** The string columns, then the byte columns, in file order. */
const STRINGS = ['keys', 'inputKeys', 'runIds', 'finishedAt', 'kinds'] as const
const BYTES = ['codeVersions', 'configHashes', 'dataVersions', 'inputVersions'] as const

interface Header {
  stamp: LatestStamp
  count: number
  /** Byte lengths: the string columns, the byte columns, then the input counts. */
  lengths: number[]
}

/**
 * The cache file of a store folder, read and written whole. Errors on writing are the caller's to
 * ignore (a cache that cannot be written is a slower open, not a failure). With `write: false` (a
 * store opened read-only, which must not write anything), it is read but never written.
 *
 * @example
 * const cache = new LatestCache('/project/.rivers/cache')
 * const file = cache.read()
 */
export class LatestCache {
  readonly #dir: string
  readonly #file: string
  readonly #write: boolean

  constructor(dir: string, options: { write?: boolean } = {}) {
    this.#dir = dir
    this.#file = path.join(dir, FILE)
    this.#write = options.write ?? true
  }

  /**
   * The records in the file and their stamp, or undefined: no file, a file that does not decode, or
   * one whose stamp `accept` refuses (asked before the columns are decoded).
   *
   * @example
   * const file = cache.read((stamp) => stamp.deletes === 0)
   * if (file !== undefined) console.log(file.stamp.record, file.packed.count)
   */
  read(
    accept: (stamp: LatestStamp) => boolean = () => true,
  ): { stamp: LatestStamp; packed: PackedLatestRecords } | undefined {
    let data: Buffer
    try {
      data = readFileSync(this.#file)
    } catch {
      return undefined
    }
    if (data.toString('latin1', 0, MAGIC.length) !== MAGIC) return undefined
    const end = data.indexOf(10, MAGIC.length)
    if (end < 0) return undefined
    let header: Header
    try {
      header = JSON.parse(data.toString('utf8', MAGIC.length, end)) as Header
    } catch {
      return undefined
    }
    const { stamp, count, lengths } = header
    if (
      !Number.isSafeInteger(stamp?.record) ||
      !Number.isSafeInteger(stamp.deletes) ||
      typeof stamp.identity !== 'string' ||
      !Number.isSafeInteger(count) ||
      count < 0
    )
      return undefined
    if (!accept({ record: stamp.record, deletes: stamp.deletes, identity: stamp.identity })) return undefined
    if (!Array.isArray(lengths) || lengths.length !== STRINGS.length + BYTES.length + 1) return undefined
    let at = end + 1
    const parts: Buffer[] = []
    for (const n of lengths) {
      if (!Number.isSafeInteger(n) || n < 0) return undefined
      parts.push(data.subarray(at, at + n))
      at += n
    }
    if (at !== data.length) return undefined
    const counts = parts[parts.length - 1]!
    if (counts.length !== 4 * count) return undefined
    // A copy, 4-byte aligned (the file's offsets are not).
    const inputCounts = new Uint32Array(count)
    Buffer.from(inputCounts.buffer).set(counts)
    let inputs = 0
    for (let i = 0; i < count; i++) inputs += inputCounts[i]!
    const bytes = parts.slice(STRINGS.length, STRINGS.length + BYTES.length)
    if (bytes.slice(0, 3).some((b) => b.length !== 16 * count) || bytes[3]!.length !== 16 * inputs) return undefined
    const text = parts.slice(0, STRINGS.length).map((b) => b.toString('utf8'))
    const packed: PackedLatestRecords = {
      count,
      keys: text[0]!,
      inputKeys: text[1]!,
      runIds: text[2]!,
      finishedAt: text[3]!,
      kinds: text[4]!,
      codeVersions: bytes[0]!,
      configHashes: bytes[1]!,
      dataVersions: bytes[2]!,
      inputCounts,
      inputVersions: bytes[3]!,
    }
    return { stamp: { record: stamp.record, deletes: stamp.deletes, identity: stamp.identity }, packed }
  }

  /**
   * Replaces the file with `packed`, stamped `stamp` (a temporary file renamed over it).
   *
   * @example
   * cache.write(stamp, packed)
   */
  write(stamp: LatestStamp, packed: PackedLatestRecords): void {
    if (!this.#write) return
    const parts = [
      ...STRINGS.map((k) => Buffer.from(packed[k], 'utf8')),
      ...BYTES.map((k) => packed[k]),
      Buffer.from(packed.inputCounts.buffer, packed.inputCounts.byteOffset, packed.inputCounts.byteLength),
    ]
    const header: Header = { stamp, count: packed.count, lengths: parts.map((p) => p.length) }
    mkdirSync(this.#dir, { recursive: true, mode: 0o700 })
    const tmp = `${this.#file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`
    try {
      const fd = openSync(tmp, 'w', 0o600)
      try {
        // In pieces of at most 1 MiB: one write(2) of tens of MB took 80–360 ms here, pieces 10–16 ms.
        for (const part of [Buffer.from(`${MAGIC}${JSON.stringify(header)}\n`), ...parts])
          for (let at = 0; at < part.length; at += WRITE_PIECE)
            writeSync(fd, part, at, Math.min(WRITE_PIECE, part.length - at))
      } finally {
        closeSync(fd)
      }
      renameSync(tmp, this.#file)
    } catch (e) {
      rmSync(tmp, { force: true })
      throw e
    }
  }
}
