/**
 * What the tick engine hands the condition evaluator: the facts of each asset with a condition
 * (from the core's status report in one native call, the loaded records, the leases read in one
 * query and the stored memory) and the lazy reads (records, older values, metrics) with a cache per
 * tick, so two nodes reading the same history cost one store query.
 */
import type { AssetFacts, EvaluationReads } from '../automation/evaluate.js'
import { conditionReferences } from '../definitions/automation.js'
import type { AssetDef, SourceDef } from '../definitions/index.js'
import type { IOManager } from '../io/types.js'
import type { Store } from '../store/store.js'
import type { HistoryRecord } from '../store/types.js'
import { valueNotStored } from './errors.js'
import { causeKindName } from './explain.js'
import { partitionFacts } from './partition-select.js'
import type { AssetId } from './planner.js'
import type { ProjectState } from './project-state.js'
import { userCode } from './user-code.js'

/**
 * The facts of `ids` (assets with a condition), in order.
 *
 * @example
 * const facts = assetFacts(state, ids, (key) => key === 'model', () => undefined)
 */
export function assetFacts(
  st: ProjectState,
  ids: readonly AssetId[],
  inProgress: (key: string) => boolean,
  lastRequestedAt: (key: string) => number | undefined,
): AssetFacts[] {
  if (ids.length === 0) return []
  const { statuses, causes, noDep } = st.statusesOf(ids)
  const out = new Array<AssetFacts>(ids.length)
  for (let row = 0; row < ids.length; row++) {
    const id = ids[row]!
    const a = st.asset(id)
    const list: AssetFacts['causes'] = []
    for (let c = causes.offsets[row]!; c < causes.offsets[row + 1]!; c++) {
      const dep = causes.deps[c]!
      list.push(
        dep === noDep
          ? { kind: causeKindName(causes.kinds[c]!) }
          : {
              kind: causeKindName(causes.kinds[c]!),
              dep: dep < st.size ? st.asset(dep as AssetId).key : st.keyOf(dep),
            },
      )
    }
    // What the last materialization consumed: read by data_amount and drift only.
    const consumed = readsConsumed(a.def) ? st.consumedInputs(id) : undefined
    let unobservable = false
    const depIds = st.depIds(id)
    const inputs = new Array<AssetFacts['inputs'][number]>(depIds.length)
    for (let k = 0; k < depIds.length; k++) {
      const d = a.deps[k]!
      const depId = depIds[k]! as AssetId
      const current = st.dataVersion(depId)
      if (st.asset(depId).isSource && st.observation(d.key)?.ok === false) unobservable = true
      inputs[k] = {
        name: d.name,
        key: d.key,
        current: current === '' ? undefined : current,
        consumed: consumed?.get(d.key),
      }
    }
    const f: AssetFacts = {
      key: a.key,
      status: unobservable ? 'unobservable' : statuses[row]!,
      causes: list,
      lastMaterializedAt: st.lastFinishedAt(id),
      inputs,
      inProgress: inProgress(a.key),
      lastRequestedAt: lastRequestedAt(a.key),
    }
    // Added only to partitioned assets' facts (a spread here would slow every asset's object down).
    if (st.partitionsOf(id) !== undefined) f.partitions = partitionFacts(st, id)
    out[row] = f
  }
  return out
}

const consumers = new WeakMap<object, boolean>()

/** Whether an asset's condition has a node that reads the data versions its last run consumed. */
function readsConsumed(def: AssetDef | SourceDef): boolean {
  if (def.kind !== 'asset' || def.automation === undefined) return false
  const node = def.automation.node
  let reads = consumers.get(node)
  if (reads === undefined) consumers.set(node, (reads = conditionReferences(node).inputs.length > 0))
  return reads
}

/** How many records of an asset one read of its history looks at. */
const HISTORY_LIMIT = 10_000

/**
 * Lazy reads for one tick, cached per key: records and values from the store and the IO managers,
 * metrics from the store.
 *
 * @example
 * const reads = tickReads({ state, store, io, projectDir, now: Date.now() })
 * await reads.value('features', dataVersion)
 */
export function tickReads(scope: {
  state: ProjectState
  store: Store
  io: IOManager
  projectDir: string
  /** The tick's time (epoch ms). */
  now: number
}): EvaluationReads {
  const histories = new Map<string, Promise<HistoryRecord[]>>()
  const values = new Map<string, Promise<unknown>>()
  const history = (key: string): Promise<HistoryRecord[]> => {
    let h = histories.get(key)
    if (h === undefined) histories.set(key, (h = scope.store.assetHistory(key, { limit: HISTORY_LIMIT })))
    return h
  }
  return {
    async records(key, since, limit) {
      const all = (await history(key))
        .filter((r) => r.wipedAt === null)
        .map((r) => ({ dataVersion: r.dataVersion, finishedAt: Date.parse(r.finishedAt), metadata: r.metadata }))
      // A source's observation is recorded by the next run; until then it is the newest "record".
      const obs = scope.state.observation(key)
      if (obs?.ok === true && obs.version !== all[0]?.dataVersion)
        all.unshift({ dataVersion: obs.version, finishedAt: scope.now, metadata: obs.metadata ?? null })
      const at = since === undefined ? -1 : all.findIndex((r) => r.dataVersion === since)
      return (at < 0 ? all : all.slice(0, at + 1)).slice(0, limit)
    },
    value(key, dataVersion) {
      const id = `${key}@${dataVersion}`
      let v = values.get(id)
      if (v === undefined) values.set(id, (v = readValue(scope, key, dataVersion, history)))
      return v
    },
    async metric(key, name, limit) {
      return (await scope.store.metricHistory(key, name, { limit })).map((p) => p.value)
    },
  }
}

async function readValue(
  scope: { state: ProjectState; io: IOManager; projectDir: string },
  key: string,
  dataVersion: string,
  history: (key: string) => Promise<HistoryRecord[]>,
): Promise<unknown> {
  const id = scope.state.idOf(key)
  const a = id === undefined ? undefined : scope.state.asset(id)
  if (a?.isSource)
    throw valueNotStored(key, dataVersion, 'it is a source, whose values Rivers observes but does not store')
  const record = (await history(key)).find((r) => r.dataVersion === dataVersion && r.storagePath !== null)
  if (record === undefined) throw valueNotStored(key, dataVersion, 'no record with a stored artifact has it')
  if (record.collectedAt !== null) throw valueNotStored(key, dataVersion, 'its artifact was collected by gc')
  const io = ((a?.def as AssetDef | undefined)?.io as IOManager | undefined) ?? scope.io
  return userCode({ key, projectDir: scope.projectDir }, 'io.read', () =>
    io.read({ key }, { storagePath: record.storagePath! }),
  )
}
