/** The whole chain, exactly as the Rivers assets will run it. */
import { readFileSync } from 'node:fs'
import { expect, it } from 'vitest'
import * as ml from './index.js'

function runPipeline(seed: number) {
  const bytes = readFileSync(ml.datasetPath())
  const cleaned = ml.clean(ml.parseRaw(bytes))
  const splits = ml.split(cleaned.rows, { testFraction: 0.25, seed })
  const features = ml.featurize(splits)
  const model = ml.trainLogisticRegression(features.train, { epochs: 300, learningRate: 0.5, l2: 0.01, seed })
  const metrics = ml.evaluate(model, features.test)
  const gate = ml.qualityGate(metrics, { minAccuracy: 0.9, minAuc: 0.95 })
  const entry = ml.registerModel(model, metrics, {
    dataset: 'vega-datasets/data/penguins.json',
    rawRows: cleaned.rows.length + cleaned.dropped,
    cleanRows: cleaned.rows.length,
    trainRows: splits.train.length,
    testRows: splits.test.length,
    seed,
  })
  return { metrics, gate, entry }
}

it('runs raw file -> registered model, reproducibly', () => {
  const first = runPipeline(42)
  expect(first.gate.passed).toBe(true)
  expect(first.metrics.accuracy).toBeGreaterThan(0.9)
  expect(first.entry.lineage).toMatchObject({ rawRows: 344, cleanRows: 333, trainRows: 249, testRows: 84 })
  expect(JSON.parse(JSON.stringify(first.entry))).toEqual(first.entry)
  expect(runPipeline(42).entry.version).toBe(first.entry.version)
  expect(runPipeline(7).entry.version).not.toBe(first.entry.version)
})
