/**
 * Observing sources: each source's data version is its `observe` function's answer, else the
 * content hash of its file. File sources are hashed in one parallel native call; a failure is kept
 * per source (consumers fail when they need it), never thrown.
 */
import { readFileSync } from 'node:fs'
import path from 'node:path'

import type { Logger } from 'pino'

import { checkObservation, type ModelAliases, type ResolvedAsset, type SourceDef } from '../definitions/index.js'
import { observationWithoutVersion, sourceWithoutObservation } from './errors.js'
import { nativeModule } from '../native.js'
import { userCode } from './user-code.js'

/** Result of observing one source. */
export type Observed = { ok: true; version: string; metadata?: Record<string, unknown> } | { ok: false; error: unknown }

/** What an observation runs with. */
export interface ObserveScope {
  runId: string
  log: Logger
  signal: AbortSignal
  /** Folder that relative source paths are resolved against (the project file's folder). */
  baseDir: string
  /** The model registry's aliases (what `modelAlias` sources read). */
  models: ModelAliases
}

/**
 * The file of a source, resolved against the project file's folder (`undefined` without a path).
 *
 * @example
 * sourcePath(def, '/project') // '/project/data/orders.csv' for path 'data/orders.csv'
 */
export function sourcePath(def: SourceDef, baseDir: string): string | undefined {
  return def.path === undefined ? undefined : path.resolve(baseDir, def.path)
}

/**
 * Observes every source of `sources`; returns each one's observation by key. Sources reported by a
 * sensor (`reportedBy`) are not observed: their data version is their latest recorded report.
 *
 * @example
 * const observed = await observeSources(project.assets.filter((a) => a.isSource), scope)
 */
export async function observeSources(
  given: readonly ResolvedAsset[],
  scope: ObserveScope,
): Promise<Map<string, Observed>> {
  const out = new Map<string, Observed>()
  const sources = given.filter((a) => (a.def as SourceDef).reportedBy === undefined)
  const { hashFiles, hashBytes, hashFile, hashStrings } = nativeModule()
  const byFile = sources.filter(
    (a) => (a.def as SourceDef).observe === undefined && (a.def as SourceDef).path !== undefined,
  )
  if (byFile.length > 0) {
    const paths = byFile.map((a) => sourcePath(a.def as SourceDef, scope.baseDir)!)
    // One parallel native call for every file; if one fails, hash one by one to know which.
    const hashes = (await hashFiles(paths).catch(() => undefined)) as string[] | undefined
    byFile.forEach((a, i) => {
      if (hashes !== undefined) return out.set(a.key, { ok: true, version: hashes[i]! })
      try {
        out.set(a.key, { ok: true, version: hashBytes(readFileSync(paths[i]!)) })
      } catch (error) {
        out.set(a.key, { ok: false, error })
      }
    })
  }
  for (const a of sources) {
    const def = a.def as SourceDef
    if (def.observe === undefined) {
      if (def.path === undefined) out.set(a.key, { ok: false, error: sourceWithoutObservation(a.key) })
      continue
    }
    const observe = def.observe
    try {
      const file = sourcePath(def, scope.baseDir)
      const raw = await userCode({ key: a.key, runId: scope.runId, projectDir: scope.baseDir }, 'observe', () =>
        observe({
          runId: scope.runId,
          key: a.key,
          path: file,
          log: scope.log.child({ asset: a.key }),
          signal: scope.signal,
          models: scope.models,
        }),
      )
      const obs = checkObservation(def, raw)
      let version: string
      if (obs.dataVersion !== undefined) version = hashStrings('data-version', [obs.dataVersion])
      else if (file !== undefined) version = hashFile(file)
      else throw observationWithoutVersion(a.key)
      out.set(
        a.key,
        obs.metadata === undefined ? { ok: true, version } : { ok: true, version, metadata: { ...obs.metadata } },
      )
    } catch (error) {
      out.set(a.key, { ok: false, error })
    }
  }
  return out
}
