/**
 * Issue 12's phases of `assets status`, each in a fresh process: `import` of the library (timed
 * inside the child), defining the generated project (`asset()` + `defineProject`, graph generation
 * outside the clock), workspace open on the populated store and its store read + records load
 * (`reload`). The start-up rows (`assets --version`, a `node -e` import, status of a 1-asset
 * project; tsx and built JS) are `e2eStart.ts`'s.
 */
import { execFileSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import type { Measurement } from '../harness.js'
import { summarize } from '../stats.js'
import { median, type RunCtx } from './common.js'

const ROOT = fileURLToPath(new URL('../../../', import.meta.url))
const CHILD = fileURLToPath(new URL('../e2e/coldChild.ts', import.meta.url))
/** How the harness starts a process on the sources (as the `assets` bin does in the checkout). */
const NODE_ARGS = ['--conditions=@rivers-orchestrator/source', '--import', 'tsx']

function fromMs(ms: readonly number[]): Measurement {
  const samplesNs = ms.map((x) => x * 1e6)
  return { samplesNs, stats: summarize(samplesNs) }
}

interface ChildResult {
  importMs: number
  defineMs: number
  openMs: number
  reloadMs: number
}

/** Samples of the cold split: at least 3 (`--quick` included), each a fresh process. */
export async function e2eColdSplit(ctx: RunCtx, n: number, storeDir: string, projectDir: string): Promise<void> {
  const samples = Math.max(3, ctx.profile.e2eSamples)
  const runs: ChildResult[] = []
  for (let i = 0; i < samples; i++) {
    const out = execFileSync(process.execPath, [...NODE_ARGS, CHILD, String(n), 'dbt', storeDir, projectDir], {
      cwd: ROOT,
      encoding: 'utf8',
      maxBuffer: 1 << 20,
    })
    runs.push(JSON.parse(out.trim().split('\n').at(-1) ?? '{}') as ChildResult)
  }
  const pick = (k: keyof ChildResult): number[] => runs.map((r) => r[k])
  const defineMs = median(pick('defineMs'))
  ctx.rows.push({
    scenario: 'e2e-status',
    variant: 'fresh process: define (asset() + defineProject) + open + reload',
    shape: 'dbt',
    order: 'topo',
    n,
    impl: 'rivers',
    stats: fromMs(runs.map((r) => r.defineMs + r.openMs)).stats,
    work: { nodes: n, edges: 0 },
    extra: {
      importMs: median(pick('importMs')),
      defineMs,
      definePerAssetUs: (defineMs * 1000) / n,
      openMs: median(pick('openMs')),
      reloadMs: median(pick('reloadMs')),
    },
  })
}
