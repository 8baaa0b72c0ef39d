/**
 * Partitions (issue 13): definitions with their keys and dense indices, command-line selections, and
 * mappings between the partitions of two assets. Assets declare them with `asset({ partitions })`
 * and `mapped(dep, mapping)`; see docs/partitions.md.
 */
export { daily, monthly, weekly, type WeeklyOptions } from './calendar-windows.js'
export {
  type CoreDimension,
  type CoreMapping,
  type PartitionSet,
  type ResolvedMapping,
  readsOnePartition,
  upstreamOf,
} from './core-mapping.js'
export { dynamicPartitions, type DynamicPartitions } from './dynamic.js'
export { PartitionKeyError } from './errors.js'
export { hourly } from './hourly.js'
export { partitionKeyProblem } from './keys.js'
export { isPartitionMapping, mapping, type PartitionMapping, type WindowOptions } from './mapping.js'
export { partitionProduct, type ProductDimension, type ProductPartitions } from './product.js'
export { resolveMapping, type ResolveMappingInput } from './resolve.js'
export { parsePartitionArg, type PartitionArgOptions } from './selection.js'
export { staticPartitions, type StaticPartitions } from './static.js'
export type { TimePeriod, TimeWindowOptions, TimeWindowPartitions } from './time-base.js'
export {
  isPartitionDefinition,
  type PartitionDefinition,
  type PartitionKind,
  type PartitionRange,
  type PartitionWindow,
} from './types.js'
