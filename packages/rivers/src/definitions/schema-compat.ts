/**
 * Structural compatibility of a consumer's input schema with its producer's output schema, through
 * `z.toJSONSchema`. Deliberately shallow: it finds top-level type mismatches and properties the
 * consumer requires that the producer lacks, makes optional, or types differently (recursively
 * through objects and arrays). Anything it cannot read (refs, unrepresentable types) counts as
 * compatible: a false alarm here would block a valid project.
 */
import { zodModule } from './zod-module.js'
import type { ZodSchema } from './spec-types.js'

type Json = { [k: string]: unknown }

/**
 * Where and how two schemas disagree.
 *
 * @example
 * const m: SchemaMismatch = { path: '[].id', detail: 'the consumer expects number, the producer gives string' }
 */
export interface SchemaMismatch {
  /** Where, relative to the value: `''` for the value itself, else a path such as `[].id` or `customer.email`. */
  readonly path: string
  readonly detail: string
}

/**
 * The first incompatibility between what `producer` outputs and what `consumer` accepts, if any.
 *
 * @example
 * findSchemaMismatch(z.object({ id: z.number() }), z.object({ id: z.string() }))
 * // { path: 'id', detail: 'the consumer expects number, the producer gives string' }
 */
export function findSchemaMismatch(consumer: ZodSchema, producer: ZodSchema): SchemaMismatch | undefined {
  const c = toJson(consumer, 'input')
  const p = toJson(producer, 'output')
  if (c === undefined || p === undefined) return undefined
  return compare(c, p, '')
}

function toJson(schema: ZodSchema, io: 'input' | 'output'): Json | undefined {
  try {
    return zodModule().z.toJSONSchema(schema, { unrepresentable: 'any', io }) as Json
  } catch {
    return undefined
  }
}

function compare(c: Json, p: Json, path: string): SchemaMismatch | undefined {
  const ct = typesOf(c)
  const pt = typesOf(p)
  if (ct === undefined || pt === undefined) return undefined
  const rejected = [...pt].filter((t) => !ct.has(t) && !(t === 'integer' && ct.has('number')))
  if (rejected.length > 0) {
    return { path, detail: `the consumer expects ${list(ct)}, the producer gives ${list(pt)}` }
  }
  if (ct.has('object') && pt.has('object')) {
    const cProps = (c.properties ?? {}) as Record<string, Json>
    const pProps = p.properties as Record<string, Json> | undefined
    if (pProps === undefined) return undefined
    const pRequired = new Set((p.required ?? []) as string[])
    for (const name of (c.required ?? []) as string[]) {
      const at = path === '' ? name : `${path}.${name}`
      const pProp = pProps[name]
      if (pProp === undefined)
        return { path: at, detail: 'the consumer requires this property, the producer does not have it' }
      if (!pRequired.has(name))
        return { path: at, detail: 'the consumer requires this property, the producer makes it optional' }
      const cProp = cProps[name]
      const inner = cProp === undefined ? undefined : compare(cProp, pProp, at)
      if (inner !== undefined) return inner
    }
  }
  if (ct.has('array') && pt.has('array') && isJson(c.items) && isJson(p.items)) {
    return compare(c.items, p.items, `${path}[]`)
  }
  return undefined
}

function typesOf(s: Json): Set<string> | undefined {
  if (typeof s.type === 'string') return new Set([s.type])
  if (Array.isArray(s.type)) return new Set(s.type as string[])
  const branches = (s.anyOf ?? s.oneOf) as unknown
  if (Array.isArray(branches)) {
    const out = new Set<string>()
    for (const b of branches) {
      const t = isJson(b) ? typesOf(b) : undefined
      if (t === undefined) return undefined
      for (const x of t) out.add(x)
    }
    return out
  }
  if ('const' in s) return new Set([jsonType(s.const)])
  if (Array.isArray(s.enum)) return new Set(s.enum.map(jsonType))
  return undefined
}

function jsonType(v: unknown): string {
  return v === null
    ? 'null'
    : Array.isArray(v)
      ? 'array'
      : typeof v === 'number'
        ? Number.isInteger(v)
          ? 'integer'
          : 'number'
        : typeof v
}

function isJson(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

function list(types: Set<string>): string {
  return [...types].sort().join(' or ')
}
