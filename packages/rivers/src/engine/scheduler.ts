/**
 * The scheduler (shaped like turborepo's `Engine::execute`): it knows only the graph among the
 * planned ids, a concurrency limit, an AbortSignal and a visitor callback. An id is visited as soon
 * as its planned deps are done (no layer barriers), at most `concurrency` at a time. A visit may
 * block its descendants with a reason, which they receive when visited. Everything else (leases,
 * re-verification, records, events, the summary) lives in the visitor.
 */
import type { AssetId } from './planner.js'

/** The planned ids and their dependencies among them. */
export interface ScheduleGraph {
  /** Planned ids, in plan order (every dep before its dependents). */
  readonly ids: readonly AssetId[]
  /** Dependencies of a planned id (ids outside the plan are ignored). */
  deps(id: AssetId): Iterable<AssetId>
}

/**
 * Visits one id; `blockedBy` is the reason an upstream visit gave to block it. Resolves to the
 * reason to block its descendants with, or undefined to let them run. Must not reject. `upcoming(n)`
 * lists up to `n` ids that are ready and will be visited next, in order, unblocked ones only (a
 * visitor may prepare them: take their leases with its own, say).
 */
export type Visitor<Reason> = (
  id: AssetId,
  blockedBy: Reason | undefined,
  upcoming: (n: number) => AssetId[],
) => Promise<Reason | undefined>

/** Limits of a schedule. */
export interface ScheduleOptions {
  concurrency: number
  /** Once aborted, nothing new starts; running visits get `graceMs` to finish. */
  signal: AbortSignal
  graceMs: number
  /** Called at once when the grace period runs out with visits still running (they are given up on). */
  onAbandon?: (running: number) => void
}

/** How a schedule ended. */
export interface ScheduleEnd {
  /** Planned ids whose visit did not finish (never started once the signal aborted, or given up on), in plan order. */
  unfinished: AssetId[]
  /** Visits still running when the grace period after an abort ran out (they are given up on). */
  abandoned: number
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

/**
 * Visits every planned id in dependency order with bounded concurrency.
 *
 * @example
 * const end = await schedule(
 *   { ids: planned, deps: (id) => state.asset(id).deps.map((d) => state.idOf(d.key)!) },
 *   { concurrency: 4, signal, graceMs: 10_000 },
 *   async (id, blockedBy) => blockedBy ?? ((await materializeAsset(run, id, undefined)).ok ? undefined : 'upstream_failed'),
 * )
 */
export async function schedule<Reason>(
  graph: ScheduleGraph,
  options: ScheduleOptions,
  visit: Visitor<Reason>,
): Promise<ScheduleEnd> {
  const { signal, concurrency, graceMs } = options
  const inPlan = new Set(graph.ids)
  const pending = new Map<AssetId, number>()
  const children = new Map<AssetId, AssetId[]>()
  for (const v of graph.ids) {
    const deps = new Set([...graph.deps(v)].filter((d) => inPlan.has(d)))
    pending.set(v, deps.size)
    for (const d of deps) {
      const c = children.get(d)
      if (c === undefined) children.set(d, [v])
      else c.push(v)
    }
  }
  const blocked = new Map<AssetId, Reason>()
  // A FIFO queue: `ready[head]` is next; popping moves `head` (no array shift per pop), and the
  // consumed front is dropped now and then so it does not grow with the run.
  let ready = graph.ids.filter((v) => pending.get(v) === 0)
  let head = 0
  const finished = new Set<AssetId>()
  let done = 0
  let active = 0
  let wake: (() => void) | undefined
  let failure: { error: unknown } | undefined
  // One listener for the whole schedule (not one per wait): an abort wakes the loop.
  const onAbort = (): void => wake?.()
  signal.addEventListener('abort', onAbort, { once: true })

  const upcoming = (n: number): AssetId[] => {
    const out: AssetId[] = []
    for (let i = head; i < ready.length && out.length < n; i++) if (!blocked.has(ready[i]!)) out.push(ready[i]!)
    return out
  }

  const finish = (v: AssetId, block: Reason | undefined): void => {
    done++
    finished.add(v)
    for (const c of children.get(v) ?? []) {
      if (block !== undefined && !blocked.has(c)) blocked.set(c, block)
      const left = pending.get(c)! - 1
      pending.set(c, left)
      if (left === 0) ready.push(c)
    }
  }

  try {
    await loop()
  } finally {
    signal.removeEventListener('abort', onAbort)
  }
  if (failure !== undefined) throw failure.error
  return { unfinished: graph.ids.filter((v) => !finished.has(v)), abandoned: active }

  async function loop(): Promise<void> {
    while (done < graph.ids.length) {
      while (head < ready.length && active < concurrency && !signal.aborted) {
        const v = ready[head++]!
        if (head >= 1024 && head * 2 >= ready.length) {
          ready = ready.slice(head)
          head = 0
        }
        active++
        void visit(v, blocked.get(v), upcoming)
          .then(
            (block) => finish(v, block),
            (error: unknown) => {
              failure ??= { error }
              finish(v, undefined)
            },
          )
          .finally(() => {
            active--
            wake?.()
          })
      }
      if (active === 0 && (signal.aborted || head === ready.length)) break
      if (signal.aborted) {
        // Running visits saw the signal abort; give them a bounded grace period.
        const timedOut = await Promise.race([
          new Promise<boolean>((resolve) => (wake = () => resolve(false))),
          sleep(graceMs).then(() => true),
        ])
        if (timedOut) {
          options.onAbandon?.(active)
          break
        }
        continue
      }
      await new Promise<void>((resolve) => (wake = resolve))
    }
  }
}
