/**
 * Colours (raw ANSI codes, only when allowed) and symbols (Unicode, or ASCII when colour is turned
 * off with NO_COLOR / --no-color or the terminal is dumb).
 */
import type { OutStream } from '../io.js'

/** How text is decorated for one output stream. */
export interface Style {
  readonly color: boolean
  readonly unicode: boolean
  red(s: string): string
  green(s: string): string
  yellow(s: string): string
  cyan(s: string): string
  dim(s: string): string
  bold(s: string): string
  readonly sym: Symbols
}

/** Status symbols: `ok` for a materialized asset, `skip`, `fail`, `warn`, `planned`, `spinner` frames. */
export interface Symbols {
  readonly ok: string
  readonly skip: string
  readonly fail: string
  readonly warn: string
  readonly retry: string
  readonly planned: string
  readonly arrow: string
  readonly spinner: readonly string[]
}

const UNICODE: Symbols = {
  ok: '✔',
  skip: '↷',
  fail: '✖',
  warn: '⚠',
  retry: '↻',
  planned: '●',
  arrow: '→',
  spinner: ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'],
}
const ASCII: Symbols = {
  ok: '[ok]',
  skip: '[skip]',
  fail: '[fail]',
  warn: '[warn]',
  retry: '[retry]',
  planned: '*',
  arrow: '->',
  spinner: ['|', '/', '-', '\\'],
}

const sgr = (open: number, close: number) => (s: string) => `\u001b[${open}m${s}\u001b[${close}m`
const plain = (s: string) => s

/**
 * A style from explicit choices (tests use this).
 *
 * @example
 * const s = makeStyle({ color: false, unicode: false }); s.sym.ok // '[ok]'
 */
export function makeStyle(options: { color: boolean; unicode: boolean }): Style {
  const c = options.color
  return {
    color: c,
    unicode: options.unicode,
    red: c ? sgr(31, 39) : plain,
    green: c ? sgr(32, 39) : plain,
    yellow: c ? sgr(33, 39) : plain,
    cyan: c ? sgr(36, 39) : plain,
    dim: c ? sgr(2, 22) : plain,
    bold: c ? sgr(1, 22) : plain,
    sym: options.unicode ? UNICODE : ASCII,
  }
}

/**
 * The style of a stream: colour only on a TTY and when neither `--no-color` nor `NO_COLOR` (any
 * non-empty value) nor `TERM=dumb` turns it off; ASCII symbols when colour is turned off that way.
 *
 * @example
 * const out = styleFor(process.stdout, process.env, opts.color !== false)
 */
export function styleFor(
  stream: OutStream,
  env: Readonly<Record<string, string | undefined>>,
  colorFlag: boolean,
): Style {
  const turnedOff = !colorFlag || (env.NO_COLOR !== undefined && env.NO_COLOR !== '') || env.TERM === 'dumb'
  return makeStyle({ color: !turnedOff && stream.isTTY === true, unicode: !turnedOff })
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: the pattern matches ANSI escape sequences
const ANSI = /\u001b\[[0-9;]*m/g

/** Text without ANSI colour codes. */
export function stripAnsi(s: string): string {
  return s.replace(ANSI, '')
}

/** Width of text on screen (ANSI codes take none). */
export function visibleWidth(s: string): number {
  return [...stripAnsi(s)].length
}
