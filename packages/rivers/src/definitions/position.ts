/**
 * Where user code called into the definition API: for error messages (`src/assets.ts:12:7`) and
 * for code versions (the definition stack, see `code/frames.ts`).
 */
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { inspect } from 'node:util'

import { framesFromCallSites, framesFromStackText, parseFrames } from './frames.js'

const HERE = path.dirname(fileURLToPath(import.meta.url))
/** Name of Node's own default `Error.prepareStackTrace` (it formats with source maps itself). */
const NODE_FORMATTER = 'ErrorPrepareStackTrace'
const LINE_COL = /:(\d+):(\d+)\)?$/

/**
 * A lazily formatted call site: the stack is captured now (cheap) and only read, once, when asked
 * for (formatting costs tens of microseconds under source maps, which adds up over 100k assets).
 * `at()` gives the position for messages: the first stack frame outside this folder's modules,
 * `node:` internals and node_modules, as `relative/file.ts:line:col` (relative to the current
 * folder); `frames()` gives the compact definition stack that code versions are computed from (read
 * from structured call sites, without formatting).
 *
 * @example
 * const site: Site = new DefinitionSite()
 * site.at() // 'src/assets.ts:12:7'
 * site.frames() // '/p/src/assets.ts\t12\t7\tm\tasset\n'
 */
export interface Site {
  at(): string | undefined
  frames(): string
}

/**
 * A captured definition site: an `Error` (so the stack is captured by constructing it, which keeps
 * a fast-properties object, where `Error.captureStackTrace` turns its target into a dictionary twice
 * the size) holding what was read from its stack, memoised; methods on the prototype rather than
 * closures per definition. `new DefinitionSite()` in a definition function captures from that
 * function down (the constructor's own frame is left out by V8), 20 frames.
 *
 * @example
 * const site = new DefinitionSite()
 * site.at() // 'src/assets.ts:12:7'
 */
export class DefinitionSite extends Error implements Site {
  /**
   * Frames enough for the position alone: the definition function's and its caller's. For a
   * definition whose code version never reads its stack (a pinned `codeVersion`, a command), each
   * frame left out saves about 0.7 µs and its objects (a 100k-asset project defines in ~1 s).
   */
  static readonly CALLER = 2

  private text: string | undefined = undefined
  private compact: string | undefined = undefined
  private position: string | undefined = undefined
  private done = false

  constructor(frames = 20) {
    const previous = Error.stackTraceLimit
    Error.stackTraceLimit = frames
    super()
    Error.stackTraceLimit = previous
  }

  at(): string | undefined {
    if (!this.done) {
      this.position =
        this.compact !== undefined && this.text === undefined
          ? firstUserFrameOf(this.compact)
          : firstUserFrame(this.stackText())
      this.done = true
    }
    return this.position
  }

  frames(): string {
    if (this.compact !== undefined) return this.compact
    // A formatter installed by someone else (a test runner's source maps) is kept: its text is read.
    const formatter = Error.prepareStackTrace
    if (this.text !== undefined || (formatter !== undefined && formatter.name !== NODE_FORMATTER))
      this.compact = framesFromStackText(this.stackText())
    else {
      Error.prepareStackTrace = structuredFrames
      try {
        this.compact = String(this.stack)
      } finally {
        Error.prepareStackTrace = formatter
      }
    }
    return this.compact
  }

  /** Short, and without formatting the stack, when a definition is logged. */
  [inspect.custom](): string {
    return 'DefinitionSite'
  }

  private stackText(): string {
    if (this.text === undefined) {
      const value = this.stack
      this.text = typeof value === 'string' ? value : ''
    }
    return this.text
  }
}

function structuredFrames(_e: Error, sites: NodeJS.CallSite[]): string {
  return framesFromCallSites(sites)
}

/**
 * The message position from a compact stack: the first frame outside node_modules, else (a stack cut
 * short inside a package that wraps the definition API) the first frame in one.
 */
function firstUserFrameOf(frames: string): string | undefined {
  let fallback: string | undefined
  for (const f of parseFrames(frames, new Map())) {
    const inPackage = f.file.includes(`${path.sep}node_modules${path.sep}`)
    if (inPackage && fallback !== undefined) continue
    const shown = path.relative(process.cwd(), f.file)
    const at = `${shown.startsWith('..') ? f.file : shown}:${f.line}:${f.col}`
    if (!inPackage) return at
    fallback = at
  }
  return fallback
}

function firstUserFrame(stack: string): string | undefined {
  let fallback: string | undefined
  for (const line of stack.split('\n').slice(1)) {
    const file = frameFile(line.trim())
    if (file === undefined || isLibraryFile(file)) continue
    const inPackage = file.includes(`${path.sep}node_modules${path.sep}`)
    if (inPackage && fallback !== undefined) continue
    const [, row, col] = LINE_COL.exec(line.trim())!
    const shown = path.relative(process.cwd(), file)
    const at = `${shown.startsWith('..') ? file : shown}:${row}:${col}`
    if (!inPackage) return at
    fallback = at
  }
  return fallback
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
