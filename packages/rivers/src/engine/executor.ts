/**
 * Runs a plan: a ready queue with bounded concurrency (an asset starts as soon as its planned deps
 * are done, no layer barriers), re-verification just before each asset (early cutoff), failure
 * isolation (descendants of a failure are skipped, independent branches finish), cancellation.
 */
import { randomBytes } from 'node:crypto'
import path from 'node:path'

import { FileIOManager, type IOManager } from '../io/index.js'
import { createRunLogger } from '../log.js'
import { RiversError } from '../errors.js'
import { closest } from '../definitions/suggest.js'
import { configForSource, unknownConfigKey } from './messages.js'
import { materializeAsset, describeFailure, type RunContext } from './run-asset.js'
import { validateLaunches } from '../launchers/validate.js'
import { callNative } from './native.js'
import { singleRecord } from './records.js'
import { finishInterruptedRuns, holderIsGone } from './recovery.js'
import { runSecrets } from './secrets.js'
import type { MaterializeOptions, RunEvent, RunSummary, SkipReason } from './types.js'
import type { Workspace } from './workspace.js'

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
 * Validates a run config before anything runs: every key must be an asset that takes config, every
 * given config must match its schema, and so must the (default) config of every planned asset.
 * Throws the first problem (exit 2).
 *
 * @example
 * validateRunConfig(ws.state, { model: { epochs: 3 } }, plannedIds)
 */
export function validateRunConfig(
  st: Workspace['state'],
  config: Record<string, unknown>,
  planned: readonly number[],
): void {
  for (const key of Object.keys(config))
    if (!st.ids.has(key)) throw unknownConfigKey(key, closest(key, [...st.ids.keys()]))
  for (const id of new Set([...planned, ...Object.keys(config).map((k) => st.ids.get(k)!)])) {
    const a = st.asset(id)
    if (a.isSource && config[a.key] !== undefined) throw configForSource(a.key)
    if (a.def.kind === 'asset' && (a.def.config !== undefined || config[a.key] !== undefined))
      st.setConfigStrict(id, config[a.key])
  }
}

/**
 * Materializes the plan of `options.select` in `ws`. Resolves to the run summary; rejects only for
 * bad input found before anything runs (selection, config, missing inputs: exit 2).
 *
 * @example
 * const summary = await runPlan(ws, { select: ['+model'], concurrency: 2 })
 */
export async function runPlan(ws: Workspace, options: MaterializeOptions): Promise<RunSummary> {
  const st = ws.state
  const exprs = options.select ?? []
  const force = options.force ?? false
  const config = options.config ?? {}
  st.setConfig(config, false)
  const { selection, layers } = ws.planIds(exprs, force)
  const planned = layers.flat()
  validateRunConfig(st, config, planned)
  const concurrency = options.concurrency ?? ws.project.concurrency ?? 4
  if (!Number.isInteger(concurrency) || concurrency < 1)
    throw new RiversError('RIVERS_INVALID_OPTION', `concurrency must be a positive integer, got ${concurrency}`)

  // Values of config fields marked secret(): hashed into config hashes (above), kept out of
  // everything the run writes (below).
  const secrets = runSecrets(st, config)

  // Launcher requests that can never be scheduled fail here, before anything runs (exit 2).
  await validateLaunches(ws.project, st, planned)

  const runId = newRunId()
  const started = Date.now()
  const signal = options.signal ?? new AbortController().signal
  const { logger, close } = createRunLogger({
    storeDir: ws.storeDir,
    runId,
    level: (ws.options.logLevel ?? 'info') as import('pino').LevelWithSilent,
    pretty: ws.options.pretty ?? false,
    ...(ws.options.logDestination ? { destination: ws.options.logDestination } : {}),
    ...(secrets.values.length > 0 ? { redact: { values: [...secrets.values] } } : {}),
  })
  ws.store.beginRun({
    id: runId,
    selection: exprs.length === 0 ? ['*'] : [...exprs],
    force,
    config: secrets.redactConfig(config),
    argv: process.argv.slice(2).map(secrets.scrub),
  })
  const summary: RunSummary = { runId, status: 'success', durationMs: 0, materialized: [], skipped: [], failed: [] }
  const emit = (e: RunEvent): void => options.onEvent?.(e)
  emit({ type: 'run_started', runId, planned: planned.map((i) => st.asset(i).key) })
  logger.info({ planned: planned.length, selection: exprs }, `run ${runId} started: ${planned.length} planned`)

  try {
    // Runs of this machine whose process died: mark them, free their leases.
    finishInterruptedRuns(ws.store, logger)
    const io = (ws.project.io as IOManager | undefined) ?? new FileIOManager(path.join(ws.storeDir, 'storage'))
    // Temp files of writers killed mid-write (in the folders of the assets due now, as the asset a
    // killed write was storing is due again): removed in the background while the run goes on.
    const sweeping = sweepTempFiles(
      ws,
      io,
      planned.map((id) => st.asset(id).key),
      logger,
    )
    recordObservations(ws, runId, selection)
    const rc: RunContext = {
      runId,
      state: st,
      io,
      log: logger,
      signal,
      values: new Map(),
      emit,
      closed: false,
      scrub: secrets.scrub,
      scrubDeep: secrets.scrubDeep,
    }
    await schedule(ws, rc, planned, force, concurrency, summary, emit, options.cancelGraceMs ?? 10_000)
    await sweeping
  } finally {
    for (const f of summary.failed) f.error = secrets.scrub(f.error)
    ws.store.releaseRunLeases(runId)
    summary.durationMs = Date.now() - started
    if (signal.aborted) summary.status = 'cancelled'
    else if (summary.failed.length > 0) summary.status = 'failed'
    ws.store.finishRun(runId, summary.status, summary)
    logger.info({ status: summary.status, durationMs: summary.durationMs }, `run ${runId} ${summary.status}`)
    await close()
    emit({ type: 'run_finished', summary })
  }
  return summary
}

/** Records observations of sources whose observed version differs from their latest record. */
function recordObservations(ws: Workspace, runId: string, selection: Uint32Array): void {
  const st = ws.state
  const selected = new Set(selection)
  for (const [key, obs] of st.observed) {
    if (!obs.ok) continue
    const id = st.ids.get(key)!
    const wanted = selected.has(id) || st.asset(id).isSource
    if (!wanted || st.last.get(key)?.dataVersion === obs.version) continue
    const now = new Date()
    ws.store.recordMaterialization({
      runId,
      key,
      kind: 'observation',
      codeVersion: Buffer.from(st.code[id]!, 'hex'),
      configHash: Buffer.from(st.configHash[id]!, 'hex'),
      dataVersion: Buffer.from(obs.version, 'hex'),
      inputs: [],
      startedAt: now,
      finishedAt: now,
      ...(obs.metadata === undefined ? {} : { metadata: obs.metadata }),
    })
    callNative(() => st.graph.applyRecords(singleRecord(id, st.code[id]!, st.configHash[id]!, obs.version, [])))
    st.last.set(key, { runId, at: now.toISOString(), dataVersion: obs.version, kind: 'observation' })
  }
}

/**
 * Removes stale temp files in the folders of `keys` under the storage folders of the run's file IO
 * managers (the project's, and assets' own). Never fails the run.
 */
async function sweepTempFiles(ws: Workspace, io: IOManager, keys: string[], log: import('pino').Logger): Promise<void> {
  const managers = new Set<unknown>([io, ...ws.project.assets.map((a) => (a.def as { io?: unknown }).io)])
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

/** How long an asset lease lasts without renewal: a crashed holder blocks others at most this long. */
export const LEASE_TTL_MS = 30_000

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

/** Whether the in-memory latest record of `key` is still the store's current one. */
function knowsCurrentRecord(ws: Workspace, key: string): boolean {
  const known = ws.state.last.get(key)
  const current = ws.store.currentRecord(key)
  if (current === undefined || known === undefined) return current === known
  return current.runId === known.runId && current.dataVersion === known.dataVersion && current.finishedAt === known.at
}

/**
 * Takes the lease of asset `v` so that no other run materializes it at the same time. Waits while
 * another live run holds it; if it had to wait, reloads the records that run may have written.
 * Returns false if the run was cancelled while waiting.
 */
async function acquireLease(ws: Workspace, rc: RunContext, v: number): Promise<boolean> {
  const key = ws.state.asset(v).key
  let waited = false
  while (!ws.store.tryAcquireLease(key, rc.runId, LEASE_TTL_MS)) {
    const holder = ws.store.getLease(key)
    if (holderIsGone(holder)) {
      // Its process died (kill -9): no need to wait for the lease to expire.
      rc.log.warn(
        { asset: key, holder: holder!.runId, pid: holder!.pid },
        `taking over ${key} from run ${holder!.runId}, whose process (pid ${holder!.pid}) is gone`,
      )
      ws.store.releaseLease(key, holder!.runId)
      waited = true
      continue
    }
    if (!waited) {
      rc.log.info(
        { asset: key, holder: holder?.runId },
        `waiting for run ${holder?.runId ?? '?'} (pid ${holder?.pid ?? '?'}), which is materializing ${key}`,
      )
      waited = true
    }
    if (rc.signal.aborted) return false
    await sleep(100)
  }
  // Another run may have recorded this asset (or its inputs) since this run loaded the store: it did
  // if we had to wait, or if the store's current record is not the one we know. Re-read the store.
  if (waited || !knowsCurrentRecord(ws, key)) {
    ws.state.reload()
    rc.values.clear()
  }
  return true
}

async function schedule(
  ws: Workspace,
  rc: RunContext,
  planned: number[],
  force: boolean,
  concurrency: number,
  summary: RunSummary,
  emit: (e: RunEvent) => void,
  graceMs: number,
): Promise<void> {
  const st = ws.state
  const inPlan = new Set(planned)
  const pending = new Map<number, number>()
  const children = new Map<number, number[]>()
  for (const v of planned) {
    const deps = new Set(
      st
        .asset(v)
        .deps.map((d) => st.ids.get(d.key)!)
        .filter((d) => inPlan.has(d)),
    )
    pending.set(v, deps.size)
    for (const d of deps) children.set(d, [...(children.get(d) ?? []), v])
  }
  const doomed = new Map<number, SkipReason>()
  const ready = planned.filter((v) => pending.get(v) === 0)
  let active = 0
  let wake: (() => void) | undefined
  const done = new Set<number>()

  const finish = (
    v: number,
    outcome: { kind: 'materialized' } | { kind: 'skipped'; reason: SkipReason } | { kind: 'failed'; error: string },
    blockChildren?: SkipReason,
  ): void => {
    if (done.has(v)) return
    const key = st.asset(v).key
    done.add(v)
    if (outcome.kind === 'materialized') summary.materialized.push(key)
    else if (outcome.kind === 'skipped') {
      summary.skipped.push({ key, reason: outcome.reason })
      emit({ type: 'asset_skipped', key, reason: outcome.reason })
      ws.store.appendEvent(rc.runId, 'asset_skipped', key, { reason: outcome.reason })
    } else summary.failed.push({ key, error: rc.scrub(outcome.error) })
    for (const c of children.get(v) ?? []) {
      if (blockChildren !== undefined && !doomed.has(c)) doomed.set(c, blockChildren)
      const left = pending.get(c)! - 1
      pending.set(c, left)
      if (left === 0) ready.push(c)
    }
  }

  const start = async (v: number): Promise<void> => {
    const a = st.asset(v)
    const reason = doomed.get(v)
    if (reason !== undefined) return finish(v, { kind: 'skipped', reason }, reason)
    if (!force && !callNative(() => st.graph.needsRun(v)))
      return finish(v, { kind: 'skipped', reason: 'upstream_unchanged' })
    if (rc.signal.aborted) return finish(v, { kind: 'skipped', reason: 'cancelled' }, 'cancelled')
    if (!(await acquireLease(ws, rc, v))) return finish(v, { kind: 'skipped', reason: 'cancelled' }, 'cancelled')
    const renew = setInterval(() => ws.store.renewLease(a.key, rc.runId, LEASE_TTL_MS), LEASE_TTL_MS / 3)
    try {
      // Re-verify under the lease: another run may have just built it.
      if (!force && !callNative(() => st.graph.needsRun(v)))
        return finish(v, { kind: 'skipped', reason: 'upstream_unchanged' })
      const outcome = await materializeAsset(rc, v, ws.project.retry)
      if (rc.closed) return
      if (!outcome.ok)
        return finish(
          v,
          outcome.cancelled ? { kind: 'skipped', reason: 'cancelled' } : { kind: 'failed', error: outcome.error },
          outcome.cancelled ? 'cancelled' : outcome.checkFailed ? 'check_failed' : 'upstream_failed',
        )
      finish(v, { kind: 'materialized' })
    } finally {
      clearInterval(renew)
      ws.store.releaseLease(a.key, rc.runId)
    }
  }

  while (done.size < planned.length) {
    while (ready.length > 0 && active < concurrency && !rc.signal.aborted) {
      const v = ready.shift()!
      active++
      void start(v)
        .catch((e: unknown) => {
          if (!done.has(v)) finish(v, { kind: 'failed', error: describeFailure(e) }, 'upstream_failed')
        })
        .finally(() => {
          active--
          wake?.()
        })
    }
    if (rc.signal.aborted && active === 0) break
    if (active === 0 && ready.length === 0) break
    if (rc.signal.aborted) {
      // Cancelled: running assets saw their signal abort; give them a bounded grace period.
      const timedOut = await Promise.race([
        new Promise<boolean>((resolve) => (wake = () => resolve(false))),
        sleep(graceMs).then(() => true),
      ])
      if (timedOut) {
        rc.closed = true
        rc.log.warn(
          { graceMs },
          `${active} asset(s) did not stop within ${graceMs} ms of the cancellation; giving up on them (nothing of theirs is recorded)`,
        )
        break
      }
      continue
    }
    await new Promise<void>((resolve) => {
      wake = resolve
      rc.signal.addEventListener('abort', () => resolve(), { once: true })
    })
  }
  for (const v of planned) if (!done.has(v)) finish(v, { kind: 'skipped', reason: 'cancelled' })
  rc.closed = true
}
