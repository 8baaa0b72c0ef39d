/**
 * How much to measure: the quick profile (`--quick`: 10k and 100k assets, fewer repetitions, under
 * 3 minutes on 2 cores) and the full one (10k, 100k and 1M). Budgets are per measured series.
 */
import type { Budget } from './harness.js'
import type { IdOrder, Shape } from './graphs.js'
import { SHAPES } from './graphs.js'
import type { Impl } from './results.js'

/** Sizes, shapes, orders and budgets of one run. */
export interface Profile {
  mode: 'quick' | 'full'
  sizes: number[]
  shapes: readonly Shape[]
  orders: readonly IdOrder[]
  /** Incremental operations (microseconds). */
  micro: Budget
  /**
   * The baselines' side of an incremental scenario: the same budget, but an operation that turns out
   * to take milliseconds (a whole-graph re-plan at 100k+) gets a few samples, not hundreds.
   */
  microBaseline: Budget
  /** The headline (re-plan after one source on dbt): more samples for a stable p99. */
  headline: Budget
  /** Whole-graph operations (milliseconds and up): build, cold plan, warm plan. */
  whole: Budget
  /** Single binding calls, batched. */
  call: Budget
  /** Id orders run for a shape at a size. */
  ordersFor: (shape: Shape, n: number) => readonly IdOrder[]
  /** Baselines that run beside Rivers on this graph. */
  baselines: (shape: Shape, n: number) => Impl[]
  /** Cone sweep sizes (graphs of these sizes get a time-vs-cone sweep). */
  coneSizes: number[]
  /** Samples of each end-to-end command. */
  e2eSamples: number
  /**
   * Seconds an issue-12 executor run (`materialize` of 10k or 100k assets, dbt and hub) may take
   * before it is cancelled and judged on the assets it materialized.
   */
  executorCapS: number
}

const ALL_BASELINES: Impl[] = ['reference', 'incremental', 'idiomatic', 'graphology']

/**
 * The idiomatic planner checks `dep_removed` with `Array.includes` per recorded dep, as users write
 * it: quadratic in the in-degree, so on fanIn (one asset with n - 1 deps) it runs only up to `upTo`
 * assets (10k: 50 ms per plan; 100k would take seconds per plan).
 */
function withoutQuadratic(shape: Shape, n: number, impls: Impl[], upTo: number): Impl[] {
  return shape === 'fanIn' && n > upTo ? impls.filter((i) => i !== 'idiomatic') : impls
}

/** The `--quick` profile. */
export const QUICK: Profile = {
  mode: 'quick',
  sizes: [10_000, 100_000],
  shapes: SHAPES,
  orders: ['shuffled', 'topo'],
  micro: { warmup: 20, minSamples: 30, maxSamples: 400, budgetMs: 60, slow: { thresholdMs: 20, samples: 10 } },
  microBaseline: { warmup: 20, minSamples: 30, maxSamples: 400, budgetMs: 60, slow: { thresholdMs: 5, samples: 5 } },
  headline: { warmup: 200, minSamples: 1000, maxSamples: 3000, budgetMs: 400 },
  whole: {
    warmup: 1,
    minSamples: 3,
    maxSamples: 10,
    budgetMs: 150,
    gcEachSample: true,
    slow: { thresholdMs: 300, samples: 2 },
  },
  call: { warmup: 20, minSamples: 50, maxSamples: 200, budgetMs: 100, batch: 1000 },
  // Both id orders at 10k and for dbt (where the targets are judged); shuffled ids only otherwise.
  ordersFor: (shape, n) => (n <= 10_000 || shape === 'dbt' ? ['shuffled', 'topo'] : ['shuffled']),
  // The slow baselines at 100k only where the targets are judged (dbt): the rest at 10k.
  baselines: (shape, n) =>
    withoutQuadratic(shape, n, n <= 10_000 || shape === 'dbt' ? ALL_BASELINES : ['reference', 'incremental'], 0),
  coneSizes: [100_000],
  e2eSamples: 1,
  // 100k assets at the 0.3 ms target take 30 s: twice that, then the run is judged on what it did.
  executorCapS: 60,
}

/** The full profile (`npm run bench`). */
export const FULL: Profile = {
  mode: 'full',
  sizes: [10_000, 100_000, 1_000_000],
  shapes: SHAPES,
  orders: ['shuffled', 'topo'],
  micro: { warmup: 50, minSamples: 50, maxSamples: 2000, budgetMs: 400, slow: { thresholdMs: 20, samples: 10 } },
  microBaseline: { warmup: 50, minSamples: 50, maxSamples: 2000, budgetMs: 400, slow: { thresholdMs: 5, samples: 5 } },
  headline: { warmup: 500, minSamples: 5000, maxSamples: 20_000, budgetMs: 2000 },
  whole: {
    warmup: 2,
    minSamples: 5,
    maxSamples: 30,
    budgetMs: 1500,
    gcEachSample: true,
    slow: { thresholdMs: 1000, samples: 3 },
  },
  call: { warmup: 50, minSamples: 200, maxSamples: 1000, budgetMs: 500, batch: 1000 },
  ordersFor: () => ['shuffled', 'topo'],
  // At 1M the slow baselines (seconds per call, gigabytes of Maps) run on the dbt-like graph only.
  baselines: (shape, n) =>
    withoutQuadratic(
      shape,
      n,
      n >= 1_000_000 && shape !== 'dbt' ? ['reference', 'incremental'] : ALL_BASELINES,
      10_000,
    ),
  coneSizes: [100_000, 1_000_000],
  e2eSamples: 3,
  executorCapS: 400,
}
