/**
 * Quality gate: the model only moves on to the registry if it is good enough.
 */
import type { Metrics } from './metrics.js'

export interface GateThresholds {
  minAccuracy: number
  minAuc: number
}

export interface GateCheck {
  metric: 'accuracy' | 'rocAuc'
  value: number
  min: number
  passed: boolean
}

export interface GateResult {
  passed: boolean
  message: string
  checks: GateCheck[]
}

export function qualityGate(metrics: Metrics, { minAccuracy, minAuc }: GateThresholds): GateResult {
  const check = (metric: GateCheck['metric'], value: number, min: number): GateCheck => ({
    metric,
    value,
    min,
    passed: value >= min,
  }) // NaN never passes
  const checks = [check('accuracy', metrics.accuracy, minAccuracy), check('rocAuc', metrics.rocAuc, minAuc)]

  const describe = (c: GateCheck) => `${c.metric} ${c.value.toFixed(3)} ${c.passed ? '>=' : '<'} ${c.min}`
  const failed = checks.filter((c) => !c.passed)
  const passed = failed.length === 0
  const message = passed
    ? `quality gate passed: ${checks.map(describe).join(', ')}`
    : `quality gate failed: ${failed.map(describe).join(', ')}`
  return { passed, message, checks }
}
