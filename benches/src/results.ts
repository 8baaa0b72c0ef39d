/**
 * The shape of benchmark results: one `Row` per (scenario, graph, implementation), plus memory rows,
 * the target verdicts and the machine. `latest.json` / `quick.json` hold a `BenchReport`.
 */
import type { IdOrder } from './graphs.js'
import type { MachineInfo } from './machine.js'
import type { Summary } from './stats.js'

/** Rivers and the baselines it runs beside. */
export type Impl = 'rivers' | 'reference' | 'incremental' | 'idiomatic' | 'graphology'

/** Report column order. */
export const IMPLS: readonly Impl[] = ['rivers', 'reference', 'incremental', 'idiomatic', 'graphology']

/** Display names of the implementations. */
export const IMPL_NAMES: Record<Impl, string> = {
  rivers: 'Rivers (native)',
  reference: 'reference TS (typed arrays, plan from scratch)',
  incremental: 'incremental TS (typed arrays, maintained plan as in Rust)',
  idiomatic: 'idiomatic TS (Maps, strings)',
  graphology: 'graphology (+ dag)',
}

/** Every scenario, with the title and the one-line definition the report prints. */
export const SCENARIOS = {
  build: {
    title: 'Build from JS keys',
    what: 'string keys + CSR deps (+ labels where the shape has them) in, validated graph with topological order out; Rivers includes `keys.join("\\n")` and the napi call',
  },
  cold: {
    title: 'Cold first plan',
    what: 'build from JS keys + load every record + observe every source (1% of them changed) + first whole-graph plan',
  },
  warm: {
    title: 'Warm full status + plan',
    what: 'status of every asset + the whole-graph plan, on a loaded graph where 1% of the sources changed',
  },
  'replan-source': {
    title: 'Re-plan after 1 changed source',
    what: 'set the observed version of one source + whole-graph plan (binding call and returned typed arrays included); sources rotate over a seeded sample',
  },
  'replan-1pct': {
    title: 'Re-plan after 1% changed assets',
    what: 'apply records of 1% of the non-source assets with new data versions + whole-graph plan',
  },
  'replan-code': {
    title: 'Re-plan after a code-version edit',
    what: 'set the code version of one asset + whole-graph plan; assets rotate over a seeded sample',
  },
  cone: {
    title: 'Re-plan vs cone size',
    what: 'code-version edit of an asset chosen for its number of descendants + whole-graph plan; the cone is the size of the plan returned',
  },
  reverify: {
    title: 'Run-time re-verification',
    what: 'during a run planned by a code edit of asset x (the cone: x and everything below it), apply the record of x just materialized + ask each child of x whether it must still run. `cutoff`: x produced the same data version, its children are skipped and the cone drops out of the plan; `changed`: a new data version, every child runs',
  },
  select: { title: 'Selection evaluation', what: 'evaluate one selection expression into ascending ids' },
  call: {
    title: 'One binding call',
    what: 'one call across the napi boundary, per call (batches of calls per sample)',
  },
  'e2e-status': {
    title: '`assets status` end to end',
    what: 'definitions load + store read + graph build + plan, on a generated project',
  },
  'e2e-materialize': {
    title: '`assets materialize` end to end',
    what: 'plan + run trivial assets (store writes, output files) on a generated project; cost per materialized asset',
  },
  'automation-tick': {
    title: 'Automation tick (issue 14)',
    what: 'one `Workspace.tick` on a generated project whose every asset is eager, populated store: after nothing changed, and after another store handle recorded new data versions of 100 assets (their eager children are requested); store calls counted on the `Store` seam',
  },
  'automation-latency': {
    title: 'Eager latency (issue 14)',
    what: "real processes on a temporary project `raw.txt` → `up` → `down` (`when.eager()`): `assets daemon` running (its default interval unless `--latency-interval`), a separate `assets materialize up --force` records new data; time from `up`'s record finishing to the start of the daemon's run that materializes `down` (store timestamps, same machine); one warm-up sample; the daemon must exit 0 on SIGTERM",
  },
  'drift-stats': {
    title: 'Drift statistics (issue 14)',
    what: 'ksTest / cvmTest on 2 × 100k normal values (b shifted by 0.01σ; number[] in, typed copies, sort, one merge pass, p-value), mmdTest on 2 × 2k values (median heuristic + statistic) and with 200 permutations on 2 × 1k and 2 × 2k; target: KS ≤ 20 ms',
  },
  partitions: {
    title: 'Partitions (issue 13)',
    what: 'through the binding: status counts of an asset with 1M recorded partitions, one partition status, a plan of 20 chained daily assets × 1M partitions, a re-plan after one upstream partition changes under a 7-partition window (record applied + plan), core bytes for 10M contiguous partitions; the store writing partition records in transactions of 1,000; the engine backfilling a trivial daily asset (records and output files)',
  },
  phases: {
    title: 'Where build time goes',
    what: 'the build from JS keys split into phases, and variants that isolate one cost each',
  },
} as const

export type ScenarioId = keyof typeof SCENARIOS

/** The size of the work a sample did. */
export interface Work {
  /** Assets in the graph. */
  nodes: number
  /** Dependency edges. */
  edges: number
  /** Assets in the returned plan (median over samples when they vary). */
  cone?: number
  coneMin?: number
  coneMax?: number
  /** Ids a selection returned. */
  selected?: number
  /** Children re-verified. */
  children?: number
  /** Records applied. */
  records?: number
}

/** One measured series. Times in nanoseconds. */
export interface Row {
  scenario: ScenarioId
  /** Sub-case (`+x`, `cutoff`, a phase name…). */
  variant?: string
  shape: string
  order: IdOrder
  n: number
  impl: Impl
  stats: Summary
  work: Work
  /** p50 divided by the cone (time per planned asset), where there is a cone. */
  perConeNs?: number
  /** Anything else worth keeping (phase times, counts). */
  extra?: Record<string, number | string | boolean>
}

/** Native memory of a graph with its state. */
export interface MemoryRow {
  shape: string
  order: IdOrder
  n: number
  edges: number
  /** `heapBytes()`: bytes held by the graph and its state (records of every asset loaded). */
  heapBytes: number
  /** The target's budget: 128 B per asset + 8 B per edge. */
  budgetBytes: number
  /** Growth of the process RSS across build + load, measured in a fresh child process (when measured). */
  rssDeltaBytes?: number
}

/** One target of issue 4 and its verdict. */
export interface TargetResult {
  id: string
  /** What is promised, e.g. `≤ 50 µs p50`. */
  target: string
  /** What was measured, in words, e.g. `31.2 µs p50 (dbt 100k, shuffled ids)`. */
  measured: string
  /** `PASS`, `MISS`, or `NOT MEASURED` (with the reason in `measured`). */
  verdict: 'PASS' | 'MISS' | 'NOT MEASURED'
  /** What limits it, when missed (from the phase measurements). */
  note?: string
}

/** A chart written beside the report. */
export interface ChartRef {
  file: string
  title: string
}

/** The whole result document. */
export interface BenchReport {
  mode: 'quick' | 'full'
  startedAt: string
  durationS: number
  machine: MachineInfo
  rows: Row[]
  memory: MemoryRow[]
  targets: TargetResult[]
  charts: ChartRef[]
  /** Problems met while running (a scenario that failed, a state check that did not hold). */
  problems: string[]
}
