/**
 * Strict run config: the fields of a given config that its zod schema does not know. zod's objects
 * strip unknown keys silently, so `{"model": {"scal": 3}}` would run with `scale`'s default; Rivers
 * refuses such a config instead (see `parseConfig`), naming the path and the closest known field.
 *
 * The schema and the value are walked together: object shapes (nested too), arrays, tuples,
 * records, wrappers (optional, default, nullable, catch, readonly, pipe input, lazy), unions (the
 * option that fits best) and intersections (a field either side knows is known). An object with a
 * catchall (`.catchall()`, `.loose()`/`.passthrough()`) accepts any field; a strict object's extra
 * fields are reported here too, with the suggestion zod's own message lacks.
 */
import { closest } from './suggest.js'
import type { ZodSchema } from './spec-types.js'

/** A field the schema does not know. */
export interface UnknownField {
  /** Where it is: `optimizer.lrate`, `layers[2].sise`. */
  path: string
  /** The closest field the schema knows at that place, if one is close enough. */
  suggestion?: string
  /** The fields the schema knows at that place. */
  known: string[]
}

type Def = { type?: string; [k: string]: unknown }
const defOf = (s: unknown): Def | undefined => (s as { _zod?: { def?: Def } } | undefined)?._zod?.def
const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v)
const WRAPPERS = new Set(['optional', 'nullable', 'default', 'prefault', 'catch', 'readonly', 'nonoptional', 'success'])

function show(path: readonly (string | number)[]): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`)).join('')
}

/**
 * The fields of `value` that `schema` does not know, in the order they appear.
 *
 * @example
 * unknownFields(z.object({ scale: z.number().default(1) }), { scal: 3 })
 * // [{ path: 'scal', suggestion: 'scale', known: ['scale'] }]
 */
export function unknownFields(schema: ZodSchema | undefined, value: unknown): UnknownField[] {
  const out: UnknownField[] = []
  walk(schema, value, [], out, 0)
  return out
}

function walk(schema: unknown, value: unknown, at: (string | number)[], out: UnknownField[], depth: number): void {
  const def = defOf(schema)
  if (def === undefined || depth > 64) return
  const type = def.type ?? ''
  if (WRAPPERS.has(type)) {
    walk(def.innerType, value, at, out, depth + 1)
    return
  }
  switch (type) {
    case 'object': {
      if (!isPlainObject(value)) return
      const shape = (def.shape ?? {}) as Record<string, unknown>
      const catchall = def.catchall
      const open = catchall !== undefined && defOf(catchall)?.type !== 'never'
      const known = Object.keys(shape)
      for (const [k, v] of Object.entries(value)) {
        if (Object.hasOwn(shape, k)) walk(shape[k], v, [...at, k], out, depth + 1)
        else if (open) walk(catchall, v, [...at, k], out, depth + 1)
        else {
          const suggestion = closest(k, known)
          out.push({ path: show([...at, k]), known, ...(suggestion === undefined ? {} : { suggestion }) })
        }
      }
      return
    }
    case 'array':
      if (Array.isArray(value)) value.forEach((v, i) => walk(def.element, v, [...at, i], out, depth + 1))
      return
    case 'tuple': {
      if (!Array.isArray(value)) return
      const items = (def.items as unknown[] | undefined) ?? []
      value.forEach((v, i) => walk(i < items.length ? items[i] : def.rest, v, [...at, i], out, depth + 1))
      return
    }
    case 'record':
      if (isPlainObject(value))
        for (const [k, v] of Object.entries(value)) walk(def.valueType, v, [...at, k], out, depth + 1)
      return
    case 'pipe':
      walk(def.in, value, at, out, depth + 1)
      return
    case 'lazy': {
      let inner: unknown
      try {
        inner = (def.getter as () => unknown)()
      } catch {
        return
      }
      walk(inner, value, at, out, depth + 1)
      return
    }
    case 'union': {
      const options = (def.options as unknown[] | undefined) ?? []
      // The options the value fits (zod strips unknown keys, so a typo still fits); else all of them.
      const fitting = options.filter((o) => (o as ZodSchema).safeParse(value).success)
      let best: UnknownField[] | undefined
      for (const o of fitting.length > 0 ? fitting : options) {
        const found: UnknownField[] = []
        walk(o, value, at, found, depth + 1)
        if (best === undefined || found.length < best.length) best = found
        if (best.length === 0) break
      }
      out.push(...(best ?? []))
      return
    }
    case 'intersection': {
      const left: UnknownField[] = []
      const right: UnknownField[] = []
      walk(def.left, value, at, left, depth + 1)
      walk(def.right, value, at, right, depth + 1)
      const inRight = new Map(right.map((f) => [f.path, f]))
      for (const f of left) {
        const r = inRight.get(f.path)
        if (r === undefined) continue
        const known = [...new Set([...f.known, ...r.known])]
        const suggestion = closest(f.path.split(/[.[]/).pop() ?? f.path, known)
        out.push({ path: f.path, known, ...(suggestion === undefined ? {} : { suggestion }) })
      }
      return
    }
    default:
      return
  }
}
