/**
 * Shapes the store reads and writes. Hashes cross the API as 16-byte Buffers on the hot paths
 * (recording, `latestRecords`) and as 32-hex-digit strings in the history views meant for people.
 */

/** Final (or current) state of a run. */
export type RunStatus = 'running' | 'success' | 'failed' | 'cancelled'

/** What produced a record: a build of the asset, or an observation of a source. */
export type RecordKind = 'materialization' | 'observation'

/** Arguments of `Store.beginRun`. */
export interface BeginRun {
  id: string
  selection: string[]
  force: boolean
  config?: unknown
  argv?: string[]
}

/** One row of `runs`, JSON columns parsed. */
export interface RunRecord {
  id: string
  startedAt: string
  finishedAt: string | null
  status: RunStatus
  selection: string[]
  force: boolean
  config: unknown
  argv: string[] | null
  pid: number | null
  host: string | null
  summary: unknown
}

/** A metric point attached to a record. `step` absent means a single summary value. */
export interface MetricPoint {
  name: string
  value: number
  step?: number
}

/** Arguments of `Store.recordMaterialization`. Hash buffers must be 16 bytes. */
export interface NewRecord {
  runId: string
  key: string
  partition?: string
  kind?: RecordKind
  codeVersion: Uint8Array
  configHash: Uint8Array
  dataVersion: Uint8Array
  inputs: { key: string; dataVersion: Uint8Array; partition?: string }[]
  startedAt: Date
  finishedAt: Date
  storagePath?: string
  metadata?: Record<string, unknown>
  metrics?: MetricPoint[]
}

/**
 * The latest record of every (unpartitioned) asset, columnar: row `i` is `keys[i]`; its hashes are
 * bytes `16*i .. 16*i+16` of the hash buffers; its inputs are `depOffsets[i] .. depOffsets[i+1]` of
 * `depKeys` / `depVersions` (16 bytes each), in recorded order. Rows come in key order today; map
 * keys to ids yourself rather than relying on it.
 */
export interface LatestRecords {
  keys: string[]
  codeVersions: Buffer
  configHashes: Buffer
  dataVersions: Buffer
  depOffsets: Uint32Array
  depKeys: string[]
  depVersions: Buffer
  runIds: string[]
  finishedAt: string[]
  kinds: RecordKind[]
}

/**
 * The same latest records as {@link LatestRecords}, packed as one read hands them over: every
 * per-record text column is one string joined by `\n` (`''` when there is no row), so reading
 * 100k records makes a handful of strings instead of one per record and per input. Row `i`'s
 * inputs are the next `inputCounts[i]` lines of `inputKeys` and 16-byte slices of `inputVersions`.
 */
export interface PackedLatestRecords {
  /** Number of records. */
  count: number
  keys: string
  codeVersions: Buffer
  configHashes: Buffer
  dataVersions: Buffer
  inputCounts: Uint32Array
  inputKeys: string
  inputVersions: Buffer
  runIds: string
  finishedAt: string
  kinds: string
}

/**
 * Where a reader of the latest records stands: the highest record id it has seen, and how many
 * latest rows had been deleted (wiped) when it looked.
 *
 * @example
 * const { cursor } = await store.latestRecordsSince()
 */
export interface LatestCursor {
  record: number
  deletes: number
}

/**
 * What `Store.latestRecordsSince` returns: the latest records changed since the cursor given, or,
 * when `all` is true (no cursor, a wipe since, or too many changes), every latest record.
 *
 * @example
 * const { all, packed, cursor } = await store.latestRecordsSince(previous)
 */
export interface LatestChanges {
  cursor: LatestCursor
  all: boolean
  packed: PackedLatestRecords
  /**
   * When `all` is false and they were asked for: the partitioned latest rows recorded since the
   * cursor (a store that leaves them out makes readers with partitioned assets reload everything).
   */
  partitions?: PackedPartitionRecords
  /**
   * What `Store.othersVersion()` read just before these records, from a store that has it (so a
   * refresh needs no query of its own for it); undefined: not known.
   */
  othersVersion?: number
}

/** Arguments of `Store.recordCheck`. */
export interface NewCheckResult {
  runId: string
  key: string
  partition?: string
  materializationId?: number
  name: string
  passed: boolean
  blocking?: boolean
  message?: string
  metadata?: Record<string, unknown>
  at?: Date
}

/** One row of `check_results`. */
export interface CheckResult {
  id: number
  runId: string
  key: string
  partition: string
  materializationId: number | null
  name: string
  passed: boolean
  blocking: boolean
  message: string | null
  metadata: Record<string, unknown> | null
  at: string
}

/** One row of `events`. */
export interface EventRecord {
  id: number
  runId: string
  at: string
  type: string
  key: string | null
  data: unknown
}

/** A record as `assetHistory` shows it: hashes in hex, with inputs, metrics and check results. */
export interface HistoryRecord {
  id: number
  runId: string
  key: string
  partition: string
  kind: RecordKind
  codeVersion: string
  configHash: string
  dataVersion: string
  startedAt: string
  finishedAt: string
  durationMs: number
  storagePath: string | null
  metadata: Record<string, unknown> | null
  inputs: { key: string; partition: string; dataVersion: string }[]
  metrics: MetricPoint[]
  checks: CheckResult[]
  /** The config values it was built with, secrets redacted (null: not recorded, e.g. an observation). */
  params: unknown
  /** Whether this record is the asset's current one (in `latest`). */
  isLatest: boolean
  /** When `wipe` forgot it, else null. */
  wipedAt: string | null
  /** When `gc` (or `wipe`) deleted its artifact, else null: the record stays, its value is gone. */
  collectedAt: string | null
  /** Its pin (kept by gc whatever the retention says), else null. */
  pin: { note: string | null; pinnedAt: string } | null
}

/** A pinned record, as `Store.pin` and `Store.pins` report it. */
export interface PinRecord {
  materializationId: number
  key: string
  partition: string
  runId: string
  finishedAt: string
  storagePath: string | null
  note: string | null
  pinnedAt: string
}

/**
 * A record whose artifact is still stored (a storage path, not collected), as gc weighs it: whether
 * it is current, pinned or wiped, and when it was built.
 */
export interface ArtifactRecord {
  id: number
  key: string
  partition: string
  runId: string
  finishedAt: string
  storagePath: string
  isLatest: boolean
  pinned: boolean
  wipedAt: string | null
}

/** One point of `metricHistory`: the metric's value in one record. */
export interface MetricHistoryPoint {
  materializationId: number
  runId: string
  finishedAt: string
  /** The summary value (no step) if present, else the value at the highest step. */
  value: number
  step: number | null
}

/** A held lease, as `getLease` reports it. */
export interface Lease {
  key: string
  partition: string
  runId: string
  pid: number
  host: string
  acquiredAt: number
  expiresAt: number
}

/** State of a job as the `jobs` table stores it (the launchers' common vocabulary). */
export type JobRowState =
  | 'pending'
  | 'running'
  | 'succeeded'
  | 'failed'
  | 'cancelled'
  | 'timeout'
  | 'oom'
  | 'node_fail'
  | 'preempted'

/** Arguments of `Store.insertJob`. */
export interface NewJob {
  runId: string
  key: string
  partition?: string
  attempt?: number
  launcher: string
  /** Hash of what the job computes; a restarted run reattaches only to a job with the same one. */
  fingerprint: string
  handle?: unknown
  state?: JobRowState
  reason?: string
  submittedAt?: Date
}

/** Fields `Store.updateJob` changes (absent: unchanged). */
export interface JobUpdate {
  runId?: string
  handle?: unknown
  state?: JobRowState
  reason?: string | null
  startedAt?: Date | null
  finishedAt?: Date | null
  exitCode?: number | null
}

/** One row of `jobs`, the handle parsed. */
export interface JobRecord {
  id: number
  runId: string
  key: string
  partition: string
  attempt: number
  launcher: string
  fingerprint: string
  handle: unknown
  state: JobRowState
  reason: string | null
  submittedAt: string
  startedAt: string | null
  finishedAt: string | null
  exitCode: number | null
}

/**
 * Arguments of `Store.beginTick`.
 *
 * @example
 * const t: NewTick = { startedAt: new Date(), dryRun: false }
 */
export interface NewTick {
  startedAt: Date
  dryRun: boolean
}

/**
 * Arguments of `Store.finishTick`: counts, the runs launched, an error, and the run that carried out
 * each requested decision.
 *
 * @example
 * const t: TickEnd = { evaluated: 3, requested: 1, runIds: ['20261205T100000Z-abc123'], decisionRuns: [['model', '20261205T100000Z-abc123']] }
 */
export interface TickEnd {
  evaluated: number
  requested: number
  runIds: string[]
  error?: string
  /** `[asset key, run id]` of the decisions carried out by a run of this tick. */
  decisionRuns?: [key: string, runId: string][]
}

/**
 * One decision to store (`Store.recordDecisions`).
 *
 * @example
 * const d: NewDecision = { key: 'model', requested: true, tree: { kind: 'eager', path: '', value: true, label: 'eager' } }
 */
export interface NewDecision {
  key: string
  requested: boolean
  /** The evaluated condition tree (JSON). */
  tree: unknown
  runId?: string
}

/**
 * One stored decision, with the time of its tick.
 *
 * @example
 * const [last] = await store.automationDecisions({ key: 'model', limit: 1 })
 */
export interface AutomationDecisionRecord {
  id: number
  tickId: number
  /** When the tick started (ISO). */
  at: string
  key: string
  partition: string
  requested: boolean
  tree: unknown
  runId: string | null
}

/**
 * One stored tick.
 *
 * @example
 * const [tick] = await store.automationTicks({ limit: 1 })
 */
export interface AutomationTickRecord {
  id: number
  startedAt: string
  finishedAt: string | null
  dryRun: boolean
  evaluated: number
  requested: number
  runIds: string[]
  error: string | null
}

/**
 * The latest records of partitioned assets (`partition` not `''`), packed like
 * {@link PackedLatestRecords}: row `i` is asset line `i` of `keys` and partition line `i` of
 * `partitions`; rows come grouped by asset in the order the keys were asked for, each asset's
 * partitions in string order. `inputPartitions` holds one line per input, aligned with `inputKeys`
 * (`''` for an unpartitioned dependency, a key or a `FROM...TO` range otherwise); with `n` inputs
 * in all it has `n - 1` newlines, so `''` is one empty line when `n` is 1 and no line when it is 0.
 *
 * @example
 * const p: PackedPartitionRecords = await store.latestPartitionRecords!(['events'])
 * p.partitions.split('\n') // ['2024-01-01', '2024-01-02']
 */
export interface PackedPartitionRecords extends PackedLatestRecords {
  /** Partition key of each record, `\n`-joined (never `''`: these are partitioned records). */
  partitions: string
  /** Partition (or range) of each input's dependency, `\n`-joined, `''` lines for unpartitioned ones. */
  inputPartitions: string
}

/**
 * Where a backfill stands.
 *
 * @example
 * const s: BackfillStatus = 'interrupted'
 */
export type BackfillStatus = 'running' | 'done' | 'failed' | 'cancelled' | 'interrupted'

/**
 * Arguments of `Store.createBackfill`: the selection it was started with, the partition key ranges
 * per asset (`[from, to]`, inclusive), the batch size and how many partitions each asset plans.
 *
 * @example
 * const b: NewBackfill = { id: 'bf-1', selection: ['events+'], ranges: { events: [['2024-01-01', '2024-01-31']] },
 *   batch: 10, planned: { events: 31 } }
 */
export interface NewBackfill {
  id: string
  selection: string[]
  ranges: Record<string, [from: string, to: string][]>
  batch: number
  /** Partitions planned per asset (the progress rows start at done 0, failed 0). */
  planned: Record<string, number>
  createdAt?: Date
}

/**
 * Progress counts of one asset of a backfill (`Store.updateBackfillProgress` sets them).
 *
 * @example
 * const p: BackfillProgress = { key: 'events', planned: 31, done: 12, failed: 1 }
 */
export interface BackfillProgress {
  key: string
  planned: number
  done: number
  failed: number
}

/**
 * Counts of one asset to set with `Store.updateBackfillProgress`; `planned` absent keeps the stored one.
 *
 * @example
 * const u: BackfillProgressUpdate = { key: 'events', done: 13, failed: 1 }
 */
export type BackfillProgressUpdate = Omit<BackfillProgress, 'planned'> & { planned?: number }

/**
 * One stored backfill with its progress per asset (in asset key order).
 *
 * @example
 * const b: BackfillRecord | undefined = (await store.backfills!({ limit: 1 }))[0]
 */
export interface BackfillRecord {
  id: string
  createdAt: string
  updatedAt: string
  selection: string[]
  ranges: Record<string, [from: string, to: string][]>
  batch: number
  status: BackfillStatus
  /** Runs started for it, oldest first. */
  runIds: string[]
  progress: BackfillProgress[]
}

/**
 * A move of a model alias (`champion`, `challenger`) to a version of a model asset, as
 * `Store.moveModelAlias` takes it: a promotion, or a rollback to the version it named before.
 */
export interface NewAliasMove {
  key: string
  alias: string
  /** The version the alias now names (numbered by the registry from the asset's records). */
  version: number
  /** A record of that version (a materialization of `key`). */
  recordId: number
  /** `promote` (also a forced one) or `rollback` (undoes the promotion that made the current version). */
  action: 'promote' | 'rollback'
  /** Why it moved (`assets promote --reason`), shown in the alias history. */
  reason?: string
  /** Who moved it (user@host, or `automation`). */
  actor?: string
  /**
   * Compare and set: the version the mover saw the alias name (null: none). When the alias names
   * another version by then, the move is refused (someone moved it meanwhile) and nothing is written.
   */
  expect?: number | null
}

/** One stored move of a model alias. */
export interface AliasMoveRecord {
  id: number
  key: string
  alias: string
  version: number
  recordId: number
  action: 'promote' | 'rollback'
  /** The version the alias named before this move (null: none). */
  previous: number | null
  reason: string | null
  actor: string | null
  movedAt: string
}
