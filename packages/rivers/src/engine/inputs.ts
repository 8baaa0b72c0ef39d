/**
 * Step 1 of a materialization: loading its inputs. A value and its data version always come from the
 * same place (this run's output, or one store record), so what is recorded as consumed is exactly
 * what the function saw, even while other runs write the same store (trace consistency).
 */
import { readFile } from 'node:fs/promises'

import { type AssetDef, type SourceContext, type SourceDef, validateInput } from '../definitions/index.js'
import type { IOManager } from '../io/types.js'
import { inputNotRecorded, inputWithoutVersion, sourceUnobservable, sourceUnreadable } from './errors.js'
import type { AssetId } from './planner.js'
import type { RunContext, RunOutput } from './run-context.js'
import { userCode } from './user-code.js'
import { consumedOf, readPartitions } from './partition-inputs.js'

/** The inputs of an asset by local name, and the data version of each dep consumed. */
export interface LoadedInputs {
  inputs: Record<string, unknown>
  consumed: [AssetId, string][]
  /** Per consumed dep (same order), the partitions read as text; '' for an unpartitioned dep. */
  partitions: string[]
}

/**
 * An input handed on by reference instead of read: where the stored output lies. A function that runs
 * as a job (`assets worker run`) reads its stored inputs on the node; the orchestrator only decides
 * which record each one is, so that the version it records as consumed and the file the worker reads
 * come from the same place, read once.
 *
 * @example
 * if (inputs.model instanceof StoredInput) console.log(inputs.model.storagePath)
 */
export class StoredInput {
  constructor(
    readonly key: string,
    readonly storagePath: string,
  ) {}
}

/**
 * Loads every input of asset `id` (each consumer its own copy, as a later run would read it),
 * validated by the asset's input schemas. With `byReference` (a function run as a job), an
 * unpartitioned asset input with a stored output is a `StoredInput` instead of its value: the
 * worker reads and validates it.
 *
 * @example
 * const { inputs, consumed } = await loadInputs(run, id)
 */
export async function loadInputs(
  run: RunContext,
  id: AssetId,
  partition = 0,
  byReference = false,
): Promise<LoadedInputs> {
  const st = run.state
  const a = st.asset(id)
  const def = a.def as AssetDef
  const inputs: Record<string, unknown> = {}
  const versions = new Map<AssetId, [string, string]>()
  // Per partitioned input, every partition read of it (two inputs may read one asset).
  const reads = new Map<AssetId, Map<number, { key: string; version: string }>>()
  for (const [j, d] of a.deps.entries()) {
    const depId = st.idOf(d.key)!
    if (st.partitionsOf(depId) !== undefined) {
      // A partitioned input: the partitions this one reads (its mapping), as a Record by key.
      const { values, read } = await readPartitions(run, id, j, partition)
      const all = reads.get(depId)
      if (all === undefined) reads.set(depId, read)
      else for (const [q, v] of read) all.set(q, v)
      versions.set(depId, ['', ''])
      // A schema in `inputs` describes one partition's value: each value of a Record is checked.
      inputs[d.name] = d.many
        ? Object.fromEntries(Object.entries(values).map(([k, v]) => [k, validateInput(def, d.name, v)]))
        : validateInput(def, d.name, Object.values(values)[0])
      continue
    }
    if (byReference && !st.asset(depId).isSource) {
      const stored = run.values.get(depId) ?? (await currentOutput(run, d.key))
      if (stored.storagePath != null) {
        if (stored.version === '') throw inputWithoutVersion(a.key, d.key)
        versions.set(depId, [stored.version, ''])
        inputs[d.name] = new StoredInput(d.key, stored.storagePath)
        continue
      }
    }
    const loaded = await loadInput(run, depId)
    if (loaded.version === '') throw inputWithoutVersion(a.key, d.key)
    versions.set(depId, [loaded.version, ''])
    inputs[d.name] = validateInput(def, d.name, loaded.value)
  }
  for (const [depId, read] of reads) {
    const { version, partitions } = consumedOf(read)
    versions.set(depId, [version, partitions])
  }
  const consumed = [...versions].map(([depId, [v]]) => [depId, v] as [AssetId, string])
  return { inputs, consumed, partitions: [...versions.values()].map(([, text]) => text) }
}

/** One input: its value and the data version it has, both from the same place. */
interface Loaded {
  value: unknown
  version: string
}

/**
 * Every call gives the consumer its own value, decoded from the stored form exactly as a later run
 * would read it: an output of this run is read back through its IO manager from where it was just
 * stored (never the producer's live object), a source is loaded again.
 */
async function loadInput(run: RunContext, depId: AssetId): Promise<Loaded> {
  const st = run.state
  const dep = st.asset(depId)
  const scope = { key: dep.key, runId: run.runId, projectDir: st.baseDir }
  if (dep.isSource) {
    const obs = st.observation(dep.key)
    const def = dep.def as SourceDef
    const file = st.sourcePath(def)
    if (obs !== undefined && !obs.ok) throw sourceUnobservable(dep.key, obs.error, file)
    const load = def.load
    if (load === undefined && file === undefined) throw sourceUnreadable(dep.key)
    const value =
      load !== undefined
        ? await userCode(scope, 'load', () => load(sourceContext(run, dep.key, file)))
        : await readFile(file!)
    return { value, version: st.dataVersion(depId) }
  }
  const stored = run.values.get(depId) ?? (await currentOutput(run, dep.key))
  const io = ((dep.def as AssetDef).io as IOManager | undefined) ?? run.io
  const value = await userCode(scope, 'io.read', () => io.read({ key: dep.key }, { storagePath: stored.storagePath }))
  return { value, version: stored.version }
}

/** What a source's `load` is given; its logger and model registry are made on first use (most never use them). */
function sourceContext(run: RunContext, key: string, file: string | undefined): SourceContext {
  let log: SourceContext['log'] | undefined
  return {
    runId: run.runId,
    key,
    path: file,
    get log() {
      log ??= run.log.child({ asset: key })
      return log
    },
    signal: run.signal,
    get models() {
      return run.state.models
    },
  }
}

/** Where the store's current record of `key` lies, and its data version. */
async function currentOutput(run: RunContext, key: string): Promise<RunOutput> {
  const record = await run.store.currentRecord(key)
  if (record === undefined) throw inputNotRecorded(key)
  return { storagePath: record.storagePath, version: record.dataVersion }
}
