/**
 * Inputs of a partitioned read: the upstream partitions a partition (or an unpartitioned asset)
 * reads of a partitioned input, per its mapping, each value read back through the IO manager from
 * this run's output or the store's current record of that partition, and the fingerprint of exactly
 * what was read, which is what the record says it consumed.
 */
import type { AssetDef } from '../definitions/index.js'
import type { PartitionDefinition } from '../partitions/types.js'
import type { IOManager } from '../io/types.js'
import { inputPartitionNotRecorded } from './errors.js'
import { consumedFingerprint } from './partition-state.js'
import type { AssetId } from './planner.js'
import type { RunContext, RunOutput } from './run-context.js'
import { userCode } from './user-code.js'

/** What a read of a partitioned input gives: values by partition key, and each partition read. */
export interface PartitionedInput {
  values: Record<string, unknown>
  /** Index -> key and data version (hex) of each partition read. */
  read: Map<number, { key: string; version: string }>
}

/**
 * Reads the partitions that partition `p` of `id` reads of its `j`-th input (a partitioned asset).
 *
 * @example
 * const { values, read } = await readPartitions(run, id, j, 6)
 */
export async function readPartitions(run: RunContext, id: AssetId, j: number, p: number): Promise<PartitionedInput> {
  const st = run.state
  const parts = st.partitions!
  const a = st.asset(id)
  const depKey = a.deps[j]!.key
  const depId = st.idOf(depKey)!
  const dep = st.asset(depId)
  const def = parts.definition(depId)!
  const ranges = parts.upstreamOf(id, j, p)
  const read = new Map<number, { key: string; version: string }>()
  const values: Record<string, unknown> = {}
  const io = ((dep.def as AssetDef).io as IOManager | undefined) ?? run.io
  for (let r = 0; r < ranges.length; r += 2) {
    for (let q = ranges[r]!; q < ranges[r + 1]!; q++) {
      if (parts.status(depId, q) === null) continue // a removed key of a dynamic set
      const key = def.keyAt(q, parts.now)
      const stored = run.partitionValues.get(`${depId}:${q}`) ?? (await currentOutput(run, dep.key, key, a.key))
      const scope = { key: dep.key, runId: run.runId, projectDir: st.baseDir }
      values[key] = await userCode(scope, 'io.read', () =>
        io.read({ key: dep.key, partition: key }, { storagePath: stored.storagePath }),
      )
      read.set(q, { key, version: stored.version })
    }
  }
  return { values, read }
}

/**
 * What a reader consumed of a partitioned input, from every partition it read of it (through one
 * input or several): the fingerprint as a 16-byte version, and the partitions as text
 * (`2024-01-01...2024-01-07`, ranges joined by `,`).
 *
 * @example
 * consumedOf(new Map([[0, { key: '2024-01-01', version: '9f86d081884c7d659a2feaa0c55ad015' }]])) // { version: '…', partitions: '2024-01-01' }
 */
export function consumedOf(read: ReadonlyMap<number, { key: string; version: string }>): {
  version: string
  partitions: string
} {
  const indices = [...read.keys()].sort((x, y) => x - y)
  const texts: string[] = []
  for (let i = 0; i < indices.length; ) {
    let k = i
    while (k + 1 < indices.length && indices[k + 1] === indices[k]! + 1) k++
    const [first, last] = [read.get(indices[i]!)!.key, read.get(indices[k]!)!.key]
    texts.push(first === last ? first : `${first}...${last}`)
    i = k + 1
  }
  return {
    version: consumedFingerprint(
      indices,
      indices.map((q) => read.get(q)!.version),
    ),
    partitions: texts.join(','),
  }
}

/** Where the store's current record of a partition lies, and its data version. */
async function currentOutput(run: RunContext, key: string, partition: string, reader: string): Promise<RunOutput> {
  const record = await run.store.currentRecord(key, { partition })
  if (record === undefined) throw inputPartitionNotRecorded(reader, key, partition)
  return { storagePath: record.storagePath, version: record.dataVersion }
}

/**
 * What `ctx.partition` says of partition `index` of a definition: its key, dimensions and, for a
 * time window, the window.
 *
 * @example
 * partitionContext(daily({ start: '2024-01-01' }), 4, new Date()) // { key: '2024-01-05', index: 4, dimensions: {}, window }
 */
export function partitionContext(
  def: PartitionDefinition,
  index: number,
  now: Date,
): { key: string; index: number; dimensions: Record<string, string>; window?: { start: Date; end: Date } } {
  const key = def.keyAt(index, now)
  const product = def as { dimensionKeys?: (k: string) => Record<string, string> }
  const time = def as { window?: (i: number) => { start: Date; end: Date } }
  return {
    key,
    index,
    dimensions: typeof product.dimensionKeys === 'function' ? product.dimensionKeys(key) : {},
    ...(typeof time.window === 'function' ? { window: time.window(index) } : {}),
  }
}
