/**
 * The packed latest records as PostgreSQL hands them over: one aggregate row per read, each column
 * one string or `bytea` that the server concatenates (`string_agg`, NULLs skipped), so that reading
 * 100k records makes a handful of JS values. All aggregates of one query step through the same rows
 * in the same order, so the columns line up by construction; the decoder still checks the lengths.
 */
import type { PackedLatestRecords, PackedPartitionRecords } from '@rivers-orchestrator/rivers/plugin'

/**
 * The aggregate columns over rows `s` of `latest` (in the order of `s`), as `PackedRow` names them.
 *
 * @example
 * const sql = `SELECT ${PACKED_SELECT} FROM (SELECT * FROM latest ORDER BY asset_key) s`
 */
export const PACKED_SELECT = `count(*) AS n,
  coalesce(sum(input_count), 0) AS inputs,
  string_agg(asset_key, E'\\n') AS keys,
  string_agg(code_version, ''::bytea) AS code,
  string_agg(config_hash, ''::bytea) AS config,
  string_agg(data_version, ''::bytea) AS data,
  string_agg(input_count::text, ',') AS counts,
  string_agg(input_keys, E'\\n') AS input_keys,
  string_agg(input_versions, ''::bytea) AS input_versions,
  string_agg(run_id, E'\\n') AS run_ids,
  string_agg(finished_at, E'\\n') AS finished,
  string_agg(kind, E'\\n') AS kinds,
  string_agg(partition, E'\\n') AS partitions,
  string_agg(input_partitions, E'\\n') AS input_partitions`

/** One row of a `PACKED_SELECT` query (NULL where no row had a value). */
export interface PackedRow {
  n: number
  inputs: number
  keys: string | null
  code: Buffer | null
  config: Buffer | null
  data: Buffer | null
  counts: string | null
  input_keys: string | null
  input_versions: Buffer | null
  run_ids: string | null
  finished: string | null
  kinds: string | null
  partitions: string | null
  input_partitions: string | null
}

const EMPTY = Buffer.alloc(0)

function lines(text: string): number {
  if (text === '') return 0
  let n = 1
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) n++
  return n
}

/**
 * The packed records of one aggregate row; a description of what does not line up instead (the
 * caller reports the database as damaged).
 *
 * @example
 * const packed = packedOf(rows[0]!)
 * if (typeof packed === 'string') throw new Error(packed)
 */
export function packedOf(row: PackedRow): PackedLatestRecords | string {
  const m = Number(row.n)
  const counts = row.counts ?? ''
  const inputCounts = new Uint32Array(m)
  let parsed = 0
  if (counts !== '')
    for (const c of counts.split(',')) {
      if (parsed < m) inputCounts[parsed] = Number(c)
      parsed++
    }
  const total = Number(row.inputs)
  const packed: PackedLatestRecords = {
    count: m,
    keys: row.keys ?? '',
    codeVersions: row.code ?? EMPTY,
    configHashes: row.config ?? EMPTY,
    dataVersions: row.data ?? EMPTY,
    inputCounts,
    inputKeys: row.input_keys ?? '',
    inputVersions: row.input_versions ?? EMPTY,
    runIds: row.run_ids ?? '',
    finishedAt: row.finished ?? '',
    kinds: row.kinds ?? '',
  }
  const aligned =
    parsed === m &&
    lines(packed.keys) === m &&
    packed.codeVersions.length === 16 * m &&
    packed.configHashes.length === 16 * m &&
    packed.dataVersions.length === 16 * m &&
    lines(packed.inputKeys) === total &&
    packed.inputVersions.length === 16 * total &&
    lines(packed.runIds) === m &&
    lines(packed.finishedAt) === m &&
    lines(packed.kinds) === m
  return aligned
    ? packed
    : `the latest table does not decode: ${m} keys, ${total} inputs expected, ${lines(packed.inputKeys)} input keys found`
}

/**
 * The packed partitioned records of one aggregate row (with partitions and input partitions).
 *
 * @example
 * const p = packedPartitionsOf(rows[0]!)
 */
export function packedPartitionsOf(row: PackedRow): PackedPartitionRecords | string {
  const base = packedOf(row)
  if (typeof base === 'string') return base.replace('the latest table', 'the latest table (partitioned rows)')
  const partitions = row.partitions ?? ''
  const inputPartitions = row.input_partitions ?? ''
  if (lines(partitions) !== base.count && !(base.count === 0 && partitions === ''))
    return `the latest table (partitioned rows) does not decode: ${base.count} partition keys expected`
  const total = Number(row.inputs)
  if (total > 0 && lines(inputPartitions) !== total && !(total === 1 && inputPartitions === ''))
    return `the latest table (partitioned rows) does not decode: ${total} input partitions expected`
  return { ...base, partitions, inputPartitions }
}
