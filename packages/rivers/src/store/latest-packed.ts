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

/**
 * Orders asset keys as SQLite's BINARY collation orders their UTF-8 bytes (the order of `latest`
 * reads): UTF-16 order, except that a surrogate (a code point above U+FFFF) comes after U+E000–U+FFFF.
 *
 * @example
 * compareKeys('a', 'b') // negative
 * compareKeys('\u{1F600}', '\uFFFD') // positive, as in UTF-8
 */
export function compareKeys(a: string, b: string): number {
  const n = Math.min(a.length, b.length)
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i)
    const y = b.charCodeAt(i)
    if (x !== y) return compareUnits(x, y)
  }
  return a.length - b.length
}

/** Two different UTF-16 units in UTF-8 byte order: surrogates after U+E000–U+FFFF. */
function compareUnits(x: number, y: number): number {
  const a = x >= 0xd800 ? (x < 0xe000 ? x + 0x2000 : x - 0x800) : x
  const b = y >= 0xd800 ? (y < 0xe000 ? y + 0x2000 : y - 0x800) : y
  return a - b
}

/**
 * Where each of the `n` lines of a `\n`-joined column starts, and `n + 1` past its end: lines
 * `a` to `b - 1` are `text.slice(starts[a], starts[b] - 1)`.
 */
function lineStarts(text: string, n: number): Uint32Array {
  const starts = new Uint32Array(n + 1)
  let at = 0
  for (let i = 0; i < n; i++) {
    starts[i] = at
    const nl = text.indexOf('\n', at)
    at = nl === -1 ? text.length + 1 : nl + 1
  }
  starts[n] = text.length + 1
  return starts
}

/**
 * `base` (every latest record at some point, in key order) with `changes` (the latest rows recorded
 * since, any order, one per key) put in: a changed key's row replaces the base's, a new key is
 * inserted in order. What a fresh read gives when nothing was deleted in between. The base is cut
 * into runs of unchanged rows and joined with the changed rows, column by column, without splitting
 * it into a string per row: the cost is a pass over each text column plus copying it once.
 *
 * @example
 * const now = mergeLatest(cachedPacked, changedSinceThen)
 */
export function mergeLatest(base: PackedLatestRecords, changes: PackedLatestRecords): PackedLatestRecords {
  if (changes.count === 0) return base
  const n = base.count
  const c = unpackLatest(changes)
  const order = Array.from(c.keys.keys()).sort((x, y) => compareKeys(c.keys[x]!, c.keys[y]!))
  const keyStarts = lineStarts(base.keys, n)
  // Base key i against `key`, read in place (no string per probe).
  const compareAt = (i: number, key: string): number => {
    const text = base.keys
    const start = keyStarts[i]!
    const length = keyStarts[i + 1]! - 1 - start
    const m = Math.min(length, key.length)
    for (let q = 0; q < m; q++) {
      const x = text.charCodeAt(start + q)
      const y = key.charCodeAt(q)
      if (x !== y) return compareUnits(x, y)
    }
    return length - key.length
  }
  // Runs of base rows [from, to), each followed by a changed row (the last by none); a changed
  // key found in the base skips that row.
  const runs: number[] = []
  let from = 0
  for (const j of order) {
    const key = c.keys[j]!
    let lo = from
    let hi = n
    while (lo < hi) {
      const mid = (lo + hi) >>> 1
      if (compareAt(mid, key) < 0) lo = mid + 1
      else hi = mid
    }
    runs.push(from, lo)
    from = lo < n && compareAt(lo, key) === 0 ? lo + 1 : lo
  }
  runs.push(from, n)
  const depOffsets = new Uint32Array(n + 1)
  for (let i = 0; i < n; i++) depOffsets[i + 1] = depOffsets[i]! + base.inputCounts[i]!
  // A column is cut at records (one line or 16 bytes each) or at inputs (per input of a record):
  // `row` and `input` map a record to the first of its units, in the base and in the changes.
  const row = (i: number): number => i
  const input = (i: number): number => depOffsets[i]!
  const changedInput = (j: number): number => c.depOffsets[j]!
  const lines = (text: string, starts: Uint32Array, unit: (i: number) => number, changed: (j: number) => string) => {
    const parts: string[] = []
    for (let r = 0; r < runs.length; r += 2) {
      const a = unit(runs[r]!)
      const b = unit(runs[r + 1]!)
      if (a < b) parts.push(text.slice(starts[a]!, starts[b]! - 1))
      if (r / 2 < order.length) {
        const line = changed(order[r / 2]!)
        if (line !== '') parts.push(line)
      }
    }
    return parts.join('\n')
  }
  const bytes = (column: Buffer, changedColumn: Buffer, unit: (i: number) => number, changedUnit: typeof unit) => {
    const parts: Buffer[] = []
    for (let r = 0; r < runs.length; r += 2) {
      parts.push(column.subarray(16 * unit(runs[r]!), 16 * unit(runs[r + 1]!)))
      if (r / 2 < order.length) {
        const j = order[r / 2]!
        parts.push(changedColumn.subarray(16 * changedUnit(j), 16 * changedUnit(j + 1)))
      }
    }
    return Buffer.concat(parts)
  }
  const inputCounts = new Uint32Array(
    runs.reduce((m, v, r) => (r % 2 === 1 ? m + v - runs[r - 1]! : m), 0) + order.length,
  )
  let at = 0
  for (let r = 0; r < runs.length; r += 2) {
    inputCounts.set(base.inputCounts.subarray(runs[r]!, runs[r + 1]!), at)
    at += runs[r + 1]! - runs[r]!
    if (r / 2 < order.length) {
      const j = order[r / 2]!
      inputCounts[at++] = c.depOffsets[j + 1]! - c.depOffsets[j]!
    }
  }
  return {
    count: inputCounts.length,
    keys: lines(base.keys, keyStarts, row, (j) => c.keys[j]!),
    codeVersions: bytes(base.codeVersions, changes.codeVersions, row, row),
    configHashes: bytes(base.configHashes, changes.configHashes, row, row),
    dataVersions: bytes(base.dataVersions, changes.dataVersions, row, row),
    inputCounts,
    inputKeys: lines(base.inputKeys, lineStarts(base.inputKeys, depOffsets[n]!), input, (j) =>
      c.depKeys.slice(c.depOffsets[j]!, c.depOffsets[j + 1]!).join('\n'),
    ),
    inputVersions: bytes(base.inputVersions, changes.inputVersions, input, changedInput),
    runIds: lines(base.runIds, lineStarts(base.runIds, n), row, (j) => c.runIds[j]!),
    finishedAt: lines(base.finishedAt, lineStarts(base.finishedAt, n), row, (j) => c.finishedAt[j]!),
    kinds: lines(base.kinds, lineStarts(base.kinds, n), row, (j) => c.kinds[j]!),
  }
}
