/**
 * A small client of MLflow's tracking REST API (`/api/2.0/mlflow/…`): experiments, runs, batched
 * logging within MLflow's limits, reading back (search, metric history, artifacts list), and
 * artifact upload through the tracking server's artifact proxy (`/api/2.0/mlflow-artifacts/…`).
 */
import { chunkBatch, type MlflowBatch, type MlflowKeyValue } from './batch.js'
import { MlflowError } from './errors.js'
import { type MlflowConnection, MlflowHttp, retryable, sleep } from './http.js'

/** A run's info, as MLflow returns it. */
export interface RunInfo {
  run_id: string
  experiment_id: string
  run_name?: string
  status: string
  start_time?: number
  end_time?: number
  artifact_uri: string
  lifecycle_stage?: string
}

/** A run with its data, as MLflow returns it. */
export interface Run {
  info: RunInfo
  data: {
    metrics?: { key: string; value: number; timestamp: number; step: number }[]
    params?: MlflowKeyValue[]
    tags?: MlflowKeyValue[]
  }
}

/** An artifact file or folder of a run. */
export interface ArtifactFile {
  path: string
  is_dir: boolean
  file_size?: number
}

const API = '/api/2.0/mlflow'

/**
 * The tracking API of one server.
 *
 * @example
 * const client = new MlflowClient({ trackingUri: 'http://127.0.0.1:5000' })
 * const experimentId = await client.ensureExperiment('shop')
 * const run = await client.createRun({ experimentId, runName: 'model/train' })
 * await client.logBatch(run.run_id, { metrics: [{ key: 'loss', value: 0.4, timestamp: Date.now(), step: 1 }], params: [], tags: [] })
 * await client.updateRun(run.run_id, 'FINISHED')
 */
export class MlflowClient {
  readonly http: MlflowHttp
  readonly #experiments = new Map<string, Promise<string>>()

  constructor(connection: MlflowConnection, env: Readonly<Record<string, string | undefined>> = process.env) {
    this.http = new MlflowHttp(connection, env)
  }

  /** The server's URL, without credentials. */
  get url(): string {
    return this.http.base
  }

  /** The id of the experiment named `name`, or undefined when there is none. */
  async getExperimentByName(name: string): Promise<string | undefined> {
    try {
      const r = await this.http.request<{ experiment: { experiment_id: string } }>(
        'GET',
        `${API}/experiments/get-by-name`,
        { query: { experiment_name: name } },
      )
      return r.experiment.experiment_id
    } catch (e) {
      if (e instanceof MlflowError && e.errorCode === 'RESOURCE_DOES_NOT_EXIST') return undefined
      throw e
    }
  }

  /** Creates an experiment; returns its id. */
  async createExperiment(name: string, tags: readonly MlflowKeyValue[] = []): Promise<string> {
    const r = await this.http.request<{ experiment_id: string }>('POST', `${API}/experiments/create`, {
      json: { name, tags },
    })
    return r.experiment_id
  }

  /**
   * The id of the experiment named `name`, created when missing (also when another process creates
   * it at the same time). Remembered per client; a failed look-up is tried again next time.
   */
  ensureExperiment(name: string): Promise<string> {
    let known = this.#experiments.get(name)
    if (known === undefined) {
      known = this.#ensure(name)
      known.catch(() => this.#experiments.delete(name))
      this.#experiments.set(name, known)
    }
    return known
  }

  async #ensure(name: string): Promise<string> {
    const found = await this.getExperimentByName(name)
    if (found !== undefined) return found
    try {
      return await this.createExperiment(name, [{ key: 'rivers.created_by', value: 'rivers' }])
    } catch (e) {
      if (!(e instanceof MlflowError && e.errorCode === 'RESOURCE_ALREADY_EXISTS')) throw e
      const raced = await this.getExperimentByName(name)
      if (raced === undefined) throw e
      return raced
    }
  }

  /**
   * Creates a run. With `identity` (tags, among `tags`, that only this run has, e.g. the Rivers run
   * and record ids), a create that failed without an answer is not simply sent again: it may have
   * been done by the server before the answer was lost, so the experiment is searched for a run with
   * those tags first, and that run is returned when there is one. MLflow's create is not idempotent;
   * without this a retried create can leave two runs for one materialization.
   */
  async createRun(run: {
    experimentId: string
    runName?: string
    startTime?: number
    tags?: readonly MlflowKeyValue[]
    identity?: readonly MlflowKeyValue[]
  }): Promise<RunInfo> {
    const json = {
      experiment_id: run.experimentId,
      ...(run.runName === undefined ? {} : { run_name: run.runName }),
      start_time: run.startTime ?? Date.now(),
      tags: run.tags ?? [],
    }
    const create = async (retries?: number) =>
      (await this.http.request<{ run: { info: RunInfo } }>('POST', `${API}/runs/create`, { json }, retries)).run.info
    const identity = run.identity ?? []
    if (identity.length === 0) return create()
    const filter = identity.map((t) => `tags.\`${t.key}\` = '${t.value.replaceAll("'", "\\'")}'`).join(' AND ')
    let failure: unknown
    for (let attempt = 0; attempt <= this.http.retries; attempt++) {
      if (attempt > 0) {
        await sleep(this.http.backoffMs * 2 ** (attempt - 1))
        const found = await this.searchRuns({ experimentIds: [run.experimentId], filter, maxResults: 1 }).catch(
          () => undefined,
        )
        if (found?.[0] !== undefined) return found[0].info
      }
      try {
        return await create(0)
      } catch (e) {
        if (!retryable(e)) throw e
        failure = e
      }
    }
    throw failure
  }

  /** Sets a run's status and end time. */
  async updateRun(
    runId: string,
    status: 'RUNNING' | 'FINISHED' | 'FAILED' | 'KILLED',
    endTime: number = Date.now(),
  ): Promise<void> {
    await this.http.request('POST', `${API}/runs/update`, { json: { run_id: runId, status, end_time: endTime } })
  }

  /** Logs metrics, params and tags, in as many requests as MLflow's limits need; returns how many. */
  async logBatch(runId: string, batch: MlflowBatch): Promise<number> {
    const chunks = chunkBatch(batch)
    for (const c of chunks)
      await this.http.request('POST', `${API}/runs/log-batch`, {
        json: { run_id: runId, metrics: c.metrics, params: c.params, tags: c.tags },
      })
    return chunks.length
  }

  /** One run with its data. */
  async getRun(runId: string): Promise<Run> {
    const r = await this.http.request<{ run: Run }>('GET', `${API}/runs/get`, { query: { run_id: runId } })
    return r.run
  }

  /** The runs of experiments that match an MLflow filter (every page), newest first by default. */
  async searchRuns(search: {
    experimentIds: readonly string[]
    filter?: string
    orderBy?: readonly string[]
    maxResults?: number
  }): Promise<Run[]> {
    const runs: Run[] = []
    let pageToken: string | undefined
    do {
      const r = await this.http.request<{ runs?: Run[]; next_page_token?: string }>('POST', `${API}/runs/search`, {
        json: {
          experiment_ids: search.experimentIds,
          ...(search.filter === undefined ? {} : { filter: search.filter }),
          order_by: search.orderBy ?? ['attributes.start_time DESC'],
          max_results: Math.min(search.maxResults ?? 1000, 1000),
          ...(pageToken === undefined ? {} : { page_token: pageToken }),
        },
      })
      runs.push(...(r.runs ?? []))
      pageToken = r.next_page_token || undefined
    } while (pageToken !== undefined && (search.maxResults === undefined || runs.length < search.maxResults))
    return runs
  }

  /** Every logged value of one metric of a run, with steps. */
  async metricHistory(runId: string, key: string): Promise<{ value: number; step: number; timestamp: number }[]> {
    const r = await this.http.request<{ metrics?: { value: number; step?: number; timestamp: number }[] }>(
      'GET',
      `${API}/metrics/get-history`,
      { query: { run_id: runId, metric_key: key } },
    )
    return (r.metrics ?? []).map((m) => ({ value: m.value, step: m.step ?? 0, timestamp: m.timestamp }))
  }

  /** The artifacts of a run under `path` (its root by default). */
  async listArtifacts(runId: string, path?: string): Promise<ArtifactFile[]> {
    const r = await this.http.request<{ files?: ArtifactFile[] }>('GET', `${API}/artifacts/list`, {
      query: { run_id: runId, path },
    })
    return r.files ?? []
  }

  /**
   * Uploads a file into a run's artifacts through the server's artifact proxy. `artifactUri` is the
   * run's (`mlflow-artifacts:/1/<run id>/artifacts`); returns false when the run's artifacts are not
   * served by the proxy (another scheme), having uploaded nothing.
   */
  async uploadArtifact(artifactUri: string, relativePath: string, body: Uint8Array): Promise<boolean> {
    const root = proxiedPath(artifactUri)
    if (root === undefined) return false
    await this.http.request('PUT', `/api/2.0/mlflow-artifacts/artifacts/${artifactPath(root, relativePath)}`, { body })
    return true
  }

  /** Downloads a file of a run's artifacts through the proxy (for tests and tools). */
  async downloadArtifact(artifactUri: string, relativePath: string): Promise<Buffer> {
    const root = proxiedPath(artifactUri)
    if (root === undefined)
      throw new MlflowError(`${artifactUri} is not served by the artifact proxy of ${this.url}`, undefined, undefined)
    return this.http.requestBytes('GET', `/api/2.0/mlflow-artifacts/artifacts/${artifactPath(root, relativePath)}`)
  }
}

function artifactPath(root: string, relativePath: string): string {
  return [...root.split('/'), ...relativePath.split('/')]
    .filter((s) => s !== '')
    .map(encodeURIComponent)
    .join('/')
}

/**
 * The path under the artifact proxy of an `mlflow-artifacts:` URI, or undefined for another scheme.
 *
 * @example
 * proxiedPath('mlflow-artifacts:/1/0a1b/artifacts') // '1/0a1b/artifacts'
 * proxiedPath('mlflow-artifacts://127.0.0.1:5000/1/0a1b/artifacts') // '1/0a1b/artifacts'
 */
export function proxiedPath(artifactUri: string): string | undefined {
  const m = /^mlflow-artifacts:(\/\/[^/]*)?\/?(.*)$/.exec(artifactUri)
  return m === null ? undefined : m[2]!.replace(/\/+$/, '')
}
