/**
 * The ML half of the example: plain functions, no Rivers imports.
 *
 *   datasetPath / parseRaw -> clean -> split -> featurize
 *     -> trainLogisticRegression -> evaluate -> qualityGate -> registerModel
 */
export * from './dataset.js'
export * from './clean.js'
export * from './random.js'
export * from './split.js'
export * from './features.js'
export * from './logistic.js'
export * from './metrics.js'
export * from './gate.js'
export * from './registry.js'
