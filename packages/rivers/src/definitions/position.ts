/** Where user code called into the definition API, for error messages (`src/assets.ts:12:7`). */
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const HERE = path.dirname(fileURLToPath(import.meta.url))
const LINE_COL = /:(\d+):(\d+)\)?$/

/**
 * A lazily formatted call site: the stack is captured now (cheap) and only formatted, once, when
 * asked for (formatting costs tens of microseconds under source maps, which adds up over 100k assets).
 *
 * @example
 * const site = captureSite()
 * site() // 'src/assets.ts:12:7'
 */
export type Site = () => string | undefined

/**
 * Capture where user code called into the definition API: the first stack frame outside this
 * folder's modules, `node:` internals and node_modules, as `relative/file.ts:line:col` (relative to
 * the current folder).
 *
 * @example
 * const site = captureSite()
 * const at = site() // 'src/assets.ts:12:7'
 */
export function captureSite(): Site {
  const holder: { stack?: string } = {}
  const previous = Error.stackTraceLimit
  Error.stackTraceLimit = 20
  Error.captureStackTrace(holder, captureSite)
  Error.stackTraceLimit = previous
  let done = false
  let site: string | undefined
  return () => {
    if (!done) {
      site = firstUserFrame(holder.stack ?? '')
      done = true
    }
    return site
  }
}

function firstUserFrame(stack: string): string | undefined {
  for (const line of stack.split('\n').slice(1)) {
    const file = frameFile(line.trim())
    if (file === undefined) continue
    if (isLibraryFile(file) || file.includes(`${path.sep}node_modules${path.sep}`)) continue
    const [, row, col] = LINE_COL.exec(line.trim())!
    const shown = path.relative(process.cwd(), file)
    return `${shown.startsWith('..') ? file : shown}:${row}:${col}`
  }
  return undefined
}

/** A module of this folder (its tests and fixtures are user code for this purpose). */
function isLibraryFile(file: string): boolean {
  return file.startsWith(HERE + path.sep) && !/\.(test|test-d|fixture)\.[cm]?[jt]s$/.test(file)
}

/** The absolute file of a V8 stack frame (`at f (file:line:col)` or `at file:line:col`), if any. */
function frameFile(frame: string): string | undefined {
  const match = LINE_COL.exec(frame)
  if (!match) return undefined
  let loc = frame.slice(0, match.index)
  loc = loc.includes('(') ? loc.slice(loc.lastIndexOf('(') + 1) : loc.replace(/^at\s+/, '')
  if (loc.startsWith('file://')) {
    try {
      loc = fileURLToPath(loc.replace(/\?.*$/, ''))
    } catch {
      return undefined
    }
  }
  return path.isAbsolute(loc) ? loc : undefined
}
