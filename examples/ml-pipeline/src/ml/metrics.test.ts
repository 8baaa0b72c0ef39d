import { describe, expect, it } from 'vitest'
import type { LogisticModel } from './logistic.js'
import { confusionMatrix, evaluate, logLoss, rocAuc } from './metrics.js'

describe('metrics on hand-computed cases', () => {
  it('confusion matrix', () => {
    expect(confusionMatrix([1, 1, 0, 0, 1], [1, 0, 0, 1, 1])).toEqual({ tp: 2, fn: 1, tn: 1, fp: 1 })
  })

  it('ROC AUC of known rankings', () => {
    expect(rocAuc([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])).toBe(0.75) // 3 of 4 pos/neg pairs ordered correctly
    expect(rocAuc([0, 1, 0, 1], [0.1, 0.9, 0.2, 0.8])).toBe(1)
    expect(rocAuc([1, 1, 0, 0], [0.1, 0.2, 0.8, 0.9])).toBe(0)
    expect(rocAuc([0, 1], [0.5, 0.5])).toBe(0.5) // ties count half
    expect(rocAuc([0, 1, 1], [0.3, 0.3, 0.9])).toBe(0.75)
    expect(() => rocAuc([1, 1], [0.2, 0.4])).toThrow(/positive and one negative/)
  })

  it('log loss', () => {
    expect(logLoss([1, 0], [0.8, 0.3])).toBeCloseTo(-(Math.log(0.8) + Math.log(0.7)) / 2, 12)
    expect(logLoss([1], [0])).toBeCloseTo(-Math.log(1e-15), 6) // clipped, not Infinity
  })

  it('evaluate ties it together', () => {
    // One feature, p = sigmoid(x): x > 0 predicts positive.
    const model: LogisticModel = {
      kind: 'logistic-regression',
      featureNames: ['x'],
      weights: [1],
      bias: 0,
      lossHistory: [],
      options: { epochs: 0, learningRate: 0, l2: 0, seed: 0 },
    }
    const test = { featureNames: ['x'], X: [[2], [-1], [-2], [1], [3]], y: [1, 1, 0, 0, 1] }
    const m = evaluate(model, test)
    expect(m.confusionMatrix).toEqual({ tp: 2, fn: 1, tn: 1, fp: 1 })
    expect(m.n).toBe(5)
    expect(m.accuracy).toBeCloseTo(0.6)
    expect(m.precision).toBeCloseTo(2 / 3)
    expect(m.recall).toBeCloseTo(2 / 3)
    expect(m.f1).toBeCloseTo(2 / 3)
    expect(m.rocAuc).toBeCloseTo(5 / 6) // pairs (pos, neg): only (-1, 1) is misordered
    expect(() => evaluate(model, { ...test, featureNames: ['other'] })).toThrow(/do not match/)
  })
})
