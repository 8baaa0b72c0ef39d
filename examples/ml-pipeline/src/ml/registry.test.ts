import { describe, expect, it } from 'vitest'
import { qualityGate } from './gate.js'
import type { LogisticModel } from './logistic.js'
import type { Metrics } from './metrics.js'
import { canonicalJson, fingerprint, registerModel } from './registry.js'

const metrics: Metrics = {
  n: 84,
  threshold: 0.5,
  accuracy: 0.97,
  precision: 0.95,
  recall: 1,
  f1: 0.974,
  rocAuc: 0.999,
  logLoss: 0.08,
  confusionMatrix: { tp: 37, fp: 2, tn: 45, fn: 0 },
}

const model: LogisticModel = {
  kind: 'logistic-regression',
  featureNames: ['a', 'b'],
  weights: [0.5, -1.25],
  bias: 0.1,
  lossHistory: [0.7, 0.2],
  options: { epochs: 2, learningRate: 0.5, l2: 0.01, seed: 42 },
}

describe('quality gate', () => {
  it('passes when every threshold is met', () => {
    const gate = qualityGate(metrics, { minAccuracy: 0.9, minAuc: 0.95 })
    expect(gate.passed).toBe(true)
    expect(gate.message).toBe('quality gate passed: accuracy 0.970 >= 0.9, rocAuc 0.999 >= 0.95')
  })

  it('fails and names the metric that fell short', () => {
    const gate = qualityGate({ ...metrics, accuracy: 0.8 }, { minAccuracy: 0.9, minAuc: 0.95 })
    expect(gate.passed).toBe(false)
    expect(gate.message).toBe('quality gate failed: accuracy 0.800 < 0.9')
    expect(gate.checks.map((c) => c.passed)).toEqual([false, true])
  })
})

describe('registry', () => {
  it('canonical JSON ignores key order', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { f: 1, e: 2 }], c: 2 } })).toBe(
      '{"a":{"c":2,"d":[1,{"e":2,"f":1}]},"b":1}',
    )
  })

  it('derives the version from the model content', () => {
    const lineage = { dataset: 'vega-datasets/penguins.json', trainRows: 249, seed: 42 }
    const entry = registerModel(model, metrics, lineage)
    expect(entry.fingerprint).toMatch(/^[0-9a-f]{64}$/)
    expect(entry.version).toBe(entry.fingerprint.slice(0, 12))
    expect(entry).toMatchObject({
      name: 'penguins-adelie-classifier',
      featureNames: ['a', 'b'],
      metrics,
      lineage,
      model,
    })

    // Same parameters -> same version; different weights -> new version.
    expect(fingerprint({ ...model, lossHistory: [] })).toBe(entry.fingerprint)
    expect(fingerprint({ ...model, weights: [0.5, -1.26] })).not.toBe(entry.fingerprint)
    expect(registerModel(model, metrics, lineage, { name: 'custom' }).name).toBe('custom')
  })
})
