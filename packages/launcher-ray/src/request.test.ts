/**
 * What a job becomes in Ray, without a cluster: the submit body (resources mapped, environment,
 * entrypoint), submission ids, state mapping, the output copy, the settings.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { type AddressInfo, createServer } from 'node:net'
import { tmpdir } from 'node:os'
import path from 'node:path'

import type { JobSpec } from '@rivers-orchestrator/rivers/plugin'
import { describe, expect, it } from 'vitest'

import { RayLauncher } from './launcher.js'
import { copyNewOutput, newOutput } from './logs.js'
import { entrypointResources, rayRendezvous, shellQuote, submissionId, submitRequest } from './request.js'
import { rayAddress, rayOptions } from './settings.js'
import { mapRayJob } from './state.js'

const job: JobSpec = {
  runId: '20260101T000000-ab12',
  assetKey: 'model/torch',
  command: ['python3', 'train.py', "--name=it's"],
  env: { RIVERS_RUN_ID: '20260101T000000-ab12', RIVERS_CLIENTS: '/opt/rivers/clients', WANDB_MODE: 'offline' },
  cwd: '/work dir',
  request: { nodes: 1, gpusPerNode: 2, gpuType: 'A100', cpus: 8, memoryBytes: 16 * 2 ** 30, timeLimitMs: 90_500 },
  jobDir: '/s/jobs/20260101T000000-ab12/model/torch/attempt-2',
  stdoutPath: '/s/jobs/20260101T000000-ab12/model/torch/attempt-2/stdout.log',
  stderrPath: '/s/jobs/20260101T000000-ab12/model/torch/attempt-2/stderr.log',
}

describe('the submit request', () => {
  it('maps the asset resources onto the entrypoint, the environment onto env_vars, and names the job', () => {
    const body = submitRequest(job, 2, {})
    expect(body).toEqual({
      entrypoint:
        "cd '/work dir' && export PYTHONPATH=\"$RIVERS_CLIENTS${PYTHONPATH:+:$PYTHONPATH}\" && exec timeout --kill-after=10 91 python3 train.py '--name=it'\\''s' 2>>/s/jobs/20260101T000000-ab12/model/torch/attempt-2/stderr.log",
      submission_id: expect.stringMatching(/^rivers-20260101T000000-ab12-model_torch-a2-[0-9a-f]{8}$/),
      runtime_env: {
        env_vars: {
          ...job.env,
          MASTER_ADDR: '127.0.0.1',
          MASTER_PORT: expect.stringMatching(/^(1[5-9]|2\d)\d{3}$/),
        },
      },
      metadata: {
        rivers_run_id: job.runId,
        rivers_asset: 'model/torch',
        rivers_attempt: '2',
        rivers_job_dir: job.jobDir,
      },
      entrypoint_num_cpus: 8,
      entrypoint_num_gpus: 2,
      entrypoint_memory: 16 * 2 ** 30,
      entrypoint_resources: { 'accelerator_type:A100': 0.001 },
    })
  })

  it('sets only what the asset asks for; working_dir only when the settings give one (then no cd)', () => {
    const plain = submitRequest({ ...job, request: { nodes: 1, gpusPerNode: 0 }, env: {} }, 1, {})
    expect(Object.keys(plain).sort()).toEqual(['entrypoint', 'metadata', 'runtime_env', 'submission_id'])
    expect(plain.runtime_env).toEqual({ env_vars: {} })
    expect(plain.entrypoint).toBe(
      "cd '/work dir' && exec python3 train.py '--name=it'\\''s' 2>>/s/jobs/20260101T000000-ab12/model/torch/attempt-2/stderr.log",
    )
    const shipped = submitRequest(job, 1, {
      workingDir: 's3://bucket/code.zip',
      runtimeEnv: { pip: ['torch'] },
      entrypointResources: { fast_disk: 1 },
    })
    expect(shipped.runtime_env).toMatchObject({ working_dir: 's3://bucket/code.zip', pip: ['torch'] })
    expect(shipped.entrypoint.startsWith('export PYTHONPATH=')).toBe(true)
    expect(shipped.entrypoint_resources).toEqual({ fast_disk: 1, 'accelerator_type:A100': 0.001 })
    expect(entrypointResources({ nodes: 1, gpusPerNode: 0, memoryBytes: 1000.5 }, {})).toEqual({
      entrypoint_memory: 1001,
    })
  })

  it('derives the submission id from run, asset, attempt and job folder: stable, and distinct per attempt', () => {
    const a = submissionId('r1', 'model/torch', 1, '/s/jobs/r1/model/torch/attempt-1')
    expect(submissionId('r1', 'model/torch', 1, '/s/jobs/r1/model/torch/attempt-1')).toBe(a)
    expect(submissionId('r1', 'model/torch', 2, '/s/jobs/r1/model/torch/attempt-2')).not.toBe(a)
    expect(submissionId('r1', 'model/torch', 1, '/other/jobs/r1/model/torch/attempt-1')).not.toBe(a)
    expect(submissionId('r 1', 'a.b/c:d', 1, '/x')).toMatch(/^rivers-r_1-a_b_c_d-a1-[0-9a-f]{8}$/)
  })

  it('gives a rendezvous only to jobs with several GPUs, and keeps what the asset sets', () => {
    expect(rayRendezvous(1, 'x', {})).toEqual({})
    expect(rayRendezvous(2, 'x', { MASTER_PORT: '29400' })).toEqual({ MASTER_ADDR: '127.0.0.1' })
    expect(rayRendezvous(4, 'x', {}).MASTER_PORT).toBe(rayRendezvous(4, 'x', {}).MASTER_PORT)
    expect(shellQuote('a b')).toBe("'a b'")
  })
})

describe('Ray states', () => {
  it('maps each Ray state with its exit code and reason', () => {
    const at = { start_time: 1_000, end_time: 2_000, submission_id: 'x' }
    expect(mapRayJob({ ...at, status: 'PENDING', message: 'Job has not started yet.' })).toEqual({
      state: 'pending',
      reason: 'Job has not started yet.',
    })
    expect(mapRayJob({ ...at, status: 'RUNNING' })).toEqual({ state: 'running', startedAt: new Date(1_000) })
    expect(mapRayJob({ ...at, status: 'SUCCEEDED', driver_exit_code: 0, message: 'done' })).toMatchObject({
      state: 'succeeded',
      exitCode: 0,
      finishedAt: new Date(2_000),
    })
    expect(mapRayJob({ ...at, status: 'STOPPED', message: 'Job was intentionally stopped.' })).toMatchObject({
      state: 'cancelled',
      reason: 'STOPPED: Job was intentionally stopped.',
    })
    const failed = {
      ...at,
      status: 'FAILED' as const,
      driver_exit_code: 124,
      message: 'Job entrypoint command failed with exit code 124, last available logs:\nTraceback',
    }
    expect(mapRayJob(failed)).toMatchObject({
      state: 'failed',
      exitCode: 124,
      reason: 'FAILED: Job entrypoint command failed with exit code 124, last available logs:',
    })
    expect(mapRayJob(failed, { timeLimitMs: 1000 })).toMatchObject({ state: 'timeout', exitCode: 124 })
    expect(
      mapRayJob({ ...at, status: 'FAILED', message: 'Job supervisor actor died: node 10.0.0.5 is dead' }).state,
    ).toBe('node_fail')
  })
})

describe('output copy', () => {
  const rayLine = '2026-01-01 10:00:00,000\tINFO job_manager.py:531 -- Runtime env is setting up.\n'

  it('takes complete new lines, leaves out Ray lines, and the rest at the end', () => {
    expect(newOutput(`${rayLine}a\nb`, 0, false)).toEqual({ text: 'a\n', offset: rayLine.length + 2 })
    expect(newOutput(`${rayLine}a\nb`, rayLine.length + 2, true)).toEqual({ text: 'b\n', offset: rayLine.length + 3 })
    expect(newOutput('a\n', 10, false)).toEqual({ text: 'a\n', offset: 2 }) // a new, shorter log starts over
  })

  it('appends only new bytes, also when two pollers copy at once', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'rivers-ray-logs-'))
    const out = path.join(dir, 'stdout.log')
    writeFileSync(out, '')
    await Promise.all([copyNewOutput('one\ntw', out, false), copyNewOutput('one\ntw', out, false)])
    await copyNewOutput('one\ntwo\nthree\n', out, false)
    await copyNewOutput('one\ntwo\nthree\n', out, true)
    expect(readFileSync(out, 'utf8')).toBe('one\ntwo\nthree\n')
  })
})

describe('settings', () => {
  it('resolves the address from the settings, RIVERS_RAY_ADDRESS, an http RAY_ADDRESS, or the default', () => {
    expect(rayAddress('http://head:8265/', {})).toBe('http://head:8265')
    expect(rayAddress(undefined, { RIVERS_RAY_ADDRESS: 'http://a:1', RAY_ADDRESS: 'http://b:2' })).toBe('http://a:1')
    expect(rayAddress(undefined, { RAY_ADDRESS: 'http://b:2' })).toBe('http://b:2')
    expect(rayAddress(undefined, { RAY_ADDRESS: 'ray://head:10001' })).toBe('http://127.0.0.1:8265')
    expect(() => rayAddress('head:8265', {})).toThrow(
      /launcher.address: "head:8265" is not the http\(s\) URL of a Ray dashboard/,
    )
  })

  it('turns project settings into options and refuses unknown fields and bad values', () => {
    expect(rayOptions({ type: 'ray', pollInterval: '200ms', checkResources: false }, {})).toEqual({
      address: 'http://127.0.0.1:8265',
      pollIntervalMs: 200,
      checkResources: false,
    })
    expect(() => rayOptions({ type: 'ray', adress: 'http://x' }, {})).toThrow(/adress: unknown field/)
    expect(() => rayOptions({ type: 'ray', workingDir: './src' }, {})).toThrow(/not a URI the cluster can fetch/)
    expect(() => rayOptions({ type: 'ray', pollInterval: 'soon' }, {})).toThrow(
      /pollInterval: "soon" is not a duration/,
    )
  })
})

describe('an unreachable cluster', () => {
  it('is reported before the run, naming the asset, the address and the fix', async () => {
    // A port nothing listens on: one that was free a moment ago.
    const port = await new Promise<number>((resolve) => {
      const server = createServer().listen(0, '127.0.0.1', () => {
        const { port } = server.address() as AddressInfo
        server.close(() => resolve(port))
      })
    })
    const ray = new RayLauncher({ address: `http://127.0.0.1:${port}`, requestTimeoutMs: 5_000 })
    const err = (await ray
      .validate({ nodes: 1, gpusPerNode: 0 }, { assetKey: 'features', kind: 'command' })
      .catch((e: unknown) => e)) as Error & { code: string; exitCode: number }
    expect([err.code, err.exitCode]).toEqual(['RIVERS_LAUNCHER_UNAVAILABLE', 2])
    expect(err.message).toMatch(
      /^The ray launcher is not usable \(needed by 'features'\): the Ray Jobs API at http:\/\/127\.0\.0\.1:\d+ could not list the cluster's nodes: GET http:\/\/127\.0\.0\.1:\d+\/api\/v0\/nodes failed: ECONNREFUSED\.\nFix: start the cluster/,
    )
  })
})
