/**
 * Finding and loading the project file: `--project`, else `rivers.config.{ts,mts,js,mjs}` in the
 * current folder or a parent; imported as an ES module (tsx and the esm-syntax hook are registered
 * first, see project-hooks.ts) and checked to default-export `defineProject(...)`.
 */
import { existsSync, statSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import type { Project } from '@rivers-orchestrator/rivers'
import { codeOf } from './exit.js'
import { projectHooks } from './project-hooks.js'
import { riversFor } from './rivers-module.js'
import {
  noDefaultExport,
  noProjectFile,
  notAProject,
  PROJECT_FILE_NAMES,
  projectFileMissing,
  projectLoadFailed,
  shownPath,
} from './errors.js'

/**
 * The absolute path of the project file.
 *
 * @example
 * findProjectFile('/home/me/shop/src') // '/home/me/shop/rivers.config.ts'
 */
export function findProjectFile(cwd: string, explicit?: string): string {
  if (explicit !== undefined) {
    const file = path.resolve(cwd, explicit)
    if (!isFile(file)) throw projectFileMissing(explicit, file)
    return file
  }
  const searched: string[] = []
  for (let dir = path.resolve(cwd); ; dir = path.dirname(dir)) {
    searched.push(dir)
    for (const name of PROJECT_FILE_NAMES) {
      const file = path.join(dir, name)
      if (isFile(file)) return file
    }
    if (path.dirname(dir) === dir) break
  }
  throw noProjectFile(path.resolve(cwd), searched)
}

/**
 * Import the project file and return its default export, a Project. Definition errors thrown while
 * it loads (unknown dep, duplicate key…) pass through unchanged; anything else thrown is wrapped with
 * the file and the place it was thrown.
 *
 * @example
 * const project = await loadProject(findProjectFile(process.cwd()), process.cwd())
 */
export async function loadProject(file: string, cwd: string): Promise<Project> {
  const shown = shownPath(file, cwd)
  let mod: Record<string, unknown>
  // The library the project file imports is loaded before the hooks are registered: once they are,
  // every module loaded goes through Node's loader thread (a round trip each, hundreds of modules).
  // Its errors, if any, surface where they did before, after the project file's own.
  const rivers = riversFor(file)
  await rivers.catch(() => undefined)
  await projectHooks()
  try {
    mod = (await import(pathToFileURL(file).href)) as Record<string, unknown>
  } catch (e) {
    if (isCodedError(e)) throw e
    throw projectLoadFailed(shown, e, throwSite(e, path.dirname(file), cwd), cwd)
  }
  const { isProject } = await rivers
  if (!('default' in mod) || mod.default === undefined)
    throw noDefaultExport(
      shown,
      Object.keys(mod).filter((k) => k !== 'default' && k !== '__esModule'),
    )
  let value: unknown = await mod.default
  // A CommonJS module transpiled from ESM exposes its exports object as the default export.
  if (!isProject(value) && typeof value === 'object' && value !== null && 'default' in value)
    value = await (value as { default: unknown }).default
  if (!isProject(value)) throw notAProject(shown, value)
  return value
}

/** A Rivers error (definition error raised while the file loads): its message is already precise. */
function isCodedError(e: unknown): boolean {
  return e instanceof Error && (codeOf(e)?.startsWith('RIVERS_') ?? false) && 'exitCode' in e
}

/** `rivers.config.ts:12:7`: the first stack frame inside the project folder, outside node_modules. */
function throwSite(e: unknown, projectDir: string, cwd: string): string | undefined {
  if (!(e instanceof Error) || e instanceof SyntaxError) return undefined
  for (const line of (e.stack ?? '').split('\n').slice(1)) {
    const m = /\(?((?:file:\/\/)?\/[^()]+?):(\d+):(\d+)\)?\s*$/.exec(line.trim())
    if (!m) continue
    const file = m[1]!.startsWith('file://') ? fileURLToPath(m[1]!) : m[1]!
    if (!file.startsWith(projectDir + path.sep) || file.includes(`${path.sep}node_modules${path.sep}`)) continue
    return `${shownPath(file, cwd)}:${m[2]}:${m[3]}`
  }
  return undefined
}

function isFile(file: string): boolean {
  try {
    return existsSync(file) && statSync(file).isFile()
  } catch {
    return false
  }
}
