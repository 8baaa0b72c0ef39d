/**
 * Feeding generated graphs and states to the native planner (`@rivers-orchestrator/native`): the same steps the
 * library takes (keys joined by newlines, CSR typed arrays, records in one batch).
 */
import { NativeGraph, type GraphInit } from '@rivers-orchestrator/native'
import type { CsrGraph } from './graphs.js'
import type { RecordBatch } from './baselines/types.js'

export { NativeGraph }

/**
 * Builds the native graph from JS keys, the way a project hands it over: `keys.join('\n')` and the
 * napi call, with sources and labels when the graph has them.
 * @example const ng = buildNative(dbt(100_000))
 */
export function buildNative(g: CsrGraph, withLabels = true): NativeGraph {
  const init: GraphInit = { keys: g.keys.join('\n'), depOffsets: g.depOffsets, deps: g.deps, sources: g.sources }
  if (withLabels && g.labels) {
    init.labels = g.labels.names.join('\n')
    init.labelOffsets = g.labels.offsets
    init.labelIds = g.labels.ids
  }
  return NativeGraph.build(init)
}

/**
 * A record batch in the binding's form (`externKeys` joined by newlines).
 * @example ng.loadRecords(nativeBatch(materialized(g).batch))
 */
export function nativeBatch(b: RecordBatch): Parameters<NativeGraph['loadRecords']>[0] {
  const { externKeys, ...rest } = b
  return externKeys && externKeys.length > 0 ? { ...rest, externKeys: externKeys.join('\n') } : rest
}
