/**
 * Running `assets materialize SELECTION` as a child process of the same binary (the same Node,
 * CLI entry and `--conditions`), so each run loads a fresh module graph. The child gets its own
 * process group: Ctrl-C reaches `watch` only, which forwards one SIGINT (the child then cancels its
 * run cleanly, as `materialize` does on Ctrl-C).
 */
import { type ChildProcess, spawn } from 'node:child_process'
import type { GlobalOptions } from '../context.js'
import { noCliEntry } from './errors.js'

/**
 * The command line of the child: node's `--conditions` flags, the CLI entry, the arguments.
 *
 * @example
 * childArgv(['materialize'], ['--conditions=dev'], '/p/node_modules/.bin/assets') // ['--conditions=dev', '/p/…/assets', 'materialize']
 */
export function childArgv(args: readonly string[], execArgv = process.execArgv, entry = process.argv[1]): string[] {
  const conditions: string[] = []
  for (let i = 0; i < execArgv.length; i++) {
    const a = execArgv[i]!
    if (a.startsWith('--conditions=') || (a.startsWith('-C') && a.length > 2)) conditions.push(a)
    else if ((a === '--conditions' || a === '-C') && i + 1 < execArgv.length) conditions.push(a, execArgv[++i]!)
  }
  if (entry === undefined || entry === '') throw noCliEntry()
  return [...conditions, entry, ...args]
}

/**
 * `materialize` arguments carrying the global options on (the project file as resolved, so the
 * child needs no search).
 *
 * @example
 * materializeArgs(['model+'], '/p/rivers.config.ts', { store: '.rivers' }) // ['--project', …, 'materialize', 'model+']
 */
export function materializeArgs(selection: readonly string[], projectFile: string, globals: GlobalOptions): string[] {
  return [
    '--project',
    projectFile,
    ...(globals.store === undefined ? [] : ['--store', globals.store]),
    ...(globals.logLevel === undefined ? [] : ['--log-level', globals.logLevel]),
    ...(globals.color === false ? ['--no-color'] : []),
    ...(globals.json === true ? ['--json'] : []),
    'materialize',
    ...selection,
  ]
}

/** A started child command. */
export interface ChildRun {
  readonly child: ChildProcess
  /** Its exit code (128 + n when a signal ended it). */
  readonly exited: Promise<number>
}

/**
 * Starts the same `assets` binary with `args` in `cwd`, its output on this process's stdout/stderr.
 *
 * @example
 * const run = startChild(materializeArgs(['*'], file, {}), process.cwd())
 * const code = await run.exited
 */
export function startChild(args: readonly string[], cwd: string, env: NodeJS.ProcessEnv = process.env): ChildRun {
  const child = spawn(process.execPath, childArgv(args), {
    cwd,
    env,
    stdio: ['ignore', 'inherit', 'inherit'],
    detached: true,
  })
  const exited = new Promise<number>((resolve) => {
    child.once('error', () => resolve(1))
    child.once('exit', (code, signal) => resolve(code ?? (signal === null ? 1 : 128 + signalNumber(signal))))
  })
  return { child, exited }
}

function signalNumber(signal: NodeJS.Signals): number {
  return ({ SIGHUP: 1, SIGINT: 2, SIGKILL: 9, SIGTERM: 15 } as Record<string, number>)[signal] ?? 0
}
