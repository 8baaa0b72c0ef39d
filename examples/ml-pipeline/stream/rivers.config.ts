/**
 * The example's automation loop (Modyn-style): penguin rows arrive as batch files, and the model is
 * retrained when the data drifts or enough new rows arrived, not on every batch.
 *
 *   raw/batches (source: the batch files; data version from their names, sizes and hashes; rows)
 *     -> penguins/window   eager: the clean rows of the latest batches
 *     -> model/logreg      retraining triggers: drift of the measurements, or enough new rows
 *     -> model/evaluation  eager: held-out metrics (blocking check: quality_gate)
 *     -> model/registry    eager: the registered model with its lineage
 *
 * A project of its own (its store is stream/.rivers), beside the batch pipeline of ../rivers.config.ts.
 *
 *   npx tsx examples/ml-pipeline/stream.ts --batches 2        # the first data
 *   npx assets daemon --project examples/ml-pipeline/stream/rivers.config.ts
 */
import { asset, check, defineProject, source, when } from '@rivers-orchestrator/rivers'
import { z } from 'zod'

import * as ml from '../src/ml/index.js'
import { observeBatches, readBatches, streamDir } from '../src/stream/batches.js'

/** The batch folder ($PENGUIN_STREAM_DIR, else stream/batches): observed, not built. */
export const batches = source({
  key: 'raw/batches',
  description: 'Batch files of penguin rows written by stream.ts',
  group: 'ingest',
  kinds: ['json'],
  observe: () => observeBatches(streamDir()),
  load: () => readBatches(streamDir()),
  every: '10s', // the daemon looks for new batches every 10 s (`assets tick` looks every time)
})

/** The clean rows of the latest `batches` batch files (a sliding window). */
export const penguinWindow = asset(
  {
    key: 'penguins/window',
    deps: { files: batches },
    group: 'prepare',
    kinds: ['table'],
    description: 'Clean rows of the latest batches (a sliding window over the stream)',
    automation: when.eager(),
    config: z.object({ batches: z.number().int().positive().default(2) }),
  },
  ({ files }, ctx): ml.CleanRow[] => {
    if (files.length === 0)
      throw new Error(
        `no batch files in ${streamDir()}: write some with \`npx tsx examples/ml-pipeline/stream.ts --batches 2\``,
      )
    const cleaned = files.map((f) => ml.clean(ml.parseRaw(f.bytes)).rows)
    const rows = cleaned
      .slice(-ctx.config.batches)
      .flat()
      .map((row, id) => ({ ...row, id }))
    const totalRows = cleaned.reduce((sum, b) => sum + b.length, 0)
    ctx.addMetadata({ rows: rows.length, totalRows, batches: files.length, latest: files.at(-1)?.name ?? null })
    return rows
  },
)

/** A trained model with what evaluating it needs (its held-out rows, encoded with its own scaler). */
export interface StreamModel {
  model: ml.LogisticModel
  scaler: ml.Scaler
  test: ml.LabeledData
  trainRows: number
}

export const model = asset(
  {
    key: 'model/logreg',
    deps: { window: penguinWindow },
    group: 'train',
    kinds: ['model'],
    owners: ['team:ml'],
    description: 'Logistic regression (Adelie or not) on the current window, retrained on drift or new data',
    // Not eager: a new batch alone does not retrain it. It trains when it has no model yet, when the
    // measurements drift away from the window it was trained on (two-sample KS, the largest D over
    // the four columns above 0.2), or when 250 new rows arrived since it last trained.
    automation: when
      .missing()
      .or(
        when.ensemble(
          [
            when.drift({ input: 'window', columns: [...ml.NUMERIC_FEATURES], test: 'ks', threshold: 0.2 }),
            when.dataAmount({ input: 'window', atLeast: 250, metadataKey: 'totalRows' }),
          ],
          { atLeast: 1 },
        ),
      ),
    config: z.object({
      epochs: z.number().int().positive().default(300),
      learningRate: z.number().positive().default(0.5),
      l2: z.number().nonnegative().default(0.01),
      seed: z.number().int().default(42),
    }),
  },
  ({ window }, ctx): StreamModel => {
    const features = ml.featurize(ml.split(window, { testFraction: 0.25, seed: ctx.config.seed }))
    const trained = ml.trainLogisticRegression(features.train, ctx.config)
    ctx.addMetric('train_loss', trained.lossHistory.at(-1) ?? Number.NaN)
    ctx.addMetadata({ trainRows: features.train.y.length, testRows: features.test.y.length })
    return { model: trained, scaler: features.scaler, test: features.test, trainRows: features.train.y.length }
  },
)

const thresholds = { minAccuracy: 0.8, minAuc: 0.9 }

export const evaluation = asset(
  {
    key: 'model/evaluation',
    deps: { model },
    group: 'evaluate',
    kinds: ['metrics'],
    description: 'Held-out accuracy, precision, recall, F1, ROC AUC and log loss of the current model',
    automation: when.eager(),
    checks: [
      check(
        'quality_gate',
        (metrics: ml.Metrics) => {
          const gate = ml.qualityGate(metrics, thresholds)
          return { passed: gate.passed, message: gate.message }
        },
        { blocking: true },
      ),
    ],
  },
  ({ model }, ctx) => {
    const metrics = ml.evaluate(model.model, model.test)
    for (const name of ['accuracy', 'precision', 'recall', 'f1', 'rocAuc', 'logLoss'] as const)
      ctx.addMetric(name, metrics[name])
    return metrics
  },
)

export const registry = asset(
  {
    key: 'model/registry',
    deps: { model, evaluation },
    group: 'release',
    kinds: ['registry'],
    description: 'The registered model with its metrics and lineage (only reached when the gate passes)',
    automation: when.eager(),
  },
  ({ model, evaluation }, ctx) => {
    const entry = ml.registerModel(model.model, evaluation, {
      dataset: 'stream of penguin batches',
      trainRows: model.trainRows,
      testRows: model.test.y.length,
      runId: ctx.runId,
    })
    ctx.addMetadata({ name: entry.name, version: entry.version })
    ctx.log.info(`registered ${entry.name}@${entry.version} (accuracy ${evaluation.accuracy.toFixed(3)})`)
    return entry
  },
)

export default defineProject({ name: 'penguins-stream', assets: [registry] })
