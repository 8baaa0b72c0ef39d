/**
 * The example's training job end to end: `model/torch` (train_torch.py, a Python job) trains on the
 * pipeline's features through the local launcher, and through Slurm with RIVERS_LAUNCHER=slurm (when
 * `sinfo` works; CI starts a test cluster with .ci/slurm/setup.sh and must run it).
 */
import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'

import { afterEach, expect, it, vi } from 'vitest'

const slurm = spawnSync('sinfo', ['-h'], { encoding: 'utf8', timeout: 10_000 })
const slurmWorks = slurm.status === 0 && slurm.stdout.trim() !== ''
const saved = { RIVERS_LAUNCHER: process.env.RIVERS_LAUNCHER, TRAIN_GPUS: process.env.TRAIN_GPUS }
const dirs: string[] = []

afterEach(() => {
  for (const [k, v] of Object.entries(saved)) {
    if (v === undefined) delete process.env[k]
    else process.env[k] = v
  }
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true })
})

for (const launcher of ['local', 'slurm'] as const) {
  const run = launcher === 'local' || slurmWorks || process.env.CI === 'true' ? it : it.skip
  run(
    `trains model/torch through the ${launcher} launcher${launcher === 'slurm' && !slurmWorks ? ' (skipped: Slurm is not running; sudo .ci/slurm/setup.sh)' : ''}`,
    async () => {
      if (launcher === 'slurm' && !slurmWorks)
        throw new Error('CI=true but Slurm is not running: run .ci/slurm/setup.sh first')
      process.env.RIVERS_LAUNCHER = launcher
      if (launcher === 'local') process.env.TRAIN_GPUS = '0' // this test must pass on machines without a GPU
      vi.resetModules()
      const { default: project } = await import('./rivers.config.js')
      const { openWorkspace } = await import('@rivers-orchestrator/rivers')
      const dir = mkdtempSync(path.join(tmpdir(), 'rivers-example-'))
      dirs.push(dir)
      const ws = await openWorkspace(project, { storeDir: path.join(dir, '.rivers'), logLevel: 'silent' })
      try {
        const summary = await ws.materialize({ select: ['+model/torch'], config: { 'model/torch': { epochs: 100 } } })
        expect(summary.failed).toEqual([])
        expect(summary.materialized).toContain('model/torch')
        const [record] = (await ws.show('model/torch')).history
        const metrics = Object.fromEntries(
          record!.metrics.filter((m) => m.step === undefined).map((m) => [m.name, m.value]),
        )
        expect(metrics.test_accuracy).toBeGreaterThan(0.9)
        expect(record!.metrics.filter((m) => m.name === 'train_loss').map((m) => m.step)).toEqual([0, 50, 99])
        expect(record!.metadata).toMatchObject({
          model: 'logistic_regression',
          job: { launcher, state: 'succeeded', exitCode: 0 },
        })
        expect(['torch', 'numpy', 'python']).toContain(record!.metadata.framework)
        if (launcher === 'slurm') expect(record!.metadata.cuda_visible_devices).toBe('0') // one (fake) GPU from Slurm's GRES
        const model = (await ws.show('model/torch')).history[0]?.storagePath
        expect(model).toMatch(/\.json$/)
      } finally {
        await ws.close()
      }
    },
    60_000,
  )
}
