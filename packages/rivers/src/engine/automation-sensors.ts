/**
 * The sensors of a tick: each due sensor is evaluated once; the data versions it reports for the
 * sources that name it in `reportedBy` are recorded (in one small run per sensor, kind
 * `observation`) before the tick evaluates conditions, so eager consumers run in the same tick; its
 * run requests become runs of the tick. A report equal to the source's current version records
 * nothing. If recording fails, the sensor's evaluation counts as failed: its cursor stays where it
 * was, so the next evaluation reports the same data again (recording is idempotent).
 */
import type { Logger } from 'pino'
import type { Project, SensorDef, SourceDef } from '../definitions/index.js'
import { nativeModule } from '../native.js'
import type { Store } from '../store/store.js'
import type { TickMemo } from './automation-memo.js'
import { runSensor } from './automation-triggers.js'
import type { AssetId } from './planner.js'
import type { ProjectState } from './project-state.js'
import { newRunId } from './run.js'

/**
 * One sensor in a tick's report.
 *
 * @example
 * const r: SensorReport = { name: 'new_batches', runRequests: 0, observations: 1, cursor: 'batch-0042' }
 */
export interface SensorReport {
  name: string
  runRequests: number
  /** Sources whose data version its report changed (recorded, except in a dry run); absent when none. */
  observations?: number
  /** The run that recorded them. */
  observationRunId?: string
  cursor?: string
  error?: string
  skipped?: string
}

/** What the sensors need of the tick's workspace. */
interface SensorHost {
  project: Project
  state: ProjectState
  store: Store
  log: Logger
  memo: TickMemo
}

/** A run a sensor asked for. */
export interface SensorRequest {
  select: string[]
  source: `sensor:${string}`
  config?: Record<string, unknown>
}

/** What the sensors of one tick did. */
export interface SensorsOutcome {
  report: SensorReport[]
  /** Sensor states to store with the tick. */
  states: [string, unknown][]
  requests: SensorRequest[]
  /** Sources whose data version a report changed (their consumers are evaluated in this tick). */
  changed: AssetId[]
  /** The runs that recorded the reports. */
  runIds: string[]
}

const reporters = new WeakMap<Project, Map<string, string[]>>()

/** Sources reported by each sensor (cached per project). */
function reportedBy(project: Project): Map<string, string[]> {
  let map = reporters.get(project)
  if (map === undefined) {
    map = new Map()
    for (const a of project.assets) {
      const by = a.def.kind === 'source' ? a.def.reportedBy : undefined
      if (by !== undefined) map.set(by, [...(map.get(by) ?? []), a.key])
    }
    reporters.set(project, map)
  }
  return map
}

/**
 * Evaluates `sensors` at `now` and records what they report (nothing is recorded when `tickId` is
 * null: a dry run shows the reports, and its conditions do not see them).
 *
 * @example
 * const { report, requests, changed } = await evaluateSensors(host, due, now, tickId)
 */
export async function evaluateSensors(
  host: SensorHost,
  sensors: readonly SensorDef[],
  now: Date,
  tickId: number | null,
): Promise<SensorsOutcome> {
  const out: SensorsOutcome = { report: [], states: [], requests: [], changed: [], runIds: [] }
  const st = host.state
  for (const s of sensors) {
    const stored = host.memo.sensorStates?.get(s.name)
    const slog = host.log.child({ sensor: s.name })
    const keys = reportedBy(host.project).get(s.name) ?? []
    const problem = (key: string): string | undefined => {
      const id = st.idOf(key)
      if (id === undefined) return 'not an asset of this project'
      const def = st.asset(id).def
      if (def.kind !== 'source') return 'an asset Rivers materializes, not a source'
      const by = (def as SourceDef).reportedBy
      if (by === undefined) return 'a source Rivers observes itself (it has no reportedBy)'
      return by === s.name ? undefined : `reported by sensor "${by}"`
    }
    const result = await runSensor(
      s,
      stored,
      now,
      { info: (m) => slog.info(m), warn: (m) => slog.warn(m), error: (m) => slog.error(m) },
      { keys, problem },
    )
    // Reports that change a version, last one per key.
    const news = new Map<AssetId, { version: string; metadata?: Record<string, unknown> }>()
    for (const o of result.observations) {
      const id = st.idOf(o.key)!
      const version = nativeModule().hashStrings('data-version', [o.dataVersion])
      if (version === st.dataVersion(id) && !news.has(id)) continue
      news.set(id, o.metadata === undefined ? { version } : { version, metadata: o.metadata })
    }
    let runId: string | undefined
    if (tickId !== null && news.size > 0) {
      try {
        runId = await recordReports(host, s.name, tickId, news, now)
        out.runIds.push(runId)
        out.changed.push(...news.keys())
      } catch (e) {
        const error = `recording its observations failed: ${e instanceof Error ? e.message : String(e)}`
        const previous = (stored as { cursor?: string } | undefined)?.cursor
        result.error = error
        result.runRequests = []
        result.state = { ...result.state, error }
        if (previous === undefined) {
          delete result.state.cursor
          delete result.cursor
        } else result.cursor = result.state.cursor = previous
      }
    }
    out.states.push([s.name, result.state])
    out.report.push({
      name: s.name,
      runRequests: result.runRequests.length,
      ...(result.error === undefined && news.size > 0 ? { observations: news.size } : {}),
      ...(runId === undefined ? {} : { observationRunId: runId }),
      ...(result.cursor === undefined ? {} : { cursor: result.cursor }),
      ...(result.error === undefined ? {} : { error: result.error }),
      ...(result.skipped === undefined ? {} : { skipped: result.skipped }),
    })
    for (const r of result.runRequests)
      out.requests.push({
        select: r.select,
        source: `sensor:${s.name}`,
        ...(r.config === undefined ? {} : { config: r.config as Record<string, unknown> }),
      })
  }
  return out
}

/** Records a sensor's new versions in one run of its own; returns the run's id. */
async function recordReports(
  host: SensorHost,
  sensor: string,
  tickId: number,
  news: Map<AssetId, { version: string; metadata?: Record<string, unknown> }>,
  now: Date,
): Promise<string> {
  const { state: st, store } = host
  const runId = newRunId(now)
  const keys = [...news.keys()].map((id) => st.asset(id).key)
  const began = performance.now()
  await store.beginRun({
    id: runId,
    selection: keys.map((k) => `key:${k}`),
    force: false,
    argv: ['automation', 'tick', String(tickId), 'sensor', sensor],
  })
  const summary = (status: 'success' | 'failed') => ({
    runId,
    status,
    durationMs: performance.now() - began,
    materialized: [],
    skipped: [],
    failed: [],
    observed: keys,
  })
  try {
    for (const [id, { version, metadata }] of news)
      await st.record({
        id,
        runId,
        kind: 'observation',
        dataVersion: version,
        inputs: [],
        startedAt: now,
        finishedAt: new Date(),
        ...(metadata === undefined ? {} : { metadata }),
      })
  } catch (e) {
    await store.finishRun(runId, 'failed', summary('failed')).catch(() => undefined)
    throw e
  }
  await store.finishRun(runId, 'success', summary('success'))
  return runId
}
