/**
 * The promotion gate: a model's `gate` rules checked on a candidate version's metrics, against
 * fixed bounds and against the version the alias names now. Every outcome says the numbers.
 */
import type { MetricRule } from '../definitions/model.js'

/** One rule's outcome. */
export interface GateCheck {
  metric: string
  rule: string
  passed: boolean
  /** e.g. `accuracy 0.912 >= 0.9` or `accuracy 0.912 < champion v2's 0.935`. */
  detail: string
}

/** The candidate and the version the alias names now, as the gate sees them. */
export interface GateSides {
  alias: string
  candidate: { version: number; metrics: Readonly<Record<string, number>> }
  current?: { version: number; metrics: Readonly<Record<string, number>> }
}

function fmt(n: number): string {
  return Number.isInteger(n) ? String(n) : String(Number(n.toPrecision(6)))
}

function margin(m: boolean | number): number {
  return m === true ? 0 : Number(m)
}

/**
 * Checks every rule; a metric the candidate lacks fails its rules, and a rule against the current
 * version passes when the alias names none yet (or that version lacks the metric: said so).
 *
 * @example
 * checkGate({ accuracy: { atLeast: 0.9, notBelowCurrent: true } },
 *   { alias: 'champion', candidate: { version: 3, metrics: { accuracy: 0.95 } }, current: { version: 2, metrics: { accuracy: 0.93 } } })
 * // [{ metric: 'accuracy', rule: 'atLeast 0.9', passed: true, … }, { …, rule: 'not below champion', passed: true, … }]
 */
export function checkGate(gate: Readonly<Record<string, MetricRule>>, sides: GateSides): GateCheck[] {
  const out: GateCheck[] = []
  const { alias, candidate, current } = sides
  for (const [metric, rule] of Object.entries(gate)) {
    const value = candidate.metrics[metric]
    const has = value !== undefined && Number.isFinite(value)
    const missing = `version ${candidate.version} has no metric '${metric}'`
    if (rule.atLeast !== undefined)
      out.push(
        has
          ? {
              metric,
              rule: `atLeast ${fmt(rule.atLeast)}`,
              passed: value >= rule.atLeast,
              detail: `${metric} ${fmt(value)} ${value >= rule.atLeast ? '>=' : '<'} ${fmt(rule.atLeast)}`,
            }
          : { metric, rule: `atLeast ${fmt(rule.atLeast)}`, passed: false, detail: missing },
      )
    if (rule.atMost !== undefined)
      out.push(
        has
          ? {
              metric,
              rule: `atMost ${fmt(rule.atMost)}`,
              passed: value <= rule.atMost,
              detail: `${metric} ${fmt(value)} ${value <= rule.atMost ? '<=' : '>'} ${fmt(rule.atMost)}`,
            }
          : { metric, rule: `atMost ${fmt(rule.atMost)}`, passed: false, detail: missing },
      )
    for (const [field, higher] of [
      ['notBelowCurrent', true],
      ['notAboveCurrent', false],
    ] as const) {
      const m = rule[field]
      if (m === undefined || m === false) continue
      const slack = margin(m)
      const name = `not ${higher ? 'below' : 'above'} ${alias}${slack > 0 ? ` by more than ${fmt(slack)}` : ''}`
      if (!has) {
        out.push({ metric, rule: name, passed: false, detail: missing })
        continue
      }
      const theirs = current?.metrics[metric]
      if (current === undefined || theirs === undefined || !Number.isFinite(theirs)) {
        out.push({
          metric,
          rule: name,
          passed: true,
          detail:
            current === undefined
              ? `${metric} ${fmt(value)} (alias '${alias}' names no version yet)`
              : `${metric} ${fmt(value)} (${alias} v${current.version} has no '${metric}' to compare with)`,
        })
        continue
      }
      const passed = higher ? value >= theirs - slack : value <= theirs + slack
      const op = higher ? (passed ? '>=' : '<') : passed ? '<=' : '>'
      out.push({
        metric,
        rule: name,
        passed,
        detail: `${metric} ${fmt(value)} ${op} ${alias} v${current.version}'s ${fmt(theirs)}${slack > 0 ? ` (margin ${fmt(slack)})` : ''}`,
      })
    }
  }
  return out
}
