/**
 * The engine side of launchers: assets with a `command`, `resources` or a `launcher` run through
 * the `Launcher` seam, looked up by type in the launcher registry (the engine never names a
 * launcher). Requests that can never be scheduled are refused before a run starts; a function with
 * `resources` runs in this process while it holds its slots; a command runs as a job (`job.ts`).
 */
import type { AssetContext, AssetDef, Project } from '../definitions/index.js'
import { isRiversError, type RiversError } from '../errors.js'
import { cannotHonour } from '../launchers/errors.js'
import { launcherConfigOf, launcherFor, usesLauncher } from '../launchers/registry.js'
import type { Launcher } from '../launchers/types.js'
import { describeRequest, normalizeResources } from '../launchers/resources.js'
import { launchesRefused } from './errors.js'
import { runFunctionJob, workerCommand } from './function-job.js'
import { runCommandJob } from './job.js'
import type { AssetId } from './planner.js'
import type { ProjectState } from './project-state.js'
import type { RunContext } from './run-context.js'
import { userCode } from './user-code.js'

/**
 * Before a run starts, every planned asset that runs through a launcher has its request checked by
 * that launcher, so a request that can never be scheduled (more GPUs than exist, an unknown GPU
 * type, a field the launcher cannot honour, an unreachable cluster) fails at once (exit 2) naming
 * the asset and the limit, instead of after hours of upstream work. Throws one error listing every
 * refused asset.
 *
 * @example
 * await validateLaunches(project, state, plannedIds, storeDir)
 */
export async function validateLaunches(
  project: Project,
  state: ProjectState,
  ids: Iterable<AssetId>,
  storeDir: string,
): Promise<void> {
  const errors: RiversError[] = []
  for (const id of ids) {
    const a = state.asset(id)
    if (a.isSource) continue
    const def = a.def as AssetDef
    if (!usesLauncher(def)) continue
    try {
      const launcher = launcherFor(launcherConfigOf(def, project), storeDir)
      await launcher.validate(normalizeResources(def.resources), {
        assetKey: def.key,
        kind: def.command === undefined ? 'function' : 'command',
      })
      if (def.command === undefined && runsAsJob(launcher)) {
        if (def.batch !== undefined) throw batchedNotAsJob(def.key, launcher.name)
        workerCommand(def.key, state.baseDir) // throws when no `assets` command can run it
      }
    } catch (e) {
      if (!isRiversError(e)) throw e
      if (!errors.some((x) => x.message === e.message)) errors.push(e)
    }
  }
  if (errors.length === 1) throw errors[0]
  if (errors.length > 1) throw launchesRefused(errors)
}

/**
 * Runs an asset through its launcher and returns the value to store (wrapped with `result()` when
 * a job reported a data version). Keeps the executor's semantics: the asset's signal (run
 * cancelled, asset timed out) stops it; a failed job fails the attempt, so retries apply.
 *
 * @example
 * import { usesLauncher } from '../launchers/registry.js'
 * const value = usesLauncher(def) ? await runOnLauncher(run, id, def, inputs, ctx) : await def.fn(inputs, ctx)
 */
export async function runOnLauncher(
  run: RunContext,
  id: AssetId,
  def: AssetDef,
  inputs: Record<string, unknown>,
  ctx: AssetContext<unknown>,
): Promise<unknown> {
  const launcher = launcherFor(launcherConfigOf(def, run.project), run.storeDir)
  const request = normalizeResources(def.resources)
  const kind = def.command === undefined ? 'function' : 'command'
  await launcher.validate(request, { assetKey: def.key, kind })
  if (def.command !== undefined) return runCommandJob(run, id, def, inputs, ctx, launcher, request)
  if (runsAsJob(launcher)) {
    if (def.batch !== undefined) throw batchedNotAsJob(def.key, launcher.name)
    return runFunctionJob(run, id, def, inputs, ctx, launcher, request)
  }
  const reserve = launcher.reserve!.bind(launcher)
  const onQueued = (why: string): void =>
    ctx.log.info(
      { launcher: launcher.name, request: describeRequest(request) },
      `waiting for resources (${describeRequest(request)}): ${why}`,
    )
  const reservation = await reserve(request, { assetKey: def.key, kind: 'function' }, ctx.signal, onQueued)
  try {
    if (reservation.gpus.length > 0) ctx.addMetadata({ gpus: reservation.gpus })
    const scope = { key: def.key, runId: run.runId, projectDir: run.state.baseDir }
    return await userCode(scope, 'asset', () => def.fn(inputs, { ...ctx, gpus: reservation.gpus }))
  } finally {
    reservation.release()
  }
}

/**
 * Whether this asset is a function that will run as a job (`runFunctionJob`): then its stored inputs
 * are handed on by reference, not read here. False when the launcher cannot be made (the error comes
 * when the asset runs, as for any asset).
 *
 * @example
 * const { inputs } = await loadInputs(run, id, 0, functionRunsAsJob(run, def))
 */
export function functionRunsAsJob(run: RunContext, def: AssetDef): boolean {
  if (def.command !== undefined || !usesLauncher(def) || def.batch !== undefined) return false
  try {
    return runsAsJob(launcherFor(launcherConfigOf(def, run.project), run.storeDir))
  } catch {
    return false
  }
}

/**
 * Whether a function asset runs as a job on this launcher (`assets worker run` on the node) rather
 * than in this process: the launcher says so, or it cannot hold slots for a function here.
 *
 * @example
 * runsAsJob(launcherFor({ type: 'slurm' }, storeDir)) // true
 */
export function runsAsJob(launcher: Pick<Launcher, 'functions' | 'reserve'>): boolean {
  return launcher.functions === 'worker' || launcher.reserve === undefined
}

function batchedNotAsJob(key: string, launcher: string): RiversError {
  return cannotHonour(
    key,
    launcher,
    'a batched partition function (batch)',
    'a function run as a job builds one partition per job',
    "drop batch from the asset, or run it in this process (launcher: 'local')",
  )
}
