import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { clean } from './clean.js'
import { datasetPath, parseRaw } from './dataset.js'
import { featurize } from './features.js'
import { sigmoid, trainLogisticRegression, type TrainOptions } from './logistic.js'
import { evaluate } from './metrics.js'
import { split } from './split.js'

const options: TrainOptions = { epochs: 300, learningRate: 0.5, l2: 0.01, seed: 42 }
const features = featurize(split(clean(parseRaw(readFileSync(datasetPath()))).rows, { testFraction: 0.25, seed: 42 }))

describe('logistic regression', () => {
  it('sigmoid is stable at the extremes', () => {
    expect(sigmoid(0)).toBe(0.5)
    expect(sigmoid(1000)).toBe(1)
    expect(sigmoid(-1000)).toBe(0)
    expect(sigmoid(2) + sigmoid(-2)).toBeCloseTo(1, 15)
  })

  it('learns a tiny separable problem and the loss goes down', () => {
    const data = { featureNames: ['x'], X: [[-2], [-1], [1], [2]], y: [0, 0, 1, 1] }
    const model = trainLogisticRegression(data, { epochs: 200, learningRate: 0.5, l2: 0, seed: 1 })
    expect(model.weights[0]).toBeGreaterThan(1)
    expect(model.lossHistory).toHaveLength(200)
    expect(model.lossHistory.at(-1)).toBeLessThan(model.lossHistory[0]! / 5)
  })

  it('L2 shrinks the weights', () => {
    const norm = (w: number[]) => Math.hypot(...w)
    const loose = trainLogisticRegression(features.train, { ...options, l2: 0 })
    const tight = trainLogisticRegression(features.train, { ...options, l2: 0.1 })
    expect(norm(tight.weights)).toBeLessThan(norm(loose.weights))
  })

  it('is deterministic for a seed and JSON-serialisable', () => {
    const a = trainLogisticRegression(features.train, options)
    const b = trainLogisticRegression(features.train, options)
    expect(a).toEqual(b)
    expect(JSON.parse(JSON.stringify(a))).toEqual(a)
    expect(trainLogisticRegression(features.train, { ...options, seed: 7 }).weights).not.toEqual(a.weights)
  })

  it('tells Adelie penguins apart on the held-out split', () => {
    const model = trainLogisticRegression(features.train, options)
    const metrics = evaluate(model, features.test)
    expect(metrics.n).toBe(84)
    expect(metrics.accuracy).toBeGreaterThan(0.95)
    expect(metrics.rocAuc).toBeGreaterThan(0.99)
    expect(metrics.logLoss).toBeLessThan(0.2)
  })
})
