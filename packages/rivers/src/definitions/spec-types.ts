/** Small shapes shared by asset and source specs. */
import type { z } from 'zod'
import type { Duration } from './duration.js'

/**
 * Any zod 4 schema (config, output and input schemas).
 *
 * @example
 * const s: ZodSchema = z.object({ epochs: z.number() })
 */
export type ZodSchema = z.ZodType

/**
 * The part of an IO manager that definitions need to know: how a value is written and read back.
 * The real interface lives with the IO managers; any of them fits this shape.
 *
 * @example
 * const memory = new Map<string, unknown>()
 * const io: IOManagerLike = {
 *   async write(key: string, value: unknown) { memory.set(key, value) },
 *   async read(key: string) { return memory.get(key) },
 * }
 */
export interface IOManagerLike {
  write(...args: any[]): Promise<unknown>
  read(...args: any[]): Promise<unknown>
}

/**
 * Compute an asset asks a launcher for. Stored as given; launchers interpret it.
 *
 * @example
 * const train: Resources = { gpus: 2, gpuType: 'h100', cpus: 16, memory: '64GB', timeLimit: '4h' }
 */
export interface Resources {
  /** Whole GPUs on one node (non-negative integer). */
  gpus?: number
  /** GPU model constraint, e.g. `'a100'` (launcher-specific). */
  gpuType?: string
  /** CPU cores (positive). */
  cpus?: number
  /** Memory: bytes as a number, or a string with a unit such as `'16GB'`, `'512MiB'`. */
  memory?: number | string
  /** Wall-clock limit for the job (milliseconds or a duration string). */
  timeLimit?: Duration
  /** Nodes of a multi-node job (positive integer). */
  nodes?: number
  /** GPUs on each node of a multi-node job (non-negative integer). */
  gpusPerNode?: number
}

/**
 * What a source's `observe` function returns.
 *
 * @example
 * const seen: Observation = { dataVersion: 'etag-9f2c', metadata: { bytes: 1024 } }
 */
export interface Observation {
  /** The source's current data version; omit to let the executor content-hash `path`. */
  dataVersion?: string
  /** Recorded with the observation. */
  metadata?: Record<string, unknown>
}
