/**
 * Running a few assets of a project in a temporary store, for tests: the assets' upstream values
 * are given, as sources whose `load` returns them, and everything else is a real run (`materialize`
 * of the selection: config resolved and validated, a real context, the output validated and
 * encoded by the IO manager, the checks evaluated). The results are read back as a user would:
 * the value through the IO manager, the record's metadata, metrics and checks, the run log's lines.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { Writable } from 'node:stream'

import {
  type AssetDef,
  type Dep,
  type IOManagerLike,
  type NormalizedRetry,
  type Project,
  type ProjectEntry,
  type ResolvedAsset,
  type RetryPolicy,
  type SourceDef,
  defineProject,
  source,
} from '../definitions/index.js'
import type { LogRecord } from '../log-read.js'
import { readRunLog } from '../log-read.js'
import { openWorkspace } from '../open.js'
import { assetFailedInTest, assetNotRunInTest } from './errors.js'

/** What one asset produced in a test run. */
export interface AssetTestResult<T = unknown> {
  key: string
  /** The stored value, read back through the asset's IO manager (what a consumer would get). */
  value: T
  /** Its data version (the content hash of the stored bytes, or the one the asset gave). */
  dataVersion: string
  /** The record's metadata: the spec's, what `ctx.addMetadata` added, and `bytes`. */
  metadata: Record<string, unknown>
  /** What `ctx.addMetric` recorded. */
  metrics: { name: string; value: number; step?: number }[]
  /** The asset's checks (non-blocking failures included; a blocking failure fails the asset). */
  checks: { name: string; passed: boolean; blocking: boolean; message?: string }[]
  /** The run log's records of this asset (its `ctx.log` lines and the engine's lines about it). */
  logs: LogRecord[]
}

/** Options shared by `runAsset` and `runAssets`. */
export interface TestRunOptions {
  /** Folder relative source paths and code locations are resolved against (default: the current one). */
  projectDir?: string
  /** Lowest level kept in `logs` (default `debug`). */
  logLevel?: 'trace' | 'debug' | 'info' | 'warn' | 'error'
  /** Keep the temporary store folder (its path is in the result) instead of removing it. */
  keepStore?: boolean
}

/** What `runSelection` runs: the selected assets, the values they are given, the run config. */
export interface Selection {
  /** Assets to run, with their deps by input name and key. */
  assets: readonly Pick<ResolvedAsset, 'key' | 'def' | 'deps'>[]
  /** Upstream key -> the value its consumers get. */
  values: ReadonlyMap<string, unknown>
  /** Upstream sources kept as they are (read from their files), by key. */
  sources: readonly SourceDef[]
  /** Run config by asset key. */
  config: Record<string, unknown> | undefined
  /** The project's settings that matter to a run. */
  settings: { io?: IOManagerLike; retry?: NormalizedRetry; launcher?: Project['launcher'] }
}

/** The results of a test run, by key, and the store it ran in (removed unless kept). */
export interface SelectionResult {
  runId: string
  storeDir: string
  results: Map<string, AssetTestResult>
}

/**
 * Runs a selection in a fresh temporary store and reads back each asset's value, record and logs.
 * Rejects when an asset failed or did not run, with the run's own error text.
 *
 * @example
 * const { results } = await runSelection({ assets: [resolved], values: new Map([['raw', [1, 2]]]), sources: [], config: undefined, settings: {} }, {})
 */
export async function runSelection(sel: Selection, options: TestRunOptions): Promise<SelectionResult> {
  const project = testProject(sel)
  const storeDir = mkdtempSync(path.join(tmpdir(), 'rivers-test-'))
  try {
    const ws = await openWorkspace(project, {
      storeDir,
      projectDir: options.projectDir ?? process.cwd(),
      logLevel: options.logLevel ?? 'debug',
      logDestination: discard(),
    })
    try {
      const keys = sel.assets.map((a) => a.key)
      const summary = await ws.materialize({
        select: keys,
        force: true,
        ...(sel.config === undefined ? {} : { config: sel.config }),
      })
      const failed = summary.failed[0]
      if (failed !== undefined) throw assetFailedInTest(failed.key, failed.error)
      const skipped = summary.skipped[0]
      if (skipped !== undefined) throw assetNotRunInTest(skipped.key, skipped.reason)
      const lines = await readRunLog(storeDir, summary.runId, {})
      const results = new Map<string, AssetTestResult>()
      for (const key of keys) {
        const record = (await ws.show(key, { limit: 1 })).history[0]!
        results.set(key, {
          key,
          value: await ws.load(key),
          dataVersion: record.dataVersion,
          metadata: record.metadata,
          metrics: record.metrics,
          checks: record.checks,
          logs: lines.filter((l) => l.asset === key),
        })
      }
      return { runId: summary.runId, storeDir, results }
    } finally {
      await ws.close()
    }
  } finally {
    if (options.keepStore !== true) rmSync(storeDir, { recursive: true, force: true })
  }
}

/** The project of a test run: the selected assets with their deps by key, and the given values as sources. */
function testProject(sel: Selection): Project {
  const entries: ProjectEntry[] = [...sel.sources]
  for (const [key, value] of sel.values) entries.push(givenValue(key, value))
  for (const a of sel.assets) entries.push(byKeys(a))
  return defineProject({
    assets: entries,
    ...(sel.settings.io === undefined ? {} : { io: sel.settings.io }),
    ...(sel.settings.launcher === undefined ? {} : { launcher: sel.settings.launcher }),
    ...(sel.settings.retry === undefined ? {} : { retry: retryPolicy(sel.settings.retry) }),
  })
}

/** The project's normalized retry policy, as `defineProject` takes it again. */
function retryPolicy(r: NormalizedRetry): RetryPolicy {
  return {
    maxRetries: r.maxRetries,
    delay: r.delayMs,
    backoff: r.backoff,
    jitter: r.jitter,
    ...(r.retryOn === undefined ? {} : { retryOn: r.retryOn }),
  }
}

/** A given value, as a source its consumers load it from (no store round trip, as a value of this run). */
function givenValue(key: string, value: unknown): SourceDef {
  return source({ key, observe: () => ({ dataVersion: 'given-by-test' }), load: () => value })
}

/** The asset itself, its deps named by key (so the project takes the given values, not the handles' assets). */
function byKeys(a: Pick<ResolvedAsset, 'def' | 'deps'>): AssetDef {
  const def = a.def as AssetDef
  const deps: Record<string, Dep> = {}
  for (const d of a.deps) deps[d.name] = d.key
  return Object.freeze({ ...def, deps: Object.freeze(deps) }) as AssetDef
}

/** Where the run's stderr log lines go: nowhere (they are in the run log, and in `logs`). */
function discard(): Writable {
  return new Writable({ write: (_chunk, _encoding, done) => done() })
}
