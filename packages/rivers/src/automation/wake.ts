/**
 * When an asset's condition may change value although nothing it reads changed: the next time a
 * clock in its tree (`on_cron`, `time_since`, `rate_limit`) can flip. The incremental tick
 * (engine/automation-memo.ts) re-evaluates an asset when a record, lease or observation it reads
 * changed, or when this time has come; in between its last decision holds.
 */
import type { ConditionNode } from '../definitions/automation.js'
import { nextCronTick } from '../definitions/cron.js'
import { cronOf } from './evaluate.js'
import type { AssetFacts, EvaluatedNode } from './scope.js'

/**
 * The earliest time (epoch ms) after `now` at which `node` may evaluate differently for an asset
 * with `facts` if nothing else changes; `Infinity` when only a change of facts can change it, and
 * `now` (re-evaluate on the next tick) when the evaluation reported an error that may pass.
 *
 * @example
 * nextWake({ kind: 'time_since', ms: 60_000, text: '1m' }, facts, tree, Date.now()) // lastMaterializedAt + 60 s
 */
export function nextWake(node: ConditionNode, facts: AssetFacts, tree: EvaluatedNode, now: number): number {
  if (hasError(tree)) return now
  return hasClock(node) ? wake(node, facts, now) : Infinity
}

const clocks = new WeakMap<ConditionNode, boolean>()

/** Whether a tree has a clock at all (cached per tree: most have none). */
function hasClock(node: ConditionNode): boolean {
  let has = clocks.get(node)
  if (has === undefined) clocks.set(node, (has = hasTimeNode(node)))
  return has
}

/** Whether `node` or any condition nested in it satisfies `test`. */
function someNode(node: ConditionNode, test: (n: ConditionNode) => boolean): boolean {
  if (test(node)) return true
  switch (node.kind) {
    case 'since':
      return someNode(node.condition, test) || someNode(node.reset, test)
    case 'and':
    case 'or':
    case 'ensemble':
      return node.of.some((c) => someNode(c, test))
    case 'not':
      return someNode(node.of, test)
    default:
      return false
  }
}

const hasTimeNode = (node: ConditionNode): boolean =>
  someNode(node, (n) => n.kind === 'on_cron' || n.kind === 'time_since' || n.kind === 'rate_limit')

function wake(node: ConditionNode, facts: AssetFacts, now: number): number {
  switch (node.kind) {
    case 'on_cron':
      try {
        return nextCronTick(cronOf(node.cron), node.timezone, new Date(now)).getTime()
      } catch {
        return Infinity // an expression that never fires again (e.g. a date past its last year)
      }
    case 'time_since': {
      const last = facts.lastMaterializedAt
      // Never materialized: true until a record arrives (a fact). Past the limit: true likewise.
      return last === undefined || now - last > node.ms ? Infinity : last + node.ms + 1
    }
    case 'rate_limit': {
      const last = facts.lastRequestedAt
      return last === undefined || now - last >= node.ms ? Infinity : last + node.ms
    }
    case 'since':
      return Math.min(wake(node.condition, facts, now), wake(node.reset, facts, now))
    case 'and':
    case 'or':
    case 'ensemble':
      return node.of.reduce((m, c) => Math.min(m, wake(c, facts, now)), Infinity)
    case 'not':
      return wake(node.of, facts, now)
    default:
      return Infinity
  }
}

/** Whether a node of the tree failed (its details carry `error`; labels are not read: a long one is costly to scan). */
function hasError(tree: EvaluatedNode): boolean {
  if (tree.details !== undefined && 'error' in tree.details) return true
  return tree.children?.some(hasError) ?? false
}

/**
 * Whether the tree reads the time of its previous evaluation (`on_cron`): its memory changes on
 * every evaluation, so a dry run never settles it.
 *
 * @example
 * readsEvaluationTime({ kind: 'on_cron', cron: '0 3 * * *', timezone: 'UTC' }) // true
 */
export function readsEvaluationTime(node: ConditionNode): boolean {
  let reads = timed.get(node)
  if (reads === undefined) timed.set(node, (reads = someNode(node, (n) => n.kind === 'on_cron')))
  return reads
}

const timed = new WeakMap<ConditionNode, boolean>()
