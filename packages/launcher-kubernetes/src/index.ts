/**
 * `@rivers-orchestrator/launcher-kubernetes`: a Kubernetes launcher for Rivers. Importing the
 * package registers it as launcher type `kubernetes` (`registerKubernetesLauncher()` does it again,
 * e.g. after a test reset); a project then sets `launcher: { type: 'kubernetes', namespace, image,
 * volumes }`. Each job runs as a `batch/v1` Job: GPU limits, node selectors, pod logs streamed into
 * the run log, deletion on cancel, reattach by Job name.
 *
 * @example
 * import '@rivers-orchestrator/launcher-kubernetes'
 * import { asset, defineProject } from '@rivers-orchestrator/rivers'
 * export default defineProject({
 *   launcher: { type: 'kubernetes', namespace: 'ml', image: 'ghcr.io/acme/train:1.2', volumes: [{ mountPath: '/shared', claimName: 'rivers' }] },
 *   assets: [asset({ key: 'train', command: ['python3', 'train.py'], resources: { gpus: 1 } })],
 * })
 */
import { registerLauncher } from '@rivers-orchestrator/rivers/plugin'

import { KubernetesLauncher } from './launcher.js'
import { kubernetesOptions } from './settings.js'

export { apiMessage, isStatus, KubeClient, loadKubeConfig } from './client.js'
export { KubernetesLauncher, type KubernetesJobHandle } from './launcher.js'
export { copyNewLog, type LogCursor, newLogLines, normalizeTimestamp, sinceTime } from './logs.js'
export {
  CONTAINER,
  dnsLabel,
  jobManifest,
  jobName,
  labelValue,
  LABEL_PREFIX,
  podRendezvous,
  podResources,
  volumeOf,
  WRAPPER,
} from './manifest.js'
export { checkFit } from './fit.js'
export { parseQuantity } from './quantity.js'
export {
  kubernetesOptions,
  type KubernetesLauncherOptions,
  type KubernetesLauncherSettings,
  type KubernetesToleration,
  type KubernetesVolume,
} from './settings.js'
export { firstPod, mapKubernetesJob, representativePod } from './state.js'
export { headlessService, INDEX_ROOM, indexedRendezvous, makeIndexed, masterPort, RANKS } from './indexed.js'

/**
 * Registers the Kubernetes launcher as type `kubernetes` (replacing an earlier registration).
 *
 * @example
 * registerKubernetesLauncher()
 * launcherFor({ type: 'kubernetes', namespace: 'ml', image: 'busybox:1.36' }, '.rivers')
 */
export function registerKubernetesLauncher(): void {
  registerLauncher('kubernetes', (settings) => new KubernetesLauncher(kubernetesOptions(settings)))
}

registerKubernetesLauncher()
