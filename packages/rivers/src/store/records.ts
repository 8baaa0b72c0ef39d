/**
 * Materialization records: writing one (with its inputs, metrics, `latest` pointer and event, in one
 * transaction), reading the latest record of every asset in bulk, and forgetting assets (`wipe`).
 */
import type Database from 'better-sqlite3'
import { badStoreKey, runNotFound, storeCorrupt } from './errors.js'
import { asHash } from './hex.js'
import { encodeJson, isoTime } from './json.js'
import type { LatestRecords, NewRecord, RecordKind } from './types.js'

/** Rows per `latestRecords` query: bounds the size of the strings SQLite builds (~10 MB each). */
const LATEST_CHUNK = 65_536

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
  readonly #insertMetric: Database.Statement
  readonly #insertEvent: Database.Statement
  readonly #latestChunk: Database.Statement
  readonly #markWiped: Database.Statement
  readonly #dropLatest: Database.Statement
  readonly #snapshot: (fn: () => LatestRecords) => LatestRecords
  readonly #chunk: number

  /** `chunkRows` exists for tests; the default bounds each concatenated string to about 10 MB. */
  constructor(db: Database.Database, file: string, chunkRows: number = LATEST_CHUNK) {
    this.#file = file
    this.#chunk = chunkRows
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
    // One row per chunk of assets: every column is a string SQLite concatenates in C, so JS makes a
    // handful of strings per chunk instead of objects and Buffers per asset and per input. All
    // aggregates of one query step through the same rows, so the columns line up by construction.
    // group_concat skips NULLs: an asset without inputs adds nothing to the input columns.
    this.#latestChunk = db
      .prepare(
        `SELECT count(*), max(asset_key),
           group_concat(asset_key, char(10)),
           group_concat(hex(code_version), ''),
           group_concat(hex(config_hash), ''),
           group_concat(hex(data_version), ''),
           group_concat(input_count, ','),
           group_concat(input_keys, char(10)),
           group_concat(hex(input_versions), ''),
           group_concat(run_id, char(10)),
           group_concat(finished_at, char(10)),
           group_concat(kind, char(10))
         FROM (SELECT * FROM latest WHERE partition = '' AND asset_key > ? ORDER BY asset_key LIMIT ?)`,
      )
      .raw()
    this.#markWiped = db.prepare('UPDATE materializations SET wiped_at = ? WHERE asset_key = ? AND wiped_at IS NULL')
    this.#dropLatest = db.prepare('DELETE FROM latest WHERE asset_key = ?')
    // A deferred read transaction pins one WAL snapshot, so all chunks see the same state.
    const tx = db.transaction((fn: () => LatestRecords) => fn())
    this.#snapshot = (fn) => tx.deferred(fn)
  }

  /** Inserts one record with everything attached; returns its id. Call inside a transaction. */
  insert(r: NewRecord): number {
    const key = checkKey(r.key, 'Asset key')
    const partition = r.partition ?? ''
    const kind: RecordKind = r.kind ?? 'materialization'
    const code = asHash(r.codeVersion, `codeVersion of asset '${key}'`)
    const config = asHash(r.configHash, `configHash of asset '${key}'`)
    const data = asHash(r.dataVersion, `dataVersion of asset '${key}'`)
    const inputs = r.inputs.map((i) => ({
      key: checkKey(i.key, `Input key of asset '${key}'`),
      partition: i.partition ?? '',
      version: asHash(i.dataVersion, `input '${i.key}' of asset '${key}'`),
    }))
    const metadata = encodeJson(r.metadata, `metadata of asset '${key}'`)
    if (this.#runExists.get(r.runId) === undefined) throw runNotFound(this.#file, r.runId)

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
    this.#upsertLatest.run(
      key,
      partition,
      id,
      kind,
      code,
      config,
      data,
      inputs.length,
      packedKeys,
      packedVersions,
      r.runId,
      finished,
    )
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
    return this.#snapshot(() => {
      const chunks: string[][] = []
      let after = ''
      for (;;) {
        const row = this.#latestChunk.get(after, this.#chunk) as [number, string | null, ...(string | null)[]]
        if (row[0] === 0) break
        chunks.push(row.slice(2).map((c) => (c === null ? '' : String(c))))
        after = row[1] as string
        if (row[0] < this.#chunk) break
      }
      return this.#decode(chunks)
    })
  }

  #decode(chunks: string[][]): LatestRecords {
    const split = (text: string, sep: string): string[] => (text === '' ? [] : text.split(sep))
    const col = (i: number, sep: string): string[] =>
      chunks.length === 1
        ? split((chunks[0] as string[])[i] as string, sep)
        : chunks.flatMap((c) => split(c[i] as string, sep))
    const hex = (i: number): Buffer => Buffer.from(chunks.map((c) => c[i] as string).join(''), 'hex')
    const keys = col(0, '\n')
    const m = keys.length
    const codeVersions = hex(1)
    const configHashes = hex(2)
    const dataVersions = hex(3)
    const counts = col(4, ',')
    const depKeys = col(5, '\n')
    const depVersions = hex(6)
    const runIds = col(7, '\n')
    const finishedAt = col(8, '\n')
    const kinds = col(9, '\n') as RecordKind[]
    const depOffsets = new Uint32Array(m + 1)
    for (let i = 0; i < m; i++) depOffsets[i + 1] = (depOffsets[i] as number) + Number(counts[i])
    const total = depOffsets[m] as number
    const aligned =
      codeVersions.length === 16 * m &&
      configHashes.length === 16 * m &&
      dataVersions.length === 16 * m &&
      counts.length === m &&
      depKeys.length === total &&
      depVersions.length === 16 * total &&
      runIds.length === m &&
      finishedAt.length === m &&
      kinds.length === m
    if (!aligned) {
      throw storeCorrupt(
        this.#file,
        new Error(
          `the latest table does not decode: ${m} keys, ${total} inputs expected, ${depKeys.length} input keys found`,
        ),
      )
    }
    return {
      keys,
      codeVersions,
      configHashes,
      dataVersions,
      depOffsets,
      depKeys,
      depVersions,
      runIds,
      finishedAt,
      kinds,
    }
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
}

function checkKey(key: string, what: string): string {
  if (typeof key !== 'string' || key === '' || /[\n\0]/.test(key)) throw badStoreKey(what, String(key))
  return key
}
