/**
 * `assets` as a background process for end-to-end tests of long-running commands (`daemon`,
 * `watch`): its output, stdout and stderr together, can be awaited line by line.
 */
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { BIN } from './project.js'

/** A running `assets` process. */
export interface Background {
  child: ChildProcessWithoutNullStreams
  /** Its exit code (null when killed by a signal). */
  exited: Promise<number | null>
  /** Everything it printed so far. */
  readonly output: string
  /** Resolves once `pattern` occurs `times` times in the output (fails after 30 s). */
  waitFor(pattern: RegExp, times?: number): Promise<void>
}

/**
 * Starts `assets ARGS` in `dir` (no colours, no RIVERS_HOME or RIVERS_WATCH from the caller).
 *
 * @example
 * const daemon = startCli(p.dir, ['daemon', '--interval', '60s'])
 * await daemon.waitFor(/daemon started/)
 */
export function startCli(dir: string, args: string[]): Background {
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd: dir,
    env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: undefined, RIVERS_HOME: undefined, RIVERS_WATCH: undefined },
  })
  let output = ''
  const waiters: (() => void)[] = []
  const onData = (chunk: Buffer) => {
    output += chunk.toString()
    for (const w of waiters.splice(0)) w()
  }
  child.stdout.on('data', onData)
  child.stderr.on('data', onData)
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))
  return {
    child,
    exited,
    get output() {
      return output
    },
    async waitFor(pattern: RegExp, times = 1): Promise<void> {
      const end = Date.now() + 30_000
      const count = () => output.match(new RegExp(pattern.source, 'g'))?.length ?? 0
      while (count() < times) {
        if (Date.now() > end) throw new Error(`timed out waiting for ${pattern} ×${times}; output so far:\n${output}`)
        await new Promise<void>((resolve) => {
          waiters.push(resolve)
          setTimeout(resolve, 200)
        })
      }
    },
  }
}

/**
 * Resolves once `file` exists, or after 30 s (the caller's next assertion then says what is missing).
 *
 * @example
 * await whenExists(path.join(p.dir, 'started'))
 */
export async function whenExists(file: string): Promise<void> {
  const end = Date.now() + 30_000
  while (!existsSync(file) && Date.now() < end) await new Promise((r) => setTimeout(r, 50))
}
