/**
 * The tick's fused path for the most common condition, a plain `when.eager()` on an unpartitioned
 * asset: the same tree the evaluator gives (automation/evaluate.ts builds both through
 * `eagerVerdict` and its siblings), read straight from the core's status columns and the project
 * state, without the facts objects, input lists and evaluation scopes the general path makes per
 * asset. A change reaches every eager descendant of what changed, so a tick evaluates this for
 * thousands of assets; automation-eager.test.ts checks both paths give the same decisions.
 */
import { eagerMissingInputs, eagerPlain, eagerVerdict, type EvaluatedNode } from '../automation/evaluate.js'
import type { ResolvedDep } from '../definitions/project.js'
import { nativeModule } from '../native.js'
import type { AssetId } from './planner.js'
import type { ProjectState } from './project-state.js'
import type { TickMemo } from './automation-memo.js'

/**
 * What the tick needs of one fused evaluation: its tree, the asset's status, its inputs without a
 * data version (undefined: none; requested in this tick, else the tree is false) and whether an
 * input was requested in this tick. Arguments, not an object: nothing more is made per asset.
 */
export type EagerOutcome = (
  row: number,
  tree: EvaluatedNode,
  status: 'missing' | 'stale' | 'fresh' | 'unobservable',
  unbuilt: readonly ResolvedDep[] | undefined,
  inputRequested: boolean,
) => void

/**
 * Which positions of `memo` take the fused path: a condition that is exactly `eager` (not inside
 * `and`/`or`…) on an unpartitioned asset. Computed once per memo.
 *
 * @example
 * const plain = plainEagerPositions(state, memo)
 * if (plain[p] === 1) evaluateEager(state, [memo.ids[p]!], requested, (row, tree) => console.log(tree.label))
 */
export function plainEagerPositions(st: ProjectState, memo: TickMemo): Uint8Array {
  const plain = new Uint8Array(memo.ids.length)
  for (let p = 0; p < plain.length; p++) {
    const id = memo.ids[p]!
    const def = st.asset(id).def
    if (def.kind === 'asset' && def.automation?.node.kind === 'eager' && st.partitionsOf(id) === undefined) plain[p] = 1
  }
  return plain
}

/**
 * Evaluates `eager` for `ids` (all plain eager, see `plainEagerPositions`), with the assets requested
 * so far in this tick marked in `requested` (by asset id); calls `each` per row, in order.
 *
 * @example
 * evaluateEager(state, ids, requested, (row, tree) => console.log(ids[row], tree.label))
 */
export function evaluateEager(
  st: ProjectState,
  ids: readonly AssetId[],
  requested: Uint8Array,
  each: EagerOutcome,
): void {
  if (ids.length === 0) return
  const { statuses, causes, noDep } = st.statusesOf(ids)
  const { dataChanged, depAdded } = causeCodes()
  const { kinds, deps: causeDeps, offsets } = causes
  for (let row = 0; row < ids.length; row++) {
    const id = ids[row]!
    const depIds = st.depIds(id)
    // The asset's dep list (names, keys) only when a label or the caller needs it: reading a few
    // flat arrays per input is what keeps this cheap at 100k assets.
    let deps: readonly ResolvedDep[] | undefined
    let missing: string[] | undefined
    let unbuilt: ResolvedDep[] | undefined
    let inputRequested = false
    let unobservable = false
    for (let k = 0; k < depIds.length; k++) {
      const depId = depIds[k]! as AssetId
      const req = requested[depId] === 1
      if (req) inputRequested = true
      if (!st.hasDataVersion(depId)) {
        deps ??= st.asset(id).deps
        ;(unbuilt ??= []).push(deps[k]!)
        if (!req) (missing ??= []).push(deps[k]!.name)
      }
      if (st.isSource(depId) && st.observation(st.asset(depId).key)?.ok === false) unobservable = true
    }
    const status = unobservable ? 'unobservable' : statuses[row]!
    let tree: EvaluatedNode
    if (missing !== undefined) tree = eagerMissingInputs(missing)
    else if (unobservable) tree = eagerPlain('unobservable')
    else if (status === 'missing' || st.lastFinishedAt(id) === undefined) tree = eagerPlain('never')
    else {
      let changed: string[] | undefined
      for (let c = offsets[row]!; c < offsets[row + 1]!; c++) {
        const kind = kinds[c]!
        if (kind !== dataChanged && kind !== depAdded) continue
        const dep = causeDeps[c]!
        let name: string
        if (dep === noDep) name = '?'
        else {
          name = dep < st.size ? st.asset(dep as AssetId).key : st.keyOf(dep)
          deps ??= st.asset(id).deps
          for (let k = 0; k < depIds.length; k++) if (depIds[k] === dep) name = deps[k]!.name // the last of that key
        }
        if (changed === undefined) changed = [name]
        else if (!changed.includes(name)) changed.push(name)
      }
      let upcoming: string[] | undefined
      if (inputRequested) {
        deps ??= st.asset(id).deps
        for (let k = 0; k < depIds.length; k++) {
          const name = deps[k]!.name
          if (requested[depIds[k]!] === 1 && (changed === undefined || !changed.includes(name)))
            (upcoming ??= []).push(name)
        }
      }
      tree = eagerVerdict(changed, upcoming)
    }
    each(row, tree, status, unbuilt, inputRequested)
  }
}

let codes: { dataChanged: number; depAdded: number } | undefined

function causeCodes(): { dataChanged: number; depAdded: number } {
  const { CauseKind: K } = nativeModule()
  codes ??= { dataChanged: K.UpstreamDataChanged, depAdded: K.DepAdded }
  return codes
}
