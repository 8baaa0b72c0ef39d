/**
 * `RunConfig`: the run config (`{ [assetKey]: value }`) resolved and validated once, then immutable.
 * Status, plan and materialize use it the same way:
 *
 * - a key that is not an asset, config for a source, a given config that fails its schema or has a
 *   field the schema does not know: refused at once (exit 2);
 * - an asset given no config gets its schema's defaults; when those do not parse (required fields),
 *   the asset is unresolved: its config hash is the zero hash (it reads as `config_changed`), and a
 *   run refuses it only if it is planned (`requireResolved`);
 * - the parsed values, their hashes (for the core), the values with secrets redacted (for trackers
 *   and `assets show`), and the run's secrets (kept out of everything the run writes).
 */
import { type Project, parseConfig } from '../definitions/index.js'
import { closest } from '../definitions/suggest.js'
import { redactSecrets, type SecretPath, scrubber, secretPaths, secretValues } from '../definitions/secret.js'
import { canonicalJson } from './canonical.js'
import { configForSource, unknownConfigKey } from './errors.js'
import { nativeModule, putHex } from '../native.js'
import type { AssetId } from './planner.js'
import { userCodeSync } from './user-code.js'

/** What a run needs to keep secrets out of its outputs. */
export interface RunSecrets {
  /** Every secret value of the run (strings; numbers as their text). */
  readonly values: readonly string[]
  /** Replaces every secret in a text with `[redacted]`. */
  scrub(text: string): string
  /** A copy of a JSON-like value with every secret in its strings (keys included) replaced. */
  scrubDeep<T>(value: T): T
  /** The run config (`{ [key]: config }`) with the secret fields of each asset redacted, for storing. */
  redactConfig(config: Record<string, unknown>): Record<string, unknown>
}

const ZERO_HASH = '00000000000000000000000000000000'
const pathsCache = new WeakMap<object, SecretPath[]>()
let nullHash: string | undefined

/** Secret places of an asset's config schema, computed once per schema. */
function pathsOf(schema: object | undefined): SecretPath[] {
  if (schema === undefined) return []
  let p = pathsCache.get(schema)
  if (p === undefined) {
    p = secretPaths(schema as never)
    pathsCache.set(schema, p)
  }
  return p
}

/**
 * A run config, resolved once per command.
 *
 * @example
 * const config = RunConfig.resolve(project, { model: { epochs: 3 } }, projectDir)
 * config.value(id) // { epochs: 3, lr: 0.01 }
 */
export class RunConfig {
  readonly #project: Project
  readonly #raw: Readonly<Record<string, unknown>>
  readonly #values: unknown[]
  readonly #hashes: string[]
  readonly #unresolved = new Map<number, unknown>()
  readonly #secretPaths = new Map<string, SecretPath[]>()
  /** The run's secrets (values of fields marked `secret()`, as given and as parsed). */
  readonly secrets: RunSecrets

  private constructor(project: Project, raw: Record<string, unknown>, projectDir: string | undefined) {
    this.#project = project
    this.#raw = Object.freeze({ ...raw })
    const n = project.assets.length
    this.#values = new Array<unknown>(n).fill(undefined)
    this.#hashes = new Array<string>(n)
    // The given configs by key: a Map, so looking up each asset's key neither internalizes 100k
    // strings (an object lookup does) nor finds inherited properties (`toString`).
    const givenByKey = new Map<string, unknown>()
    for (const key of Object.keys(raw)) {
      const asset = project.byKey.get(key)
      if (asset === undefined) throw unknownConfigKey(key, closest(key, project.byKey.keys()))
      givenByKey.set(key, raw[key])
    }
    for (const key of givenByKey.keys()) if (project.byKey.get(key)!.isSource) throw configForSource(key)
    const { hashStrings } = nativeModule()
    nullHash ??= hashStrings('config', ['null'])
    const secrets = new Set<string>()
    project.assets.forEach((a, i) => {
      this.#hashes[i] = nullHash!
      if (a.isSource || a.def.kind !== 'asset') return
      const def = a.def
      const given = givenByKey.size === 0 ? undefined : givenByKey.get(a.key)
      if (def.config === undefined && given === undefined) return
      const scope = { key: a.key, ...(projectDir === undefined ? {} : { projectDir }) }
      let value: unknown
      try {
        value = userCodeSync(scope, 'config', () => parseConfig(def, given))
      } catch (e) {
        // A given config must be valid; a missing required one only matters if the asset runs.
        if (given !== undefined) throw e
        this.#unresolved.set(i, e)
        this.#hashes[i] = ZERO_HASH
        return
      }
      this.#values[i] = value
      if (value !== undefined) this.#hashes[i] = hashStrings('config', [canonicalJson(value)])
      const paths = pathsOf(def.config)
      if (paths.length > 0) {
        this.#secretPaths.set(a.key, paths)
        for (const v of secretValues(given, paths)) secrets.add(v)
        for (const v of secretValues(value, paths)) secrets.add(v)
      }
    })
    this.secrets = makeSecrets(secrets, this.#secretPaths)
  }

  /**
   * Resolves and validates the run config of a project (default: every asset's defaults).
   *
   * @example
   * const config = RunConfig.resolve(project, JSON.parse(flag))
   */
  static resolve(project: Project, raw: Record<string, unknown> = {}, projectDir?: string): RunConfig {
    return new RunConfig(project, raw, projectDir)
  }

  /** The config as given (`{ [assetKey]: value }`). */
  get raw(): Readonly<Record<string, unknown>> {
    return this.#raw
  }

  /**
   * What `ctx.config` of an asset receives (parsed, defaults applied).
   *
   * @example
   * ctx.config = config.value(id)
   */
  value(id: AssetId): unknown {
    return this.#values[id]
  }

  /**
   * Config hash (hex) of an asset, as the core compares it with records.
   *
   * @example
   * Buffer.from(config.hash(id), 'hex')
   */
  hash(id: AssetId): string {
    return this.#hashes[id]!
  }

  /**
   * Every config hash, 16 bytes per asset in id order (what the core takes in one call).
   *
   * @example
   * planner.setConfigHashes(allIds, config.hashBytes())
   */
  hashBytes(): Uint8Array {
    const n = this.#hashes.length
    const out = new Uint8Array(16 * n)
    if (n === 0) return out
    // Most assets have no config: the null hash everywhere first (copies doubling), then the others.
    out.set(Buffer.from(nullHash!, 'hex'))
    for (let filled = 16; filled < out.length; filled *= 2)
      out.copyWithin(filled, 0, Math.min(filled, out.length - filled))
    for (let i = 0; i < n; i++) {
      const h = this.#hashes[i]!
      if (h !== nullHash) putHex(out, i, h)
    }
    return out
  }

  /**
   * The ids whose config hash differs in `other` (what the core must be told when a command's
   * config replaces the one the project was opened with).
   *
   * @example
   * const changed = opened.changedIn(given)
   */
  changedIn(other: RunConfig): AssetId[] {
    const out: AssetId[] = []
    this.#hashes.forEach((h, i) => {
      if (other.#hashes[i] !== h) out.push(i as AssetId)
    })
    return out
  }

  /**
   * The config values of an asset with its secret fields redacted (what trackers record and
   * `assets show` prints); undefined for an asset without config.
   *
   * @example
   * config.params(id) // { epochs: 3, token: '[redacted]' }
   */
  params(id: AssetId): unknown {
    const value = this.#values[id]
    if (value === undefined) return undefined
    const paths = this.#secretPaths.get(this.#project.assets[id]!.key)
    return this.secrets.scrubDeep(paths === undefined ? value : redactSecrets(value, paths))
  }

  /**
   * Refuses (exit 2) the first of `ids` whose config did not resolve (its schema's defaults do not
   * parse and no config was given): it cannot run.
   *
   * @example
   * config.requireResolved(plannedIds)
   */
  requireResolved(ids: Iterable<AssetId>): void {
    for (const id of ids) {
      const error = this.#unresolved.get(id)
      if (error !== undefined) throw error
    }
  }
}

function makeSecrets(values: ReadonlySet<string>, byKey: ReadonlyMap<string, SecretPath[]>): RunSecrets {
  const scrub = scrubber(values)
  const deep = (v: unknown, depth: number): unknown => {
    if (values.size === 0 || depth > 64) return v
    if (typeof v === 'string') return scrub(v)
    if (typeof v === 'number') return values.has(String(v)) ? scrub(String(v)) : v
    if (Array.isArray(v)) return v.map((x) => deep(x, depth + 1))
    if (typeof v === 'object' && v !== null && Object.getPrototypeOf(v) === Object.prototype) {
      return Object.fromEntries(Object.entries(v).map(([k, x]) => [scrub(k), deep(x, depth + 1)]))
    }
    return v
  }
  return {
    values: [...values],
    scrub,
    scrubDeep: <T>(v: T) => deep(v, 0) as T,
    redactConfig(config) {
      if (byKey.size === 0) return config
      const out: Record<string, unknown> = {}
      for (const [k, v] of Object.entries(config)) {
        const paths = byKey.get(k)
        out[k] = paths === undefined ? v : redactSecrets(v, paths)
      }
      return deep(out, 0) as Record<string, unknown>
    },
  }
}
