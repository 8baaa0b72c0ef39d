/** Where user code called into the definition API, for error messages (`src/assets.ts:12:7`). */
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const HERE = path.dirname(fileURLToPath(import.meta.url))
const FRAME = /\(?((?:file:\/\/)?\/[^()]*?|[A-Za-z]:\\[^()]*?):(\d+):(\d+)\)?$/

/**
 * The first stack frame outside this folder, as `relative/file.ts:line:col`, or `undefined`.
 *
 * @example
 * const at = callSite() // 'src/assets.ts:12:7'
 */
export function callSite(): string | undefined {
  const previous = Error.stackTraceLimit
  Error.stackTraceLimit = 16
  const stack = new Error().stack ?? ''
  Error.stackTraceLimit = previous
  for (const line of stack.split('\n').slice(1)) {
    const match = FRAME.exec(line.trim())
    if (!match) continue
    const file = match[1]!.startsWith('file://') ? fileURLToPath(match[1]!) : match[1]!
    if (file.startsWith(HERE + path.sep) || file.includes(`${path.sep}node_modules${path.sep}`)) continue
    const shown = path.relative(process.cwd(), file)
    return `${shown.startsWith('..') ? file : shown}:${match[2]}:${match[3]}`
  }
  return undefined
}
