/**
 * The secrets of one run: the values of config fields marked `secret()` (as given and as parsed),
 * and the ways to keep them out of what the run writes: the stored run config and command line,
 * logs, summaries, events, metadata and check messages. Config hashes still cover them.
 */
import { redactSecrets, scrubber, secretPaths, secretValues, type SecretPath } from '../definitions/secret.js'
import type { ProjectState } from './state.js'

/** What a run needs to keep secrets out of its outputs. */
export interface RunSecrets {
  /** Every secret value of the run (strings; numbers as their text). */
  readonly values: readonly string[]
  /** Replaces every secret in a text with `[redacted]`. */
  scrub(text: string): string
  /** A copy of a JSON-like value with every secret in its strings (keys included) replaced. */
  scrubDeep<T>(value: T): T
  /** The run config (`{ [key]: config }`) with the secret fields of each asset redacted, for storing. */
  redactConfig(config: Record<string, unknown>): Record<string, unknown>
}

const pathsCache = new WeakMap<object, SecretPath[]>()

/** Secret places of an asset's config schema, computed once per schema. */
function pathsOf(schema: object | undefined): SecretPath[] {
  if (schema === undefined) return []
  let p = pathsCache.get(schema)
  if (p === undefined) {
    p = secretPaths(schema as never)
    pathsCache.set(schema, p)
  }
  return p
}

/**
 * Collects the secrets of a run from the raw run config and every asset's parsed config.
 *
 * @example
 * const secrets = runSecrets(ws.state, { api: { token: 'hunter2' } })
 * secrets.scrub('token hunter2 refused') // 'token [redacted] refused'
 */
export function runSecrets(state: ProjectState, config: Record<string, unknown>): RunSecrets {
  const values = new Set<string>()
  const byKey = new Map<string, SecretPath[]>()
  state.project.assets.forEach((a, id) => {
    if (a.def.kind !== 'asset') return
    const paths = pathsOf(a.def.config)
    if (paths.length === 0) return
    byKey.set(a.key, paths)
    for (const v of secretValues(config[a.key], paths)) values.add(v)
    for (const v of secretValues(state.configValue[id], paths)) values.add(v)
  })
  const scrub = scrubber(values)
  const deep = (v: unknown, depth: number): unknown => {
    if (values.size === 0 || depth > 64) return v
    if (typeof v === 'string') return scrub(v)
    if (typeof v === 'number') return values.has(String(v)) ? scrub(String(v)) : v
    if (Array.isArray(v)) return v.map((x) => deep(x, depth + 1))
    if (typeof v === 'object' && v !== null && Object.getPrototypeOf(v) === Object.prototype) {
      return Object.fromEntries(Object.entries(v).map(([k, x]) => [scrub(k), deep(x, depth + 1)]))
    }
    return v
  }
  return {
    values: [...values],
    scrub,
    scrubDeep: <T>(v: T) => deep(v, 0) as T,
    redactConfig(config) {
      if (byKey.size === 0) return config
      const out: Record<string, unknown> = {}
      for (const [k, v] of Object.entries(config)) {
        const paths = byKey.get(k)
        out[k] = paths === undefined ? v : redactSecrets(v, paths)
      }
      return deep(out, 0) as Record<string, unknown>
    },
  }
}
