/**
 * Every error the Kubernetes launcher raises, one constructor per kind. The codes are the built-in
 * launchers' (`RIVERS_UNSCHEDULABLE`, `RIVERS_LAUNCHER_UNSUPPORTED`, `RIVERS_LAUNCHER_UNAVAILABLE`,
 * `RIVERS_JOB_SUBMIT`, `RIVERS_INVALID_SPEC`): a request refused before the run is exit 2, a Job
 * the API server would not take makes its asset fail (exit 1). Messages name the asset, the setting
 * and the fix.
 */
import { RiversError } from '@rivers-orchestrator/rivers'

/**
 * A request no node of the cluster can ever satisfy.
 *
 * @example
 * throw unschedulable('model', 'asks for 2 GPUs', 'no node of the cluster has more than 0 nvidia.com/gpu', 'set resources.gpus to 0')
 */
export function unschedulable(assetKey: string, asks: string, limit: string, fix: string): RiversError {
  return new RiversError(
    'RIVERS_UNSCHEDULABLE',
    `Asset '${assetKey}' ${asks}, but ${limit}: the kubernetes launcher can never run it.\nFix: ${fix}.`,
  )
}

/**
 * A field of the request or of the settings the Kubernetes launcher cannot honour for this asset.
 *
 * @example
 * throw cannotHonour('model', 'resources.nodes (2)', 'one Job runs one pod', 'set nodes to 1')
 */
export function cannotHonour(assetKey: string, field: string, why: string, fix: string): RiversError {
  return new RiversError(
    'RIVERS_LAUNCHER_UNSUPPORTED',
    `Asset '${assetKey}': the kubernetes launcher cannot honour ${field}: ${why}.\nFix: ${fix}.`,
  )
}

/**
 * The API server cannot be reached, or the kubeconfig cannot be loaded.
 *
 * @example
 * throw kubeUnavailable('https://10.0.0.1:6443', ['model'], 'connect ECONNREFUSED')
 */
export function kubeUnavailable(server: string, assetKeys: readonly string[], detail: string): RiversError {
  const who = assetKeys.length === 0 ? '' : ` (needed by ${assetKeys.map((k) => `'${k}'`).join(', ')})`
  return new RiversError(
    'RIVERS_LAUNCHER_UNAVAILABLE',
    `The kubernetes launcher is not usable${who}: the API server at ${server} ${detail}.\n` +
      'Fix: point launcher.kubeconfig (and launcher.context) at a kubeconfig for the cluster, or run the orchestrator in a pod with a service account; `kubectl get jobs -n <namespace>` must work with the same configuration.',
  )
}

/**
 * The API server refused the Job.
 *
 * @example
 * throw submitFailed('model', 'HTTP 403: jobs.batch is forbidden')
 */
export function submitFailed(assetKey: string, detail: string): RiversError {
  return new RiversError(
    'RIVERS_JOB_SUBMIT',
    `The kubernetes launcher could not create the Job of asset '${assetKey}': ${detail}.\nFix: check the launcher settings (namespace, image, serviceAccountName, volumes) and that your account may create batch/v1 Jobs there.`,
    { exitCode: 1 },
  )
}

/**
 * The launcher settings are not usable (an unknown field, a bad value, a missing one an asset needs).
 *
 * @example
 * throw badSettings('image', 'is missing (needed by asset \'model\')', "set launcher.image, e.g. 'ghcr.io/acme/train:1.2'")
 */
export function badSettings(field: string, why: string, fix: string): RiversError {
  return new RiversError('RIVERS_INVALID_SPEC', `Kubernetes launcher settings: ${field} ${why}.\nFix: ${fix}.`)
}
