/**
 * The data-centric conditions (Modyn's retraining triggers): `data_amount` (rows that arrived since
 * the asset last consumed its input), `drift` (a two-sample test between the input value the asset
 * last consumed and the current one, against a static or a dynamic threshold) and `performance` (a
 * recorded metric below a bound or off its history). Each reads only what it needs, lazily.
 */
import type { ConditionNode } from '../definitions/automation.js'
import { driftColumnsMissing, driftValueShape } from '../definitions/errors.js'
import { cvmTest, ksTest, mmdTest } from './stats.js'
import { type EvaluatedNode, type InputFacts, type NodeScope, recall, remember } from './scope.js'

type Node<K extends ConditionNode['kind']> = Extract<ConditionNode, { kind: K }>

/** How far back `data_amount` looks for the record the asset consumed. */
const RECORDS_LIMIT = 10_000

function leafOf(kind: ConditionNode['kind'], path: string) {
  return (value: boolean, label: string, details?: Record<string, unknown>): EvaluatedNode => ({
    kind,
    path,
    value,
    label,
    ...(details === undefined ? {} : { details }),
  })
}

function inputOf(scope: NodeScope, input: string): InputFacts | undefined {
  return scope.facts.inputs.find((i) => i.name === input) ?? scope.facts.inputs.find((i) => i.key === input)
}

function errorText(e: unknown): string {
  return (e instanceof Error ? e.message : String(e)).split('\n')[0] ?? 'error'
}

/**
 * `data_amount`: new rows of an input since the asset last consumed it, from the input's records'
 * metadata (`total`: difference of running totals; `increment`: sum over the newer records).
 *
 * @example
 * const node = await evaluateDataAmount({ kind: 'data_amount', input: 'raw', atLeast: 100, metadataKey: 'rows', mode: 'total' }, '', scope)
 */
export async function evaluateDataAmount(
  node: Node<'data_amount'>,
  path: string,
  scope: NodeScope,
): Promise<EvaluatedNode> {
  const leaf = leafOf('data_amount', path)
  const where = `data_amount ${node.input} >= ${node.atLeast} ${node.metadataKey}`
  const input = inputOf(scope, node.input)
  if (input?.current === undefined) return leaf(false, `${where}: input has no data yet`)
  if (input.current === input.consumed) return leaf(false, `${where}: 0 new (no new data version)`, { rows: 0 })
  try {
    const records = await scope.reads.records(input.key, input.consumed, RECORDS_LIMIT)
    const numberOf = (r: (typeof records)[number] | undefined): number | undefined => {
      const v = r?.metadata?.[node.metadataKey]
      return typeof v === 'number' && Number.isFinite(v) ? v : undefined
    }
    const consumedAt = input.consumed === undefined ? -1 : records.findIndex((r) => r.dataVersion === input.consumed)
    const newer = consumedAt < 0 ? records : records.slice(0, consumedAt)
    let rows: number
    if (node.mode === 'total') {
      const current = numberOf(records[0])
      if (current === undefined)
        return leaf(false, `${where}: the input's latest record has no numeric metadata '${node.metadataKey}'`)
      rows = current - (consumedAt < 0 ? 0 : (numberOf(records[consumedAt]) ?? 0))
    } else {
      rows = 0
      for (const r of newer) rows += numberOf(r) ?? 0
    }
    return leaf(rows >= node.atLeast, `${where}: ${rows} new`, {
      rows,
      atLeast: node.atLeast,
      mode: node.mode,
      records: newer.length,
    })
  } catch (e) {
    return leaf(false, `${where}: ${errorText(e)}`, { error: errorText(e) })
  }
}

interface DriftMemory {
  /** Statistics of past comparisons, oldest first (at most the dynamic window). */
  stats: number[]
  /** Distinct comparisons seen (for warm-up). */
  seen: number
  /** The last comparison: reference and current data versions and its statistic. */
  last?: { reference: string; current: string; statistic: number; columns: string[] }
}

/**
 * `drift`: a two-sample test (KS, CvM: the maximum over columns; MMD: over the row vectors) between
 * the input value the asset last consumed and the current one. A comparison is computed once per
 * pair of data versions and remembered; warm-up and the dynamic window count distinct comparisons.
 *
 * @example
 * const node = await evaluateDrift({ kind: 'drift', input: 'features', columns: null, test: 'ks', threshold: 0.2, dynamic: null, warmup: 0 }, '', scope)
 */
export async function evaluateDrift(node: Node<'drift'>, path: string, scope: NodeScope): Promise<EvaluatedNode> {
  const leaf = leafOf('drift', path)
  const where = `drift ${node.test}(${node.input})`
  const kept = recall<DriftMemory>(scope, path, 'drift') ?? { stats: [], seen: 0 }
  const keep = (m: DriftMemory) => remember(scope, path, 'drift', m)
  keep(kept)
  const input = inputOf(scope, node.input)
  if (input?.current === undefined) return leaf(false, `${where}: input has no data yet`)
  if (input.consumed === undefined)
    return leaf(false, `${where}: no reference (the asset never consumed ${node.input})`)
  if (input.consumed === input.current) return leaf(false, `${where}: no new data since the reference`)
  let statistic: number
  let columns: string[]
  let fresh = false
  if (kept.last?.reference === input.consumed && kept.last.current === input.current) {
    ;({ statistic, columns } = kept.last)
  } else {
    try {
      const [ref, cur] = await Promise.all([
        scope.reads.value(input.key, input.consumed),
        scope.reads.value(input.key, input.current),
      ])
      ;({ statistic, columns } = driftStatistic(node, scope.facts.key, input.key, ref, cur))
      fresh = true
    } catch (e) {
      return leaf(false, `${where}: ${errorText(e)}`, { error: errorText(e) })
    }
  }
  const history = fresh ? kept.stats : kept.stats.slice(0, -1)
  const seen = fresh ? kept.seen + 1 : kept.seen
  const window = node.dynamic?.window ?? 1
  if (fresh)
    keep({
      stats: [...kept.stats, statistic].slice(-window),
      seen,
      last: { reference: input.consumed, current: input.current, statistic, columns },
    })
  const name = `${node.test}(${columns.join(',')})=${round(statistic)}`
  const details: Record<string, unknown> = { statistic, columns, test: node.test, evaluations: seen }
  if (seen <= node.warmup)
    return leaf(false, `drift ${name}: warm-up ${seen} of ${node.warmup}`, { ...details, warmup: node.warmup })
  let threshold: number
  if (node.threshold !== null) threshold = node.threshold
  else {
    const past = history.slice(-window)
    if (past.length === 0) return leaf(false, `drift ${name}: no past statistics for a dynamic threshold yet`, details)
    threshold = quantile(past, node.dynamic!.quantile)
    details.dynamic = { quantile: node.dynamic!.quantile, window: past.length }
  }
  const value = statistic > threshold
  return leaf(value, `drift ${name} ${value ? '>' : '<='} ${round(threshold)}`, { ...details, threshold })
}

/**
 * The statistic of a drift node between two values, and the columns it compared.
 *
 * @example
 * driftStatistic(node, 'model', 'features', [{ x: 1 }, { x: 2 }], [{ x: 5 }, { x: 6 }]) // { statistic: 1, columns: ['x'] }
 */
export function driftStatistic(
  node: Node<'drift'>,
  assetKey: string,
  inputKey: string,
  reference: unknown,
  current: unknown,
): { statistic: number; columns: string[] } {
  const ref = columnsOf(reference, assetKey, inputKey)
  const cur = columnsOf(current, assetKey, inputKey)
  const numeric = [...ref.keys()].filter((c) => cur.has(c))
  const columns = node.columns ?? numeric
  const absent = columns.filter((c) => !ref.has(c) || !cur.has(c))
  if (columns.length === 0 || absent.length > 0) throw driftColumnsMissing(assetKey, inputKey, absent, numeric)
  if (node.test === 'mmd') {
    const rows = (m: Map<string, number[]>): number[][] => {
      const n = Math.min(...columns.map((c) => m.get(c)!.length))
      return Array.from({ length: n }, (_, i) => columns.map((c) => m.get(c)![i]!))
    }
    // The condition compares the statistic with a threshold: no permutation p-value needed.
    return { statistic: mmdTest(rows(ref), rows(cur), { permutations: 0 }).statistic, columns }
  }
  const test = node.test === 'ks' ? ksTest : cvmTest
  let statistic = 0
  for (const c of columns) statistic = Math.max(statistic, test(ref.get(c)!, cur.get(c)!).statistic)
  return { statistic, columns }
}

/** Numeric columns of a value: an array of row objects, or an object of column arrays. */
function columnsOf(value: unknown, assetKey: string, inputKey: string): Map<string, number[]> {
  const out = new Map<string, number[]>()
  if (Array.isArray(value)) {
    const first = value.find((r) => typeof r === 'object' && r !== null)
    if (first === undefined)
      throw driftValueShape(assetKey, inputKey, value.length === 0 ? 'an empty array' : 'an array of non-objects')
    for (const name of Object.keys(first)) {
      const col: number[] = []
      for (const r of value) {
        const v = (r as Record<string, unknown> | null)?.[name]
        if (typeof v === 'number' && Number.isFinite(v)) col.push(v)
      }
      if (col.length > 0) out.set(name, col)
    }
    return out
  }
  if (typeof value === 'object' && value !== null) {
    for (const [name, col] of Object.entries(value)) {
      if (Array.isArray(col) || ArrayBuffer.isView(col)) {
        const nums = Array.from(col as ArrayLike<unknown>).filter(
          (v): v is number => typeof v === 'number' && Number.isFinite(v),
        )
        if (nums.length > 0) out.set(name, nums)
      }
    }
    if (out.size > 0) return out
  }
  throw driftValueShape(assetKey, inputKey, typeof value)
}

/**
 * The q-quantile of `xs` with linear interpolation between order statistics (numpy's default).
 *
 * @example
 * quantile([1, 2, 3, 4], 0.5) // 2.5
 */
export function quantile(xs: readonly number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b)
  const pos = (s.length - 1) * q
  const lo = Math.floor(pos)
  const hi = Math.ceil(pos)
  return s[lo]! + (s[hi]! - s[lo]!) * (pos - lo)
}

/**
 * `performance`: the latest value of a metric below `below`, or more than `sigmas` sample standard
 * deviations from the mean of the `window` values before it.
 *
 * @example
 * const node = await evaluatePerformance({ kind: 'performance', asset: 'eval', metric: 'accuracy', below: 0.9, deviation: null }, '', scope)
 */
export async function evaluatePerformance(
  node: Node<'performance'>,
  path: string,
  scope: NodeScope,
): Promise<EvaluatedNode> {
  const leaf = leafOf('performance', path)
  const key = node.asset ?? scope.facts.key
  const where = `performance ${key}:${node.metric}`
  let values: number[]
  try {
    values = await scope.reads.metric(key, node.metric, node.below !== null ? 1 : node.deviation!.window + 1)
  } catch (e) {
    return leaf(false, `${where}: ${errorText(e)}`, { error: errorText(e) })
  }
  const latest = values[values.length - 1]
  if (latest === undefined) return leaf(false, `${where}: no value recorded yet`)
  if (node.below !== null)
    return leaf(latest < node.below, `${where}=${round(latest)} ${latest < node.below ? '<' : '>='} ${node.below}`, {
      latest,
      below: node.below,
    })
  const past = values.slice(0, -1)
  if (past.length < 2) return leaf(false, `${where}=${round(latest)}: ${past.length} past values, 2 needed`, { latest })
  const mean = past.reduce((a, b) => a + b, 0) / past.length
  const sd = Math.sqrt(past.reduce((a, b) => a + (b - mean) ** 2, 0) / (past.length - 1))
  const sigmas = node.deviation!.sigmas
  const off = Math.abs(latest - mean)
  const value = off > sigmas * sd
  const dev = sd === 0 ? (off === 0 ? 0 : Number.POSITIVE_INFINITY) : off / sd
  return leaf(
    value,
    `${where}=${round(latest)}: ${sd === 0 && off > 0 ? 'off a constant history' : `${round(dev)}σ`} from mean ${round(mean)} ${value ? '>' : '<='} ${sigmas}σ`,
    { latest, mean, sd, sigmas, window: past.length },
  )
}

function round(x: number): string {
  return Number.isFinite(x) ? String(Number(x.toPrecision(4))) : String(x)
}
