/**
 * A small project for the UI's tests, opened in-process over a temporary store: raw -> features ->
 * model (a config, an `auc` metric, metadata, a check), and `slow`, which logs a line and then waits
 * until `release()` (or its signal aborts) so that tests can watch and cancel a live run.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { Writable } from 'node:stream'

import { asset, defineProject, openWorkspace, staticPartitions, type Workspace } from '@rivers-orchestrator/rivers'
import { z } from 'zod'

let opened: (() => void) | undefined
let gate = Promise.resolve()

/** Makes `slow` wait until `release()`. */
export function holdSlow(): void {
  gate = new Promise((resolve) => {
    opened = resolve
  })
}

/** Lets a waiting `slow` finish. */
export function release(): void {
  opened?.()
}

let auc = 0.8

const raw = asset({ key: 'raw', group: 'ingest' }, () => [1, 2, 3, 4])
const features = asset({ key: 'features', deps: { raw }, group: 'ml' }, ({ raw }) => raw.map((x) => x * 2))
const model = asset(
  {
    key: 'model',
    deps: { features },
    group: 'ml',
    tags: { tier: 'gold' },
    config: z.object({ epochs: z.number().default(3) }),
  },
  ({ features }, ctx) => {
    auc += 0.05
    ctx.addMetric('auc', auc)
    ctx.addMetadata({ rows: features.length })
    ctx.log.info(`trained ${ctx.config.epochs} epochs`)
    return { weights: features }
  },
)
const slow = asset({ key: 'slow', deps: { raw } }, async (_, ctx) => {
  ctx.log.info('slow started')
  await new Promise<void>((resolve, reject) => {
    void gate.then(resolve)
    ctx.signal.addEventListener('abort', () => reject(new Error('cancelled')), { once: true })
  })
  ctx.log.info('slow done')
  return 1
})

const regions = asset(
  { key: 'regions', partitions: staticPartitions(['eu', 'us', 'asia', 'africa']) },
  (_, ctx) => `sales of ${ctx.partition?.key}`,
)

/** The project. */
export const project = defineProject({ assets: [raw, features, model, slow, regions] })

/** A workspace of the project over a new temporary store; `dispose` closes it and removes the folder. */
export async function openFixture(): Promise<{ ws: Workspace; dir: string; dispose(): Promise<void> }> {
  const dir = mkdtempSync(path.join(tmpdir(), 'rivers-ui-'))
  const quiet = new Writable({ write: (_c, _e, done) => done() })
  const ws = await openWorkspace(project, {
    storeDir: path.join(dir, '.rivers'),
    projectDir: dir,
    logDestination: quiet,
  })
  return {
    ws,
    dir,
    async dispose() {
      await ws.close()
      rmSync(dir, { recursive: true, force: true })
    },
  }
}
