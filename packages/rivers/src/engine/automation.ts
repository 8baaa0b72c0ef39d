/**
 * One automation tick (`Workspace.tick`): reload the records other processes wrote, re-observe the
 * sources that are due, evaluate the condition of every asset that has one, run the due sensors and
 * schedules, store the tick with its decisions and memory (not for dry runs), then launch one run for
 * the union of the requested assets (the keys themselves, nothing upstream) and one per schedule tick
 * or sensor run request. Runs are ordinary runs whose `argv` is `['automation', 'tick', <id>]`.
 *
 * Store queries on the common path (no schedules, sensors or data conditions): latest records, the
 * leases held, the asset memory, begin tick, decisions with memory, finish tick: six, none per asset.
 * Memory is written only where it changed (see `changedMemory`).
 */
import type { Logger } from 'pino'

import { type EvaluatedNode, evaluateCondition } from '../automation/evaluate.js'
import type { Project } from '../definitions/index.js'
import type { IOManager } from '../io/types.js'
import type { Store } from '../store/store.js'
import type { AutomationDecisionRecord } from '../store/types.js'
import { assetFacts, tickReads } from './automation-facts.js'
import { type CatchUp, evaluateSchedule, runSensor, sensorDue } from './automation-triggers.js'
import type { AssetId } from './planner.js'
import type { ProjectState } from './project-state.js'
import { newRunId } from './run.js'
import type { RunSummary } from './types.js'

export type { AutomationDecisionRecord }
export type { CatchUp }

/**
 * Options of `Workspace.tick`.
 *
 * @example
 * const report = await ws.tick({ dryRun: true, now: new Date('2026-12-05T03:00:00Z') })
 */
export interface TickOptions {
  /** Evaluate and report only: nothing is stored, nothing launched. */
  dryRun?: boolean
  /** The tick's time (tests); default now. */
  now?: Date
  /** Launch requested runs and wait for them (assets tick), else launch and return (daemon). Default true. */
  wait?: boolean
  /** Cancels the runs the tick launched. */
  signal?: AbortSignal
  /** Missed cron ticks of schedules after downtime; default 'latest'. */
  catchUp?: CatchUp
  /** Called for each run launched, with its id and its summary to come. */
  onRun?: (runId: string, done: Promise<RunSummary>) => void
  /** Sources (keys) to observe in this tick whatever their `every` (a watcher saw their file change). */
  observe?: readonly string[]
  /**
   * Sources (keys) the caller watches (fs events): observed on the first tick, when listed in
   * `observe`, and every `every` of the source if it has one (a safety poll), never just because a
   * tick runs.
   */
  watched?: ReadonlySet<string>
}

/**
 * The decision about one asset.
 *
 * @example
 * const d: TickDecision = { key: 'model', requested: false, tree, reason: 'input features has no data yet' }
 */
export interface TickDecision {
  key: string
  requested: boolean
  tree: EvaluatedNode
  runId?: string
  /** Why a true condition did not lead to a run (in progress, a missing input). */
  reason?: string
}

/**
 * What one tick did.
 *
 * @example
 * const { requested, runs, decisions } = await ws.tick()
 */
export interface TickReport {
  /** null for dry runs (not stored). */
  tickId: number | null
  at: string
  durationMs: number
  /** Assets with a condition, plus schedules and sensors evaluated. */
  evaluated: number
  requested: string[]
  runs: {
    runId: string
    select: string[]
    source: 'conditions' | `schedule:${string}` | `sensor:${string}`
    summary?: RunSummary
    /** Set when the run could not start (bad selection, config, missing input). */
    error?: string
  }[]
  decisions: TickDecision[]
  sensors: { name: string; runRequests: number; cursor?: string; error?: string; skipped?: string }[]
  schedules: { name: string; fired: boolean; tick?: string }[]
}

/** A run to launch: what the workspace's `materialize` needs, plus the run's id and argv. */
export interface TickLaunch {
  select: string[]
  force: boolean
  config?: Record<string, unknown>
  runId: string
  argv: string[]
  signal?: AbortSignal
}

/** What a tick needs from its workspace. */
export interface TickHost {
  project: Project
  state: ProjectState
  store: Store
  io: IOManager
  projectDir: string
  /** Where sensors log. */
  log: Logger
  /** Assets with a condition (ids). */
  conditioned: readonly AssetId[]
  /** Re-observes the sources due at `now` (see `TickOptions.observe` and `watched`). */
  observeDue(now: number, observe: readonly string[], watched: ReadonlySet<string>): Promise<void>
  /** Starts a run; `started` settles once it is recorded (or rejects if it could not start). */
  launch(l: TickLaunch): { started: Promise<void>; done: Promise<RunSummary> }
}

const NONE: ReadonlySet<string> = new Set()

type Run = TickReport['runs'][number] & { config?: Record<string, unknown>; force: boolean }

/**
 * Runs one tick over `host`.
 *
 * @example
 * const report = await runTick(host, { dryRun: true })
 */
export async function runTick(host: TickHost, options: TickOptions = {}): Promise<TickReport> {
  const began = performance.now()
  const now = options.now ?? new Date()
  const at = now.getTime()
  const dryRun = options.dryRun ?? false
  const { state: st, store, project } = host

  await st.reload()
  await host.observeDue(at, options.observe ?? [], options.watched ?? NONE)
  const tickId = dryRun ? null : await store.beginTick({ startedAt: now, dryRun })

  // Conditions.
  const conditioned = host.conditioned
  const [leases, memories] =
    conditioned.length === 0
      ? [[], new Map<string, unknown>()]
      : await Promise.all([store.activeLeases(at), store.automationState('asset')])
  const holders = new Map(leases.map((l) => [l.key, l.runId]))
  const lastRequested = new Map<string, number>()
  for (const [key, m] of memories) {
    const t = (m as { lastRequestedAt?: number } | null)?.lastRequestedAt
    if (typeof t === 'number') lastRequested.set(key, t)
  }
  const facts = assetFacts(st, conditioned, new Set(holders.keys()), lastRequested)
  const reads = tickReads({ state: st, store, io: host.io, projectDir: host.projectDir, now: at })
  const decisions: TickDecision[] = new Array(facts.length)
  const newMemory: [string, unknown][] = new Array(facts.length)
  // Layer by layer, upstream first, so an asset sees which of its inputs this tick already requested
  // (they run first in the same run): an eager chain fills in one tick, not one tick per level.
  const requestedNow = new Set<string>()
  for (const layer of conditionLayers(facts)) {
    await Promise.all(
      layer.map(async (i) => {
        const f = facts[i]!
        for (const input of f.inputs) if (requestedNow.has(input.key)) input.requested = true
        const def = st.asset(conditioned[i]!).def
        const node = def.kind === 'asset' ? def.automation!.node : { kind: 'missing' as const }
        const stored = memories.get(f.key) as { evaluatedAt?: number; nodes?: Record<string, unknown> } | undefined
        const memory = { evaluatedAt: stored?.evaluatedAt, nodes: stored?.nodes ?? {} }
        try {
          const e = await evaluateCondition(node, f, reads, memory, at)
          decisions[i] = { key: f.key, requested: e.requested, tree: e.tree }
          newMemory[i] = [
            f.key,
            { ...e.memory, ...(f.lastRequestedAt === undefined ? {} : { lastRequestedAt: f.lastRequestedAt }) },
          ]
        } catch (err) {
          const label = `error: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`
          decisions[i] = { key: f.key, requested: false, tree: { kind: node.kind, path: '', value: false, label } }
          newMemory[i] = [f.key, stored ?? memory]
        }
        if (decisions[i]!.requested && !holders.has(f.key)) requestedNow.add(f.key)
      }),
    )
  }
  gateRequests(decisions, facts, holders)
  const requested = decisions.filter((d) => d.requested).map((d) => d.key)

  // Sensors and schedules.
  const runs: Run[] = []
  // A requested asset that is neither missing nor stale (on_cron, time_since, performance…) only
  // runs when forced; otherwise the plan keeps early cutoff.
  // An asset requested because an input is requested too is planned after that input anyway (and
  // skipped by early cutoff if the input's data does not change): it never forces the run.
  const force = decisions.some(
    (d, i) => d.requested && facts[i]!.status === 'fresh' && !facts[i]!.inputs.some((x) => x.requested === true),
  )
  if (requested.length > 0)
    runs.push({ runId: '', select: requested.map((k) => `key:${k}`), source: 'conditions', force })
  const sensorReport: TickReport['sensors'] = []
  const scheduleReport: TickReport['schedules'] = []
  const sensorStates: [string, unknown][] = []
  const scheduleStates: [string, unknown][] = []
  if (project.sensors.length > 0) {
    const stored = await store.automationState('sensor')
    const log = host.log
    for (const s of project.sensors) {
      if (!sensorDue(s, stored.get(s.name), now)) continue
      const slog = log.child({ sensor: s.name })
      const out = await runSensor(s, stored.get(s.name), now, {
        info: (m) => slog.info(m),
        warn: (m) => slog.warn(m),
        error: (m) => slog.error(m),
      })
      sensorStates.push([s.name, out.state])
      sensorReport.push({
        name: s.name,
        runRequests: out.runRequests.length,
        ...(out.cursor === undefined ? {} : { cursor: out.cursor }),
        ...(out.error === undefined ? {} : { error: out.error }),
        ...(out.skipped === undefined ? {} : { skipped: out.skipped }),
      })
      for (const r of out.runRequests)
        runs.push({
          runId: '',
          select: r.select,
          source: `sensor:${s.name}`,
          force: false,
          ...(r.config === undefined ? {} : { config: r.config as Record<string, unknown> }),
        })
    }
  }
  if (project.schedules.length > 0) {
    const stored = await store.automationState('schedule')
    for (const s of project.schedules) {
      const { ticks, state } = evaluateSchedule(s, stored.get(s.name), now, options.catchUp ?? 'latest')
      scheduleStates.push([s.name, state])
      const last = ticks[ticks.length - 1]
      scheduleReport.push({
        name: s.name,
        fired: ticks.length > 0,
        ...(last === undefined ? {} : { tick: last.toISOString() }),
      })
      for (const _ of ticks)
        runs.push({
          runId: '',
          select: [...s.select],
          source: `schedule:${s.name}`,
          force: true,
          ...(s.config === undefined ? {} : { config: { ...s.config } }),
        })
    }
  }
  const evaluated = decisions.length + sensorReport.length + scheduleReport.length
  const errors = sensorReport.filter((s) => s.error !== undefined).map((s) => `sensor ${s.name}: ${s.error}`)

  if (tickId === null) {
    return report(null, now, began, evaluated, requested, [], decisions, sensorReport, scheduleReport)
  }

  // Store the decisions and memory before anything starts: a crash leaves decisions without runs.
  for (const [i, d] of decisions.entries())
    if (d.requested) (newMemory[i]![1] as { lastRequestedAt?: number }).lastRequestedAt = at
  await store.recordDecisions(
    tickId,
    decisions.map((d) => ({ key: d.key, requested: d.requested, tree: d.tree })),
    { scope: 'asset', entries: changedMemory(newMemory, memories, (i) => usesEvaluatedAt(st, conditioned[i]!)) },
  )
  if (sensorStates.length > 0) await store.saveAutomationState('sensor', sensorStates)
  if (scheduleStates.length > 0) await store.saveAutomationState('schedule', scheduleStates)

  // Launch.
  const argv = ['automation', 'tick', String(tickId)]
  const done: Promise<void>[] = []
  const started: Run[] = []
  for (const run of runs) {
    run.runId = newRunId(new Date())
    const handle = host.launch({
      select: run.select,
      force: run.force,
      runId: run.runId,
      argv,
      ...(run.config === undefined ? {} : { config: run.config }),
      ...(options.signal === undefined ? {} : { signal: options.signal }),
    })
    try {
      await handle.started
      started.push(run)
      options.onRun?.(run.runId, handle.done)
      done.push(
        handle.done.then(
          (summary) => void (run.summary = summary),
          (e: unknown) => void (run.error = e instanceof Error ? e.message : String(e)),
        ),
      )
    } catch (e) {
      run.error = e instanceof Error ? e.message : String(e)
      handle.done.catch(() => undefined)
    }
  }
  const conditionRun = started.find((r) => r.source === 'conditions')
  if (conditionRun !== undefined) for (const d of decisions) if (d.requested) d.runId = conditionRun.runId
  await store.finishTick(tickId, {
    evaluated,
    requested: requested.length,
    runIds: started.map((r) => r.runId),
    ...(errors.length > 0 || runs.some((r) => r.error !== undefined)
      ? {
          error: [
            ...errors,
            ...runs.filter((r) => r.error !== undefined).map((r) => `run of ${r.source}: ${r.error}`),
          ].join('\n'),
        }
      : {}),
    ...(conditionRun === undefined
      ? {}
      : { decisionRuns: requested.map((k): [string, string] => [k, conditionRun.runId]) }),
  })
  if (options.wait ?? true) await Promise.all(done)
  const shown = runs.map(({ config: _c, force: _f, ...r }) => r)
  return report(tickId, now, began, evaluated, requested, shown, decisions, sensorReport, scheduleReport)
}

/**
 * The memory entries worth writing: new ones, and those that changed other than by `evaluatedAt`
 * (read only by `on_cron`, so it is rewritten each tick only for trees that have one). An idle tick
 * over assets with memoryless conditions (eager, missing…) writes no state at all.
 */
function changedMemory(
  entries: readonly [string, unknown][],
  stored: ReadonlyMap<string, unknown>,
  needsTime: (i: number) => boolean,
): [string, unknown][] {
  const strip = (m: unknown): string => {
    const { evaluatedAt: _, ...rest } = (m ?? {}) as { evaluatedAt?: number }
    return JSON.stringify(rest)
  }
  return entries.filter(([key, m], i) => {
    const before = stored.get(key)
    return before === undefined || needsTime(i) || strip(before) !== strip(m)
  })
}

const timed = new WeakMap<object, boolean>()

/** Whether the condition tree of an asset has an `on_cron` node (which reads the previous evaluation time). */
function usesEvaluatedAt(st: ProjectState, id: AssetId): boolean {
  const def = st.asset(id).def
  if (def.kind !== 'asset' || def.automation === undefined) return false
  const node = def.automation.node
  let known = timed.get(node)
  if (known === undefined) timed.set(node, (known = JSON.stringify(node).includes('"kind":"on_cron"')))
  return known
}

/**
 * The indices of `facts` in layers: an asset comes after every input of it that also has a
 * condition (only direct inputs matter: an input without a condition is never requested, so nothing
 * new reaches past it in this tick).
 */
function conditionLayers(facts: readonly { key: string; inputs: { key: string }[] }[]): number[][] {
  const index = new Map(facts.map((f, i) => [f.key, i]))
  const depth = new Int32Array(facts.length).fill(-1)
  const layers: number[][] = []
  for (let root = 0; root < facts.length; root++) {
    if (depth[root] !== -1) continue
    // Iterative depth-first walk (graphs can be deep); the core already refused cycles.
    const stack = [root]
    while (stack.length > 0) {
      const i = stack[stack.length - 1]!
      let d = 0
      let pending = false
      for (const input of facts[i]!.inputs) {
        const j = index.get(input.key)
        if (j === undefined || j === i) continue
        if (depth[j] === -1) {
          stack.push(j)
          pending = true
        } else d = Math.max(d, depth[j]! + 1)
      }
      if (pending) continue
      stack.pop()
      if (depth[i] !== -1) continue
      depth[i] = d
      ;(layers[d] ??= []).push(i)
    }
  }
  return layers
}

/**
 * Drops requests that cannot run now: an asset a run is building (its lease is held), and an asset
 * whose input has no data version and is not requested in the same tick (repeated to a fixpoint).
 */
function gateRequests(
  decisions: TickDecision[],
  facts: readonly { key: string; inputs: { name: string; key: string; current: string | undefined }[] }[],
  holders: ReadonlyMap<string, string>,
): void {
  for (const d of decisions) {
    const holder = holders.get(d.key)
    if (d.requested && holder !== undefined) {
      d.requested = false
      d.reason = `in progress: run ${holder} holds its lease`
    }
  }
  const requested = new Set(decisions.filter((d) => d.requested).map((d) => d.key))
  for (let changed = true; changed; ) {
    changed = false
    decisions.forEach((d, i) => {
      if (!d.requested) return
      const missing = facts[i]!.inputs.find((x) => x.current === undefined && !requested.has(x.key))
      if (missing === undefined) return
      d.requested = false
      d.reason = `input ${missing.name} (${missing.key}) has no data and is not requested`
      requested.delete(d.key)
      changed = true
    })
  }
}

function report(
  tickId: number | null,
  now: Date,
  began: number,
  evaluated: number,
  requested: string[],
  runs: TickReport['runs'],
  decisions: TickDecision[],
  sensors: TickReport['sensors'],
  schedules: TickReport['schedules'],
): TickReport {
  return {
    tickId,
    at: now.toISOString(),
    durationMs: performance.now() - began,
    evaluated,
    requested,
    runs,
    decisions,
    sensors,
    schedules,
  }
}
