/**
 * Schedules and sensors in a tick. A schedule fires for the cron ticks that passed since its previous
 * evaluation, by the catch-up policy (`latest`: once; `skip`: only when exactly one tick passed, so
 * ticks missed during downtime are dropped; `{ all: n }`: once per tick, the newest n). Its first
 * evaluation only records the time: a new schedule never fires for the past. A sensor runs when due
 * (`every`), gets its stored cursor, and its new cursor is kept only when it succeeded; an error is
 * reported and stored, the rest of the tick goes on.
 */
import { cronTicksBetween, parseCron, previousCronTick } from '../definitions/cron.js'
import type { RunRequest, ScheduleDef, SensorDef, SensorLog, SensorObservation } from '../definitions/index.js'
import { invalidSensorResult, unreportableSource } from './errors.js'

/**
 * What to do with cron ticks missed while no tick ran.
 *
 * @example
 * const policy: CatchUp = { all: 3 }
 */
export type CatchUp = 'skip' | 'latest' | { all: number }

/** What a schedule keeps between ticks. */
interface ScheduleState {
  evaluatedAt: string
  lastTick?: string
}

/** What a sensor keeps between ticks. */
interface SensorState {
  cursor?: string
  evaluatedAt?: string
  error?: string
}

/**
 * The outcome of one schedule in a tick: the runs to launch (one per cron tick fired) and its new state.
 *
 * @example
 * const { ticks, state } = evaluateSchedule(nightly, stored.get('nightly'), now, 'latest')
 */
export function evaluateSchedule(
  s: ScheduleDef,
  stored: unknown,
  now: Date,
  catchUp: CatchUp,
): { ticks: Date[]; state: ScheduleState } {
  const prev = stored as ScheduleState | undefined
  const state: ScheduleState = { evaluatedAt: now.toISOString() }
  if (prev?.lastTick !== undefined) state.lastTick = prev.lastTick
  if (prev?.evaluatedAt === undefined) return { ticks: [], state }
  const cron = parseCron(s.cron)
  const since = new Date(prev.evaluatedAt)
  let ticks: Date[]
  if (catchUp === 'latest') {
    const t = previousCronTick(cron, s.timezone, now)
    ticks = t !== undefined && t > since ? [t] : []
  } else if (catchUp === 'skip') {
    const passed = cronTicksBetween(cron, s.timezone, since, now, 2)
    ticks = passed.length === 1 ? passed : []
  } else {
    const all = cronTicksBetween(cron, s.timezone, since, now, 100_000)
    ticks = all.slice(-Math.max(1, catchUp.all))
  }
  const last = ticks[ticks.length - 1] ?? previousCronTick(cron, s.timezone, now)
  if (last !== undefined && last > since) state.lastTick = last.toISOString()
  return { ticks, state }
}

/**
 * Whether a sensor is due at `now`.
 *
 * @example
 * if (sensorDue(s, stored.get(s.name), now)) await runSensor(s, stored.get(s.name), now, log, { keys: [], problem: () => 'not reported by it' })
 */
export function sensorDue(s: SensorDef, stored: unknown, now: Date): boolean {
  const at = (stored as SensorState | undefined)?.evaluatedAt
  return s.everyMs === undefined || at === undefined || now.getTime() - Date.parse(at) >= s.everyMs
}

/** What one sensor evaluation gives the tick. */
export interface SensorOutcome {
  runRequests: RunRequest[]
  /** Checked: each key is a source that names this sensor in `reportedBy`. */
  observations: SensorObservation[]
  cursor?: string
  skipped?: string
  error?: string
  state: SensorState
}

/**
 * Runs a sensor: its run requests, observations, cursor, skip reason or error, and the state to
 * store. `reports` is what it may report on: the sources naming it in `reportedBy` (key -> problem
 * for other keys, or undefined when the key is one of them). An invalid result is an error that
 * keeps the previous cursor and gives nothing to record.
 *
 * @example
 * const outcome = await runSensor(s, stored.get(s.name), new Date(), log, { keys: ['raw/events'], problem: (k) => (k === 'raw/events' ? undefined : 'not reported by it') })
 */
export async function runSensor(
  s: SensorDef,
  stored: unknown,
  now: Date,
  log: SensorLog,
  reports: { keys: readonly string[]; problem(key: string): string | undefined },
): Promise<SensorOutcome> {
  const prev = (stored as SensorState | undefined) ?? {}
  const keep: SensorState = { evaluatedAt: now.toISOString() }
  if (prev.cursor !== undefined) keep.cursor = prev.cursor
  try {
    const result = await s.evaluate({ cursor: prev.cursor, now, log })
    const runRequests = checkResult(s.name, result)
    const observations = checkObservations(s.name, (result as { observations?: unknown } | null)?.observations, reports)
    const state: SensorState = { ...keep }
    if (result?.cursor !== undefined) state.cursor = result.cursor
    return {
      runRequests,
      observations,
      ...(state.cursor === undefined ? {} : { cursor: state.cursor }),
      ...(result?.skipReason === undefined ? {} : { skipped: result.skipReason }),
      state,
    }
  } catch (e) {
    const error = e instanceof Error ? e.message : String(e)
    return {
      runRequests: [],
      observations: [],
      ...(keep.cursor === undefined ? {} : { cursor: keep.cursor }),
      error,
      state: { ...keep, error },
    }
  }
}

function checkResult(name: string, result: unknown): RunRequest[] {
  if (result === undefined || result === null) return []
  if (typeof result !== 'object' || Array.isArray(result)) throw invalidSensorResult(name, `got ${typeof result}`)
  const r = result as Record<string, unknown>
  if (r.cursor !== undefined && typeof r.cursor !== 'string')
    throw invalidSensorResult(name, `cursor is ${typeof r.cursor}, not a string`)
  if (r.skipReason !== undefined && typeof r.skipReason !== 'string')
    throw invalidSensorResult(name, 'skipReason is not a string')
  if (r.runRequests === undefined) return []
  if (!Array.isArray(r.runRequests)) throw invalidSensorResult(name, 'runRequests is not an array')
  return r.runRequests.map((q: unknown, i) => {
    const req = q as Partial<RunRequest> | null
    if (
      typeof req !== 'object' ||
      req === null ||
      !Array.isArray(req.select) ||
      req.select.length === 0 ||
      req.select.some((x) => typeof x !== 'string' || x.trim() === '')
    )
      throw invalidSensorResult(name, `runRequests[${i}].select is not a non-empty array of selections`)
    if (req.config !== undefined && (typeof req.config !== 'object' || req.config === null))
      throw invalidSensorResult(name, `runRequests[${i}].config is not an object`)
    return req.config === undefined ? { select: [...req.select] } : { select: [...req.select], config: req.config }
  })
}

function checkObservations(
  name: string,
  given: unknown,
  reports: { keys: readonly string[]; problem(key: string): string | undefined },
): SensorObservation[] {
  if (given === undefined) return []
  if (!Array.isArray(given)) throw invalidSensorResult(name, 'observations is not an array')
  return given.map((o: unknown, i): SensorObservation => {
    const obs = o as Partial<SensorObservation> | null
    if (typeof obs !== 'object' || obs === null || Array.isArray(obs))
      throw invalidSensorResult(name, `observations[${i}] is not an object { key, dataVersion, metadata? }`)
    if (typeof obs.key !== 'string' || obs.key === '')
      throw invalidSensorResult(name, `observations[${i}].key is not a non-empty string`)
    if (typeof obs.dataVersion !== 'string' || obs.dataVersion === '')
      throw invalidSensorResult(name, `observations[${i}].dataVersion is not a non-empty string`)
    if (
      obs.metadata !== undefined &&
      (typeof obs.metadata !== 'object' || obs.metadata === null || Array.isArray(obs.metadata))
    )
      throw invalidSensorResult(name, `observations[${i}].metadata is not an object`)
    const problem = reports.problem(obs.key)
    if (problem !== undefined) throw unreportableSource(name, i, obs.key, problem, reports.keys)
    return obs.metadata === undefined
      ? { key: obs.key, dataVersion: obs.dataVersion }
      : { key: obs.key, dataVersion: obs.dataVersion, metadata: { ...obs.metadata } }
  })
}
