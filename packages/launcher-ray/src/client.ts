/**
 * A small client of the Ray Jobs REST API (the dashboard's `/api/jobs/`), over `fetch`: submit,
 * details, logs, stop, and the nodes of the cluster (the state API's `/api/v0/nodes`). Each call
 * is one HTTP request with a time limit; errors say which request failed and what Ray answered.
 */

/** What `POST /api/jobs/` takes (the fields Rivers sets). */
export interface RaySubmitRequest {
  entrypoint: string
  submission_id: string
  runtime_env?: { env_vars?: Record<string, string>; working_dir?: string; [field: string]: unknown }
  metadata?: Record<string, string>
  entrypoint_num_cpus?: number
  entrypoint_num_gpus?: number
  /** Bytes. */
  entrypoint_memory?: number
  entrypoint_resources?: Record<string, number>
}

/** Ray's job states. */
export type RayJobStatus = 'PENDING' | 'RUNNING' | 'STOPPED' | 'SUCCEEDED' | 'FAILED'

/** What `GET /api/jobs/{id}` answers (the fields Rivers reads). */
export interface RayJobDetails {
  submission_id: string | null
  status: RayJobStatus
  message?: string | null
  error_type?: string | null
  /** Unix time in ms. */
  start_time?: number | null
  end_time?: number | null
  driver_exit_code?: number | null
  driver_node_id?: string | null
  entrypoint?: string
}

/** One node of the cluster (state API). */
export interface RayNode {
  node_ip: string
  /** Ray's id of the node (a job's `driver_node_id` names it). */
  node_id?: string
  state: string
  is_head_node?: boolean
  resources_total: Record<string, number>
}

/** A request that Ray answered with an error status. */
export class RayHttpError extends Error {
  readonly status: number
  readonly body: string

  /**
   * @example
   * throw new RayHttpError('GET /api/jobs/x', 404, 'Job x does not exist')
   */
  constructor(what: string, status: number, body: string) {
    super(`${what} answered HTTP ${status}: ${lastLine(body)}`)
    this.name = 'RayHttpError'
    this.status = status
    this.body = body
  }
}

/**
 * The Ray Jobs REST API of one cluster.
 *
 * @example
 * const ray = new RayJobsClient('http://127.0.0.1:8265')
 * await ray.submit({ entrypoint: 'echo hi', submission_id: 'rivers-demo-1' })
 * console.log((await ray.job('rivers-demo-1'))?.status)
 */
export class RayJobsClient {
  readonly address: string
  readonly timeoutMs: number
  readonly headers: Record<string, string>

  constructor(address: string, options: { timeoutMs?: number; headers?: Record<string, string> } = {}) {
    this.address = address.replace(/\/+$/, '')
    this.timeoutMs = options.timeoutMs ?? 30_000
    this.headers = options.headers ?? {}
  }

  /**
   * The Jobs API version (`GET /api/version`): answers when the dashboard is up.
   *
   * @example
   * const { ray_version } = await new RayJobsClient('http://127.0.0.1:8265').version()
   */
  async version(): Promise<{ version: string; ray_version: string }> {
    return (await this.#json('GET', '/api/version')) as { version: string; ray_version: string }
  }

  /**
   * Submits a job (`POST /api/jobs/`); Ray refuses a submission id it already knows.
   *
   * @example
   * await ray.submit({ entrypoint: 'python3 train.py', submission_id: 'rivers-r1-model-a1', entrypoint_num_gpus: 1 })
   */
  async submit(body: RaySubmitRequest): Promise<{ submission_id: string }> {
    return (await this.#json('POST', '/api/jobs/', body)) as { submission_id: string }
  }

  /**
   * A job's details (`GET /api/jobs/{id}`), or undefined when Ray does not know it.
   *
   * @example
   * const job = await ray.job('rivers-r1-model-a1') // { status: 'RUNNING', … }
   */
  async job(id: string): Promise<RayJobDetails | undefined> {
    try {
      return (await this.#json('GET', `/api/jobs/${encodeURIComponent(id)}`)) as RayJobDetails
    } catch (e) {
      if (e instanceof RayHttpError && e.status === 404) return undefined
      throw e
    }
  }

  /**
   * Everything the job's entrypoint printed so far (`GET /api/jobs/{id}/logs`). The tail endpoint
   * next to it is a WebSocket; polling this one and keeping the offset is what `fetch` can do.
   *
   * @example
   * const text = await ray.logs('rivers-r1-model-a1')
   */
  async logs(id: string): Promise<string> {
    const r = (await this.#json('GET', `/api/jobs/${encodeURIComponent(id)}/logs`)) as { logs?: string }
    return r.logs ?? ''
  }

  /**
   * Stops a job (`POST /api/jobs/{id}/stop`: SIGTERM, then SIGKILL after Ray's grace period);
   * false when it had already ended.
   *
   * @example
   * await ray.stop('rivers-r1-model-a1')
   */
  async stop(id: string): Promise<boolean> {
    const r = (await this.#json('POST', `/api/jobs/${encodeURIComponent(id)}/stop`)) as { stopped?: boolean }
    return r.stopped === true
  }

  /**
   * The alive nodes of the cluster and what each has (`GET /api/v0/nodes`).
   *
   * @example
   * const gpus = (await ray.nodes()).map((n) => n.resources_total.GPU ?? 0)
   */
  async nodes(): Promise<RayNode[]> {
    const r = (await this.#json('GET', '/api/v0/nodes?limit=10000&detail=false')) as {
      data?: { result?: { result?: RayNode[] } }
    }
    return (r.data?.result?.result ?? []).filter((n) => n.state === 'ALIVE')
  }

  async #json(method: 'GET' | 'POST', route: string, body?: unknown): Promise<unknown> {
    const what = `${method} ${this.address}${route.split('?')[0]}`
    let res: Response
    try {
      res = await fetch(`${this.address}${route}`, {
        method,
        headers: { ...this.headers, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(this.timeoutMs),
      })
    } catch (e) {
      const cause = (e as { cause?: { code?: string; message?: string } }).cause
      throw new Error(`${what} failed: ${cause?.code ?? cause?.message ?? (e as Error).message}`, { cause: e })
    }
    const text = await res.text()
    if (!res.ok) throw new RayHttpError(what, res.status, text)
    try {
      return JSON.parse(text) as unknown
    } catch {
      throw new Error(`${what} answered something else than JSON: ${text.slice(0, 200)}`)
    }
  }
}

/** The last non-empty line of a (Python traceback) body: the exception itself. */
function lastLine(body: string): string {
  const lines = body
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && l !== '.')
  return (lines[lines.length - 1] ?? '').slice(0, 500)
}
