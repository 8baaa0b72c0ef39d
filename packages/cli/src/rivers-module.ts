/**
 * Which copy of `rivers` the command uses: the one the project file resolves (so the project's
 * definitions and the engine come from the same module instance, as with a locally installed
 * linter), else the one beside the CLI. Loaded lazily: `--help` never pays for it.
 */
import { createRequire } from 'node:module'
import { pathToFileURL } from 'node:url'

type Rivers = typeof import('@rivers-orchestrator/rivers')

const loaded = new Map<string, Promise<Rivers>>()

/**
 * @example
 * const { openWorkspace } = await riversFor('/home/me/shop/rivers.config.ts')
 */
export function riversFor(projectFile: string): Promise<Rivers> {
  let found: string | undefined
  try {
    found = createRequire(projectFile).resolve('@rivers-orchestrator/rivers')
  } catch {
    found = undefined
  }
  const key = found ?? '(cli)'
  let mod = loaded.get(key)
  if (mod === undefined) {
    mod =
      found === undefined
        ? import('@rivers-orchestrator/rivers')
        : (import(pathToFileURL(found).href) as Promise<Rivers>)
    loaded.set(key, mod)
  }
  return mod
}
