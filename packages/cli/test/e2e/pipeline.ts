/**
 * The project most e2e tests edit: raw -> features -> model -> report, and raw -> stats.
 *
 *   raw ──> features ──> model ──> report
 *    └────> stats
 *
 * Each option replaces one piece of source text, so a test can change exactly one thing (code,
 * deps, a check) and compare what the next run rebuilds.
 */
export interface PipelineOptions {
  /** Expression returned by raw. */
  raw?: string
  /** Expression returned by features (has `raw`). */
  features?: string
  /** Deps object of stats. */
  statsDeps?: string
  /** Make model throw. */
  modelThrows?: boolean
  /** Give features a blocking check that fails. */
  failingCheck?: boolean
}

/**
 * @example
 * project.write({ 'rivers.config.ts': pipeline({ features: 'raw.map((x) => x * 3)' }) })
 */
export function pipeline(options: PipelineOptions = {}): string {
  const checks = options.failingCheck
    ? `, checks: [check('small', (v: number[]) => v.every((x) => x < 5), { blocking: true })]`
    : ''
  const model = options.modelThrows
    ? `throw new Error('training diverged at epoch ' + ctx.config.epochs)`
    : `const weight = features.reduce((a, b) => a + b, 0) * ctx.config.epochs
    ctx.addMetric('weight', weight)
    return { weight }`
  return `import { asset, check, defineProject } from '@rivers-orchestrator/rivers'
import { z } from 'zod'

const raw = asset({ key: 'raw' }, () => ${options.raw ?? '[1, 2, 3]'})
const features = asset({ key: 'features', deps: { raw }${checks} }, ({ raw }) => ${options.features ?? 'raw.map((x) => x * 2)'})
const model = asset(
  { key: 'model', deps: { features }, group: 'ml', config: z.object({ epochs: z.number().int().default(1) }) },
  ({ features }, ctx) => {
    ${model}
  },
)
const report = asset({ key: 'report', deps: { model } }, ({ model }) => 'weight ' + model.weight)
const stats = asset({ key: 'stats', deps: ${options.statsDeps ?? '{ raw }'} }, (inputs) => Object.keys(inputs).length)

export default defineProject({ assets: [report, stats] })
`
}

/** Keys of a run summary's lists, for compact assertions. */
export function outcome(summary: {
  materialized: string[]
  skipped: { key: string; reason: string }[]
  failed: { key: string }[]
}) {
  return {
    materialized: summary.materialized,
    skipped: Object.fromEntries(summary.skipped.map((s) => [s.key, s.reason])),
    failed: summary.failed.map((f) => f.key),
  }
}
