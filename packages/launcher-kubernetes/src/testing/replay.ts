/**
 * For this package's tests: a replay server on 127.0.0.1 (node:http) standing in for a Kubernetes
 * API server. It answers each request with the next response recorded for its method and path
 * (fixtures under `test/fixtures/`, shaped as the API reference of batch/v1 and core/v1 writes Job,
 * Pod, PodList, NodeList and Status objects; a log is plain text), and keeps every request the
 * launcher made, so tests assert the Job it created and the order of its calls. No real API server
 * runs here or in CI.
 */
import { readFileSync, writeFileSync } from 'node:fs'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

import { KubeConfig } from '@kubernetes/client-node'

const FIXTURES = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'test', 'fixtures')

/** One request the launcher made. */
export interface RecordedRequest {
  method: string
  /** The path without the query. */
  path: string
  query: Record<string, string>
  /** The JSON body, parsed (undefined without one). */
  body: unknown
}

/** One response: a JSON object (served as `application/json`) or text (a log). */
export interface Reply {
  status?: number
  body: unknown
}

/** What answers a request: replies served in turn (the last one repeats), or a function of the request. */
export type Route = Reply[] | ((req: RecordedRequest) => Reply)

/**
 * A fixture file with `__JOB__`, `__NAMESPACE__` and other `__KEY__` tokens replaced.
 *
 * @example
 * const job = fixture('job-complete.json', { JOB: name, NAMESPACE: 'ml' })
 */
export function fixture(file: string, vars: Record<string, string> = {}): unknown {
  let text = readFileSync(path.join(FIXTURES, file), 'utf8')
  for (const [k, v] of Object.entries(vars)) text = text.replaceAll(`__${k}__`, v)
  return file.endsWith('.json') ? (JSON.parse(text) as unknown) : text
}

/**
 * A replay API server.
 *
 * @example
 * const api = await ReplayServer.start()
 * api.on('GET', `/apis/batch/v1/namespaces/ml/jobs/${name}`, { body: fixture('job-active.json', { JOB: name, NAMESPACE: 'ml' }) })
 * const kc = api.kubeConfig('ml') // for new KubernetesLauncher({ namespace: 'ml', image: 'busybox' }, kc)
 */
export class ReplayServer {
  readonly requests: RecordedRequest[] = []
  readonly routes = new Map<string, Route>()
  readonly #server: Server
  #served = new Map<string, number>()

  private constructor(server: Server) {
    this.#server = server
  }

  /**
   * Starts a server on a free port of 127.0.0.1.
   *
   * @example
   * const api = await ReplayServer.start()
   */
  static async start(): Promise<ReplayServer> {
    let self: ReplayServer | undefined
    const server = createServer((req, res) => self!.handle(req, res))
    self = new ReplayServer(server)
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    return self
  }

  /** The server's URL. */
  get url(): string {
    const a = this.#server.address()
    if (a === null || typeof a === 'string') throw new Error('the replay server is not listening')
    return `http://127.0.0.1:${a.port}`
  }

  /**
   * Records the answers to `method path` (replacing earlier ones).
   *
   * @example
   * api.on('DELETE', `/apis/batch/v1/namespaces/ml/jobs/${name}`, { body: fixture('status-success.json') })
   */
  on(method: string, route: string, ...replies: Reply[] | [(req: RecordedRequest) => Reply]): this {
    const key = `${method} ${route}`
    this.routes.set(key, typeof replies[0] === 'function' ? replies[0] : (replies as Reply[]))
    this.#served.delete(key)
    return this
  }

  /**
   * The calls made, as `METHOD path` (consecutive repeats folded), e.g. to assert create → poll → logs → delete.
   *
   * @example
   * console.log(api.sequence()) // ['POST /apis/batch/v1/namespaces/ml/jobs', 'GET /apis/batch/v1/namespaces/ml/jobs/x', …]
   */
  sequence(filter: (r: RecordedRequest) => boolean = () => true): string[] {
    const out: string[] = []
    for (const r of this.requests.filter(filter)) {
      const s = `${r.method} ${r.path}`
      if (out[out.length - 1] !== s) out.push(s)
    }
    return out
  }

  /**
   * A kubeconfig whose cluster is this server (context `replay`, namespace `namespace`).
   *
   * @example
   * const kc = api.kubeConfig('ml')
   */
  kubeConfig(namespace = 'rivers-test'): KubeConfig {
    const kc = new KubeConfig()
    kc.loadFromString(this.kubeConfigText(namespace))
    return kc
  }

  /**
   * The same kubeconfig written to a file (for settings that name `kubeconfig`).
   *
   * @example
   * const file = api.kubeConfigFile(dir, 'ml')
   */
  kubeConfigFile(dir: string, namespace = 'rivers-test'): string {
    const file = path.join(dir, 'kubeconfig.json')
    writeFileSync(file, this.kubeConfigText(namespace))
    return file
  }

  /**
   * Stops the server.
   *
   * @example
   * await api.close()
   */
  close(): Promise<void> {
    this.#server.closeAllConnections()
    return new Promise((resolve) => this.#server.close(() => resolve()))
  }

  private kubeConfigText(namespace: string): string {
    return JSON.stringify({
      apiVersion: 'v1',
      kind: 'Config',
      // plain http on 127.0.0.1: the client allows it only with TLS verification off
      clusters: [{ name: 'replay', cluster: { server: this.url, 'insecure-skip-tls-verify': true } }],
      users: [{ name: 'replay', user: { token: 'replay-token' } }],
      contexts: [{ name: 'replay', context: { cluster: 'replay', user: 'replay', namespace } }],
      'current-context': 'replay',
    })
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    let raw = ''
    req.on('data', (b: Buffer) => (raw += b.toString()))
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://replay')
      const recorded: RecordedRequest = {
        method: req.method ?? 'GET',
        path: url.pathname,
        query: Object.fromEntries(url.searchParams),
        body: raw === '' ? undefined : (JSON.parse(raw) as unknown),
      }
      this.requests.push(recorded)
      const key = `${recorded.method} ${recorded.path}`
      const route = this.routes.get(key)
      let reply: Reply
      if (route === undefined) reply = notFound(`no recorded response for ${key}`)
      else if (typeof route === 'function') reply = route(recorded)
      else {
        const n = this.#served.get(key) ?? 0
        this.#served.set(key, n + 1)
        reply = route[Math.min(n, route.length - 1)]!
      }
      const text = typeof reply.body === 'string'
      res.writeHead(reply.status ?? 200, { 'content-type': text ? 'text/plain' : 'application/json' })
      res.end(text ? reply.body : JSON.stringify(reply.body))
    })
  }
}

/**
 * A 404 `Status` as the API server writes it.
 *
 * @example
 * api.on('GET', path, notFound('jobs.batch "x" not found'))
 */
export function notFound(message: string): Reply {
  return {
    status: 404,
    body: { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason: 'NotFound', code: 404 },
  }
}
