/**
 * The files `assets watch` watches: the project's module closure as Node loads it (the project file
 * and every local module it imports, statically or at load time), and the files of its path sources.
 * The project is imported in a fresh tsx namespace each time, so an edit shows in the next answer
 * and the modules a changed import now reaches are found. Modules outside the project folder, in
 * node_modules or in the store folder are not watched.
 */
import path from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { projectHooks } from '../project-hooks.js'

/** What a load of the project found. */
export interface ProjectFiles {
  /** Local modules, the project file first. */
  modules: string[]
  /** Files (or folders) of the path sources. */
  sources: string[]
  /** Why the project did not load (a syntax error while editing): then `modules` is the project file only. */
  error?: unknown
}

let loads = 0

/**
 * @example
 * const { modules, sources } = await projectFiles('/p/rivers.config.ts', '/p/.rivers')
 */
export async function projectFiles(projectFile: string, storeDir: string): Promise<ProjectFiles> {
  const dir = path.dirname(projectFile)
  const imported = new Set<string>([projectFile])
  const keep = (file: string) =>
    isInside(file, dir) && !isInside(file, storeDir) && !file.split(path.sep).includes('node_modules')
  await projectHooks()
  const { register } = await import('tsx/esm/api')
  const api = register({
    namespace: `rivers-watch-${process.pid}-${++loads}`,
    onImport: (url: string) => {
      if (!url.startsWith('file:')) return
      const file = fileURLToPath(url.replace(/\?.*$/, ''))
      if (keep(file)) imported.add(file)
    },
  })
  try {
    const mod = (await api.import(pathToFileURL(projectFile).href, import.meta.url)) as { default?: unknown }
    const project = await unwrap(mod.default)
    return { modules: [...imported], sources: sourceFiles(project, dir) }
  } catch (error) {
    return { modules: [...imported], sources: [], error }
  } finally {
    await api.unregister()
  }
}

/** `defineProject(...)`, or a CommonJS module's default holding it. */
async function unwrap(value: unknown): Promise<unknown> {
  const v = await value
  return typeof v === 'object' && v !== null && !('assets' in v) && 'default' in v
    ? await (v as { default: unknown }).default
    : v
}

function sourceFiles(project: unknown, dir: string): string[] {
  const assets = (project as { assets?: unknown } | null)?.assets
  if (!Array.isArray(assets)) return []
  const out: string[] = []
  for (const a of assets as { isSource?: boolean; def?: { path?: unknown } }[]) {
    const p = a.isSource === true ? a.def?.path : undefined
    if (typeof p === 'string' && p !== '') out.push(path.resolve(dir, p))
  }
  return out
}

function isInside(file: string, dir: string): boolean {
  const rel = path.relative(dir, file)
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel))
}
