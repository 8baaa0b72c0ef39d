/**
 * `@rivers-orchestrator/launcher-ray`: a Ray launcher for Rivers. Importing the package registers it
 * as launcher type `ray` (`registerRayLauncher()` does it again, e.g. after a test reset); a project
 * then sets `launcher: { type: 'ray', address: 'http://head:8265' }`. Command assets run as Ray jobs
 * through the Jobs REST API: submit, status, logs, stop, reattach by submission id.
 *
 * @example
 * import '@rivers-orchestrator/launcher-ray'
 * import { asset, defineProject } from '@rivers-orchestrator/rivers'
 * export default defineProject({
 *   launcher: { type: 'ray', address: 'http://127.0.0.1:8265' },
 *   assets: [asset({ key: 'train', command: ['python3', 'train.py'], resources: { cpus: 1 } })],
 * })
 */
import { registerLauncher } from '@rivers-orchestrator/rivers/plugin'

import { RayLauncher } from './launcher.js'
import { rayOptions } from './settings.js'

export {
  RayJobsClient,
  RayHttpError,
  type RayJobDetails,
  type RayJobStatus,
  type RayNode,
  type RaySubmitRequest,
} from './client.js'
export {
  DEFAULT_RAY_ADDRESS,
  RayLauncher,
  describeNodes,
  type RayJobHandle,
  type RayLauncherOptions,
} from './launcher.js'
export {
  entrypoint,
  entrypointResources,
  rayRendezvous,
  submissionId,
  submitRequest,
  type SubmitSettings,
} from './request.js'
export { mapRayJob } from './state.js'
export { newOutput } from './logs.js'
export { rayAddress, rayOptions, type RayLauncherSettings } from './settings.js'

/**
 * Registers the Ray launcher as type `ray` (replacing an earlier registration).
 *
 * @example
 * registerRayLauncher()
 * launcherFor({ type: 'ray', address: 'http://127.0.0.1:8265' }, '.rivers')
 */
export function registerRayLauncher(): void {
  registerLauncher('ray', (settings, where) => new RayLauncher(rayOptions(settings, where.env)))
}

registerRayLauncher()
