/**
 * What every command gets: the streams, the global options, the styles of stdout and stderr, and a
 * way to open the workspace of the project (found, loaded, its store opened) for the command's span.
 */
import path from 'node:path'
import type { Workspace } from '@rivers-orchestrator/rivers'
import { styleFor, type Style } from './format/style.js'
import type { Io, OutStream } from './io.js'
import { LogSink } from './log-sink.js'
import { findProjectFile, loadProject } from './project-file.js'
import { riversFor } from './rivers-module.js'
import { checkStoreDir } from './store-dir.js'
import { openStoreUrl, storeTargetOf } from './store-select.js'
import { trackersFor, warnOn } from './tracker-select.js'

export type { Workspace }

/** Global options (`assets --help`). */
export interface GlobalOptions {
  project?: string
  store?: string
  json?: boolean
  logLevel?: string
  /** `false` with `--no-color`. */
  color?: boolean
}

/** The context of one command invocation. */
export interface Ctx {
  readonly io: Io
  readonly globals: GlobalOptions
  readonly json: boolean
  /** Style of stdout. */
  readonly out: Style
  /** Style of stderr. */
  readonly err: Style
  /** Where the engine's log lines go (stderr, kept apart from a live progress line). */
  readonly logSink: LogSink
}

/**
 * @example
 * const ctx = makeCtx(io, cmd.optsWithGlobals())
 */
export function makeCtx(io: Io, globals: GlobalOptions): Ctx {
  const color = globals.color !== false
  const err = styleFor(io.stderr, io.env, color)
  return {
    io,
    globals,
    json: globals.json === true,
    out: styleFor(io.stdout, io.env, color),
    err,
    logSink: new LogSink(io.stderr, err.color),
  }
}

/**
 * Find and load the project, open its workspace, run `fn`, and close the workspace.
 *
 * @example
 * const code = await withWorkspace(ctx, async (ws) => (printJson(ctx, await ws.status(['*'])), EXIT.ok))
 */
export async function withWorkspace<T>(ctx: Ctx, fn: (ws: Workspace) => Promise<T>): Promise<T> {
  const file = findProjectFile(ctx.io.cwd, ctx.globals.project)
  const project = await loadProject(file, ctx.io.cwd)
  const { openWorkspace } = await riversFor(file)
  const target = storeTargetOf(ctx.globals, ctx.io.env, ctx.io.cwd, file, project.store)
  const storeDir = target.dir
  checkStoreDir(storeDir)
  // A team store (postgres://…): the workspace closes it; outputs and logs stay in the local folder.
  // MLflow when MLFLOW_TRACKING_URI is set (a missing package or a bad URI is a warning).
  const trackers = await trackersFor(ctx.io.env, file, project, storeDir, warnOn(ctx.io.stderr))
  const store = target.url === undefined ? undefined : await openStoreUrl(target.url, file)
  const ws = await openWorkspace(project, {
    storeDir,
    ...(store === undefined ? {} : { store }),
    trackers,
    projectDir: path.dirname(file),
    ...(ctx.globals.logLevel === undefined ? {} : { logLevel: ctx.globals.logLevel }),
    pretty: !ctx.json,
    logDestination: ctx.logSink,
  })
  try {
    return await fn(ws)
  } finally {
    await ws.close()
  }
}

/**
 * The local store folder: `--store` when it is a folder, else `RIVERS_HOME`, else `.rivers/` beside
 * the project file (with a PostgreSQL store, the folder of outputs and logs; see store-select.ts).
 */
export function storeDirOf(ctx: Pick<Ctx, 'io' | 'globals'>, projectFile: string): string {
  return storeTargetOf(ctx.globals, ctx.io.env, ctx.io.cwd, projectFile).dir
}

/** The selection of a command: its arguments, or `*`. */
export function selectionOf(args: readonly string[]): string[] {
  return args.length === 0 ? ['*'] : [...args]
}

/** Writes the one JSON document of `--json` to stdout. */
export function printJson(ctx: Ctx, value: unknown): void {
  writePieces(ctx.io.stdout, `${JSON.stringify(value, null, 2)}\n`)
}

/**
 * Writes `text` in pieces of at most 1 Mi characters: `status --json` of 100k assets is 30 MB, and
 * one write(2) of it to a file took 80–360 ms on Linux where pieces take 10–20 ms. A piece never ends
 * between the two halves of a surrogate pair (each is encoded to UTF-8 on its own).
 */
function writePieces(out: OutStream, text: string): void {
  for (let at = 0; at < text.length; ) {
    let end = Math.min(at + PIECE, text.length)
    const last = text.charCodeAt(end - 1)
    if (end < text.length && last >= 0xd800 && last <= 0xdbff) end--
    out.write(text.slice(at, end))
    at = end
  }
}
const PIECE = 1 << 20

/** Writes human text to stdout with a final newline. */
export function print(ctx: Ctx, text: string): void {
  writePieces(ctx.io.stdout, text.endsWith('\n') ? text : `${text}\n`)
}
