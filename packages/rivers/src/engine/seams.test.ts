/**
 * The engine through its seams: trackers told of a run (and one that fails does not fail it), a
 * store given to `openWorkspace`, and a launcher found by type in the registry.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { Writable } from 'node:stream'

import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { z } from 'zod'

import { asset, defineProject } from '../definitions/index.js'
import { secret } from '../definitions/secret.js'
import { LocalLauncher } from '../launchers/local.js'
import { registerLauncher } from '../launchers/registry.js'
import type { JobContext, JobSpec, Launcher } from '../launchers/types.js'
import { openWorkspace } from '../open.js'
import { SqliteStore } from '../store/sqlite-store.js'
import type { TrackedMaterialization, TrackedRun, TrackedRunEnd, Tracker } from '../tracking/tracker.js'

let dir: string
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'rivers-seams-'))
})
afterEach(() => rmSync(dir, { recursive: true, force: true }))

/** A writable that keeps the NDJSON log lines written to it. */
function logLines(): { stream: Writable; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = []
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const l of chunk.toString('utf8').split('\n')) if (l.trim() !== '') lines.push(JSON.parse(l))
      done()
    },
  })
  return { stream, lines }
}

describe('trackers', () => {
  const raw = asset({ key: 'raw' }, () => [1, 2, 3])
  const model = asset(
    {
      key: 'model',
      deps: { raw },
      config: z.object({ epochs: z.number().default(2), token: secret(z.string()).default('tok-secret-42') }),
    },
    ({ raw }, ctx) => {
      for (let e = 0; e < ctx.config.epochs; e++) ctx.addMetric('loss', 1 / (e + 1), e)
      return raw.length * ctx.config.epochs
    },
  )
  const project = defineProject({ assets: [model] })

  it('are told of the run and of each materialization, with params (secrets redacted) and metrics', async () => {
    const told: { started: TrackedRun[]; materialized: TrackedMaterialization[]; finished: TrackedRunEnd[] } = {
      started: [],
      materialized: [],
      finished: [],
    }
    const tracker: Tracker = {
      name: 'memory',
      runStarted: async (r) => void told.started.push(r),
      materialized: async (m) => void told.materialized.push(m),
      runFinished: async (e) => void told.finished.push(e),
    }
    const ws = await openWorkspace(project, {
      storeDir: path.join(dir, '.rivers'),
      logLevel: 'silent',
      trackers: [tracker],
    })
    try {
      const summary = await ws.materialize({ config: { model: { epochs: 3 } } })
      expect(told.started).toMatchObject([{ runId: summary.runId, selection: ['*'], force: false }])
      expect(told.materialized.map((m) => [m.assetKey, m.params])).toEqual([
        ['raw', undefined],
        ['model', { epochs: 3, token: '[redacted]' }],
      ])
      const m = told.materialized[1]!
      expect(m.metrics).toEqual([
        { name: 'loss', value: 1, step: 0 },
        { name: 'loss', value: 0.5, step: 1 },
        { name: 'loss', value: 1 / 3, step: 2 },
      ])
      expect(m).toMatchObject({ runId: summary.runId, dataVersion: expect.stringMatching(/^[0-9a-f]{32}$/) })
      expect(m.storagePath).toMatch(/^model\//)
      expect(told.finished).toMatchObject([{ runId: summary.runId, status: 'success', materialized: ['raw', 'model'] }])
      // The built-in tracker ran too: show prints what the record was built with.
      expect((await ws.show('model')).history[0]!.config).toEqual({ epochs: 3, token: '[redacted]' })
    } finally {
      await ws.close()
    }
  })

  it('that fail are a warning: the run succeeds and every record is kept', async () => {
    const broken: Tracker = {
      name: 'broken',
      runStarted: async () => {
        throw new Error('tracking server down')
      },
      materialized: async () => {
        throw new Error('tracking server down')
      },
    }
    const { stream, lines } = logLines()
    const ws = await openWorkspace(project, {
      storeDir: path.join(dir, '.rivers'),
      trackers: [broken],
      logLevel: 'warn',
      logDestination: stream,
    })
    try {
      const summary = await ws.materialize()
      expect(summary).toMatchObject({ status: 'success', materialized: ['raw', 'model'], failed: [] })
      expect((await ws.status()).assets.every((a) => a.status === 'fresh')).toBe(true)
      const warnings = lines.filter((l) => l.level === 40).map((l) => l.msg)
      expect(warnings).toEqual([
        'tracker broken failed (run started): tracking server down; the run goes on',
        'tracker broken failed (materialized): tracking server down; the run goes on',
        'tracker broken failed (materialized): tracking server down; the run goes on',
      ])
      // A warning about one asset names it (its logger is made only when there is a warning).
      expect(lines.filter((l) => l.level === 40).map((l) => l.asset)).toEqual([undefined, 'raw', 'model'])
    } finally {
      await ws.close()
    }
  })
})

describe('a store given to openWorkspace', () => {
  it('is the one the engine writes to, and the workspace closes it', async () => {
    const store = SqliteStore.open(path.join(dir, 'elsewhere'))
    const ws = await openWorkspace(defineProject({ assets: [asset({ key: 'a' }, () => 1)] }), {
      storeDir: path.join(dir, '.rivers'),
      store,
      logLevel: 'silent',
    })
    const summary = await ws.materialize()
    expect((await store.currentRecord('a'))?.runId).toBe(summary.runId)
    await ws.close()
    await expect(store.listRuns()).rejects.toThrow()
  })
})

describe('launchers by type', () => {
  it('are found in the registry: a launcher registered for a type runs its assets, with a JobContext', async () => {
    const seen: { job: JobSpec; ctx: JobContext }[] = []
    registerLauncher('local', (_settings, where): Launcher => {
      const inner = new LocalLauncher({ env: where.env, gpus: 'none', lockDir: path.join(where.storeDir, 'locks') })
      return {
        name: 'local',
        pollIntervalMs: inner.pollIntervalMs,
        validate: (r, t) => inner.validate(r, t),
        submit: (job, ctx) => (seen.push({ job, ctx }), inner.submit(job, ctx)),
        status: (h) => inner.status(h),
        cancel: (h, why) => inner.cancel(h, why),
        reattach: (h) => inner.reattach(h),
      }
    })
    const job = asset({ key: 'job', command: ['sh', '-c', 'printf 42 > "$RIVERS_OUTPUT"'], launcher: 'local' })
    const ws = await openWorkspace(defineProject({ assets: [job] }), {
      storeDir: path.join(dir, '.rivers'),
      logLevel: 'silent',
    })
    try {
      const summary = await ws.materialize()
      expect(summary.failed).toEqual([])
      expect(summary.materialized).toEqual(['job'])
      expect(seen).toHaveLength(1)
      const { ctx } = seen[0]!
      expect(ctx).toMatchObject({ runId: summary.runId, assetKey: 'job', attempt: 1 })
      expect(ctx.jobDir).toContain(path.join('.rivers', 'jobs', summary.runId, 'job', 'attempt-1'))
      expect(ctx.env.RIVERS_OUTPUT).toBeDefined()
      expect((await ws.show('job')).history[0]!.metadata).toMatchObject({
        job: { launcher: 'local', state: 'succeeded' },
      })
    } finally {
      await ws.close()
    }
  })
})
