/** The rules for the keys of static lists and dynamic sets. */
import { closest } from '../definitions/suggest.js'
import { duplicatePartitionKey, invalidPartitionKey } from './errors.js'

/**
 * Longest key of a static list or dynamic set.
 *
 * @example
 * 'x'.repeat(MAX_KEY_LENGTH + 1) // too long
 */
export const MAX_KEY_LENGTH = 255

/**
 * What is wrong with a static or dynamic partition key, or `undefined` when it is valid: non-empty,
 * at most 255 characters, no `|` (it joins product dimensions), no `...` (it separates the ends of a
 * range), no control characters, no leading or trailing spaces.
 *
 * @example
 * partitionKeyProblem('eu|us') // "contains '|', which joins the dimensions of product keys"
 * partitionKeyProblem('eu')    // undefined
 */
export function partitionKeyProblem(key: unknown): string | undefined {
  if (typeof key !== 'string') return `is ${key === null ? 'null' : typeof key}, not a string`
  if (key === '') return 'is empty'
  if (key.length > MAX_KEY_LENGTH) return `is ${key.length} characters long (at most ${MAX_KEY_LENGTH})`
  if (key.includes('|')) return "contains '|', which joins the dimensions of product keys"
  if (key.includes('...')) return "contains '...', which separates the ends of a range"
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it looks for
  if (/[\u0000-\u001f\u007f-\u009f]/.test(key)) return 'contains a control character'
  if (key.trim() !== key) return 'has leading or trailing spaces'
  return undefined
}

/**
 * Throws the first invalid or repeated key of a list (null entries are holes and are skipped);
 * returns the index of each key.
 *
 * @example
 * checkKeys("static partitions [eu, us]", ['eu', 'us']).get('us') // 1
 */
export function checkKeys(set: string, keys: readonly (string | null)[]): Map<string, number> {
  const index = new Map<string, number>()
  keys.forEach((key, i) => {
    if (key === null) return
    const problem = partitionKeyProblem(key)
    if (problem !== undefined) throw invalidPartitionKey(set, String(key), problem)
    if (index.has(key)) throw duplicatePartitionKey(set, key)
    index.set(key, i)
  })
  return index
}

/**
 * The nearest key of a list by edit distance (looks at the first 10,000 keys), for did-you-mean.
 *
 * @example
 * nearestKey('eu-wset', ['eu-west', 'us-east']) // 'eu-west'
 */
export function nearestKey(key: string, keys: Iterable<string>): string | undefined {
  const some: string[] = []
  for (const k of keys) {
    some.push(k)
    if (some.length >= 10_000) break
  }
  return closest(key, some)
}

/**
 * `[eu, us, asia]`, or the first keys and a count for long lists.
 *
 * @example
 * listText(['a', null, 'c']) // '[a, c]'
 */
export function listText(keys: readonly (string | null)[]): string {
  const present = keys.filter((k): k is string => k !== null)
  const shown = present.slice(0, 5).join(', ')
  return present.length > 5 ? `[${shown}, … (${present.length} keys)]` : `[${shown}]`
}
