/**
 * The condition evaluator: a pure async function from a condition tree, the facts of one asset, lazy
 * reads (values, records, metrics) and the memory of its previous evaluation, to a decision, the
 * evaluated tree (each node's value, a one-line label and the values that decided it) and the new
 * memory. No store, no engine: the tick engine (engine/automation.ts) gathers the facts.
 *
 * Memory is kept per node path ('' root, '0', '0.1', …) with the node's kind, so a node whose tree
 * changed shape starts afresh instead of reading another node's memory.
 */
import { type CronSchedule, parseCron, previousCronTick } from '../definitions/cron.js'
import type { ConditionNode } from '../definitions/automation.js'
import { evaluateDataAmount, evaluateDrift, evaluatePerformance } from './evaluate-data.js'
import {
  type AssetFacts,
  type ConditionMemory,
  type EvaluatedNode,
  type Evaluation,
  type EvaluationReads,
  formatMs,
  type NodeScope,
  type PartitionFacts,
  recall,
  remember,
} from './scope.js'

export type {
  AssetFacts,
  ConditionMemory,
  EvaluatedNode,
  Evaluation,
  EvaluationReads,
  InputFacts,
  PartitionFacts,
} from './scope.js'

/**
 * Evaluates a condition tree for one asset.
 *
 * @example
 * const { requested, tree } = await evaluateCondition(when.eager().node, facts, reads, { evaluatedAt: undefined, nodes: {} }, Date.now())
 */
export async function evaluateCondition(
  node: ConditionNode,
  facts: AssetFacts,
  reads: EvaluationReads,
  memory: ConditionMemory,
  now: number,
): Promise<Evaluation> {
  const scope: NodeScope = { facts, reads, now, previous: memory, next: { evaluatedAt: now, nodes: {} } }
  const tree = await evaluateNode(node, '', scope)
  return { requested: tree.value, tree, memory: scope.next }
}

/**
 * The same, without a promise when the tree needs no read (no `dataAmount`, `drift` or
 * `performance` node): a tick evaluates many trees, most of them `eager` and the like.
 *
 * @example
 * const e = evaluateConditionNow(when.eager().node, facts, reads, { evaluatedAt: undefined, nodes: {} }, Date.now())
 * const { requested } = e instanceof Promise ? await e : e
 */
export function evaluateConditionNow(
  node: ConditionNode,
  facts: AssetFacts,
  reads: EvaluationReads,
  memory: ConditionMemory,
  now: number,
): Evaluation | Promise<Evaluation> {
  const scope: NodeScope = { facts, reads, now, previous: memory, next: { evaluatedAt: now, nodes: {} } }
  const tree = evaluateNode(node, '', scope)
  if (tree instanceof Promise) return tree.then((t) => ({ requested: t.value, tree: t, memory: scope.next }))
  return { requested: tree.value, tree, memory: scope.next }
}

const child = (path: string, i: number): string => (path === '' ? `${i}` : `${path}.${i}`)
const iso = (ms: number | undefined): string | null => (ms === undefined ? null : new Date(ms).toISOString())

type Evaluated = EvaluatedNode | Promise<EvaluatedNode>

function leafOf(kind: ConditionNode['kind'], path: string): Leaf {
  return (value, label, details) =>
    details === undefined ? { kind, path, value, label } : { kind, path, value, label, details }
}

function evaluateNode(node: ConditionNode, path: string, scope: NodeScope): Evaluated {
  const { facts, now } = scope
  const leaf = leafOf(node.kind, path)
  switch (node.kind) {
    case 'missing':
      if (facts.partitions !== undefined) return missingPartitions(facts.partitions, leaf)
      return facts.lastMaterializedAt === undefined
        ? leaf(true, 'missing: never materialized')
        : leaf(false, `missing: materialized at ${iso(facts.lastMaterializedAt)}`)
    case 'eager':
      return eager(facts, leaf, path)
    case 'code_changed':
    case 'config_changed': {
      const what = node.kind === 'code_changed' ? 'code version' : 'config hash'
      if (facts.lastMaterializedAt === undefined) return leaf(false, `${node.kind}: never materialized`)
      const changed = facts.causes.some((c) => c.kind === node.kind)
      return leaf(changed, `${node.kind}: its ${what} ${changed ? 'differs from' : 'matches'} its last materialization`)
    }
    case 'in_progress':
      return leaf(
        facts.inProgress,
        `in_progress: ${facts.inProgress ? 'a run holds its lease' : 'no run holds its lease'}`,
      )
    case 'on_cron':
      return onCron(node, scope, leaf)
    case 'time_since': {
      const last = facts.lastMaterializedAt
      if (last === undefined) return leaf(true, `time_since ${node.text}: never materialized`)
      const age = now - last
      return leaf(age > node.ms, `time_since ${node.text}: last materialized ${formatMs(age)} ago`, {
        lastMaterializedAt: iso(last),
        ageMs: age,
        ms: node.ms,
      })
    }
    case 'rate_limit': {
      const last = facts.lastRequestedAt
      if (last === undefined) return leaf(true, `rate_limit ${node.text}: no run requested by automation yet`)
      const age = now - last
      const ok = age >= node.ms
      return leaf(ok, `rate_limit ${node.text}: last automation run started ${formatMs(age)} ago`, {
        lastRequestedAt: iso(last),
        ageMs: age,
        ms: node.ms,
      })
    }
    case 'since':
      return since(node, path, scope)
    case 'and':
    case 'or':
    case 'ensemble': {
      const children = node.of.map((c, i) => evaluateNode(c, child(path, i), scope))
      if (children.some((c) => c instanceof Promise))
        return Promise.all(children).then((done) => combine(node, path, done))
      return combine(node, path, children as EvaluatedNode[])
    }
    case 'not': {
      const c = evaluateNode(node.of, child(path, 0), scope)
      return c instanceof Promise ? c.then(negate(path)) : negate(path)(c)
    }
    case 'data_amount':
      return evaluateDataAmount(node, path, scope)
    case 'drift':
      return evaluateDrift(node, path, scope)
    case 'performance':
      return evaluatePerformance(node, path, scope)
  }
}

type Leaf = (value: boolean, label: string, details?: Record<string, unknown>) => EvaluatedNode

/** `missing` of a partitioned asset: any partition never materialized (a new day, a new dynamic key). */
function missingPartitions(p: PartitionFacts, leaf: Leaf): EvaluatedNode {
  if (p.missing === 0) return leaf(false, `missing: all ${p.total} partitions materialized`)
  return leaf(true, `missing: ${p.missing} of ${p.total} partitions (${p.missingRanges.join(', ')})`, {
    missingPartitions: p.missing,
    ranges: p.missingRanges,
  })
}

/**
 * `eager` of a partitioned asset, judged per partition: true when a partition is missing, or stale
 * because an input it reads has new data (or an input is requested in this tick); a partition stale
 * only by a code or config change waits for `code_changed`/`config_changed`. The run then builds
 * exactly the missing and stale partitions.
 */
function eagerPartitions(facts: AssetFacts, leaf: Leaf): EvaluatedNode {
  const p = facts.partitions!
  const upcoming = facts.inputs.filter((i) => i.requested === true).map((i) => i.name)
  const byData = p.stale > 0 && p.staleCauses.some((c) => c === 'upstream_data_changed' || c === 'dep_added')
  const said: string[] = []
  if (p.missing > 0) said.push(`${p.missing} of ${p.total} partitions missing (${p.missingRanges.join(', ')})`)
  if (byData) said.push(`${p.stale} stale after new input data (${p.staleRanges.join(', ')})`)
  if (upcoming.length > 0)
    said.push(`input ${upcoming.join(', ')} ${upcoming.length === 1 ? 'is' : 'are'} requested in this tick`)
  const details = { missingPartitions: p.missing, stalePartitions: p.stale }
  if (said.length > 0) return leaf(true, `eager: ${said.join('; ')}`, details)
  if (p.stale > 0)
    return leaf(
      false,
      `eager: ${p.stale} partitions stale by ${p.staleCauses.join(', ')} only, not by new input data`,
      details,
    )
  return leaf(false, `eager: all ${p.total} partitions fresh`, details)
}

function eager(facts: AssetFacts, leaf: Leaf, path: string): EvaluatedNode {
  // Plain loops, and arrays only when something goes in: a tick evaluates this for every asset a
  // change reaches.
  const inputs = facts.inputs
  let missingInputs: string[] | undefined
  for (const i of inputs) if (i.current === undefined && i.requested !== true) (missingInputs ??= []).push(i.name)
  if (missingInputs !== undefined) return eagerMissingInputs(missingInputs, path)
  if (facts.status === 'unobservable') return eagerPlain('unobservable', path)
  if (facts.partitions !== undefined) return eagerPartitions(facts, leaf)
  if (facts.status === 'missing' || facts.lastMaterializedAt === undefined) return eagerPlain('never', path)
  let changed: string[] | undefined
  for (const c of facts.causes) {
    if (c.kind !== 'upstream_data_changed' && c.kind !== 'dep_added') continue
    let name = c.dep ?? '?'
    for (const i of inputs) if (i.key === c.dep) name = i.name // the last input of that key, as before
    if (changed === undefined) changed = [name]
    else if (!changed.includes(name)) changed.push(name)
  }
  let upcoming: string[] | undefined
  for (const i of inputs)
    if (i.requested === true && (changed === undefined || !changed.includes(i.name))) (upcoming ??= []).push(i.name)
  return eagerVerdict(changed, upcoming, path)
}

const EAGER_NEVER = 'eager: never materialized'

/** A node `eager` evaluates to (the same for the tick's fused path, engine/automation-eager.ts). */
function eagerNode(path: string, value: boolean, label: string, details?: Record<string, unknown>): EvaluatedNode {
  return details === undefined ? { kind: 'eager', path, value, label } : { kind: 'eager', path, value, label, details }
}

/**
 * `eager` of an unpartitioned asset with a record and every input built or requested, from the
 * names of its inputs with a new data version (`changed`) and of those requested in this tick but
 * not changed (`upcoming`); also `eager` of an asset never materialized (`never`) and of one whose
 * inputs `missing` have no data. The engine's fused path for plain `eager` conditions builds the
 * same trees through these.
 *
 * @example
 * eagerVerdict(['features'], undefined).label // 'eager: input features has a new data version'
 */
export function eagerVerdict(changed: string[] | undefined, upcoming: string[] | undefined, path = ''): EvaluatedNode {
  if (changed === undefined && upcoming === undefined)
    return eagerNode(path, false, 'eager: no input has a new data version')
  const news =
    changed === undefined
      ? ''
      : `input ${changed.join(', ')} ${changed.length === 1 ? 'has a new data version' : 'have new data versions'}`
  const soon =
    upcoming === undefined
      ? ''
      : `input ${upcoming.join(', ')} ${upcoming.length === 1 ? 'is' : 'are'} requested in this tick`
  const label = news === '' ? soon : soon === '' ? news : `${news}; ${soon}`
  const details: { changed?: string[]; requestedInputs?: string[] } = {}
  if (changed !== undefined) details.changed = changed
  if (upcoming !== undefined) details.requestedInputs = upcoming
  return eagerNode(path, true, `eager: ${label}`, details)
}

/**
 * `eager` of an asset whose inputs `missing` (names) have no data and are not requested.
 *
 * @example
 * eagerMissingInputs(['raw']).value // false
 */
export function eagerMissingInputs(missing: string[], path = ''): EvaluatedNode {
  return eagerNode(path, false, `eager: input ${missing.join(', ')} has no data yet`, { missingInputs: missing })
}

/**
 * `eager` of an asset never materialized, or of one with an input source that could not be observed.
 *
 * @example
 * eagerPlain('never').value // true
 */
export function eagerPlain(which: 'never' | 'unobservable', path = ''): EvaluatedNode {
  return which === 'never'
    ? eagerNode(path, true, EAGER_NEVER)
    : eagerNode(path, false, 'eager: an input source could not be observed')
}

function onCron(node: Extract<ConditionNode, { kind: 'on_cron' }>, scope: NodeScope, leaf: Leaf): EvaluatedNode {
  const where = `on_cron '${node.cron}' ${node.timezone}`
  const since = scope.previous.evaluatedAt ?? scope.facts.lastMaterializedAt
  const tick = previousCronTick(cronOf(node.cron), node.timezone, new Date(scope.now))
  const details = { tick: tick?.toISOString() ?? null, since: iso(since) }
  if (since === undefined) return leaf(false, `${where}: first evaluation, never materialized`, details)
  if (tick === undefined || tick.getTime() <= since)
    return leaf(false, `${where}: no tick since ${iso(since)}`, details)
  return leaf(true, `${where}: ticked at ${tick.toISOString()}`, details)
}

function since(node: Extract<ConditionNode, { kind: 'since' }>, path: string, scope: NodeScope): Evaluated {
  const cond = evaluateNode(node.condition, child(path, 0), scope)
  const reset = evaluateNode(node.reset, child(path, 1), scope)
  if (cond instanceof Promise || reset instanceof Promise)
    return Promise.all([cond, reset]).then(([c, r]) => sinceOf(path, scope, c, r))
  return sinceOf(path, scope, cond, reset)
}

function sinceOf(path: string, scope: NodeScope, cond: EvaluatedNode, reset: EvaluatedNode): EvaluatedNode {
  const kept = recall<{ trueAt?: number; resetAt?: number }>(scope, path, 'since') ?? {}
  const trueAt = cond.value ? scope.now : kept.trueAt
  const resetAt = reset.value ? scope.now : kept.resetAt
  remember(scope, path, 'since', {
    ...(trueAt === undefined ? {} : { trueAt }),
    ...(resetAt === undefined ? {} : { resetAt }),
  })
  const last = scope.facts.lastMaterializedAt
  const value =
    trueAt !== undefined && (resetAt === undefined || trueAt > resetAt) && (last === undefined || trueAt > last)
  const label =
    trueAt === undefined
      ? 'since: never true'
      : value
        ? `since: true at ${iso(trueAt)}, not reset since`
        : resetAt !== undefined && resetAt >= trueAt
          ? `since: reset at ${iso(resetAt)}`
          : `since: materialized at ${iso(last)}, after it was true`
  return {
    kind: 'since',
    path,
    value,
    label,
    details: { trueAt: iso(trueAt), resetAt: iso(resetAt), lastMaterializedAt: iso(last) },
    children: [cond, reset],
  }
}

function combine(
  node: Extract<ConditionNode, { kind: 'and' | 'or' | 'ensemble' }>,
  path: string,
  children: EvaluatedNode[],
): EvaluatedNode {
  const count = children.filter((c) => c.value).length
  const n = children.length
  let need: number
  let label: string
  if (node.kind === 'ensemble') {
    need = needed(node.atLeast, n)
    label = `ensemble: ${count} of ${n} true, ${node.atLeast === 'majority' ? 'a majority' : 'at least'} ${need} needed`
  } else {
    need = node.kind === 'and' ? n : 1
    label = `${node.kind}: ${count} of ${n} true`
  }
  return { kind: node.kind, path, value: count >= need, label, children }
}

function negate(path: string): (c: EvaluatedNode) => EvaluatedNode {
  return (c) => ({
    kind: 'not',
    path,
    value: !c.value,
    label: `not: ${c.value ? 'true' : 'false'} inside`,
    children: [c],
  })
}

const crons = new Map<string, CronSchedule>()

/**
 * A parsed cron expression, parsed once per process.
 *
 * @example
 * cronOf('0 3 * * *').hours // [3]
 */
export function cronOf(expr: string): CronSchedule {
  let c = crons.get(expr)
  if (c === undefined) crons.set(expr, (c = parseCron(expr)))
  return c
}

function needed(atLeast: number | 'majority', n: number): number {
  return atLeast === 'majority' ? Math.floor(n / 2) + 1 : atLeast
}
