/**
 * Step 1 of a materialization: loading its inputs. A value and its data version always come from the
 * same place (this run's output, or one store record), so what is recorded as consumed is exactly
 * what the function saw, even while other runs write the same store (trace consistency).
 */
import { readFile } from 'node:fs/promises'

import { type AssetDef, type SourceDef, validateInput } from '../definitions/index.js'
import type { IOManager } from '../io/types.js'
import { inputNotRecorded, inputWithoutVersion, sourceUnobservable, sourceUnreadable } from './errors.js'
import type { AssetId } from './planner.js'
import type { RunContext, RunValue } from './run-context.js'
import { userCode } from './user-code.js'

/** The inputs of an asset by local name, and the data version of each dep consumed. */
export interface LoadedInputs {
  inputs: Record<string, unknown>
  consumed: [AssetId, string][]
}

/**
 * Loads (or takes from this run's values) every input of asset `id`, validated by the asset's
 * input schemas.
 *
 * @example
 * const { inputs, consumed } = await loadInputs(run, id)
 */
export async function loadInputs(run: RunContext, id: AssetId): Promise<LoadedInputs> {
  const st = run.state
  const a = st.asset(id)
  const def = a.def as AssetDef
  const inputs: Record<string, unknown> = {}
  const versions = new Map<AssetId, string>()
  for (const d of a.deps) {
    const depId = st.idOf(d.key)!
    const loaded = await loadInput(run, depId)
    if (loaded.version === '') throw inputWithoutVersion(a.key, d.key)
    versions.set(depId, loaded.version)
    inputs[d.name] = validateInput(def, d.name, loaded.value)
  }
  return { inputs, consumed: [...versions] }
}

async function loadInput(run: RunContext, depId: AssetId): Promise<RunValue> {
  const cached = run.values.get(depId)
  if (cached !== undefined) return cached
  const st = run.state
  const dep = st.asset(depId)
  const scope = { key: dep.key, runId: run.runId, projectDir: st.baseDir }
  let loaded: RunValue
  if (dep.isSource) {
    const obs = st.observation(dep.key)
    if (obs !== undefined && !obs.ok) throw sourceUnobservable(dep.key, obs.error)
    const def = dep.def as SourceDef
    const file = st.sourcePath(def)
    const load = def.load
    if (load === undefined && file === undefined) throw sourceUnreadable(dep.key)
    const value =
      load !== undefined
        ? await userCode(scope, 'load', () =>
            load({
              runId: run.runId,
              key: dep.key,
              path: file,
              log: run.log.child({ asset: dep.key }),
              signal: run.signal,
            }),
          )
        : await readFile(file!)
    loaded = { value, version: st.dataVersion(depId) }
  } else {
    const record = await run.store.currentRecord(dep.key)
    if (record === undefined) throw inputNotRecorded(dep.key)
    const io = ((dep.def as AssetDef).io as IOManager | undefined) ?? run.io
    const value = await userCode(scope, 'io.read', () => io.read({ key: dep.key }, { storagePath: record.storagePath }))
    loaded = { value, version: record.dataVersion }
  }
  run.values.set(depId, loaded)
  return loaded
}
