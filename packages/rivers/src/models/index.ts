/**
 * The model registry: versions of model assets derived from their records, aliases, the promotion
 * gate and rollback.
 *
 * @example
 * import { openWorkspace } from '@rivers-orchestrator/rivers'
 * const ws = await openWorkspace(project)
 * const info = await ws.models.model('model/churn')
 */
export { checkGate, type GateCheck, type GateSides } from './gate.js'
export {
  aliasStack,
  ModelRegistry,
  type AliasChange,
  type AliasMoved,
  type AliasState,
  type ModelInfo,
  type PromoteOptions,
} from './registry.js'
export { metricValues, versionsOf, type ModelVersion } from './versions.js'
