/**
 * `mapped(dep, mapping?)`: a dep whose input is a Record of upstream partition key -> value, for an
 * asset that reads several partitions of its input (a window, a coarser period, every partition).
 * The wrapped dep and the mapping are checked by `asset()`, where the asset and input are known.
 */
import type { PartitionMapping } from '../partitions/mapping.js'
import { KIND, type Handle, type MappedDep } from './handles.js'

/**
 * Wrap a dep (asset or source handle, `ref()` or key string) so that its input is a Record of
 * upstream partition key -> value, keys in index order, whatever the mapping (also when it reads
 * one partition). Without a mapping, the default for the two definitions applies: every partition
 * for an unpartitioned asset, the coarse window's partitions for a coarser period. A plain dep
 * receives one value and is allowed only where each partition reads one upstream partition.
 *
 * @example
 * const events = asset({ key: 'events', partitions: daily({ start: '2024-01-01' }) }, () => [{ n: 1 }])
 * const weekly = asset(
 *   { key: 'rolling', partitions: daily({ start: '2024-01-01' }), deps: { week: mapped(events, mapping.window({ length: 7 })) } },
 *   ({ week }) => Object.values(week).flat().length,
 * )
 */
export function mapped<D extends Handle<any> | string>(dep: D, mapping?: PartitionMapping): MappedDep<D> {
  const key = typeof dep === 'string' ? dep : (dep as { key?: unknown } | null | undefined)?.key
  return Object.freeze({
    [KIND]: 'mapped' as const,
    kind: 'mapped' as const,
    key: typeof key === 'string' ? key : '',
    dep,
    mapping,
  })
}
