/**
 * The shapes the engine returns: the same JSON documents the `assets` command prints with `--json`
 * (docs/cli.md, "JSON output"). Tests rely on them; change them only together with docs/cli.md.
 */

/** A cause of staleness of one asset. */
export interface CauseView {
  kind: 'code_changed' | 'config_changed' | 'dep_added' | 'dep_removed' | 'upstream_data_changed'
  /** Key of the dependency the cause is about (dep_added, dep_removed, upstream_data_changed). */
  dep?: string
  message: string
}

/** Where a change started. */
export interface RootCauseView {
  key: string
  kind: CauseView['kind'] | 'new_data_version' | 'source_changed' | 'source_unobservable' | 'missing'
  message: string
}

/** One asset in `assets status --json`. */
export interface StatusEntry {
  key: string
  /** With `status --partition`: the partition this entry is about (one entry per partition). */
  partition?: string
  /** `unobservable`: a source whose observation failed (see `observation`). */
  status: 'missing' | 'stale' | 'fresh' | 'unobservable'
  /** Whether the asset is in the plan of the same selection. */
  planned: boolean
  causes: CauseView[]
  rootCauses: RootCauseView[]
  /** Latest materialization, if any. */
  last?: { runId: string; at: string; dataVersion: string }
  /** Present for source assets. */
  source?: true
  /** For an `unobservable` source: its file (if it has one) and why it could not be observed. */
  observation?: Omit<UnobservableSource, 'key'>
  /**
   * For a partitioned asset: counts of its partitions (its `status` is `fresh` when all are,
   * `missing` when none has a record, else `stale`), and the records of keys no longer in its
   * definition (`orphaned`, ignored for staleness).
   */
  partitions?: { total: number; fresh: number; stale: number; missing: number; orphaned?: number }
}

/** `assets status --json`. */
export interface StatusReport {
  assets: StatusEntry[]
}

/**
 * `assets partitions KEY --json`: an asset's partitions as runs of one status, in index order.
 *
 * @example
 * const r: PartitionsReport = { key: 'events', definition: 'daily from 2024-01-01 (UTC)', total: 3, fresh: 2, stale: 0, missing: 1, runs: [{ from: '2024-01-01', to: '2024-01-02', count: 2, status: 'fresh' }, { from: '2024-01-03', to: '2024-01-03', count: 1, status: 'missing' }] }
 */
export interface PartitionsReport {
  key: string
  /** The definition, described: `daily from 2024-01-01 (UTC)`. */
  definition: string
  total: number
  fresh: number
  stale: number
  missing: number
  /** Records of keys no longer in the definition (ignored for staleness). */
  orphaned?: number
  /** Consecutive partitions of one status: first and last key (inclusive), how many. */
  runs: { from: string; to: string; count: number; status: 'missing' | 'stale' | 'fresh' }[]
}

/** `assets plan --json` / `assets materialize --dry-run --json`. */
export interface PlanReport {
  selection: string[]
  force: boolean
  /** Planned keys in topological layers: every dep of an asset is in an earlier layer. */
  layers: string[][]
  /** Number of planned assets. */
  count: number
  /** Per planned partitioned asset: how many partitions, and which (keys and inclusive ranges). */
  partitions?: Record<string, { count: number; ranges: string[] }>
  /** Sources that planned assets read and that could not be observed (those assets will fail); absent when none. */
  unobservable?: UnobservableSource[]
}

/** A source whose observation failed: its key, its file (if it has one), and why. */
export interface UnobservableSource {
  key: string
  path?: string
  error: string
}

/** Why a planned asset did not run. */
export type SkipReason = 'upstream_unchanged' | 'upstream_failed' | 'check_failed' | 'cancelled'

/** `assets materialize --json`: every planned asset appears in exactly one list, in finishing order. */
export interface RunSummary {
  runId: string
  status: 'success' | 'failed' | 'cancelled'
  durationMs: number
  materialized: string[]
  skipped: { key: string; reason: SkipReason }[]
  failed: { key: string; error: string }[]
  /** Per partitioned asset of the plan: how many of its partitions were materialized, skipped, failed. */
  partitions?: Record<string, PartitionCountsOfRun>
}

/**
 * What a run did with the partitions of one asset.
 *
 * @example
 * const c: PartitionCountsOfRun = { planned: 7, materialized: 7, skipped: 0, failed: 0 }
 */
export interface PartitionCountsOfRun {
  planned: number
  materialized: number
  skipped: number
  failed: number
}

/** Progress events of a run, for live displays. */
export type RunEvent =
  | { type: 'run_started'; runId: string; planned: string[] }
  | { type: 'asset_started'; key: string; attempt: number; partition?: string }
  | { type: 'asset_materialized'; key: string; durationMs: number; dataVersion: string; partition?: string }
  | { type: 'asset_skipped'; key: string; reason: SkipReason }
  /** A partitioned asset's planned partitions are done (each also has its own events). */
  | { type: 'partitions_finished'; key: string; counts: PartitionCountsOfRun; durationMs: number }
  | { type: 'asset_failed'; key: string; error: string; willRetry: boolean; partition?: string }
  | { type: 'check_evaluated'; key: string; name: string; passed: boolean; blocking: boolean; message?: string }
  | { type: 'log'; key?: string; level: string; message: string }
  | { type: 'run_finished'; summary: RunSummary }

/** One asset in `assets list --json`. */
export interface AssetInfo {
  key: string
  deps: string[]
  isSource: boolean
  description?: string
  group?: string
  tags: Record<string, string | true>
  kinds: string[]
  owners: string[]
}

/** `assets graph --format json`. */
export interface LineageView {
  nodes: AssetInfo[]
  /** `[dependency, dependent]` key pairs. */
  edges: [string, string][]
}

/** One run in `assets runs --json`. */
export interface RunInfo {
  runId: string
  status: 'running' | 'success' | 'failed' | 'cancelled'
  startedAt: string
  finishedAt?: string
  selection: string[]
  materialized: number
  failed: number
  skipped: number
  /** With `--metric NAME --asset KEY`: the metric's value in that run. */
  metric?: number
  /**
   * With `--asset KEY` alone: that asset's record in this run (its last one), with the config values
   * it was built with (secrets redacted; null when none) and each metric's value (summary, else last step).
   */
  record?: { dataVersion: string; params: unknown; metrics: Record<string, number> }
  /** Its process died before it finished (kill -9, crash); its status is `failed`. */
  interrupted?: true
}

/** `assets show KEY --json`. */
export interface AssetDetail {
  info: AssetInfo
  status: StatusEntry
  history: {
    runId: string
    at: string
    kind: 'materialization' | 'observation'
    dataVersion: string
    codeVersion: string
    configHash: string
    durationMs?: number
    storagePath?: string
    /** When gc (or wipe) deleted its artifact: the record stays, its value is gone. */
    collectedAt?: string
    /** Its pin: gc keeps its artifact whatever the retention policy says. */
    pin?: { note?: string; pinnedAt: string }
    /** The config values it was built with, secrets redacted (absent for an asset without config). */
    config?: unknown
    /** The partition this record is of (a partitioned asset). */
    partition?: string
    /** Inputs consumed; `partition`: the partitions read of a partitioned input (`FROM...TO`, ranges joined by `,`). */
    inputs: { key: string; dataVersion: string; partition?: string }[]
    metadata: Record<string, unknown>
    metrics: { name: string; value: number; step?: number }[]
    checks: { name: string; passed: boolean; blocking: boolean; message?: string }[]
  }[]
  /** Its pinned records, newest first (gc and wipe keep their artifacts). */
  pins: { runId: string; at: string; note?: string; pinnedAt: string }[]
  /** Failed attempts in recent runs, newest first (retries included; a timeout names its limit). */
  failures: {
    runId: string
    at: string
    /** Attempt number, from 1, of `of` allowed. */
    attempt: number
    of: number
    error: string
    /** Where in the user's code it failed (`src/model.ts:12:7`), when the error came from there. */
    location?: string
    /** Whether another attempt followed. */
    willRetry: boolean
  }[]
}

/** Options of a run. */
export interface MaterializeOptions {
  /** Selection expressions (their union); default `['*']`. */
  select?: string[]
  /** Run every selected asset, stale or not. */
  force?: boolean
  /**
   * Partitions of the selected partitioned assets to bring up to date (`--partition`): keys or
   * inclusive ranges `FROM...TO`, their union. Default: every missing or stale partition.
   */
  partitions?: string[]
  /**
   * Assets whose code runs at once (default: project setting, else 4). An asset without checks gives
   * its place up once its output is written, while the disk makes it durable and its record is
   * written: at most 64 more assets wait on the disk that way.
   */
  concurrency?: number
  /** Run config: `{ [assetKey]: value }`, validated by each asset's zod `config` schema. */
  config?: Record<string, unknown>
  /** Cancels the run (SIGINT in the CLI): running assets see their signal abort. */
  signal?: AbortSignal
  /** Progress events. */
  onEvent?: (e: RunEvent) => void
  /** After a cancellation, how long running assets get to stop before the run gives up on them (default 10 s). */
  cancelGraceMs?: number
}

/**
 * What `wipe` did: the assets whose records it forgot, and the artifact files of those records it
 * deleted (pinned records, and records of runs still going, keep theirs).
 *
 * @example
 * const { keys, files, bytes } = await ws.wipe(['model+'])
 */
export interface WipeReport {
  keys: string[]
  files: number
  bytes: number
  /** Artifacts kept because their record is pinned. */
  pinned: number
}
