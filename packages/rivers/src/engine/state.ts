/**
 * The engine's view of one project against its store: the native graph (built once), current code
 * and config versions, the latest records, and source observations. Commands read from it; runs
 * update it record by record.
 */
import { readFileSync } from 'node:fs'
import path from 'node:path'

import pino, { type Logger } from 'pino'

import {
  parseConfig,
  checkObservation,
  type Project,
  type ResolvedAsset,
  type SourceDef,
} from '../definitions/index.js'
import type { Store } from '../store/store.js'
import { canonicalJson } from './canonical.js'
import { emptySelection } from './messages.js'
import { buildNativeGraph, callNative, codeVersions, nativeModule, putHex, type NativeGraph } from './native.js'
import { recordsToArrays, type LastRecord } from './records.js'

/** Config hash of an asset without config (the canonical JSON `null`). */
let nullConfigHash: string | undefined

/** Result of observing one source. */
export type Observed = { ok: true; version: string; metadata?: Record<string, unknown> } | { ok: false; error: unknown }

/**
 * Graph + versions + records of a project.
 *
 * @example
 * const state = ProjectState.create(project, store)
 * await state.observeSources('status')
 */
export class ProjectState {
  readonly graph: NativeGraph
  readonly ids: ReadonlyMap<string, number>
  readonly code: readonly string[]
  /** Current config hash of each asset (hex). */
  readonly configHash: string[]
  /** Validated config of each asset (for the run context). */
  readonly configValue: unknown[]
  /** Current data version (hex) of each asset, '' when none. */
  readonly dataVersion: string[]
  /** Latest record of each key. */
  last: Map<string, LastRecord> = new Map()
  /** Observations of sources made by this process. */
  readonly observed = new Map<string, Observed>()

  private constructor(
    readonly project: Project,
    readonly store: Store,
    /** Folder that relative source paths are resolved against (the project file's folder). */
    readonly baseDir: string,
  ) {
    this.code = codeVersions(project, { storeDir: path.dirname(store.file) })
    this.graph = buildNativeGraph(project, this.code)
    this.ids = new Map(project.assets.map((a, i) => [a.key, i]))
    const n = project.assets.length
    this.configHash = new Array<string>(n).fill('')
    this.configValue = new Array<unknown>(n).fill(undefined)
    this.dataVersion = new Array<string>(n).fill('')
  }

  /**
   * Builds the graph and loads every latest record in one batched query.
   *
   * @example
   * const state = ProjectState.create(project, store, {})
   */
  static create(
    project: Project,
    store: Store,
    baseDir: string = process.cwd(),
    config: Record<string, unknown> = {},
    strictConfig = false,
  ): ProjectState {
    const s = new ProjectState(project, store, baseDir)
    s.setConfig(config, strictConfig)
    s.reload()
    return s
  }

  /**
   * The file of a source, resolved against the project file's folder (`undefined` without a path).
   *
   * @example
   * state.sourcePath(def) // '/project/data/orders.csv' for path 'data/orders.csv'
   */
  sourcePath(def: SourceDef): string | undefined {
    return def.path === undefined ? undefined : path.resolve(this.baseDir, def.path)
  }

  /** Number of assets. */
  get size(): number {
    return this.project.assets.length
  }

  /** The asset with id `i`. */
  asset(i: number): ResolvedAsset {
    return this.project.assets[i]!
  }

  /**
   * Validates the run config of every asset (`{ [key]: value }`) and hands the config hashes to the
   * core. With `strict`, the first invalid config throws (exit 2); otherwise an invalid config gets
   * the zero hash, which reads as `config_changed` (status and plan stay usable).
   */
  setConfig(config: Record<string, unknown>, strict: boolean): void {
    const { hashStrings } = nativeModule()
    nullConfigHash ??= hashStrings('config', ['null'])
    const bytes = new Uint8Array(16 * this.size)
    this.project.assets.forEach((a, i) => {
      let hash = nullConfigHash!
      if (!a.isSource && a.def.kind === 'asset') {
        try {
          const value = parseConfig(a.def, config[a.key])
          this.configValue[i] = value
          if (value !== undefined) hash = hashStrings('config', [canonicalJson(value)])
        } catch (e) {
          if (strict) throw e
          hash = '00000000000000000000000000000000'
        }
      }
      this.configHash[i] = hash
      putHex(bytes, i, hash)
    })
    const ids = Uint32Array.from({ length: this.size }, (_, i) => i)
    callNative(() => this.graph.setConfigHashes(ids, bytes))
  }

  /**
   * Validates the config of one asset and sets its hash; throws the zod issues (exit 2) when invalid.
   */
  setConfigStrict(id: number, raw: unknown): void {
    const a = this.asset(id)
    if (a.def.kind !== 'asset') return
    const value = parseConfig(a.def, raw)
    const { hashStrings } = nativeModule()
    const hash =
      value === undefined
        ? (nullConfigHash ?? hashStrings('config', ['null']))
        : hashStrings('config', [canonicalJson(value)])
    this.configValue[id] = value
    this.configHash[id] = hash
    const bytes = new Uint8Array(16)
    putHex(bytes, 0, hash)
    callNative(() => this.graph.setConfigHashes(Uint32Array.of(id), bytes))
  }

  /** Reloads all latest records from the store (one query) into the core. */
  reload(): void {
    const { arrays, last } = recordsToArrays(this.store.latestRecords(), this.ids)
    callNative(() => this.graph.loadRecords(arrays))
    this.last = last
    this.dataVersion.fill('')
    for (const [key, rec] of last) this.dataVersion[this.ids.get(key)!] = rec.dataVersion
    for (const [key, obs] of this.observed) if (obs.ok) this.dataVersion[this.ids.get(key)!] = obs.version
  }

  /**
   * Observes every source (its observe function, else the content hash of its file) and tells the
   * core. Failures are kept per source; consumers fail when they need it.
   */
  async observeSources(
    runId: string,
    log: Logger = pino({ level: 'silent' }),
    signal: AbortSignal = new AbortController().signal,
  ): Promise<void> {
    const { hashFiles, hashStrings } = nativeModule()
    const sources = this.project.assets.filter((a) => a.isSource)
    const byFile = sources.filter(
      (a) => (a.def as SourceDef).observe === undefined && (a.def as SourceDef).path !== undefined,
    )
    const ids: number[] = []
    const versions: string[] = []
    const note = (a: ResolvedAsset, obs: Observed): void => {
      this.observed.set(a.key, obs)
      if (obs.ok) {
        ids.push(this.ids.get(a.key)!)
        versions.push(obs.version)
      }
    }
    if (byFile.length > 0) {
      const paths = byFile.map((a) => this.sourcePath(a.def as SourceDef)!)
      // One parallel native call for every file; if one fails, hash one by one to know which.
      const hashes = (await hashFiles(paths).catch(() => undefined)) as string[] | undefined
      byFile.forEach((a, i) => {
        if (hashes !== undefined) return note(a, { ok: true, version: hashes[i]! })
        try {
          const bytes = readFileSync(paths[i]!)
          note(a, { ok: true, version: nativeModule().hashBytes(bytes) })
        } catch (error) {
          note(a, { ok: false, error })
        }
      })
    }
    for (const a of sources) {
      const def = a.def as SourceDef
      if (def.observe === undefined) {
        if (def.path === undefined)
          note(a, { ok: false, error: new Error(`source "${a.key}" has neither a path nor an observe function`) })
        continue
      }
      try {
        const file = this.sourcePath(def)
        const raw = await def.observe({ runId, key: a.key, path: file, log: log.child({ asset: a.key }), signal })
        const obs = checkObservation(def, raw)
        let version: string
        if (obs.dataVersion !== undefined) version = hashStrings('data-version', [obs.dataVersion])
        else if (file !== undefined) version = nativeModule().hashFile(file)
        else throw new Error(`source "${a.key}": observe returned no dataVersion and the source has no path to hash`)
        note(
          a,
          obs.metadata === undefined ? { ok: true, version } : { ok: true, version, metadata: { ...obs.metadata } },
        )
      } catch (error) {
        note(a, { ok: false, error })
      }
    }
    if (ids.length > 0) {
      const bytes = new Uint8Array(16 * ids.length)
      versions.forEach((v, i) => putHex(bytes, i, v))
      callNative(() => this.graph.setObserved(Uint32Array.from(ids), bytes))
      ids.forEach((id, i) => (this.dataVersion[id] = versions[i]!))
    }
  }

  /**
   * Ids selected by the union of `exprs` (default everything), ascending. An empty result is an
   * error: nothing would happen, and the user should hear why.
   */
  select(exprs: readonly string[]): Uint32Array {
    const list = exprs.length === 0 ? ['*'] : [...exprs]

    const ids = callNative(() => this.graph.select(list))
    if (ids.length === 0) throw emptySelection(list)
    return ids
  }

  /** Whether `exprs` selects everything (the core then reads its maintained plan). */
  static selectsAll(exprs: readonly string[]): boolean {
    return exprs.length === 0 || (exprs.length === 1 && exprs[0]!.trim() === '*')
  }
}
