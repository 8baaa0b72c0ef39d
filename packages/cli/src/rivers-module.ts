/**
 * Which copy of `rivers` the command uses: the one the project file resolves (so the project's
 * definitions and the engine come from the same module instance, as with a locally installed
 * linter), else the one beside the CLI. Loaded lazily: `--help` never pays for it.
 */
import { existsSync, readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import path from 'node:path'
import { pathToFileURL } from 'node:url'

type Rivers = typeof import('@rivers-orchestrator/rivers')

const PACKAGE = '@rivers-orchestrator/rivers'
/** The export condition of the workspace packages' TypeScript sources (see bin/assets.mjs). */
const SOURCE = '@rivers-orchestrator/source'

const loaded = new Map<string, Promise<Rivers>>()

/**
 * The library, with its plugin entry and the engine's lazily loaded parts loaded beside it:
 * `openWorkspace` imports the store, tracker and launchers (which that entry exports) on first use,
 * `Workspace` the executor, tick, gc and backfills (`preloadEngine`), and loading them here, before
 * the project-file hooks are registered (see project-file.ts), spares each module a round trip to
 * Node's loader thread.
 *
 * @example
 * const { openWorkspace } = await riversFor('/home/me/shop/rivers.config.ts')
 */
export function riversFor(projectFile: string): Promise<Rivers> {
  const found = resolveFrom(projectFile, '.')
  const key = found ?? '(cli)'
  let mod = loaded.get(key)
  if (mod === undefined) {
    const plugin = found === undefined ? undefined : resolveFrom(projectFile, './plugin')
    const main = found === undefined ? import(PACKAGE) : (import(pathToFileURL(found).href) as Promise<Rivers>)
    // A plugin entry that does not load is the command's to report when it needs it, not this one's.
    const extra = plugin === undefined ? undefined : import(pathToFileURL(plugin).href).catch(() => undefined)
    // The engine's parts the library loads on first use (a copy of the library without
    // preloadEngine loads them at import). A failure is reported by the command that needs them.
    const engine = main.then((m) => m.preloadEngine?.()).catch(() => undefined)
    mod = Promise.all([main, extra, engine]).then(([m]) => m)
    loaded.set(key, mod)
  }
  return mod
}

/**
 * The file `import '@rivers-orchestrator/rivers'` (`entry` '.') or `…/plugin` (`entry` './plugin')
 * in the project file loads. `require.resolve` knows the export conditions given on Node's command
 * line only; when the checkout's hook adds the source condition (bin/assets.mjs), the package's
 * source entry is read from its exports, as the hook does.
 */
function resolveFrom(projectFile: string, entry: '.' | './plugin'): string | undefined {
  const require = createRequire(projectFile)
  if (sourceConditionHooked()) {
    try {
      const manifest = require.resolve(`${PACKAGE}/package.json`)
      const pkg = JSON.parse(readFileSync(manifest, 'utf8')) as { exports?: Record<string, Record<string, unknown>> }
      const target = pkg.exports?.[entry]?.[SOURCE]
      const file = typeof target === 'string' ? path.resolve(path.dirname(manifest), target) : undefined
      if (file !== undefined && existsSync(file)) return file
    } catch {
      // not resolvable as a package: fall through
    }
  }
  try {
    return require.resolve(entry === '.' ? PACKAGE : `${PACKAGE}/plugin`)
  } catch {
    return undefined
  }
}

function sourceConditionHooked(): boolean {
  return (globalThis as Record<symbol, unknown>)[Symbol.for(SOURCE)] === true
}
