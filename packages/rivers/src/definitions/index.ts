/**
 * The asset definition API of Rivers: `asset`, `source`, `@asset` with `assetsOf`, `defineProject`,
 * and the run-time validation helpers the executor applies around user code.
 */
export { asset } from './asset.js'
export {
  Condition,
  conditionIssues,
  conditionReferences,
  isCondition,
  when,
  type ConditionNode,
  type DataAmountOptions,
  type DriftOptions,
  type PerformanceOptions,
} from './automation.js'
export {
  isScheduleDef,
  isSensorDef,
  schedule,
  sensor,
  type RunRequest,
  type ScheduleDef,
  type ScheduleSpec,
  type SensorContext,
  type SensorDef,
  type SensorLog,
  type SensorObservation,
  type SensorResult,
  type SensorSpec,
} from './sensor.js'
export type {
  AssetFn,
  AssetSpec,
  BatchAssetFn,
  BatchValue,
  Command,
  ConfigInput,
  ConfigOf,
  Deps,
  InputSchemas,
  InputsOf,
  Returnable,
} from './asset-types.js'
export { check, type AssetCheck, type CheckOutcome, type NormalizedCheck } from './check.js'
export type {
  AliasTarget,
  AssetContext,
  AssetPartition,
  CheckContext,
  ModelAliases,
  PartitionBatch,
  SourceContext,
} from './context.js'
export { assetsOf, type AssetDecorator, type AssetsOf } from './decorators.js'
export { parseDuration, type Duration } from './duration.js'
export {
  isAssetDef,
  isKeyRef,
  isMappedDep,
  isSourceDef,
  ref,
  type AssetDef,
  type ConfigInputOf,
  type Dep,
  type Handle,
  type InputsOfAsset,
  type KeyRef,
  type MappedDep,
  type SourceDef,
  type ValueOf,
} from './handles.js'
export { isValidKey, keyProblem } from './key.js'
export { labelsOf } from './labels.js'
export { mapped } from './mapped.js'
export { modelAlias, type ModelAliasOptions } from './model-alias.js'
export { normalizeModel, type MetricRule, type ModelSpec, type NormalizedModel } from './model.js'
export {
  defineProject,
  isProject,
  type Project,
  type ProjectEntry,
  type ProjectOptions,
  type ResolvedAsset,
  type ResolvedDep,
  type StoreSetting,
} from './project.js'
export { isResult, result, unwrapResult, type AssetResult, type OutputOf, type ResultExtras } from './result.js'
export { retryDelayMs, type NormalizedRetry, type RetryPolicy } from './retry.js'
export { retains, type NormalizedRetention, type RetentionPolicy } from './retention.js'
export { findSchemaMismatch, type SchemaMismatch } from './schema-compat.js'
export { source, type NoLoad, type SourceSpec, type SourceValue } from './source.js'
export type {
  GpuDevice,
  IOManagerLike,
  LauncherConfig,
  LauncherSetting,
  LocalLauncherConfig,
  Observation,
  Resources,
  SlurmLauncherConfig,
  PluginLauncherConfig,
  SshConfig,
  ZodSchema,
} from './spec-types.js'
export { formatBytes, parseQuantity } from './quantity.js'
export { checkObservation, checkOutcome, parseConfig, validateInput, validateOutput } from './validate.js'
