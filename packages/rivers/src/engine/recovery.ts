/**
 * Cleaning up after runs whose process died (kill -9, OOM killer, power loss): their leases, their
 * `running` status, and the temp files of their interrupted writes. What they recorded stays: every
 * record is complete (one transaction with its artifact already in place), so the next run plans
 * exactly what they had not recorded.
 */
import { hostname } from 'node:os'

import type { Logger } from 'pino'

import { pidAlive } from '../io/sweep.js'
import type { Store } from '../store/store.js'
import type { Lease, RunRecord } from '../store/types.js'

const HOST = hostname()

/**
 * Whether the holder of a lease is a process of this machine that no longer exists (its lease can be
 * taken at once instead of waiting for it to expire). Holders on other machines, or in this process,
 * count as alive.
 *
 * @example
 * if (holderIsGone(lease)) await store.releaseLease('model', lease.runId)
 */
export function holderIsGone(lease: Pick<Lease, 'pid' | 'host'> | undefined): boolean {
  return lease !== undefined && lease.host === HOST && lease.pid !== process.pid && !pidAlive(lease.pid)
}

/** The summary stored for a run whose process died before it finished. */
export interface InterruptedSummary {
  interrupted: true
  error: string
  /** Assets the run recorded before it died, in order. */
  materialized: string[]
  skipped: never[]
  failed: never[]
}

/**
 * The message stored with an interrupted run.
 *
 * @example
 * interruptedMessage(4242, 3) // 'the assets process (pid 4242) stopped before the run finished …'
 */
export function interruptedMessage(pid: number | null, recorded: number): string {
  return (
    `the assets process${pid === null ? '' : ` (pid ${pid})`} stopped before the run finished (killed or crashed); ` +
    `the ${recorded} asset${recorded === 1 ? '' : 's'} it recorded are kept, and \`assets materialize\` rebuilds the rest`
  )
}

/**
 * Marks the recent runs of this machine still `running` whose process is gone as `failed`, with an
 * `interrupted` summary listing what they recorded, and frees their leases. Returns their ids.
 *
 * @example
 * await finishInterruptedRuns(store, logger) // ['20261126T010203Z-3f9a1c']
 */
export async function finishInterruptedRuns(store: Store, log?: Logger, limit = 50): Promise<string[]> {
  const found: string[] = []
  for (const run of await store.listRuns({ limit })) {
    if (!isOrphan(run)) continue
    const materialized = (await store.runEvents(run.id))
      .filter((e) => e.type === 'materialized' && e.key !== null)
      .map((e) => e.key!)
    const summary: InterruptedSummary = {
      interrupted: true,
      error: interruptedMessage(run.pid, materialized.length),
      materialized,
      skipped: [],
      failed: [],
    }
    // Another process may finish it at the same moment: both write the same thing.
    await store.finishRun(run.id, 'failed', summary)
    await store.releaseRunLeases(run.id)
    log?.warn({ interruptedRun: run.id, pid: run.pid }, `run ${run.id} ${summary.error}`)
    found.push(run.id)
  }
  return found
}

/**
 * Whether a run is marked running but its process (on this host) is gone: killed or crashed.
 *
 * @example
 * if (isOrphan(await store.getRun(runId))) console.log('nothing more will be written')
 */
export function isOrphan(run: RunRecord): boolean {
  return (
    run.status === 'running' && run.host === HOST && run.pid !== null && run.pid !== process.pid && !pidAlive(run.pid)
  )
}
