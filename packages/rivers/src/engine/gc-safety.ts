/**
 * What garbage collection must never touch while runs are going on: the runs whose process is alive
 * (their records are not written yet, their consumers may be reading inputs), and a cutoff time
 * before which every file gc deletes must have been written.
 *
 * Why a cutoff and not a store lock: runs never wait for gc, and gc never waits for runs. A file
 * that a live run may still record was written after that run started; a file of a run that starts
 * while gc works is written after gc started. So gc only deletes files (and only collects records
 * superseded) before min(gc start, oldest live run's start), less a margin for coarse file times.
 */
import { hostname } from 'node:os'

import { pidAlive } from '../io/sweep.js'
import type { Store } from '../store/store.js'

const HOST = hostname()

/** File times can lag the clock (coarse timestamps, a writer on another machine): a margin below the cutoff. */
export const GC_MARGIN_MS = 2_000

/** Runs gc must leave alone, and the time before which what it deletes was written. */
export interface LiveRuns {
  /** Ids of runs still running: their process is alive, or on another machine (cannot tell: assume alive). */
  ids: ReadonlySet<string>
  /** Epoch ms: only files modified, and records superseded, before this are collected. */
  cutoffMs: number
}

/**
 * The live runs of the store and the cutoff of a gc starting at `nowMs`.
 *
 * @example
 * const { ids, cutoffMs } = await liveRuns(store, Date.now())
 */
export async function liveRuns(
  store: Store,
  nowMs: number,
  isAlive: (pid: number) => boolean = pidAlive,
): Promise<LiveRuns> {
  const ids = new Set<string>()
  let oldest = nowMs
  for (const run of await store.listRuns({ limit: 1_000_000 })) {
    if (run.status !== 'running') continue
    const alive = run.host !== HOST || run.pid === null || run.pid === process.pid || isAlive(run.pid)
    if (!alive) continue
    ids.add(run.id)
    oldest = Math.min(oldest, Date.parse(run.startedAt))
  }
  return { ids, cutoffMs: oldest - GC_MARGIN_MS }
}

/**
 * The run id in an artifact's storage path (`raw/@<run>.json`), or undefined for another shape.
 *
 * @example
 * runOfPath('raw/orders/@20261126T010203Z-3f9a1c.json') // '20261126T010203Z-3f9a1c'
 */
export function runOfPath(storagePath: string): string | undefined {
  const name = storagePath.slice(storagePath.lastIndexOf('/') + 1)
  const m = /^(?:\.tmp-(?:\d+-)?[0-9a-f]+-)?@([A-Za-z0-9_.-]+?)\.(json|bin|stream)$/.exec(name)
  if (m !== null) return m[1]
  // A segment of a batched function: `@<run>.<first>~<last>.<tag>.seg` (run ids hold no `.`).
  return /^(?:\.tmp-(?:\d+-)?[0-9a-f]+-)?@([A-Za-z0-9_-]+)\.[^/]*\.seg$/.exec(name)?.[1]
}
