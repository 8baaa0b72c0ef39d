/**
 * From an asset's `resources` (as written) to the `ResourceRequest` launchers work with.
 */
import { formatBytes, parseDuration, parseQuantity, type Resources } from '../definitions/index.js'
import type { ResourceRequest } from './types.js'

/**
 * Normalizes validated resources: GPUs per node, memory in bytes, time limit in milliseconds.
 *
 * @example
 * normalizeResources({ gpus: 2, memory: '16Gi', timeLimit: '1h' }) // { nodes: 1, gpusPerNode: 2, memoryBytes: 17179869184, timeLimitMs: 3600000 }
 */
export function normalizeResources(r: Readonly<Resources> | undefined): ResourceRequest {
  const nodes = r?.nodes ?? 1
  const req: ResourceRequest = { nodes, gpusPerNode: r?.gpusPerNode ?? r?.gpus ?? 0 }
  if (r?.gpuType !== undefined) req.gpuType = r.gpuType
  if (r?.cpus !== undefined) req.cpus = r.cpus
  const memory = r?.memory === undefined ? undefined : parseQuantity(r.memory)
  if (memory !== undefined) req.memoryBytes = memory
  const time = r?.timeLimit === undefined ? undefined : parseDuration(r.timeLimit)
  if (time !== undefined) req.timeLimitMs = time
  return req
}

/**
 * A request in words, for logs and errors.
 *
 * @example
 * describeRequest({ nodes: 2, gpusPerNode: 4, cpus: 8 }) // '2 nodes x 4 GPUs, 8 CPUs'
 */
export function describeRequest(r: ResourceRequest): string {
  const parts: string[] = []
  const gpus = `${r.gpusPerNode} ${r.gpuType === undefined ? '' : `${r.gpuType} `}GPU${r.gpusPerNode === 1 ? '' : 's'}`
  parts.push(r.nodes > 1 ? `${r.nodes} nodes x ${gpus}` : gpus)
  if (r.cpus !== undefined) parts.push(`${r.cpus} CPU${r.cpus === 1 ? '' : 's'}`)
  if (r.memoryBytes !== undefined) parts.push(`${formatBytes(r.memoryBytes)} memory`)
  if (r.timeLimitMs !== undefined) parts.push(`${formatMs(r.timeLimitMs)} limit`)
  return parts.join(', ')
}

/**
 * A duration in milliseconds as `1h30m`, `45s`, `250ms`.
 *
 * @example
 * formatMs(5_400_000) // '1h30m'
 */
export function formatMs(ms: number): string {
  if (!Number.isFinite(ms)) return 'unlimited'
  if (ms < 1000) return `${Math.round(ms)}ms`
  let s = Math.round(ms / 1000)
  const d = Math.floor(s / 86400)
  s -= d * 86400
  const h = Math.floor(s / 3600)
  s -= h * 3600
  const m = Math.floor(s / 60)
  s -= m * 60
  return [d && `${d}d`, h && `${h}h`, m && `${m}m`, s && `${s}s`].filter(Boolean).join('') || '0s'
}
