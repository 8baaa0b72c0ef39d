/**
 * The example's TypeScript training function on Ray: with RIVERS_LAUNCHER=ray, `model/logreg` (a
 * function asset, not a command) runs as a Ray job (`assets worker run` as the job's entrypoint),
 * submitted through the Jobs API of a real Ray head by the real `assets` binary, and `model/torch`
 * (a Python command) beside it. The Ray job is checked through the Jobs API (its status, its
 * metadata, its log), the function's log line must reach the run log, and the record must match a
 * local run's (the same data version: the training is seeded; the same metrics and inputs).
 *
 * Needs a Ray head: RIVERS_TEST_RAY_URL (CI starts one with .ci/ray/setup.sh), else the CI head's
 * default address. Skipped when none answers on a developer's machine, failing in CI. The refusals
 * (an unknown RIVERS_LAUNCHER, an unreachable head) need no head and always run.
 */
import { execFile } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

import { afterAll, expect, it } from 'vitest'

import { RayJobsClient } from '../../packages/launcher-ray/src/client.js'

const HERE = path.dirname(fileURLToPath(import.meta.url))
const BIN = path.resolve(HERE, '../../packages/cli/bin/assets.mjs')
const PROJECT = path.join(HERE, 'rivers.config.ts')
const URL = (process.env.RIVERS_TEST_RAY_URL || 'http://127.0.0.1:8275').replace(/\/+$/, '')
const headAnswers = await fetch(`${URL}/api/version`, { signal: AbortSignal.timeout(5_000) }).then(
  (r) => r.ok,
  () => false,
)
const START = 'RIVERS_TEST_RAY_URL="$(bash .ci/ray/setup.sh)"'
const dir = mkdtempSync(path.join(tmpdir(), 'rivers-logreg-ray-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

interface Result {
  code: number
  stdout: string
  stderr: string
}

/** `assets ARGS --project rivers.config.ts --json` with `env` added (never the caller's RIVERS_LAUNCHER). */
function assets(args: string[], env: Record<string, string> = {}): Promise<Result> {
  const base: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1' }
  for (const k of ['RIVERS_LAUNCHER', 'RIVERS_RAY_ADDRESS', 'RAY_ADDRESS']) delete base[k]
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [BIN, ...args, '--project', PROJECT, '--json'],
      { cwd: HERE, env: { ...base, ...env }, timeout: 170_000, maxBuffer: 16 << 20 },
      (error, stdout, stderr) =>
        resolve({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : -1, stdout, stderr }),
    )
  })
}

/** `assets ARGS` that must succeed; its JSON output. */
async function ok(args: string[], env: Record<string, string> = {}): Promise<any> {
  const r = await assets(args, env)
  if (r.code !== 0) throw new Error(`assets ${args.join(' ')} exited with ${r.code}:\n${r.stderr}`)
  return JSON.parse(r.stdout)
}

/** A port nothing listens on: one the system just handed out, closed again. */
function closedPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.on('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number }
      server.close(() => resolve(port))
    })
  })
}

const run = headAnswers || process.env.CI === 'true' ? it : it.skip
run(
  `trains model/logreg (a TypeScript function) as a Ray job, as it would train here${headAnswers ? '' : ` (skipped: no Ray head answers at ${URL}; ${START})`}`,
  { timeout: 360_000 },
  async () => {
    if (!headAnswers) throw new Error(`CI=true but no Ray head answers at ${URL}: run ${START} first`)
    const ray = { RIVERS_LAUNCHER: 'ray', RIVERS_RAY_ADDRESS: URL }
    const select = [
      '+model/logreg',
      'model/torch',
      '--config',
      '{"model/logreg":{"epochs":100},"model/torch":{"epochs":100}}',
    ]
    const onRay = path.join(dir, 'ray')
    const here = path.join(dir, 'local')
    const summary = await ok(['materialize', ...select, '--store', onRay], ray)
    expect(summary.failed).toEqual([])
    expect(summary.materialized).toEqual(expect.arrayContaining(['model/logreg', 'model/torch']))
    const local = await ok(['materialize', ...select, '--store', here], { TRAIN_GPUS: '0' })
    expect(local.materialized).toContain('model/logreg')

    const [rayRecord] = (await ok(['show', 'model/logreg', '--store', onRay])).history
    const [localRecord] = (await ok(['show', 'model/logreg', '--store', here])).history
    expect(rayRecord.metadata.job).toMatchObject({ launcher: 'ray', state: 'succeeded', exitCode: 0 })
    expect(localRecord.metadata.job).toBeUndefined()
    // The differential check: the same seeded training, wherever it ran.
    expect(rayRecord.dataVersion).toBe(localRecord.dataVersion)
    expect(rayRecord.metrics).toEqual(localRecord.metrics)
    expect(rayRecord.metrics.map((m: { step: number }) => m.step)).toEqual([0, 50, 99])
    expect(rayRecord.inputs).toEqual(localRecord.inputs)

    // Ray itself ran it: the submission id is Ray's, the worker was its entrypoint, and it succeeded.
    const id: string = rayRecord.metadata.job.id
    expect(id).toMatch(new RegExp(`^rivers-${summary.runId}-model_logreg-a1-[0-9a-f]{8}$`))
    const client = new RayJobsClient(URL)
    const job = await client.job(id)
    expect(job).toMatchObject({
      status: 'SUCCEEDED',
      driver_exit_code: 0,
      metadata: { rivers_run_id: summary.runId, rivers_asset: 'model/logreg', rivers_attempt: '1' },
    })
    expect(job?.entrypoint).toContain(' worker run --run ')
    // Where it ran, as the record says: the address of the node Ray ran its entrypoint on.
    const node = (await client.nodes()).find((n) => n.node_id === job?.driver_node_id)
    expect(node?.node_ip).toMatch(/^\d+\.\d+\.\d+\.\d+$/)
    expect(rayRecord.metadata.job.nodes).toBe(node?.node_ip)
    expect(await client.logs(id)).toContain('model/logreg: stored model/logreg/')

    // The function's own log line (ctx.log on the Ray node) and the job's output are in the run log.
    const log = readFileSync(path.join(onRay, 'logs', `${summary.runId}.ndjson`), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>)
    expect(log).toContainEqual(
      expect.objectContaining({
        asset: 'model/logreg',
        job: id,
        msg: expect.stringMatching(/^trained 100 epochs on \d+ rows/),
      }),
    )
    expect(log).toContainEqual(
      expect.objectContaining({
        asset: 'model/logreg',
        stream: 'stdout',
        msg: expect.stringContaining(rayRecord.dataVersion),
      }),
    )

    // The Python training job ran on Ray too (on the CPU: the CI head has no GPUs).
    const [torch] = (await ok(['show', 'model/torch', '--store', onRay])).history
    expect(torch.metadata).toMatchObject({ device: 'cpu', job: { launcher: 'ray', state: 'succeeded', exitCode: 0 } })
    expect((await client.job(torch.metadata.job.id))?.status).toBe('SUCCEEDED')
    const accuracy = torch.metrics.find((m: { name: string }) => m.name === 'test_accuracy')
    expect(accuracy.value).toBeGreaterThan(0.9)
  },
)

it('refuses an unknown RIVERS_LAUNCHER, naming it and the launchers the example runs on', {
  timeout: 60_000,
}, async () => {
  const r = await assets(['list'], { RIVERS_LAUNCHER: 'kubernetes' })
  expect(r.code).toBe(2)
  expect(JSON.parse(r.stdout).error).toMatchObject({ code: 'RIVERS_UNKNOWN_LAUNCHER' })
  expect(r.stderr).toContain(
    `RIVERS_LAUNCHER is "kubernetes", but the example runs its jobs on 'local', 'slurm', 'ray' only`,
  )
  expect(r.stderr).toContain('Fix: unset RIVERS_LAUNCHER')
})

it('refuses the run before it starts when no Ray head answers, naming the address and the fix', {
  timeout: 60_000,
}, async () => {
  const nowhere = `http://127.0.0.1:${await closedPort()}`
  const store = path.join(dir, 'unreachable')
  const r = await assets(['materialize', '+model/logreg', '--store', store], {
    RIVERS_LAUNCHER: 'ray',
    RIVERS_RAY_ADDRESS: nowhere,
  })
  expect(r.code, r.stderr).toBe(2)
  expect(JSON.parse(r.stdout).error).toMatchObject({ code: 'RIVERS_LAUNCHER_UNAVAILABLE' })
  expect(r.stderr).toContain(`needed by 'model/logreg'`)
  expect(r.stderr).toContain(`the Ray Jobs API at ${nowhere} could not list the cluster's nodes`)
  expect(r.stderr).toContain('ECONNREFUSED')
  expect(r.stderr).toMatch(/Fix: start the cluster .*RIVERS_RAY_ADDRESS/)
  // Refused before the run: nothing of the pipeline ran.
  const shown = await assets(['show', 'penguins/features', '--store', store])
  expect(shown.stdout).not.toContain('"dataVersion"')
})
