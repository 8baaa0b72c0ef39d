/**
 * One run of a plan: its id, log and record in the store, the trackers told of its start and end,
 * the cleanup after runs that died, then the scheduler visiting the planned assets, and the summary.
 * The workspace computes the plan and refuses what cannot run; a run gets only a `RunScope`.
 */
import { randomBytes } from 'node:crypto'

import type { LevelWithSilent, Logger } from 'pino'

import type { Project } from '../definitions/index.js'
import type { IOManager } from '../io/types.js'
import { createRunLogger } from '../log.js'
import type { Store } from '../store/store.js'
import type { Tracker } from '../tracking/tracker.js'
import { AttemptSignals } from './attempt-signals.js'
import { RunLeases } from './leases.js'
import type { AssetId } from './planner.js'
import type { ProjectState } from './project-state.js'
import { finishInterruptedRuns } from './recovery.js'
import { type RunContext, tellTrackers } from './run-context.js'
import { schedule } from './scheduler.js'
import type { RunEvent, RunSummary } from './types.js'
import { assetVisitor, SummaryBook } from './visitor.js'

/** What a run is handed: the project, its state and seams, and the plan to run. */
export interface RunScope {
  project: Project
  state: ProjectState
  store: Store
  storeDir: string
  io: IOManager
  trackers: readonly Tracker[]
  /** The selection as given, the ids it selects, and the planned ids in plan order. */
  plan: {
    exprs: readonly string[]
    selection: readonly AssetId[]
    planned: readonly AssetId[]
    force: boolean
    /** The planned partitions (wire format `start, end` pairs) of each planned partitioned asset. */
    partitions?: ReadonlyMap<AssetId, Float64Array>
  }
  concurrency: number
  log: { level: LevelWithSilent; pretty: boolean; destination?: NodeJS.WritableStream }
}

/** How a run is driven from outside. */
export interface RunControls {
  signal?: AbortSignal
  onEvent?: (e: RunEvent) => void
  /** After a cancellation, how long running assets get to stop (default 10 s). */
  cancelGraceMs?: number
  /** The run's id (default: a new one), for callers that must name the run before it starts. */
  runId?: string
  /** What the `runs` table records as the command (default: this process's arguments). */
  argv?: readonly string[]
}

/**
 * A new run id: UTC time then random hex, so ids sort by start time.
 *
 * @example
 * newRunId() // '20261126T125400Z-3f9a1c'
 */
export function newRunId(now = new Date()): string {
  return `${now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z')}-${randomBytes(3).toString('hex')}`
}

/**
 * Runs the plan of `scope`. Resolves to the run summary (never rejects for asset failures).
 *
 * @example
 * const summary = await runPlan(scope, { signal, onEvent })
 */
export async function runPlan(scope: RunScope, controls: RunControls = {}): Promise<RunSummary> {
  const { state, store, plan } = scope
  const secrets = state.config.secrets
  const runId = controls.runId ?? newRunId()
  const started = Date.now()
  const signal = controls.signal ?? new AbortController().signal
  const { logger, close } = createRunLogger({
    storeDir: scope.storeDir,
    runId,
    level: scope.log.level,
    pretty: scope.log.pretty,
    ...(scope.log.destination === undefined ? {} : { destination: scope.log.destination }),
    ...(secrets.values.length > 0 ? { redact: { values: [...secrets.values] } } : {}),
  })
  const selection = plan.exprs.length === 0 ? ['*'] : [...plan.exprs]
  const config = secrets.redactConfig({ ...state.config.raw })
  await store.beginRun({
    id: runId,
    selection,
    force: plan.force,
    config,
    argv: (controls.argv ?? process.argv.slice(2)).map(secrets.scrub),
  })
  const emit = (e: RunEvent): void => controls.onEvent?.(e)
  const run: RunContext = {
    runId,
    project: scope.project,
    state,
    store,
    storeDir: scope.storeDir,
    io: scope.io,
    trackers: scope.trackers,
    log: logger,
    signal,
    attempts: new AttemptSignals(signal),
    secrets,
    values: new Map(),
    partitionValues: new Map(),
    partitionSets: plan.partitions ?? new Map(),
    emit,
    gate: { closed: false },
  }
  const book = new SummaryBook(run)
  const summary = book.summary
  const leases = new RunLeases(store, runId, logger, signal)
  const visitor = assetVisitor(run, book, leases, {
    force: plan.force,
    retry: scope.project.retry,
    concurrency: scope.concurrency,
  })
  await tellTrackers(scope.trackers, logger, 'run started', (t) =>
    t.runStarted?.({ runId, selection, force: plan.force, config, startedAt: new Date(started) }),
  )
  emit({ type: 'run_started', runId, planned: plan.planned.map((i) => state.asset(i).key) })
  logger.info(
    { planned: plan.planned.length, selection: plan.exprs },
    `run ${runId} started: ${plan.planned.length} planned`,
  )

  try {
    // Runs of this machine whose process died: mark them, free their leases.
    await finishInterruptedRuns(store, logger)
    // Temp files of writers killed mid-write (in the folders of the assets due now, as the asset a
    // killed write was storing is due again): removed in the background while the run goes on.
    const sweeping = sweepTempFiles(
      scope,
      plan.planned.map((id) => state.asset(id).key),
      logger,
    )
    await state.recordObservations(runId, plan.selection)
    const graceMs = controls.cancelGraceMs ?? 10_000
    const end = await schedule(
      { ids: plan.planned, deps: (id) => state.asset(id).deps.map((d) => state.idOf(d.key)!) },
      {
        concurrency: scope.concurrency,
        signal,
        graceMs,
        // Given up on: whatever they still do, nothing of theirs may be recorded.
        onAbandon: () => (run.gate.closed = true),
      },
      visitor,
    )
    // The records still queued for the store (group commit): stored, and their assets booked.
    await visitor.settle()
    run.gate.closed = true
    if (end.abandoned > 0)
      logger.warn(
        { graceMs },
        `${end.abandoned} asset(s) did not stop within ${graceMs} ms of the cancellation; giving up on them (nothing of theirs is recorded)`,
      )
    for (const id of end.unfinished) await book.finish(id, { kind: 'skipped', reason: 'cancelled' })
    await sweeping
  } finally {
    // Also when the run failed: what was built and queued is stored before the leases go.
    await visitor.settle()
    run.gate.closed = true
    run.attempts.dispose()
    leases.dispose()
    await store.releaseRunLeases(runId)
    summary.durationMs = Date.now() - started
    if (signal.aborted) summary.status = 'cancelled'
    else if (summary.failed.length > 0) summary.status = 'failed'
    await store.finishRun(runId, summary.status, summary)
    await tellTrackers(scope.trackers, logger, 'run finished', (t) =>
      t.runFinished?.({
        runId,
        status: summary.status,
        durationMs: summary.durationMs,
        materialized: summary.materialized,
        failed: summary.failed,
        finishedAt: new Date(),
      }),
    )
    logger.info({ status: summary.status, durationMs: summary.durationMs }, `run ${runId} ${summary.status}`)
    await close()
    emit({ type: 'run_finished', summary })
  }
  return summary
}

/**
 * Removes stale temp files in the folders of `keys` under the storage folders of the run's IO
 * managers that can sweep (the project's, and assets' own). Never fails the run.
 */
async function sweepTempFiles(scope: RunScope, keys: string[], log: Logger): Promise<void> {
  const managers = new Set<unknown>([scope.io, ...scope.project.assets.map((a) => (a.def as { io?: unknown }).io)])
  for (const m of managers) {
    const sweep = (m as { sweepTempFiles?: (o: { keys: string[] }) => Promise<string[]> } | undefined)?.sweepTempFiles
    if (typeof sweep !== 'function') continue
    try {
      const removed = await sweep.call(m, { keys })
      if (removed.length > 0)
        log.info({ removed: removed.length }, `removed ${removed.length} temp file(s) left by interrupted writes`)
    } catch (e) {
      log.warn({ err: e }, 'could not sweep temp files')
    }
  }
}
