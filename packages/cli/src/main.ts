/**
 * Entry point of the `assets` command: parse, run the command, and turn every outcome into an exit
 * code (0 success, 1 failed run, 2 bad usage/definitions/selection/config, 130 cancelled). Errors
 * print as text on stderr; with `--json`, stdout also gets `{"error":{"code","message"}}`.
 */
import { CliError } from './errors.js'
import { errorCode, exitCodeOfError, isCommanderError } from './exit.js'
import { styleFor } from './format/style.js'
import { processIo, type Io } from './io.js'
import { buildProgram, type ProgramState } from './program.js'

/**
 * Run the command line `argv` (as in `process.argv`: node, script, then arguments); resolves to the
 * exit code. Never throws.
 *
 * @example
 * process.exitCode = await main(process.argv)
 */
export async function main(argv: readonly string[], io: Io = processIo()): Promise<number> {
  const state: ProgramState = { exitCode: 0, ctx: undefined }
  try {
    await buildProgram(io, state).parseAsync([...argv])
    return state.exitCode
  } catch (e) {
    return reportError(e, io, state.ctx?.json ?? wantsJson(argv), !argv.includes('--no-color'))
  }
}

function reportError(e: unknown, io: Io, json: boolean, colorFlag: boolean): number {
  const code = exitCodeOfError(e)
  if (isCommanderError(e)) {
    // commander has printed its message (and help, when asked for) already.
    const message =
      e.code === 'commander.help'
        ? 'no command given: run assets --help for the commands'
        : e.message.replace(/^error: /, '')
    if (json && code !== 0) io.stdout.write(`${JSON.stringify({ error: { code: errorCode(e), message } })}\n`)
    return code
  }
  const style = styleFor(io.stderr, io.env, colorFlag)
  const message = e instanceof Error ? e.message : String(e)
  const known = errorCode(e) !== 'RIVERS_INTERNAL'
  if (known) io.stderr.write(`${style.red('error:')} ${message}${causeText(e, message)}\n`)
  else
    io.stderr.write(
      `${style.red('error:')} internal error: ${message}\n${e instanceof Error ? (e.stack ?? '') : ''}\nThis is a bug in Rivers or the assets command; please report it with the output above.\n`,
    )
  if (json) io.stdout.write(`${JSON.stringify({ error: { code: errorCode(e), message } })}\n`)
  return code
}

/** Errors whose message states their cause in its own words (the binding's load failure). */
const SELF_EXPLAINED = new Set(['RIVERS_NATIVE_LOAD'])

/** The underlying cause of a coded error, when its message does not include it already. */
function causeText(e: unknown, message: string): string {
  const cause = (e as { cause?: unknown } | null)?.cause
  if (e instanceof CliError || SELF_EXPLAINED.has(errorCode(e))) return ''
  if (!(cause instanceof Error) || squash(message).includes(squash(cause.message))) return ''
  return `\n  caused by: ${cause.message.replace(/\n/g, '\n  ')}`
}

function squash(s: string): string {
  return s.replace(/\s+/g, ' ')
}

/** Whether `--json` is among the options (before `--`), for errors raised before parsing ends. */
function wantsJson(argv: readonly string[]): boolean {
  const end = argv.indexOf('--')
  return (end === -1 ? argv : argv.slice(0, end)).includes('--json')
}
