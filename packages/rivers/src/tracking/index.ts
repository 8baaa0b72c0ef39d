/**
 * Tracking: the `Tracker` seam and the built-in tracker that keeps params in the store.
 *
 * @example
 * import { StoreTracker } from '@rivers-orchestrator/rivers/plugin'
 * const tracker = new StoreTracker(store)
 */
export type { TrackedMaterialization, TrackedRun, TrackedRunEnd, Tracker } from './tracker.js'
export { StoreTracker } from './store-tracker.js'
