/**
 * Timing: run an operation repeatedly after warm-up and collect per-sample wall times with
 * `process.hrtime.bigint()`. Only the operation is timed; `before`/`after` hooks (resetting state,
 * reading the size of the work) run outside the clock.
 */
import { summarize, type Summary } from './stats.js'

/** How many samples to take and how long to keep sampling. */
export interface Budget {
  /** Untimed runs first (JIT, caches, lazy allocation). */
  warmup: number
  /** Always take at least this many samples… */
  minSamples: number
  /** …and at most this many… */
  maxSamples: number
  /** …stopping early once this much wall time (hooks included) is spent after `minSamples`. */
  budgetMs: number
  /** Operations per sample for sub-microsecond calls; the sample is the mean of the batch. */
  batch?: number
  /** Collect garbage before each sample (for operations that allocate a lot). Needs `--expose-gc`. */
  gcEachSample?: boolean
  /**
   * For operations that may take seconds (baselines on 1M assets): when the first warm-up run takes
   * longer than `thresholdMs`, the other warm-up runs are skipped and `minSamples` drops to `samples`.
   */
  slow?: { thresholdMs: number; samples: number }
}

/** The sample count a budget settles on once the first warm-up run took `firstMs`. */
export function adapt(budget: Budget, firstMs: number): { warmupLeft: number; minSamples: number; maxSamples: number } {
  const slow = budget.slow !== undefined && firstMs > budget.slow.thresholdMs
  const minSamples = slow ? Math.min(budget.minSamples, budget.slow!.samples) : budget.minSamples
  return {
    warmupLeft: slow ? 0 : Math.max(0, budget.warmup - 1),
    minSamples,
    maxSamples: slow ? minSamples : budget.maxSamples,
  }
}

/** Per-sample hooks; `i` counts samples from 0 (warm-up runs get -1, -2, …). */
export interface Hooks<T> {
  before?: (i: number) => void
  after?: (i: number, result: T) => void
}

/** Samples of one measurement (nanoseconds per operation) and their summary. */
export interface Measurement {
  samplesNs: number[]
  stats: Summary
}

const gc: (() => void) | undefined = (globalThis as { gc?: () => void }).gc

/** Collects garbage if the process runs with `--expose-gc` (`npm run bench` does). */
export function collectGarbage(): void {
  gc?.()
}

/**
 * Collects garbage and lets the event loop turn twice. Node runs the finalizers of collected native
 * objects (each `NativeGraph` frees its Rust memory there) from the event loop, not during the
 * collection: a long synchronous series that builds graphs holds all their native memory until it
 * yields (1M-asset graphs are ~150 MB each). Call between series.
 */
export async function settle(): Promise<void> {
  for (let i = 0; i < 2; i++) {
    collectGarbage()
    await new Promise<void>((resolve) => setImmediate(resolve))
  }
}

/**
 * Times `op` per `budget`. Returns the samples in nanoseconds per operation.
 *
 * @example
 * const m = measure(() => graph.plan(null), { warmup: 50, minSamples: 200, maxSamples: 2000, budgetMs: 500 })
 * m.stats.p50 // ns
 */
export function measure<T>(op: (i: number) => T, budget: Budget, hooks: Hooks<T> = {}): Measurement {
  const batch = Math.max(1, budget.batch ?? 1)
  collectGarbage()
  let plan = { warmupLeft: 0, minSamples: budget.minSamples, maxSamples: budget.maxSamples }
  for (let w = 0; w < 1 + plan.warmupLeft && budget.warmup > 0; w++) {
    const i = -1 - w
    hooks.before?.(i)
    let r: T | undefined
    const t0 = performance.now()
    for (let b = 0; b < batch; b++) r = op(i)
    if (w === 0) plan = adapt(budget, performance.now() - t0)
    hooks.after?.(i, r as T)
  }
  const samplesNs: number[] = []
  const started = performance.now()
  for (let i = 0; i < plan.maxSamples; i++) {
    if (i >= plan.minSamples && performance.now() - started > budget.budgetMs) break
    if (budget.gcEachSample) collectGarbage()
    hooks.before?.(i)
    let r: T | undefined
    const t0 = process.hrtime.bigint()
    for (let b = 0; b < batch; b++) r = op(i)
    const t1 = process.hrtime.bigint()
    samplesNs.push(Number(t1 - t0) / batch)
    hooks.after?.(i, r as T)
  }
  return { samplesNs, stats: summarize(samplesNs) }
}

/**
 * The same for an asynchronous operation (end-to-end runs, child processes).
 *
 * @example
 * const m = await measureAsync(() => runCli(['status']), { warmup: 1, minSamples: 3, maxSamples: 5, budgetMs: 20_000 })
 */
export async function measureAsync<T>(
  op: (i: number) => Promise<T>,
  budget: Budget,
  hooks: Hooks<T> = {},
): Promise<Measurement> {
  collectGarbage()
  let plan = { warmupLeft: 0, minSamples: budget.minSamples, maxSamples: budget.maxSamples }
  for (let w = 0; w < 1 + plan.warmupLeft && budget.warmup > 0; w++) {
    const i = -1 - w
    hooks.before?.(i)
    const t0 = performance.now()
    const r = await op(i)
    if (w === 0) plan = adapt(budget, performance.now() - t0)
    hooks.after?.(i, r)
  }
  const samplesNs: number[] = []
  const started = performance.now()
  for (let i = 0; i < plan.maxSamples; i++) {
    if (i >= plan.minSamples && performance.now() - started > budget.budgetMs) break
    if (budget.gcEachSample) collectGarbage()
    hooks.before?.(i)
    const t0 = process.hrtime.bigint()
    const r = await op(i)
    const t1 = process.hrtime.bigint()
    samplesNs.push(Number(t1 - t0))
    hooks.after?.(i, r)
  }
  return { samplesNs, stats: summarize(samplesNs) }
}
