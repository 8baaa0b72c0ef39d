/**
 * `assets ui [--port N] [--host H] [--token T] [--open]`: the web UI over the project's store (the
 * same workspace the other commands open), until Ctrl-C. The UI is a package of its own,
 * `@rivers-orchestrator/ui`, loaded by dynamic import (beside the project, else beside the CLI) like
 * the PostgreSQL store: a user who never opens it installs nothing more.
 */
import { spawn } from 'node:child_process'
import path from 'node:path'

import type { Workspace } from '@rivers-orchestrator/rivers'

import { type Ctx, printJson, withWorkspace } from '../context.js'
import { CliError } from '../errors.js'
import { EXIT } from '../exit.js'
import { findProjectFile } from '../project-file.js'
import { type Importer, importPlugin } from '../plugin-import.js'

/** The package of the web UI. */
export const UI_PACKAGE = '@rivers-orchestrator/ui'

/** The default port of `assets ui`. */
export const UI_PORT = 3737

/** Options of `ui`. */
export interface UiFlags {
  port: number
  host?: string
  token?: string
  open?: boolean
}

/** What the UI package exports (the part the CLI uses). */
export interface UiModule {
  startUi(options: { workspace: Workspace; host?: string; port?: number; token?: string }): Promise<{
    url: string
    origin: string
    token: string
    port: number
    close(): Promise<void>
  }>
}

/**
 * Serves the UI until SIGINT/SIGTERM; exits 130 then, like `watch`.
 *
 * @example
 * await ui(ctx, { port: 3737, open: true })
 */
export async function ui(ctx: Ctx, flags: UiFlags, importer: Importer = (s) => import(s)): Promise<number> {
  const file = findProjectFile(ctx.io.cwd, ctx.globals.project)
  const mod = await loadUi(file, importer)
  const token = flags.token ?? (ctx.io.env.RIVERS_UI_TOKEN || undefined)
  return withWorkspace(ctx, async (ws) => {
    let server: Awaited<ReturnType<UiModule['startUi']>>
    try {
      server = await mod.startUi({
        workspace: ws,
        port: flags.port,
        ...(flags.host === undefined ? {} : { host: flags.host }),
        ...(token === undefined ? {} : { token }),
      })
    } catch (e) {
      if ((e as { code?: unknown }).code === 'EADDRINUSE') throw portInUse(flags.port, e)
      throw e
    }
    if (ctx.json) printJson(ctx, { url: server.url, origin: server.origin, port: server.port, token: server.token })
    else
      ctx.io.stderr.write(
        `${ctx.err.cyan('[ui]')} Rivers UI at ${ctx.err.bold(server.url)}\n` +
          `${ctx.err.cyan('[ui]')} the token in the URL guards materialize and cancel; Ctrl-C stops the server\n`,
      )
    if (flags.open === true) openBrowser(server.url)
    await new Promise<void>((resolve) => {
      const stop = () => {
        ctx.io.signals.off('SIGINT', stop)
        ctx.io.signals.off('SIGTERM', stop)
        resolve()
      }
      ctx.io.signals.on('SIGINT', stop)
      ctx.io.signals.on('SIGTERM', stop)
    })
    await server.close()
    return EXIT.cancelled
  })
}

/**
 * Imports the UI package (beside the project file, else beside the CLI), or throws `uiMissing`.
 *
 * @example
 * const mod = await loadUi('/home/me/shop/rivers.config.ts', (s) => import(s))
 */
export async function loadUi(projectFile: string, importer: Importer): Promise<UiModule> {
  return importPlugin(
    projectFile,
    UI_PACKAGE,
    importer,
    (mod): mod is UiModule => typeof (mod as Partial<UiModule>).startUi === 'function',
    (cause) => uiMissing(projectFile, cause),
  )
}

/**
 * The UI package is not installed.
 *
 * @example
 * throw uiMissing('/home/me/shop/rivers.config.ts', undefined)
 */
export function uiMissing(projectFile: string, cause: unknown): CliError {
  return new CliError(
    'RIVERS_UI_MISSING',
    `assets ui needs the package ${UI_PACKAGE}, which is not installed.\n` +
      `Fix: install it beside the project: (cd ${path.dirname(projectFile)} && npm install --save-dev ${UI_PACKAGE})`,
    cause === undefined ? {} : { cause },
  )
}

/**
 * The port is taken.
 *
 * @example
 * throw portInUse(3737, new Error('EADDRINUSE'))
 */
export function portInUse(port: number, cause: unknown): CliError {
  return new CliError(
    'RIVERS_UI_PORT_IN_USE',
    `Port ${port} is in use (another assets ui, or another server).\nFix: pick another with --port N, or --port 0 for any free port.`,
    { cause },
  )
}

/** Opens `url` in the desktop's browser; a failure only costs the convenience. */
function openBrowser(url: string): void {
  const [cmd, args] =
    process.platform === 'darwin'
      ? ['open', [url]]
      : process.platform === 'win32'
        ? ['cmd', ['/c', 'start', '', url]]
        : ['xdg-open', [url]]
  try {
    spawn(cmd, args as string[], { stdio: 'ignore', detached: true })
      .on('error', () => {})
      .unref()
  } catch {
    // no browser opener on this machine: the URL is printed above
  }
}
