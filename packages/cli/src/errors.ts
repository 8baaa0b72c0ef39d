/**
 * Errors the command itself raises (project file, --config, confirmation), one constructor per kind.
 * They carry a stable `code` and an `exitCode` like the library's `RiversError` (this module does not
 * import `rivers`, so that `--help` starts fast), and `isRiversError` recognises them.
 */
import path from 'node:path'

/** An error of the `assets` command: usage, project file or config problems (exit 2 unless said). */
export class CliError extends Error {
  readonly code: string
  readonly exitCode: number

  constructor(code: string, message: string, options: { cause?: unknown; exitCode?: number } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause })
    this.name = 'CliError'
    this.code = code
    this.exitCode = options.exitCode ?? 2
  }
}

/** The project file names looked for, in order of preference. */
export const PROJECT_FILE_NAMES = [
  'rivers.config.ts',
  'rivers.config.mts',
  'rivers.config.js',
  'rivers.config.mjs',
] as const

const CREATE_HINT =
  'Fix: create rivers.config.ts in the project folder:\n' +
  "       import { asset, defineProject } from '@rivers-orchestrator/rivers'\n" +
  '       export default defineProject({ assets: [/* your assets */] })\n' +
  '     or pass --project <file>.'

/** No project file in the folder or any parent. */
export function noProjectFile(cwd: string, searched: readonly string[]): CliError {
  const above = searched.slice(1)
  const shown = above.length <= 4 ? above.join(', ') : `${above.slice(0, 3).join(', ')}, …, ${above.at(-1)}`
  return new CliError(
    'RIVERS_NO_PROJECT',
    `No project file found: looked for ${PROJECT_FILE_NAMES.join(', ')} in ${cwd}${above.length === 0 ? '' : ` and the folders above it (${shown})`}.\n${CREATE_HINT}`,
  )
}

/** `--project` names a file that does not exist. */
export function projectFileMissing(given: string, resolved: string): CliError {
  return new CliError(
    'RIVERS_NO_PROJECT',
    `Project file not found: ${given} (--project, resolved to ${resolved}).\nFix: check the path, or leave --project out to look for rivers.config.ts in this folder and its parents.`,
  )
}

/** Importing the project file threw (syntax error, missing module, an exception at top level). */
export function projectLoadFailed(shownFile: string, cause: unknown, where: string | undefined, cwd: string): CliError {
  const detail = tidyLoadError(cause instanceof Error ? cause.message : String(cause), cwd)
  const code = (cause as { code?: unknown } | null)?.code
  const hint =
    code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND'
      ? missingModuleHint(detail, cwd)
      : cause instanceof SyntaxError || /Transform failed|Expected|Unexpected/.test(detail)
        ? 'Fix: correct the syntax error above.'
        : (cause instanceof TypeError || cause instanceof ReferenceError) && /\.[cm]?tsx?$/.test(shownFile)
          ? 'Fix: correct the error above. TypeScript project files load without type checking (types are stripped), so a type error shows up only when it breaks at run time: run `npx tsc --noEmit` to list type errors.'
          : 'Fix: correct the error above; the project file and the modules it imports run when it loads.'
  return new CliError(
    'RIVERS_PROJECT_LOAD',
    `Could not load the project file ${shownFile}${where === undefined ? '' : ` (at ${where})`}:\n  ${indent(detail)}\n${hint}`,
    { cause },
  )
}

/** The project file has no default export. */
export function noDefaultExport(shownFile: string, names: readonly string[]): CliError {
  const has = names.length === 0 ? 'it exports nothing' : `it exports only ${names.map((n) => `'${n}'`).join(', ')}`
  return new CliError(
    'RIVERS_NOT_A_PROJECT',
    `The project file ${shownFile} has no default export (${has}).\nFix: end it with export default defineProject({ assets: [...] }).`,
  )
}

/** The default export is something else than `defineProject(...)`. */
export function notAProject(shownFile: string, value: unknown): CliError {
  const fix =
    typeof value === 'function'
      ? `Fix: export the project, not a function that makes it: export default defineProject({ assets: [...] })${value.name ? `, or export default ${value.name}()` : ''}.`
      : Array.isArray(value)
        ? 'Fix: wrap the assets in a project: export default defineProject({ assets: [...] }) (defineProject comes from "@rivers-orchestrator/rivers").'
        : 'Fix: export default defineProject({ assets: [...] }) (defineProject comes from "@rivers-orchestrator/rivers").'
  return new CliError(
    'RIVERS_NOT_A_PROJECT',
    `The default export of ${shownFile} is ${describe(value)}, not a project.\n${fix}`,
  )
}

/** The fix of a failed import: a missing file (relative import) or a missing package. */
function missingModuleHint(detail: string, cwd: string): string {
  const m = /Cannot find (module|package) '([^']+)' imported from (\S+)/.exec(detail)
  if (m === null) return 'Fix: install the missing package in the project (npm install …) or correct the import path.'
  const [, kind, what, from] = m
  const importer = shownPath(from!.startsWith('file://') ? new URL(from!).pathname : from!, cwd)
  if (kind === 'module' && path.isAbsolute(what!))
    return `Fix: ${shownPath(what!, cwd)} does not exist: correct the import in ${importer}, or create the file.`
  return `Fix: install ${what} in the project (npm install ${what}), or correct the import in ${importer}.`
}

/** esbuild's `Transform failed with 1 error:\n/abs/file.ts:3:0: ERROR: msg` as `file.ts:3:0: msg`. */
function tidyLoadError(message: string, cwd: string): string {
  if (!/^Transform failed with \d+ errors?:\n/.test(message)) return message
  return message
    .replace(/^Transform failed with \d+ errors?:\n/, '')
    .split('\n')
    .map((line) =>
      line.replace(/^(\/[^:]+)(:\d+:\d+: )ERROR: /, (_, file: string, at: string) => `${shownPath(file, cwd)}${at}`),
    )
    .join('\n')
}

/**
 * `--config` is not valid JSON. The config may hold secrets, and which of its fields are secret is
 * unknown until it parses: the excerpt shows keys and structure but masks every string value (with
 * as many `*`, so the caret still points at the right column), and the parser's own message never
 * quotes the text.
 */
export function badConfigJson(origin: string, text: string, cause: Error): CliError {
  const pos = jsonErrorPosition(cause.message, text)
  let pointer = ''
  if (pos !== undefined) {
    const { line, column } = pos
    const lineText = maskJsonStrings(pos.lineText)
    const shown = lineText.length > 100 ? lineText.slice(Math.max(0, column - 60), column + 40) : lineText
    const caretAt = lineText.length > 100 ? Math.min(column - 1, 60) : column - 1
    pointer = `\n  ${shown}\n  ${' '.repeat(caretAt)}^ line ${line}, column ${column}`
  }
  const reason = cause.message
    .replace(/\s*\(line \d+ column \d+\)$/, '')
    .replace(/, (".*"|'.*') is not valid JSON$/s, ' (not valid JSON)')
  const masked =
    pos !== undefined && maskJsonStrings(pos.lineText) !== pos.lineText
      ? '\n  (string values are shown as *** because config may hold secrets)'
      : ''
  return new CliError(
    'RIVERS_BAD_CONFIG',
    `--config ${origin} is not valid JSON: ${reason}${pointer}${masked}\n` +
      `Fix: pass a JSON object mapping asset keys to their config, e.g. --config '{"model":{"epochs":3}}' (single quotes keep the shell away from the double quotes), or the path to a .json file.`,
    { cause },
  )
}

/** `--config` names neither JSON nor a readable file. */
export function configUnreadable(value: string, resolved: string, cause: unknown): CliError {
  const why =
    (cause as { code?: unknown } | null)?.code === 'ENOENT'
      ? 'there is no such file'
      : cause instanceof Error
        ? cause.message
        : String(cause)
  return new CliError(
    'RIVERS_BAD_CONFIG',
    `--config ${JSON.stringify(value)} is neither a JSON object nor a readable file (${resolved}: ${why}).\nFix: pass a JSON object such as --config '{"model":{"epochs":3}}', or the path to a .json file.`,
    { cause },
  )
}

/**
 * JSON text with the contents of every string value (not of keys) replaced by as many `*`. Works on
 * broken JSON too (an unterminated string is masked to the end of the text).
 *
 * @example
 * maskJsonStrings('{"token":"hunter2"') // '{"token":"*******"'
 */
export function maskJsonStrings(text: string): string {
  let out = ''
  let i = 0
  while (i < text.length) {
    const c = text[i]!
    if (c !== '"') {
      out += c
      i++
      continue
    }
    let j = i + 1
    while (j < text.length && text[j] !== '"' && text[j] !== '\n') j += text[j] === '\\' ? 2 : 1
    j = Math.min(j, text.length)
    const body = text.slice(i + 1, j)
    const closed = text[j] === '"'
    const isKey = closed && /^\s*:/.test(text.slice(j + 1))
    out += `"${isKey ? body : '*'.repeat(body.length)}${closed ? '"' : ''}`
    i = closed ? j + 1 : j
  }
  return out
}

/** `--config` parsed, but is not an object. */
export function configNotObject(origin: string, value: unknown): CliError {
  return new CliError(
    'RIVERS_BAD_CONFIG',
    `--config ${origin} is ${typeof value === 'string' ? 'a string' : describe(value)}, not an object.\nFix: pass an object mapping asset keys to their config, e.g. {"model":{"epochs":3}}.`,
  )
}

/** `wipe` without a terminal to confirm on and without `--yes`. */
export function confirmationRequired(count: number): CliError {
  return new CliError(
    'RIVERS_CONFIRM',
    `Refusing to wipe the records of ${count} asset${count === 1 ? '' : 's'} without confirmation: stdin is not a terminal.\nFix: pass --yes to wipe without asking.`,
  )
}

/** `runs --metric` without `--asset`, or the other way round. */
export function metricNeedsAsset(given: { metric?: string }): CliError {
  return new CliError(
    'RIVERS_USAGE',
    `--metric ${given.metric} needs --asset KEY: a metric belongs to an asset.\nFix: assets runs --asset <key> --metric ${given.metric}`,
  )
}

/** `assets init DIR`: DIR holds files already (and no `--force`). */
export function initDirNotEmpty(shownDir: string, entries: readonly string[]): CliError {
  const listed =
    entries.length <= 6 ? entries.join(', ') : `${entries.slice(0, 6).join(', ')} and ${entries.length - 6} more`
  const other = shownDir === '.' ? 'my-pipeline' : `${shownDir.replace(/[\\/]+$/, '')}-2`
  return new CliError(
    'RIVERS_INIT_NOT_EMPTY',
    `${shownDir} is not empty (it holds ${listed}): assets init writes a new project into an empty or new folder.\n` +
      `Fix: choose another folder (assets init ${other}), or pass --force to write the starter files into ${shownDir} (files of the same name are replaced, others are kept).`,
  )
}

/** `assets init DIR`: DIR exists and is not a folder. */
export function initTargetNotDir(shownDir: string): CliError {
  return new CliError(
    'RIVERS_INIT_NOT_DIR',
    `${shownDir} exists and is not a folder: assets init writes a project into a folder.\nFix: choose a folder name that is not taken, e.g. assets init ${shownDir}-project.`,
  )
}

/**
 * The store folder cannot be created because a folder above it exists but refuses new folders
 * (mkdir answers ENOENT there: /proc, some FUSE file systems); Node's recursive mkdir would retry
 * forever.
 *
 * @example
 * throw storeDirRefused('/proc/1/store', '/proc/1')
 */
export function storeDirRefused(dir: string, parent: string): CliError {
  return new CliError(
    'RIVERS_STORE_DIR',
    `Cannot create the store folder ${dir}: ${parent} exists but does not accept new folders (creating one there fails with ENOENT, as on /proc).\n` +
      `Fix: point --store (or RIVERS_HOME) at a folder on a regular file system, e.g. --store .rivers.`,
  )
}

/** The user declined a confirmation or pressed Ctrl-C. */
export function cancelled(what: string, cause?: unknown): CliError {
  return new CliError('RIVERS_CANCELLED', `Cancelled: ${what}.`, {
    exitCode: 130,
    ...(cause === undefined ? {} : { cause }),
  })
}

/** Where in `text` a `JSON.parse` error points, from its message (`position N`, `line L column C`). */
export function jsonErrorPosition(
  message: string,
  text: string,
): { line: number; column: number; lineText: string } | undefined {
  let offset: number | undefined
  const atPos = /at position (\d+)/.exec(message)
  const lineCol = /line (\d+) column (\d+)/.exec(message)
  if (atPos) offset = Number(atPos[1])
  else if (lineCol) {
    const lines = text.split('\n')
    offset = lines.slice(0, Number(lineCol[1]) - 1).reduce((n, l) => n + l.length + 1, 0) + Number(lineCol[2]) - 1
  } else if (/end of JSON input|Unterminated/.test(message)) offset = text.length
  if (offset === undefined) return undefined
  const before = text.slice(0, offset)
  const line = before.split('\n').length
  const lineStart = before.lastIndexOf('\n') + 1
  const lineEnd = text.indexOf('\n', lineStart)
  return { line, column: offset - lineStart + 1, lineText: text.slice(lineStart, lineEnd === -1 ? undefined : lineEnd) }
}

/** A short description of a value for messages. */
export function describe(value: unknown): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'an array'
  if (typeof value === 'function') return `a function${value.name ? ` (${value.name})` : ''}`
  if (typeof value === 'object')
    return `an object with keys ${
      Object.keys(value)
        .slice(0, 5)
        .map((k) => `'${k}'`)
        .join(', ') || '(none)'
    }`
  if (typeof value === 'string')
    return `a string (${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)})`
  if (value === undefined) return 'undefined'
  return `a ${typeof value} (${String(value)})`
}

/** A path as shown in messages: relative to `cwd` when inside it. */
export function shownPath(file: string, cwd: string): string {
  const rel = path.relative(cwd, file)
  return rel === '' || rel.startsWith('..') || path.isAbsolute(rel) ? file : rel
}

function indent(text: string): string {
  return text.replace(/\n/g, '\n  ')
}

/** `assets partitions` with the wrong arguments. */
export function partitionsUsage(problem: string, fix: string): CliError {
  return new CliError('RIVERS_USAGE', `${problem}.\nFix: ${fix}`)
}

/**
 * The VERSION of `assets promote` is not a version number.
 *
 * @example
 * throw badModelVersion('model/churn', 'latest')
 */
export function badModelVersion(key: string, raw: string): CliError {
  return new CliError(
    'RIVERS_BAD_MODEL_VERSION',
    `assets promote ${key} VERSION expects a version number such as 3 or v3, got '${raw}'. See \`assets models ${key}\` for its versions.`,
  )
}
