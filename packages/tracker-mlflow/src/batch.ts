/**
 * What one materialization becomes in MLflow's terms, and how it is cut into `runs/log-batch`
 * requests within MLflow's limits: at most 1,000 metrics, 100 params and 100 tags per request, 1,000
 * entities in all, and about 1 MB of body; keys of at most 250 characters made of letters, digits,
 * `_ - . : /` and spaces; param values of at most 6,000 characters, tag values of at most 8,000.
 */

/** One metric point as MLflow logs it. */
export interface MlflowMetric {
  key: string
  value: number
  /** Milliseconds since the epoch. */
  timestamp: number
  step: number
}

/** A param or tag. */
export interface MlflowKeyValue {
  key: string
  value: string
}

/** The content of one or more `runs/log-batch` requests. */
export interface MlflowBatch {
  metrics: MlflowMetric[]
  params: MlflowKeyValue[]
  tags: MlflowKeyValue[]
}

/** MLflow's limits (mlflow/utils/validation.py). */
export const LIMITS = {
  metricsPerBatch: 1000,
  paramsPerBatch: 100,
  tagsPerBatch: 100,
  entitiesPerBatch: 1000,
  /** Kept under MLflow's 1,000,000 bytes per request, with room for the JSON around the values. */
  bytesPerBatch: 900_000,
  keyLength: 250,
  paramValueLength: 6000,
  tagValueLength: 8000,
} as const

/**
 * Cuts a batch into requests that each stay within MLflow's limits, keeping the order of each list.
 *
 * @example
 * const requests = chunkBatch({ metrics: points, params: [], tags: [] }) // 2,500 points: 3 requests
 */
export function chunkBatch(batch: MlflowBatch): MlflowBatch[] {
  const out: MlflowBatch[] = []
  let m = 0
  let p = 0
  let t = 0
  while (m < batch.metrics.length || p < batch.params.length || t < batch.tags.length) {
    const chunk: MlflowBatch = { metrics: [], params: [], tags: [] }
    let bytes = 0
    let entities = 0
    const fits = (size: number) =>
      entities < LIMITS.entitiesPerBatch && (entities === 0 || bytes + size <= LIMITS.bytesPerBatch)
    while (p < batch.params.length && chunk.params.length < LIMITS.paramsPerBatch) {
      const size = sizeOf(batch.params[p]!)
      if (!fits(size)) break
      chunk.params.push(batch.params[p++]!)
      bytes += size
      entities++
    }
    while (t < batch.tags.length && chunk.tags.length < LIMITS.tagsPerBatch) {
      const size = sizeOf(batch.tags[t]!)
      if (!fits(size)) break
      chunk.tags.push(batch.tags[t++]!)
      bytes += size
      entities++
    }
    while (m < batch.metrics.length && chunk.metrics.length < LIMITS.metricsPerBatch) {
      const size = 80 + batch.metrics[m]!.key.length
      if (!fits(size)) break
      chunk.metrics.push(batch.metrics[m++]!)
      bytes += size
      entities++
    }
    out.push(chunk)
  }
  return out
}

function sizeOf(kv: MlflowKeyValue): number {
  return kv.key.length + Buffer.byteLength(kv.value) + 32
}

/**
 * A key MLflow accepts: other characters become `_`, and a key longer than 250 characters is cut.
 *
 * @example
 * mlflowKey('optimizer[0].lr') // 'optimizer_0_.lr'
 */
export function mlflowKey(key: string): string {
  return key.replace(/[^\w\-. :/]/g, '_').slice(0, LIMITS.keyLength)
}

/**
 * A value cut to `limit` characters, saying so at its end when it was cut.
 *
 * @example
 * clip('x'.repeat(7000), 6000).length // 6000
 */
export function clip(value: string, limit: number): string {
  if (value.length <= limit) return value
  const note = `… (${value.length} characters, cut)`
  return value.slice(0, limit - note.length) + note
}

/**
 * An asset's config values as MLflow params: nested objects flattened to dotted keys, strings as
 * they are, every other value as JSON (arrays whole). A config that is not an object is one param,
 * `config`. Undefined (an asset without config) gives none.
 *
 * @example
 * flattenParams({ epochs: 3, optimizer: { name: 'adam', lr: 0.01 } })
 * // [{ key: 'epochs', value: '3' }, { key: 'optimizer.name', value: 'adam' }, { key: 'optimizer.lr', value: '0.01' }]
 */
export function flattenParams(params: unknown): MlflowKeyValue[] {
  if (params === undefined) return []
  const out = new Map<string, string>()
  const visit = (value: unknown, prefix: string) => {
    if (isPlainObject(value) && Object.keys(value).length > 0) {
      for (const [k, v] of Object.entries(value)) visit(v, prefix === '' ? k : `${prefix}.${k}`)
      return
    }
    const key = mlflowKey(prefix === '' ? 'config' : prefix)
    out.set(key, clip(typeof value === 'string' ? value : (JSON.stringify(value) ?? 'null'), LIMITS.paramValueLength))
  }
  visit(params, '')
  return [...out].map(([key, value]) => ({ key, value }))
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}
