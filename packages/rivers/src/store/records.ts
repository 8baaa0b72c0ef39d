/**
 * Materialization records: writing one (with its inputs, metrics, `latest` pointer and event, in one
 * transaction), reading the latest record of every asset in bulk, and forgetting assets (`wipe`).
 */
import type Database from 'better-sqlite3'
import { badStoreKey, badStorePartition, runNotFound, storeCorrupt } from './errors.js'
import { asHash } from './hex.js'
import { encodeJson, isoTime } from './json.js'
import type { LatestCache, LatestStamp } from './latest-cache.js'
import { type LatestChunk, mergeLatest, PACKED_COLUMNS, stitchChunks, unpackLatest } from './latest-packed.js'
import type { LatestChanges, LatestCursor, LatestRecords, NewRecord, PackedLatestRecords, RecordKind } from './types.js'

/**
 * The columns of one packed chunk of `latest` rows (see `unpackLatest`). One row per chunk of assets:
 * every column is a string or blob SQLite concatenates in C, so JS makes a handful of strings per
 * chunk instead of objects and Buffers per asset and per input. All aggregates of one query step
 * through the same rows, so the columns line up by construction. group_concat skips NULLs: an asset
 * without inputs adds nothing to the input columns. Hashes are concatenated as bytes (group_concat of
 * a blob appends its bytes as they are in a UTF-8 database; CAST back to BLOB hands them over as one
 * Buffer, no hex round trip).
 */
const CHUNK_COLUMNS = `SELECT count(*), max(asset_key), ${PACKED_COLUMNS}`

/** The `latest` upsert of a partitioned record, or of one with partitioned inputs. */
const UPSERT_PARTITIONED = `INSERT OR REPLACE INTO latest (asset_key, partition, materialization_id, kind, code_version,
  config_hash, data_version, input_count, input_keys, input_versions, run_id, finished_at, input_partitions)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`

/** Rows per `latestRecords` query: bounds the size of the strings SQLite builds (~10 MB each). */
const LATEST_CHUNK = 65_536

/** Below this many latest records the aggregate is fast enough that no cache file is kept. */
const CACHE_MIN_ROWS = 4096

/** Options of {@link RecordsTable}. */
export interface RecordsTableOptions {
  /** Rows per chunk query (tests); the default bounds each concatenated string to about 10 MB. */
  chunkRows?: number
  /** The cache file of the latest records (see `latest-cache.ts`); none: every read aggregates. */
  cache?: LatestCache
  /** Write the cache only from this many records (default 4096). */
  cacheMinRows?: number
}

/**
 * Prepared statements and operations over `materializations`, `materialization_inputs`, `latest`
 * and `metrics`. Callers run the writing methods inside an IMMEDIATE transaction (see `Store`).
 *
 * @example
 * const records = new RecordsTable(db, file)
 * db.transaction(() => records.insert(rec)).immediate()
 */
export class RecordsTable {
  readonly #file: string
  readonly #runExists: Database.Statement
  readonly #insert: Database.Statement
  readonly #insertInput: Database.Statement
  readonly #upsertLatest: Database.Statement
  // Prepared on first use: the column exists from schema version 7 (stores opened at an older one in tests).
  #upsertPartitioned: Database.Statement | undefined
  readonly #db: Database.Database
  readonly #insertMetric: Database.Statement
  readonly #insertEvent: Database.Statement
  readonly #latestChunk: Database.Statement
  readonly #latestChunkBefore: Database.Statement
  readonly #latestOne: Database.Statement
  #partitionedKeys: Database.Statement | undefined
  readonly #latestSince: Database.Statement
  readonly #cursor: () => Database.Statement
  readonly #markWiped: Database.Statement
  readonly #dropLatest: Database.Statement
  readonly #markPartitionWiped: Database.Statement
  readonly #dropPartition: Database.Statement
  readonly #snapshot: <T>(fn: () => T | string) => T | string
  readonly #chunk: number
  readonly #cache: LatestCache | undefined
  readonly #cacheMinRows: number
  #identity: Database.Statement | undefined
  #latestSource: 'cache' | 'merged' | 'scan' | undefined

  /** A number as `options` is `{ chunkRows }` (tests). */
  constructor(db: Database.Database, file: string, options: RecordsTableOptions | number = {}) {
    const o = typeof options === 'number' ? { chunkRows: options } : options
    this.#file = file
    this.#db = db
    this.#chunk = o.chunkRows ?? LATEST_CHUNK
    this.#cache = o.cache
    this.#cacheMinRows = o.cacheMinRows ?? CACHE_MIN_ROWS
    let cursorStatement: Database.Statement | undefined
    this.#runExists = db.prepare('SELECT 1 FROM runs WHERE id = ?').pluck()
    this.#insert = db.prepare(
      `INSERT INTO materializations (run_id, asset_key, partition, kind, code_version, config_hash, data_version,
         started_at, finished_at, duration_ms, storage_path, metadata)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    )
    this.#insertInput = db.prepare(
      'INSERT INTO materialization_inputs (materialization_id, position, dep_key, dep_partition, data_version) VALUES (?, ?, ?, ?, ?)',
    )
    this.#upsertLatest = db.prepare(
      `INSERT OR REPLACE INTO latest (asset_key, partition, materialization_id, kind, code_version, config_hash, data_version,
         input_count, input_keys, input_versions, run_id, finished_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    )
    this.#insertMetric = db.prepare('INSERT INTO metrics (materialization_id, name, step, value) VALUES (?, ?, ?, ?)')
    this.#insertEvent = db.prepare('INSERT INTO events (run_id, at, type, asset_key, data) VALUES (?, ?, ?, ?, ?)')
    this.#latestChunk = db
      .prepare(
        `${CHUNK_COLUMNS} FROM (SELECT * FROM latest WHERE partition = '' AND asset_key > ? ORDER BY asset_key LIMIT ?)`,
      )
      .raw()
    // The same chunk ending before a partitioned asset, and the unpartitioned row of one asset.
    this.#latestChunkBefore = db
      .prepare(
        `${CHUNK_COLUMNS} FROM (SELECT * FROM latest WHERE partition = '' AND asset_key > ? AND asset_key < ?
           ORDER BY asset_key LIMIT ?)`,
      )
      .raw()
    this.#latestOne = db.prepare(`${CHUNK_COLUMNS} FROM latest WHERE asset_key = ? AND partition = ''`).raw()
    // The same columns for the rows recorded after a cursor (index latest_by_record), at most one chunk.
    this.#latestSince = db
      .prepare(`${CHUNK_COLUMNS} FROM (SELECT * FROM latest WHERE partition = '' AND materialization_id > ? LIMIT ?)`)
      .raw()
    // Prepared on first use: a store opened at an older schema (tests of migrations) has no counters.
    this.#cursor = () =>
      (cursorStatement ??= db
        .prepare(
          `SELECT coalesce((SELECT max(materialization_id) FROM latest), 0),
             (SELECT n FROM store_counters WHERE name = 'latest_deletes')`,
        )
        .raw())
    this.#markWiped = db.prepare('UPDATE materializations SET wiped_at = ? WHERE asset_key = ? AND wiped_at IS NULL')
    this.#dropLatest = db.prepare('DELETE FROM latest WHERE asset_key = ?')
    this.#markPartitionWiped = db.prepare(
      'UPDATE materializations SET wiped_at = ? WHERE asset_key = ? AND partition = ? AND wiped_at IS NULL',
    )
    this.#dropPartition = db.prepare('DELETE FROM latest WHERE asset_key = ? AND partition = ?')
    // A deferred read transaction pins one WAL snapshot, so all chunks see the same state.
    const tx = db.transaction((fn: () => unknown) => fn())
    this.#snapshot = <T>(fn: () => T | string) => tx.deferred(fn) as T | string
  }

  /**
   * Inserts one record with everything attached; returns its id. Call inside a transaction.
   * `knownRuns` holds runs already found in this transaction (a batch checks each run once).
   */
  insert(r: NewRecord, knownRuns?: Set<string>): number {
    const key = checkKey(r.key, 'Asset key')
    const partition = checkPartition(r.partition ?? '', `Partition of asset '${key}'`)
    const kind: RecordKind = r.kind ?? 'materialization'
    const code = asHash(r.codeVersion, `codeVersion of asset '${key}'`)
    const config = asHash(r.configHash, `configHash of asset '${key}'`)
    const data = asHash(r.dataVersion, `dataVersion of asset '${key}'`)
    const inputs = r.inputs.map((i) => ({
      key: checkKey(i.key, `Input key of asset '${key}'`),
      partition: checkPartition(i.partition ?? '', `Partition of input '${i.key}' of asset '${key}'`),
      version: asHash(i.dataVersion, `input '${i.key}' of asset '${key}'`),
    }))
    const metadata = encodeJson(r.metadata, `metadata of asset '${key}'`)
    if (knownRuns?.has(r.runId) !== true) {
      if (this.#runExists.get(r.runId) === undefined) throw runNotFound(this.#file, r.runId)
      knownRuns?.add(r.runId)
    }

    const started = isoTime(r.startedAt)
    const finished = isoTime(r.finishedAt)
    const duration = Math.max(0, r.finishedAt.getTime() - r.startedAt.getTime())
    const id = Number(
      this.#insert.run(
        r.runId,
        key,
        partition,
        kind,
        code,
        config,
        data,
        started,
        finished,
        duration,
        r.storagePath ?? null,
        metadata,
      ).lastInsertRowid,
    )
    inputs.forEach((input, position) => this.#insertInput.run(id, position, input.key, input.partition, input.version))
    const packedKeys = inputs.length === 0 ? null : inputs.map((i) => i.key).join('\n')
    const packedVersions = inputs.length === 0 ? null : Buffer.concat(inputs.map((i) => i.version))
    const latestRow = [key, partition, id, kind, code, config, data, inputs.length, packedKeys, packedVersions]
    // Unpartitioned records with unpartitioned inputs leave input_partitions NULL (the statement of
    // before partitions); the others carry their inputs' partitions, one line per input.
    if (partition === '' && inputs.every((i) => i.partition === ''))
      this.#upsertLatest.run(...latestRow, r.runId, finished)
    else {
      this.#upsertPartitioned ??= this.#db.prepare(UPSERT_PARTITIONED)
      const packedPartitions = inputs.length === 0 ? null : inputs.map((i) => i.partition).join('\n')
      this.#upsertPartitioned.run(...latestRow, r.runId, finished, packedPartitions)
    }
    for (const m of r.metrics ?? []) {
      // SQLite has no NaN (it would become NULL anyway); store NULL explicitly and read it back as NaN.
      this.#insertMetric.run(id, m.name, m.step ?? null, Number.isNaN(m.value) ? null : m.value)
    }
    const event = encodeJson(
      { materializationId: id, partition: partition === '' ? undefined : partition, dataVersion: data.toString('hex') },
      'event data',
    )
    this.#insertEvent.run(r.runId, finished, kind === 'observation' ? 'observed' : 'materialized', key, event)
    return id
  }

  /** The latest record of every unpartitioned asset, in columnar form (see {@link LatestRecords}). */
  latest(): LatestRecords {
    return unpackLatest(this.latestPacked())
  }

  /**
   * The same records packed (see {@link PackedLatestRecords}), from one consistent snapshot. The
   * rows of partitioned assets sit between the unpartitioned ones in the primary key, so the scan
   * stops before each partitioned asset, takes its unpartitioned row (if any) by key and goes on
   * after it: the partitions are never read. The partitioned assets come from the partial index
   * `latest_partitioned` (empty in an unpartitioned project: then this is the one scan of before).
   * With a cache (see `latest-cache.ts`), the file is read instead while its stamp is the store's
   * now, or merged with the rows recorded since its stamp while that is an earlier point of the same
   * history with few enough changes; the result is written back at the current stamp.
   */
  latestPacked(): PackedLatestRecords {
    const cache = this.#cache
    if (cache === undefined) return this.#scan()
    return this.#snapshot(() => {
      const now = this.#stamp()
      let merge: LatestStamp | undefined
      const file = cache.read((stamp) => {
        if (sameStamp(stamp, now)) return true
        merge = this.#mergeable(stamp, now) ? stamp : undefined
        return merge !== undefined
      })
      if (file !== undefined && merge === undefined) {
        this.#latestSource = 'cache'
        return file.packed
      }
      const changes = file === undefined ? undefined : this.#changedSince(file.stamp.record, file.packed.count)
      const packed = changes === undefined ? this.#scan() : mergeLatest(file!.packed, changes)
      this.#latestSource = changes === undefined ? 'scan' : 'merged'
      if (packed.count >= this.#cacheMinRows) {
        try {
          cache.write(now, packed)
        } catch {
          // A folder that cannot be written to (a read-only copy of the store): the next open scans again.
        }
      }
      return packed
    }) as PackedLatestRecords
  }

  /**
   * How the last `latestPacked` was read: from the cache file as it was, from the file with the rows
   * recorded since merged in, or by aggregating the `latest` table (for logs and tests).
   */
  get latestSource(): 'cache' | 'merged' | 'scan' | undefined {
    return this.#latestSource
  }

  /**
   * Whether a file stamped `then` is an earlier point of the store's history `now`: nothing wiped
   * since, and its record still the same one (not a database put back from a backup and written
   * again). Call inside a snapshot.
   */
  #mergeable(then: LatestStamp, now: LatestStamp): boolean {
    if (then.deletes !== now.deletes || then.record > now.record || then.record <= 0) return false
    return this.#identityOf(then.record) === then.identity
  }

  /**
   * The unpartitioned latest rows recorded after `record`, or undefined when there are too many to
   * merge into `count` records with profit: an eighth of them (at least 1,024), at most a chunk. At
   * 100k records, merging 10 changes took about 25 ms and 20k changes as long as a scan.
   */
  #changedSince(record: number, count: number): PackedLatestRecords | undefined {
    const limit = Math.min(this.#chunk, Math.max(1024, Math.floor(count / 8)))
    const row = this.#latestSince.get(record, limit) as LatestRow
    if (row[0] >= limit) return undefined
    const packed = stitchChunks(row[0] === 0 ? [] : [chunkOf(row)])
    if (typeof packed === 'string') throw storeCorrupt(this.#file, new Error(packed))
    return packed
  }

  /** Where the store stands now (see `LatestStamp`); call inside a snapshot. */
  #stamp(): LatestStamp {
    const [record, deletes] = this.#cursor().get() as [number, number]
    return { record, deletes, identity: record === 0 ? '' : this.#identityOf(record) }
  }

  /** What record `id` is (run, key, partition, finish time), '' when there is none. */
  #identityOf(id: number): string {
    // A database put back from a backup can reach the same id with another record.
    this.#identity ??= this.#db
      .prepare(
        `SELECT run_id || char(9) || asset_key || char(9) || partition || char(9) || finished_at
           FROM materializations WHERE id = ?`,
      )
      .pluck()
    return (this.#identity.get(id) as string | undefined) ?? ''
  }

  /** Every unpartitioned latest row, aggregated in chunks (see `latestPacked`). */
  #scan(): PackedLatestRecords {
    const packed = this.#snapshot(() => {
      const chunks: LatestChunk[] = []
      const partitioned = this.#partitionedAssets()
      let after = ''
      for (const stop of [...partitioned, undefined]) {
        for (;;) {
          const row = (
            stop === undefined
              ? this.#latestChunk.get(after, this.#chunk)
              : this.#latestChunkBefore.get(after, stop, this.#chunk)
          ) as LatestRow
          if (row[0] === 0) break
          chunks.push(chunkOf(row))
          after = row[1] as string
          if (row[0] < this.#chunk) break
        }
        if (stop === undefined) break
        const own = this.#latestOne.get(stop) as LatestRow
        if (own[0] > 0) chunks.push(chunkOf(own))
        after = stop
      }
      return stitchChunks(chunks)
    })
    if (typeof packed === 'string') throw storeCorrupt(this.#file, new Error(packed))
    return packed
  }

  /** Keys of the assets with partitioned latest rows, in key order (one index seek per asset). */
  #partitionedAssets(): string[] {
    // Prepared on first use: the partial index exists from schema version 7 (without it, a scan).
    this.#partitionedKeys ??= this.#db
      .prepare(
        `WITH RECURSIVE p (key) AS (
           SELECT (SELECT min(asset_key) FROM latest WHERE partition != '')
           UNION ALL
           SELECT (SELECT min(asset_key) FROM latest WHERE partition != '' AND asset_key > p.key) FROM p
           WHERE p.key IS NOT NULL)
         SELECT key FROM p WHERE key IS NOT NULL`,
      )
      .pluck()
    return this.#partitionedKeys.all() as string[]
  }

  /**
   * The latest records changed since `cursor` (recorded after it), or every latest record when
   * there is no cursor, a latest row was deleted since (wipe), or more than one chunk changed; from
   * one consistent snapshot, with the cursor to pass next time.
   */
  latestSince(cursor: LatestCursor | undefined): LatestChanges {
    const out = this.#snapshot<LatestChanges>(() => {
      const [record, deletes] = this.#cursor().get() as [number, number]
      const now = { record, deletes }
      if (cursor !== undefined && cursor.deletes === deletes) {
        const row =
          record <= cursor.record ? undefined : (this.#latestSince.get(cursor.record, this.#chunk) as LatestRow)
        if (row === undefined || row[0] < this.#chunk) {
          const packed = stitchChunks(row === undefined || row[0] === 0 ? [] : [chunkOf(row)])
          return typeof packed === 'string' ? packed : { cursor: now, all: false, packed }
        }
      }
      const packed = this.latestPacked()
      return { cursor: now, all: true, packed }
    })
    if (typeof out === 'string') throw storeCorrupt(this.#file, new Error(out))
    return out
  }

  /**
   * Forgets assets: removes their `latest` rows (every partition) and stamps `wiped_at` on their
   * records, which stay as history. Returns how many `latest` rows were removed. Call inside a transaction.
   */
  wipe(keys: readonly string[], at: Date = new Date()): number {
    const when = isoTime(at)
    let removed = 0
    for (const key of new Set(keys)) {
      this.#markWiped.run(when, key)
      removed += this.#dropLatest.run(key).changes
    }
    return removed
  }

  /**
   * Forgets some partitions of an asset, as `wipe` forgets assets. Returns how many `latest` rows
   * were removed. Call inside a transaction.
   */
  wipePartitions(key: string, partitions: readonly string[], at: Date = new Date()): number {
    const when = isoTime(at)
    let removed = 0
    for (const p of new Set(partitions)) {
      this.#markPartitionWiped.run(when, key, p)
      removed += this.#dropPartition.run(key, p).changes
    }
    return removed
  }
}

function sameStamp(a: LatestStamp, b: LatestStamp): boolean {
  return a.record === b.record && a.deletes === b.deletes && a.identity === b.identity
}

/** A row of the chunk query: count, last key, then the ten columns (NULL when no row has a value). */
type LatestRow = [number, string | null, ...(string | Buffer | null)[]]

function chunkOf(row: LatestRow): LatestChunk {
  const text = (i: number): string => (row[i] === null ? '' : String(row[i]))
  // Anything but a blob (NULL: no row has a value) reads as no bytes; stitching then checks lengths.
  const bytes = (i: number): Buffer => {
    const v = row[i]
    return Buffer.isBuffer(v) ? v : Buffer.alloc(0)
  }
  return {
    count: row[0],
    keys: text(2),
    codeVersions: bytes(3),
    configHashes: bytes(4),
    dataVersions: bytes(5),
    inputCounts: text(6),
    inputKeys: text(7),
    inputVersions: bytes(8),
    runIds: text(9),
    finishedAt: text(10),
    kinds: text(11),
  }
}

function checkPartition(partition: string, what: string): string {
  if (typeof partition !== 'string' || /[\n\0]/.test(partition)) throw badStorePartition(what, String(partition))
  return partition
}

function checkKey(key: string, what: string): string {
  if (typeof key !== 'string' || key === '' || /[\n\0]/.test(key)) throw badStoreKey(what, String(key))
  return key
}
