/**
 * Materializing one asset, as named steps: load its inputs (`inputs.ts`), attempt its code with
 * retries and a timeout (`attempt.ts`), store the output (`outputs.ts`), run its checks
 * (`checks.ts`), record it (`outputs.ts`). A failed attempt is an event; the last one is the
 * asset's failure.
 */
import path from 'node:path'

import type { AssetContext, AssetDef, AssetPartition, NormalizedRetry } from '../definitions/index.js'
import { isRiversError, UserCodeError } from '../errors.js'
import type { MetricPoint } from '../store/types.js'
import { attachFile, noteAttachment } from './attachments.js'
import { callAsset, withRetries } from './attempt.js'
import { evaluateChecks, refuseIfBlocked } from './checks.js'
import { cancelled, describeFailure } from './errors.js'
import { loadInputs } from './inputs.js'
import { functionRunsAsJob } from './launch.js'
import { partitionContext } from './partition-inputs.js'
import { type OutputRecord, recordOutput, storeOutput } from './outputs.js'
import type { AssetId } from './planner.js'
import type { RunContext } from './run-context.js'
import type { Slot } from './scheduler.js'

/** Outcome of one asset. */
export type AssetOutcome =
  /** `committed`: the record's commit (group commit) and what follows it, when not handed to `defer`. */
  | { ok: true; dataVersion: string; committed?: Promise<void> }
  | { ok: false; error: string; cancelled?: boolean; checkFailed?: boolean }

/**
 * Runs asset `id` to completion: success records it (the core knows the record; `committed`
 * resolves once the store has it); failure returns the error text. With
 * `defer` (a partition of a backfill), the record is handed to `defer` instead, to be written with
 * others in one transaction: the output is durable, the record is not yet. With the visit's `slot`,
 * an asset without checks frees it once its output is written and only waits for the disk (see
 * `Slot`): the next asset runs meanwhile.
 *
 * @example
 * const outcome = await materializeAsset(run, id, project.retry)
 */
export async function materializeAsset(
  run: RunContext,
  id: AssetId,
  retryDefault: NormalizedRetry | undefined,
  partitionIndex?: number,
  defer?: (r: OutputRecord) => void,
  slot?: Slot,
): Promise<AssetOutcome> {
  const a = run.state.asset(id)
  const def = a.def as AssetDef
  const partDef = partitionIndex === undefined ? undefined : run.state.partitionsOf(id)
  const partition =
    partDef === undefined ? undefined : partitionContext(partDef, partitionIndex!, run.state.partitions!.now)
  const tag = partition === undefined ? {} : { partition: partition.key }
  const label = partition === undefined ? a.key : `${a.key} [${partition.key}]`
  const startedAt = new Date()
  const r = await withRetries(
    run,
    a.key,
    def.retry ?? retryDefault,
    (n, controller) => {
      run.emit({ type: 'asset_started', key: a.key, attempt: n, ...tag })
      return attempt(run, id, def, n, controller, startedAt, partition, defer, slot)
    },
    (e, n, of, retryInMs) => reportFailure(run, a.key, e, n, of, retryInMs, partition?.key),
    slot,
  )
  if (r.ok) return { ok: true, ...r.value }
  // Stopped by Ctrl-C: the asset is reported once, as skipped (cancelled), never as failed.
  if ('stopped' in r)
    return r.stopped === 'before'
      ? { ok: false, error: cancelled(label).message, cancelled: true }
      : reportCancelled(run, a.key, r.error, r.n)
  const error = run.secrets.scrub(describeFailure(r.error))
  if (run.signal.aborted) return { ok: false, error, cancelled: true } // aborted during the retry pause
  const checkFailed = isRiversError(r.error) && r.error.code === 'RIVERS_CHECK_FAILED'
  return checkFailed ? { ok: false, error, checkFailed } : { ok: false, error }
}

/** One attempt, step by step; resolves to the recorded data version (and the record's commit). */
async function attempt(
  run: RunContext,
  id: AssetId,
  def: AssetDef,
  n: number,
  controller: AbortController,
  startedAt: Date,
  partition: AssetPartition | undefined,
  defer: ((r: OutputRecord) => void) | undefined,
  slot: Slot | undefined,
): Promise<{ dataVersion: string; committed?: Promise<void> }> {
  const byReference = functionRunsAsJob(run, def)
  const { inputs, consumed, partitions } = await loadInputs(run, id, partition?.index, byReference)
  const { ctx, metadata, metrics } = attemptContext(run, id, def, n, controller, partition?.key, partition)
  const returned = await callAsset(run, id, def, ctx, inputs, controller)
  // Without checks, nothing of the user's runs after the write: the slot is free while the disk works.
  const releasable = slot !== undefined && def.checks.length === 0 ? slot : undefined
  const output = await storeOutput(run, def, returned, partition?.key, releasable)
  Object.assign(metadata, output.metadata)
  const checks = await evaluateChecks(run, def, output.value)
  await refuseIfBlocked(run, def, checks)
  const finishedAt = new Date()
  if (run.gate.closed || run.signal.aborted) throw cancelled(def.key)
  const record: OutputRecord = {
    id,
    ...(partition === undefined ? {} : { partition: { index: partition.index, key: partition.key } }),
    output,
    consumed,
    inputPartitions: partitions,
    checks,
    metadata: { ...metadata, bytes: output.stored.bytes, ...(n > 1 ? { attempts: n } : {}) },
    metrics,
    startedAt,
    finishedAt,
  }
  if (defer !== undefined) {
    defer(record)
    return { dataVersion: output.dataVersion }
  }
  const { committed } = await recordOutput(run, record)
  return { dataVersion: output.dataVersion, committed }
}

/**
 * The context of one attempt, with the metadata and metrics it collects; `logPartition` binds the
 * log lines (a partition key, or the range of a batched call), `partition` is `ctx.partition`.
 *
 * @example
 * const { ctx, metadata, metrics } = attemptContext(run, id, def, 1, controller, '2024-01-05', partition)
 */
export function attemptContext(
  run: RunContext,
  id: AssetId,
  def: AssetDef,
  n: number,
  controller: AbortController,
  logPartition: string | undefined,
  partition?: AssetPartition,
): { ctx: AssetContext<unknown>; metadata: Record<string, unknown>; metrics: MetricPoint[] } {
  const metadata: Record<string, unknown> = { ...def.metadata }
  const metrics: MetricPoint[] = []
  let log: AssetContext<unknown>['log'] | undefined
  const ctx: AssetContext<unknown> = {
    runId: run.runId,
    key: def.key,
    config: run.state.config.value(id),
    // Made on first use: most assets never log, and a child logger per asset costs.
    get log() {
      log ??= run.log.child(
        logPartition === undefined ? { asset: def.key } : { asset: def.key, partition: logPartition },
      )
      return log
    },
    ...(partition === undefined ? {} : { partition }),
    // Made on first use as well (an AbortSignal is costly, and most assets never look at it).
    get signal() {
      return controller.signal
    },
    attempt: n,
    addMetadata: (m) => void Object.assign(metadata, m),
    addMetric: (name, value, step) => void metrics.push(step === undefined ? { name, value } : { name, value, step }),
    attach: async (file, name) => {
      const a = await attachFile(run.storeDir, def.key, run.runId, logPartition, file, name)
      noteAttachment(metadata, a)
      return path.join(run.storeDir, a.path)
    },
  }
  return { ctx, metadata, metrics }
}

/** An attempt that ended because the run was cancelled: an event and an info line, not a failure. */
async function reportCancelled(run: RunContext, key: string, e: unknown, attempt: number): Promise<AssetOutcome> {
  const error = run.secrets.scrub(describeFailure(e))
  await run.store.appendEvent(run.runId, 'attempt_cancelled', key, { attempt, error })
  run.log.child({ asset: key }).info({ attempt, error }, `attempt ${attempt} stopped: the run was cancelled (${error})`)
  return { ok: false, error, cancelled: true }
}

/**
 * A failed attempt: an event (and the asset's failure when it is the last), a log line, a live
 * event; `partition` tags them (a key, or the range of a batched call).
 *
 * @example
 * await reportFailure(run, 'events', error, 1, 3, 1000, '2024-01-01...2024-01-31')
 */
export async function reportFailure(
  run: RunContext,
  key: string,
  e: unknown,
  attempt: number,
  of: number,
  retryInMs: number | undefined,
  partition?: string,
): Promise<void> {
  const log = run.log.child(partition === undefined ? { asset: key } : { asset: key, partition })
  const willRetry = retryInMs !== undefined
  const error = run.secrets.scrub(describeFailure(e))
  const location = e instanceof UserCodeError ? e.location : undefined
  const tag = partition === undefined ? {} : { partition }
  run.emit({ type: 'asset_failed', key, error, willRetry, ...tag })
  await run.store.appendEvent(run.runId, 'attempt_failed', key, {
    ...tag,
    attempt,
    of,
    error,
    willRetry,
    ...(location === undefined ? {} : { location }),
    ...(willRetry ? { retryInMs } : {}),
  })
  if (!willRetry && !run.signal.aborted)
    await run.store.appendEvent(run.runId, 'asset_failed', key, { ...tag, attempts: attempt, error })
  log.error(
    { attempt, error, ...(location === undefined ? {} : { location }) },
    `attempt ${attempt} of ${of} failed: ${error}${willRetry ? `; retrying in ${retryInMs} ms` : ''}${location === undefined ? '' : ` (at ${location})`}`,
  )
  log.debug({ err: e }, 'failure details')
}
