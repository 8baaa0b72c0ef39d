/**
 * The plugin API of Rivers (`@rivers-orchestrator/rivers/plugin`): the seams the engine talks to,
 * for packages that implement one (a PostgreSQL store, a Ray launcher, an MLflow tracker, a shared
 * storage IO manager), and the helpers such an implementation needs. Each seam has a conformance
 * suite in `@rivers-orchestrator/conformance` that an implementation runs from its own tests.
 *
 * - `Store`: runs, records, leases, jobs (built-in: `SqliteStore`).
 * - `IOManager`: how results are stored and read back (built-in: `FileIOManager`).
 * - `Launcher`: where jobs run, registered by type with `registerLauncher` (built-ins: `local`,
 *   `slurm`); a launcher gets a `JobContext`, never the engine's internals.
 * - `Tracker`: told of runs and materializations (built-in: `StoreTracker`).
 *
 * @example
 * import { LocalLauncher, registerLauncher, type Launcher } from '@rivers-orchestrator/rivers/plugin'
 * // A launcher type of one's own: the engine finds it by its `type` in an asset's `launcher` setting.
 * registerLauncher('local-cpu', (_settings, where): Launcher => new LocalLauncher({ env: where.env, gpus: 'none' }))
 */
import * as launcherErrors from './launchers/errors.js'
import * as storeErrors from './store/errors.js'

// Store
export type { Store } from './store/store.js'
export { SqliteStore } from './store/sqlite-store.js'
export { toHex, fromHex, ZERO_HASH } from './store/hex.js'
export { SCHEMA_VERSION } from './store/migrations.js'
// What another store backend shares with the SQLite one: its error builders (the same codes and
// messages on every backend), JSON columns and packed-records decoding.
export { storeErrors }
export { encodeJson, decodeJson, isoTime } from './store/json.js'
export { unpackLatest } from './store/latest-packed.js'
export { aliasMoveOf } from './store/model-aliases.js'
export type * from './store/types.js'
// IO managers
export {
  FileIOManager,
  type FileIOManagerOptions,
  type IOManager,
  type StoredFile,
  type StoredOutput,
  type WriteContext,
} from './io/index.js'
export { writeAtomic, nodeWriterFs, type WriterFs, type WriterHandle, type TempFile } from './io/atomic.js'
export { storagePathFor, keySegments, resolveInside } from './io/paths.js'
export { storedFileOf } from './io/segments.js'
// Launchers
export type {
  JobContext,
  JobHandle,
  JobSpec,
  JobState,
  JobStatus,
  JobStore,
  LaunchTarget,
  Launcher,
  Reservation,
  ResourceRequest,
} from './launchers/types.js'
export { TERMINAL_STATES, isTerminal } from './launchers/types.js'
// What a plugin launcher shares with the built-in ones: their error builders (the same codes and
// wording for an unschedulable request, an unusable cluster, a failed submission).
export { launcherErrors }
export {
  registerLauncher,
  hasLauncher,
  launcherFor,
  resetLaunchers,
  type LauncherEnvironment,
  type LauncherFactory,
  type LauncherSettings,
} from './launchers/registry.js'
export { registerBuiltinLaunchers } from './launchers/builtins.js'
export { LocalLauncher, type LocalJobHandle, type LocalLauncherOptions } from './launchers/local.js'
export { SlurmLauncher, type SlurmJobHandle, type SlurmLauncherOptions } from './launchers/slurm.js'
export { detectGpus, parseGpuOverride, parseNvidiaSmi, type GpuInventory } from './launchers/gpu-inventory.js'
export { normalizeResources, describeRequest } from './launchers/resources.js'
export { superviseJob, type SuperviseOptions, type SupervisedStatus } from './launchers/supervise.js'
export { prepareJobFiles, jobPaths, readJobOutput, type JobFiles, type JobFilesSpec } from './job/files.js'
export { JobReport } from './job/report.js'
export { LineFollower } from './job/tail.js'
// Trackers
export type { Tracker, TrackedMaterialization, TrackedRun, TrackedRunEnd } from './tracking/tracker.js'
export { StoreTracker } from './tracking/store-tracker.js'
