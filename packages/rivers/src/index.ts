/**
 * Rivers: asset-centric orchestration for data and ML pipelines. Declare assets as functions, group
 * them with `defineProject`, and `materialize` builds exactly what is missing or stale.
 *
 * This is the user API. What plugin authors need (the seams: `Store`, `IOManager`, `Launcher`,
 * `Tracker`, and their helpers) is in `@rivers-orchestrator/rivers/plugin`.
 *
 * @example
 * import { asset, defineProject, materialize } from '@rivers-orchestrator/rivers'
 * const raw = asset({ key: 'raw' }, () => [1, 2, 3])
 * const total = asset({ key: 'total', deps: { raw } }, ({ raw }) => raw.reduce((a, b) => a + b, 0))
 * const project = defineProject({ assets: [total] })
 * const summary = await materialize(project)
 */
export * from './definitions/index.js'
export * from './partitions/index.js'
export { secret, isSecret } from './definitions/secret.js'
export { RiversError, DefinitionError, UserCodeError, isRiversError } from './errors.js'
export { openWorkspace, materialize, loadAsset, type WorkspaceOptions } from './open.js'
export { Workspace, preloadEngine, type AssetVersions } from './engine/workspace.js'
export type * from './engine/types.js'
export type { BackfillBatch, BackfillOptions, BackfillReport } from './engine/backfill.js'
export type { DynamicSetEdit } from './engine/partition-sets.js'
export type { LogFilter, LogRecord } from './log-read.js'
export { formatLogLine } from './log.js'
export type { GcFile, GcReason, GcReport } from './engine/gc.js'
export type { RunFiles } from './engine/gc-runs.js'
export type { PinRecord, AutomationDecisionRecord, AutomationTickRecord } from './store/types.js'
export type { CatchUp, TickDecision, TickOptions, TickReport } from './engine/automation.js'
export {
  evaluateCondition,
  type AssetFacts,
  type ConditionMemory,
  type EvaluatedNode,
  type Evaluation,
  type EvaluationReads,
  type InputFacts,
} from './automation/evaluate.js'
export { formatTree } from './automation/tree.js'
export { FileIOManager, type FileIOManagerOptions, type IOManager, type StoredOutput } from './io/index.js'
export type {
  Tracker,
  TrackedAliasMove,
  TrackedMaterialization,
  TrackedRun,
  TrackedRunEnd,
} from './tracking/tracker.js'
export {
  aliasStack,
  checkGate,
  metricValues,
  versionsOf,
  type AliasChange,
  type AliasState,
  type GateCheck,
  type ModelInfo,
  type ModelRegistry,
  type ModelVersion,
  type PromoteOptions,
} from './models/index.js'
export { parseGpuOverride } from './launchers/gpu-inventory.js'
export {
  JOB_ENV,
  JOB_CONTEXT_VERSION,
  parseMessage,
  type JobContextFile,
  type JobLogLevel,
  type JobMessage,
} from './job/protocol.js'
export { CLIENTS_DIR } from './job/files.js'
export { runWorkerJob, workerFailure, workerLogger, type WorkerJobOptions } from './engine/worker-run.js'
export {
  readWorkerRequest,
  writeWorkerResult,
  WORKER_FILES,
  type WorkerInput,
  type WorkerRequest,
  type WorkerResult,
  type WorkerValues,
} from './engine/worker-protocol.js'
