/**
 * Editing dynamic partition sets (`assets partitions add|remove SET KEY...`): keys are checked by
 * the set's definition before anything is stored; removing a key refuses while an asset of the set
 * has a record of that partition, unless `wipe` forgets those records first.
 */
import type { Project } from '../definitions/index.js'
import { closest } from '../definitions/suggest.js'
import type { DynamicPartitions } from '../partitions/dynamic.js'
import type { Store } from '../store/store.js'
import { dynamicPartitionsUnsupported, partitionsHaveRecords, unknownDynamicSet } from './errors.js'

/**
 * What an edit of a dynamic set did.
 *
 * @example
 * const r: DynamicSetEdit = { set: 'customers', assets: ['customer_orders'], changed: 2, keys: ['acme', 'globex'], wiped: 0 }
 */
export interface DynamicSetEdit {
  set: string
  /** The assets partitioned by the set. */
  assets: string[]
  /** Keys added (or removed). */
  changed: number
  /** The set's keys after the edit, in order of addition. */
  keys: string[]
  /** Partition records forgotten (`wipe`). */
  wiped: number
}

/** The definition of set `name` and the assets it partitions; refuses an unknown name. */
function setOf(project: Project, name: string): { def: DynamicPartitions; assets: string[] } {
  const assets = project.assets.filter(
    (a) => a.partitions?.kind === 'dynamic' && (a.partitions as DynamicPartitions).name === name,
  )
  if (assets.length === 0) {
    const names = [
      ...new Set(
        project.assets.flatMap((a) =>
          a.partitions?.kind === 'dynamic' ? [(a.partitions as DynamicPartitions).name] : [],
        ),
      ),
    ]
    throw unknownDynamicSet(name, names, closest(name, names))
  }
  return { def: assets[0]!.partitions as DynamicPartitions, assets: assets.map((a) => a.key) }
}

/**
 * Adds keys to a dynamic set (present keys stay where they are).
 *
 * @example
 * await addDynamicKeys(project, store, 'customers', ['acme'])
 */
export async function addDynamicKeys(
  project: Project,
  store: Store,
  set: string,
  keys: readonly string[],
): Promise<DynamicSetEdit> {
  const { def, assets } = setOf(project, set)
  if (!store.addDynamicPartitions || !store.dynamicPartitionSlots) throw dynamicPartitionsUnsupported()
  for (const k of keys) def.validateKey(k)
  const changed = await store.addDynamicPartitions(set, keys)
  return { set, assets, changed, keys: live(await store.dynamicPartitionSlots(set)), wiped: 0 }
}

/**
 * Removes keys from a dynamic set; with `wipe`, the records of those partitions are forgotten first,
 * else a key with records is refused (nothing is removed).
 *
 * @example
 * await removeDynamicKeys(project, store, 'customers', ['acme'], { wipe: true })
 */
export async function removeDynamicKeys(
  project: Project,
  store: Store,
  set: string,
  keys: readonly string[],
  options: { wipe?: boolean } = {},
): Promise<DynamicSetEdit> {
  const { assets } = setOf(project, set)
  if (!store.removeDynamicPartitions || !store.dynamicPartitionSlots) throw dynamicPartitionsUnsupported()
  const recorded: { asset: string; key: string }[] = []
  for (const asset of assets)
    for (const key of keys)
      if ((await store.currentRecord(asset, { partition: key })) !== undefined) recorded.push({ asset, key })
  let wiped = 0
  if (recorded.length > 0) {
    if (!options.wipe || !store.wipePartitions) throw partitionsHaveRecords(set, recorded, options.wipe === true)
    for (const asset of new Set(recorded.map((r) => r.asset)))
      wiped += await store.wipePartitions(
        asset,
        recorded.filter((r) => r.asset === asset).map((r) => r.key),
      )
  }
  const changed = await store.removeDynamicPartitions(set, keys)
  return { set, assets, changed, keys: live(await store.dynamicPartitionSlots(set)), wiped }
}

const live = (slots: readonly (string | null)[]): string[] => slots.filter((k): k is string => k !== null)
