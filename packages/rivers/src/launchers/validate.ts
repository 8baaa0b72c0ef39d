/**
 * `validateLaunches`: before a run starts, every planned asset that runs through a launcher has its
 * request checked by that launcher, so a request that can never be scheduled (more GPUs than exist,
 * an unknown GPU type, a field the launcher cannot honour, an unreachable cluster) fails at once
 * (exit 2) naming the asset and the limit, instead of after hours of upstream work.
 */
import path from 'node:path'

import type { AssetDef, Project } from '../definitions/index.js'
import type { ProjectState } from '../engine/state.js'
import { RiversError, isRiversError } from '../errors.js'
import { launcherConfigOf, launcherFor, usesLauncher } from './registry.js'
import { normalizeResources } from './resources.js'

/**
 * Validates the launcher requests of the assets `ids` (default: every asset). Throws one
 * `RiversError` (exit 2) listing every refused asset.
 *
 * @example
 * // engine/executor.ts, runPlan, after the plan is known and before beginRun:
 * await validateLaunches(ws.project, st, planned)
 */
export async function validateLaunches(project: Project, state: ProjectState, ids?: Iterable<number>): Promise<void> {
  const storeDir = path.dirname(state.store.file)
  const errors: RiversError[] = []
  for (const id of ids ?? project.assets.map((_, i) => i)) {
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
    } catch (e) {
      if (!isRiversError(e)) throw e
      if (!errors.some((x) => x.message === e.message)) errors.push(e)
    }
  }
  if (errors.length === 1) throw errors[0]
  if (errors.length > 1)
    throw new RiversError(
      errors[0]!.code,
      `${errors.length} assets cannot be launched:\n\n${errors.map((e) => e.message).join('\n\n')}`,
      { exitCode: 2 },
    )
}
