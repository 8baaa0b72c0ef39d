/**
 * Evaluation metrics for a binary classifier, computed from scratch.
 *
 * Threshold metrics (accuracy, precision, recall, F1, confusion matrix) use
 * p >= threshold as "positive". ROC AUC and log loss use the probabilities.
 */
import type { LabeledData } from './features.js'
import { predictProba, type LogisticModel } from './logistic.js'

export interface ConfusionMatrix {
  tp: number
  fp: number
  tn: number
  fn: number
}

export interface Metrics {
  n: number
  threshold: number
  accuracy: number
  precision: number
  recall: number
  f1: number
  rocAuc: number
  logLoss: number
  confusionMatrix: ConfusionMatrix
}

export function confusionMatrix(labels: readonly number[], predicted: readonly number[]): ConfusionMatrix {
  const m: ConfusionMatrix = { tp: 0, fp: 0, tn: 0, fn: 0 }
  labels.forEach((label, i) => {
    const guess = predicted[i]
    if (label === 1) guess === 1 ? m.tp++ : m.fn++
    else guess === 1 ? m.fp++ : m.tn++
  })
  return m
}

/**
 * Area under the ROC curve: the probability that a random positive scores
 * higher than a random negative (ties count half). Computed from ranks
 * (Mann-Whitney U), with tied scores sharing their average rank.
 */
export function rocAuc(labels: readonly number[], scores: readonly number[]): number {
  const nPos = labels.filter((l) => l === 1).length
  const nNeg = labels.length - nPos
  if (nPos === 0 || nNeg === 0) {
    throw new Error('ROC AUC needs at least one positive and one negative example')
  }

  const order = scores.map((score, i) => ({ score, label: labels[i] })).sort((a, b) => a.score - b.score)
  let positiveRankSum = 0
  for (let start = 0; start < order.length; ) {
    let end = start
    while (end < order.length && order[end]!.score === order[start]!.score) end++
    const averageRank = (start + 1 + end) / 2 // ranks are 1-based: start+1 .. end
    for (let k = start; k < end; k++) if (order[k]!.label === 1) positiveRankSum += averageRank
    start = end
  }
  return (positiveRankSum - (nPos * (nPos + 1)) / 2) / (nPos * nNeg)
}

/** Mean binary cross-entropy, with probabilities clipped to avoid log(0). */
export function logLoss(labels: readonly number[], probabilities: readonly number[]): number {
  const eps = 1e-15
  const total = labels.reduce((sum, y, i) => {
    const p = Math.min(Math.max(probabilities[i]!, eps), 1 - eps)
    return sum - (y * Math.log(p) + (1 - y) * Math.log(1 - p))
  }, 0)
  return total / labels.length
}

const ratio = (num: number, den: number): number => (den === 0 ? 0 : num / den)

export function evaluate(model: LogisticModel, test: LabeledData, { threshold = 0.5 } = {}): Metrics {
  if (test.featureNames.join() !== model.featureNames.join()) {
    throw new Error('test features do not match the features the model was trained on')
  }
  if (test.X.length === 0) throw new Error('cannot evaluate on zero rows')

  const probabilities = test.X.map((x) => predictProba(model, x))
  const cm = confusionMatrix(
    test.y,
    probabilities.map((p) => (p >= threshold ? 1 : 0)),
  )
  const precision = ratio(cm.tp, cm.tp + cm.fp)
  const recall = ratio(cm.tp, cm.tp + cm.fn)

  return {
    n: test.y.length,
    threshold,
    accuracy: (cm.tp + cm.tn) / test.y.length,
    precision,
    recall,
    f1: ratio(2 * precision * recall, precision + recall),
    rocAuc: rocAuc(test.y, probabilities),
    logLoss: logLoss(test.y, probabilities),
    confusionMatrix: cm,
  }
}
