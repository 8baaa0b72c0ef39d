/**
 * Step 2 of a materialization: one attempt at the asset's code, under its timeout. A function runs
 * in this process; an asset with a command, resources or a launcher runs through its launcher
 * (`launch.ts`). Between attempts, the retry policy decides (its `retryOn` is user code too).
 */
import type { AssetContext, AssetDef, NormalizedRetry } from '../definitions/index.js'
import { isRiversError } from '../errors.js'
import { usesLauncher } from '../launchers/registry.js'
import { timedOut } from './errors.js'
import { runOnLauncher } from './launch.js'
import type { AssetId } from './planner.js'
import type { RunContext } from './run-context.js'
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
