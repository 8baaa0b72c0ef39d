/**
 * Loading an optional package of Rivers (the PostgreSQL store, the MLflow tracker, the web UI) by
 * dynamic import: the copy installed beside the project file first, else the one beside the CLI.
 * A package that is not installed is the caller's own error (it names the install command); any
 * other import failure (a broken package) is thrown as it is.
 */
import { createRequire } from 'node:module'
import { pathToFileURL } from 'node:url'

/** Imports a module specifier (`(s) => import(s)`; tests pass their own). */
export type Importer = (specifier: string) => Promise<unknown>

/**
 * Imports `pkg` beside `projectFile`, else beside the CLI; returns the module when `usable` accepts
 * it, else throws `missing(lastError)`.
 *
 * @example
 * const mod = await importPlugin('/home/me/shop/rivers.config.ts', '@rivers-orchestrator/ui', (s) => import(s),
 *   (m): m is { startUi: Function } => typeof (m as { startUi?: unknown }).startUi === 'function',
 *   (cause) => new Error(`install @rivers-orchestrator/ui (${String(cause)})`))
 */
export async function importPlugin<T>(
  projectFile: string,
  pkg: string,
  importer: Importer,
  usable: (mod: unknown) => mod is T,
  missing: (cause: unknown) => Error,
): Promise<T> {
  let besideProject: string | undefined
  try {
    besideProject = createRequire(projectFile).resolve(pkg)
  } catch {
    // not installed beside the project (or only as TypeScript sources): try beside the CLI
  }
  const attempts = besideProject === undefined ? [pkg] : [pathToFileURL(besideProject).href, pkg]
  let last: unknown
  for (const specifier of attempts) {
    try {
      const mod = await importer(specifier)
      if (usable(mod)) return mod
    } catch (e) {
      last = e
      const code = (e as { code?: unknown } | null)?.code
      if (code !== 'ERR_MODULE_NOT_FOUND' && code !== 'MODULE_NOT_FOUND') throw e
    }
  }
  throw missing(last)
}
