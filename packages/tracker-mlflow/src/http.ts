/**
 * One HTTP call to an MLflow tracking server, over `fetch`: the server's URL and auth (basic or
 * bearer, from settings or MLflow's own MLFLOW_TRACKING_USERNAME / PASSWORD / TOKEN variables),
 * a timeout per attempt, and retries with exponential backoff when the server is unreachable, times
 * out, or answers 5xx / 429. Any other answer that is not 2xx is an `MlflowError` at once, with
 * MLflow's error code and message.
 */
import { MlflowError, mlflowAnswered, mlflowUnreachable } from './errors.js'

/** How to reach and authenticate to a tracking server. */
export interface MlflowConnection {
  /** The server's URL, e.g. `http://127.0.0.1:5000` (user:password in it is taken as basic auth). */
  trackingUri: string
  /** Basic auth user (default MLFLOW_TRACKING_USERNAME). */
  username?: string
  /** Basic auth password (default MLFLOW_TRACKING_PASSWORD). */
  password?: string
  /** Bearer token (default MLFLOW_TRACKING_TOKEN); wins over basic auth. */
  token?: string
  /** Retries after the first attempt on connection errors, timeouts, 5xx and 429 (default 3). */
  retries?: number
  /** The first backoff; it doubles at each retry (default 250 ms). */
  backoffMs?: number
  /** Time limit of one attempt (default 10 s). */
  timeoutMs?: number
  /** The `fetch` to use (default the global one). */
  fetch?: typeof fetch
}

/** What a request sends. */
export interface RequestOptions {
  query?: Readonly<Record<string, string | number | undefined>>
  /** A JSON body. */
  json?: unknown
  /** A raw body (artifact upload), with its content type. */
  body?: Uint8Array
  contentType?: string
}

/**
 * The base URL and auth header of a connection, with the environment's MLflow variables as defaults.
 *
 * @example
 * const { base, authorization } = resolveConnection({ trackingUri: 'http://u:pw@127.0.0.1:5000' }, {})
 * // base: 'http://127.0.0.1:5000', authorization: 'Basic dTpwdw=='
 */
export function resolveConnection(
  c: MlflowConnection,
  env: Readonly<Record<string, string | undefined>> = process.env,
): { base: string; authorization: string | undefined } {
  const url = new URL(c.trackingUri)
  let username = c.username ?? (env.MLFLOW_TRACKING_USERNAME || undefined)
  let password = c.password ?? (env.MLFLOW_TRACKING_PASSWORD || undefined)
  if (url.username !== '') {
    username ??= decodeURIComponent(url.username)
    password ??= decodeURIComponent(url.password)
    url.username = ''
    url.password = ''
  }
  const token = c.token ?? (env.MLFLOW_TRACKING_TOKEN || undefined)
  const base = url.toString().replace(/\/+$/, '')
  if (token !== undefined) return { base, authorization: `Bearer ${token}` }
  if (username !== undefined)
    return { base, authorization: `Basic ${Buffer.from(`${username}:${password ?? ''}`).toString('base64')}` }
  return { base, authorization: undefined }
}

/**
 * Sends requests to one tracking server, retrying what may pass on a second try.
 *
 * @example
 * const http = new MlflowHttp({ trackingUri: 'http://127.0.0.1:5000' })
 * const answer = await http.request<{ experiment: { experiment_id: string } }>('GET',
 *   '/api/2.0/mlflow/experiments/get-by-name', { query: { experiment_name: 'shop' } })
 */
export class MlflowHttp {
  /** The server's URL, without credentials. */
  readonly base: string
  readonly #authorization: string | undefined
  /** Retries after a failed attempt (unreachable, timed out, 5xx, 429). */
  readonly retries: number
  /** The first backoff between attempts; it doubles at each retry. */
  readonly backoffMs: number
  readonly #timeoutMs: number
  readonly #fetch: typeof fetch

  constructor(c: MlflowConnection, env: Readonly<Record<string, string | undefined>> = process.env) {
    const { base, authorization } = resolveConnection(c, env)
    this.base = base
    this.#authorization = authorization
    this.retries = c.retries ?? 3
    this.backoffMs = c.backoffMs ?? 250
    this.#timeoutMs = c.timeoutMs ?? 10_000
    this.#fetch = c.fetch ?? fetch
  }

  /**
   * Sends one request; returns the parsed JSON answer (`{}` for an empty one). `retries` overrides
   * the connection's for this call (0: one attempt).
   */
  async request<T>(method: string, endpoint: string, options: RequestOptions = {}, retries = this.retries): Promise<T> {
    const bytes = await this.requestBytes(method, endpoint, options, retries)
    return (bytes.length === 0 ? {} : JSON.parse(bytes.toString('utf8'))) as T
  }

  /** Sends one request like `request`; returns the answer's bytes (an artifact download). */
  async requestBytes(
    method: string,
    endpoint: string,
    options: RequestOptions = {},
    retries = this.retries,
  ): Promise<Buffer> {
    const url = new URL(this.base + endpoint)
    for (const [k, v] of Object.entries(options.query ?? {})) if (v !== undefined) url.searchParams.set(k, String(v))
    const headers: Record<string, string> = {}
    if (this.#authorization !== undefined) headers.authorization = this.#authorization
    let body: Uint8Array | string | undefined
    if (options.json !== undefined) {
      headers['content-type'] = 'application/json'
      body = JSON.stringify(options.json)
    } else if (options.body !== undefined) {
      headers['content-type'] = options.contentType ?? 'application/octet-stream'
      body = options.body
    }
    let lastFailure: unknown
    for (let attempt = 0; attempt <= retries; attempt++) {
      if (attempt > 0) await sleep(this.backoffMs * 2 ** (attempt - 1))
      let res: Response
      try {
        res = await this.#fetch(url, {
          method,
          headers,
          ...(body === undefined ? {} : { body }),
          signal: AbortSignal.timeout(this.#timeoutMs),
        })
      } catch (e) {
        lastFailure = e // unreachable, reset, or timed out: worth another try
        continue
      }
      let bytes: Buffer
      try {
        bytes = Buffer.from(await res.arrayBuffer())
      } catch (e) {
        lastFailure = e // the connection broke mid-answer
        continue
      }
      if (res.ok) return bytes
      const failure = mlflowAnswered(method, endpoint, this.base, res.status, bytes.toString('utf8'))
      if (res.status >= 500 || res.status === 429) {
        lastFailure = failure
        continue
      }
      throw failure
    }
    if (lastFailure instanceof MlflowError) throw lastFailure
    throw mlflowUnreachable(method, endpoint, this.base, retries + 1, lastFailure)
  }
}

/**
 * Whether a failed request may pass on another try: the server never answered (unreachable, reset,
 * timed out), or answered 5xx or 429.
 *
 * @example
 * try { await http.request('POST', endpoint, { json }, 0) } catch (e) { if (!retryable(e)) throw e }
 */
export function retryable(e: unknown): boolean {
  return e instanceof MlflowError && (e.status === undefined || e.status >= 500 || e.status === 429)
}

/**
 * Waits `ms` milliseconds.
 *
 * @example
 * await sleep(http.backoffMs)
 */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}
