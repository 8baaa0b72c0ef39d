/**
 * `resolveMapping`: a declared mapping (or the default) between two partition definitions, as a
 * mapping of the core with the sizes of both sides at `now`; incompatible pairs are refused with an
 * error naming both assets and the fix.
 */
import type { CoreDimension, CoreMapping, PartitionSet, ResolvedMapping } from './core-mapping.js'
import type { DynamicPartitions } from './dynamic.js'
import { incompatibleMapping, mappingFunctionFailed } from './errors.js'
import type { PartitionMapping } from './mapping.js'
import type { ProductPartitions } from './product.js'
import { flatten, merge } from './ranges.js'
import type { StaticPartitions } from './static.js'
import type { TimePeriod, TimeWindowPartitions } from './time-base.js'
import type { PartitionDefinition, PartitionRange } from './types.js'

/**
 * What `resolveMapping` needs: the two definitions (`undefined` for an unpartitioned asset), the
 * declared mapping (default: chosen from the definitions), the asset keys for messages, and `now`.
 *
 * @example
 * const req: ResolveMappingInput = { down: monthly({ start: '2024-01-01' }), up: daily({ start: '2024-01-01' }), downKey: 'report', upKey: 'events' }
 */
export interface ResolveMappingInput {
  readonly down: PartitionDefinition | undefined
  readonly up: PartitionDefinition | undefined
  readonly mapping?: PartitionMapping
  readonly downKey?: string
  readonly upKey?: string
  readonly now?: Date
}

const PERIODS: readonly TimePeriod[] = ['hourly', 'daily', 'weekly', 'monthly']
const isTime = (d: PartitionDefinition): d is TimeWindowPartitions => (PERIODS as readonly string[]).includes(d.kind)

interface Ctx {
  readonly downKey: string
  readonly upKey: string
  readonly now: Date
}

function refuse(
  ctx: Ctx,
  down: PartitionDefinition | undefined,
  up: PartitionDefinition | undefined,
  problem: string,
  fix: string,
): Error {
  return incompatibleMapping(
    { key: ctx.downKey, partitions: down?.describe() ?? 'unpartitioned' },
    { key: ctx.upKey, partitions: up?.describe() ?? 'unpartitioned' },
    problem,
    fix,
  )
}

const FN_FIX =
  'declare the dep as mapped(dep, mapping.fromFunction((key) => [upstream keys])) to say which partitions each one reads'

/** Same-period time windows: the index shift from down to up, or a reason they do not line up. */
function timeShift(down: TimeWindowPartitions, up: TimeWindowPartitions): number | string {
  const shift = down.origin - up.origin
  if (!Number.isInteger(shift))
    return down.kind === 'weekly' ? 'their weeks start on different weekdays' : 'their hours begin at different minutes'
  return shift
}

function timePair(
  ctx: Ctx,
  down: TimeWindowPartitions,
  up: TimeWindowPartitions,
  m: PartitionMapping | undefined,
): CoreMapping {
  if (down.kind === up.kind) {
    const shift = timeShift(down, up)
    if (typeof shift === 'string') throw refuse(ctx, down, up, shift, FN_FIX)
    if (m?.kind === 'window') return { kind: 'window', from: shift - m.offset - m.length + 1, to: shift - m.offset }
    return shift === 0 ? { kind: 'identity' } : { kind: 'window', from: shift, to: shift }
  }
  if (m !== undefined)
    throw refuse(
      ctx,
      down,
      up,
      `${m.kind === 'window' ? 'a window' : 'identity'} needs the same period on both sides`,
      `leave the mapping out: a ${down.kind} asset reading a ${up.kind} one reads the ${PERIODS.indexOf(down.kind) > PERIODS.indexOf(up.kind) ? `${up.kind} partitions of its window` : `${up.kind} partition its window lies in`}`,
    )
  const nest = (a: TimePeriod, b: TimePeriod): boolean =>
    !(a === 'weekly' && b === 'monthly') && !(a === 'monthly' && b === 'weekly')
  if (!nest(down.kind, up.kind)) throw refuse(ctx, down, up, 'weeks do not nest in months', FN_FIX)
  const coarser = PERIODS.indexOf(down.kind) > PERIODS.indexOf(up.kind)
  const [coarse, fine] = coarser ? [down, up] : [up, down]
  // A fine window belongs to the coarse window it begins in.
  const count = coarser ? down.size(ctx.now) : up.size(ctx.now)
  const boundaries: number[] = []
  for (let q = 0; q <= count; q++) boundaries.push(Math.max(0, fine.firstIndexFrom(coarse.startMs(q))))
  return { kind: coarser ? 'coarsen' : 'refine', boundaries }
}

function listPair(
  ctx: Ctx,
  down: PartitionDefinition,
  up: PartitionDefinition,
  m: PartitionMapping | undefined,
): CoreMapping {
  const same =
    down.kind === 'static' && up.kind === 'static'
      ? (down as StaticPartitions).list.join('|') === (up as StaticPartitions).list.join('|')
      : down.kind === 'dynamic' &&
        up.kind === 'dynamic' &&
        (down as DynamicPartitions).name === (up as DynamicPartitions).name
  if (m?.kind === 'window') {
    if (!same || !m.overStatic || down.kind !== 'static')
      throw refuse(
        ctx,
        down,
        up,
        'a window counts partitions in order, which static lists and dynamic sets do not have by default',
        down.kind === 'static' && same
          ? 'write mapping.window({ …, overStatic: true }) if the order of the list means something'
          : FN_FIX,
      )
    return { kind: 'window', from: 1 - m.offset - m.length, to: 0 - m.offset }
  }
  if (same) return { kind: 'identity' }
  if (down.kind === 'static' && up.kind === 'static') {
    // Different lists: each key reads the upstream key with the same name.
    const missing = (down as StaticPartitions).list.filter((k) => !(up as StaticPartitions).list.includes(k))
    if (missing.length > 0)
      throw refuse(
        ctx,
        down,
        up,
        `key${missing.length > 1 ? 's' : ''} ${missing.map((k) => `'${k}'`).join(', ')} of '${ctx.downKey}' ${missing.length > 1 ? 'are' : 'is'} not upstream`,
        FN_FIX,
      )
    const upstream = (down as StaticPartitions).list.map((k) => {
      const i = up.indexOf(k)
      return [i, i + 1]
    })
    return { kind: 'explicit', upstream }
  }
  throw refuse(
    ctx,
    down,
    up,
    down.kind === 'dynamic' && up.kind === 'dynamic'
      ? 'they are different dynamic sets'
      : `${down.kind} partitions cannot read ${up.kind} ones by key`,
    FN_FIX,
  )
}

function pair(
  ctx: Ctx,
  down: PartitionDefinition,
  up: PartitionDefinition,
  m: PartitionMapping | undefined,
): CoreMapping {
  if (m?.kind === 'all') return { kind: 'all' }
  if (m?.kind === 'function') return explicit(ctx, down, up, m.fn)
  if (down.kind === 'product' || up.kind === 'product') return productPair(ctx, down, up, m)
  if (m?.kind === 'perDimension')
    throw refuse(
      ctx,
      down,
      up,
      'perDimension needs products on both sides',
      'use mapping.identity() or mapping.window(…) between single definitions',
    )
  if (isTime(down) && isTime(up)) return timePair(ctx, down, up, m)
  if (isTime(down) || isTime(up))
    throw refuse(ctx, down, up, `${down.kind} partitions cannot read ${up.kind} ones`, FN_FIX)
  return listPair(ctx, down, up, m)
}

function productPair(
  ctx: Ctx,
  down: PartitionDefinition,
  up: PartitionDefinition,
  m: PartitionMapping | undefined,
): CoreMapping {
  const names = (d: PartitionDefinition): string[] =>
    d.kind === 'product' ? (d as ProductPartitions).dimensions.map((x) => x.name) : []
  const dn = names(down)
  const un = names(up)
  if (down.kind !== 'product' || up.kind !== 'product' || dn.join('|') !== un.join('|'))
    throw refuse(
      ctx,
      down,
      up,
      `the dimensions differ (${dn.length > 0 ? dn.join('|') : down.kind} vs ${un.length > 0 ? un.join('|') : up.kind})`,
      FN_FIX,
    )
  if (m !== undefined && m.kind !== 'perDimension' && m.kind !== 'identity')
    throw refuse(
      ctx,
      down,
      up,
      `${m.kind} applies to one dimension`,
      'write mapping.perDimension({ date: mapping.window({ length: 7 }), region: mapping.identity() })',
    )
  const chosen = m?.kind === 'perDimension' ? m.dimensions : {}
  for (const name of Object.keys(chosen))
    if (!dn.includes(name))
      throw refuse(
        ctx,
        down,
        up,
        `perDimension names '${name}', which is not a dimension`,
        `name the dimensions ${dn.join(', ')}`,
      )
  const dims: CoreDimension[] = (down as ProductPartitions).dimensions.map((d, k) => {
    const u = (up as ProductPartitions).dimensions[k]!.partitions
    const sub = { ...ctx, downKey: `${ctx.downKey} (dimension ${d.name})`, upKey: `${ctx.upKey} (dimension ${d.name})` }
    return {
      mapping: pair(sub, d.partitions, u, chosen[d.name]),
      downSize: d.partitions.size(ctx.now),
      upSize: u.size(ctx.now),
    }
  })
  return dims.every((d) => d.mapping.kind === 'identity') ? { kind: 'identity' } : { kind: 'product', dims }
}

function explicit(
  ctx: Ctx,
  down: PartitionDefinition,
  up: PartitionDefinition,
  fn: (k: string) => readonly string[],
): CoreMapping {
  const size = down.size(ctx.now)
  const upstream: PartitionSet[] = new Array(size).fill([])
  for (const r of down.validRanges(0, size, ctx.now))
    for (let p = r.start; p < r.end; p++) {
      const key = down.keyAt(p, ctx.now)
      let ranges: PartitionRange[]
      try {
        const keys = fn(key)
        if (!Array.isArray(keys)) throw new Error(`it returned ${typeof keys}, not an array of keys`)
        ranges = merge(
          keys.map((k) => {
            const i = up.indexOf(k, ctx.now)
            return { start: i, end: i + 1 }
          }),
        )
      } catch (e) {
        throw mappingFunctionFailed(ctx.downKey, ctx.upKey, key, e)
      }
      upstream[p] = flatten(ranges)
    }
  return { kind: 'explicit', upstream }
}

/**
 * Resolves a declared mapping (or the default) between a downstream and an upstream definition into
 * a core mapping with both sizes at `now`. Defaults: identity for equal definitions; for time
 * windows of the same period with different starts, a window shifted by the difference; coarsen /
 * refine when a coarser period reads a finer one or the reverse (a fine window belongs to the coarse
 * window it begins in); `all` when the downstream is unpartitioned; `single` when the upstream is;
 * per dimension for products with the same dimensions; by key for static lists that share keys.
 * Throws `RIVERS_INCOMPATIBLE_PARTITIONS` naming both assets for pairs that do not fit (hourly vs
 * static, products with different dimensions, a window over a static list without `overStatic`).
 *
 * @example
 * const r = resolveMapping({ down: daily({ start: '2024-01-01' }), up: daily({ start: '2024-01-01' }), mapping: window({ length: 7 }) })
 * r.mapping // { kind: 'window', from: -6, to: 0 }
 */
export function resolveMapping(input: ResolveMappingInput): ResolvedMapping {
  const { down, up, mapping } = input
  const ctx: Ctx = {
    downKey: input.downKey ?? 'downstream',
    upKey: input.upKey ?? 'upstream',
    now: input.now ?? new Date(),
  }
  const downSize = down === undefined ? 1 : down.size(ctx.now)
  const upSize = up === undefined ? 1 : up.size(ctx.now)
  const done = (m: CoreMapping): ResolvedMapping => ({ mapping: m, downSize, upSize })
  if (down === undefined && up === undefined) {
    if (mapping === undefined || mapping.kind === 'identity' || mapping.kind === 'all')
      return done({ kind: 'identity' })
    throw refuse(
      ctx,
      down,
      up,
      `${mapping.kind} maps partitions, and neither asset is partitioned`,
      'leave the mapping out',
    )
  }
  if (down === undefined) {
    if (mapping === undefined || mapping.kind === 'all') return done({ kind: 'all' })
    throw refuse(
      ctx,
      down,
      up,
      `an unpartitioned asset reads all partitions of its input, not ${mapping.kind}`,
      'leave the mapping out or write mapping.all(), or partition the downstream asset too',
    )
  }
  if (up === undefined) {
    if (mapping === undefined || mapping.kind === 'all') return done({ kind: 'single' })
    throw refuse(
      ctx,
      down,
      up,
      `every partition reads the one unpartitioned input, so ${mapping.kind} does not apply`,
      'leave the mapping out',
    )
  }
  return done(pair(ctx, down, up, mapping))
}
