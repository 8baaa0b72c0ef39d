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

import {
  type AssetFacts,
  type ConditionMemory,
  type EvaluatedNode,
  type Evaluation,
  evaluateConditionNow,
} from '../automation/evaluate.js'
import type { ConditionNode } from '../definitions/automation.js'
import type { ResolvedDep } from '../definitions/project.js'
import { nextWake, readsEvaluationTime } from '../automation/wake.js'
import type { Project } from '../definitions/index.js'
import type { IOManager } from '../io/types.js'
import type { Store } from '../store/store.js'
import type { AutomationDecisionRecord } from '../store/types.js'
import { assetFacts, tickReads } from './automation-facts.js'
import { evaluateEager, plainEagerPositions } from './automation-eager.js'
import type { TickMemo } from './automation-memo.js'
import { evaluateSensors, type SensorReport } from './automation-sensors.js'
import { type CatchUp, evaluateSchedule, sensorDue } from './automation-triggers.js'
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
  /** Assets with a condition evaluated in this tick, plus schedules and sensors evaluated. */
  evaluated: number
  /**
   * Assets with a condition not evaluated because nothing they read changed since their last
   * evaluation in this workspace (their decision holds; the first tick of a workspace evaluates all).
   */
  carried: number
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
  sensors: SensorReport[]
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
  /** What the workspace keeps between ticks (its assets with a condition among it). */
  memo: TickMemo
  /**
   * Re-observes the sources due at `now` (see `TickOptions.observe` and `watched`); returns those
   * whose data version changed.
   */
  observeDue(now: number, observe: readonly string[], watched: ReadonlySet<string>): Promise<AssetId[]>
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
  const { state: st, store, memo } = host

  // What changed since the last tick: records (one query), observations, leases (one query), clocks.
  const changed = await st.refresh()
  const observed = await host.observeDue(at, options.observe ?? [], options.watched ?? NONE)
  if (changed === 'all' || memo.config !== st.config) memo.markAll()
  else for (const id of changed) memo.markAsset(id)
  memo.config = st.config
  for (const id of observed) memo.markAsset(id)
  if (memo.ids.length > 0) {
    const holders = new Map((await store.activeLeases(at)).map((l) => [l.key, l.runId]))
    const before = memo.holders
    if (before !== undefined) {
      const markKey = (key: string) => {
        const p = st.idOf(key)
        const pos = p === undefined ? undefined : memo.position(p)
        if (pos !== undefined) memo.mark(pos)
      }
      for (const [key, run] of holders) if (before.get(key) !== run) markKey(key)
      for (const key of before.keys()) if (!holders.has(key)) markKey(key)
    }
    memo.holders = holders
  }
  memo.markDue(at)
  let triggers = await dueTriggers(host, now, options.catchUp ?? 'latest')

  if (memo.dirtyCount === 0 && triggers.sensors.length === 0 && !triggers.scheduleChanged)
    return report(
      null,
      now,
      began,
      triggers.scheduleReport.length,
      memo.ids.length,
      [],
      [],
      [],
      [],
      triggers.scheduleReport,
    )

  const tickId = dryRun ? null : await store.beginTick({ startedAt: now, dryRun })
  if (tickId !== null && memo.lastTickId !== undefined && tickId !== memo.lastTickId + 1) {
    // Another process stored ticks since ours: its memory, cursors and schedule state win.
    memo.memories = memo.sensorStates = memo.scheduleStates = undefined
    memo.markAll()
    triggers = await dueTriggers(host, now, options.catchUp ?? 'latest')
  }
  if (tickId !== null) memo.lastTickId = tickId

  // Sensors first: the data versions they report are recorded, and their consumers evaluated now.
  const sensors = await evaluateSensors(host, triggers.sensors, now, tickId)
  for (const id of sensors.changed) memo.markAsset(id)
  const sensorReport = sensors.report
  const sensorStates = sensors.states

  // Conditions.
  const memories = (memo.memories ??= memo.ids.length === 0 ? new Map() : await store.automationState('asset'))
  const ev = await evaluateDirty(host, memories, at)
  const { decisions, newMemory } = ev
  gateRequests(ev, memo.holders ?? new Map(), st, memo)
  const requested = decisions.filter((d) => d.requested).map((d) => d.key)
  settle(host, ev, memories, at, dryRun)

  const runs: Run[] = []
  // A requested asset that is neither missing nor stale (on_cron, time_since, performance…) only
  // runs when forced; otherwise the plan keeps early cutoff.
  // An asset requested because an input is requested too is planned after that input anyway (and
  // skipped by early cutoff if the input's data does not change): it never forces the run.
  const force = decisions.some((d, i) => d.requested && ev.statuses[i] === 'fresh' && !ev.inputRequested[i])
  if (requested.length > 0)
    runs.push({ runId: '', select: requested.map((k) => `key:${k}`), source: 'conditions', force })

  // Sensors (evaluated before the conditions, see above) and schedules.
  for (const r of sensors.requests) runs.push({ runId: '', force: false, ...r })
  for (const { s, ticks } of triggers.schedules)
    for (const _ of ticks)
      runs.push({
        runId: '',
        select: [...s.select],
        source: `schedule:${s.name}`,
        force: true,
        ...(s.config === undefined ? {} : { config: { ...s.config } }),
      })
  const scheduleReport = triggers.scheduleReport
  const evaluated = decisions.length + sensorReport.length + scheduleReport.length
  const carried = memo.ids.length - decisions.length
  const errors = sensorReport.filter((s) => s.error !== undefined).map((s) => `sensor ${s.name}: ${s.error}`)

  if (tickId === null) {
    return report(null, now, began, evaluated, carried, requested, [], decisions, sensorReport, scheduleReport)
  }

  // Store the decisions and memory before anything starts: a crash leaves decisions without runs.
  await store.recordDecisions(
    tickId,
    decisions.map((d) => ({ key: d.key, requested: d.requested, tree: d.tree })),
    { scope: 'asset', entries: newMemory.filter((e): e is [string, unknown] => e !== undefined) },
  )
  if (sensorStates.length > 0) {
    await store.saveAutomationState('sensor', sensorStates)
    for (const [name, state] of sensorStates) memo.sensorStates?.set(name, state)
  }
  const scheduleStates = triggers.schedules.filter((o) => o.changed).map((o): [string, unknown] => [o.s.name, o.state])
  if (scheduleStates.length > 0) {
    await store.saveAutomationState('schedule', scheduleStates)
    for (const [name, state] of scheduleStates) memo.scheduleStates?.set(name, state)
  }

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
    runIds: [...sensors.runIds, ...started.map((r) => r.runId)],
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
  return report(tickId, now, began, evaluated, carried, requested, shown, decisions, sensorReport, scheduleReport)
}

/** The sensors due and the schedules' outcomes at `now` (their state read once per workspace). */
async function dueTriggers(host: TickHost, now: Date, catchUp: CatchUp) {
  const { memo, project, store } = host
  const sensorStates = (memo.sensorStates ??=
    project.sensors.length === 0 ? new Map() : await store.automationState('sensor'))
  const scheduleStates = (memo.scheduleStates ??=
    project.schedules.length === 0 ? new Map() : await store.automationState('schedule'))
  const sensors = project.sensors.filter((s) => sensorDue(s, sensorStates.get(s.name), now))
  // A schedule's state is stored when it fires or is new (its first evaluation records the time);
  // in between its evaluation time lives here: after a restart, ticks missed are judged from the
  // last one stored, which is what catch-up is about.
  const schedules = project.schedules.map((s) => {
    const stored = scheduleStates.get(s.name)
    const { ticks, state } = evaluateSchedule(s, stored, now, catchUp)
    return { s, ticks, state, changed: ticks.length > 0 || stored === undefined }
  })
  for (const o of schedules) if (!o.changed) scheduleStates.set(o.s.name, o.state)
  const scheduleReport: TickReport['schedules'] = schedules.map(({ s, ticks }) => {
    const last = ticks[ticks.length - 1]
    return { name: s.name, fired: ticks.length > 0, ...(last === undefined ? {} : { tick: last.toISOString() }) }
  })
  return { sensors, schedules, scheduleReport, scheduleChanged: schedules.some((o) => o.changed) }
}

/**
 * What a tick keeps of each evaluated asset besides its decision, in parallel arrays: its position,
 * the facts the general path evaluated it on (undefined on the fused `eager` path, whose tree has no
 * clock), its status, its inputs without a data version (undefined: none), whether an input was
 * requested in this tick, and the memory to store.
 */
interface Evaluated {
  positions: number[]
  decisions: TickDecision[]
  facts: (AssetFacts | undefined)[]
  statuses: AssetFacts['status'][]
  unbuilt: (readonly { name: string; key: string }[] | undefined)[]
  inputRequested: boolean[]
  newMemory: ([string, unknown] | undefined)[]
}

/**
 * Evaluates the dirty conditioned assets, layer by layer, upstream first, so an asset sees which of
 * its inputs this tick already requested (they run first in the same run): an eager chain fills in
 * one tick, not one tick per level. A requested asset's conditioned consumers are evaluated in the
 * same tick even when nothing they read changed. Plain `eager` conditions take the fused path
 * (automation-eager.ts); the others go through the evaluator with their facts.
 */
async function evaluateDirty(host: TickHost, memories: ReadonlyMap<string, unknown>, at: number): Promise<Evaluated> {
  const { state: st, memo } = host
  const layers = memo.dirtyLayers()
  const queued = new Uint8Array(memo.ids.length)
  for (const layer of layers) for (const p of layer ?? []) queued[p] = 1
  const holders = memo.holders ?? new Map<string, string>()
  const plain = (memo.plainEager ??= plainEagerPositions(st, memo))
  const reads = tickReads({ state: st, store: host.store, io: host.io, projectDir: host.projectDir, now: at })
  const out: Evaluated = {
    positions: [],
    decisions: [],
    facts: [],
    statuses: [],
    unbuilt: [],
    inputRequested: [],
    newMemory: [],
  }
  /** Requested in this tick (and not in progress), by asset id. */
  const requested = new Uint8Array(st.size)
  const lastRequestedAt = (key: string) =>
    (memories.get(key) as { lastRequestedAt?: number } | undefined)?.lastRequestedAt
  const push = (
    p: number,
    decision: TickDecision,
    f: AssetFacts | undefined,
    status: AssetFacts['status'],
    unbuilt: readonly { name: string; key: string }[] | undefined,
    inputRequested: boolean,
    mem: unknown,
  ): void => {
    out.positions.push(p)
    out.decisions.push(decision)
    out.facts.push(f)
    out.statuses.push(status)
    out.unbuilt.push(unbuilt)
    out.inputRequested.push(inputRequested)
    out.newMemory.push(mem === undefined ? undefined : [decision.key, mem])
    if (decision.requested && !holders.has(decision.key)) {
      requested[memo.ids[p]!] = 1
      const { consumerStart, consumerList } = memo
      for (let i = consumerStart[p]!; i < consumerStart[p + 1]!; i++) {
        const c = consumerList[i]!
        if (queued[c] === 1) continue
        queued[c] = 1
        ;(layers[memo.depth[c]!] ??= []).push(c)
      }
    }
  }
  const done = (p: number, f: AssetFacts, node: ConditionNode, e: Evaluation | Error): void => {
    let decision: TickDecision
    let mem: unknown
    if (e instanceof Error) {
      const error = e.message.split('\n')[0]!
      const tree: EvaluatedNode = {
        kind: node.kind,
        path: '',
        value: false,
        label: `error: ${error}`,
        details: { error },
      }
      decision = { key: f.key, requested: false, tree }
    } else {
      decision = { key: f.key, requested: e.requested, tree: e.tree }
      mem = f.lastRequestedAt === undefined ? e.memory : { ...e.memory, lastRequestedAt: f.lastRequestedAt }
    }
    let unbuilt: { name: string; key: string }[] | undefined
    let inputRequested = false
    for (const x of f.inputs) {
      if (x.current === undefined) (unbuilt ??= []).push(x)
      if (x.requested === true) inputRequested = true
    }
    push(p, decision, f, f.status, unbuilt, inputRequested, mem)
  }
  for (let d = 0; d < layers.length; d++) {
    const layer = layers[d]
    if (layer === undefined) continue
    // Consumers queued by requests come in any order (they are queued in later layers only).
    const sorted = Int32Array.from(layer).sort()
    const fusedIds: AssetId[] = []
    const generalIds: AssetId[] = []
    for (const p of sorted) (plain[p] === 1 ? fusedIds : generalIds).push(memo.ids[p]!)
    const pushFused = (
      p: number,
      tree: EvaluatedNode,
      status: AssetFacts['status'],
      unbuilt: readonly ResolvedDep[] | undefined,
      inputRequested: boolean,
    ): void => {
      const key = memo.keys[p]!
      const last = lastRequestedAt(key)
      const mem =
        last === undefined ? { evaluatedAt: at, nodes: {} } : { evaluatedAt: at, nodes: {}, lastRequestedAt: last }
      push(p, { key, requested: tree.value, tree }, undefined, status, unbuilt, inputRequested, mem)
    }
    if (generalIds.length === 0) {
      evaluateEager(st, fusedIds, requested, (row, tree, status, unbuilt, inputRequested) =>
        pushFused(sorted[row]!, tree, status, unbuilt, inputRequested),
      )
      continue
    }
    // A mixed layer: the fused rows first, kept by row; both kinds are then taken in the layer's order.
    const fusedTrees: EvaluatedNode[] = []
    const fusedStatuses: AssetFacts['status'][] = []
    const fusedUnbuilt: (readonly ResolvedDep[] | undefined)[] = []
    const fusedInputRequested: boolean[] = []
    evaluateEager(st, fusedIds, requested, (_row, tree, status, unbuilt, inputRequested) => {
      fusedTrees.push(tree)
      fusedStatuses.push(status)
      fusedUnbuilt.push(unbuilt)
      fusedInputRequested.push(inputRequested)
    })
    const generalFacts = assetFacts(st, generalIds, (key) => holders.has(key), lastRequestedAt)
    const pending: Promise<void>[] = []
    let nextFused = 0
    let nextGeneral = 0
    for (const p of sorted) {
      if (plain[p] === 1) {
        const j = nextFused++
        pushFused(p, fusedTrees[j]!, fusedStatuses[j]!, fusedUnbuilt[j], fusedInputRequested[j]!)
        continue
      }
      const f = generalFacts[nextGeneral++]!
      const depIds = st.depIds(memo.ids[p]!)
      for (let k = 0; k < depIds.length; k++) if (requested[depIds[k]!] === 1) f.inputs[k]!.requested = true
      const def = st.asset(memo.ids[p]!).def
      const node = def.kind === 'asset' ? def.automation!.node : MISSING
      const stored = memories.get(f.key) as { evaluatedAt?: number; nodes?: Record<string, unknown> } | undefined
      // Read only by the evaluation: a stored memory is passed as it is.
      const memory: ConditionMemory =
        stored === undefined
          ? NO_PREVIOUS
          : stored.nodes === undefined
            ? { evaluatedAt: stored.evaluatedAt, nodes: {} }
            : (stored as ConditionMemory)
      let e: Evaluation | Promise<Evaluation>
      try {
        e = evaluateConditionNow(node, f, reads, memory, at)
      } catch (err) {
        done(p, f, node, asError(err))
        continue
      }
      if (e instanceof Promise)
        pending.push(
          e.then(
            (ok) => done(p, f, node, ok),
            (err: unknown) => done(p, f, node, asError(err)),
          ),
        )
      else done(p, f, node, e)
    }
    if (pending.length > 0) await Promise.all(pending)
  }
  return out
}

/**
 * After the evaluation: keeps each decision and wake-up time in the memo; a stored tick commits the
 * memory (and marks requested assets for the next tick, whose run starts now), a dry run commits
 * nothing and leaves dirty what would evaluate differently once committed. `newMemory` keeps only
 * the entries worth writing.
 */
function settle(host: TickHost, ev: Evaluated, memories: Map<string, unknown>, at: number, dryRun: boolean): void {
  const { memo, state: st } = host
  const { decisions, facts, newMemory } = ev
  ev.positions.forEach((p, i) => {
    const d = decisions[i]!
    const f = facts[i]
    // The fused path (no facts) is plain `eager`: no clock, no error, no asset object to read.
    let timed = false
    if (f === undefined) memo.setWake(p, Infinity)
    else {
      const def = st.asset(memo.ids[p]!).def
      const node = def.kind === 'asset' ? def.automation!.node : MISSING
      memo.setWake(p, nextWake(node, f, d.tree, at))
      timed = readsEvaluationTime(node)
    }
    const entry = newMemory[i]
    const before = memories.get(d.key)
    // The same as committed, but for `evaluatedAt` (which only `on_cron` reads).
    const same = entry !== undefined && !timed && sameMemory(before ?? NO_MEMORY, entry[1])
    if (dryRun) {
      newMemory[i] = undefined
      // An error re-evaluates at the next tick anyway (its wake-up time is now).
      if (!d.requested && (same || entry === undefined)) memo.clear(p)
      else memo.mark(p)
      return
    }
    // A requested asset is evaluated again next tick, with its new lastRequestedAt.
    if (d.requested && entry !== undefined) (entry[1] as { lastRequestedAt?: number }).lastRequestedAt = at
    if (d.requested) memo.mark(p)
    else memo.clear(p)
    if (entry === undefined) return
    memories.set(d.key, entry[1])
    if (before !== undefined && same && !d.requested) newMemory[i] = undefined
  })
}

const NO_MEMORY = { nodes: {} }
const NO_PREVIOUS: ConditionMemory = Object.freeze({ evaluatedAt: undefined, nodes: Object.freeze({}) })
const MISSING: ConditionNode = { kind: 'missing' }

const asError = (e: unknown): Error => (e instanceof Error ? e : new Error(String(e)))

/** Whether two memories are the same but for `evaluatedAt` (JSON only when a node kept something). */
function sameMemory(before: unknown, after: unknown): boolean {
  const a = before as { nodes?: Record<string, unknown>; lastRequestedAt?: number }
  const b = after as { nodes?: Record<string, unknown>; lastRequestedAt?: number }
  if (a.lastRequestedAt !== b.lastRequestedAt) return false
  const an = a.nodes ?? {}
  const bn = b.nodes ?? {}
  if (isEmpty(an) && isEmpty(bn)) return true
  return JSON.stringify(an) === JSON.stringify(bn)
}

function isEmpty(o: object): boolean {
  for (const _ in o) return false
  return true
}

/**
 * Drops requests that cannot run now: an asset a run is building (its lease is held), and an asset
 * whose input has no data version and is not requested in the same tick (repeated to a fixpoint).
 */
function gateRequests(ev: Evaluated, holders: ReadonlyMap<string, string>, st: ProjectState, memo: TickMemo): void {
  const { decisions, unbuilt, positions } = ev
  /** Requested, by asset id (a tick requests thousands: no set of keys). */
  const requested = new Uint8Array(st.size)
  for (let i = 0; i < decisions.length; i++) {
    const d = decisions[i]!
    if (!d.requested) continue
    const holder = holders.get(d.key)
    if (holder === undefined) requested[memo.ids[positions[i]!]!] = 1
    else {
      d.requested = false
      d.reason = `in progress: run ${holder} holds its lease`
    }
  }
  for (let changed = true; changed; ) {
    changed = false
    for (let i = 0; i < decisions.length; i++) {
      const d = decisions[i]!
      const inputs = unbuilt[i]
      if (!d.requested || inputs === undefined) continue
      let missing: { name: string; key: string } | undefined
      for (const x of inputs)
        if (requested[st.idOf(x.key)!] !== 1) {
          missing = x
          break
        }
      if (missing === undefined) continue
      d.requested = false
      d.reason = `input ${missing.name} (${missing.key}) has no data and is not requested`
      requested[memo.ids[positions[i]!]!] = 0
      changed = true
    }
  }
}

function report(
  tickId: number | null,
  now: Date,
  began: number,
  evaluated: number,
  carried: number,
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
    carried,
    requested,
    runs,
    decisions,
    sensors,
    schedules,
  }
}
