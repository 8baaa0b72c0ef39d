/**
 * Command assets (`asset({ key, command })`): the stand-in function an `AssetDef` needs, and the
 * text their code version is computed from.
 *
 * The code version of a command asset covers the command, its env and cwd, and the contents of every
 * argument that names an existing file (so editing `train.py` makes `['python', 'train.py']` stale).
 * A command given as a function is versioned by the function's source text instead. Give
 * `codeVersion` to version it by hand.
 */
import { createHash } from 'node:crypto'
import { readFileSync, statSync } from 'node:fs'
import path from 'node:path'

import { RiversError } from '../errors.js'
import type { AssetSpec } from './asset-types.js'

/** Files larger than this are versioned by size and modification time instead of content. */
const MAX_HASHED_BYTES = 64 * 2 ** 20

/**
 * The function of a command asset: the executor runs the command through a launcher and never
 * calls it; calling it anyway is a framework error that says so.
 *
 * @example
 * const fn = commandStandIn('model/torch')
 */
export function commandStandIn(key: string): () => never {
  return () => {
    throw new RiversError(
      'RIVERS_COMMAND_NOT_LAUNCHED',
      `Asset '${key}' runs a command, which only a launcher can run; it was called as a function.\n` +
        `Fix: materialize it through openWorkspace()/materialize() (they route command assets to their launcher).`,
      { exitCode: 1 },
    )
  }
}

/**
 * A function object whose source text (`toString()`) is what the code version of a command asset is
 * hashed from; file contents are read when it is called, i.e. when the project is defined.
 *
 * @example
 * commandCode({ key: 'train', command: ['python', 'train.py'] }).toString() // 'command ["python","train.py"]\n…'
 */
export function commandCode(spec: AssetSpec): Function {
  const code = function command(): void {}
  const text = (): string => {
    const lines: string[] = []
    const command = spec.command
    if (typeof command === 'function') lines.push(`command function ${command.toString()}`)
    else if (command !== undefined) {
      lines.push(`command ${JSON.stringify(command)}`)
      const cwd = path.resolve(spec.cwd ?? '.')
      for (const arg of command) {
        const digest = fileDigest(path.resolve(cwd, arg))
        if (digest !== undefined) lines.push(`file ${JSON.stringify(arg)} ${digest}`)
      }
    }
    const env = Object.entries(spec.env ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    if (env.length > 0) lines.push(`env ${JSON.stringify(env)}`)
    if (spec.cwd !== undefined) lines.push(`cwd ${JSON.stringify(spec.cwd)}`)
    return lines.join('\n')
  }
  Object.defineProperty(code, 'toString', { value: text })
  return code
}

function fileDigest(file: string): string | undefined {
  try {
    const st = statSync(file)
    if (!st.isFile()) return undefined
    if (st.size > MAX_HASHED_BYTES) return `size=${st.size} mtime=${st.mtimeMs}`
    return `sha256=${createHash('sha256').update(readFileSync(file)).digest('hex')}`
  } catch {
    return undefined
  }
}
