/**
 * The local launcher's slot pool: whole GPUs, CPUs and memory of this machine, handed out strictly
 * first come, first served (a large request at the head of the queue is never overtaken, so it cannot
 * starve). GPUs are also locked across processes through `GpuLocks`; CPUs and memory are accounted
 * within this process only.
 */
import type { GpuDevice } from '../definitions/index.js'
import type { GpuLocks } from './gpu-locks.js'
import type { Reservation } from './types.js'

/**
 * What one asset asks the pool for.
 *
 * @example
 * const want: SlotRequest = { gpus: 1, cpus: 4, memoryBytes: 8 * 2 ** 30 }
 */
export interface SlotRequest {
  gpus: number
  gpuType?: string
  cpus?: number
  memoryBytes?: number
}

interface Waiter {
  request: SlotRequest
  owner: string
  resolve: (r: PoolReservation) => void
  reject: (e: unknown) => void
}

/** A reservation of the pool; `setChild` ties its GPU locks to the job's process. */
export interface PoolReservation extends Reservation {
  setChild(pid: number): void
}

/** How often a request blocked by another process's locks is retried. */
const CROSS_PROCESS_RETRY_MS = 250

/**
 * Whether a GPU matches a `gpuType` constraint (case-insensitive; spaces, dashes and underscores
 * ignored: `'a100'` matches `'NVIDIA A100-SXM4-80GB'`).
 *
 * @example
 * gpuMatches({ index: '0', name: 'NVIDIA H100 80GB HBM3' }, 'h100') // true
 */
export function gpuMatches(gpu: GpuDevice, gpuType: string | undefined): boolean {
  if (gpuType === undefined) return true
  const norm = (s: string): string => s.toLowerCase().replace(/[\s_-]+/g, '')
  return gpu.name !== undefined && norm(gpu.name).includes(norm(gpuType))
}

/**
 * A FIFO pool of GPU, CPU and memory slots.
 *
 * @example
 * const pool = new SlotPool([{ index: '0' }, { index: '1' }], { cpus: 16, memoryBytes: 64 * 2 ** 30 })
 * const r = await pool.acquire({ gpus: 1 }, 'model', signal)
 * try { console.log(r.gpus) } finally { r.release() }
 */
export class SlotPool {
  readonly gpus: readonly GpuDevice[]
  readonly capacity: { cpus: number; memoryBytes: number }
  readonly #locks: GpuLocks | undefined
  readonly #busy = new Set<string>()
  #cpus = 0
  #memory = 0
  readonly #queue: Waiter[] = []
  #retry: NodeJS.Timeout | undefined

  constructor(gpus: readonly GpuDevice[], capacity: { cpus: number; memoryBytes: number }, locks?: GpuLocks) {
    this.gpus = gpus
    this.capacity = capacity
    this.#locks = locks
  }

  /** Requests waiting for slots. */
  get waiting(): number {
    return this.#queue.length
  }

  /** GPU indices held by this process now. */
  get busyGpus(): string[] {
    return [...this.#busy]
  }

  /**
   * Waits (FIFO) for the slots; `onQueued` is called once when it has to wait. Rejects with the
   * signal's reason when aborted while waiting.
   */
  acquire(
    request: SlotRequest,
    owner: string,
    signal?: AbortSignal,
    onQueued?: (why: string) => void,
  ): Promise<PoolReservation> {
    return new Promise<PoolReservation>((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason)
      const waiter: Waiter = { request, owner, resolve, reject }
      const onAbort = (): void => {
        const i = this.#queue.indexOf(waiter)
        if (i >= 0) {
          this.#queue.splice(i, 1)
          reject(signal!.reason)
          this.#pump()
        }
      }
      signal?.addEventListener('abort', onAbort, { once: true })
      waiter.resolve = (r) => {
        signal?.removeEventListener('abort', onAbort)
        resolve(r)
      }
      this.#queue.push(waiter)
      this.#pump()
      if (this.#queue.includes(waiter)) onQueued?.(this.#whyWaiting(waiter))
    })
  }

  /** Marks GPUs used by a job of an earlier process (reattached) as held; returns its reservation. */
  adopt(indices: readonly string[], owner: string, childPid: number, request: SlotRequest): PoolReservation {
    for (const i of indices) {
      this.#busy.add(i)
      this.#locks?.adopt(i, owner, childPid)
    }
    this.#cpus += request.cpus ?? 0
    this.#memory += request.memoryBytes ?? 0
    return this.#reservation(indices, request)
  }

  #pump(): void {
    clearTimeout(this.#retry)
    this.#retry = undefined
    while (this.#queue.length > 0) {
      const head = this.#queue[0]!
      let r: PoolReservation | 'wait'
      try {
        r = this.#tryTake(head)
      } catch (e) {
        // A lock folder that cannot be used: this request fails, the others go on.
        this.#queue.shift()
        head.reject(e)
        continue
      }
      if (r === 'wait') break
      this.#queue.shift()
      head.resolve(r)
    }
    // Locks held by other processes free up without telling us: poll while someone waits.
    if (this.#queue.length > 0 && this.#locks !== undefined) {
      this.#retry = setTimeout(() => this.#pump(), CROSS_PROCESS_RETRY_MS)
      this.#retry.unref?.()
    }
  }

  #tryTake(w: Waiter): PoolReservation | 'wait' {
    const { request } = w
    if (this.#cpus + (request.cpus ?? 0) > this.capacity.cpus && this.#cpus > 0) return 'wait'
    if (this.#memory + (request.memoryBytes ?? 0) > this.capacity.memoryBytes && this.#memory > 0) return 'wait'
    const taken: string[] = []
    if (request.gpus > 0) {
      for (const gpu of this.gpus) {
        if (taken.length === request.gpus) break
        if (this.#busy.has(gpu.index) || !gpuMatches(gpu, request.gpuType)) continue
        if (this.#locks !== undefined && !this.#locks.tryLock(gpu.index, w.owner)) continue
        taken.push(gpu.index)
      }
      if (taken.length < request.gpus) {
        for (const i of taken) this.#locks?.unlock(i)
        return 'wait'
      }
    }
    for (const i of taken) this.#busy.add(i)
    this.#cpus += request.cpus ?? 0
    this.#memory += request.memoryBytes ?? 0
    return this.#reservation(taken, request)
  }

  #reservation(indices: readonly string[], request: SlotRequest): PoolReservation {
    let released = false
    const gpus = indices.map((i) => this.gpus.find((g) => g.index === i) ?? { index: i })
    return {
      gpus,
      setChild: (pid) => {
        for (const i of indices) this.#locks?.setChild(i, pid)
      },
      release: () => {
        if (released) return
        released = true
        for (const i of indices) {
          this.#busy.delete(i)
          this.#locks?.unlock(i)
        }
        this.#cpus -= request.cpus ?? 0
        this.#memory -= request.memoryBytes ?? 0
        this.#pump()
      },
    }
  }

  #whyWaiting(w: Waiter): string {
    const ahead = this.#queue.indexOf(w)
    const elsewhere = this.gpus
      .map((g) => ({ g, h: this.#busy.has(g.index) ? undefined : this.#locks?.heldElsewhere(g.index) }))
      .filter((x) => x.h !== undefined)
    const parts = [`${this.#busy.size} of ${this.gpus.length} GPUs busy in this process`]
    if (elsewhere.length > 0)
      parts.push(
        `${elsewhere.length} held by other processes (${elsewhere.map((x) => `GPU ${x.g.index}: pid ${x.h!.pid}`).join(', ')})`,
      )
    if (ahead > 0) parts.push(`${ahead} request${ahead === 1 ? '' : 's'} ahead`)
    return parts.join('; ')
  }
}
