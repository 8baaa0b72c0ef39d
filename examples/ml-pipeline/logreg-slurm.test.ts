/**
 * The example's TypeScript training function on Slurm: with RIVERS_LAUNCHER=slurm, `model/logreg`
 * (a function asset, not a command) runs as a Slurm job (`assets worker run` on a node), driven by
 * the real `assets` binary. Its record matches a local run's: the same data version (the training is
 * seeded), the same train_loss metrics; the job's metadata says where it ran. Runs when `sinfo`
 * works; CI starts the test cluster with .ci/slurm/setup.sh and must run it.
 */
import { execFile, spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

import { afterAll, expect, it } from 'vitest'

const HERE = path.dirname(fileURLToPath(import.meta.url))
const BIN = path.resolve(HERE, '../../packages/cli/bin/assets.mjs')
const PROJECT = path.join(HERE, 'rivers.config.ts')
const slurm = spawnSync('sinfo', ['-h'], { encoding: 'utf8', timeout: 10_000 })
const slurmWorks = slurm.status === 0 && slurm.stdout.trim() !== ''
const dir = mkdtempSync(path.join(tmpdir(), 'rivers-logreg-slurm-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

/** `assets ARGS --project rivers.config.ts --json` with `env` added; stdout parsed. */
function assets(args: string[], env: Record<string, string> = {}): Promise<any> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [BIN, ...args, '--project', PROJECT, '--json'],
      { cwd: HERE, env: { ...process.env, NO_COLOR: '1', ...env }, timeout: 170_000, maxBuffer: 16 << 20 },
      (error, stdout, stderr) => {
        if (error !== null) reject(new Error(`assets ${args.join(' ')} failed (${error.message}):\n${stderr}`))
        else resolve(JSON.parse(stdout))
      },
    )
  })
}

const run = slurmWorks || process.env.CI === 'true' ? it : it.skip
run(
  `trains model/logreg (a TypeScript function) as a Slurm job, as it would train here${slurmWorks ? '' : ' (skipped: Slurm is not running; sudo .ci/slurm/setup.sh)'}`,
  { timeout: 360_000 },
  async () => {
    if (!slurmWorks) throw new Error('CI=true but Slurm is not running: run .ci/slurm/setup.sh first')
    const select = ['+model/logreg', '--config', '{"model/logreg":{"epochs":100}}']
    const onSlurm = path.join(dir, 'slurm')
    const here = path.join(dir, 'local')
    const summary = await assets(['materialize', ...select, '--store', onSlurm], { RIVERS_LAUNCHER: 'slurm' })
    expect(summary.failed).toEqual([])
    expect(summary.materialized).toContain('model/logreg')
    expect((await assets(['materialize', ...select, '--store', here])).materialized).toContain('model/logreg')

    const [slurmRecord] = (await assets(['show', 'model/logreg', '--store', onSlurm])).history
    const [localRecord] = (await assets(['show', 'model/logreg', '--store', here])).history
    expect(slurmRecord.metadata.job).toMatchObject({ launcher: 'slurm', state: 'succeeded', exitCode: 0 })
    expect(slurmRecord.metadata.job.nodes).toMatch(/^n[12]$/)
    expect(localRecord.metadata.job).toBeUndefined()
    expect(slurmRecord.dataVersion).toBe(localRecord.dataVersion)
    expect(slurmRecord.metrics).toEqual(localRecord.metrics)
    expect(slurmRecord.metrics.map((m: { step: number }) => m.step)).toEqual([0, 50, 99])
    expect(slurmRecord.inputs).toEqual(localRecord.inputs)
  },
)
