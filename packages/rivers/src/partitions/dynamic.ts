/**
 * Dynamic partitions: a named set whose keys are added and removed at run time. Index = order of
 * addition; a removed key leaves a hole (its index is never reused), so the indices of the others do
 * not change. The definition holds the name and validates keys; the engine stores the key list and
 * gives it back with `withKeys`.
 */
import { invalidPartitions, partitionIndexOutOfRange, removedPartition, unknownPartition } from './errors.js'
import { checkKeys, listText, nearestKey } from './keys.js'
import type { PartitionDefinition, PartitionRange } from './types.js'

/**
 * A dynamic partition definition and its current keys (`slots`: one per index, `null` where a key
 * was removed).
 *
 * @example
 * const customers: DynamicPartitions = dynamicPartitions('customers').add(['acme', 'globex'])
 * customers.remove(['acme']).slots // [null, 'globex']
 */
export interface DynamicPartitions extends PartitionDefinition {
  readonly kind: 'dynamic'
  /** The set's name, e.g. `'customers'`. */
  readonly name: string
  /** Keys by index in order of addition; `null` is a removed key. */
  readonly slots: readonly (string | null)[]
  /** The same set with a stored key list (validated: key rules, no repeats). */
  withKeys(slots: readonly (string | null)[]): DynamicPartitions
  /** The set with keys added at the end (keys already present are kept where they are). */
  add(keys: readonly string[]): DynamicPartitions
  /** The set with keys removed (their indices become holes); an unknown key throws. */
  remove(keys: readonly string[]): DynamicPartitions
  /** Throws `RIVERS_INVALID_PARTITION_KEY` when a key breaks the key rules. */
  validateKey(key: string): void
}

const NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/

class DynamicSet implements DynamicPartitions {
  readonly kind = 'dynamic' as const
  private readonly index: Map<string, number>

  constructor(
    readonly name: string,
    readonly slots: readonly (string | null)[],
  ) {
    this.index = checkKeys(this.describe(), slots)
  }

  withKeys(slots: readonly (string | null)[]): DynamicPartitions {
    return new DynamicSet(this.name, Object.freeze([...slots]))
  }

  add(keys: readonly string[]): DynamicPartitions {
    const next = [...this.slots]
    const seen = new Set(this.index.keys())
    for (const key of keys) {
      this.validateKey(key)
      if (!seen.has(key)) next.push(key)
      seen.add(key)
    }
    return this.withKeys(next)
  }

  remove(keys: readonly string[]): DynamicPartitions {
    const next = [...this.slots]
    for (const key of keys) next[this.indexOf(key)] = null
    return this.withKeys(next)
  }

  validateKey(key: string): void {
    checkKeys(this.describe(), [key])
  }

  size(): number {
    return this.slots.length
  }

  keyAt(index: number): string {
    const key = this.slots[index]
    if (key === undefined || !Number.isInteger(index))
      throw partitionIndexOutOfRange(this.describe(), index, this.slots.length)
    if (key === null) throw removedPartition(this.describe(), index)
    return key
  }

  indexOf(key: string): number {
    const i = this.index.get(key)
    if (i !== undefined) return i
    const first = this.index.keys().next()
    const example = first.done ? 'one added to the set first' : `'${first.value}'`
    throw unknownPartition(
      this.describe(),
      key,
      'the set does not hold it',
      nearestKey(key, this.index.keys()),
      example,
    )
  }

  *keys(from = 0, to = this.slots.length): IterableIterator<string> {
    for (let i = Math.max(0, from); i < Math.min(to, this.slots.length); i++) {
      const key = this.slots[i]
      if (typeof key === 'string') yield key
    }
  }

  validRanges(from: number, to: number): PartitionRange[] {
    const out: PartitionRange[] = []
    let start = -1
    const end = Math.min(to, this.slots.length)
    for (let i = Math.max(0, from); i < end; i++) {
      if (this.slots[i] === null) {
        if (start >= 0) out.push({ start, end: i })
        start = -1
      } else if (start < 0) start = i
    }
    if (start >= 0) out.push({ start, end })
    return out
  }

  describe(): string {
    return `dynamic partitions '${this.name}' ${listText(this.slots)}`
  }
}

/**
 * Dynamic partitions named `name`: keys are added and removed at run time (the engine stores them);
 * index = order of addition, and a removed key leaves a hole. Keys follow the rules of static keys.
 *
 * @example
 * const customers = dynamicPartitions('customers').add(['acme', 'globex'])
 * customers.indexOf('globex') // 1
 */
export function dynamicPartitions(name: string): DynamicPartitions {
  if (typeof name !== 'string' || !NAME.test(name))
    throw invalidPartitions(
      `dynamic partitions ${JSON.stringify(name)}`,
      'the name is not made of A-Z a-z 0-9 _ . -',
      "name the set like a key, e.g. dynamicPartitions('customers')",
    )
  return new DynamicSet(name, [])
}
