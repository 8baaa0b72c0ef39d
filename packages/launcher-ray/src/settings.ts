/**
 * The Ray launcher's settings in a project (`launcher: { type: 'ray', address, … }`), checked field by
 * field, and the address they resolve to: the setting, else `RIVERS_RAY_ADDRESS`, else `RAY_ADDRESS`
 * when it is the dashboard's http(s) URL, else `http://127.0.0.1:8265`.
 */
import { parseDuration } from '@rivers-orchestrator/rivers'
import type { LauncherSettings } from '@rivers-orchestrator/rivers/plugin'

import { badSettings } from './errors.js'
import { DEFAULT_RAY_ADDRESS, type RayLauncherOptions } from './launcher.js'

/**
 * The settings a project writes (durations as `'500ms'` or milliseconds).
 *
 * @example
 * const s: RayLauncherSettings = { type: 'ray', address: 'http://head:8265', pollInterval: '500ms' }
 */
export interface RayLauncherSettings {
  type: 'ray'
  address?: string
  pollInterval?: string | number
  requestTimeout?: string | number
  workingDir?: string
  runtimeEnv?: Record<string, unknown>
  entrypointResources?: Record<string, number>
  headers?: Record<string, string>
  checkResources?: boolean
}

const FIELDS = [
  'type',
  'address',
  'pollInterval',
  'requestTimeout',
  'workingDir',
  'runtimeEnv',
  'entrypointResources',
  'headers',
  'checkResources',
]

/**
 * The launcher options of a project's settings, with the address resolved from the environment.
 *
 * @example
 * rayOptions({ type: 'ray', pollInterval: '200ms' }, { RAY_ADDRESS: 'http://head:8265' }) // { address: 'http://head:8265', pollIntervalMs: 200 }
 */
export function rayOptions(settings: LauncherSettings, env: NodeJS.ProcessEnv): RayLauncherOptions {
  const unknown = Object.keys(settings).filter((k) => !FIELDS.includes(k))
  if (unknown.length > 0)
    throw badSettings(unknown.join(', '), 'unknown field', `use only ${FIELDS.filter((f) => f !== 'type').join(', ')}`)
  const s = settings as unknown as RayLauncherSettings
  const out: RayLauncherOptions = { address: rayAddress(s.address, env) }
  const duration = (field: 'pollInterval' | 'requestTimeout'): number | undefined => {
    if (s[field] === undefined) return undefined
    const ms = parseDuration(s[field])
    if (ms === undefined)
      throw badSettings(field, `${JSON.stringify(s[field])} is not a duration`, "write e.g. '500ms' or '2s'")
    return ms
  }
  const poll = duration('pollInterval')
  if (poll !== undefined) out.pollIntervalMs = poll
  const timeout = duration('requestTimeout')
  if (timeout !== undefined) out.requestTimeoutMs = timeout
  if (s.workingDir !== undefined) {
    if (typeof s.workingDir !== 'string' || !/^[a-z][a-z0-9+.-]*:\/\//i.test(s.workingDir))
      throw badSettings(
        'workingDir',
        `${JSON.stringify(s.workingDir)} is not a URI the cluster can fetch`,
        "give a package URI such as 's3://bucket/code.zip' or 'https://host/code.zip' (the REST API does not upload local folders), or leave it out to run in the asset's cwd on a shared file system",
      )
    out.workingDir = s.workingDir
  }
  if (s.runtimeEnv !== undefined) {
    if (typeof s.runtimeEnv !== 'object' || s.runtimeEnv === null || 'env_vars' in s.runtimeEnv)
      throw badSettings('runtimeEnv', 'expected an object without env_vars', "set job variables with the asset's env")
    out.runtimeEnv = s.runtimeEnv
  }
  if (s.entrypointResources !== undefined) {
    const bad = Object.entries(s.entrypointResources).find(([, v]) => typeof v !== 'number' || !(v > 0))
    if (bad !== undefined)
      throw badSettings(`entrypointResources.${bad[0]}`, 'expected a positive number', 'e.g. { my_label: 1 }')
    out.entrypointResources = s.entrypointResources
  }
  if (s.headers !== undefined) out.headers = s.headers
  if (s.checkResources !== undefined) out.checkResources = s.checkResources
  return out
}

/**
 * The dashboard URL to use.
 *
 * @example
 * rayAddress(undefined, { RIVERS_RAY_ADDRESS: 'http://head:8265/' }) // 'http://head:8265'
 */
export function rayAddress(setting: string | undefined, env: NodeJS.ProcessEnv): string {
  const [from, value] =
    setting !== undefined
      ? ['launcher.address', setting]
      : env.RIVERS_RAY_ADDRESS
        ? ['RIVERS_RAY_ADDRESS', env.RIVERS_RAY_ADDRESS]
        : env.RAY_ADDRESS && /^https?:\/\//.test(env.RAY_ADDRESS)
          ? ['RAY_ADDRESS', env.RAY_ADDRESS]
          : ['the default', DEFAULT_RAY_ADDRESS]
  if (!/^https?:\/\/[^/\s]+/.test(value))
    throw badSettings(
      from,
      `${JSON.stringify(value)} is not the http(s) URL of a Ray dashboard`,
      "write it as 'http://<head>:8265' (the Jobs API; not the ray:// client or the GCS address)",
    )
  return value.replace(/\/+$/, '')
}
