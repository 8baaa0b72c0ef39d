/**
 * The module hooks a project file needs (tsx for TypeScript, and the hook that loads ES-module files
 * as ESM whatever their package's `type`), registered on first need by the function bin/assets.mjs
 * installs: start-up does not pay for Node's loader thread unless a project file is loaded.
 */

/** Where bin/assets.mjs puts the function that registers the hooks (once; later calls are free). */
const PROJECT_HOOKS = Symbol.for('@rivers-orchestrator/cli.project-hooks')

/**
 * Register the project-file hooks, if the `assets` binary provided them (not when `main` runs in a
 * test process, whose own loader handles TypeScript).
 *
 * @example
 * import { pathToFileURL } from 'node:url'
 * await projectHooks()
 * const mod = await import(pathToFileURL('/home/me/shop/rivers.config.ts').href)
 */
export async function projectHooks(): Promise<void> {
  const register = (globalThis as Record<symbol, unknown>)[PROJECT_HOOKS]
  if (typeof register === 'function') await (register as () => Promise<void>)()
}
