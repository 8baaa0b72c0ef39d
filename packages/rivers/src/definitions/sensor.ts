/**
 * Triggers that are not conditions on one asset: `schedule()` (a cron expression over a selection)
 * and `sensor()` (a user function that looks at the world and asks for runs, with a durable cursor).
 * Both are listed in `defineProject({ schedules, sensors })` and run by `assets tick` / `assets daemon`.
 */
import { checkTimeZone, parseCron } from './cron.js'
import { type Duration, parseDuration } from './duration.js'
import { invalidSpec, type SpecIssue } from './errors.js'
import { describeValue } from './key.js'
import { LABEL } from './spec-schema.js'

const TRIGGER: unique symbol = Symbol.for('rivers.definitions.trigger')

/**
 * A run a sensor asks for: a selection (the syntax of `assets materialize`) and optional run config.
 *
 * @example
 * const r: RunRequest = { select: ['+model/logreg'], config: { 'model/logreg': { epochs: 3 } } }
 */
export interface RunRequest {
  select: string[]
  config?: Record<string, unknown>
}

/**
 * A new data version of a source that names the sensor in `reportedBy`, as the sensor saw it (a
 * table's last-modified stamp, an object's ETag, a batch number). A version equal to the source's
 * current one changes nothing; a new one is recorded and its consumers read stale.
 *
 * @example
 * const o: SensorObservation = { key: 'raw/events', dataVersion: 'batch-0042', metadata: { rows: 1200 } }
 */
export interface SensorObservation {
  key: string
  dataVersion: string
  metadata?: Record<string, unknown>
}

/**
 * Where a sensor logs (lines land in the daemon's log with the sensor's name).
 *
 * @example
 * const log: SensorLog = { info: console.log, warn: console.warn, error: console.error }
 */
export interface SensorLog {
  info(msg: string): void
  warn(msg: string): void
  error(msg: string): void
}

/**
 * What a sensor's `evaluate` is given.
 *
 * @example
 * const ctx: SensorContext = { cursor: 'batch-0041', now: new Date(), log: console }
 */
export interface SensorContext {
  /** The cursor its previous successful evaluation returned (undefined the first time). */
  cursor: string | undefined
  now: Date
  log: SensorLog
}

/**
 * What a sensor's `evaluate` returns: runs to request, new data versions of the sources it reports,
 * the new cursor, or why it skipped. The observations are recorded before the tick evaluates
 * conditions, so an `eager` consumer runs in the same tick.
 *
 * @example
 * const r: SensorResult = { observations: [{ key: 'raw/batches', dataVersion: 'batch-0042' }], cursor: 'batch-0042' }
 */
export interface SensorResult {
  runRequests?: RunRequest[]
  /** New data versions of sources whose `reportedBy` is this sensor. */
  observations?: SensorObservation[]
  /** Stored once the evaluation succeeded; the next evaluation gets it as `ctx.cursor`. */
  cursor?: string
  skipReason?: string
}

/**
 * The spec of a sensor.
 *
 * @example
 * const spec: SensorSpec = { name: 'new_batches', every: '30s', evaluate: async (ctx) => ({ skipReason: 'nothing new' }) }
 */
export interface SensorSpec {
  name: string
  /** How often it is evaluated (default: every tick). */
  every?: Duration
  evaluate: (ctx: SensorContext) => SensorResult | Promise<SensorResult>
  description?: string
}

/**
 * A validated sensor.
 *
 * @example
 * const s: SensorDef = sensor({ name: 'new_batches', evaluate: () => ({}) })
 */
export interface SensorDef {
  readonly [TRIGGER]: 'sensor'
  readonly kind: 'sensor'
  readonly name: string
  /** Milliseconds between evaluations; undefined: every tick. */
  readonly everyMs: number | undefined
  readonly evaluate: (ctx: SensorContext) => SensorResult | Promise<SensorResult>
  readonly description: string | undefined
}

/**
 * The spec of a schedule.
 *
 * @example
 * const spec: ScheduleSpec = { name: 'nightly', cron: '0 2 * * *', timezone: 'Europe/Zurich', select: ['+model/logreg'] }
 */
export interface ScheduleSpec {
  name: string
  /** Five-field cron expression or `@daily`-style shorthand. */
  cron: string
  /** IANA time zone of the expression (default `'UTC'`). */
  timezone?: string
  /** What each tick runs (the syntax of `assets materialize`; stale or not, the selection runs). */
  select: string[]
  /** Run config of those runs. */
  config?: Record<string, unknown>
  description?: string
}

/**
 * A validated schedule.
 *
 * @example
 * const s: ScheduleDef = schedule({ name: 'nightly', cron: '0 2 * * *', select: ['*'] })
 */
export interface ScheduleDef {
  readonly [TRIGGER]: 'schedule'
  readonly kind: 'schedule'
  readonly name: string
  readonly cron: string
  readonly timezone: string
  readonly select: readonly string[]
  readonly config: Readonly<Record<string, unknown>> | undefined
  readonly description: string | undefined
}

/**
 * Define a schedule: at each tick of `cron` (in `timezone`), run `select`.
 *
 * @example
 * const nightly = schedule({ name: 'nightly', cron: '0 2 * * *', timezone: 'UTC', select: ['+model/logreg'] })
 */
export function schedule(spec: ScheduleSpec): ScheduleDef {
  const s = record(spec, 'schedule', "schedule({ name: 'nightly', cron: '0 2 * * *', select: ['*'] })")
  const name = nameOf(s)
  const issues: SpecIssue[] = [...nameIssues(s.name)]
  try {
    parseCron(s.cron as string)
  } catch (e) {
    issues.push({ path: 'cron', problem: firstLine(e), hint: "e.g. cron: '0 2 * * *' (02:00 every day) or '@hourly'." })
  }
  const timezone = s.timezone ?? 'UTC'
  try {
    checkTimeZone(timezone as string)
  } catch {
    issues.push({
      path: 'timezone',
      problem: `unknown time zone ${JSON.stringify(timezone)}`,
      hint: "an IANA name such as 'UTC' or 'Europe/Zurich'.",
    })
  }
  if (
    !Array.isArray(s.select) ||
    s.select.length === 0 ||
    s.select.some((x) => typeof x !== 'string' || x.trim() === '')
  )
    issues.push({
      path: 'select',
      problem: 'expected a non-empty array of selections',
      hint: "e.g. select: ['+model/logreg'] (the syntax of assets materialize).",
    })
  if (s.config !== undefined && (typeof s.config !== 'object' || s.config === null || Array.isArray(s.config)))
    issues.push({
      path: 'config',
      problem: 'expected an object',
      hint: "run config by asset key, e.g. { 'model/logreg': { epochs: 3 } }.",
    })
  issues.push(...unknownFields(s, ['name', 'cron', 'timezone', 'select', 'config', 'description']))
  if (issues.length > 0) throw invalidSpec('schedule', name, issues, undefined)
  return Object.freeze({
    [TRIGGER]: 'schedule' as const,
    kind: 'schedule',
    name,
    cron: s.cron as string,
    timezone: timezone as string,
    select: Object.freeze([...(s.select as string[])]),
    config: s.config === undefined ? undefined : Object.freeze(structuredClone(s.config as Record<string, unknown>)),
    description: s.description as string | undefined,
  })
}

/**
 * Define a sensor: `evaluate` runs every `every` (default: every tick), returns run requests and a
 * cursor; the cursor is stored only when it succeeds, and a sensor that throws is reported, not fatal.
 *
 * @example
 * const batches = sensor({
 *   name: 'new_batches',
 *   every: '30s',
 *   evaluate: async (ctx) => ({ runRequests: [{ select: ['penguins/raw'] }], cursor: 'batch-0042' }),
 * })
 */
export function sensor(spec: SensorSpec): SensorDef {
  const s = record(spec, 'sensor', "sensor({ name: 'new_batches', evaluate: async (ctx) => ({ runRequests: [] }) })")
  const name = nameOf(s)
  const issues: SpecIssue[] = [...nameIssues(s.name)]
  const everyMs = s.every === undefined ? undefined : parseDuration(s.every)
  if (s.every !== undefined && !(everyMs !== undefined && everyMs > 0))
    issues.push({
      path: 'every',
      problem: `expected a positive duration, got ${describeValue(s.every)}`,
      hint: "e.g. every: '30s'.",
    })
  if (typeof s.evaluate !== 'function')
    issues.push({
      path: 'evaluate',
      problem: 'expected a function',
      hint: 'evaluate: async (ctx) => ({ runRequests: [{ select: [...] }], cursor })',
    })
  issues.push(...unknownFields(s, ['name', 'every', 'evaluate', 'description']))
  if (issues.length > 0) throw invalidSpec('sensor', name, issues, undefined)
  return Object.freeze({
    [TRIGGER]: 'sensor' as const,
    kind: 'sensor',
    name,
    everyMs,
    evaluate: s.evaluate as SensorDef['evaluate'],
    description: s.description as string | undefined,
  })
}

/**
 * Whether `x` is a schedule (also from another copy of this module).
 *
 * @example
 * isScheduleDef(schedule({ name: 'n', cron: '@daily', select: ['*'] })) // true
 */
export function isScheduleDef(x: unknown): x is ScheduleDef {
  return typeof x === 'object' && x !== null && (x as Record<symbol, unknown>)[TRIGGER] === 'schedule'
}

/**
 * Whether `x` is a sensor (also from another copy of this module).
 *
 * @example
 * isSensorDef(sensor({ name: 's', evaluate: () => ({}) })) // true
 */
export function isSensorDef(x: unknown): x is SensorDef {
  return typeof x === 'object' && x !== null && (x as Record<symbol, unknown>)[TRIGGER] === 'sensor'
}

function record(spec: unknown, kind: string, example: string): Record<string, unknown> {
  if (typeof spec === 'object' && spec !== null && !Array.isArray(spec)) return spec as Record<string, unknown>
  throw invalidSpec(
    kind,
    '(no name)',
    [{ path: '', problem: `expected a spec object, got ${describeValue(spec)}`, hint: `write ${example}.` }],
    undefined,
  )
}

function nameOf(s: Record<string, unknown>): string {
  return typeof s.name === 'string' && s.name !== '' ? s.name : '(no name)'
}

function nameIssues(name: unknown): SpecIssue[] {
  if (typeof name === 'string' && LABEL.test(name)) return []
  return [
    {
      path: 'name',
      problem: `expected a name of A-Z a-z 0-9 _ . - / : @ +, got ${describeValue(name)}`,
      hint: "e.g. name: 'nightly'.",
    },
  ]
}

function unknownFields(s: Record<string, unknown>, known: readonly string[]): SpecIssue[] {
  return Object.keys(s)
    .filter((k) => !known.includes(k))
    .map((k) => ({ path: k, problem: 'unknown field', hint: `known fields: ${known.join(', ')}.` }))
}

function firstLine(e: unknown): string {
  return (e instanceof Error ? e.message : String(e)).split('\n')[0] ?? 'invalid'
}
