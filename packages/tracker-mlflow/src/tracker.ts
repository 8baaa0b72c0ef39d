/**
 * `MlflowTracker`: the `Tracker` seam on an MLflow tracking server. Each materialization of a
 * tracked asset becomes one MLflow run, in an experiment named after the project (`project/group`
 * for an asset in a group), with the asset's config values as params (secrets already redacted by
 * the engine), its metrics with their steps, tags (asset key, partition, code and data versions,
 * Rivers run and record ids, metadata) and the output file as an artifact when the IO manager
 * stored one.
 *
 * Logging happens in the background, a few materializations at once (`concurrency`), so that a
 * slow or dead server never holds up a run: `materialized` queues and returns; `runFinished` (or `flush`) waits
 * for the queue and rejects, naming each materialization that could not be logged, which the engine
 * reports as a warning. Each request is retried with backoff; once the server failed, later
 * materializations first check `/health` once instead of waiting through every retry again.
 */
import { readFile, stat } from 'node:fs/promises'
import path from 'node:path'
import type { TrackedAliasMove, TrackedMaterialization, TrackedRunEnd, Tracker } from '@rivers-orchestrator/rivers'
import { clip, flattenParams, LIMITS, type MlflowBatch, type MlflowKeyValue, mlflowKey } from './batch.js'
import { MlflowClient } from './client.js'
import { artifactsNotProxied, MlflowError, noMlflowVersion, notLogged } from './errors.js'
import type { MlflowConnection } from './http.js'
import { inputTags, modelNameOf, registerVersion } from './register.js'
import { MlflowRegistry } from './registry.js'

/** Settings of an `MlflowTracker`. */
export interface MlflowTrackerOptions extends MlflowConnection {
  /** The project's name: the default experiment. */
  project?: string
  /** The experiment of every run (MLFLOW_EXPERIMENT_NAME in the CLI), or a function of the materialization. */
  experiment?: string | ((m: TrackedMaterialization) => string)
  /** The group of an asset (its runs then go to the experiment `project/group`). */
  groupOf?: (assetKey: string) => string | undefined
  /**
   * Which assets are tracked: key patterns where `*` stands for any characters (`model/*`). Default:
   * every asset whose materialization has params or metrics.
   */
  assets?: readonly string[]
  /** The folder the IO manager's storage paths are relative to (per asset, or one for all); no artifact without it. */
  storageDir?: string | ((assetKey: string) => string | undefined)
  /**
   * Which assets are models: key patterns (`model/*`) or a test. Each materialization of one whose
   * data version changed registers a new version of the registered model `modelName(key)`.
   */
  models?: readonly string[] | ((assetKey: string) => boolean)
  /** The registered model of a model asset (default `project.key` with `/` as `.`, see `modelNameOf`). */
  modelName?: (assetKey: string) => string
  /** Materializations logged at once (default 4). */
  concurrency?: number
  /** Upload the output file as an artifact (default true). */
  artifacts?: boolean
  /** Outputs larger than this are not uploaded; a tag says so (default 100 MiB). */
  maxArtifactBytes?: number
  /** Where MLflow's variables are read (default process.env). */
  env?: Readonly<Record<string, string | undefined>>
}

/** What was logged for one materialization. */
export interface LoggedRun {
  recordId: number
  assetKey: string
  experimentId: string
  mlflowRunId: string
  /** The model version registered for it, for a model asset whose data version changed. */
  modelVersion?: { name: string; version: string }
}

const DEFAULT_EXPERIMENT = 'rivers'
const LOGGED_KEPT = 10_000

/**
 * Logs tracked materializations to MLflow.
 *
 * @example
 * const tracker = new MlflowTracker({ trackingUri: 'http://127.0.0.1:5000', project: 'shop', storageDir: '.rivers/storage' })
 * const ws = await openWorkspace(project, { trackers: [tracker] })
 * await ws.materialize({ select: ['model/*'] })
 */
export class MlflowTracker implements Tracker {
  readonly name = 'mlflow'
  readonly client: MlflowClient
  readonly registry: MlflowRegistry
  readonly #options: MlflowTrackerOptions
  readonly #patterns: RegExp[] | undefined
  readonly #isModel: (assetKey: string) => boolean
  /** Materializations being logged or waiting for a slot. */
  readonly #pending = new Set<Promise<void>>()
  /** The last queued materialization of each asset. */
  readonly #lastOf = new Map<string, Promise<void>>()
  readonly #slots: Slots
  /** Registrations of each model, one after another (the latest version decides the next). */
  readonly #models = new Map<string, Promise<unknown>>()
  #failures: { assetKey: string; error: unknown }[] = []
  #down = false
  /** The latest logged records (at most `LOGGED_KEPT`: a daemon runs for weeks). */
  readonly #logged = new Map<number, LoggedRun>()

  constructor(options: MlflowTrackerOptions) {
    this.#options = options
    this.client = new MlflowClient(options, options.env ?? process.env)
    this.registry = new MlflowRegistry(this.client)
    this.#slots = new Slots(options.concurrency ?? 4)
    this.#patterns = options.assets?.map(patternOf)
    const models = options.models
    if (typeof models === 'function') this.#isModel = models
    else {
      const patterns = (models ?? []).map(patternOf)
      this.#isModel = (key) => patterns.some((p) => p.test(key))
    }
  }

  /**
   * Whether materializations of `assetKey` are tracked (with `m`, the default rule: it has params or
   * metrics, or it is a model asset).
   */
  tracks(assetKey: string, m?: Pick<TrackedMaterialization, 'params' | 'metrics' | 'model'>): boolean {
    if (this.#isModel(assetKey) || m?.model !== undefined) return true
    if (this.#patterns !== undefined) return this.#patterns.some((p) => p.test(assetKey))
    return m === undefined || m.params !== undefined || m.metrics.length > 0
  }

  /** Queues the materialization for logging; resolves at once (see `flush`). */
  async materialized(m: TrackedMaterialization): Promise<void> {
    if (!this.tracks(m.assetKey, m)) return
    // The materializations of one asset in order (its model versions follow its records); others at once.
    const before = this.#lastOf.get(m.assetKey) ?? Promise.resolve()
    const logging = before
      .then(() => this.#slots.run(() => this.#log(m)))
      .catch((e: unknown) => void this.#failures.push({ assetKey: m.assetKey, error: e }))
    this.#pending.add(logging)
    this.#lastOf.set(m.assetKey, logging)
    void logging.finally(() => {
      this.#pending.delete(logging)
      if (this.#lastOf.get(m.assetKey) === logging) this.#lastOf.delete(m.assetKey)
    })
  }

  /** Waits for the run's materializations to be logged; rejects naming those that were not. */
  async runFinished(_end: TrackedRunEnd): Promise<void> {
    await this.flush()
  }

  /** Waits for everything queued; rejects naming what could not be logged since the last flush. */
  async flush(): Promise<void> {
    while (this.#pending.size > 0) await Promise.all(this.#pending)
    const failures = this.#failures
    this.#failures = []
    if (failures.length > 0) throw notLogged(this.client.url, failures)
  }

  /** The MLflow run of a record this tracker logged (after `flush`; the latest 10,000 records are kept). */
  loggedRun(recordId: number): LoggedRun | undefined {
    return this.#logged.get(recordId)
  }

  /** The experiment of a materialization. */
  experimentOf(m: TrackedMaterialization): string {
    const e = this.#options.experiment
    if (typeof e === 'function') return e(m)
    if (e !== undefined) return e
    const project = this.#options.project ?? DEFAULT_EXPERIMENT
    const group = this.#options.groupOf?.(m.assetKey)
    return group === undefined ? project : `${project}/${group}`
  }

  async #log(m: TrackedMaterialization): Promise<void> {
    if (this.#down) {
      // The server failed before: one quick look instead of every retry of every request again.
      await this.client.http.requestBytes('GET', '/health', {}, 0)
      this.#down = false
    }
    try {
      await this.#logRun(m)
    } catch (e) {
      if (e instanceof MlflowError && e.status === undefined) this.#down = true
      throw e
    }
  }

  async #logRun(m: TrackedMaterialization): Promise<void> {
    const experimentId = await this.client.ensureExperiment(this.experimentOf(m))
    const tags = tagsOf(m, this.#options.groupOf?.(m.assetKey))
    const run = await this.client.createRun({
      experimentId,
      runName: m.partition === undefined ? m.assetKey : `${m.assetKey}[${m.partition}]`,
      startTime: m.startedAt.getTime(),
      tags: tags.slice(0, LIMITS.tagsPerBatch),
      // A create retried after a lost answer finds the run it made instead of making a second one.
      identity: tags.filter((t) => t.key === 'rivers.run_id' || t.key === 'rivers.record_id'),
    })
    let uploaded = false
    try {
      const batch: MlflowBatch = {
        params: flattenParams(m.params),
        metrics: metricsOf(m),
        tags: tags.slice(LIMITS.tagsPerBatch),
      }
      const artifact = await this.#artifactOf(m)
      if (artifact?.skipped !== undefined) batch.tags.push({ key: 'rivers.artifact_skipped', value: artifact.skipped })
      await this.client.logBatch(run.run_id, batch)
      if (artifact?.file !== undefined) {
        const body = await readFile(artifact.file)
        uploaded = await this.client.uploadArtifact(run.artifact_uri, `output/${path.basename(artifact.file)}`, body)
        if (!uploaded) throw artifactsNotProxied(m.assetKey, run.artifact_uri, this.client.url)
      }
      if (this.#options.artifacts !== false)
        for (const [name, file] of Object.entries(m.attachments ?? {})) {
          const sent = await this.client.uploadArtifact(run.artifact_uri, `attachments/${name}`, await readFile(file))
          if (!sent) throw artifactsNotProxied(m.assetKey, run.artifact_uri, this.client.url)
        }
      await this.client.updateRun(run.run_id, 'FINISHED', m.finishedAt.getTime())
    } catch (e) {
      // Best effort: the run shows as failed in MLflow rather than running for ever.
      await this.client.updateRun(run.run_id, 'FAILED').catch(() => undefined)
      throw e
    }
    const logged: LoggedRun = { recordId: m.recordId, assetKey: m.assetKey, experimentId, mlflowRunId: run.run_id }
    this.#logged.set(m.recordId, logged)
    if (this.#logged.size > LOGGED_KEPT) this.#logged.delete(this.#logged.keys().next().value!)
    if (this.#isModel(m.assetKey) || m.model !== undefined) {
      const name = this.#modelNameOf(m.assetKey, m.model?.name)
      const previous = this.#models.get(name) ?? Promise.resolve()
      const registering = previous
        .catch(() => undefined)
        .then(() => registerVersion(this.registry, name, m, run.run_id, uploaded))
      this.#models.set(name, registering)
      const v = await registering
      if (v !== undefined) logged.modelVersion = { name, version: v.version }
    }
  }

  /**
   * Moves MLflow's alias of the registered model to the MLflow version of the same data version (the
   * version Rivers' alias now names), once the model's pending logging is done. Throws (a warning for
   * the engine) when MLflow has no such version.
   */
  async aliasMoved(move: TrackedAliasMove): Promise<void> {
    await this.#lastOf.get(move.assetKey)?.catch(() => undefined)
    const name = this.#modelNameOf(move.assetKey, move.modelName)
    await this.#models.get(name)?.catch(() => undefined)
    const versions = (await this.registry.getModel(name)) === undefined ? [] : await this.registry.versions(name)
    const match = versions
      .filter((v) => v.tags?.some((t) => t.key === 'rivers.data_version' && t.value === move.dataVersion))
      .at(-1)
    if (match === undefined)
      throw noMlflowVersion(name, move.assetKey, move.alias, move.version, move.dataVersion, this.client.url)
    await this.registry.setAlias(name, move.alias, match.version)
  }

  /**
   * The registered model of a model asset: its spec's name when it gives one (`/` and `:` as `.`), else
   * the `modelName` option, else the project's name and the key (see `modelNameOf`).
   */
  #modelNameOf(assetKey: string, specName: string | undefined): string {
    if (specName !== undefined && specName !== assetKey) return modelNameOf(undefined, specName)
    return this.#options.modelName?.(assetKey) ?? modelNameOf(this.#options.project, assetKey)
  }

  /** The output file to upload, or why it is not. */
  async #artifactOf(m: TrackedMaterialization): Promise<{ file?: string; skipped?: string } | undefined> {
    if (this.#options.artifacts === false || m.storagePath === undefined) return undefined
    const s = this.#options.storageDir
    const dir = typeof s === 'function' ? s(m.assetKey) : s
    if (dir === undefined) return undefined
    const file = path.resolve(dir, m.storagePath)
    const st = await stat(file).catch(() => undefined)
    if (st === undefined) return { skipped: `no file at ${file}` }
    if (!st.isFile()) return { skipped: `${file} is not a file` }
    const size = st.size
    const max = this.#options.maxArtifactBytes ?? 100 * 1024 * 1024
    if (size > max) return { skipped: `${size} bytes, over maxArtifactBytes (${max})` }
    return { file }
  }
}

/**
 * The tags of a materialization's MLflow run.
 *
 * @example
 * tagsOf(m, 'training').find((t) => t.key === 'rivers.asset')?.value // 'model/train'
 */
export function tagsOf(m: TrackedMaterialization, group?: string): MlflowKeyValue[] {
  const tags: MlflowKeyValue[] = [
    { key: 'rivers.asset', value: m.assetKey },
    { key: 'rivers.run_id', value: m.runId },
    { key: 'rivers.record_id', value: String(m.recordId) },
    { key: 'rivers.code_version', value: m.codeVersion },
    { key: 'rivers.data_version', value: m.dataVersion },
    { key: 'mlflow.source.name', value: `rivers ${m.assetKey}` },
    { key: 'mlflow.source.type', value: 'JOB' },
  ]
  if (m.partition !== undefined) tags.push({ key: 'rivers.partition', value: m.partition })
  tags.push(...inputTags(m))
  if (group !== undefined) tags.push({ key: 'rivers.group', value: group })
  if (m.storagePath !== undefined) tags.push({ key: 'rivers.storage_path', value: m.storagePath })
  if (m.params !== undefined) {
    // The config as JSON, types kept (params are strings), when it fits in a tag.
    const json = JSON.stringify(m.params)
    if (json.length <= LIMITS.tagValueLength) tags.push({ key: 'rivers.params', value: json })
  }
  for (const [k, v] of Object.entries(m.metadata))
    tags.push({
      key: mlflowKey(`rivers.metadata.${k}`),
      value: clip(typeof v === 'string' ? v : (JSON.stringify(v) ?? 'null'), LIMITS.tagValueLength),
    })
  return tags
}

/** The materialization's metrics as MLflow metric points (step 0 when it has none); non-finite values are left out. */
function metricsOf(m: TrackedMaterialization): MlflowBatch['metrics'] {
  const timestamp = m.finishedAt.getTime()
  return m.metrics
    .filter((p) => Number.isFinite(p.value))
    .map((p) => ({ key: mlflowKey(p.name), value: p.value, timestamp, step: p.step ?? 0 }))
}

/** At most `size` tasks at once; the others wait in order. */
class Slots {
  readonly #size: number
  #busy = 0
  readonly #waiting: (() => void)[] = []

  constructor(size: number) {
    this.#size = Math.max(1, Math.floor(size))
  }

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.#busy >= this.#size) await new Promise<void>((resolve) => this.#waiting.push(resolve))
    else this.#busy++
    try {
      return await task()
    } finally {
      const next = this.#waiting.shift()
      if (next === undefined) this.#busy--
      else next() // the slot passes to the next task
    }
  }
}

function patternOf(glob: string): RegExp {
  return new RegExp(`^${glob.split('*').map(escapeRegExp).join('.*')}$`)
}

function escapeRegExp(s: string): string {
  return s.replace(/[.+?^${}()|[\]\\]/g, '\\$&')
}
