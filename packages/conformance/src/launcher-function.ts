/**
 * The part of the `Launcher` conformance suite about function assets run as jobs: a TypeScript
 * function asset on the launcher runs as `assets worker run` on wherever the launcher runs jobs,
 * reads its input through the IO manager, and the orchestrator records what the worker hands back:
 * the same data version as the same function run in process (a differential check within one run),
 * its metrics and metadata, and one record written by the orchestrator.
 */
import { spawn } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import path from 'node:path'

import { SqliteStore } from '@rivers-orchestrator/rivers/plugin'
import { expect, it } from 'vitest'

import type { ConformanceSetup } from './launcher.js'

const require = createRequire(import.meta.url)

/**
 * Registers the function-job test in the current `describe` (called by `launcherConformance`).
 *
 * @example
 * functionJobConformance(() => s, () => dir, 60_000)
 */
export function functionJobConformance(
  setup: () => ConformanceSetup,
  workDir: () => string,
  testTimeoutMs: number,
): void {
  it(
    'runs a TypeScript function asset as a job (assets worker run): same data version as in process, metrics and metadata recorded',
    async () => {
      const s = setup()
      const dir = mkdtempSync(path.join(workDir(), 'function-'))
      linkRivers(dir)
      writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ private: true, type: 'module' }))
      const setting = s.functionSetting ?? s.setting
      writeFileSync(
        path.join(dir, 'rivers.config.ts'),
        [
          "import { asset, defineProject } from '@rivers-orchestrator/rivers'",
          "const nums = asset({ key: 'nums' }, () => [1, 2, 3, 4])",
          'const fit = (nums: number[], ctx: { addMetric(n: string, v: number, s?: number): void; addMetadata(m: object): void }) => {',
          "  nums.forEach((n, i) => ctx.addMetric('seen', n, i))",
          "  ctx.addMetadata({ host: process.env.SLURMD_NODENAME ?? 'here', pid: process.pid })",
          '  return { sum: nums.reduce((a, b) => a + b, 0), squares: nums.map((n) => n * n) }',
          '}',
          `const onJob = asset({ key: 'fn/job', deps: { nums }, resources: ${JSON.stringify(s.runnableResources)}, launcher: ${JSON.stringify(setting)} }, ({ nums }, ctx) => fit(nums, ctx))`,
          "const inProcess = asset({ key: 'fn/here', deps: { nums } }, ({ nums }, ctx) => fit(nums, ctx))",
          "const both = asset({ key: 'fn/both', deps: { onJob, inProcess } }, ({ onJob, inProcess }) => onJob.sum + inProcess.sum)",
          "export default defineProject({ name: 'function-jobs', assets: [both] })",
        ].join('\n'),
      )
      const store = path.join(dir, '.rivers')
      const { code, stdout, stderr } = await runAssets(['materialize', '--json', '--store', store], dir)
      expect(code, stderr).toBe(0)
      const summary = JSON.parse(stdout) as { status: string; materialized: string[] }
      expect(summary.status, stderr).toBe('success')
      expect([...summary.materialized].sort()).toEqual(['fn/both', 'fn/here', 'fn/job', 'nums'])
      if (s.stats !== undefined) s.stats.jobs++
      const records = SqliteStore.open(store)
      try {
        const job = await records.currentRecord('fn/job')
        const here = await records.currentRecord('fn/here')
        expect(job?.dataVersion).toBe(here?.dataVersion)
        expect(job?.metrics).toEqual(here?.metrics)
        expect(job?.metadata).toMatchObject({ job: { launcher: s.make().name, state: 'succeeded' } })
        const pid = (r: typeof job): unknown => (r?.metadata as { pid?: number } | undefined)?.pid
        expect(pid(job)).not.toBe(pid(here))
        const jobs = await records.listJobs({ key: 'fn/job' })
        expect(jobs.map((j) => j.state)).toEqual(['succeeded'])
        const value = JSON.parse(readFileSync(path.join(store, 'storage', job!.storagePath!), 'utf8'))
        expect(value).toEqual({ sum: 10, squares: [1, 4, 9, 16] })
      } finally {
        await records.close()
      }
    },
    testTimeoutMs,
  )
}

/** `node_modules/@rivers-orchestrator/rivers` in `dir` -> the library this suite runs against. */
function linkRivers(dir: string): void {
  const pkg = path.dirname(require.resolve('@rivers-orchestrator/rivers/package.json'))
  mkdirSync(path.join(dir, 'node_modules', '@rivers-orchestrator'), { recursive: true })
  symlinkSync(pkg, path.join(dir, 'node_modules', '@rivers-orchestrator', 'rivers'), 'dir')
}

/** Runs the `assets` command of `@rivers-orchestrator/cli` (it must resolve beside this suite). */
function runAssets(args: string[], cwd: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  let bin: string
  try {
    const manifest = require.resolve('@rivers-orchestrator/cli/package.json')
    const { bin: bins } = JSON.parse(readFileSync(manifest, 'utf8')) as { bin: Record<string, string> }
    bin = path.resolve(path.dirname(manifest), bins.assets!)
  } catch (e) {
    throw new Error(
      `the function-job conformance test runs the assets command, and @rivers-orchestrator/cli does not resolve here (${String(e)}): install it as a dev dependency beside @rivers-orchestrator/conformance`,
    )
  }
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [bin, ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (b: Buffer) => (stdout += b.toString()))
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()))
    child.once('close', (code) => resolve({ code, stdout, stderr }))
  })
}
