/**
 * The Rivers example pipeline: Palmer penguins -> a logistic-regression classifier (Adelie or not),
 * gated on its held-out quality and registered with its lineage.
 *
 *   raw/penguins_json (source: the file shipped in the vega-datasets package)
 *     -> penguins/raw -> penguins/clean -> penguins/split -> penguins/features
 *     -> model/logreg -> model/evaluation (blocking check: quality_gate) -> model/registry (a registered model)
 *   model/registry.champion (the version the alias names) -> model/deploy
 *     -> model/torch   (a Python training job: PyTorch on a GPU when there is one, else the CPU)
 *   raw/seattle_weather_csv -> weather/daily -> weather/features -> weather/rain_model
 *     (daily partitions, a 7-day window, a model over every day: see weather.ts)
 *
 * Run it:   npx assets materialize --project examples/ml-pipeline/rivers.config.ts
 * Explain:  npx assets status --project examples/ml-pipeline/rivers.config.ts
 * On Slurm: RIVERS_LAUNCHER=slurm npx assets materialize model/logreg model/torch --project examples/ml-pipeline/rivers.config.ts
 *           (model/torch: a Python job; model/logreg: the TypeScript function, run by `assets worker run`)
 * On Ray:   RIVERS_LAUNCHER=ray RIVERS_RAY_ADDRESS=http://127.0.0.1:8265 npx assets materialize model/logreg model/torch --project …
 *           (the same two, as Ray jobs through the Jobs API; TRAIN_GPUS=1 on a cluster with GPU nodes)
 * Registry: npx assets models model/registry --project …; npx assets promote model/registry --alias champion --project …
 *           (the gate checks accuracy and ROC AUC); npx assets rollback model/registry --alias champion --project …
 */
import { existsSync, readdirSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

import { asset, check, defineProject, modelAlias, parseGpuOverride, source } from '@rivers-orchestrator/rivers'
import { z } from 'zod'

import { launcherSetting, useLauncher } from './launcher.js'
import * as ml from './src/ml/index.js'
import { rainModel } from './weather.js'

/** The raw file. Its content hash is its data version: new data makes everything below stale. */
export const penguinsJson = source({
  key: 'raw/penguins_json',
  path: ml.datasetPath(),
  description: 'Palmer penguins, as shipped in the vega-datasets npm package',
  group: 'ingest',
  kinds: ['json'],
})

export const rawTable = asset(
  {
    key: 'penguins/raw',
    deps: { file: penguinsJson },
    group: 'ingest',
    kinds: ['table'],
    description: 'Rows parsed from the raw file',
  },
  ({ file }, ctx) => {
    const rows = ml.parseRaw(file)
    ctx.addMetadata({ rows: rows.length })
    return rows
  },
)

export const cleanTable = asset(
  {
    key: 'penguins/clean',
    deps: { raw: rawTable },
    group: 'prepare',
    kinds: ['table'],
    description: 'Rows with every measurement present and typed',
  },
  ({ raw }, ctx) => {
    const cleaned = ml.clean(raw)
    ctx.addMetadata({ rows: cleaned.rows.length, dropped: cleaned.dropped, reasons: cleaned.reasons })
    ctx.log.info({ dropped: cleaned.dropped }, `kept ${cleaned.rows.length} of ${raw.length} rows`)
    return cleaned
  },
)

export const split = asset(
  {
    key: 'penguins/split',
    deps: { cleaned: cleanTable },
    group: 'prepare',
    description: 'Stratified, seeded train/test split',
    config: z.object({ testFraction: z.number().gt(0).lt(1).default(0.25), seed: z.number().int().default(42) }),
  },
  ({ cleaned }, ctx) => ml.split(cleaned.rows, ctx.config),
)

export const features = asset(
  {
    key: 'penguins/features',
    deps: { split },
    group: 'prepare',
    kinds: ['features'],
    description: 'Standardised numeric features and one-hot categoricals (scaler fitted on train only)',
  },
  ({ split }) => ml.featurize(split),
)

/**
 * Where jobs run: this machine (default), Slurm with RIVERS_LAUNCHER=slurm (submitting from here), or
 * Ray with RIVERS_LAUNCHER=ray (the Jobs API at RIVERS_RAY_ADDRESS; the plugin is imported only then).
 * On a cluster, model/logreg (a TypeScript function) runs there too, as a job: `assets worker run` on
 * the node reads the features through the IO manager and stores the model; this process records it.
 */
const launcher = await useLauncher(process.env)

export const model = asset(
  {
    key: 'model/logreg',
    deps: { features },
    group: 'train',
    kinds: ['model'],
    owners: ['team:ml'],
    description: 'Logistic regression trained by batch gradient descent with L2',
    ...(launcher === 'local'
      ? {}
      : { launcher: launcherSetting(launcher), resources: { cpus: 1, memory: '1Gi', timeLimit: '10m' } }),
    config: z.object({
      epochs: z.number().int().positive().default(300),
      learningRate: z.number().positive().default(0.5),
      l2: z.number().nonnegative().default(0.01),
      seed: z.number().int().default(42),
    }),
  },
  ({ features }, ctx) => {
    const trained = ml.trainLogisticRegression(features.train, ctx.config)
    const loss = trained.lossHistory.at(-1) ?? Number.NaN
    ctx.log.info(
      `trained ${ctx.config.epochs} epochs on ${features.train.y.length} rows: final loss ${loss.toFixed(4)}`,
    )
    trained.lossHistory.forEach((loss, step) => {
      if (step % 50 === 0 || step === trained.lossHistory.length - 1) ctx.addMetric('train_loss', loss, step)
    })
    return trained
  },
)

const thresholds = { minAccuracy: 0.9, minAuc: 0.95 }

export const evaluation = asset(
  {
    key: 'model/evaluation',
    deps: { model, features },
    group: 'evaluate',
    kinds: ['metrics'],
    description: 'Held-out accuracy, precision, recall, F1, ROC AUC and log loss',
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
  ({ model, features }, ctx) => {
    const metrics = ml.evaluate(model, features.test)
    for (const name of ['accuracy', 'precision', 'recall', 'f1', 'rocAuc', 'logLoss'] as const)
      ctx.addMetric(name, metrics[name])
    return metrics
  },
)

export const registry = asset(
  {
    key: 'model/registry',
    deps: { model, evaluation, cleaned: cleanTable, split },
    group: 'release',
    kinds: ['registry'],
    description: 'The registered model with its metrics and lineage (only reached when the gate passes)',
    // Each new data version is the model's next version; `assets promote` moves an alias through the gate.
    model: {
      name: ml.DEFAULT_MODEL_NAME,
      gate: {
        accuracy: { atLeast: thresholds.minAccuracy, notBelowCurrent: true },
        rocAuc: { atLeast: thresholds.minAuc, notBelowCurrent: 0.005 },
      },
    },
  },
  ({ model, evaluation, cleaned, split }, ctx) => {
    // No run id in the entry: the same weights and lineage are the same data version, so the same model version.
    const entry = ml.registerModel(model, evaluation, {
      dataset: 'vega-datasets/data/penguins.json',
      rawRows: cleaned.rows.length + cleaned.dropped,
      cleanRows: cleaned.rows.length,
      trainRows: split.train.length,
      testRows: split.test.length,
    })
    ctx.addMetadata({ name: entry.name, version: entry.version })
    // The version's metrics, which the promotion gate compares (`assets models model/registry`).
    for (const name of ['accuracy', 'rocAuc', 'f1', 'logLoss'] as const) ctx.addMetric(name, evaluation[name])
    ctx.log.info(`registered ${entry.name}@${entry.version} (accuracy ${evaluation.accuracy.toFixed(3)})`)
    return entry
  },
)

/** The version of model/registry that the `champion` alias names (moved by assets promote / rollback). */
export const champion = modelAlias(registry, 'champion')

/**
 * What serving runs: the champion's version. It re-runs whenever the alias moves (a promotion or a
 * rollback), and serves nothing until a first promotion.
 */
export const deploy = asset(
  {
    key: 'model/deploy',
    deps: { champion },
    group: 'release',
    kinds: ['deployment'],
    description: 'The serving manifest: the version the champion alias names',
  },
  ({ champion }, ctx) => {
    if (champion === null) {
      ctx.log.info('no champion yet: run `assets promote model/registry --alias champion`')
      return { serving: null }
    }
    ctx.log.info(`serving ${champion.name} v${champion.version}`)
    ctx.addMetadata({ version: champion.version })
    return {
      serving: champion.name,
      version: champion.version,
      dataVersion: champion.dataVersion,
      artifact: champion.storagePath,
      metrics: champion.metrics,
    }
  },
)

const HERE = path.dirname(fileURLToPath(import.meta.url))

/**
 * GPUs for the training job: TRAIN_GPUS if set; on Slurm 1 (clusters are where the GPUs are); on Ray
 * 0 (a Ray head is often CPU-only, as in CI: set TRAIN_GPUS=1 for a cluster with GPU nodes); locally 1 when this machine has a GPU (RIVERS_GPUS, else the NVIDIA driver), else 0 so the job
 * trains on the CPU. Asking the local launcher for a GPU that does not exist would be refused.
 */
function trainGpus(): number {
  if (process.env.TRAIN_GPUS !== undefined) return Number(process.env.TRAIN_GPUS)
  if (launcher === 'slurm') return 1
  if (launcher === 'ray') return 0
  const override = parseGpuOverride(process.env.RIVERS_GPUS)
  let count = override?.length
  if (count === undefined) {
    try {
      count = readdirSync('/proc/driver/nvidia/gpus').length
    } catch {
      count = existsSync('/dev/nvidia0') ? 1 : 0
    }
  }
  const visible = process.env.CUDA_VISIBLE_DEVICES
  if (visible !== undefined)
    count = Math.min(count, visible.split(',').filter((v) => v.trim() !== '' && v.trim() !== '-1').length)
  return count > 0 ? 1 : 0
}

/**
 * The same classifier trained by a Python job (train_torch.py) through a launcher: the features
 * artifact reaches it through the job protocol, its metrics (train_loss per step, test accuracy)
 * land in the record (`assets show model/torch`, `assets runs --asset model/torch --metric
 * test_accuracy`), and its output (the model as JSON) is the asset's value. Set RIVERS_PYTHON to use
 * another interpreter (e.g. a virtualenv with PyTorch).
 */
export const torchModel = asset({
  key: 'model/torch',
  deps: { features },
  group: 'train',
  kinds: ['model', 'pytorch'],
  owners: ['team:ml'],
  description:
    'Logistic regression (or an MLP with hidden > 0) trained by a Python job: PyTorch on a GPU when available, else NumPy or plain Python on the CPU',
  config: z.object({
    epochs: z.number().int().positive().default(300),
    learningRate: z.number().positive().default(0.5),
    l2: z.number().nonnegative().default(0.01),
    hidden: z.number().int().nonnegative().default(0),
    seed: z.number().int().default(42),
  }),
  command: [process.env.RIVERS_PYTHON ?? 'python3', path.join(HERE, 'train_torch.py')],
  cwd: HERE,
  resources: { gpus: trainGpus(), cpus: 1, memory: '1Gi', timeLimit: '30m' },
  launcher: launcherSetting(launcher),
})

export default defineProject({ name: 'penguins', assets: [registry, deploy, torchModel, rainModel] })
