/**
 * Secret config values: `secret(schema)` marks a part of an asset's config schema as secret. A
 * secret still counts in the asset's config hash (changing it rebuilds the asset), but its value is
 * kept out of what Rivers writes: the run config stored with the run, the command line stored with
 * it, run logs (file and stderr), error messages, run summaries, events, metadata and check messages.
 *
 * The mark lives in a zod registry (shared by every copy of this module through a global symbol), so
 * it survives zod's clone-on-refine (`secret(z.string()).min(8)` is still secret). Wrappers around a
 * secret (`.optional()`, `.default()`, arrays, objects, unions, pipes) are walked to find it.
 */
import type { ZodSchema } from './spec-types.js'

/** What replaces a secret value in stored config and messages. */
export const SECRET_MASK = '[redacted]'

type Registry = {
  add(schema: object, meta: { secret: true }): unknown
  get(schema: object): { secret: true } | undefined
}
const REGISTRY = Symbol.for('rivers.secrets.registry')

function registry(): Registry {
  const g = globalThis as { [REGISTRY]?: Registry }
  // A minimal registry with zod's inheritance rule: a clone (`_zod.parent`) inherits its parent's mark.
  g[REGISTRY] ??= (() => {
    const marked = new WeakSet<object>()
    return {
      add(schema: object) {
        marked.add(schema)
        return this
      },
      get(schema: object) {
        for (let s: object | undefined = schema, n = 0; s !== undefined && n < 64; s = parentOf(s), n++)
          if (marked.has(s)) return { secret: true as const }
        return undefined
      },
    }
  })()
  return g[REGISTRY]
}

function parentOf(schema: object): object | undefined {
  const p = (schema as { _zod?: { parent?: unknown } })._zod?.parent
  return typeof p === 'object' && p !== null ? p : undefined
}

/**
 * Marks a config schema (or part of one) as secret: its values never appear in logs, the store or
 * error messages, but still count in the config hash.
 *
 * @example
 * import { z } from 'zod'
 * const upload = asset(
 *   { key: 'upload', deps: { report }, config: z.object({ bucket: z.string(), token: secret(z.string()) }) },
 *   async ({ report }, ctx) => {
 *     const url = `https://storage.example.com/${ctx.config.bucket}/report.json`
 *     await fetch(url, { method: 'PUT', headers: { authorization: `Bearer ${ctx.config.token}` }, body: JSON.stringify(report) })
 *   },
 * )
 */
export function secret<S extends ZodSchema>(schema: S): S {
  registry().add(schema, { secret: true })
  return schema
}

/**
 * Whether a schema was marked with `secret()` (directly, or as a refinement of a marked schema).
 *
 * @example
 * isSecret(secret(z.string())) // true
 */
export function isSecret(schema: unknown): boolean {
  return typeof schema === 'object' && schema !== null && registry().get(schema) !== undefined
}

/** A place in a config value: property names, array indices, or `*` for every element. */
export type SecretPath = readonly (string | number)[]

type Def = { type?: string; [k: string]: unknown }
const defOf = (s: unknown): Def | undefined => (s as { _zod?: { def?: Def } } | undefined)?._zod?.def

/**
 * The places of secret values in values of `schema` (`['token']`, `['keys', '*']`); empty when it
 * has none. `*` stands for every element of an array, set, record or tuple rest.
 *
 * @example
 * secretPaths(z.object({ token: secret(z.string()) })) // [['token']]
 */
export function secretPaths(schema: ZodSchema | undefined): SecretPath[] {
  const out: SecretPath[] = []
  const seen = new Set<unknown>()
  const walk = (s: unknown, at: (string | number)[], depth: number): void => {
    if (s === undefined || s === null || depth > 32) return
    if (isSecret(s)) {
      out.push(at)
      return
    }
    const def = defOf(s)
    if (def === undefined || seen.has(s)) return
    seen.add(s)
    switch (def.type) {
      case 'object':
        for (const [k, v] of Object.entries((def.shape as Record<string, unknown>) ?? {}))
          walk(v, [...at, k], depth + 1)
        if (def.catchall !== undefined) walk(def.catchall, [...at, '*'], depth + 1)
        break
      case 'array':
        walk(def.element, [...at, '*'], depth + 1)
        break
      case 'set':
      case 'record':
      case 'map':
        walk(def.valueType, [...at, '*'], depth + 1)
        break
      case 'tuple':
        ;((def.items as unknown[]) ?? []).forEach((item, i) => walk(item, [...at, i], depth + 1))
        if (def.rest !== undefined && def.rest !== null) walk(def.rest, [...at, '*'], depth + 1)
        break
      case 'union':
        for (const o of (def.options as unknown[]) ?? []) walk(o, at, depth + 1)
        break
      case 'intersection':
        walk(def.left, at, depth + 1)
        walk(def.right, at, depth + 1)
        break
      case 'pipe':
        walk(def.in, at, depth + 1)
        walk(def.out, at, depth + 1)
        break
      case 'lazy':
        try {
          walk((def.getter as () => unknown)(), at, depth + 1)
        } catch {
          // A lazy schema that cannot be resolved has no secrets we can see.
        }
        break
      default:
        // optional, nullable, default, prefault, catch, readonly, nonoptional, success, promise...
        if (def.innerType !== undefined) walk(def.innerType, at, depth + 1)
    }
  }
  walk(schema, [], 0)
  // Deduplicate (unions and pipes may reach one place twice).
  const unique = new Map(out.map((p) => [JSON.stringify(p), p]))
  return [...unique.values()]
}

/** Whether `path` (a zod issue path) lies at or under one of `paths`. */
export function underSecret(path: readonly PropertyKey[], paths: readonly SecretPath[]): boolean {
  return paths.some(
    (p) => p.length <= path.length && p.every((seg, i) => seg === '*' || String(seg) === String(path[i])),
  )
}

/**
 * Every string and number at or under the secret places of `value` (as strings), for scrubbing.
 *
 * @example
 * secretValues({ token: 'hunter2', n: 3 }, [['token']]) // ['hunter2']
 */
export function secretValues(value: unknown, paths: readonly SecretPath[]): string[] {
  const found = new Set<string>()
  const leaves = (v: unknown, depth: number): void => {
    if (depth > 64) return
    if (typeof v === 'string') {
      if (v !== '') found.add(v)
    } else if (typeof v === 'number' || typeof v === 'bigint') found.add(String(v))
    else if (v instanceof Map || v instanceof Set) for (const x of v.values()) leaves(x, depth + 1)
    else if (typeof v === 'object' && v !== null) for (const x of Object.values(v)) leaves(x, depth + 1)
  }
  const at = (v: unknown, p: SecretPath, i: number): void => {
    if (i === p.length) {
      leaves(v, 0)
      return
    }
    if (typeof v !== 'object' || v === null) return
    const seg = p[i]!
    const children =
      v instanceof Map || v instanceof Set
        ? [...v.values()]
        : seg === '*'
          ? Object.values(v)
          : [(v as Record<string, unknown>)[String(seg)]]
    for (const c of children) if (c !== undefined) at(c, p, i + 1)
  }
  for (const p of paths) at(value, p, 0)
  return [...found]
}

/**
 * A copy of `value` with everything at the secret places replaced by `[redacted]` (for storing a
 * run's config).
 *
 * @example
 * redactSecrets({ token: 'hunter2', n: 3 }, [['token']]) // { token: '[redacted]', n: 3 }
 */
export function redactSecrets(value: unknown, paths: readonly SecretPath[]): unknown {
  const at = (v: unknown, p: SecretPath, i: number): unknown => {
    if (i === p.length) return v === undefined ? v : SECRET_MASK
    if (typeof v !== 'object' || v === null) return v
    const seg = p[i]!
    if (Array.isArray(v)) return v.map((x, j) => (seg === '*' || String(seg) === String(j) ? at(x, p, i + 1) : x))
    const copy: Record<string, unknown> = { ...(v as Record<string, unknown>) }
    for (const k of Object.keys(copy)) if (seg === '*' || String(seg) === k) copy[k] = at(copy[k], p, i + 1)
    return copy
  }
  return paths.reduce<unknown>((v, p) => at(v, p, 0), value)
}

/**
 * A function that replaces every occurrence of the given secrets in a text (longest first), or the
 * identity when there are none.
 *
 * @example
 * scrubber(['hunter2'])('login with hunter2 failed') // 'login with [redacted] failed'
 */
export function scrubber(secrets: Iterable<string>): (text: string) => string {
  const list = [...new Set([...secrets].filter((s) => s !== ''))].sort((a, b) => b.length - a.length)
  if (list.length === 0) return (text) => text
  // Also the JSON-escaped form, as secrets inside serialized JSON appear escaped.
  const needles = [...new Set(list.flatMap((s) => [s, JSON.stringify(s).slice(1, -1)]))].sort(
    (a, b) => b.length - a.length,
  )
  return (text) =>
    typeof text === 'string' ? needles.reduce((t, n) => (t.includes(n) ? t.split(n).join(SECRET_MASK) : t), text) : text
}
