/**
 * What a run shares with the visitor and with each asset it materializes: the narrow set of things
 * a materialization may touch (the project state, the store, the IO manager, the trackers), and
 * the run's own bookkeeping (values produced, events, secrets, whether it gave up).
 */
import type { Logger } from 'pino'

import type { Project } from '../definitions/index.js'
import type { IOManager } from '../io/types.js'
import type { Store } from '../store/store.js'
import type { Tracker } from '../tracking/tracker.js'
import type { AttemptSignals } from './attempt-signals.js'
import { describeFailure } from './errors.js'
import type { AssetId } from './planner.js'
import type { ProjectState } from './project-state.js'
import type { RunSecrets } from './run-config.js'
import type { RunEvent } from './types.js'

/**
 * An output recorded in this run: where it is stored and its data version. Consumers read it back
 * through the IO manager (never the producer's live object), so what they get in this run is what a
 * later run would read, and no consumer can change what another sees.
 */
export interface RunOutput {
  /** As the IO manager returned it (`null` for a record that stored nothing). */
  storagePath: string | null
  version: string
}

/** The run as its assets see it. */
export interface RunContext {
  readonly runId: string
  readonly project: Project
  readonly state: ProjectState
  readonly store: Store
  /** The store folder (job folders, locks and logs live under it). */
  readonly storeDir: string
  /** The project's IO manager (an asset may have its own). */
  readonly io: IOManager
  readonly trackers: readonly Tracker[]
  readonly log: Logger
  readonly signal: AbortSignal
  /** The attempts' own signals, aborted with the run's (one listener on `signal` for all of them). */
  readonly attempts: AttemptSignals
  /** Secret config values, and how to keep them out of what the run writes. */
  readonly secrets: RunSecrets
  /** Outputs recorded in this run, by id. */
  readonly values: Map<AssetId, RunOutput>
  /** Outputs of partitions recorded in this run, by `id:partition index`. */
  readonly partitionValues: Map<string, RunOutput>
  /** The planned partitions (wire format) of each partitioned asset of the plan. */
  readonly partitionSets: ReadonlyMap<AssetId, Float64Array>
  readonly emit: (e: RunEvent) => void
  /** Set when the run has given up waiting (cancel grace period over): nothing may be recorded. */
  readonly gate: { closed: boolean }
}

/**
 * Tells every tracker something; a tracker that fails is logged as a warning, never thrown. `log`
 * may be a function, so that a logger made for the warning is made only when one is written.
 *
 * @example
 * await tellTrackers(run.trackers, run.log, 'materialized', (t) => t.materialized(m))
 */
export async function tellTrackers(
  trackers: readonly Tracker[],
  log: Logger | (() => Logger),
  what: string,
  tell: (t: Tracker) => Promise<void> | undefined,
): Promise<void> {
  for (const t of trackers) {
    try {
      await tell(t)
    } catch (e) {
      ;(typeof log === 'function' ? log() : log).warn(
        { err: e, tracker: t.name },
        `tracker ${t.name} failed (${what}): ${describeFailure(e)}; the run goes on`,
      )
    }
  }
}
