/**
 * Batched partition functions (`asset({ partitions, batch: N }, fn)`): one call builds a run of
 * partitions. Each partition's inputs are loaded as for a one-partition call; the returned values
 * (one per partition key) are validated, stored together (`IOManager.writePartitions` when the IO
 * manager has it: one file for the call with `FileIOManager`), checked, and recorded one record per
 * partition, so staleness, early cutoff and lineage stay per partition. A failed call is retried as a
 * whole; a partition whose blocking check fails is not recorded while the others are.
 */
import {
  type AssetDef,
  type AssetPartition,
  type NormalizedRetry,
  type PartitionBatch,
  unwrapResult,
  validateOutput,
} from '../definitions/index.js'
import { RiversError } from '../errors.js'
import type { IOManager, StoredOutput } from '../io/types.js'
import { nativeModule } from '../native.js'
import { callAsset, withRetries } from './attempt.js'
import { type CheckRow, evaluateChecks } from './checks.js'
import { blockingCheckFailed, cancelled, describeFailure } from './errors.js'
import { type LoadedInputs, loadInputs } from './inputs.js'
import { attemptContext, reportFailure } from './materialize-asset.js'
import type { OutputRecord } from './outputs.js'
import { partitionContext } from './partition-inputs.js'
import type { AssetId } from './planner.js'
import type { RunContext } from './run-context.js'
import { userCode } from './user-code.js'

/** How one call ended: the partitions recorded (handed to `defer`) and those that failed. */
export type BatchOutcome =
  | { ok: true; done: number; failed: { key: string; error: string; checkFailed: boolean }[] }
  | { ok: false; error: string; cancelled?: boolean }

/**
 * Builds partitions `indexes` of asset `id` in one call of its batched function (with retries);
 * each built partition's record goes to `defer`.
 *
 * @example
 * const outcome = await materializeBatch(run, id, retry, [0, 1, 2], recorder.add)
 */
export async function materializeBatch(
  run: RunContext,
  id: AssetId,
  retryDefault: NormalizedRetry | undefined,
  indexes: readonly number[],
  defer: (r: OutputRecord) => void,
): Promise<BatchOutcome> {
  const def = run.state.asset(id).def as AssetDef
  const partDef = run.state.partitionsOf(id)!
  const now = run.state.partitions!.now
  const parts: AssetPartition[] = indexes.map((p) => partitionContext(partDef, p, now))
  const range = parts.length === 1 ? parts[0]!.key : `${parts[0]!.key}...${parts.at(-1)!.key}`
  const label = `${def.key} [${range}]`
  const startedAt = new Date()
  const r = await withRetries(
    run,
    def.key,
    def.retry ?? retryDefault,
    (n, controller) => {
      for (const p of parts) run.emit({ type: 'asset_started', key: def.key, attempt: n, partition: p.key })
      return attempt(run, id, def, parts, n, controller, startedAt, defer)
    },
    // One report for the call (its partitions as a range), not one per partition.
    (e, n, of, retryInMs) => reportFailure(run, def.key, e, n, of, retryInMs, range),
  )
  if (r.ok) return r.value
  if ('stopped' in r) {
    const error = r.stopped === 'before' ? cancelled(label).message : run.secrets.scrub(describeFailure(r.error))
    return { ok: false, error, cancelled: true }
  }
  const error = run.secrets.scrub(describeFailure(r.error))
  return run.signal.aborted ? { ok: false, error, cancelled: true } : { ok: false, error }
}

/** One call: inputs, the function, its values stored and checked, records handed on. */
async function attempt(
  run: RunContext,
  id: AssetId,
  def: AssetDef,
  parts: readonly AssetPartition[],
  n: number,
  controller: AbortController,
  startedAt: Date,
  defer: (r: OutputRecord) => void,
): Promise<BatchOutcome> {
  const loaded: LoadedInputs[] = []
  for (const p of parts) loaded.push(await loadInputs(run, id, p.index))
  const position = new Map(parts.map((p, i) => [p.key, i]))
  const first = parts[0]!.window
  const last = parts.at(-1)!.window
  const batch: PartitionBatch<Record<string, unknown>> = {
    partitions: parts,
    ...(first !== undefined && last !== undefined ? { window: { start: first.start, end: last.end } } : {}),
    inputs(key: string) {
      const i = position.get(key)
      if (i === undefined) throw notInBatch(def.key, key, parts)
      return loaded[i]!.inputs
    },
  }
  const { ctx, metadata, metrics } = attemptContext(
    run,
    id,
    def,
    n,
    controller,
    `${parts[0]!.key}...${parts.at(-1)!.key}`,
  )
  // The batch goes where a one-partition call gets its inputs (`BatchAssetFn`).
  const returned = await callAsset(run, id, def, ctx, batch as unknown as Record<string, unknown>, controller)
  const values = batchValues(def.key, parts, returned)
  const unwrapped = values.map((v) => unwrapResult(v))
  const valid = unwrapped.map((u) => validateOutput(def, u.value))
  const stored = await writeBatch(run, def, parts, valid)
  const checks: CheckRow[][] = []
  for (const v of valid) checks.push(await evaluateChecks(run, def, v))
  const finishedAt = new Date()
  if (run.gate.closed || run.signal.aborted) throw cancelled(def.key)
  const failed: { key: string; error: string; checkFailed: boolean }[] = []
  for (const [i, p] of parts.entries()) {
    const blocked = checks[i]!.find((c) => c.blocking && !c.passed)
    if (blocked !== undefined) {
      // As for one partition: its check results are recorded, its output is not.
      for (const c of checks[i]!) await run.store.recordCheck({ ...c, partition: p.key })
      const error = blockingCheckFailed(def.key, blocked.name, blocked.message).message
      await run.store.appendEvent(run.runId, 'asset_failed', def.key, { partition: p.key, attempts: n, error })
      run.emit({ type: 'asset_failed', key: def.key, error, willRetry: false, partition: p.key })
      failed.push({ key: p.key, error, checkFailed: true })
      continue
    }
    const u = unwrapped[i]!
    const dataVersion =
      u.dataVersion !== undefined ? nativeModule().hashStrings('data-version', [u.dataVersion]) : stored[i]!.dataVersion
    defer({
      id,
      partition: { index: p.index, key: p.key },
      output: { value: valid[i], stored: stored[i]!, dataVersion, metadata: { ...u.metadata } },
      consumed: loaded[i]!.consumed,
      inputPartitions: loaded[i]!.partitions,
      checks: checks[i]!,
      metadata: {
        ...metadata,
        ...u.metadata,
        bytes: stored[i]!.bytes,
        batch: parts.length,
        ...(n > 1 ? { attempts: n } : {}),
      },
      metrics,
      startedAt,
      finishedAt,
    })
  }
  return { ok: true, done: parts.length - failed.length, failed }
}

/** The IO manager's stored outputs of the batch: together when it can, else one by one. */
async function writeBatch(
  run: RunContext,
  def: AssetDef,
  parts: readonly AssetPartition[],
  values: readonly unknown[],
): Promise<StoredOutput[]> {
  const io = (def.io as IOManager | undefined) ?? run.io
  const scope = { key: def.key, runId: run.runId, projectDir: run.state.baseDir }
  const keys = parts.map((p) => p.key)
  if (io.writePartitions !== undefined)
    return userCode(scope, 'io.write', () =>
      io.writePartitions!({ key: def.key, runId: run.runId, partitions: keys }, values),
    )
  const out: StoredOutput[] = []
  for (const [i, key] of keys.entries())
    out.push(
      await userCode(scope, 'io.write', () => io.write({ key: def.key, runId: run.runId, partition: key }, values[i])),
    )
  return out
}

/** The value of each partition of the batch from what the function returned. */
function batchValues(key: string, parts: readonly AssetPartition[], returned: unknown): unknown[] {
  if (typeof returned !== 'object' || returned === null || Array.isArray(returned))
    throw badBatchResult(key, parts, `it returned ${describeKind(returned)}`)
  const byKey = returned instanceof Map ? returned : new Map(Object.entries(returned))
  const missing = parts.filter((p) => !byKey.has(p.key)).map((p) => p.key)
  if (missing.length > 0)
    throw badBatchResult(key, parts, `it returned no value for ${listSome(missing)} (of ${parts.length} partition(s))`)
  if (byKey.size > parts.length) {
    const wanted = new Set(parts.map((p) => p.key))
    const extra = [...byKey.keys()].filter((k) => !wanted.has(String(k))).map(String)
    throw badBatchResult(key, parts, `it returned ${listSome(extra)}, which this call did not build`)
  }
  return parts.map((p) => byKey.get(p.key))
}

const listSome = (keys: readonly string[]): string =>
  keys.length <= 3
    ? keys.map((k) => JSON.stringify(k)).join(', ')
    : `${keys
        .slice(0, 3)
        .map((k) => JSON.stringify(k))
        .join(', ')} and ${keys.length - 3} more`

const describeKind = (v: unknown): string =>
  v === null ? 'null' : Array.isArray(v) ? 'an array' : v === undefined ? 'nothing' : `a ${typeof v}`

function badBatchResult(key: string, parts: readonly AssetPartition[], problem: string): RiversError {
  return new RiversError(
    'RIVERS_BAD_BATCH_RESULT',
    `the batched function of asset "${key}" built partitions ${parts[0]!.key}...${parts.at(-1)!.key} but ${problem}. ` +
      'Return one value per partition key of batch.partitions, e.g. Object.fromEntries(batch.partitions.map((p) => [p.key, value]))',
    { exitCode: 1 },
  )
}

function notInBatch(key: string, asked: string, parts: readonly AssetPartition[]): RiversError {
  return new RiversError(
    'RIVERS_NOT_IN_BATCH',
    `asset "${key}" asked batch.inputs(${JSON.stringify(asked)}), but this call builds ${parts[0]!.key}...${parts.at(-1)!.key}. ` +
      'Ask for the keys of batch.partitions',
    { exitCode: 1 },
  )
}
