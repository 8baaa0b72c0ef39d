/**
 * The packed form of the latest records (`PackedLatestRecords`): stitching the chunks SQLite reads,
 * checking that the columns line up, and converting to and from the columnar `LatestRecords`.
 */
import type { LatestRecords, PackedLatestRecords, RecordKind } from './types.js'

/**
 * The packed columns of a chunk query over `latest` rows, in `LatestChunk` order (the unpartitioned
 * reads in records.ts and the partitioned ones in partition-records.ts both select them).
 */
export const PACKED_COLUMNS = `group_concat(asset_key, char(10)),
  CAST(group_concat(code_version, '') AS BLOB),
  CAST(group_concat(config_hash, '') AS BLOB),
  CAST(group_concat(data_version, '') AS BLOB),
  group_concat(input_count, ','),
  group_concat(input_keys, char(10)),
  CAST(group_concat(input_versions, '') AS BLOB),
  group_concat(run_id, char(10)),
  group_concat(finished_at, char(10)),
  group_concat(kind, char(10))`

/** One chunk as the aggregate query returns it (see `RecordsTable`); NULL columns come as ''. */
export interface LatestChunk {
  count: number
  keys: string
  codeVersions: Buffer
  configHashes: Buffer
  dataVersions: Buffer
  /** Input counts joined by ','. */
  inputCounts: string
  inputKeys: string
  inputVersions: Buffer
  runIds: string
  finishedAt: string
  kinds: string
}

/** Number of lines of a `\n`-joined column ('' has none). */
function lineCount(text: string): number {
  if (text === '') return 0
  let lines = 1
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) lines++
  return lines
}

/** Joins the `\n`-joined columns of several chunks, skipping chunks where the column is empty. */
function joinLines(parts: readonly string[]): string {
  return parts.filter((p) => p !== '').join('\n')
}

/** Parses comma-joined counts into `out` from `at`; returns the position after the last one. */
function parseCounts(text: string, out: Uint32Array, at: number): number {
  let i = at
  let value = 0
  let digits = 0
  for (let c = 0; c < text.length; c++) {
    const code = text.charCodeAt(c)
    if (code === 44) {
      if (i < out.length) out[i] = value
      i++
      value = 0
      digits = 0
    } else {
      value = value * 10 + (code - 48)
      digits++
    }
  }
  if (digits > 0) {
    if (i < out.length) out[i] = value
    i++
  }
  return i
}

/**
 * Stitches chunks (in key order) into one packed result; returns a description of what does not
 * line up instead when the columns disagree (the caller reports the store as corrupt).
 *
 * @example
 * const packed = stitchChunks(chunks)
 * if (typeof packed === 'string') throw storeCorrupt(file, new Error(packed))
 */
export function stitchChunks(chunks: readonly LatestChunk[]): PackedLatestRecords | string {
  const m = chunks.reduce((s, c) => s + c.count, 0)
  const inputCounts = new Uint32Array(m)
  let parsed = 0
  for (const c of chunks) parsed += parseCounts(c.inputCounts, inputCounts, parsed) - parsed
  const one = chunks.length === 1 ? chunks[0] : undefined
  const packed: PackedLatestRecords = {
    count: m,
    keys: one?.keys ?? joinLines(chunks.map((c) => c.keys)),
    codeVersions: one?.codeVersions ?? Buffer.concat(chunks.map((c) => c.codeVersions)),
    configHashes: one?.configHashes ?? Buffer.concat(chunks.map((c) => c.configHashes)),
    dataVersions: one?.dataVersions ?? Buffer.concat(chunks.map((c) => c.dataVersions)),
    inputCounts,
    inputKeys: one?.inputKeys ?? joinLines(chunks.map((c) => c.inputKeys)),
    inputVersions: one?.inputVersions ?? Buffer.concat(chunks.map((c) => c.inputVersions)),
    runIds: one?.runIds ?? joinLines(chunks.map((c) => c.runIds)),
    finishedAt: one?.finishedAt ?? joinLines(chunks.map((c) => c.finishedAt)),
    kinds: one?.kinds ?? joinLines(chunks.map((c) => c.kinds)),
  }
  let total = 0
  for (let i = 0; i < m; i++) total += inputCounts[i]!
  const inputKeys = lineCount(packed.inputKeys)
  const aligned =
    parsed === m &&
    lineCount(packed.keys) === m &&
    packed.codeVersions.length === 16 * m &&
    packed.configHashes.length === 16 * m &&
    packed.dataVersions.length === 16 * m &&
    inputKeys === total &&
    packed.inputVersions.length === 16 * total &&
    lineCount(packed.runIds) === m &&
    lineCount(packed.finishedAt) === m &&
    lineCount(packed.kinds) === m
  return aligned
    ? packed
    : `the latest table does not decode: ${m} keys, ${total} inputs expected, ${inputKeys} input keys found`
}

const split = (text: string): string[] => (text === '' ? [] : text.split('\n'))

/**
 * The columnar form of packed records (arrays of strings, CSR offsets).
 *
 * @example
 * const latest = unpackLatest(await store.latestRecordsPacked())
 * latest.keys // ['a', 'b']
 */
export function unpackLatest(p: PackedLatestRecords): LatestRecords {
  const depOffsets = new Uint32Array(p.count + 1)
  for (let i = 0; i < p.count; i++) depOffsets[i + 1] = depOffsets[i]! + p.inputCounts[i]!
  return {
    keys: split(p.keys),
    codeVersions: p.codeVersions,
    configHashes: p.configHashes,
    dataVersions: p.dataVersions,
    depOffsets,
    depKeys: split(p.inputKeys),
    depVersions: p.inputVersions,
    runIds: split(p.runIds),
    finishedAt: split(p.finishedAt),
    kinds: split(p.kinds) as RecordKind[],
  }
}

/**
 * The packed form of columnar records (for a store that only implements `latestRecords`).
 *
 * @example
 * const packed = packLatest(await store.latestRecords())
 */
export function packLatest(l: LatestRecords): PackedLatestRecords {
  const m = l.keys.length
  const inputCounts = new Uint32Array(m)
  for (let i = 0; i < m; i++) inputCounts[i] = l.depOffsets[i + 1]! - l.depOffsets[i]!
  return {
    count: m,
    keys: l.keys.join('\n'),
    codeVersions: l.codeVersions,
    configHashes: l.configHashes,
    dataVersions: l.dataVersions,
    inputCounts,
    inputKeys: l.depKeys.join('\n'),
    inputVersions: l.depVersions,
    runIds: l.runIds.join('\n'),
    finishedAt: l.finishedAt.join('\n'),
    kinds: l.kinds.join('\n'),
  }
}
