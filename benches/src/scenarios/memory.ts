/**
 * Process memory of the native graph: the RSS growth across build + load, measured in a fresh child
 * process per graph (in this process, freed memory gets reused and hides the growth). Attached to
 * the memory rows that `heapBytes()` already filled.
 */
import { execFileSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import type { IdOrder, Shape } from '../graphs.js'
import type { RunCtx } from './common.js'

const CHILD = fileURLToPath(new URL('../memoryChild.ts', import.meta.url))

/** Measures the RSS delta of one graph in a child process; null (and a problem) if it failed. */
export function rssDelta(ctx: RunCtx, shape: Shape, n: number, order: IdOrder): number | null {
  try {
    const out = execFileSync(process.execPath, ['--expose-gc', '--import', 'tsx', CHILD, shape, String(n), order], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: 300_000,
    })
    const parsed = JSON.parse(out.trim().split('\n').at(-1) ?? '{}') as { rssDeltaBytes?: number }
    return parsed.rssDeltaBytes ?? null
  } catch (e) {
    ctx.problem(
      `memory child ${shape} ${n} ${order} failed: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`,
    )
    return null
  }
}

/** Fills `rssDeltaBytes` of the memory rows of `shapes` at `sizes` (shuffled ids). */
export function memoryScenario(ctx: RunCtx, shapes: readonly Shape[], sizes: readonly number[]): void {
  for (const shape of shapes) {
    for (const n of sizes) {
      const row = ctx.memory.find((r) => r.shape === shape && r.n === n && r.order === 'shuffled')
      const delta = rssDelta(ctx, shape, n, 'shuffled')
      if (row && delta !== null) row.rssDeltaBytes = delta
    }
  }
}
