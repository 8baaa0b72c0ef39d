/**
 * Materializes one asset: loads its inputs, calls the function with retries and a timeout, checks
 * the output, stores it through the IO manager, records it (one transaction), tells the core (early
 * cutoff for its children), then evaluates its checks.
 */
import { readFile } from 'node:fs/promises'
import { inspect } from 'node:util'

import type { Logger } from 'pino'

import {
  checkOutcome,
  retryDelayMs,
  unwrapResult,
  validateInput,
  validateOutput,
  type AssetContext,
  type AssetDef,
  type NormalizedRetry,
  type SourceDef,
} from '../definitions/index.js'
import { RiversError, UserCodeError, isRiversError } from '../errors.js'
import type { IOManager } from '../io/index.js'
import { runJob, usesLauncher } from '../launchers/run-job.js'
import { callNative, nativeModule } from './native.js'
import { singleRecord } from './records.js'
import type { ProjectState } from './state.js'

/** What a run shares with each asset it materializes. */
export interface RunContext {
  runId: string
  state: ProjectState
  io: IOManager
  log: Logger
  signal: AbortSignal
  /** Values produced or loaded in this run, by id, with the data version they have. */
  values: Map<number, { value: unknown; version: string }>
  emit: (e: import('./types.js').RunEvent) => void
  /** Set when the run has given up waiting (cancel grace period over): nothing may be recorded. */
  closed: boolean
  /** Replaces the run's secret config values in a text (see `secret()`). */
  scrub: (text: string) => string
  /** The same for every string inside a JSON-like value (metadata). */
  scrubDeep: <T>(value: T) => T
}

/** Outcome of one asset. */
export type AssetOutcome =
  | { ok: true; dataVersion: string }
  | { ok: false; error: string; cancelled?: boolean; checkFailed?: boolean }

/**
 * The message of a failure, for the summary: wrapped user errors keep the asset, run and cause.
 *
 * @example
 * describeFailure(new Error('boom')) // 'boom'
 */
export function describeFailure(e: unknown): string {
  if (e instanceof UserCodeError) {
    const cause = e.cause
    return cause instanceof Error
      ? `${cause.name === 'Error' ? '' : `${cause.name}: `}${cause.message}`
      : nonErrorThrown(cause)
  }
  if (e instanceof Error) return e.message
  return inspect(e)
}

/**
 * What a thrown non-Error value reads as: the value, and the fix.
 *
 * @example
 * nonErrorThrown('disk on fire') // "threw a non-Error value: 'disk on fire'; throw new Error(…) instead, so the message and stack are kept"
 */
export function nonErrorThrown(value: unknown): string {
  return `threw a non-Error value: ${inspect(value, { depth: 2, breakLength: Infinity })}; throw new Error(…) instead, so the message and stack are kept`
}

function wrapUserError(key: string, runId: string, thrown: unknown): unknown {
  if (isRiversError(thrown)) return thrown
  const what = thrown instanceof Error ? `${thrown.name}: ${thrown.message}` : nonErrorThrown(thrown)
  return new UserCodeError('RIVERS_ASSET_FAILED', `asset "${key}" failed in run ${runId}: ${what}`, key, runId, thrown)
}

/**
 * The error of an asset stopped by cancellation (Ctrl-C, SIGTERM, or `signal` aborted).
 *
 * @example
 * throw cancelled('model')
 */
export function cancelled(key: string): RiversError {
  return new RiversError('RIVERS_CANCELLED', `asset "${key}" was cancelled before it was recorded`, { exitCode: 130 })
}

function timeoutError(key: string, ms: number): RiversError {
  return new RiversError(
    'RIVERS_TIMEOUT',
    `asset "${key}" timed out after ${ms} ms (its \`timeout\`); it was aborted through its signal. Raise the timeout or make the asset faster`,
    { exitCode: 1 },
  )
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve()
    const t = setTimeout(resolve, ms)
    signal.addEventListener('abort', () => (clearTimeout(t), resolve()), { once: true })
  })
}

/**
 * The value of an input with the data version it has. A value and its version always come from the
 * same place (this run's output, or one store record), so what is recorded as consumed is exactly
 * what the function saw, even while other runs write the same store (trace consistency).
 */
async function loadInput(rc: RunContext, depId: number): Promise<{ value: unknown; version: string }> {
  const cached = rc.values.get(depId)
  if (cached !== undefined) return cached
  const st = rc.state
  const dep = st.asset(depId)
  let loaded: { value: unknown; version: string }
  if (dep.isSource) {
    const obs = st.observed.get(dep.key)
    if (obs !== undefined && !obs.ok)
      throw new RiversError(
        'RIVERS_SOURCE_UNAVAILABLE',
        `source "${dep.key}" could not be observed: ${describeFailure(obs.error)}`,
        { exitCode: 1, cause: obs.error },
      )
    const def = dep.def as SourceDef
    const file = st.sourcePath(def)
    if (def.load === undefined && file === undefined)
      throw new RiversError(
        'RIVERS_SOURCE_UNAVAILABLE',
        `source "${dep.key}" has neither a path nor a load function, so its consumers cannot read it: give the source a \`path\` or a \`load\``,
        { exitCode: 1 },
      )
    const value =
      def.load !== undefined
        ? await def.load({
            runId: rc.runId,
            key: dep.key,
            path: file,
            log: rc.log.child({ asset: dep.key }),
            signal: rc.signal,
          })
        : await readFile(file!)
    loaded = { value, version: st.dataVersion[depId]! }
  } else {
    const record = st.store.currentRecord(dep.key)
    if (record === undefined)
      throw new RiversError(
        'RIVERS_MISSING_INPUT',
        `input "${dep.key}" has no materialization in the store (was it wiped by another command?): materialize it first`,
        { exitCode: 1 },
      )
    const io = ((dep.def as AssetDef).io as IOManager | undefined) ?? rc.io
    loaded = {
      value: await io.read({ key: dep.key }, { storagePath: record.storagePath }),
      version: record.dataVersion,
    }
  }
  rc.values.set(depId, loaded)
  return loaded
}

async function attempt(
  rc: RunContext,
  def: AssetDef,
  ctx: AssetContext<unknown>,
  inputs: Record<string, unknown>,
  timeoutMs: number | undefined,
  attemptSignal: AbortController,
): Promise<unknown> {
  // Assets with a command, resources or a launcher run through their launcher (launchers/run-job.ts).
  const call = Promise.resolve().then(() => (usesLauncher(def) ? runJob(rc, def, inputs, ctx) : def.fn(inputs, ctx)))
  if (timeoutMs === undefined) return call
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const err = timeoutError(def.key, timeoutMs)
      attemptSignal.abort(err)
      reject(err)
    }, timeoutMs)
  })
  try {
    return await Promise.race([call, timeout])
  } finally {
    clearTimeout(timer)
  }
}

/**
 * Runs asset `id` to completion: success records it; failure returns the error text.
 *
 * @example
 * const outcome = await materializeAsset(rc, id, retryDefault)
 */
export async function materializeAsset(
  rc: RunContext,
  id: number,
  retryDefault: NormalizedRetry | undefined,
): Promise<AssetOutcome> {
  const st = rc.state
  const a = st.asset(id)
  const def = a.def as AssetDef
  const depIds = a.deps.map((d) => st.ids.get(d.key)!)
  const startedAt = new Date()
  const log = rc.log.child({ asset: a.key })
  const retry = def.retry ?? retryDefault
  const maxAttempts = 1 + (retry?.maxRetries ?? 0)
  let lastError: unknown
  for (let n = 1; n <= maxAttempts; n++) {
    if (rc.signal.aborted) return { ok: false, error: cancelled(a.key).message, cancelled: true }
    rc.emit({ type: 'asset_started', key: a.key, attempt: n })
    const metadata: Record<string, unknown> = { ...def.metadata }
    const metrics: { name: string; value: number; step?: number }[] = []
    const controller = new AbortController()
    const onAbort = (): void => controller.abort(rc.signal.reason)
    rc.signal.addEventListener('abort', onAbort, { once: true })
    try {
      const inputs: Record<string, unknown> = {}
      const versions = new Map<number, string>()
      for (const [k, d] of a.deps.entries()) {
        const loaded = await loadInput(rc, depIds[k]!)
        if (loaded.version === '')
          throw new RiversError(
            'RIVERS_MISSING_INPUT',
            `asset "${a.key}" needs "${d.key}", which has no data version: materialize "${d.key}" first (or select "+${a.key}")`,
            { exitCode: 1 },
          )
        versions.set(depIds[k]!, loaded.version)
        inputs[d.name] = validateInput(def, d.name, loaded.value)
      }
      const consumed = [...versions].map(([d, v]) => [d, v] as const)
      const ctx: AssetContext<unknown> = {
        runId: rc.runId,
        key: a.key,
        config: st.configValue[id],
        log,
        signal: controller.signal,
        attempt: n,
        addMetadata: (m) => void Object.assign(metadata, m),
        addMetric: (name, value, step) =>
          void metrics.push(step === undefined ? { name, value } : { name, value, step }),
      }
      let returned: unknown
      try {
        returned = await attempt(rc, def, ctx, inputs, def.timeoutMs, controller)
      } catch (thrown) {
        throw wrapUserError(a.key, rc.runId, thrown)
      }
      const unwrapped = unwrapResult(returned)
      const value = validateOutput(def, unwrapped.value)
      Object.assign(metadata, unwrapped.metadata ?? {})
      const io = (def.io as IOManager | undefined) ?? rc.io
      const stored = await io.write({ key: a.key, runId: rc.runId }, value)
      const dataVersion =
        unwrapped.dataVersion !== undefined
          ? nativeModule().hashStrings('data-version', [unwrapped.dataVersion])
          : stored.dataVersion
      const checks = await evaluateChecks(rc, def, value)
      const failedBlocking = checks.filter((c) => c.blocking && !c.passed)
      if (failedBlocking.length > 0) {
        // The output fails a blocking check: it is not recorded (the asset stays missing or stale
        // and is planned again), the check results are.
        for (const c of checks) rc.state.store.recordCheck(c)
        const first = failedBlocking[0]!
        throw blockingCheckFailed(a.key, first.name, first.message)
      }
      const finishedAt = new Date()
      if (rc.closed || rc.signal.aborted) throw cancelled(a.key)
      const materializationId = st.store.recordMaterialization({
        runId: rc.runId,
        key: a.key,
        codeVersion: Buffer.from(st.code[id]!, 'hex'),
        configHash: Buffer.from(st.configHash[id]!, 'hex'),
        dataVersion: Buffer.from(dataVersion, 'hex'),
        inputs: consumed.map(([d, v]) => ({ key: st.asset(d).key, dataVersion: Buffer.from(v, 'hex') })),
        startedAt,
        finishedAt,
        storagePath: stored.storagePath,
        metadata: rc.scrubDeep({ ...metadata, bytes: stored.bytes, ...(n > 1 ? { attempts: n } : {}) }),
        metrics,
      })
      for (const c of checks) rc.state.store.recordCheck({ ...c, materializationId })
      callNative(() => st.graph.applyRecords(singleRecord(id, st.code[id]!, st.configHash[id]!, dataVersion, consumed)))
      st.dataVersion[id] = dataVersion
      st.last.set(a.key, { runId: rc.runId, at: finishedAt.toISOString(), dataVersion, kind: 'materialization' })
      // A streamed result was consumed by writing it: its consumers read the stored file instead.
      if (!isStream(value)) rc.values.set(id, { value, version: dataVersion })
      rc.emit({
        type: 'asset_materialized',
        key: a.key,
        durationMs: finishedAt.getTime() - startedAt.getTime(),
        dataVersion,
      })
      return { ok: true, dataVersion }
    } catch (e) {
      lastError = e
      const retryable =
        n < maxAttempts &&
        !rc.signal.aborted &&
        !(isRiversError(e) && e.code === 'RIVERS_CHECK_FAILED') &&
        retryOn(retry, e, n)
      const error = rc.scrub(describeFailure(e))
      const delayMs = retryable ? Math.round(retryDelayMs(retry!, n)) : undefined
      rc.emit({ type: 'asset_failed', key: a.key, error, willRetry: retryable })
      // Every failed attempt is an event; the last one is also the asset's failure.
      st.store.appendEvent(rc.runId, 'attempt_failed', a.key, {
        attempt: n,
        of: maxAttempts,
        error,
        willRetry: retryable,
        ...(delayMs === undefined ? {} : { retryInMs: delayMs }),
      })
      if (!retryable && !rc.signal.aborted)
        st.store.appendEvent(rc.runId, 'asset_failed', a.key, { attempts: n, error })
      log.error(
        { attempt: n, error },
        `attempt ${n} of ${maxAttempts} failed: ${error}${retryable ? `; retrying in ${delayMs} ms` : ''}`,
      )
      log.debug({ err: e }, 'failure details')
      if (!retryable) break
      await sleep(delayMs!, rc.signal)
    } finally {
      rc.signal.removeEventListener('abort', onAbort)
    }
  }
  const error = rc.scrub(describeFailure(lastError))
  if (rc.signal.aborted) return { ok: false, error, cancelled: true }
  const checkFailed = isRiversError(lastError) && lastError.code === 'RIVERS_CHECK_FAILED'
  return checkFailed ? { ok: false, error, checkFailed } : { ok: false, error }
}

/** Whether the policy retries this error; a `retryOn` that throws counts as "no" (and is logged as the failure). */
function retryOn(retry: NormalizedRetry | undefined, e: unknown, attempt: number): boolean {
  if (retry?.retryOn === undefined) return true
  try {
    return Boolean(retry.retryOn(e, attempt))
  } catch {
    return false
  }
}

type CheckRow = {
  runId: string
  key: string
  name: string
  passed: boolean
  blocking: boolean
  message?: string
  metadata?: Record<string, unknown>
}

/** Evaluates the asset's checks on its output; a check that throws counts as failed. */
async function evaluateChecks(rc: RunContext, def: AssetDef, value: unknown): Promise<CheckRow[]> {
  const rows: CheckRow[] = []
  for (const check of def.checks) {
    const row: CheckRow = { runId: rc.runId, key: def.key, name: check.name, passed: false, blocking: check.blocking }
    try {
      const outcome = checkOutcome(
        def.key,
        check.name,
        await check.fn(value, {
          runId: rc.runId,
          key: def.key,
          log: rc.log.child({ asset: def.key, check: check.name }),
          signal: rc.signal,
        }),
      )
      row.passed = outcome.passed
      if (outcome.message !== undefined) row.message = outcome.message
      if (outcome.metadata !== undefined) row.metadata = { ...outcome.metadata }
    } catch (e) {
      row.message = `check threw: ${describeFailure(wrapUserError(def.key, rc.runId, e))}`
    }
    if (row.message !== undefined) row.message = rc.scrub(row.message)
    if (row.metadata !== undefined) row.metadata = rc.scrubDeep(row.metadata)
    rc.emit({
      type: 'check_evaluated',
      key: def.key,
      name: check.name,
      passed: row.passed,
      blocking: check.blocking,
      ...(row.message === undefined ? {} : { message: row.message }),
    })
    rows.push(row)
  }
  return rows
}

/**
 * The error of an output that failed a blocking check.
 *
 * @example
 * throw blockingCheckFailed('model/evaluation', 'quality_gate', 'accuracy 0.71 < 0.9')
 */
export function blockingCheckFailed(key: string, check: string, message: string | undefined): RiversError {
  return new RiversError(
    'RIVERS_CHECK_FAILED',
    `blocking check "${check}" of asset "${key}" failed${message === undefined ? '' : `: ${message}`}; its output is not recorded and its downstream assets are skipped`,
    { exitCode: 1 },
  )
}

/** Whether a result is a stream (an async iterable), which can be read only once. */
function isStream(value: unknown): boolean {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { [Symbol.asyncIterator]?: unknown })[Symbol.asyncIterator] === 'function'
  )
}
