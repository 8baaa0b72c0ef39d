/**
 * Logistic regression trained with full-batch gradient descent and an L2
 * penalty. Small enough to read in one sitting, real enough to learn.
 *
 *   p(y = 1 | x) = sigmoid(w · x + b)
 *   loss         = mean cross-entropy + (l2 / 2) · ||w||²   (bias not penalised)
 *
 * The returned model is plain data (numbers and strings), so it can be
 * stored as JSON and fingerprinted. Training is deterministic: the seed only
 * drives the small random initial weights.
 */
import type { LabeledData } from './features.js'
import { mulberry32 } from './random.js'

export interface TrainOptions {
  epochs: number
  learningRate: number
  /** L2 regularisation strength (0 disables it). */
  l2: number
  seed: number
}

export interface LogisticModel {
  kind: 'logistic-regression'
  featureNames: string[]
  weights: number[]
  bias: number
  /** Regularised training loss at each epoch; should go down. */
  lossHistory: number[]
  options: TrainOptions
}

/** Numerically stable logistic function. */
export function sigmoid(z: number): number {
  if (z >= 0) return 1 / (1 + Math.exp(-z))
  const e = Math.exp(z)
  return e / (1 + e)
}

const dot = (a: readonly number[], b: readonly number[]): number => a.reduce((sum, ai, i) => sum + ai * b[i]!, 0)

/** Probability that `x` belongs to the positive class. */
export function predictProba(model: Pick<LogisticModel, 'weights' | 'bias'>, x: readonly number[]): number {
  return sigmoid(dot(model.weights, x) + model.bias)
}

/** Cross-entropy of one prediction, with p clipped away from 0 and 1. */
function crossEntropy(y: number, p: number): number {
  const q = Math.min(Math.max(p, 1e-15), 1 - 1e-15)
  return -(y * Math.log(q) + (1 - y) * Math.log(1 - q))
}

export function trainLogisticRegression(train: LabeledData, options: TrainOptions): LogisticModel {
  const { X, y, featureNames } = train
  const { epochs, learningRate, l2, seed } = options
  const n = X.length
  if (n === 0) throw new Error('cannot train on zero rows')

  const random = mulberry32(seed)
  let weights = featureNames.map(() => (random() - 0.5) * 0.02)
  let bias = 0
  const lossHistory: number[] = []

  for (let epoch = 0; epoch < epochs; epoch++) {
    const gradW = new Array<number>(weights.length).fill(0)
    let gradB = 0
    let loss = 0

    X.forEach((x, i) => {
      const p = predictProba({ weights, bias }, x)
      const error = p - y[i]! // d(cross-entropy)/dz
      x.forEach((xj, j) => (gradW[j]! += error * xj))
      gradB += error
      loss += crossEntropy(y[i]!, p)
    })

    lossHistory.push(loss / n + (l2 / 2) * dot(weights, weights))
    weights = weights.map((w, j) => w - learningRate * (gradW[j]! / n + l2 * w))
    bias -= learningRate * (gradB / n)
  }

  return {
    kind: 'logistic-regression',
    featureNames: [...featureNames],
    weights,
    bias,
    lossHistory,
    options: { ...options },
  }
}
