/**
 * The user-code boundary (as Dagster's `user_code_error_boundary`): every call the engine makes into
 * user code goes through `userCode()`, which wraps what the code throws with the asset key, the run
 * id, the phase and the user's `file:line:col` (cause kept), and lets framework errors (any
 * `RiversError`) through unchanged.
 */
import path from 'node:path'
import { fileURLToPath } from 'node:url'

import { isRiversError } from '../errors.js'
import { packageRoot } from '../package-root.js'
import { type UserCodePhase, userCodeFailed } from './errors.js'

/** Whose code runs: the asset (or source) it belongs to, the run, and the project folder. */
export interface UserCodeScope {
  key: string
  /** Absent outside a run (config defaults while planning). */
  runId?: string
  /** Folder of the project file: locations are shown relative to it, and only frames inside it count. */
  projectDir?: string
}

/**
 * Calls user code; a non-Rivers error it throws (or rejects with) becomes a `UserCodeError`.
 *
 * @example
 * const value = await userCode({ key: def.key, runId, projectDir }, 'asset', () => def.fn(inputs, ctx))
 */
export async function userCode<T>(
  scope: UserCodeScope,
  phase: UserCodePhase,
  fn: () => T | PromiseLike<T>,
): Promise<T> {
  try {
    return await fn()
  } catch (thrown) {
    throw wrapUserError(scope, phase, thrown)
  }
}

/**
 * `userCode` for synchronous user code (zod schemas parsing config).
 *
 * @example
 * const config = userCodeSync({ key: def.key }, 'config', () => parseConfig(def, raw))
 */
export function userCodeSync<T>(scope: UserCodeScope, phase: UserCodePhase, fn: () => T): T {
  try {
    return fn()
  } catch (thrown) {
    throw wrapUserError(scope, phase, thrown)
  }
}

/**
 * What user code threw, as the boundary passes it on: Rivers errors unchanged, anything else
 * wrapped with the scope, the phase and the user's location.
 *
 * @example
 * try { await def.checks[0]!.fn(value, ctx) } catch (thrown) { throw wrapUserError({ key, runId }, 'check', thrown) }
 */
export function wrapUserError(scope: UserCodeScope, phase: UserCodePhase, thrown: unknown): unknown {
  if (isRiversError(thrown)) return thrown
  return userCodeFailed(scope, phase, thrown, userLocation(thrown, scope.projectDir))
}

/** The folder of this package: its frames are Rivers', never the user's. */
const RIVERS_ROOT = packageRoot()

/** `at fn (LOCATION)` or `at LOCATION`; LOCATION is `file:line:col`. */
const FRAME = /^\s+at (?:.*? \()?(.+?):(\d+):(\d+)\)?\s*$/
/** A file path or file URL (not `node:internal/…`, not `<anonymous>`). */
const FILE = /^(?:file:\/\/|\/|[A-Za-z]:[\\/])/

/**
 * The first frame of an error's stack that is the user's: a file inside `projectDir` (when given),
 * not under node_modules, not in Rivers' own package, not a Node internal. Stacks are already
 * source-mapped when the project was loaded by tsx, so TypeScript files show their own lines.
 * Returns `file:line:col`, the file relative to `projectDir`; undefined when no frame qualifies.
 *
 * @example
 * userLocation(new Error('boom'), '/work/project') // 'src/features.ts:12:7'
 */
export function userLocation(thrown: unknown, projectDir?: string): string | undefined {
  const stack = thrown instanceof Error && typeof thrown.stack === 'string' ? thrown.stack : undefined
  if (stack === undefined) return undefined
  const root = projectDir === undefined ? undefined : path.resolve(projectDir)
  for (const line of stack.split('\n')) {
    const m = FRAME.exec(line)
    if (m === null || !FILE.test(m[1]!)) continue
    let file = m[1]!
    if (file.startsWith('file://')) {
      try {
        file = fileURLToPath(file)
      } catch {
        continue
      }
    }
    file = path.resolve(file)
    if (file.split(path.sep).includes('node_modules')) continue
    if (file === RIVERS_ROOT || file.startsWith(RIVERS_ROOT + path.sep)) continue
    if (root !== undefined && !(file === root || file.startsWith(root + path.sep))) continue
    const shown = root === undefined ? file : path.relative(root, file).split(path.sep).join('/')
    return `${shown}:${m[2]}:${m[3]}`
  }
  return undefined
}
