/**
 * Programmatic `materialize`: the library twin of `assets materialize`.
 */
import type { Project } from '../definitions/index.js'
import type { MaterializeOptions, RunSummary } from './types.js'
import { openWorkspace, type WorkspaceOptions } from './workspace.js'

/**
 * Opens the project's store, runs the plan of the selection, closes the store, and returns the same
 * summary as `assets materialize --json`.
 *
 * @example
 * const summary = await materialize(project, { select: ['+model'], storeDir: '.rivers' })
 * if (summary.status !== 'success') process.exitCode = 1
 */
export async function materialize(
  project: Project,
  options: MaterializeOptions & WorkspaceOptions = {},
): Promise<RunSummary> {
  const ws = await openWorkspace(project, options)
  try {
    return await ws.materialize(options)
  } finally {
    ws.close()
  }
}
