/**
 * The built-in tracker: keeps the params of each materialization in the store, beside its record
 * (metrics are in the record already), so that `assets show KEY` prints the config each record was
 * built with.
 */
import type { Store } from '../store/store.js'
import type { TrackedMaterialization, Tracker } from './tracker.js'

/**
 * Records params in a `Store`.
 *
 * @example
 * const tracker = new StoreTracker(store)
 * await tracker.materialized({ runId, assetKey: 'model', recordId, params: { epochs: 3 }, metrics: [], metadata: {},
 *   dataVersion, codeVersion, startedAt, finishedAt: new Date() })
 */
export class StoreTracker implements Tracker {
  readonly name = 'store'
  readonly #store: Pick<Store, 'recordParams'>

  constructor(store: Pick<Store, 'recordParams'>) {
    this.#store = store
  }

  /** Stores the params of the record (nothing for an asset without config). */
  async materialized(m: TrackedMaterialization): Promise<void> {
    if (m.params !== undefined) await this.#store.recordParams(m.recordId, m.params)
  }
}
