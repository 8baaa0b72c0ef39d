/**
 * Asset keys: one or more `/`-separated segments of `A-Z a-z 0-9 _ - .`, never `.` or `..` alone.
 * The same rule is enforced by the Rust core (`crates/planner/SPEC.md`, "Graph"); checking it here
 * first lets the error name the asset's definition site and say how to fix the key.
 */

const SEGMENT = /^[A-Za-z0-9_.-]+$/
/** A whole key of valid segments, and a `.` or `..` segment: together, the fast path of `keyProblem`. */
const KEY = /^[A-Za-z0-9_.-]+(?:\/[A-Za-z0-9_.-]+)*$/
const DOT_SEGMENT = /(?:^|\/)\.\.?(?:\/|$)/

/**
 * Why `key` is not a valid asset key, or `undefined` when it is.
 *
 * @example
 * keyProblem('raw/orders') // undefined
 * keyProblem('raw orders') // "segment 'raw orders' contains ' ' (allowed: A-Z a-z 0-9 _ - .)"
 */
export function keyProblem(key: unknown): string | undefined {
  if (typeof key !== 'string') return `expected a string, got ${describeValue(key)}`
  if (KEY.test(key) && (!key.includes('.') || !DOT_SEGMENT.test(key))) return undefined
  if (key.length === 0) return 'the key is empty'
  const segments = key.split('/')
  for (const segment of segments) {
    if (segment.length === 0) return `it has an empty segment (leading, trailing or doubled '/')`
    if (segment === '.' || segment === '..') return `segment '${segment}' is not allowed`
    if (!SEGMENT.test(segment)) {
      const bad = [...segment].find((c) => !SEGMENT.test(c)) ?? '?'
      return `segment '${segment}' contains '${bad}' (allowed: A-Z a-z 0-9 _ - .)`
    }
  }
  return undefined
}

/**
 * Whether `key` is a valid asset key.
 *
 * @example
 * isValidKey('models/churn.v2') // true
 * isValidKey('a//b')            // false
 */
export function isValidKey(key: unknown): key is string {
  return keyProblem(key) === undefined
}

/**
 * A short, human description of any value for error messages (`undefined`, `a number (3)`, …).
 *
 * @example
 * describeValue(undefined) // 'undefined'
 * describeValue([1])       // 'an array'
 */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'undefined'
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'an array'
  switch (typeof value) {
    case 'string':
      return `a string (${JSON.stringify(value.length > 40 ? value.slice(0, 40) + '…' : value)})`
    case 'number':
    case 'boolean':
    case 'bigint':
      return `a ${typeof value} (${String(value)})`
    case 'function':
      return value.name ? `a function (${value.name})` : 'a function'
    case 'symbol':
      return 'a symbol'
    default: {
      const name = (value as { constructor?: { name?: string } }).constructor?.name
      return name && name !== 'Object' ? `an instance of ${name}` : 'an object'
    }
  }
}
