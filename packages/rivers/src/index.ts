/**
 * Rivers: asset-centric orchestration for data and ML pipelines. Declare assets as functions, group
 * them with `defineProject`, and `materialize` builds exactly what is missing or stale.
 *
 * @example
 * import { asset, defineProject, materialize } from '@rivers-orchestrator/rivers'
 * const raw = asset({ key: 'raw' }, () => [1, 2, 3])
 * const total = asset({ key: 'total', deps: { raw } }, ({ raw }) => raw.reduce((a, b) => a + b, 0))
 * const project = defineProject({ assets: [total] })
 * const summary = await materialize(project)
 */
export * from './definitions/index.js'
export { secret, isSecret } from './definitions/secret.js'
export { RiversError, DefinitionError, UserCodeError, isRiversError } from './errors.js'
export { openWorkspace, Workspace, type WorkspaceOptions } from './engine/workspace.js'
export { materialize } from './engine/materialize.js'
export { canonicalJson } from './engine/canonical.js'
export type * from './engine/types.js'
export { FileIOManager, type IOManager, type StoredOutput } from './io/index.js'
export * from './launchers/index.js'
export * from './job/index.js'
