/**
 * `@rivers-orchestrator/rivers/testing`: unit-test an asset the way a run would run it. `runAsset`
 * runs one asset with its inputs given as values (typed from the asset's deps), its config
 * defaults applied and overrides validated as a run config is, a real context, its checks, and its
 * output validated and encoded by the IO manager, in a temporary store removed afterwards.
 * `runAssets` runs a few assets of a project the same way, with upstream values given.
 *
 * @example
 * import { runAsset } from '@rivers-orchestrator/rivers/testing'
 * const r = await runAsset(total, { inputs: { raw: [1, 2, 3] } })
 * console.log(r.value) // 6
 */
import {
  type AssetDef,
  type ConfigInputOf,
  type InputsOfAsset,
  isSourceDef,
  type Project,
  type ResolvedAsset,
  type SourceDef,
  type ValueOf,
} from '../definitions/index.js'
import { isMappedDep } from '../definitions/handles.js'
import { closest } from '../definitions/suggest.js'
import {
  missingTestInput,
  missingTestValue,
  notSelected,
  sourceSelected,
  unexpectedTestInput,
  unexpectedTestValue,
  unknownTestAsset,
} from './errors.js'
import { type AssetTestResult, runSelection, type TestRunOptions } from './run.js'

export type { AssetTestResult, TestRunOptions } from './run.js'
export type { LogRecord } from '../log-read.js'

/**
 * Options of `runAsset` for an asset whose inputs are `In` and whose run config is `Cfg`.
 *
 * @example
 * const options: RunAssetOptions<{ raw: number[] }, { scale?: number }> = { inputs: { raw: [1] }, config: { scale: 2 } }
 */
export interface RunAssetOptions<In, Cfg> extends TestRunOptions {
  /** The asset's inputs by input name (the names of its `deps`), typed as its function receives them. */
  inputs: In
  /** Run config of the asset (`z.input` of its schema: defaulted fields may be left out). */
  config?: Cfg
}

/** `runAsset`'s options argument: optional when the asset has no inputs. */
type RunAssetArgs<H> = keyof InputsOfAsset<H> extends never
  ? [options?: Partial<RunAssetOptions<InputsOfAsset<H>, ConfigInputOf<H>>>]
  : [options: RunAssetOptions<InputsOfAsset<H>, ConfigInputOf<H>>]

/**
 * Runs one asset with its inputs given as values, in a temporary store, and resolves to what it
 * produced: `value` (typed from the handle, read back through the IO manager), `metadata`,
 * `metrics`, `checks` and `logs`. Rejects, with the run's own error text, when the asset fails (it
 * throws, a blocking check fails, its output is refused), and before running for a missing or
 * unknown input or an invalid config.
 *
 * @example
 * const raw = asset({ key: 'raw' }, () => [1, 2, 3])
 * const total = asset({ key: 'total', deps: { raw } }, ({ raw }) => raw.reduce((a, b) => a + b, 0))
 * const r = await runAsset(total, { inputs: { raw: [4, 5] } })
 * console.log(r.value + 1, r.metadata.bytes)
 */
export async function runAsset<H extends AssetDef<any, any, any>>(
  asset: H,
  ...args: RunAssetArgs<H>
): Promise<AssetTestResult<ValueOf<H>>> {
  const options = (args[0] ?? {}) as Partial<RunAssetOptions<Record<string, unknown>, unknown>>
  const def = asset as AssetDef
  const inputs = options.inputs ?? {}
  const deps = Object.entries(def.deps).map(([name, dep]) => ({
    name,
    key: typeof dep === 'string' ? dep : dep.key,
    mapping: isMappedDep(dep) ? dep.mapping : undefined,
    many: isMappedDep(dep),
  }))
  const names = deps.map((d) => d.name)
  for (const name of Object.keys(inputs)) if (!names.includes(name)) throw unexpectedTestInput(def.key, name, names)
  const values = new Map<string, unknown>()
  for (const d of deps) {
    if (!Object.hasOwn(inputs, d.name)) throw missingTestInput(def.key, d.name, d.key)
    if (!values.has(d.key)) values.set(d.key, inputs[d.name])
  }
  const { results } = await runSelection(
    {
      assets: [{ key: def.key, def, deps }],
      values,
      sources: [],
      config: options.config === undefined ? undefined : { [def.key]: options.config },
      settings: {},
    },
    options,
  )
  return results.get(def.key) as AssetTestResult<ValueOf<H>>
}

/** Options of `runAssets`. */
export interface RunAssetsOptions extends TestRunOptions {
  /** The assets to run: keys or handles of the project's assets. */
  select: readonly (string | AssetDef<any, any, any>)[]
  /**
   * Values of the selection's upstream assets and sources, by key. Every upstream asset outside the
   * selection must be given; a source not given is observed and read as in a real run.
   */
  values?: Record<string, unknown>
  /** Run config by asset key, as `assets materialize --config` takes it. */
  config?: Record<string, unknown>
}

/** What `runAssets` produced: each selected asset's result, by key, and a typed accessor. */
export interface RunAssetsResult {
  /** Results by asset key. */
  assets: Record<string, AssetTestResult>
  /** The result of one selected asset, typed from its handle. */
  get<H extends AssetDef<any, any, any>>(asset: H): AssetTestResult<ValueOf<H>>
}

/**
 * Runs a small selection of a project in a temporary store, upstream values given, in one real run
 * (the selected assets feed each other as in `assets materialize`). Rejects when an asset fails or
 * does not run, and before running for an unknown key, a missing or unused value, or an invalid config.
 *
 * @example
 * const raw = asset({ key: 'raw' }, () => [1, 2, 3])
 * const total = asset({ key: 'total', deps: { raw } }, ({ raw }) => raw.reduce((a, b) => a + b, 0))
 * const r = await runAssets(defineProject({ assets: [total] }), { select: [total], values: { raw: [1, 1] } })
 * console.log(r.get(total).value) // 2
 */
export async function runAssets(project: Project, options: RunAssetsOptions): Promise<RunAssetsResult> {
  const selected = options.select.map((s) => selectedAsset(project, typeof s === 'string' ? s : s.key))
  const keys = new Set(selected.map((a) => a.key))
  const given = options.values ?? {}
  const values = new Map<string, unknown>()
  const sources = new Map<string, SourceDef>()
  for (const a of selected) {
    for (const d of a.deps) {
      if (keys.has(d.key)) continue
      if (Object.hasOwn(given, d.key)) values.set(d.key, given[d.key])
      else {
        const dep = project.byKey.get(d.key)!.def
        if (!isSourceDef(dep)) throw missingTestValue(a.key, d.key)
        sources.set(d.key, dep)
      }
    }
  }
  for (const key of Object.keys(given)) if (!values.has(key)) throw unexpectedTestValue(key, [...keys])
  const { results } = await runSelection(
    {
      assets: selected,
      values,
      sources: [...sources.values()],
      config: options.config,
      settings: {
        ...(project.io === undefined ? {} : { io: project.io }),
        ...(project.retry === undefined ? {} : { retry: project.retry }),
        ...(project.launcher === undefined ? {} : { launcher: project.launcher }),
      },
    },
    options,
  )
  const assets = Object.fromEntries(results)
  return {
    assets,
    get: <H extends AssetDef<any, any, any>>(asset: H) => {
      const key = (asset as AssetDef).key
      const r = results.get(key)
      if (r === undefined) throw notSelected(key, [...keys])
      return r as AssetTestResult<ValueOf<H>>
    },
  }
}

function selectedAsset(project: Project, key: string): ResolvedAsset {
  const a = project.byKey.get(key)
  if (a === undefined) throw unknownTestAsset(key, closest(key, project.byKey.keys()))
  if (a.isSource) throw sourceSelected(key)
  return a
}
