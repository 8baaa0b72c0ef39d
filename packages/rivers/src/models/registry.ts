/**
 * The model registry over a store: a model asset's versions (derived from its records, see
 * `versions.ts`), its aliases (the newest move of each, see `Store.moveModelAlias`), promotion
 * through the gate, and rollback (undoing the promotion that made the current version). A promoted
 * version's record is pinned, so gc keeps every version an alias named (a rollback needs it).
 */
import os from 'node:os'

import type { AliasTarget, ModelAliases } from '../definitions/context.js'
import type { AssetDef, NormalizedModel, Project } from '../definitions/index.js'
import type { Store } from '../store/store.js'
import type { AliasMoveRecord } from '../store/types.js'
import {
  badAlias,
  forceNeedsReason,
  gateRefused,
  noVersions,
  notAModel,
  nothingToRollBack,
  registryUnsupported,
  unknownVersion,
  versionCollected,
} from './errors.js'
import { checkGate, type GateCheck } from './gate.js'
import { type ModelVersion, versionsOf } from './versions.js'

/** What an alias names now. */
export interface AliasState {
  alias: string
  version: number
  movedAt: string
  reason: string | null
  actor: string | null
}

/** A model with its versions, aliases and alias history (newest first). */
export interface ModelInfo {
  key: string
  name: string
  gate: NormalizedModel['gate']
  versions: ModelVersion[]
  aliases: AliasState[]
  history: AliasMoveRecord[]
}

/** Options of `promote`. */
export interface PromoteOptions {
  alias: string
  /** The version to promote (default: the newest). */
  version?: number
  reason?: string
  /** Promote even when the gate refuses (needs `reason`). */
  force?: boolean
  /** Who promotes (default user@host). */
  actor?: string
}

/** An alias move as the `moved` hook of a registry hears of it. */
export interface AliasMoved {
  key: string
  /** The registered model's name. */
  name: string
  move: AliasMoveRecord
  version: ModelVersion
}

/** What a promotion or rollback did. */
export interface AliasChange {
  key: string
  alias: string
  /** The version the alias named before (null: none). */
  from: number | null
  to: number
  /** False when the alias already named that version (nothing was written). */
  moved: boolean
  /** The gate's checks (empty for a rollback, or a model without a gate). */
  checks: GateCheck[]
  forced: boolean
  move?: AliasMoveRecord
}

const ALIAS = /^[A-Za-z0-9_-]+$/

/**
 * The versions an alias named, as a stack replayed from its moves (oldest first): a promotion pushes,
 * a rollback pops. The top is what it names now; the one below is what a rollback restores.
 *
 * @example
 * aliasStack(moves.slice().reverse()) // [1, 3] after promote 1, promote 2, rollback, promote 3
 */
export function aliasStack(oldestFirst: readonly AliasMoveRecord[]): number[] {
  const stack: number[] = []
  for (const m of oldestFirst) {
    if (m.action === 'rollback') {
      while (stack.length > 0 && stack[stack.length - 1] !== m.version) stack.pop()
      if (stack.length === 0) stack.push(m.version)
    } else if (stack[stack.length - 1] !== m.version) stack.push(m.version)
  }
  return stack
}

/**
 * The registry of a project's model assets over its store.
 *
 * @example
 * const registry = new ModelRegistry(project, store)
 * await registry.promote('model/churn', { alias: 'champion', reason: 'AUC up 2 points' })
 */
export class ModelRegistry implements ModelAliases {
  readonly #models: ReadonlyMap<string, NormalizedModel>
  readonly #store: Store
  readonly #moved: ((moved: AliasMoved) => Promise<void>) | undefined

  /**
   * `moved` is called after each alias move (the workspace re-observes the sources that follow it and
   * tells the trackers).
   */
  constructor(project: Pick<Project, 'assets'>, store: Store, moved?: (moved: AliasMoved) => Promise<void>) {
    const models = new Map<string, NormalizedModel>()
    for (const a of project.assets) {
      const model = a.isSource ? undefined : (a.def as AssetDef).model
      if (model !== undefined) models.set(a.key, model)
    }
    this.#models = models
    this.#store = store
    this.#moved = moved
  }

  /** Keys of the project's model assets, sorted. */
  keys(): string[] {
    return [...this.#models.keys()].sort()
  }

  /** A model's versions, aliases and alias history. */
  async model(key: string): Promise<ModelInfo> {
    const model = this.#model(key)
    const [versions, history] = await Promise.all([this.#versions(key), this.#moves(key)])
    const aliases = new Map<string, AliasState>()
    for (const m of history)
      if (!aliases.has(m.alias))
        aliases.set(m.alias, {
          alias: m.alias,
          version: m.version,
          movedAt: m.movedAt,
          reason: m.reason,
          actor: m.actor,
        })
    return {
      key,
      name: model.name,
      gate: model.gate,
      versions,
      aliases: [...aliases.values()].sort((a, b) => a.alias.localeCompare(b.alias)),
      history,
    }
  }

  /** Every model of the project. */
  async models(): Promise<ModelInfo[]> {
    return Promise.all(this.keys().map((k) => this.model(k)))
  }

  /** The version an alias names, with its lineage, or null (what `modelAlias` sources read). */
  async alias(key: string, alias: string): Promise<AliasTarget | null> {
    const model = this.#model(key)
    const [move] = await this.#moves(key, { alias, limit: 1 })
    if (move === undefined) return null
    const version = (await this.#versions(key)).find((v) => v.version === move.version)
    if (version === undefined) return null
    return {
      key,
      name: model.name,
      alias,
      version: version.version,
      dataVersion: version.dataVersion,
      recordId: move.recordId,
      runId: version.runId,
      storagePath: version.storagePath,
      metrics: version.metrics,
      movedAt: move.movedAt,
      reason: move.reason,
    }
  }

  /**
   * Moves `alias` to a version (default the newest) when the gate passes (or `force` with a reason);
   * refuses with every rule's numbers otherwise. Compare and set: a concurrent move makes it fail.
   */
  async promote(key: string, options: PromoteOptions): Promise<AliasChange> {
    const model = this.#model(key)
    const { alias } = options
    if (!ALIAS.test(alias)) throw badAlias(key, alias)
    const forced = options.force === true
    if (forced && (options.reason === undefined || options.reason.trim() === '')) throw forceNeedsReason(key, alias)
    const [versions, moves] = await Promise.all([this.#versions(key), this.#moves(key, { alias })])
    if (versions.length === 0) throw noVersions(key)
    const latest = versions[versions.length - 1]!
    const candidate = options.version === undefined ? latest : versions[options.version - 1]
    if (candidate === undefined || !Number.isInteger(options.version ?? 1))
      throw unknownVersion(key, options.version ?? 0, latest.version)
    if (candidate.collectedAt !== null) throw versionCollected(key, candidate.version, candidate.collectedAt)
    const from = moves[0]?.version ?? null
    const current = from === null ? undefined : versions[from - 1]
    const checks = checkGate(model.gate, {
      alias,
      candidate,
      ...(current === undefined ? {} : { current }),
    })
    if (from === candidate.version) return { key, alias, from, to: from, moved: false, checks, forced: false }
    if (!forced && checks.some((c) => !c.passed)) throw gateRefused(key, alias, candidate.version, checks)
    const move = await this.#move(key, alias, candidate, 'promote', from, options)
    return { key, alias, from, to: candidate.version, moved: true, checks, forced, move }
  }

  /** Undoes the promotion that made the alias's current version: it names the version before again. */
  async rollback(key: string, options: { alias: string; reason?: string; actor?: string }): Promise<AliasChange> {
    this.#model(key)
    const { alias } = options
    if (!ALIAS.test(alias)) throw badAlias(key, alias)
    const [versions, moves] = await Promise.all([this.#versions(key), this.#moves(key, { alias })])
    const stack = aliasStack([...moves].reverse())
    const from = stack[stack.length - 1] ?? null
    const to = stack[stack.length - 2]
    if (from === null || to === undefined) throw nothingToRollBack(key, alias, from)
    const target = versions[to - 1]
    if (target === undefined) throw unknownVersion(key, to, versions.length)
    if (target.collectedAt !== null) throw versionCollected(key, to, target.collectedAt)
    const move = await this.#move(key, alias, target, 'rollback', from, options)
    return { key, alias, from, to, moved: true, checks: [], forced: false, move }
  }

  async #move(
    key: string,
    alias: string,
    version: ModelVersion,
    action: 'promote' | 'rollback',
    expect: number | null,
    options: { reason?: string; actor?: string },
  ): Promise<AliasMoveRecord> {
    const store = this.#store
    if (store.moveModelAlias === undefined) throw registryUnsupported()
    // Keep the artifact of every version an alias names (a rollback may need it again), first.
    await store.pin(key, { runId: version.runId, note: `model ${alias} v${version.version}` })
    const move = await store.moveModelAlias({
      key,
      alias,
      version: version.version,
      recordId: version.recordId,
      action,
      expect,
      ...(options.reason === undefined ? {} : { reason: options.reason }),
      actor: options.actor ?? defaultActor(),
    })
    await this.#moved?.({ key, name: this.#model(key).name, move, version })
    return move
  }

  #model(key: string): NormalizedModel {
    const model = this.#models.get(key)
    if (model === undefined) throw notAModel(key, this.keys())
    return model
  }

  async #versions(key: string): Promise<ModelVersion[]> {
    return versionsOf(await this.#store.assetHistory(key, { limit: 1_000_000 }))
  }

  async #moves(key: string, opts: { alias?: string; limit?: number } = {}): Promise<AliasMoveRecord[]> {
    if (this.#store.modelAliasMoves === undefined) throw registryUnsupported()
    return this.#store.modelAliasMoves(key, opts)
  }
}

function defaultActor(): string {
  try {
    return `${os.userInfo().username}@${os.hostname()}`
  } catch {
    return os.hostname()
  }
}
