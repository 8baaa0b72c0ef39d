/**
 * Step 2 of a materialization: one attempt at the asset's code, under its timeout. A function runs
 * in this process; an asset with a command, resources or a launcher runs through its launcher
 * (`launch.ts`). Between attempts, the retry policy decides (its `retryOn` is user code too).
 */
import { type AssetContext, type AssetDef, type NormalizedRetry, retryDelayMs } from '../definitions/index.js'
import { isRiversError } from '../errors.js'
import { usesLauncher } from '../launchers/registry.js'
import { timedOut } from './errors.js'
import { runOnLauncher } from './launch.js'
import type { AssetId } from './planner.js'
import type { RunContext } from './run-context.js'
import type { Slot } from './scheduler.js'
import { userCode } from './user-code.js'

/**
 * Calls the asset (its function, or its launcher) and resolves to what it returned. Past the
 * asset's `timeout`, the attempt's signal aborts and the attempt fails with a timeout.
 *
 * @example
 * const returned = await callAsset(run, id, def, ctx, inputs, controller)
 */
export async function callAsset(
  run: RunContext,
  id: AssetId,
  def: AssetDef,
  ctx: AssetContext<unknown>,
  inputs: Record<string, unknown>,
  controller: AbortController,
): Promise<unknown> {
  const scope = { key: def.key, runId: run.runId, projectDir: run.state.baseDir }
  const call = Promise.resolve().then(() =>
    usesLauncher(def) ? runOnLauncher(run, id, def, inputs, ctx) : userCode(scope, 'asset', () => def.fn(inputs, ctx)),
  )
  const timeoutMs = def.timeoutMs
  if (timeoutMs === undefined) return call
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const err = timedOut(def.key, timeoutMs)
      controller.abort(err)
      reject(err)
    }, timeoutMs)
  })
  try {
    return await Promise.race([call, timeout])
  } finally {
    clearTimeout(timer)
  }
}

/** How a series of attempts ended. */
export type Attempted<T> =
  | { ok: true; value: T }
  /** The run was cancelled before an attempt began (also after a retry pause). */
  | { ok: false; stopped: 'before' }
  /** The run was cancelled while attempt `n` ran; it failed with `error`. */
  | { ok: false; stopped: 'during'; error: unknown; n: number }
  /** The last attempt failed with `error` (no retry left, or the policy said no). */
  | { ok: false; error: unknown }

/**
 * Runs `attempt` (1, 2, …) until it succeeds or the retry policy stops: each failed attempt is
 * reported to `failed` with the delay before the next one (undefined: none), then the delay is
 * waited out. Each attempt gets its own AbortController from the run. With the visit's `slot`, a
 * failed attempt that released it (see `Slot`) takes one again before anything else runs.
 *
 * @example
 * const r = await withRetries(run, def.key, retry, async (n) => n, async () => undefined)
 * if (r.ok) console.log(`succeeded at attempt ${r.value}`)
 */
export async function withRetries<T>(
  run: RunContext,
  key: string,
  retry: NormalizedRetry | undefined,
  attempt: (n: number, controller: AbortController) => Promise<T>,
  failed: (error: unknown, n: number, of: number, retryInMs: number | undefined) => Promise<void>,
  slot?: Slot,
): Promise<Attempted<T>> {
  const maxAttempts = 1 + (retry?.maxRetries ?? 0)
  let lastError: unknown
  for (let n = 1; n <= maxAttempts; n++) {
    if (run.signal.aborted) return { ok: false, stopped: 'before' }
    const controller = run.attempts.open()
    try {
      return { ok: true, value: await attempt(n, controller) }
    } catch (e) {
      lastError = e
      if (slot !== undefined) await slot.acquire()
      if (run.signal.aborted) return { ok: false, stopped: 'during', error: e, n }
      const retryable = await shouldRetry(run, key, retry, e, n, maxAttempts)
      const delayMs = retryable ? Math.round(retryDelayMs(retry!, n)) : undefined
      await failed(e, n, maxAttempts, delayMs)
      if (!retryable) break
      await pause(delayMs!, run.signal)
    } finally {
      run.attempts.close(controller)
    }
  }
  return { ok: false, error: lastError }
}

/**
 * Whether a failed attempt is retried: attempts left, the run not cancelled, not a failed blocking
 * check, and the policy's `retryOn` (if any) says yes. A `retryOn` that throws counts as "no" and is
 * logged.
 *
 * @example
 * if (await shouldRetry(run, def.key, retry, error, n, maxAttempts)) await pause(delay, run.signal)
 */
export async function shouldRetry(
  run: RunContext,
  key: string,
  retry: NormalizedRetry | undefined,
  error: unknown,
  attempt: number,
  maxAttempts: number,
): Promise<boolean> {
  if (attempt >= maxAttempts || run.signal.aborted) return false
  if (isRiversError(error) && error.code === 'RIVERS_CHECK_FAILED') return false
  const retryOn = retry?.retryOn
  if (retryOn === undefined) return true
  try {
    const scope = { key, runId: run.runId, projectDir: run.state.baseDir }
    return Boolean(await userCode(scope, 'retryOn', () => retryOn(error, attempt)))
  } catch (e) {
    run.log.warn({ asset: key, err: e }, `retryOn of ${key} threw, so the failure is not retried: ${String(e)}`)
    return false
  }
}

/**
 * Waits `ms`, or less if the signal aborts.
 *
 * @example
 * await pause(1000, run.signal)
 */
export function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve()
    // The listener goes with the pause: retries must not leave one behind per pause.
    const onAbort = (): void => {
      clearTimeout(t)
      resolve()
    }
    const t = setTimeout(() => {
      signal.removeEventListener('abort', onAbort)
      resolve()
    }, ms)
    signal.addEventListener('abort', onAbort, { once: true })
  })
}
