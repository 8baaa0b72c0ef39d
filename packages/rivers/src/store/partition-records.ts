/**
 * Reading the latest records of partitioned assets (`latest` rows whose partition is not `''`) in
 * bulk, packed like the unpartitioned ones (`latest-packed.ts`) plus the partition of each record
 * and of each of its inputs. The unpartitioned reads never look at these rows.
 */
import type Database from 'better-sqlite3'
import { storeCorrupt } from './errors.js'
import { type LatestChunk, PACKED_COLUMNS, stitchChunks } from './latest-packed.js'
import type { PackedPartitionRecords } from './types.js'

/**
 * One aggregate row per chunk of one asset's partitions (`PACKED_COLUMNS`, as `CHUNK_COLUMNS` in records.ts): count,
 * last partition, number of inputs, then the packed columns. `partition > ?` starts after the last
 * partition read, and `''` (the unpartitioned row) sorts before every partition key.
 */
const PARTITION_CHUNK = `SELECT count(*), max(partition), coalesce(sum(input_count), 0), ${PACKED_COLUMNS},
  group_concat(partition, char(10)),
  group_concat(input_partitions, char(10))
  FROM (SELECT * FROM latest WHERE asset_key = ? AND partition > ? ORDER BY partition LIMIT ?)`

/** Rows per query: bounds the strings SQLite builds, as for the unpartitioned records. */
const PARTITION_CHUNK_ROWS = 65_536

/** A chunk with the partition columns and its number of inputs. */
interface PartitionChunk extends LatestChunk {
  inputs: number
  partitions: string
  inputPartitions: string
}

type ChunkRow = [number, string | null, number, ...(string | Buffer | null)[]]

/**
 * The reader of partitioned latest records over one connection.
 *
 * @example
 * const reader = new PartitionRecords(db, file)
 * const packed = reader.latest(['events', 'features'])
 */
export class PartitionRecords {
  readonly #file: string
  readonly #chunk: number
  readonly #db: Database.Database
  #query: Database.Statement | undefined
  #last: Database.Statement | undefined
  #since: Database.Statement | undefined
  #after: Database.Statement | undefined
  readonly #snapshot: Database.Transaction<(fn: () => unknown) => unknown>

  /** `chunkRows` exists for tests; the default bounds each concatenated string to about 10 MB. */
  constructor(db: Database.Database, file: string, chunkRows: number = PARTITION_CHUNK_ROWS) {
    this.#db = db
    this.#file = file
    this.#chunk = chunkRows
    // A deferred read transaction pins one WAL snapshot, so all chunks see the same state.
    this.#snapshot = db.transaction((fn: () => unknown) => fn())
  }

  /**
   * The latest partitioned records of `keys` (each asset once, in the order given; its partitions
   * in string order), from one consistent snapshot: one query per asset and per 65,536 partitions.
   */
  /** The highest record id so far, 0 for none. */
  lastRecordId(): number {
    this.#last ??= this.#db.prepare('SELECT coalesce(max(id), 0) FROM materializations').pluck()
    return this.#last.get() as number
  }

  /**
   * Which of `partitions` of `key` have a latest record newer than record `afterId`, written by a
   * run other than `exceptRunId` (one statement, by primary key).
   */
  recordedAfter(key: string, partitions: readonly string[], afterId: number, exceptRunId: string): string[] {
    this.#after ??= this.#db
      .prepare(
        `SELECT l.partition FROM json_each(?) AS j JOIN latest AS l ON l.asset_key = ? AND l.partition = j.value
         WHERE l.materialization_id > ? AND l.run_id <> ?`,
      )
      .pluck()
    return this.#after.all(JSON.stringify(partitions), key, afterId, exceptRunId) as string[]
  }

  /**
   * The partitioned latest rows recorded after record `afterId` (every asset), or undefined when
   * more than one chunk changed (the caller then reloads everything). Call inside the caller's read
   * snapshot.
   */
  since(afterId: number): PackedPartitionRecords | undefined {
    this.#since ??= this.#db
      .prepare(
        `SELECT count(*), max(partition), coalesce(sum(input_count), 0), ${PACKED_COLUMNS},
           group_concat(partition, char(10)), group_concat(input_partitions, char(10))
         FROM (SELECT * FROM latest WHERE partition <> '' AND materialization_id > ? LIMIT ?)`,
      )
      .raw()
    const row = this.#since.get(afterId, this.#chunk) as ChunkRow
    if (row[0] >= this.#chunk) return undefined
    const out = stitchPartitionChunks(row[0] === 0 ? [] : [chunkOf(row)])
    if (typeof out === 'string') throw storeCorrupt(this.#file, new Error(out))
    return out
  }

  latest(keys: readonly string[]): PackedPartitionRecords {
    // Prepared on first use: the input_partitions column exists from schema version 7.
    this.#query ??= this.#db.prepare(PARTITION_CHUNK).raw()
    const query = this.#query
    const out = this.#snapshot.deferred(() => {
      const chunks: PartitionChunk[] = []
      for (const key of new Set(keys)) {
        let after = ''
        for (;;) {
          const row = query.get(key, after, this.#chunk) as ChunkRow
          if (row[0] === 0) break
          chunks.push(chunkOf(row))
          after = row[1] as string
          if (row[0] < this.#chunk) break
        }
      }
      return stitchPartitionChunks(chunks)
    }) as PackedPartitionRecords | string
    if (typeof out === 'string') throw storeCorrupt(this.#file, new Error(out))
    return out
  }
}

function chunkOf(row: ChunkRow): PartitionChunk {
  const text = (i: number): string => (row[i] === null ? '' : String(row[i]))
  const bytes = (i: number): Buffer => {
    const v = row[i]
    return Buffer.isBuffer(v) ? v : Buffer.alloc(0)
  }
  return {
    count: row[0],
    inputs: row[2],
    keys: text(3),
    codeVersions: bytes(4),
    configHashes: bytes(5),
    dataVersions: bytes(6),
    inputCounts: text(7),
    inputKeys: text(8),
    inputVersions: bytes(9),
    runIds: text(10),
    finishedAt: text(11),
    kinds: text(12),
    partitions: text(13),
    inputPartitions: text(14),
  }
}

/** Number of newlines in a text. */
function newlines(text: string): number {
  let n = 0
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) n++
  return n
}

/**
 * Stitches chunks into one packed result, or describes what does not line up. The input partition
 * column cannot be checked by counting non-empty lines (an unpartitioned input is an empty line), so
 * each chunk with `n > 0` inputs must hold exactly `n - 1` newlines, and chunks are joined by count.
 *
 * @example
 * const packed = stitchPartitionChunks(chunks)
 */
export function stitchPartitionChunks(chunks: readonly PartitionChunk[]): PackedPartitionRecords | string {
  const base = stitchChunks(chunks)
  if (typeof base === 'string') return base.replace('the latest table', 'the latest table (partitioned rows)')
  const withInputs = chunks.filter((c) => c.inputs > 0)
  for (const c of withInputs) {
    if (newlines(c.inputPartitions) !== c.inputs - 1) {
      return `the latest table (partitioned rows) does not decode: ${c.inputs} input partitions expected, ${newlines(c.inputPartitions) + 1} found`
    }
  }
  const partitions = chunks.length === 1 ? chunks[0]!.partitions : chunks.map((c) => c.partitions).join('\n')
  if (base.count > 0 && newlines(partitions) !== base.count - 1) {
    return `the latest table (partitioned rows) does not decode: ${base.count} partition keys expected`
  }
  return { ...base, partitions, inputPartitions: withInputs.map((c) => c.inputPartitions).join('\n') }
}
