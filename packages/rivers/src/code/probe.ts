/**
 * File-system questions asked while resolving imports (is this a file, a folder, its real path, a
 * package.json), each answered once per code-version computation: a long-lived process that
 * computes versions again after an edit asks again.
 */
import { readFileSync, realpathSync, statSync, type Stats } from 'node:fs'

/**
 * A per-computation cache of `stat`, `realpath` and JSON reads.
 *
 * @example
 * const probe = new Probe()
 * probe.isFile('/project/src/lib.ts') // true
 */
export class Probe {
  readonly #stats = new Map<string, Stats | null>()
  readonly #real = new Map<string, string>()
  readonly #json = new Map<string, unknown>()

  /** `stat` of a path (following links), or `undefined` when it does not exist or cannot be read. */
  stat(file: string): Stats | undefined {
    let s = this.#stats.get(file)
    if (s === undefined) {
      try {
        s = statSync(file)
      } catch {
        s = null
      }
      this.#stats.set(file, s)
    }
    return s ?? undefined
  }

  isFile(file: string): boolean {
    return this.stat(file)?.isFile() ?? false
  }

  isDir(file: string): boolean {
    return this.stat(file)?.isDirectory() ?? false
  }

  /** The real path (links resolved); the path itself when it cannot be resolved. */
  realpath(file: string): string {
    let r = this.#real.get(file)
    if (r === undefined) {
      try {
        r = realpathSync(file)
      } catch {
        r = file
      }
      this.#real.set(file, r)
    }
    return r
  }

  /** A JSON (or JSON-with-comments, for tsconfig) file parsed, or `undefined`. */
  readJson(file: string, comments = false): unknown {
    if (this.#json.has(file)) return this.#json.get(file)
    let value: unknown
    try {
      const text = readFileSync(file, 'utf8')
      value = JSON.parse(comments ? stripJsonComments(text) : text)
    } catch {
      value = undefined
    }
    this.#json.set(file, value)
    return value
  }
}

/**
 * JSON with comments and trailing commas (tsconfig.json) turned into JSON.
 *
 * @example
 * JSON.parse(stripJsonComments('{ "a": 1, // x\n }')) // { a: 1 }
 */
export function stripJsonComments(text: string): string {
  let out = ''
  let i = 0
  while (i < text.length) {
    const c = text[i]!
    if (c === '"') {
      let j = i + 1
      while (j < text.length && text[j] !== '"') j += text[j] === '\\' ? 2 : 1
      out += text.slice(i, j + 1)
      i = j + 1
    } else if (c === '/' && text[i + 1] === '/') {
      while (i < text.length && text[i] !== '\n') i++
    } else if (c === '/' && text[i + 1] === '*') {
      const close = text.indexOf('*/', i + 2)
      i = close < 0 ? text.length : close + 2
    } else {
      out += c
      i++
    }
  }
  return out.replace(/,(\s*[}\]])/g, '$1')
}
