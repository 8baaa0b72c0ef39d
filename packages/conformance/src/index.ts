/**
 * Conformance suites of the Rivers seams. A package that implements a seam runs the suite of that
 * seam from its own tests (vitest), as the built-ins do:
 *
 * | seam | suite | built-in run from |
 * |---|---|---|
 * | `Store` | `storeConformance` | packages/rivers/src/store/sqlite-store.test.ts |
 * | `IOManager` | `ioManagerConformance` | packages/rivers/src/io/file-io-manager.test.ts |
 * | `Launcher` | `launcherConformance` | packages/rivers/src/launchers/local.test.ts, slurm.test.ts |
 * | `Tracker` | `trackerConformance` | packages/rivers/src/tracking/store-tracker.test.ts |
 *
 * @example
 * import { storeConformance } from '@rivers-orchestrator/conformance'
 * storeConformance('PostgresStore', async () => ({ store: await PostgresStore.connect(url), cleanup }))
 */
export { storeConformance, type StoreUnderTest } from './store.js'
export { ioManagerConformance, type IOManagerUnderTest } from './io-manager.js'
export { launcherConformance, type ConformanceSetup } from './launcher.js'
export { jobContext, memoryLogger, shellJob, tempDir, waitFor, type TestJobContext } from './helpers.js'
export { trackerConformance, type TrackerUnderTest } from './tracker.js'
