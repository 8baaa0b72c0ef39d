/**
 * The one error base class of Rivers. Every error a user can meet is a `RiversError` with a stable
 * `code` (used by tests and by the CLI to choose an exit code) and a message that names the asset,
 * file, selection column or config path at fault and says how to fix it.
 *
 * Messages are built in one place per kind: a small constructor function beside the module that
 * raises it (see `definitions/errors.ts`, `store/errors.ts`), never ad hoc at the call site.
 *
 * @example
 * try { defineProject({ assets: [a, a] }) } catch (e) {
 *   if (e instanceof RiversError) console.error(e.code, e.message)
 * }
 */
export class RiversError extends Error {
  /** Stable machine-readable code, e.g. `RIVERS_DUPLICATE_KEY`. */
  readonly code: string
  /** Exit code the `assets` command uses for this error: 2 for bad input, 1 for a failed run. */
  readonly exitCode: number

  constructor(code: string, message: string, options: { cause?: unknown; exitCode?: number } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause })
    this.name = 'RiversError'
    this.code = code
    this.exitCode = options.exitCode ?? 2
  }
}

/** Definitions are invalid (bad key, duplicate, unknown dep, cycle, schema mismatch…). Exit 2. */
export class DefinitionError extends RiversError {
  constructor(code: string, message: string, options: { cause?: unknown } = {}) {
    super(code, message, { ...options, exitCode: 2 })
    this.name = 'DefinitionError'
  }
}

/**
 * Something thrown by user code (an asset function, a check, an observe or load function, a
 * `retryOn`, a command function, a config schema, a custom IO manager), wrapped with the asset key,
 * the run id, where it ran and the user's `file:line:col`. The original is kept as `cause`.
 *
 * @example
 * try { await ws.materialize() } catch (e) {
 *   if (e instanceof UserCodeError) console.error(e.assetKey, e.phase, e.location, e.cause)
 * }
 */
export class UserCodeError extends RiversError {
  /** Key of the asset whose code threw. */
  readonly assetKey: string
  /** Run in which it threw (`''` outside a run, e.g. a config default while planning). */
  readonly runId: string
  /** Where the engine called the user code: `asset`, `check`, `observe`, `load`, `retryOn`, `command`, `config`, `io.read`, `io.write`. */
  readonly phase: string
  /** The first frame of the stack inside the project (not in node_modules, not in Rivers): `src/model.ts:12:7`. */
  readonly location: string | undefined

  constructor(
    code: string,
    message: string,
    assetKey: string,
    runId: string,
    cause: unknown,
    options: { phase?: string; location?: string; exitCode?: number } = {},
  ) {
    super(code, message, { cause, exitCode: options.exitCode ?? 1 })
    this.name = 'UserCodeError'
    this.assetKey = assetKey
    this.runId = runId
    this.phase = options.phase ?? 'asset'
    this.location = options.location
  }
}

/** Whether a value is a RiversError (also across duplicated module instances). */
export function isRiversError(e: unknown): e is RiversError {
  return (
    e instanceof Error &&
    typeof (e as { code?: unknown }).code === 'string' &&
    (e as Error).name.endsWith('Error') &&
    'exitCode' in e
  )
}
