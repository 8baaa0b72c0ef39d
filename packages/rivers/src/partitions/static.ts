/** Static partitions: a fixed list of keys; index = position in the list as declared. */
import { invalidPartitions, partitionIndexOutOfRange, unknownPartition } from './errors.js'
import { checkKeys, listText, nearestKey } from './keys.js'
import type { PartitionDefinition, PartitionRange } from './types.js'

/**
 * A static partition definition.
 *
 * @example
 * const regions: StaticPartitions = staticPartitions(['eu', 'us'])
 * regions.list // ['eu', 'us']
 */
export interface StaticPartitions extends PartitionDefinition {
  readonly kind: 'static'
  /** The keys as declared. */
  readonly list: readonly string[]
}

class StaticList implements StaticPartitions {
  readonly kind = 'static' as const
  readonly list: readonly string[]
  private readonly index: Map<string, number>

  constructor(keys: readonly string[]) {
    if (!Array.isArray(keys) || keys.length === 0)
      throw invalidPartitions(
        'static partitions',
        'the list of keys is empty',
        "list at least one key, e.g. staticPartitions(['eu', 'us'])",
      )
    this.list = Object.freeze([...keys])
    this.index = checkKeys(`static partitions ${listText(this.list)}`, this.list)
  }

  size(): number {
    return this.list.length
  }

  keyAt(index: number): string {
    const key = this.list[index]
    if (key === undefined || !Number.isInteger(index))
      throw partitionIndexOutOfRange(this.describe(), index, this.list.length)
    return key
  }

  indexOf(key: string): number {
    const i = this.index.get(key)
    if (i !== undefined) return i
    throw unknownPartition(
      this.describe(),
      key,
      'it is not in the list',
      nearestKey(key, this.list),
      this.list
        .slice(0, 3)
        .map((k) => `'${k}'`)
        .join(' or '),
    )
  }

  *keys(from = 0, to = this.list.length): IterableIterator<string> {
    for (let i = Math.max(0, from); i < Math.min(to, this.list.length); i++) yield this.list[i] as string
  }

  validRanges(from: number, to: number): PartitionRange[] {
    const start = Math.max(0, from)
    const end = Math.min(to, this.list.length)
    return start < end ? [{ start, end }] : []
  }

  describe(): string {
    return `static partitions ${listText(this.list)}`
  }
}

/**
 * Static partitions: one per key of a fixed list, indexed by position. Keys are non-empty, unique,
 * at most 255 characters, without `|`, `...`, control characters or leading/trailing spaces.
 *
 * @example
 * const regions = staticPartitions(['eu', 'us', 'asia'])
 * regions.indexOf('us') // 1
 */
export function staticPartitions(keys: readonly string[]): StaticPartitions {
  return new StaticList(keys)
}
