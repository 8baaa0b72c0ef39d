/**
 * Steps 3 and 5 of a materialization: storing the output through the IO manager (its data version
 * is the content hash of the stored bytes, unless the asset returns its own), and recording it: the
 * record (store, core, cache in one `ProjectState.record`), its check results, the trackers, and where
 * its consumers in this run read it back.
 */
import { type AssetDef, unwrapResult, validateOutput } from '../definitions/index.js'
import type { IOManager, StoredOutput, WriteContext } from '../io/types.js'
import type { MetricPoint } from '../store/types.js'
import type { CheckRow } from './checks.js'
import { nativeModule } from '../native.js'
import type { AssetId } from './planner.js'
import type { NewAssetRecord } from './project-state.js'
import { type RunContext, tellTrackers } from './run-context.js'
import type { Slot } from './scheduler.js'
import { attachmentsOf } from './attachments.js'
import { userCode } from './user-code.js'

/** An output as stored. */
export interface StoredValue {
  /** The validated value, as the asset returned it (its checks see it; consumers read the stored form). */
  value: unknown
  stored: StoredOutput
  /** Data version (hex). */
  dataVersion: string
  /** Metadata the asset returned with `result()`. */
  metadata: Record<string, unknown>
}

/**
 * An output a worker already stored (a function asset run as a job by `assets worker run`): the
 * executor records it as it is instead of writing it again.
 *
 * @example
 * const output = new StoredByWorker({ value: null, stored, dataVersion: stored.dataVersion, metadata: {} })
 */
export class StoredByWorker {
  constructor(readonly output: StoredValue) {}
}

/**
 * Unwraps `result()`, validates the value against the output schema, and writes it (an output a
 * worker stored is taken as it is). With `slot`, the IO manager may free the asset's concurrency
 * slot once the value is written and only its durability is awaited (`IOManager.write`'s `written`).
 *
 * @example
 * const out = await storeOutput(run, def, returned)
 */
export async function storeOutput(
  run: RunContext,
  def: AssetDef,
  returned: unknown,
  partition?: string,
  slot?: Slot,
): Promise<StoredValue> {
  if (returned instanceof StoredByWorker) return returned.output
  const io = (def.io as IOManager | undefined) ?? run.io
  const scope = { key: def.key, runId: run.runId, projectDir: run.state.baseDir }
  return writeOutput(io, def, returned, scope, partition, slot === undefined ? undefined : () => slot.release())
}

/**
 * `storeOutput` without a run: what the executor and `assets worker run` both do with what an asset
 * returned, so both give the same data version for the same output. `written` goes to the IO
 * manager (see `IOManager.write`).
 *
 * @example
 * const out = await writeOutput(io, def, returned, { key: def.key, runId, projectDir })
 */
export async function writeOutput(
  io: IOManager,
  def: AssetDef,
  returned: unknown,
  scope: { key: string; runId: string; projectDir: string },
  partition?: string,
  written?: () => void,
): Promise<StoredValue> {
  const unwrapped = unwrapResult(returned)
  const value = validateOutput(def, unwrapped.value)
  const ctx: WriteContext = { key: def.key, runId: scope.runId }
  if (partition !== undefined) ctx.partition = partition
  if (written !== undefined) ctx.written = written
  const stored = await userCode(scope, 'io.write', () => io.write(ctx, value))
  const dataVersion =
    unwrapped.dataVersion !== undefined
      ? nativeModule().hashStrings('data-version', [unwrapped.dataVersion])
      : stored.dataVersion
  return { value, stored, dataVersion, metadata: { ...unwrapped.metadata } }
}

/** What `recordOutput` records. */
export interface OutputRecord {
  id: AssetId
  /** The partition (index and key) of a partitioned asset. */
  partition?: { index: number; key: string }
  output: StoredValue
  consumed: readonly (readonly [AssetId, string])[]
  /** Per consumed dep, the partitions read as text ('' for an unpartitioned dep). */
  inputPartitions?: readonly string[]
  checks: readonly CheckRow[]
  metadata: Record<string, unknown>
  metrics: MetricPoint[]
  startedAt: Date
  finishedAt: Date
}

/**
 * Records a materialization and tells everyone who needs to know. The core knows the record (and
 * consumers in this run where to read the output) once this resolves; `committed` resolves once
 * the store has it (group commit, see `ProjectState.recordSoon`) and its checks and trackers were
 * told, and rejects when the store refused it.
 *
 * @example
 * const { committed } = await recordOutput(run, { id, output, consumed, checks, metadata, metrics, startedAt, finishedAt })
 * await committed
 */
export async function recordOutput(run: RunContext, r: OutputRecord): Promise<{ committed: Promise<void> }> {
  const metadata = run.secrets.scrubDeep(r.metadata)
  const { committed } = await run.state.recordSoon(assetRecord(run, r, metadata))
  readBackFrom(run, r)
  const done = committed.then((recordId) => afterRecord(run, r, recordId, metadata))
  // Handled by whoever awaits it; a refusal before then is not an unhandled rejection.
  done.catch(() => undefined)
  return { committed: done }
}

/**
 * Records the outputs of many partitions in one store transaction (all or none), then tells
 * everyone who needs to know about each, as `recordOutput` does.
 *
 * @example
 * await recordPartitionOutputs(run, pending)
 */
export async function recordPartitionOutputs(run: RunContext, rs: readonly OutputRecord[]): Promise<void> {
  const metadata = rs.map((r) => run.secrets.scrubDeep(r.metadata))
  const ids = await run.state.recordPartitions(rs.map((r, i) => assetRecord(run, r, metadata[i]!)))
  for (let i = 0; i < rs.length; i++) {
    readBackFrom(run, rs[i]!)
    await afterRecord(run, rs[i]!, ids[i]!, metadata[i]!)
  }
}

/** Consumers in this run read the stored output back, as a later run would. */
function readBackFrom(run: RunContext, r: OutputRecord): void {
  const out = { storagePath: r.output.stored.storagePath, version: r.output.dataVersion }
  if (r.partition === undefined) run.values.set(r.id, out)
  else run.partitionValues.set(`${r.id}:${r.partition.index}`, out)
}

/** The engine's record of an output. */
function assetRecord(run: RunContext, r: OutputRecord, metadata: Record<string, unknown>): NewAssetRecord {
  return {
    id: r.id,
    runId: run.runId,
    kind: 'materialization',
    dataVersion: r.output.dataVersion,
    inputs: r.consumed,
    ...(r.partition === undefined ? {} : { partition: r.partition.index }),
    ...(r.inputPartitions === undefined ? {} : { inputPartitions: r.inputPartitions }),
    startedAt: r.startedAt,
    finishedAt: r.finishedAt,
    storagePath: r.output.stored.storagePath,
    metadata,
    metrics: r.metrics,
  }
}

/** After the record: its checks, the trackers, the live event. */
async function afterRecord(
  run: RunContext,
  r: OutputRecord,
  recordId: number,
  metadata: Record<string, unknown>,
): Promise<void> {
  const st = run.state
  const a = st.asset(r.id)
  const key = a.key
  const model = a.isSource ? undefined : (a.def as AssetDef).model
  for (const c of r.checks)
    await run.store.recordCheck({
      ...c,
      ...(r.partition === undefined ? {} : { partition: r.partition.key }),
      materializationId: recordId,
    })
  await tellTrackers(
    run.trackers,
    () => run.log.child({ asset: key }),
    'materialized',
    (t) =>
      t.materialized({
        runId: run.runId,
        assetKey: key,
        ...(r.partition === undefined ? {} : { partition: r.partition.key }),
        ...(model === undefined ? {} : { model: { name: model.name } }),
        recordId,
        inputs: r.consumed.map(([dep, dataVersion], i) => {
          const partition = r.inputPartitions?.[i]
          return { key: st.asset(dep).key, dataVersion, ...(partition ? { partition } : {}) }
        }),
        params: st.config.params(r.id),
        metrics: r.metrics,
        metadata,
        dataVersion: r.output.dataVersion,
        codeVersion: st.codeVersion(r.id),
        ...attachmentsField(metadata, run.storeDir),
        storagePath: r.output.stored.storagePath,
        startedAt: r.startedAt,
        finishedAt: r.finishedAt,
      }),
  )
  run.emit({
    type: 'asset_materialized',
    key,
    durationMs: r.finishedAt.getTime() - r.startedAt.getTime(),
    dataVersion: r.output.dataVersion,
    ...(r.partition === undefined ? {} : { partition: r.partition.key }),
  })
}

/** The `attachments` field of a tracked materialization, when the record lists any. */
function attachmentsField(
  metadata: Record<string, unknown>,
  storeDir: string,
): { attachments?: Readonly<Record<string, string>> } {
  if (metadata.attachments === undefined) return {}
  const attachments = attachmentsOf(metadata, storeDir)
  return Object.keys(attachments).length === 0 ? {} : { attachments }
}
