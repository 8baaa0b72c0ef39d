/**
 * Partitions as users name them and read them: `--partition KEY|FROM...TO` turned into index ranges
 * per selected partitioned asset, and partition sets turned back into keys and inclusive ranges for
 * plans and status.
 */
import { parsePartitionArg } from '../partitions/selection.js'
import type { PartitionFacts } from '../automation/scope.js'
import type { AssetId } from './planner.js'
import type { ProjectState } from './project-state.js'
import type { CauseView, PartitionsReport, StatusEntry } from './types.js'
import { notPartitioned, partitionOfUnpartitioned } from './errors.js'

/** Most ranges a plan or status lists per asset (the count is always exact). */
const MAX_RANGES = 50

/**
 * The index ranges (wire format) that `--partition` arguments select, per selected partitioned
 * asset; empty without arguments. A key that an asset's definition does not have is refused with
 * the nearest valid one; arguments with no partitioned asset selected are refused.
 *
 * @example
 * partitionRanges(state, ['daily_events'], selection, ['2024-01-01...2024-01-07'])
 */
export function partitionRanges(
  st: ProjectState,
  exprs: readonly string[],
  selection: readonly AssetId[],
  args: readonly string[],
): Map<AssetId, Float64Array> {
  const out = new Map<AssetId, Float64Array>()
  if (args.length === 0) return out
  const parts = st.partitions
  for (const id of selection) {
    const def = parts?.definition(id)
    if (def === undefined) continue
    const flat: number[] = []
    for (const arg of args)
      for (const r of parsePartitionArg(def, arg, { now: parts!.now, asset: st.asset(id).key }))
        flat.push(r.start, r.end)
    out.set(id, normalize(flat))
  }
  if (out.size === 0) throw partitionOfUnpartitioned(exprs.length === 0 ? ['*'] : exprs, args)
  return out
}

/** Sorted, merged ranges. */
function normalize(flat: number[]): Float64Array {
  const pairs: [number, number][] = []
  for (let i = 0; i < flat.length; i += 2) pairs.push([flat[i]!, flat[i + 1]!])
  pairs.sort((a, b) => a[0] - b[0])
  const merged: number[] = []
  for (const [s, e] of pairs) {
    const last = merged.length - 1
    if (last > 0 && s <= merged[last]!) merged[last] = Math.max(merged[last]!, e)
    else merged.push(s, e)
  }
  return Float64Array.from(merged)
}

/**
 * Keys and inclusive ranges (`FROM...TO`) of a partition set of asset `id`, at most `MAX_RANGES`
 * (then `…N more ranges`).
 *
 * @example
 * rangeTexts(state, id, Float64Array.of(0, 7)) // ['2024-01-01...2024-01-07']
 */
export function rangeTexts(st: ProjectState, id: AssetId, set: Float64Array | readonly number[]): string[] {
  const parts = st.partitions!
  const def = parts.definition(id)!
  const out: string[] = []
  for (let i = 0; i < set.length; i += 2) {
    if (out.length === MAX_RANGES) {
      out.push(`…${(set.length - i) / 2} more ranges`)
      break
    }
    const [s, e] = [set[i]!, set[i + 1]!]
    const first = def.keyAt(s, parts.now)
    out.push(e - s === 1 ? first : `${first}...${def.keyAt(e - 1, parts.now)}`)
  }
  return out
}

/**
 * The planned partitions of each partitioned asset of a plan, as `plan --json` shows them.
 *
 * @example
 * plannedPartitions(state, sets) // { daily_events: { count: 7, ranges: ['2024-01-01...2024-01-07'] } }
 */
export function plannedPartitions(
  st: ProjectState,
  sets: ReadonlyMap<AssetId, Float64Array>,
): Record<string, { count: number; ranges: string[] }> | undefined {
  const out: Record<string, { count: number; ranges: string[] }> = {}
  let any = false
  for (const [id, set] of sets) {
    if (st.partitionsOf(id) === undefined) continue
    let count = 0
    for (let i = 0; i < set.length; i += 2) count += set[i + 1]! - set[i]!
    out[st.asset(id).key] = { count, ranges: rangeTexts(st, id, set) }
    any = true
  }
  return any ? out : undefined
}

/**
 * Status entries of partitioned assets from their partitions: counts, and a status that sums them
 * (`fresh` when every partition is, `missing` when none has a record, else `stale`). The asset-level
 * causes of a partitioned asset are replaced by the partition counts.
 *
 * @example
 * withPartitionStatus(state, entries, selection)
 */
export function withPartitionStatus(st: ProjectState, entries: StatusEntry[], selection: readonly AssetId[]): void {
  const parts = st.partitions
  if (parts === undefined) return
  // What would run is the per-partition plan's answer (it sees partitions the asset-level core does not).
  const planned = parts.plan(selection, new Map(), false).sets
  for (const e of entries) {
    const id = st.idOf(e.key)!
    e.planned = planned.has(id)
    if (parts.definition(id) === undefined) continue
    const s = parts.summary(id)
    const orphaned = parts.orphans.get(e.key)
    e.partitions = { ...s, ...(orphaned === undefined ? {} : { orphaned }) }
    e.status = s.fresh === s.total ? 'fresh' : s.fresh + s.stale === 0 ? 'missing' : 'stale'
    e.causes = []
    e.rootCauses = []
  }
}

const STATUS_NAMES = ['missing', 'stale', 'fresh'] as const

/**
 * An asset's partitions as runs of one status (within `ranges`, wire format, when given).
 *
 * @example
 * partitionsReport(state, id) // { key: 'events', total: 366, runs: [{ from: '2024-01-01', to: '2024-12-31', count: 366, status: 'fresh' }], … }
 */
export function partitionsReport(st: ProjectState, id: AssetId, ranges?: Float64Array): PartitionsReport {
  const parts = st.partitions
  const def = parts?.definition(id)
  const key = st.asset(id).key
  if (parts === undefined || def === undefined) throw notPartitioned(key)
  const s = parts.summary(id)
  const orphaned = parts.orphans.get(key)
  const runs = parts.statuses(id, ranges).map(([start, end, status]) => ({
    from: def.keyAt(start, parts.now),
    to: def.keyAt(end - 1, parts.now),
    count: end - start,
    status: STATUS_NAMES[status]!,
  }))
  return {
    key,
    definition: def.describe(),
    total: s.total,
    fresh: s.fresh,
    stale: s.stale,
    missing: s.missing,
    ...(orphaned === undefined ? {} : { orphaned }),
    runs,
  }
}

const CAUSES: [number, CauseView['kind'], string][] = [
  [1, 'code_changed', 'its code changed since this partition was built'],
  [2, 'config_changed', 'its config changed since this partition was built'],
  [4, 'dep_added', 'it has an input this partition did not read'],
  [8, 'dep_removed', 'this partition read an input the asset no longer has'],
  [16, 'upstream_data_changed', 'an input it reads has new data (or a partition it reads appeared or went missing)'],
]

/**
 * One status entry per partition of `set` (wire format) of a partitioned asset, in index order:
 * what `status --partition` shows instead of the asset's summary entry.
 *
 * @example
 * partitionEntries(state, id, Float64Array.of(0, 7), planned)
 */
export function partitionEntries(
  st: ProjectState,
  id: AssetId,
  set: Float64Array,
  planned: ReadonlyMap<AssetId, Float64Array>,
): StatusEntry[] {
  const parts = st.partitions!
  const def = parts.definition(id)!
  const key = st.asset(id).key
  const plannedSet = planned.get(id)
  const isPlanned = (p: number): boolean => {
    if (plannedSet === undefined) return false
    for (let i = 0; i < plannedSet.length; i += 2) if (p >= plannedSet[i]! && p < plannedSet[i + 1]!) return true
    return false
  }
  const out: StatusEntry[] = []
  for (let r = 0; r < set.length; r += 2)
    for (let p = set[r]!; p < set[r + 1]!; p++) {
      const status = parts.status(id, p)
      if (status === null) continue
      const bits = status === 1 ? parts.causes(id, p) : 0
      out.push({
        key,
        partition: def.keyAt(p, parts.now),
        status: STATUS_NAMES[status]!,
        planned: isPlanned(p),
        causes: CAUSES.filter(([bit]) => bits & bit).map(([, kind, message]) => ({ kind, message })),
        rootCauses: [],
      })
    }
  return out
}

/**
 * What a condition knows of a partitioned asset's partitions: counts by status, the first ranges of
 * stale and missing ones, and the causes of the first stale one (one pass over the status runs).
 *
 * @example
 * partitionFacts(state, id) // { total: 31, fresh: 30, stale: 0, missing: 1, missingRanges: ['2024-01-31'], … }
 */
export function partitionFacts(st: ProjectState, id: AssetId): PartitionFacts {
  const parts = st.partitions!
  const { total, fresh, stale, missing } = parts.summary(id)
  const sets: [number[], number[]] = [[], []] // missing, stale
  let firstStale: number | undefined
  if (stale + missing > 0)
    for (const [start, end, status] of parts.statuses(id)) {
      if (status > 1) continue
      const set = sets[status]!
      if (set.length < 2 * 3) set.push(start, end)
      if (status === 1) firstStale ??= start
      if (sets[0].length >= 6 && sets[1].length >= 6) break
    }
  const bits = firstStale === undefined ? 0 : parts.causes(id, firstStale)
  return {
    total,
    fresh,
    stale,
    missing,
    staleRanges: rangeTexts(st, id, sets[1]),
    missingRanges: rangeTexts(st, id, sets[0]),
    staleCauses: CAUSES.filter(([bit]) => bits & bit).map(([, kind]) => kind),
  }
}
