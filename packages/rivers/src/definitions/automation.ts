/**
 * Automation conditions: `when.eager()`, `when.onCron(…)`, `when.drift(…)` and the rest, combined
 * with `.and()`, `.or()`, `.not()`, `.since()`. A `Condition` is an immutable wrapper around a
 * `ConditionNode`, plain JSON-able data that the evaluator (automation/evaluate.ts) reads and the
 * store keeps beside each decision. Builders never throw: `asset()` validates the whole tree
 * (`conditionIssues`) and names the path of each problem, `automation.of[1].threshold`.
 */
import { checkTimeZone, parseCron } from './cron.js'
import { type Duration, parseDuration } from './duration.js'
import type { SpecIssue } from './errors.js'

/**
 * A condition tree as plain data (what `Condition.node` holds and the store keeps).
 *
 * @example
 * const node: ConditionNode = { kind: 'and', of: [{ kind: 'eager' }, { kind: 'rate_limit', ms: 600_000, text: '10m' }] }
 */
export type ConditionNode =
  | { kind: 'missing' | 'eager' | 'code_changed' | 'config_changed' | 'in_progress' }
  | { kind: 'on_cron'; cron: string; timezone: string }
  | { kind: 'time_since' | 'rate_limit'; ms: number; text: string }
  | { kind: 'since'; condition: ConditionNode; reset: ConditionNode }
  | { kind: 'and' | 'or'; of: ConditionNode[] }
  | { kind: 'not'; of: ConditionNode }
  | { kind: 'data_amount'; input: string; atLeast: number; metadataKey: string; mode: 'total' | 'increment' }
  | {
      kind: 'drift'
      input: string
      columns: string[] | null
      test: 'ks' | 'cvm' | 'mmd'
      threshold: number | null
      dynamic: { quantile: number; window: number } | null
      warmup: number
    }
  | {
      kind: 'performance'
      asset: string | null
      metric: string
      below: number | null
      deviation: { sigmas: number; window: number } | null
    }
  | { kind: 'ensemble'; of: ConditionNode[]; atLeast: number | 'majority' }

/**
 * Options of `when.dataAmount`.
 *
 * @example
 * const o: DataAmountOptions = { input: 'raw', atLeast: 1000, metadataKey: 'rows', mode: 'total' }
 */
export interface DataAmountOptions {
  /** An input name of the asset, or the key of one of its deps. */
  input: string
  /** New rows needed (positive). */
  atLeast: number
  /** The metadata field of the input's records that counts rows (default `'rows'`). */
  metadataKey?: string
  /** `total`: the field is a running total; `increment`: each record's field counts its own new rows. */
  mode?: 'total' | 'increment'
}

/**
 * Options of `when.drift`: exactly one of `threshold` and `dynamic`.
 *
 * @example
 * const o: DriftOptions = { input: 'features', columns: ['bill_length_mm'], test: 'ks', threshold: 0.2 }
 */
export interface DriftOptions {
  /** An input name of the asset, or the key of one of its deps. */
  input: string
  /** Numeric columns compared (default: every numeric column). */
  columns?: readonly string[]
  test: 'ks' | 'cvm' | 'mmd'
  /** True when the statistic exceeds this. */
  threshold?: number
  /** True when the statistic exceeds the `quantile` of the last `window` statistics (default 20). */
  dynamic?: { quantile: number; window?: number }
  /** The first `warmup` evaluations only record the statistic (default 0). */
  warmup?: number
}

/**
 * Options of `when.performance`: exactly one of `below` and `deviation`.
 *
 * @example
 * const o: PerformanceOptions = { asset: 'model/eval', metric: 'accuracy', below: 0.9 }
 */
export interface PerformanceOptions {
  /** The asset that records the metric (default: the asset itself). */
  asset?: string
  metric: string
  /** True when the latest value is below this. */
  below?: number
  /** True when the latest value is more than `sigmas` standard deviations from the mean of the previous `window` (default 10). */
  deviation?: { sigmas: number; window?: number }
}

const CONDITION: unique symbol = Symbol.for('rivers.definitions.condition')

/**
 * An automation condition: when the tick engine should request a run of the asset. Immutable.
 *
 * @example
 * const c: Condition = when.eager().and(when.rateLimit('10m'))
 */
export class Condition {
  readonly [CONDITION] = true as const
  /** The tree as plain data. */
  readonly node: ConditionNode

  /** Use the `when` builders. */
  constructor(node: ConditionNode) {
    this.node = deepFreeze(node)
    Object.freeze(this)
  }

  /**
   * True when both are (a chain `a.and(b).and(c)` is one `and` of three).
   *
   * @example
   * when.eager().and(when.rateLimit('10m'))
   */
  and(other: Condition): Condition {
    const of = this.node.kind === 'and' ? this.node.of : [this.node]
    return new Condition({ kind: 'and', of: [...of, nodeOf(other)] })
  }

  /**
   * True when either is.
   *
   * @example
   * when.eager().or(when.onCron('0 3 * * *'))
   */
  or(other: Condition): Condition {
    const of = this.node.kind === 'or' ? this.node.of : [this.node]
    return new Condition({ kind: 'or', of: [...of, nodeOf(other)] })
  }

  /**
   * True when this is false.
   *
   * @example
   * when.eager().and(when.inProgress().not())
   */
  not(): Condition {
    return new Condition({ kind: 'not', of: this.node })
  }

  /**
   * True when this was true on some evaluation since `reset` was last true and since the asset's
   * last materialization (remembered between ticks).
   *
   * @example
   * when.codeChanged().since(when.onCron('0 0 * * *'))
   */
  since(reset: Condition): Condition {
    return new Condition({ kind: 'since', condition: this.node, reset: nodeOf(reset) })
  }
}

/**
 * Whether `x` is a Condition (also from another copy of this module).
 *
 * @example
 * isCondition(when.eager()) // true
 */
export function isCondition(x: unknown): x is Condition {
  return typeof x === 'object' && x !== null && (x as Record<symbol, unknown>)[CONDITION] === true
}

function nodeOf(c: unknown): ConditionNode {
  // A non-condition becomes a node validation reports (kind 'invalid' is no kind), never a crash here.
  return isCondition(c) ? c.node : ({ kind: `invalid: ${describe(c)}` } as unknown as ConditionNode)
}

function describe(v: unknown): string {
  if (v === undefined || v === null) return String(v)
  if (typeof v === 'function') return 'a function'
  if (Array.isArray(v)) return 'an array'
  return typeof v === 'object' ? 'an object' : `${typeof v} ${JSON.stringify(v)}`
}

function duration(d: Duration): { ms: number; text: string } {
  const ms = parseDuration(d)
  return { ms: ms ?? Number.NaN, text: typeof d === 'number' ? `${d}ms` : String(d) }
}

const opts = <T>(o: T | undefined): Partial<T> => (typeof o === 'object' && o !== null ? o : {})

/**
 * The condition builders.
 *
 * @example
 * asset({ key: 'model', deps: { features }, automation: when.eager().or(when.onCron('0 3 * * *', 'Europe/Zurich')) }, fn)
 */
export const when = Object.freeze({
  /** True when the asset has no materialization. */
  missing: (): Condition => new Condition({ kind: 'missing' }),
  /** True when it is missing or an input has a new data version since it last ran, and no input is missing. */
  eager: (): Condition => new Condition({ kind: 'eager' }),
  /** True when its code version differs from its last materialization's. */
  codeChanged: (): Condition => new Condition({ kind: 'code_changed' }),
  /** True when its config hash differs from its last materialization's. */
  configChanged: (): Condition => new Condition({ kind: 'config_changed' }),
  /** True when a run holds its lease now. */
  inProgress: (): Condition => new Condition({ kind: 'in_progress' }),
  /** True when a tick of the cron expression passed since the previous evaluation. */
  onCron: (cron: string, timezone = 'UTC'): Condition => new Condition({ kind: 'on_cron', cron, timezone }),
  /** True when its last materialization is older than `d` (or it has none). */
  timeSince: (d: Duration): Condition => new Condition({ kind: 'time_since', ...duration(d) }),
  /** True when no run requested by automation for it started within `d` (a guard: `x.and(when.rateLimit('10m'))`). */
  rateLimit: (d: Duration): Condition => new Condition({ kind: 'rate_limit', ...duration(d) }),
  /** True when that many new rows of an input arrived since the asset last consumed it. */
  dataAmount: (o: DataAmountOptions): Condition => {
    const g = opts(o)
    return new Condition({
      kind: 'data_amount',
      input: g.input as string,
      atLeast: g.atLeast as number,
      metadataKey: g.metadataKey ?? 'rows',
      mode: g.mode ?? 'total',
    })
  },
  /** True when the input's distribution moved away from the value the asset last consumed. */
  drift: (o: DriftOptions): Condition => {
    const g = opts(o)
    return new Condition({
      kind: 'drift',
      input: g.input as string,
      columns: g.columns === undefined ? null : [...g.columns],
      test: g.test as 'ks',
      threshold: g.threshold ?? null,
      dynamic: g.dynamic === undefined ? null : { quantile: g.dynamic.quantile, window: g.dynamic.window ?? 20 },
      warmup: g.warmup ?? 0,
    })
  },
  /** True when a recorded metric falls below a bound or deviates from its history. */
  performance: (o: PerformanceOptions): Condition => {
    const g = opts(o)
    return new Condition({
      kind: 'performance',
      asset: g.asset ?? null,
      metric: g.metric as string,
      below: g.below ?? null,
      deviation: g.deviation === undefined ? null : { sigmas: g.deviation.sigmas, window: g.deviation.window ?? 10 },
    })
  },
  /** True when a majority, or at least `n`, of the conditions are. */
  ensemble: (cs: readonly Condition[], rule: 'majority' | { atLeast: number } = 'majority'): Condition =>
    new Condition({
      kind: 'ensemble',
      of: (Array.isArray(cs) ? cs : []).map(nodeOf),
      atLeast: rule === 'majority' ? 'majority' : (opts(rule).atLeast as number),
    }),
  /** True when every condition is. */
  all: (...cs: Condition[]): Condition => new Condition({ kind: 'and', of: cs.map(nodeOf) }),
  /** True when any condition is. */
  any: (...cs: Condition[]): Condition => new Condition({ kind: 'or', of: cs.map(nodeOf) }),
  /** True when `c` is false. */
  not: (c: Condition): Condition => new Condition({ kind: 'not', of: nodeOf(c) }),
})

const TESTS = ['ks', 'cvm', 'mmd']

/**
 * Problems of a condition tree (empty when valid), each with its path under `path` and a fix.
 *
 * @example
 * conditionIssues(when.timeSince('soon' as never).node, 'automation') // [{ path: 'automation', problem: "'soon' is not a positive duration", … }]
 */
export function conditionIssues(node: ConditionNode, path = 'automation'): SpecIssue[] {
  const out: SpecIssue[] = []
  walk(node, path, out)
  return out
}

function walk(node: ConditionNode, path: string, out: SpecIssue[]): void {
  const add = (field: string, problem: string, hint: string): void => {
    out.push({ path: field === '' ? path : `${path}.${field}`, problem, hint })
  }
  switch (node.kind) {
    case 'missing':
    case 'eager':
    case 'code_changed':
    case 'config_changed':
    case 'in_progress':
      return
    case 'on_cron':
      try {
        parseCron(node.cron)
      } catch (e) {
        add('cron', (e as Error).message.split('\n')[0] ?? 'invalid cron expression', "e.g. when.onCron('0 3 * * *').")
      }
      try {
        checkTimeZone(node.timezone)
      } catch {
        add('timezone', `unknown time zone '${node.timezone}'`, "an IANA name such as 'UTC' or 'Europe/Zurich'.")
      }
      return
    case 'time_since':
    case 'rate_limit':
      if (!(node.ms > 0))
        add(
          '',
          `'${node.text}' is not a positive duration`,
          "a positive number of milliseconds or e.g. '30s', '10m', '2h', '1d'.",
        )
      return
    case 'since':
      walk(node.condition, `${path}.condition`, out)
      walk(node.reset, `${path}.reset`, out)
      return
    case 'and':
    case 'or':
    case 'ensemble':
      node.of.forEach((c, i) => walk(c, `${path}.of[${i}]`, out))
      if (node.kind === 'ensemble') {
        if (node.of.length === 0) add('of', 'an ensemble needs conditions', 'when.ensemble([a, b, c], "majority").')
        if (node.atLeast !== 'majority' && !(Number.isInteger(node.atLeast) && node.atLeast >= 1))
          add('atLeast', `expected a positive integer, got ${String(node.atLeast)}`, "{ atLeast: 2 } or 'majority'.")
        else if (node.atLeast !== 'majority' && node.atLeast > node.of.length)
          add(
            'atLeast',
            `${node.atLeast} of ${node.of.length} conditions can never hold`,
            `at most { atLeast: ${node.of.length} }.`,
          )
      }
      return
    case 'not':
      walk(node.of, `${path}.of`, out)
      return
    case 'data_amount':
      inputIssue(node.input, add)
      if (!(typeof node.atLeast === 'number' && node.atLeast > 0 && Number.isFinite(node.atLeast)))
        add('atLeast', `expected a positive number of rows, got ${String(node.atLeast)}`, 'e.g. atLeast: 1000.')
      if (typeof node.metadataKey !== 'string' || node.metadataKey === '')
        add('metadataKey', 'expected a non-empty metadata field name', "e.g. metadataKey: 'rows'.")
      if (node.mode !== 'total' && node.mode !== 'increment')
        add(
          'mode',
          `expected 'total' or 'increment', got ${String(node.mode)}`,
          "mode: 'total' (a running count) or 'increment'.",
        )
      return
    case 'drift':
      driftIssues(node, add)
      return
    case 'performance':
      if (typeof node.metric !== 'string' || node.metric === '')
        add('metric', 'expected a metric name', "e.g. metric: 'accuracy'.")
      if (node.asset !== null && (typeof node.asset !== 'string' || node.asset === ''))
        add('asset', 'expected an asset key', "e.g. asset: 'model/eval'.")
      if ((node.below === null) === (node.deviation === null))
        add(
          '',
          'give exactly one of below and deviation',
          '{ metric, below: 0.9 } or { metric, deviation: { sigmas: 3 } }.',
        )
      if (node.below !== null && !Number.isFinite(node.below)) add('below', 'expected a number', 'e.g. below: 0.9.')
      if (node.deviation !== null) {
        if (!(node.deviation.sigmas > 0)) add('deviation.sigmas', 'expected a positive number', 'e.g. sigmas: 3.')
        if (!(Number.isInteger(node.deviation.window) && node.deviation.window >= 2))
          add('deviation.window', 'expected an integer >= 2', 'e.g. window: 10.')
      }
      return
    default:
      add(
        '',
        `not a condition (${(node as { kind: string }).kind})`,
        'build conditions with when.*(), e.g. when.eager().',
      )
  }
}

type Add = (field: string, problem: string, hint: string) => void

function inputIssue(input: unknown, add: Add): void {
  if (typeof input !== 'string' || input === '')
    add('input', 'expected an input name or dep key', "the name of one of the asset's deps, e.g. input: 'features'.")
}

function driftIssues(node: Extract<ConditionNode, { kind: 'drift' }>, add: Add): void {
  inputIssue(node.input, add)
  if (!TESTS.includes(node.test))
    add(
      'test',
      `unknown test ${JSON.stringify(node.test)}`,
      "test: 'ks' (Kolmogorov–Smirnov), 'cvm' (Cramér–von Mises) or 'mmd'.",
    )
  if (
    node.columns !== null &&
    (node.columns.length === 0 || node.columns.some((c) => typeof c !== 'string' || c === ''))
  )
    add(
      'columns',
      'expected a non-empty list of column names',
      "e.g. columns: ['bill_length_mm'], or leave it out for every numeric column.",
    )
  if ((node.threshold === null) === (node.dynamic === null))
    add('', 'give exactly one of threshold and dynamic', '{ threshold: 0.2 } or { dynamic: { quantile: 0.95 } }.')
  if (node.threshold !== null && !(Number.isFinite(node.threshold) && node.threshold >= 0))
    add('threshold', `expected a number >= 0, got ${String(node.threshold)}`, 'e.g. threshold: 0.2.')
  if (node.dynamic !== null) {
    const q = node.dynamic.quantile
    if (!(q > 0 && q < 1))
      add('dynamic.quantile', `expected a number in (0, 1), got ${String(q)}`, 'e.g. quantile: 0.95.')
    if (!(Number.isInteger(node.dynamic.window) && node.dynamic.window >= 1))
      add('dynamic.window', 'expected a positive integer', 'e.g. window: 20.')
  }
  if (!(Number.isInteger(node.warmup) && node.warmup >= 0))
    add('warmup', `expected an integer >= 0, got ${String(node.warmup)}`, 'e.g. warmup: 3.')
}

/**
 * The inputs a condition tree names (`data_amount`, `drift`) and the assets it reads metrics of
 * (`performance`), with their paths: what `defineProject` checks against the project.
 *
 * @example
 * conditionReferences(when.drift({ input: 'features', test: 'ks', threshold: 0.2 }).node) // { inputs: [['automation', 'features']], assets: [] }
 */
export function conditionReferences(
  node: ConditionNode,
  path = 'automation',
): { inputs: [path: string, input: string][]; assets: [path: string, key: string][] } {
  const refs = { inputs: [] as [string, string][], assets: [] as [string, string][] }
  const visit = (n: ConditionNode, p: string): void => {
    if (n.kind === 'data_amount' || n.kind === 'drift') refs.inputs.push([`${p}.input`, n.input])
    else if (n.kind === 'performance' && n.asset !== null) refs.assets.push([`${p}.asset`, n.asset])
    else if (n.kind === 'since') {
      visit(n.condition, `${p}.condition`)
      visit(n.reset, `${p}.reset`)
    } else if (n.kind === 'and' || n.kind === 'or' || n.kind === 'ensemble')
      n.of.forEach((c, i) => visit(c, `${p}.of[${i}]`))
    else if (n.kind === 'not') visit(n.of, `${p}.of`)
  }
  visit(node, path)
  return refs
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    for (const v of Object.values(value)) deepFreeze(v)
    Object.freeze(value)
  }
  return value
}
