/**
 * Every error the Ray launcher raises, one constructor per kind. The codes and the wording are the
 * built-in launchers' own builders (`launcherErrors` of `@rivers-orchestrator/rivers/plugin`:
 * `RIVERS_UNSCHEDULABLE`, `RIVERS_LAUNCHER_UNSUPPORTED`, `RIVERS_LAUNCHER_UNAVAILABLE`,
 * `RIVERS_JOB_SUBMIT`) with the launcher named `ray`: a request refused before the run is exit 2, a
 * job that could not be submitted makes its asset fail (exit 1). Messages name the asset, the cluster
 * and the fix.
 */
import { RiversError } from '@rivers-orchestrator/rivers'
import { launcherErrors } from '@rivers-orchestrator/rivers/plugin'

/**
 * A request no node of the Ray cluster can ever satisfy.
 *
 * @example
 * throw unschedulable('model', 'asks for 1 GPU', 'the largest node of the Ray cluster at http://127.0.0.1:8265 has 0 GPUs (CPU 2)', 'set resources.gpus to 0, or add GPU nodes to the cluster')
 */
export function unschedulable(assetKey: string, asks: string, limit: string, fix: string): RiversError {
  return launcherErrors.unschedulable(assetKey, 'ray', asks, limit, fix)
}

/**
 * A field of the request the Ray launcher cannot honour (it never ignores one).
 *
 * @example
 * throw cannotHonour('model', 'resources.nodes', 'a Ray job runs its entrypoint on one node', 'set nodes: 1 and spread the work with Ray itself')
 */
export function cannotHonour(assetKey: string, field: string, why: string, fix: string): RiversError {
  return launcherErrors.cannotHonour(assetKey, 'ray', field, why, fix)
}

/**
 * The Ray cluster cannot be reached, or answered something else than the Jobs API.
 *
 * @example
 * throw rayUnavailable('http://127.0.0.1:8265', ['model'], 'fetch failed (ECONNREFUSED)')
 */
export function rayUnavailable(address: string, assetKeys: readonly string[], detail: string): RiversError {
  return launcherErrors.launcherUnavailable(
    'ray',
    assetKeys,
    `the Ray Jobs API at ${address} ${detail}`,
    `start the cluster (\`ray start --head --dashboard-host=0.0.0.0\`) or point launcher.address (or RIVERS_RAY_ADDRESS, or RAY_ADDRESS) at its dashboard, e.g. 'http://head:8265'; \`curl ${address}/api/version\` must answer`,
  )
}

/**
 * Ray refused the job.
 *
 * @example
 * throw submitFailed('model', 'HTTP 400: runtime_env is invalid')
 */
export function submitFailed(assetKey: string, detail: string): RiversError {
  return launcherErrors.submitFailed(assetKey, 'ray', detail, 'address, runtimeEnv, entrypointResources')
}

/**
 * The launcher settings of a project are not usable.
 *
 * @example
 * throw badSettings('address', "'127.0.0.1:8265' is not an http(s) URL", "write it as 'http://127.0.0.1:8265'")
 */
export function badSettings(field: string, why: string, fix: string): RiversError {
  return new RiversError('RIVERS_INVALID_SPEC', `Ray launcher settings: ${field}: ${why}.\nFix: ${fix}.`)
}
