/**
 * Function assets run as jobs (`assets worker run` through a launcher): the local launcher with
 * `functions: 'worker'`, and the real Slurm test cluster. A differential check: the same project
 * materialized in process and as a job records the same data version, metadata and metrics; the
 * worker writes no record (the orchestrator records what it hands back). And `worker run`'s own
 * errors: no request, unknown asset, unreadable input, project not loadable.
 */
import { spawnSync } from 'node:child_process'
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { afterAll, describe, expect, test } from 'vitest'
import { makeProject, removeProjects, type TestProject } from './project.js'

afterAll(removeProjects)

const T = { timeout: 90_000 }

const CONFIG = `import { asset, check, defineProject, result, source } from '@rivers-orchestrator/rivers'
import { z } from 'zod'

const where = process.env.WHERE
const launcher =
  where === 'local' ? ({ type: 'local', functions: 'worker' } as const)
  : where === 'slurm' ? ({ type: 'slurm', pollInterval: '200ms' } as const)
  : undefined

const raw = source({ key: 'raw', path: 'data.csv' })
export const rows = asset({ key: 'rows', deps: { raw } }, ({ raw }) =>
  String(raw).trim().split('\\n').slice(1).map((l) => l.split(',').map(Number)),
)
export const model = asset(
  {
    key: 'model',
    deps: { rows, raw },
    config: z.object({ scale: z.number().default(2) }),
    ...(launcher === undefined ? {} : { launcher }),
    checks: [check('positive', (v: { total: number }) => v.total > 0)],
  },
  async ({ rows, raw }, ctx) => {
    ctx.log.info('fitting ' + rows.length + ' rows')
    const { writeFileSync } = await import('node:fs')
    const { join } = await import('node:path')
    const { tmpdir } = await import('node:os')
    const notes = join(tmpdir(), 'rivers-wk-notes-' + process.pid + '.txt')
    writeFileSync(notes, 'rows ' + rows.length)
    await ctx.attach(notes, 'notes.txt')
    ctx.addMetric('loss', 0.5, 1)
    ctx.addMetadata({ rawBytes: raw.length, inJob: ctx.checkpointDir !== undefined, gpus: ctx.gpus?.map((g) => g.index) ?? null })
    if (process.env.FAIL === '1') throw new Error('boom in model')
    return { total: rows.flat().reduce((a, b) => a + b, 0) * ctx.config.scale, at: new Date(0).toISOString() }
  },
)
export const tagged = asset(
  { key: 'tagged', deps: { rows }, ...(launcher === undefined ? {} : { launcher }) },
  ({ rows }) => result(rows.length, { dataVersion: 'rows-' + rows.length, metadata: { n: rows.length } }),
)
export const report = asset({ key: 'report', deps: { model, tagged } }, ({ model, tagged }) => \`total=\${model.total} n=\${tagged}\`)
export default defineProject({ name: 'wk', assets: [report] })
`

function project(): TestProject {
  return makeProject({ 'rivers.config.ts': CONFIG, 'data.csv': 'a,b\n1,2\n3,4\n' })
}

/** The latest record of `key` in store `store` (`assets show --json`). */
async function latest(p: TestProject, key: string, store: string): Promise<any> {
  const r = await p.run(['show', key, '--json', '--store', store])
  expect(r.code, r.stderr).toBe(0)
  const doc = r.json()
  return { ...doc.history[0], records: doc.history.length }
}

/** Materializes everything in process (store .rivers-p) and with function jobs on `where` (.rivers-w). */
async function differential(where: 'local' | 'slurm'): Promise<void> {
  const p = project()
  const inProcess = await p.run(['materialize', '--json', '--store', '.rivers-p'])
  expect(inProcess.code, inProcess.stderr).toBe(0)
  const asJobs = await p.run(['materialize', '--json', '--store', '.rivers-w'], { env: { WHERE: where } })
  expect(asJobs.code, asJobs.stderr).toBe(0)
  expect([...asJobs.json().materialized].sort()).toEqual(['model', 'report', 'rows', 'tagged'])
  expect(asJobs.stderr).toMatch(/worker run --run \S+ --asset model/)
  for (const key of ['model', 'tagged', 'report']) {
    const a = await latest(p, key, '.rivers-p')
    const b = await latest(p, key, '.rivers-w')
    expect(b.dataVersion, key).toBe(a.dataVersion)
    expect(b.inputs, key).toEqual(a.inputs)
    expect(b.records, `${key}: one record, written by the orchestrator`).toBe(1)
  }
  const job = await latest(p, 'model', '.rivers-w')
  expect(job.metadata).toMatchObject({ rawBytes: 12, inJob: true, job: { launcher: where, state: 'succeeded' } })
  // A file the function attached on the node is kept with the record, as in process.
  for (const [store, m] of [
    ['.rivers-w', job.metadata],
    ['.rivers-p', (await latest(p, 'model', '.rivers-p')).metadata],
  ] as const) {
    const rel = (m.attachments as Record<string, string>)['notes.txt']!
    expect(rel).toMatch(/^attachments\/model\/\S+\/notes\.txt$/)
    expect(readFileSync(path.join(p.dir, store, rel), 'utf8')).toBe('rows 2')
  }
  expect(job.metrics).toEqual([{ name: 'loss', value: 0.5, step: 1 }])
  expect(job.checks).toEqual([{ name: 'positive', passed: true, blocking: false }])
  expect((await latest(p, 'model', '.rivers-p')).metadata).toMatchObject({ rawBytes: 12, inJob: false })
  expect((await latest(p, 'tagged', '.rivers-w')).metadata).toMatchObject({ n: 2 })
  const logs = await p.run(['logs', '--asset', 'model', '--store', '.rivers-w'])
  expect(logs.stdout).toContain('fitting 2 rows')
}

describe('function assets as jobs on the local launcher', () => {
  test('record what an in-process run records: same data versions, inputs, metadata, metrics, checks', T, () =>
    differential('local'),
  )

  test("a failure in the function is the asset's failure, with the user's location", T, async () => {
    const p = project()
    const r = await p.run(['materialize', '--store', '.rivers-w'], { env: { WHERE: 'local', FAIL: '1' } })
    expect(r.code).toBe(1)
    expect(r.stdout + r.stderr).toMatch(/model failed: Error: boom in model \(at rivers\.config\.ts:\d+:\d+\)/)
    expect(r.stdout + r.stderr).toContain("asset 'model' ran as a job")
  })
})

const PARTITIONED = `import { asset, daily, defineProject } from '@rivers-orchestrator/rivers'
const worker = process.env.WHERE === 'local'
const days = daily({ start: '2024-01-01', end: '2024-01-04' })
const base = asset({ key: 'base' }, () => ({ k: 3 }))
const events = asset({ key: 'events', partitions: days }, (_i, ctx) => ({ n: ctx.partition!.index }))
const scored = asset(
  { key: 'scored', partitions: days, deps: { events, base }, ...(worker ? { launcher: { type: 'local', functions: 'worker' } as const } : {}) },
  ({ events, base }, ctx) => ({ day: ctx.partition!.key, score: events.n * base.k, start: ctx.partition!.window!.start.toISOString() }),
)
export default defineProject({ name: 'partitioned', assets: [scored] })
`

test(
  'a partitioned function asset runs one job per partition, with the data versions of an in-process run',
  T,
  async () => {
    const p = makeProject({ 'rivers.config.ts': PARTITIONED })
    const versions = async (store: string, env: Record<string, string>) => {
      const r = await p.run(['materialize', '--json', '--store', store], { env })
      expect(r.code, r.stderr).toBe(0)
      const shown = await p.run(['show', 'scored', '--json', '--store', store])
      return (shown.json().history as { partition: string; dataVersion: string }[])
        .map((h) => `${h.partition}:${h.dataVersion}`)
        .sort()
    }
    const asJobs = await versions('.rivers-w', { WHERE: 'local' })
    expect(asJobs).toHaveLength(3)
    expect(asJobs).toEqual(await versions('.rivers-p', {}))
    const jobs = readdirSync(path.join(p.dir, '.rivers-w', 'jobs'), { recursive: true }) as string[]
    expect(jobs.filter((f) => /scored\/partition-[^/]+\/attempt-1\/worker-result\.json$/.test(f))).toHaveLength(3)
  },
)

const BY_REFERENCE = `import { appendFileSync } from 'node:fs'
import { asset, defineProject, FileIOManager } from '@rivers-orchestrator/rivers'
class Counting extends FileIOManager {
  async read(asset: { key: string }, stored: { storagePath: string }) {
    appendFileSync('reads.log', (process.env.RIVERS_CONTEXT ? 'worker ' : 'orchestrator ') + asset.key + '\\n')
    return super.read(asset, stored)
  }
}
const big = asset({ key: 'big' }, () => Array.from({ length: 1000 }, (_, i) => i))
const fit = asset({ key: 'fit', deps: { big }, launcher: { type: 'local', functions: 'worker' } }, ({ big }) => big.length)
export default defineProject({ name: 'by-reference', assets: [fit], io: new Counting('io') })
`

test(
  'a stored input of a function run as a job is read once, by the worker, not by the orchestrator too',
  T,
  async () => {
    const p = makeProject({ 'rivers.config.ts': BY_REFERENCE })
    const r = await p.run(['materialize', '--json'])
    expect(r.code, r.stderr).toBe(0)
    expect(readFileSync(path.join(p.dir, 'reads.log'), 'utf8').trim().split('\n')).toEqual(['worker big'])
    const shown = await p.run(['show', 'fit', '--json'])
    const [record] = shown.json().history
    const [bigRecord] = (await p.run(['show', 'big', '--json'])).json().history
    // What the record says it consumed is the record the worker read.
    expect(record.inputs).toEqual([{ key: 'big', dataVersion: bigRecord.dataVersion }])
  },
)

describe('assets worker run, by hand', () => {
  /** A project materialized with jobs, and the request of its model job. */
  async function withJob(): Promise<{ p: TestProject; request: string; runId: string }> {
    const p = project()
    const r = await p.run(['materialize', '--json', '--store', '.rivers-w'], { env: { WHERE: 'local' } })
    expect(r.code, r.stderr).toBe(0)
    const runId = r.json().runId as string
    const request = path.join(p.dir, '.rivers-w', 'jobs', runId, 'model', 'attempt-1', 'worker-request.json')
    return { p, request, runId }
  }
  const result = (request: string) =>
    JSON.parse(readFileSync(path.join(path.dirname(request), 'worker-result.json'), 'utf8'))

  test('runs the job again from its request and hands back the same data version', T, async () => {
    const { p, request, runId } = await withJob()
    const before = result(request)
    rmSync(path.join(path.dirname(request), 'worker-result.json'))
    const r = await p.run(['worker', 'run', '--run', runId, '--asset', 'model', '--request', request, '--json'])
    expect(r.code, r.stderr).toBe(0)
    expect(result(request)).toMatchObject({ ok: true, dataVersion: before.dataVersion, metrics: before.metrics })
  })

  test(
    'ctx.gpus are the GPUs the launcher gave the job (CUDA_VISIBLE_DEVICES); none when it gave none',
    T,
    async () => {
      const { p, request, runId } = await withJob()
      expect(result(request).metadata).toMatchObject({ gpus: null })
      for (const [visible, gpus] of [
        ['1,3', ['1', '3']],
        ['NoDevFiles', null],
      ] as const) {
        const r = await p.run(['worker', 'run', '--run', runId, '--asset', 'model', '--request', request], {
          env: { CUDA_VISIBLE_DEVICES: visible },
        })
        expect(r.code, r.stderr).toBe(0)
        expect(result(request).metadata).toMatchObject({ gpus })
      }
    },
  )

  test('without a request: exit 2, saying where the request comes from', T, async () => {
    const p = project()
    const r = await p.run(['worker', 'run', '--run', 'r1', '--asset', 'model'], { env: { RIVERS_CONTEXT: undefined } })
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(/Asset 'model': assets worker run has no request to run.*\n.*Fix: .*--request/)
  })

  test('an unknown asset: exit 2 with a did-you-mean, and the error in the result file', T, async () => {
    const { p, request, runId } = await withJob()
    const other = path.join(path.dirname(request), 'other-request.json')
    writeFileSync(other, JSON.stringify({ ...JSON.parse(readFileSync(request, 'utf8')), assetKey: 'modle' }))
    const out = path.join(p.dir, 'out.json')
    const r = await p.run(['worker', 'run', '--run', runId, '--asset', 'modle', '--request', other, '--result', out])
    expect(r.code).toBe(2)
    expect(r.stderr).toContain('no asset "modle" in this project (did you mean "model"?)')
    expect(JSON.parse(readFileSync(out, 'utf8'))).toMatchObject({ ok: false, code: 'RIVERS_UNKNOWN_ASSET' })
  })

  test('an input whose stored file is gone: exit 1 naming the input and the fix', T, async () => {
    const { p, request, runId } = await withJob()
    const rowsDir = path.join(p.dir, '.rivers-w', 'storage', 'rows')
    for (const f of readdirSync(rowsDir)) rmSync(path.join(rowsDir, f))
    const r = await p.run(['worker', 'run', '--run', runId, '--asset', 'model', '--request', request])
    expect(r.code).toBe(1)
    expect(r.stderr).toMatch(/Asset 'model': the worker cannot read input 'rows' \(rows\): reading rows\/\S+ through/)
    expect(result(request)).toMatchObject({ ok: false, code: 'RIVERS_WORKER_INPUT' })
  })

  test('a project that does not load: non-zero, and the error in the result file', T, async () => {
    const { p, request, runId } = await withJob()
    p.write({ 'rivers.config.ts': 'export default 42\n' })
    const r = await p.run(['worker', 'run', '--run', runId, '--asset', 'model', '--request', request])
    expect(r.code).not.toBe(0)
    const written = result(request)
    expect(written).toMatchObject({ ok: false, assetKey: 'model' })
    expect(written.error).toMatch(/default/)
    expect(r.stderr).toContain(written.error.split('\n')[0])
  })
})

// The real Slurm test cluster (.ci/slurm/setup.sh), as packages/rivers/src/launchers/slurm.test.ts.
const slurmUp = spawnSync('sinfo', ['-h', '-o', '%t'], { encoding: 'utf8', timeout: 10_000 })
const slurmWorks = slurmUp.status === 0 && /idle|mix|alloc/.test(slurmUp.stdout)
describe('function assets as jobs on Slurm', () => {
  if (slurmWorks) {
    test('record what an in-process run records (the worker runs on a Slurm node)', T, () => differential('slurm'))
  } else if (process.env.CI === 'true') {
    test('runs in CI', () => {
      throw new Error('CI=true but Slurm is not running. Start the test cluster first: sudo .ci/slurm/setup.sh')
    })
  } else {
    test.skip('skipped: Slurm is not running; start it with: sudo .ci/slurm/setup.sh', () => undefined)
  }
})
