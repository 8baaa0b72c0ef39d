/**
 * The shapes the condition evaluator works on (facts, lazy reads, memory, evaluated nodes) and the
 * helpers every node evaluator shares. Re-exported by evaluate.ts, the module users of the
 * evaluator import.
 */
import type { ConditionNode } from '../definitions/automation.js'

/**
 * One input of the asset: its current data version and the one the asset last consumed.
 *
 * @example
 * const i: InputFacts = { name: 'features', key: 'features', current: 'ab…', consumed: '12…' }
 */
export interface InputFacts {
  name: string
  key: string
  /** The input's current data version (hex), undefined when it has none. */
  current: string | undefined
  /** The data version the asset consumed at its last materialization, undefined when none (filled for the conditions that read it: data_amount, drift). */
  consumed: string | undefined
  /**
   * Whether the same tick already requested this input: it gets a new data version in the same run,
   * before this asset runs (so `eager` counts it as changed, and not as missing).
   */
  requested?: boolean
}

/**
 * What the tick engine knows of an asset when it evaluates its condition.
 *
 * @example
 * const f: AssetFacts = { key: 'model', status: 'stale', causes: [{ kind: 'upstream_data_changed', dep: 'features' }], lastMaterializedAt: 0, inputs: [], inProgress: false, lastRequestedAt: undefined }
 */
export interface AssetFacts {
  key: string
  status: 'missing' | 'stale' | 'fresh' | 'unobservable'
  causes: { kind: string; dep?: string }[]
  /** Epoch ms of its last materialization's finish; undefined when missing. */
  lastMaterializedAt: number | undefined
  inputs: InputFacts[]
  inProgress: boolean
  /** Epoch ms when the last automation-requested run of it started. */
  lastRequestedAt: number | undefined
  /** For a partitioned asset: its partitions by status (conditions then judge partitions, not the asset). */
  partitions?: PartitionFacts
}

/**
 * The partitions of a partitioned asset by status, with the first ranges of each (`FROM...TO`) and
 * why its first stale partition is stale.
 *
 * @example
 * const p: PartitionFacts = { total: 31, fresh: 29, stale: 1, missing: 1, staleRanges: ['2024-01-05'], missingRanges: ['2024-01-31'], staleCauses: ['upstream_data_changed'] }
 */
export interface PartitionFacts {
  total: number
  fresh: number
  stale: number
  missing: number
  /** The first (at most 3) ranges of stale partitions. */
  staleRanges: string[]
  /** The first (at most 3) ranges of missing partitions. */
  missingRanges: string[]
  /** The causes of the first stale partition (`code_changed`, `upstream_data_changed`, …). */
  staleCauses: string[]
}

/**
 * What conditions read lazily (only the nodes that need them call these; each is one store/IO read).
 *
 * @example
 * const rows = (await reads.records('raw', consumed, 100)).map((r) => r.metadata?.rows)
 */
export interface EvaluationReads {
  /** Records of `key` (newest first) down to and including the one with data version `since` (all when undefined), with metadata. */
  records(
    key: string,
    since: string | undefined,
    limit: number,
  ): Promise<{ dataVersion: string; finishedAt: number; metadata: Record<string, unknown> | null }[]>
  /** The value of `key` at data version `dataVersion` (through the IO manager of that record). */
  value(key: string, dataVersion: string): Promise<unknown>
  /** The latest `limit` values of a metric of `key`, oldest first. */
  metric(key: string, name: string, limit: number): Promise<number[]>
}

/**
 * Durable memory of one asset's condition tree between evaluations (stored by the tick engine as JSON).
 *
 * @example
 * const fresh: ConditionMemory = { evaluatedAt: undefined, nodes: {} }
 */
export interface ConditionMemory {
  /** Epoch ms of this asset's previous evaluation. */
  evaluatedAt: number | undefined
  /** Per node path ('0', '0.1', …): what the node keeps (since: last true/reset times; drift: past statistics, evaluations seen). */
  nodes: Record<string, unknown>
}

/**
 * One evaluated node: its value, a label people read and the values that decided it.
 *
 * @example
 * const n: EvaluatedNode = { kind: 'eager', path: '', value: true, label: 'eager: input features has a new data version' }
 */
export interface EvaluatedNode {
  kind: ConditionNode['kind']
  /** Node path in the tree ('' root, '0', '0.1', …). */
  path: string
  value: boolean
  /** Human-readable one-liner: "eager: input features has a new data version" / "drift ks(bill_length_mm)=0.31 > 0.2". */
  label: string
  /** The values that decided it (statistic, threshold, rows, cron tick, …), JSON. */
  details?: Record<string, unknown>
  children?: EvaluatedNode[]
}

/**
 * The result of one evaluation: whether to request a run, the tree, and the memory to store.
 *
 * @example
 * const { requested, tree, memory: next } = await evaluateCondition(node, facts, reads, memory, Date.now())
 */
export interface Evaluation {
  requested: boolean
  tree: EvaluatedNode
  memory: ConditionMemory
}

/**
 * What a node evaluator is given (internal to the automation evaluator).
 *
 * @example
 * const scope: NodeScope = { facts, reads, now, previous: memory, next: { evaluatedAt: now, nodes: {} } }
 */
export interface NodeScope {
  facts: AssetFacts
  reads: EvaluationReads
  now: number
  previous: ConditionMemory
  next: ConditionMemory
}

/**
 * The memory a node kept at `path` on the previous evaluation, if it was a node of the same kind.
 *
 * @example
 * const kept = recall<{ trueAt?: number }>(scope, '0', 'since')
 */
export function recall<T extends object>(scope: NodeScope, path: string, kind: string): T | undefined {
  const m = scope.previous.nodes[path]
  return typeof m === 'object' && m !== null && (m as { kind?: unknown }).kind === kind ? (m as T) : undefined
}

/**
 * Keeps `state` for the node at `path` until the next evaluation.
 *
 * @example
 * remember(scope, '0', 'since', { trueAt: now })
 */
export function remember(scope: NodeScope, path: string, kind: string, state: object): void {
  scope.next.nodes[path] = { kind, ...state }
}

/**
 * A duration people read: `850ms`, `42s`, `12m`, `3.5h`, `2d`.
 *
 * @example
 * formatMs(90_000) // '1.5m'
 */
export function formatMs(ms: number): string {
  const units: [number, string][] = [
    [86_400_000, 'd'],
    [3_600_000, 'h'],
    [60_000, 'm'],
    [1000, 's'],
  ]
  for (const [size, unit] of units) if (Math.abs(ms) >= size) return `${Number((ms / size).toFixed(1))}${unit}`
  return `${Math.round(ms)}ms`
}
