/**
 * Validation of the edges of a project where partitions meet: every dep where either asset is
 * partitioned or a mapping is declared resolves (`resolveMapping`, whose errors name both assets),
 * `mapped()` needs a partitioned upstream, and a plain dep must read one upstream partition per
 * partition (its input is one value; `mapped()` gives a Record).
 */
import type { CoreMapping } from '../partitions/core-mapping.js'
import { readsOnePartition } from '../partitions/core-mapping.js'
import { mappedWithoutPartitions, plainDepReadsMany } from '../partitions/errors.js'
import type { PartitionMapping } from '../partitions/mapping.js'
import { resolveMapping } from '../partitions/resolve.js'
import type { PartitionDefinition } from '../partitions/types.js'
import { isKeyRef, isMappedDep, type Dep } from './handles.js'

/**
 * One dep of an asset, as `checkPartitionEdge` needs it.
 *
 * @example
 * const edge: PartitionEdge = { downKey: 'weekly', down: weekly({ start: '2024-01-01' }), input: 'events', upKey: 'events', up: daily({ start: '2024-01-01' }), mapping: undefined, many: true, given: mapped(events) }
 */
export interface PartitionEdge {
  readonly downKey: string
  readonly down: PartitionDefinition | undefined
  readonly input: string
  readonly upKey: string
  readonly up: PartitionDefinition | undefined
  /** The declared mapping (`mapped(dep, mapping)`), if any. */
  readonly mapping: PartitionMapping | undefined
  /** Whether the dep is declared with `mapped()`. */
  readonly many: boolean
  /** The dep as given in `spec.deps` (for the fix in messages). */
  readonly given: Dep
}

/**
 * Check one dep where partitions meet; a no-op when neither asset is partitioned and no mapping is
 * declared. Throws the DefinitionError that names the asset, the input and the fix.
 *
 * @example
 * checkPartitionEdge({ downKey: 'm', down: undefined, input: 'e', upKey: 'e', up: daily({ start: '2024-01-01' }), mapping: undefined, many: true, given: mapped('e') }, new Date())
 */
export function checkPartitionEdge(edge: PartitionEdge, now: Date): void {
  const { down, up } = edge
  if (down === undefined && up === undefined && !edge.many) return
  if (edge.many && up === undefined)
    throw mappedWithoutPartitions({ key: edge.downKey, partitioned: down !== undefined }, edge.input, edge.upKey)
  const resolved = resolveMapping({ down, up, mapping: edge.mapping, downKey: edge.downKey, upKey: edge.upKey, now })
  if (edge.many || readsOnePartition(resolved.mapping)) return
  throw plainDepReadsMany(
    { key: edge.downKey, partitions: down?.describe() ?? 'unpartitioned' },
    edge.input,
    { key: edge.upKey, partitions: up?.describe() ?? 'unpartitioned' },
    reads(resolved.mapping, down, up),
    written(edge.input, edge.given),
  )
}

/** What a mapping that reads many partitions reads, in a few words. */
function reads(
  m: CoreMapping,
  down: PartitionDefinition | undefined,
  up: PartitionDefinition | undefined,
): { reads: string; per: string } {
  switch (m.kind) {
    case 'all':
      return { reads: 'every partition', per: '' }
    case 'coarsen':
      return { reads: `every ${up?.kind} partition`, per: `within each of its ${down?.kind} partitions` }
    case 'window':
      return { reads: `${m.to - m.from + 1} partitions`, per: 'for each of its partitions' }
    default:
      return { reads: 'several partitions', per: 'for some of its partitions' }
  }
}

/** How the dep is written in the fix: the key string or ref as given, else the input name. */
function written(input: string, given: Dep): string {
  const dep = isMappedDep(given) ? given.dep : given
  if (typeof dep === 'string') return `'${dep}'`
  if (isKeyRef(dep)) return `ref('${dep.key}')`
  return input
}
