/**
 * The store's latest records, turned into the typed arrays the core loads in one call, plus what
 * the engine keeps per asset (last run, data version) for status output and input loading.
 */
import type { RecordsInit } from '@rivers-orchestrator/native'

import type { LatestRecords } from '../store/types.js'

/** The native `loadRecords` / `applyRecords` argument (the binding's generated type). */
export type RecordsArrays = RecordsInit

/** What the engine remembers of an asset's latest record. */
export interface LastRecord {
  runId: string
  at: string
  dataVersion: string
  kind: 'materialization' | 'observation'
}

/**
 * Maps the store's columnar latest records onto graph ids. Records of keys that are no longer
 * assets are dropped; recorded deps that are no longer assets become extern keys (`dep_removed`).
 * Cost: one pass over records and their inputs; no per-asset objects cross into the core.
 *
 * @example
 * const { arrays, last } = recordsToArrays(store.latestRecords(), ids)
 * graph.loadRecords(arrays)
 */
export function recordsToArrays(
  latest: LatestRecords,
  ids: ReadonlyMap<string, number>,
): { arrays: RecordsArrays; last: Map<string, LastRecord> } {
  const n = ids.size
  const keep: number[] = []
  const m = latest.keys.length
  for (let r = 0; r < m; r++) if (ids.has(latest.keys[r]!)) keep.push(r)
  const k = keep.length
  const out = {
    ids: new Uint32Array(k),
    codeVersions: new Uint8Array(16 * k),
    configHashes: new Uint8Array(16 * k),
    dataVersions: new Uint8Array(16 * k),
    depOffsets: new Uint32Array(k + 1),
  }
  let depCount = 0
  for (const r of keep) depCount += latest.depOffsets[r + 1]! - latest.depOffsets[r]!
  const deps = new Uint32Array(depCount)
  const depVersions = new Uint8Array(16 * depCount)
  const externs = new Map<string, number>()
  const last = new Map<string, LastRecord>()
  let d = 0
  keep.forEach((r, i) => {
    const key = latest.keys[r]!
    out.ids[i] = ids.get(key)!
    out.codeVersions.set(latest.codeVersions.subarray(16 * r, 16 * r + 16), 16 * i)
    out.configHashes.set(latest.configHashes.subarray(16 * r, 16 * r + 16), 16 * i)
    out.dataVersions.set(latest.dataVersions.subarray(16 * r, 16 * r + 16), 16 * i)
    for (let j = latest.depOffsets[r]!; j < latest.depOffsets[r + 1]!; j++) {
      const depKey = latest.depKeys[j]!
      let id = ids.get(depKey)
      if (id === undefined) {
        let e = externs.get(depKey)
        if (e === undefined) {
          e = externs.size
          externs.set(depKey, e)
        }
        id = n + e
      }
      deps[d] = id
      depVersions.set(latest.depVersions.subarray(16 * j, 16 * j + 16), 16 * d)
      d++
    }
    out.depOffsets[i + 1] = d
    last.set(key, {
      runId: latest.runIds[r]!,
      at: latest.finishedAt[r]!,
      dataVersion: latest.dataVersions.subarray(16 * r, 16 * r + 16).toString('hex'),
      kind: latest.kinds[r]!,
    })
  })
  const arrays: RecordsArrays = { ...out, deps, depVersions }
  if (externs.size > 0) arrays.externKeys = [...externs.keys()].join('\n')
  return { arrays, last }
}

/**
 * One record as the native `applyRecords` argument.
 *
 * @example
 * graph.applyRecords(singleRecord(id, code, config, data, [[depId, depVersion]]))
 */
export function singleRecord(
  id: number,
  codeVersion: string,
  configHash: string,
  dataVersion: string,
  inputs: readonly (readonly [number, string])[],
): RecordsArrays {
  const depVersions = new Uint8Array(16 * inputs.length)
  inputs.forEach(([, v], i) => depVersions.set(Buffer.from(v, 'hex'), 16 * i))
  return {
    ids: Uint32Array.of(id),
    codeVersions: Buffer.from(codeVersion, 'hex'),
    configHashes: Buffer.from(configHash, 'hex'),
    dataVersions: Buffer.from(dataVersion, 'hex'),
    depOffsets: Uint32Array.of(0, inputs.length),
    deps: Uint32Array.from(inputs.map(([d]) => d)),
    depVersions,
  }
}
