/**
 * The logs of a run, for `assets logs`: which run (the latest by default, did-you-mean for an
 * unknown id), its records filtered by asset and level, and following them until the run is over
 * (finished, or its process gone).
 */
import { closest } from '../definitions/suggest.js'
import { type FollowOptions, followRunLog, type LogFilter, type LogRecord } from '../log-read.js'
import type { Store } from '../store/store.js'
import type { RunRecord } from '../store/types.js'
import { noRuns, unknownRun } from './errors.js'
import { isOrphan } from './recovery.js'

/** How many recent run ids an unknown id is compared with. */
const SUGGEST_AMONG = 200

/**
 * The run a logs command is about: `runId`, else the latest run.
 *
 * @example
 * const run = await resolveRun(store, undefined) // the latest
 */
export async function resolveRun(store: Store, runId: string | undefined): Promise<RunRecord> {
  if (runId === undefined) {
    const [latest] = await store.listRuns({ limit: 1 })
    if (latest === undefined) throw noRuns()
    return latest
  }
  const run = await store.getRun(runId)
  if (run !== undefined) return run
  const ids = (await store.listRuns({ limit: SUGGEST_AMONG })).map((r) => r.id)
  const prefixed = ids.filter((id) => id.startsWith(runId))
  throw unknownRun(runId, prefixed.length === 1 ? prefixed[0] : closest(runId, ids))
}

/**
 * The filtered records of a run's log as they are written, until the run is finished or its
 * process is gone (then the rest of the file, then the end).
 *
 * @example
 * for await (const r of followRun(store, storeDir, run.id, {}, signal)) console.log(r.msg)
 */
export function followRun(
  store: Store,
  storeDir: string,
  runId: string,
  filter: LogFilter,
  signal?: AbortSignal,
): AsyncGenerator<LogRecord> {
  const finished = async (): Promise<boolean> => {
    const run = await store.getRun(runId)
    return run === undefined || run.status !== 'running' || isOrphan(run)
  }
  const options: FollowOptions = { finished, ...(signal === undefined ? {} : { signal }) }
  return followRunLog(storeDir, runId, filter, options)
}
