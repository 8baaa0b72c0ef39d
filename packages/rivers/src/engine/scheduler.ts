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
 * The concurrency slot of one visit. A visit holds it from its start; `release()` lends it to the
 * next ready id while the visit only waits for what runs no code of its own (its output reaching
 * the disk), and `acquire()` takes one again (after the slots held, before new visits) before it
 * runs code again (a retry). A visit ends holding a slot or not: either way its slot is free then.
 */
export interface Slot {
  /** Frees the slot (nothing when not held). */
  release(): void
  /** Resolves once the visit holds a slot again (at once when it still holds one). */
  acquire(): Promise<void>
}

/**
 * Visits one id; `blockedBy` is the reason an upstream visit gave to block it. Resolves to the
 * reason to block its descendants with, or undefined to let them run. Must not reject. `upcoming(n)`
 * lists up to `n` ids that are ready and will be visited next, in order, unblocked ones only (a
 * visitor may prepare them: take their leases with its own, say). `slot` is the visit's
 * concurrency slot (see {@link Slot}).
 */
export type Visitor<Reason> = (
  id: AssetId,
  blockedBy: Reason | undefined,
  upcoming: (n: number) => AssetId[],
  slot: Slot,
) => Promise<Reason | undefined>

/**
 * Visits started and not finished beyond `concurrency`, at most (with a slot or not): new visits
 * wait beyond this, so the outputs waiting for the disk (each with a file open) stay bounded
 * whatever the concurrency.
 */
export const RELEASED_MAX = 64

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
 * Visits every planned id in dependency order with bounded concurrency: at most `concurrency`
 * visits hold a slot at once (see {@link Slot}), and at most `concurrency + RELEASED_MAX` run at all.
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
  /** Visits holding a slot. */
  let active = 0
  /** Visits started and not finished (with a slot or not). */
  let running = 0
  const maxRunning = concurrency + RELEASED_MAX
  /** Visits waiting to hold a slot again, first come first served (before any new visit). */
  const acquiring: (() => void)[] = []
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
  return { unfinished: graph.ids.filter((v) => !finished.has(v)), abandoned: running }

  /** Hands free slots to the visits waiting to hold one again. */
  function grant(): void {
    while (acquiring.length > 0 && active < concurrency) {
      active++
      acquiring.shift()!()
    }
  }

  /** A new visit's slot (held), and what to do when the visit ends: free what it holds or waits for. */
  function slotOf(): { slot: Slot; end: () => void } {
    let held = true
    let waiting: (() => void) | undefined
    const slot: Slot = {
      release: () => {
        if (!held) return
        held = false
        active--
        grant()
        wake?.()
      },
      acquire: () =>
        held
          ? Promise.resolve()
          : new Promise<void>((resolve) => {
              waiting = () => {
                waiting = undefined
                held = true
                resolve()
              }
              acquiring.push(waiting)
              grant()
            }),
    }
    const end = (): void => {
      if (held) active--
      held = false
      // A visit that ended without waiting for its acquire(): it gets no slot any more.
      if (waiting !== undefined) acquiring.splice(acquiring.indexOf(waiting), 1)
    }
    return { slot, end }
  }

  async function loop(): Promise<void> {
    while (done < graph.ids.length) {
      while (
        head < ready.length &&
        active < concurrency &&
        acquiring.length === 0 &&
        running < maxRunning &&
        !signal.aborted
      ) {
        const v = ready[head++]!
        if (head >= 1024 && head * 2 >= ready.length) {
          ready = ready.slice(head)
          head = 0
        }
        active++
        running++
        const { slot, end } = slotOf()
        void visit(v, blocked.get(v), upcoming, slot)
          .then(
            (block) => finish(v, block),
            (error: unknown) => {
              failure ??= { error }
              finish(v, undefined)
            },
          )
          .finally(() => {
            end()
            running--
            grant()
            wake?.()
          })
      }
      if (running === 0 && (signal.aborted || head === ready.length)) break
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
