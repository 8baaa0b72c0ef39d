/**
 * GPU telemetry with a fake `nvidia-smi` on PATH: a GPU job's record gets `gpu_util` and
 * `gpu_mem_mb` samples of exactly its GPUs; a job without GPUs, or with sampling off, gets none; the
 * sampler is gone when the job is. On the real Slurm cluster, see slurm.test.ts.
 */
import { spawnSync } from 'node:child_process'
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'

import { tempDir } from '@rivers-orchestrator/conformance'
import { afterEach, describe, expect, it, vi } from 'vitest'

import { asset, defineProject } from '../definitions/index.js'
import { openWorkspace } from '../open.js'
import { gpuTelemetryStart, gpuTelemetryStop } from './gpu-telemetry.js'
import { groupAlive } from './process-info.js'
import { resetLaunchers } from './registry.js'

vi.setConfig({ testTimeout: 60_000 })

const root = tempDir('rivers-gpu-telemetry-')
/** A fresh folder per call. */
const work = (): string => mkdtempSync(path.join(root(), 'case-'))

/**
 * A fake `nvidia-smi` in `dir/bin`: the inventory query lists `n` GPUs; the telemetry query answers
 * utilisation 10·(i+1) % and 1000·(i+1) MiB for each GPU `-i` names, and logs its arguments.
 */
function fakeTelemetrySmi(dir: string, n: number): string {
  const bin = path.join(dir, 'bin')
  mkdirSync(bin, { recursive: true })
  const inventory = Array.from({ length: n }, (_, i) => `${i}, GPU-0000000${i}-fake, NVIDIA H100, 81559`).join('\\n')
  writeFileSync(
    path.join(bin, 'nvidia-smi'),
    [
      '#!/bin/sh',
      `echo "$*" >> ${JSON.stringify(path.join(dir, 'smi-calls'))}`,
      'case "$1" in',
      `  --query-gpu=utilization.gpu,memory.used) ids=$4; for i in $(echo "$ids" | tr , ' '); do echo "$(( (i + 1) * 10 )), $(( (i + 1) * 1000 ))"; done ;;`,
      `  *) printf '${inventory}\\n' ;;`,
      'esac',
    ].join('\n'),
  )
  chmodSync(path.join(bin, 'nvidia-smi'), 0o755)
  return bin
}

afterEach(() => {
  vi.unstubAllEnvs()
  resetLaunchers()
})

async function materializeJob(dir: string, gpus: number, sampleSeconds: string) {
  vi.stubEnv('PATH', `${fakeTelemetrySmi(dir, 4)}${path.delimiter}${process.env.PATH ?? ''}`)
  vi.stubEnv('RIVERS_GPU_SAMPLE_SECONDS', sampleSeconds)
  const job = asset({
    key: 'train',
    command: ['/bin/sh', '-c', 'sleep 1.3; echo "{}" > "$RIVERS_OUTPUT"'],
    resources: { gpus },
    launcher: { type: 'local', gpus: '4', lockDir: path.join(dir, 'locks') },
  })
  const ws = await openWorkspace(defineProject({ assets: [job] }), {
    storeDir: path.join(dir, '.rivers'),
    logLevel: 'silent',
  })
  try {
    const summary = await ws.materialize()
    expect(summary.failed).toEqual([])
    const [record] = (await ws.show('train')).history
    return record!
  } finally {
    await ws.close()
  }
}

describe('GPU telemetry (fake nvidia-smi)', () => {
  it('samples the utilisation and memory of exactly the GPUs of the job into gpu_util and gpu_mem_mb', async () => {
    const dir = work()
    const record = await materializeJob(dir, 2, '0.4')
    const util = record.metrics.filter((m) => m.name === 'gpu_util')
    const mem = record.metrics.filter((m) => m.name === 'gpu_mem_mb')
    // GPUs 0 and 1 (the first free ones): (10 + 20) / 2 % and 1000 + 2000 MiB, sampled from step 0.
    expect(util.length).toBeGreaterThanOrEqual(2)
    expect(util.every((m) => m.value === 15)).toBe(true)
    expect(mem.every((m) => m.value === 3000)).toBe(true)
    expect(util.map((m) => m.step)).toEqual(util.map((_, i) => i))
    expect(mem.map((m) => m.step)).toEqual(util.map((m) => m.step))
    const calls = readFileSync(path.join(dir, 'smi-calls'), 'utf8')
    expect(calls).toContain('--query-gpu=utilization.gpu,memory.used --format=csv,noheader,nounits -i 0,1')
    // The sampler went with the job: no process of the job's group is left.
    expect(groupAlive(Number((record.metadata.job as { id: string }).id))).toBe(false)
  })

  it('takes no samples without GPUs, or with RIVERS_GPU_SAMPLE_SECONDS=0', async () => {
    const none = work()
    expect((await materializeJob(none, 0, '0.4')).metrics).toEqual([])
    expect(existsSync(path.join(none, 'smi-calls'))).toBe(true) // the inventory was read: the sampler was not
    expect(readFileSync(path.join(none, 'smi-calls'), 'utf8')).not.toContain('utilization.gpu')
    const off = work()
    expect((await materializeJob(off, 1, '0')).metrics).toEqual([])
    expect(readFileSync(path.join(off, 'smi-calls'), 'utf8')).not.toContain('utilization.gpu')
  })

  it('is plain POSIX sh, started before the command and stopped after it', () => {
    const lines = [...gpuTelemetryStart(), 'true', 'code=$?', ...gpuTelemetryStop()].join('\n')
    expect(spawnSync('sh', ['-n', '-c', lines]).status).toBe(0)
  })
})
