import { spawnSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'

import { describe, expect, it, vi } from 'vitest'

vi.setConfig({ testTimeout: 60_000 })

import { jobContext, memoryLogger, shellJob, tempDir } from '@rivers-orchestrator/conformance'

import { LocalLauncher } from './local.js'
import { localRendezvous, rendezvousPort, slurmRendezvousLines, slurmTaskArgv } from './rendezvous.js'
import { batchScript } from './slurm-script.js'
import { SlurmLauncher } from './slurm.js'
import { superviseJob } from './supervise.js'
import type { ResourceRequest } from './types.js'

const base = tempDir('rivers-rendezvous-')
/** A fresh folder for one test case (the suite's folder is removed after it). */
const work = (): string => mkdtempSync(path.join(base(), 'case-'))
const quiet = () => ({ signal: new AbortController().signal, log: memoryLogger().log })

/** Each task prints its rendezvous variables as one `key=value` line. */
const PRINT_ENV =
  'echo "rank=$RANK local=$LOCAL_RANK node=$NODE_RANK world=$WORLD_SIZE nnodes=$NNODES addr=$MASTER_ADDR port=$MASTER_PORT"'

function parseLines(text: string): Record<string, string>[] {
  return text
    .trim()
    .split('\n')
    .filter((l) => l.startsWith('rank='))
    .map((l) => Object.fromEntries(l.split(' ').map((kv) => kv.split('=') as [string, string])))
    .sort((a, b) => Number(a.rank) - Number(b.rank))
}

describe('rendezvous variables (no Slurm needed)', () => {
  it('derives MASTER_PORT from the job id into 15000..29999, and keeps an asset-set MASTER_ADDR/PORT', () => {
    expect([rendezvousPort(1), rendezvousPort(4242), rendezvousPort(15_000), rendezvousPort(29_999)]).toEqual([
      15_001, 19_242, 15_000, 29_999,
    ])
    const all = slurmRendezvousLines({}).join('\n')
    expect(all).toContain('scontrol show hostnames "$SLURM_JOB_NODELIST" | head -n 1')
    expect(all).toContain('export MASTER_PORT=$((15000 + SLURM_JOB_ID % 15000))')
    const kept = slurmRendezvousLines({ MASTER_ADDR: 'head0', MASTER_PORT: '29400' }).join('\n')
    expect(kept).not.toMatch(/MASTER_ADDR=|MASTER_PORT=/)
    expect(kept).toContain('export WORLD_SIZE="$SLURM_NTASKS"')
    expect(slurmTaskArgv(['python3', 'train.py']).slice(-3)).toEqual(['rivers-task', 'python3', 'train.py'])
  })

  it('the task wrapper maps Slurm ids to ranks and passes the command its arguments untouched', () => {
    const argv = slurmTaskArgv(['sh', '-c', `${PRINT_ENV}; printf '[%s]' "$@"`, 'x', "it's", 'a b'])
    const out = spawnSync(argv[0]!, argv.slice(1), {
      encoding: 'utf8',
      env: { PATH: process.env.PATH, SLURM_PROCID: '3', SLURM_LOCALID: '1', SLURM_NODEID: '1', SLURM_NTASKS: '4' },
    }).stdout
    expect(out).toBe("rank=3 local=1 node=1 world=4 nnodes= addr= port=\n[it's][a b]")
  })

  it('a multi-node batch script exports the rendezvous before srun, and a one-node script does not', () => {
    const job = shellJob(work(), 'script', 'true', { nodes: 2, gpusPerNode: 0 })
    const multi = batchScript(job, {})
    expect(multi.indexOf('export MASTER_ADDR=')).toBeLessThan(multi.indexOf('srun '))
    expect(batchScript({ ...job, request: { nodes: 1, gpusPerNode: 0 } }, {})).not.toContain('MASTER_')
  })

  it('a local job with several GPUs gets a free loopback MASTER_ADDR/PORT; with one GPU, none', async () => {
    expect(await localRendezvous(1, {})).toEqual({})
    const two = await localRendezvous(2, {})
    expect(two.MASTER_ADDR).toBe('127.0.0.1')
    expect(Number(two.MASTER_PORT)).toBeGreaterThan(0)
    expect(await localRendezvous(4, { MASTER_PORT: '29400' })).toEqual({ MASTER_ADDR: '127.0.0.1' })
    const dir = work()
    const env: NodeJS.ProcessEnv = { ...process.env, RIVERS_GPUS: '2' }
    delete env.CUDA_VISIBLE_DEVICES
    const launcher = new LocalLauncher({ env, lockDir: path.join(dir, 'locks'), pollIntervalMs: 50 })
    const job = shellJob(dir, 'two-gpus', 'echo "addr=$MASTER_ADDR port=$MASTER_PORT gpus=$CUDA_VISIBLE_DEVICES"', {
      nodes: 1,
      gpusPerNode: 2,
    })
    const handle = await launcher.submit(job, jobContext(job))
    expect((await superviseJob(launcher, handle, quiet())).state).toBe('succeeded')
    expect(readFileSync(handle.stdoutPath, 'utf8')).toMatch(/^addr=127\.0\.0\.1 port=\d+ gpus=0,1\n$/)
  })
})

const slurmUp = spawnSync('sinfo', ['-h', '-o', '%t'], { encoding: 'utf8', timeout: 10_000 })
const slurmWorks = slurmUp.status === 0 && slurmUp.stdout.trim() !== ''

describe.skipIf(!slurmWorks && process.env.CI !== 'true')('rendezvous on the real Slurm cluster', () => {
  it('every task of a 2-node job sees one MASTER_ADDR:MASTER_PORT, ranks 0..1 and WORLD_SIZE 2, and rank 1 reaches rank 0 there', async () => {
    expect(slurmWorks, 'Slurm must be up in CI: sudo .ci/slurm/setup.sh').toBe(true)
    const launcher = new SlurmLauncher({ pollIntervalMs: 200, sinfoCacheMs: 5_000 })
    const dir = path.join(work(), 'two-nodes')
    mkdirSync(dir, { recursive: true })
    // Like torch's TCPStore: rank 0 listens on MASTER_ADDR:MASTER_PORT, the other ranks connect to it.
    const meet = path.join(dir, 'meet.py')
    writeFileSync(
      meet,
      [
        'import os, socket, time',
        "addr, port, rank = os.environ['MASTER_ADDR'], int(os.environ['MASTER_PORT']), int(os.environ['RANK'])",
        'if rank == 0:',
        '    s = socket.create_server((addr, port))',
        '    s.settimeout(20)',
        '    c, _ = s.accept()',
        "    print('rank 0 heard:', c.makefile().readline().strip(), flush=True)",
        'else:',
        '    for _ in range(100):',
        '        try:',
        '            c = socket.create_connection((addr, port), timeout=2)',
        '            break',
        '        except OSError:',
        '            time.sleep(0.2)',
        "    c.sendall(f'hello from rank {rank}\\n'.encode())",
        '    c.close()',
      ].join('\n'),
    )
    const request: ResourceRequest = { nodes: 2, gpusPerNode: 1 }
    await launcher.validate(request, { assetKey: 'ddp', kind: 'command' })
    const job = shellJob(dir, 'ddp', `${PRINT_ENV}; python3 ${meet}`, request)
    const handle = await launcher.submit(job, jobContext(job))
    const final = await superviseJob(launcher, handle, quiet())
    const out = readFileSync(handle.stdoutPath, 'utf8')
    expect(final.state, `${out}\n${readFileSync(handle.stderrPath, 'utf8')}`).toBe('succeeded')
    const tasks = parseLines(out)
    expect(tasks.map((t) => [t.rank, t.local, t.node, t.world, t.nnodes])).toEqual([
      ['0', '0', '0', '2', '2'],
      ['1', '0', '1', '2', '2'],
    ])
    expect(new Set(tasks.map((t) => `${t.addr}:${t.port}`)).size).toBe(1)
    expect(tasks[0]!.port).toBe(String(rendezvousPort(Number(handle.id))))
    // The first node of the allocation, by the address Slurm reaches it at (NodeAddr of n1 here).
    expect(tasks[0]!.addr).toBe('127.0.0.1')
    expect(out).toContain('rank 0 heard: hello from rank 1')
  })

  it("an asset's own MASTER_PORT wins over the derived one", async () => {
    const launcher = new SlurmLauncher({ pollIntervalMs: 200, sinfoCacheMs: 5_000 })
    const dir = path.join(work(), 'own-port')
    mkdirSync(dir, { recursive: true })
    const job = shellJob(dir, 'own', PRINT_ENV, { nodes: 2, gpusPerNode: 0 })
    const handle = await launcher.submit({ ...job, env: { ...job.env, MASTER_PORT: '29411' } }, jobContext(job))
    expect((await superviseJob(launcher, handle, quiet())).state).toBe('succeeded')
    expect(parseLines(readFileSync(handle.stdoutPath, 'utf8')).map((t) => t.port)).toEqual(['29411', '29411'])
  })
})
