/**
 * The real `assets` binary on a project that imports this package and sets `launcher: { type: 'ray',
 * address }`: a command asset materialized as a Ray job (inputs, metrics, output, its print in the
 * run log), the orchestrator killed with SIGKILL while the job runs and the next run reattaching to
 * it by submission id, and Ctrl-C stopping the Ray job. Needs RIVERS_TEST_RAY_URL (skipped without it
 * on a developer's machine, failing without it in CI).
 */
import { existsSync, readFileSync, symlinkSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

import { SqliteStore } from '@rivers-orchestrator/rivers/plugin'
import { afterAll, describe, expect, it } from 'vitest'

import { makeProject, removeProjects, type TestProject } from '../../cli/test/e2e/project.js'
import { RayJobsClient } from './client.js'
import { rayUnavailable, testRayUrl } from './testing.js'

const PACKAGE = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const why = rayUnavailable()
const T = { timeout: 120_000 }

afterAll(removeProjects)

/** A project whose command asset `total` runs on Ray; `script` is its job (Python, rivers_job client). */
function rayProject(url: string, script: string): TestProject {
  const p = makeProject({
    'rivers.config.ts': [
      "import '@rivers-orchestrator/launcher-ray'",
      "import { asset, defineProject } from '@rivers-orchestrator/rivers'",
      'const numbers = asset({ key: "numbers" }, () => [1, 2, 3])',
      "const total = asset({ key: 'total', deps: { numbers }, command: ['python3', 'job.py'], resources: { cpus: 1 } })",
      `export default defineProject({ launcher: { type: 'ray', address: ${JSON.stringify(url)}, pollInterval: '200ms' }, assets: [numbers, total] })`,
    ].join('\n'),
    'job.py': script,
  })
  symlinkSync(PACKAGE, path.join(p.dir, 'node_modules', '@rivers-orchestrator', 'launcher-ray'), 'dir')
  return p
}

async function whenExists(file: string, timeoutMs = 60_000): Promise<void> {
  for (const until = Date.now() + timeoutMs; !existsSync(file); ) {
    if (Date.now() > until) throw new Error(`${file} did not appear within ${timeoutMs} ms`)
    await new Promise((r) => setTimeout(r, 50))
  }
}

if (why !== undefined) {
  describe('assets on Ray', () => {
    if (process.env.CI === 'true') it('runs in CI', () => expect.fail(`CI=true but ${why}`))
    else it.skip(`skipped: ${why}`, () => undefined)
  })
} else {
  const url = testRayUrl()!
  const ray = new RayJobsClient(url)

  describe('assets on Ray', () => {
    it('materializes a command asset as a Ray job: inputs, metrics, output, its output in the run log', T, async () => {
      const p = rayProject(
        url,
        [
          'import rivers_job as rj',
          'nums = rj.read_input_json("numbers")',
          'print("ray job sees", len(nums), "numbers", flush=True)',
          'rj.metric("total", sum(nums))',
          'rj.write_output_json(sum(nums))',
        ].join('\n'),
      )
      const r = await p.run(['materialize', '--json'])
      expect(r.code, r.stderr).toBe(0)
      const summary = r.json<{ runId: string; materialized: string[] }>()
      expect(summary.materialized).toEqual(['numbers', 'total'])
      const store = SqliteStore.open(path.join(p.dir, '.rivers'))
      try {
        const [job] = await store.listJobs({ runId: summary.runId })
        expect([job?.key, job?.launcher, job?.state, job?.exitCode]).toEqual(['total', 'ray', 'succeeded', 0])
        const id = (job!.handle as { id: string }).id
        expect(id).toMatch(new RegExp(`^rivers-${summary.runId}-total-a1-[0-9a-f]{8}$`))
        expect(await ray.job(id)).toMatchObject({ status: 'SUCCEEDED', metadata: { rivers_asset: 'total' } })
        expect((await store.currentRecord('total'))?.metadata).toMatchObject({
          job: { launcher: 'ray', state: 'succeeded' },
        })
      } finally {
        await store.close()
      }
      const log = readFileSync(path.join(p.dir, '.rivers', 'logs', `${summary.runId}.ndjson`), 'utf8')
      expect(log).toContain('ray job sees 3 numbers')
      expect(log).not.toContain('Runtime env is setting up')
      const shown = await p.run(['show', 'total', '--json'])
      expect(shown.code, shown.stderr).toBe(0)
    })

    it('reattaches to the Ray job after the orchestrator is killed, instead of submitting it again', T, async () => {
      const p = rayProject(
        url,
        [
          'import os, time, rivers_job as rj',
          'open("starts", "a").write("started\\n")',
          'print("working", flush=True)',
          'while not os.path.exists("go"): time.sleep(0.05)',
          'rj.write_output_json(42)',
        ].join('\n'),
      )
      const first = await p.run(['materialize', '--json'], {
        onSpawn: (child) => void whenExists(path.join(p.dir, 'starts')).then(() => child.kill('SIGKILL')),
      })
      expect(first.code).toBe(128) // killed: the job lives on in Ray
      const again = p.run(['materialize', '--json'])
      const store = SqliteStore.open(path.join(p.dir, '.rivers'))
      try {
        const reattached = async (): Promise<boolean> => {
          for (const run of await store.listRuns())
            if (run.status === 'running' && (await store.runEvents(run.id)).some((e) => e.type === 'job_reattached'))
              return true
          return false
        }
        for (const until = Date.now() + 60_000; !(await reattached()); ) {
          if (Date.now() > until) throw new Error('the second run did not reattach')
          await new Promise((r) => setTimeout(r, 100))
        }
        p.write({ go: '' })
        const r = await again
        expect(r.code, r.stderr).toBe(0)
        expect(r.json().materialized).toEqual(['total'])
        expect(readFileSync(path.join(p.dir, 'starts'), 'utf8')).toBe('started\n') // submitted once
        const jobs = await store.listJobs({ key: 'total' })
        expect(jobs.map((j) => j.state)).toEqual(['succeeded'])
      } finally {
        p.write({ go: '' })
        await store.close()
      }
    })

    it('Ctrl-C stops the Ray job', T, async () => {
      const p = rayProject(
        url,
        ['import time', 'open("started", "w").write("")', 'time.sleep(30)', 'open("survived", "w").write("")'].join(
          '\n',
        ),
      )
      const r = await p.run(['materialize', '--json'], {
        onSpawn: (child) => void whenExists(path.join(p.dir, 'started')).then(() => child.kill('SIGINT')),
      })
      expect(r.code, r.stderr).toBe(130)
      const store = SqliteStore.open(path.join(p.dir, '.rivers'))
      try {
        const [job] = await store.listJobs({ key: 'total' })
        expect(job?.state).toBe('cancelled')
        expect((await ray.job((job!.handle as { id: string }).id))?.status).toBe('STOPPED')
      } finally {
        await store.close()
      }
      await new Promise((r) => setTimeout(r, 1_000))
      expect(existsSync(path.join(p.dir, 'survived'))).toBe(false)
    })
  })
}
