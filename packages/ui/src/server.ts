/**
 * `startUi`: the HTTP server of `assets ui` (node:http, no framework). It serves the single-page
 * app in app/ and a JSON + Server-Sent-Events API over an open workspace, the same one the CLI's
 * commands open. See docs/ui.md for the endpoints and the token rules.
 */
import { readFile } from 'node:fs/promises'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

import { isRiversError, type Workspace } from '@rivers-orchestrator/rivers'

import { assetDoc, type DecisionDoc, decisionDocs, graphDoc, runDoc, runsDoc } from './api.js'
import { badBody, notFound, UiError } from './errors.js'
import type { Layout } from './layout.js'
import { RunTracker } from './runs.js'
import { EventHub, openStream, sendEvent } from './sse.js'
import { checkRequest, isLoopback, resolveToken } from './token.js'

/** Options of `startUi`. */
export interface UiOptions {
  /** The open workspace the API reads and runs (the caller closes it after `close()`). */
  workspace: Workspace
  /** Address to listen on (default 127.0.0.1); anything but loopback needs `token`. */
  host?: string
  /** Port (default 0: any free port). */
  port?: number
  /** The token of actions (default: a random one, printed in `url`); at least 16 characters. */
  token?: string
  /** Folder of the single-page app (default: the package's app/). */
  appDir?: string
}

/** A running UI server. */
export interface UiServer {
  /** The URL to open, with the token (`http://127.0.0.1:PORT/?token=…`). */
  url: string
  /** The URL without the token. */
  origin: string
  host: string
  port: number
  token: string
  /** Stops runs of this server, ends event streams and closes the listener (not the workspace). */
  close(): Promise<void>
}

/** The package's app/ folder (beside src/ and dist/ alike). */
export const APP_DIR = fileURLToPath(new URL('../app/', import.meta.url))

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.json': 'application/json',
}

const MATERIALIZE_EXAMPLE = '{"select":["+model"],"force":false}'

/**
 * Starts the UI server over an open workspace.
 *
 * @example
 * const ui = await startUi({ workspace: ws, port: 3300 })
 * console.log(`open ${ui.url}`)
 * await ui.close()
 */
export async function startUi(options: UiOptions): Promise<UiServer> {
  const host = options.host ?? '127.0.0.1'
  const { token } = resolveToken(host, options.token)
  const guard = { token, loopback: isLoopback(host) }
  const ws = options.workspace
  const appDir = options.appDir ?? APP_DIR
  const hub = new EventHub()
  const tracker = new RunTracker(ws, hub)
  const layouts = new Map<string, Layout>()
  tracker.watchStore()

  const routes: [
    string,
    RegExp,
    (m: RegExpExecArray, url: URL, req: IncomingMessage, res: ServerResponse) => unknown,
  ][] = [
    [
      'GET',
      /^\/api\/graph$/,
      (_, url) =>
        graphDoc(ws, tracker, layouts, url.searchParams.getAll('select'), url.searchParams.getAll('collapse')),
    ],
    ['GET', /^\/api\/assets\/(.+)$/, (m, url) => assetDoc(ws, tracker, decodeURIComponent(m[1]!), limitOf(url, 1000))],
    ['GET', /^\/api\/runs$/, (_, url) => runsDoc(ws, limitOf(url, 50))],
    ['GET', /^\/api\/runs\/([^/]+)$/, (m) => runDoc(ws, tracker, decodeURIComponent(m[1]!))],
    ['GET', /^\/api\/runs\/([^/]+)\/logs$/, (m, url, req, res) => logs(ws, decodeURIComponent(m[1]!), url, req, res)],
    ['GET', /^\/api\/automation$/, async (_, url) => ({ decisions: await automation(ws, limitOf(url, 50)) })],
    ['GET', /^\/api\/events$/, (_, __, ___, res) => (openStream(res), hub.add(res), STREAMING)],
    ['POST', /^\/api\/materialize$/, async (_, __, req) => tracker.start(materializeBody(await readJson(req)))],
    ['POST', /^\/api\/backfill$/, async (_, __, req) => tracker.backfill(backfillBody(await readJson(req)))],
    [
      'POST',
      /^\/api\/runs\/([^/]+)\/cancel$/,
      (m) => (tracker.cancel(decodeURIComponent(m[1]!)), { cancelling: true }),
    ],
  ]

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost')
    void handle(req, res, url).catch((e: unknown) => fail(res, e))
  })
  const handle = async (req: IncomingMessage, res: ServerResponse, url: URL) => {
    checkRequest(guard, req.method ?? 'GET', url, req.headers)
    if (!url.pathname.startsWith('/api/')) return serveApp(appDir, url.pathname, res)
    for (const [method, pattern, fn] of routes) {
      const m = pattern.exec(url.pathname)
      if (m === null || method !== req.method) continue
      const body = await fn(m, url, req, res)
      if (body !== STREAMING) send(res, req.method === 'POST' ? 202 : 200, body)
      return
    }
    throw notFound(`${req.method} ${url.pathname}`)
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port ?? 0, host, () => resolve())
  })
  const port = (server.address() as AddressInfo).port
  const origin = `http://${host.includes(':') ? `[${host}]` : host}:${port}`
  return {
    url: `${origin}/?token=${token}`,
    origin,
    host,
    port,
    token,
    async close() {
      await tracker.close()
      hub.close()
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}

/** A route's answer that streamed its own response. */
const STREAMING = Symbol('streaming')

/** `?limit=N`, else `fallback`. */
function limitOf(url: URL, fallback: number): number {
  const n = Number(url.searchParams.get('limit'))
  return Number.isInteger(n) && n > 0 ? Math.min(n, 100_000) : fallback
}

/** The stored automation decisions (none when the store keeps none). */
async function automation(ws: Workspace, limit: number): Promise<DecisionDoc[]> {
  try {
    return decisionDocs(await ws.automationLog({ limit }))
  } catch {
    return []
  }
}

/** A run's log: JSON, or followed as SSE (`log` events, then `end`) when the client asks for a stream. */
async function logs(ws: Workspace, runId: string, url: URL, req: IncomingMessage, res: ServerResponse) {
  const asset = url.searchParams.get('asset') ?? undefined
  const filter = asset === undefined ? {} : { asset }
  if (!(req.headers.accept ?? '').includes('text/event-stream')) return ws.logs(runId, filter)
  const controller = new AbortController()
  res.on('close', () => controller.abort())
  const { records } = await ws.followLogs(runId, filter, controller.signal)
  openStream(res)
  try {
    for await (const r of records) sendEvent(res, 'log', r)
    sendEvent(res, 'end', { runId })
  } finally {
    res.end()
  }
  return STREAMING
}

/** The body of `POST /api/materialize`: `select` (default `*`), or `key` with `upstream`; `force`. */
function materializeBody(body: unknown): { select: string[]; force: boolean } {
  const what = 'POST /api/materialize'
  if (typeof body !== 'object' || body === null)
    throw badBody(what, MATERIALIZE_EXAMPLE, 'the body is not a JSON object')
  const b = body as { select?: unknown; key?: unknown; upstream?: unknown; force?: unknown }
  if (b.select !== undefined && !(Array.isArray(b.select) && b.select.every((s) => typeof s === 'string')))
    throw badBody(what, MATERIALIZE_EXAMPLE, 'select must be a list of selection strings')
  if (b.key !== undefined && typeof b.key !== 'string')
    throw badBody(what, '{"key":"model","upstream":true}', 'key must be a string')
  const select =
    typeof b.key === 'string'
      ? [b.upstream === true ? `+${b.key}` : b.key]
      : ((b.select as string[] | undefined) ?? ['*'])
  return { select, force: b.force === true }
}

/** The body of `POST /api/backfill`: `key` (with `upstream`) or `select`, `from`, `to`, `batch`. */
function backfillBody(body: unknown): { select: string[]; from: string; to: string; batch?: number } {
  const what = 'POST /api/backfill'
  const example = '{"key":"events","from":"2024-01-01","to":"2024-01-31","batch":7}'
  const b = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>
  if (typeof b.from !== 'string' || typeof b.to !== 'string')
    throw badBody(what, example, 'from and to must be partition keys (strings)')
  if (b.batch !== undefined && !(Number.isInteger(b.batch) && (b.batch as number) > 0))
    throw badBody(what, example, 'batch must be a positive integer')
  const { select } = materializeBody({ select: b.select, key: b.key, upstream: b.upstream })
  return { select, from: b.from, to: b.to, ...(b.batch === undefined ? {} : { batch: b.batch as number }) }
}

/** Reads a JSON body of at most 64 KiB. */
async function readJson(req: IncomingMessage): Promise<unknown> {
  let text = ''
  for await (const chunk of req) {
    text += chunk
    if (text.length > 65_536) throw badBody(`${req.method} ${req.url}`, MATERIALIZE_EXAMPLE, 'the body is over 64 KiB')
  }
  try {
    return text === '' ? {} : JSON.parse(text)
  } catch {
    throw badBody(`${req.method} ${req.url}`, MATERIALIZE_EXAMPLE, 'the body is not JSON')
  }
}

/** Serves a file of the app (`/` is index.html); nothing outside its folder. */
async function serveApp(appDir: string, pathname: string, res: ServerResponse): Promise<void> {
  const rel = pathname === '/' ? 'index.html' : decodeURIComponent(pathname.slice(1))
  const file = path.resolve(appDir, rel)
  if (!file.startsWith(path.resolve(appDir) + path.sep)) throw notFound(`GET ${pathname}`)
  let data: Buffer
  try {
    data = await readFile(file)
  } catch {
    throw notFound(`GET ${pathname}`)
  }
  res.writeHead(200, {
    'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream',
    'cache-control': 'no-cache',
    'x-content-type-options': 'nosniff',
  })
  res.end(data)
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body)
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' })
  res.end(text)
}

/** The JSON error a failed request gets: a UI error's status, 404 for unknown keys and runs, 400 for bad input. */
function fail(res: ServerResponse, e: unknown): void {
  if (res.headersSent) {
    res.end()
    return
  }
  const code = isRiversError(e) ? e.code : 'RIVERS_UI_INTERNAL'
  const status =
    e instanceof UiError
      ? e.httpStatus
      : isRiversError(e)
        ? /UNKNOWN_(ASSET|RUN)|NO_RUNS/.test(code)
          ? 404
          : 400
        : 500
  send(res, status, { error: { code, message: e instanceof Error ? e.message : String(e) } })
}
