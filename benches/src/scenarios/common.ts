/**
 * What every scenario gets (the profile, a sink for rows and problems) and the helper that turns a
 * measurement into a result row.
 */
import type { Measurement } from '../harness.js'
import type { Profile } from '../profile.js'
import type { Impl, MemoryRow, Row, ScenarioId, Work } from '../results.js'
import type { Workload } from '../workload.js'

/** The run a scenario belongs to. */
export interface RunCtx {
  profile: Profile
  rows: Row[]
  memory: MemoryRow[]
  /** A check that did not hold (wrong cone, state not restored…): reported, never thrown. */
  problem: (message: string) => void
  /** Progress on stderr. */
  log: (message: string) => void
}

/** Median of numbers (0 for none). */
export function median(xs: readonly number[]): number {
  if (xs.length === 0) return 0
  const s = [...xs].sort((a, b) => a - b)
  const m = s.length >> 1
  return s.length % 2 ? (s[m] ?? 0) : ((s[m - 1] ?? 0) + (s[m] ?? 0)) / 2
}

/** The work of a graph, plus `more`. */
export function workOf(w: Workload, more: Partial<Work> = {}): Work {
  return { nodes: w.g.n, edges: w.g.deps.length, ...more }
}

/** Cone figures of samples whose plan sizes were `cones`. */
export function coneWork(cones: readonly number[]): Partial<Work> {
  if (cones.length === 0) return {}
  return { cone: median(cones), coneMin: Math.min(...cones), coneMax: Math.max(...cones) }
}

/**
 * Appends a row for `m` (and returns it).
 * @example emit(ctx, w, 'build', 'rivers', m, workOf(w))
 */
export function emit(
  ctx: RunCtx,
  w: Pick<Workload, 'shape' | 'order' | 'g'>,
  scenario: ScenarioId,
  impl: Impl,
  m: Measurement,
  work: Work,
  variant?: string,
  extra?: Row['extra'],
): Row {
  const row: Row = { scenario, shape: w.shape, order: w.order, n: w.g.n, impl, stats: m.stats, work }
  if (variant !== undefined) row.variant = variant
  if (work.cone !== undefined && work.cone > 0) row.perConeNs = m.stats.p50 / work.cone
  if (extra !== undefined) row.extra = extra
  ctx.rows.push(row)
  return row
}
