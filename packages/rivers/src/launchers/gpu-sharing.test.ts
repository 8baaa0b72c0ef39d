import { spawn } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

import { afterEach, describe, expect, it, vi } from 'vitest'

vi.setConfig({ testTimeout: 60_000 })

import { tempDir } from '@rivers-orchestrator/conformance'

import { asset, defineProject } from '../definitions/index.js'
import { openWorkspace } from '../open.js'
import { GpuLocks, defaultGpuLockDir } from './gpu-locks.js'
import type { LocalLauncher } from './local.js'
import { launcherFor, resetLaunchers } from './registry.js'

const base = tempDir('rivers-gpu-share-')
/** A fresh folder for one test case (the suite's folder is removed after it). */
const work = (): string => mkdtempSync(path.join(base(), 'case-'))

afterEach(() => {
  vi.unstubAllEnvs()
  resetLaunchers()
})

/**
 * Two projects, each with its own store folder, materialize a 1-GPU command asset at the same time.
 * Each job records when it ran and which GPU it got; with `barrier`, a job waits (up to 10 s) until
 * the other one has started too, so both must hold a GPU at once.
 */
async function twoProjects(gpus: string, barrier: boolean) {
  const dir = work()
  vi.stubEnv('RIVERS_GPU_LOCK_DIR', path.join(dir, 'host-locks'))
  vi.stubEnv('RIVERS_GPUS', gpus)
  vi.stubEnv('CUDA_VISIBLE_DEVICES', undefined)
  const wait = barrier
    ? `for i in $(seq 100); do [ -e ${dir}/start-$OTHER ] && break; sleep 0.1; done; `
    : 'sleep 0.5; '
  const project = (name: string, other: string) =>
    defineProject({
      assets: [
        asset({
          key: 'train',
          resources: { gpus: 1 },
          launcher: 'local',
          env: { OTHER: other },
          command: [
            'sh',
            '-c',
            `echo "$(date +%s%N) $CUDA_VISIBLE_DEVICES" > ${dir}/start-${name}; ${wait}echo "$(date +%s%N)" > ${dir}/end-${name}`,
          ],
        }),
      ],
    })
  const a = await openWorkspace(project('a', 'b'), { storeDir: path.join(dir, 'store-a'), logLevel: 'silent' })
  const b = await openWorkspace(project('b', 'a'), { storeDir: path.join(dir, 'store-b'), logLevel: 'silent' })
  try {
    const [ra, rb] = await Promise.all([a.materialize(), b.materialize()])
    expect([ra.failed, rb.failed]).toEqual([[], []])
  } finally {
    await Promise.all([a.close(), b.close()])
  }
  const span = (name: string) => {
    const [t0, gpu] = readFileSync(path.join(dir, `start-${name}`), 'utf8')
      .trim()
      .split(' ')
    const t1 = readFileSync(path.join(dir, `end-${name}`), 'utf8').trim()
    return { gpu, start: Number(BigInt(t0!) / 1000000n), end: Number(BigInt(t1) / 1000000n) }
  }
  return { a: span('a'), b: span('b'), lockDir: path.join(dir, 'host-locks') }
}

describe('GPU locks are host-wide, not per store', () => {
  it('two projects with different stores get the one GPU one after the other', async () => {
    const { a, b } = await twoProjects('1', false)
    expect([a.gpu, b.gpu]).toEqual(['0', '0'])
    const [first, second] = a.start <= b.start ? [a, b] : [b, a]
    expect(second.start).toBeGreaterThanOrEqual(first.end)
  })

  it('with two GPUs, two projects running at once get different GPUs', async () => {
    const { a, b, lockDir } = await twoProjects('2', true)
    // Both ran at the same time (each waited for the other to start) ...
    expect(Math.max(a.start, b.start)).toBeLessThan(Math.min(a.end, b.end))
    // ... on different GPUs.
    expect([a.gpu, b.gpu].sort()).toEqual(['0', '1'])
    expect(existsSync(path.join(lockDir, 'gpu-0.lock')) || existsSync(path.join(lockDir, 'gpu-1.lock'))).toBe(false)
  })

  it('two orchestrator processes with different stores and default settings, one GPU: one after the other', async () => {
    const dir = work()
    const index = fileURLToPath(new URL('../index.ts', import.meta.url))
    const repo = fileURLToPath(new URL('../../../..', import.meta.url))
    // The real default folder (/tmp/rivers-gpu-locks), as two projects on one machine have it; GPU
    // index 97 (`'97,'`: that one index), which no real machine's Rivers processes are using.
    const env: NodeJS.ProcessEnv = { ...process.env, RIVERS_GPUS: '97,' }
    delete env.CUDA_VISIBLE_DEVICES
    delete env.RIVERS_GPU_LOCK_DIR
    const run = (name: string): Promise<{ code: number | null; out: string }> => {
      const driver = path.join(dir, `${name}.mts`)
      const command = [
        'sh',
        '-c',
        `echo "$(date +%s%N) $CUDA_VISIBLE_DEVICES" > ${dir}/start-${name}; sleep 1; echo "$(date +%s%N)" > ${dir}/end-${name}`,
      ]
      writeFileSync(
        driver,
        [
          `import { asset, defineProject, openWorkspace } from ${JSON.stringify(index)}`,
          `const train = asset({ key: 'train', resources: { gpus: 1 }, launcher: 'local', command: ${JSON.stringify(command)} })`,
          `const ws = await openWorkspace(defineProject({ assets: [train] }), { storeDir: ${JSON.stringify(path.join(dir, `store-${name}`))}, logLevel: 'silent' })`,
          'const summary = await ws.materialize()',
          'await ws.close()',
          'console.log(JSON.stringify(summary.failed))',
        ].join('\n'),
      )
      const child = spawn(process.execPath, ['--import', 'tsx', driver], {
        cwd: repo,
        env,
        stdio: ['ignore', 'pipe', 'pipe'],
      })
      let out = ''
      child.stdout.on('data', (b: Buffer) => (out += b.toString()))
      child.stderr.on('data', (b: Buffer) => (out += b.toString()))
      return new Promise((resolve) => child.once('close', (code) => resolve({ code, out })))
    }
    const results = await Promise.all([run('a'), run('b')])
    expect(results.map((r) => [r.code, r.out.trim()])).toEqual([
      [0, '[]'],
      [0, '[]'],
    ])
    const span = (name: string) => {
      const [t0, gpu] = readFileSync(path.join(dir, `start-${name}`), 'utf8')
        .trim()
        .split(' ')
      const t1 = readFileSync(path.join(dir, `end-${name}`), 'utf8').trim()
      return { gpu, start: Number(BigInt(t0!) / 1000000n), end: Number(BigInt(t1) / 1000000n) }
    }
    const [first, second] = [span('a'), span('b')].sort((x, y) => x.start - y.start)
    expect([first!.gpu, second!.gpu]).toEqual(['97', '97'])
    expect(second!.start).toBeGreaterThanOrEqual(first!.end)
  })

  it('the built-in local launcher uses one folder for every store: RIVERS_GPU_LOCK_DIR, else /tmp/rivers-gpu-locks', () => {
    const env: NodeJS.ProcessEnv = { PATH: process.env.PATH }
    const one = launcherFor({ type: 'local' }, '/p1/.rivers', env) as LocalLauncher
    const two = launcherFor({ type: 'local' }, '/p2/.rivers', env) as LocalLauncher
    expect([one.lockDir, two.lockDir]).toEqual(['/tmp/rivers-gpu-locks', '/tmp/rivers-gpu-locks'])
    expect(defaultGpuLockDir({ RIVERS_GPU_LOCK_DIR: '/shared/locks' })).toBe('/shared/locks')
    expect(defaultGpuLockDir({ RIVERS_GPU_LOCK_DIR: '  ' })).toBe('/tmp/rivers-gpu-locks')
    const own = launcherFor({ type: 'local', lockDir: '/p3/locks' }, '/p3/.rivers', env) as LocalLauncher
    expect(own.lockDir).toBe('/p3/locks')
  })

  it('creates the folder so that other users can share it (0777) and lock files they can read and break (0666)', () => {
    const dir = path.join(work(), 'made', 'here')
    const old = process.umask(0o077) // a strict umask must not make the folder private
    try {
      const locks = new GpuLocks(dir)
      expect(locks.tryLock('0', 'test')).toBe(true)
      expect(statSync(dir).mode & 0o7777).toBe(0o777)
      expect(statSync(path.dirname(dir)).mode & 0o7777).toBe(0o777)
      expect(statSync(path.join(dir, 'gpu-0.lock')).mode & 0o777).toBe(0o666)
      locks.setChild('0', process.pid) // rewritten through a temporary file: same mode
      expect(statSync(path.join(dir, 'gpu-0.lock')).mode & 0o777).toBe(0o666)
      locks.unlock('0')
    } finally {
      process.umask(old)
    }
  })

  it('a lock folder that cannot be made is an error that names it and the fix', () => {
    const file = path.join(work(), 'a-file')
    writeFileSync(file, '')
    expect(() => new GpuLocks(path.join(file, 'locks'))).toThrow(
      /The local launcher is not usable: its GPU lock folder .*a-file\/locks is not usable: cannot create it \(ENOTDIR\)\.\nFix: .*RIVERS_GPU_LOCK_DIR/,
    )
  })
})
