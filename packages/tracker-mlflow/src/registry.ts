/**
 * MLflow's model registry over its REST API (`/api/2.0/mlflow/registered-models/…`,
 * `/model-versions/…`): registered models, versions with their source and run, and aliases
 * (`champion`, `challenger`) set, read and deleted. This is the mirror of a registry: Rivers decides
 * what to register and where aliases point; these functions make MLflow show the same.
 */
import type { MlflowKeyValue } from './batch.js'
import type { MlflowClient } from './client.js'
import { MlflowError } from './errors.js'

/** A model version, as MLflow returns it. */
export interface ModelVersion {
  name: string
  version: string
  source?: string
  run_id?: string
  status?: string
  description?: string
  aliases?: string[]
  tags?: MlflowKeyValue[]
  creation_timestamp?: number
}

/** A registered model, as MLflow returns it. */
export interface RegisteredModel {
  name: string
  description?: string
  aliases?: { alias: string; version: string }[]
  tags?: MlflowKeyValue[]
  latest_versions?: ModelVersion[]
}

const API = '/api/2.0/mlflow'

/**
 * The registry of one tracking server.
 *
 * @example
 * const registry = new MlflowRegistry(new MlflowClient({ trackingUri: 'http://127.0.0.1:5000' }))
 * const v = await registry.createVersion('logreg', { source: 'runs:/0a1b/output', runId: '0a1b' })
 * await registry.setAlias('logreg', 'champion', v.version)
 */
export class MlflowRegistry {
  readonly #client: MlflowClient

  constructor(client: MlflowClient) {
    this.#client = client
  }

  /** The registered model named `name`, or undefined. */
  async getModel(name: string): Promise<RegisteredModel | undefined> {
    try {
      const r = await this.#client.http.request<{ registered_model: RegisteredModel }>(
        'GET',
        `${API}/registered-models/get`,
        { query: { name } },
      )
      return r.registered_model
    } catch (e) {
      if (e instanceof MlflowError && e.errorCode === 'RESOURCE_DOES_NOT_EXIST') return undefined
      throw e
    }
  }

  /** Creates the registered model unless it exists (also when another process creates it at the same time). */
  async ensureModel(
    name: string,
    options: { description?: string; tags?: readonly MlflowKeyValue[] } = {},
  ): Promise<void> {
    if ((await this.getModel(name)) !== undefined) return
    try {
      await this.#client.http.request('POST', `${API}/registered-models/create`, {
        json: {
          name,
          tags: options.tags ?? [],
          ...(options.description === undefined ? {} : { description: options.description }),
        },
      })
    } catch (e) {
      if (!(e instanceof MlflowError && e.errorCode === 'RESOURCE_ALREADY_EXISTS')) throw e
    }
  }

  /**
   * Registers a new version of `name` (creating the model when missing): `source` is where the
   * model's files are (`runs:/<run id>/output`, or the run's artifact URI), `runId` the MLflow run
   * that made it, `tags` its lineage (data and code versions, inputs, metrics).
   */
  async createVersion(
    name: string,
    version: { source: string; runId?: string; description?: string; tags?: readonly MlflowKeyValue[] },
  ): Promise<ModelVersion> {
    await this.ensureModel(name)
    const r = await this.#client.http.request<{ model_version: ModelVersion }>('POST', `${API}/model-versions/create`, {
      json: {
        name,
        source: version.source,
        ...(version.runId === undefined ? {} : { run_id: version.runId }),
        ...(version.description === undefined ? {} : { description: version.description }),
        tags: version.tags ?? [],
      },
    })
    return r.model_version
  }

  /** One version of a model. */
  async getVersion(name: string, version: string): Promise<ModelVersion> {
    const r = await this.#client.http.request<{ model_version: ModelVersion }>('GET', `${API}/model-versions/get`, {
      query: { name, version },
    })
    return r.model_version
  }

  /** Every version of a model, oldest first. */
  async versions(name: string): Promise<ModelVersion[]> {
    const out: ModelVersion[] = []
    let pageToken: string | undefined
    do {
      const r = await this.#client.http.request<{ model_versions?: ModelVersion[]; next_page_token?: string }>(
        'GET',
        `${API}/model-versions/search`,
        { query: { filter: `name='${name.replaceAll("'", "\\'")}'`, max_results: 1000, page_token: pageToken } },
      )
      out.push(...(r.model_versions ?? []))
      pageToken = r.next_page_token || undefined
    } while (pageToken !== undefined)
    return out.sort((a, b) => Number(a.version) - Number(b.version))
  }

  /** Points `alias` of a model at `version` (moving it when it pointed elsewhere). */
  async setAlias(name: string, alias: string, version: string): Promise<void> {
    await this.#client.http.request('POST', `${API}/registered-models/alias`, { json: { name, alias, version } })
  }

  /** Removes `alias` from a model. */
  async deleteAlias(name: string, alias: string): Promise<void> {
    await this.#client.http.request('DELETE', `${API}/registered-models/alias`, { json: { name, alias } })
  }

  /** The version `alias` points at, or undefined when the model has no such alias. */
  async versionByAlias(name: string, alias: string): Promise<ModelVersion | undefined> {
    try {
      const r = await this.#client.http.request<{ model_version: ModelVersion }>(
        'GET',
        `${API}/registered-models/alias`,
        {
          query: { name, alias },
        },
      )
      return r.model_version
    } catch (e) {
      // No such model, or (MLflow's answer for a missing alias) "Registered model alias X not found".
      if (e instanceof MlflowError && e.errorCode === 'RESOURCE_DOES_NOT_EXIST') return undefined
      if (
        e instanceof MlflowError &&
        e.errorCode === 'INVALID_PARAMETER_VALUE' &&
        /alias .* not found/i.test(e.message)
      )
        return undefined
      throw e
    }
  }

  /** The aliases of a model: alias -> version. */
  async aliases(name: string): Promise<Record<string, string>> {
    const model = await this.getModel(name)
    return Object.fromEntries((model?.aliases ?? []).map((a) => [a.alias, a.version]))
  }

  /**
   * Makes the model's aliases in MLflow those of `wanted` (alias -> version; the aliases Rivers
   * holds): sets what differs, deletes what Rivers no longer has. Returns what it changed.
   */
  async syncAliases(
    name: string,
    wanted: Readonly<Record<string, string>>,
  ): Promise<{ set: Record<string, string>; deleted: string[] }> {
    const current = await this.aliases(name)
    const set: Record<string, string> = {}
    for (const [alias, version] of Object.entries(wanted))
      if (current[alias] !== version) {
        await this.setAlias(name, alias, version)
        set[alias] = version
      }
    const deleted = Object.keys(current).filter((alias) => !(alias in wanted))
    for (const alias of deleted) await this.deleteAlias(name, alias)
    return { set, deleted }
  }
}
