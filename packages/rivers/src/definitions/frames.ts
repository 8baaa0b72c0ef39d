/**
 * Definition stacks: the frames of user code (and of npm packages) that were running when an asset
 * was defined, from the call site up to the module being evaluated. Rivers' own frames, Node's
 * internals and frames without a file are left out; the walk stops at Node's module loader, below
 * which frames belong to whoever imported the project (the CLI, a test runner), not to a definition.
 *
 * A stack is kept as a compact string (one frame per line: file, line, column, whether the position
 * is already source-mapped, and the names of the function the frame was calling), so that assets
 * defined in a loop share one string and are analysed once.
 *
 * Cost: reading structured call sites costs a few microseconds per stack (no string formatting, no
 * source-map lookup); positions are source-mapped later, once per distinct position.
 */
import { findSourceMap } from 'node:module'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

/**
 * One frame of a definition stack.
 *
 * @example
 * const f: Frame = { file: '/p/rivers.config.ts', line: 12, col: 7, callees: ['asset'], exact: true }
 */
export interface Frame {
  /** Absolute path of the module (query and hash of its URL removed). */
  readonly file: string
  /** 1-based line and column of the call this frame was making, in the file on disk. */
  readonly line: number
  readonly col: number
  /** Names of the function being called at this position (function and method names seen by V8). */
  readonly callees: readonly string[]
  /** Whether the position is known to be the file's own (source-mapped, or a file run as written). */
  readonly exact: boolean
}

const LIBRARY_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const LIBRARY_TEST = /\.(test|test-d|fixture)\.[cm]?[jt]s$/
const TS_FAMILY = /\.[cm]?tsx?$/

/**
 * Whether a file is Rivers' own library code (its tests and fixtures count as user code).
 *
 * @example
 * isLibraryFile('/home/me/project/src/assets.ts') // false: user code
 */
export function isLibraryFile(file: string): boolean {
  return file.startsWith(LIBRARY_ROOT + path.sep) && !LIBRARY_TEST.test(file)
}

/**
 * The compact stack of V8 call sites (as handed to `Error.prepareStackTrace`).
 *
 * @example
 * Error.prepareStackTrace = (_e, sites) => framesFromCallSites(sites)
 */
export function framesFromCallSites(sites: readonly NodeJS.CallSite[]): string {
  let out = ''
  let previous: NodeJS.CallSite | undefined
  for (const s of sites) {
    const raw = s.getFileName()
    if (raw !== undefined && raw !== null && raw !== '') {
      if (raw.startsWith('node:internal/modules/')) break
      if (!raw.startsWith('node:') && !raw.startsWith('internal/') && isUserFile(raw)) {
        // Names are read only for the frame this one was calling (V8 computes them on demand).
        const callees =
          previous === undefined
            ? ''
            : calleeNames(
                previous.getFunctionName(),
                previous.getMethodName(),
                previous.getTypeName(),
                previous.isConstructor(),
              )
        out += `${raw}\t${s.getLineNumber() ?? 0}\t${s.getColumnNumber() ?? 0}\tr\t${callees}\n`
      }
    }
    previous = s
  }
  return out
}

/** Per raw frame file name: whether it is user code (an absolute file outside Rivers' library). */
const userFiles = new Map<string, boolean>()

function isUserFile(raw: string): boolean {
  let known = userFiles.get(raw)
  if (known === undefined) {
    const file = filePath(raw)
    known = file !== undefined && !isLibraryFile(file)
    if (userFiles.size > 10_000) userFiles.clear()
    userFiles.set(raw, known)
  }
  return known
}

/**
 * The compact stack of a formatted V8 stack (`at f (file:1:2)` lines, positions already mapped by
 * whoever formatted it).
 *
 * @example
 * framesFromStackText('Error\n    at asset (/lib/asset.js:3:3)\n    at /p/rivers.config.ts:4:11')
 */
export function framesFromStackText(stack: string): string {
  let out = ''
  let callees = ''
  for (const line of stack.split('\n').slice(1)) {
    const m = /^\s*at (?:(.*?) \()?(.*?):(\d+):(\d+)\)?$/.exec(line)
    const name = m === null ? /^\s*at (.*?) \(/.exec(line)?.[1] : m[1]
    const names = namesFromText(name)
    if (m === null) {
      callees = names
      continue
    }
    const raw = m[2]!
    if (raw.startsWith('node:internal/modules/')) break
    const file = raw.startsWith('node:') ? undefined : filePath(raw)
    if (file === undefined || isLibraryFile(file)) {
      callees = names
      continue
    }
    out += `${raw}\t${m[3]}\t${m[4]}\tm\t${callees}\n`
    callees = names
  }
  return out
}

/**
 * The frames of a compact stack, positions source-mapped (each distinct position once per `cache`).
 *
 * @example
 * parseFrames(stack, new Map())[0] // { file: '/p/rivers.config.ts', line: 4, col: 11, callees: ['asset'], exact: true }
 */
export function parseFrames(stack: string, cache: Map<string, Frame | null>): Frame[] {
  const out: Frame[] = []
  for (const line of stack.split('\n')) {
    if (line === '') continue
    let f = cache.get(line)
    if (f === undefined) {
      f = frameOf(line)
      cache.set(line, f)
    }
    if (f !== null) out.push(f)
  }
  return out
}

function frameOf(line: string): Frame | null {
  const [raw, l, c, how, callees] = line.split('\t') as [string, string, string, string, string]
  const file = filePath(raw)
  if (file === undefined) return null
  const names = callees === '' ? [] : callees.split('|')
  const lineNo = Number(l)
  const colNo = Number(c)
  if (how === 'm') return { file, line: lineNo, col: colNo, callees: names, exact: true }
  const mapped = mapPosition(raw, lineNo, colNo)
  if (mapped !== undefined) return { file, line: mapped.line, col: mapped.col, callees: names, exact: true }
  // No source map: the position is the file's own only if it runs as written (not TypeScript).
  return { file, line: lineNo, col: colNo, callees: names, exact: !TS_FAMILY.test(file) }
}

/**
 * The original position of a generated one, through the source map Node holds for the module (tsx
 * and `--enable-source-maps` register one), or `undefined` without a map.
 *
 * @example
 * mapPosition('file:///p/rivers.config.ts', 1, 230) // { line: 4, col: 11 }
 */
export function mapPosition(url: string, line: number, col: number): { line: number; col: number } | undefined {
  let map: ReturnType<typeof findSourceMap>
  try {
    map = findSourceMap(url)
  } catch {
    return undefined
  }
  if (map === undefined) return undefined
  const entry = map.findEntry(line - 1, col - 1) as { originalLine?: number; originalColumn?: number }
  if (typeof entry.originalLine !== 'number' || typeof entry.originalColumn !== 'number') return undefined
  return { line: entry.originalLine + 1, col: entry.originalColumn + 1 }
}

/** An absolute file path from a stack frame's file name (a path or a `file:` URL with a query). */
function filePath(raw: string): string | undefined {
  if (raw.startsWith('file://')) {
    try {
      return fileURLToPath(raw.replace(/[?#].*$/, ''))
    } catch {
      return undefined
    }
  }
  return path.isAbsolute(raw) ? raw : undefined
}

function calleeNames(fn: string | null, method: string | null, type: string | null, ctor: boolean): string {
  const names: string[] = []
  for (const n of [fn, method, ctor ? type : null]) {
    if (n === null || n === '') continue
    const last = n.slice(n.lastIndexOf('.') + 1)
    if (!names.includes(last)) names.push(last)
  }
  return names.join('|')
}

function namesFromText(name: string | undefined): string {
  if (name === undefined) return ''
  const names: string[] = []
  const alias = /\[as ([^\]]+)\]$/.exec(name)?.[1]
  const bare = name
    .replace(/\s*\[as [^\]]+\]$/, '')
    .replace(/^(async|new) /, '')
    .trim()
  for (const n of [bare.slice(bare.lastIndexOf('.') + 1), alias])
    if (n !== undefined && n !== '' && !names.includes(n)) names.push(n)
  return names.join('|')
}
