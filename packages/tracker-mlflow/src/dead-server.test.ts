/**
 * A tracking server that is down never fails nor holds up a run: materializations are queued and
 * the run goes on; each is retried, then reported in one warning naming what was not logged (the
 * records are in the Rivers store all the same). Needs no MLflow: the server here is a closed port.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { createServer as createHttpServer, type ServerResponse } from 'node:http'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { Writable } from 'node:stream'
import { asset, defineProject, openWorkspace, secret, type TrackedMaterialization } from '@rivers-orchestrator/rivers'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { z } from 'zod'
import { MlflowTracker } from './tracker.js'

let dir: string
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'rivers-mlflow-dead-'))
})
afterEach(() => rmSync(dir, { recursive: true, force: true }))

/** A URL on 127.0.0.1 where nothing listens (a port just freed). */
async function deadUrl(): Promise<string> {
  const s = createServer()
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve))
  const port = (s.address() as { port: number }).port
  await new Promise<void>((resolve) => s.close(() => resolve()))
  return `http://127.0.0.1:${port}`
}

const m = (key: string, recordId: number): TrackedMaterialization => ({
  runId: 'r1',
  assetKey: key,
  recordId,
  params: { epochs: 1 },
  metrics: [],
  metadata: {},
  dataVersion: '0'.repeat(32),
  codeVersion: '1'.repeat(32),
  startedAt: new Date(),
  finishedAt: new Date(),
})

describe('a dead tracking server', () => {
  it('holds up nothing: materialized returns while the server has not answered', async () => {
    const held: ServerResponse[] = []
    const server = createHttpServer((req, res) => {
      req.resume()
      held.push(res)
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    try {
      const url = `http://127.0.0.1:${(server.address() as { port: number }).port}`
      const tracker = new MlflowTracker({ trackingUri: url, project: 'shop', retries: 0, env: {} })
      await tracker.materialized(m('model/a', 1)) // resolves: the request is still unanswered
      await vi.waitFor(() => expect(held.length).toBe(1))
      for (const res of held) res.writeHead(500).end('{"error_code":"INTERNAL_ERROR","message":"db locked"}')
      await expect(tracker.flush()).rejects.toThrow('model/a: MLflow at')
    } finally {
      for (const res of held) res.destroy()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    }
  })

  it('is retried, then reported naming each materialization; later ones fail fast', async () => {
    const url = await deadUrl()
    const tracker = new MlflowTracker({ trackingUri: url, project: 'shop', retries: 2, backoffMs: 200, env: {} })
    await tracker.materialized(m('model/a', 1))
    const first = Date.now()
    const e1 = await tracker.flush().catch((e: unknown) => e)
    expect(Date.now() - first).toBeGreaterThanOrEqual(200 + 400 - 5) // two retries with backoff
    expect((e1 as Error).message).toContain(`1 materialization was not logged to MLflow at ${url}`)
    expect((e1 as Error).message).toContain('model/a: MLflow tracking server at')
    expect((e1 as Error).message).toContain('ECONNREFUSED')

    // The server is known down: each later materialization is one quick look at /health, not
    // 600 ms of retries (5 of them: 3 s).
    const later = Date.now()
    for (let i = 2; i <= 6; i++) await tracker.materialized(m(`model/${i}`, i))
    const e2 = await tracker.flush().catch((e: unknown) => e)
    expect(Date.now() - later).toBeLessThan(1500)
    expect((e2 as Error).message).toContain('5 materializations were not logged')
    expect((e2 as Error).message).toContain('model/2: ')
    // Reported once: the next flush has nothing to say.
    await expect(tracker.flush()).resolves.toBeUndefined()
  })

  it('does not fail a run: every asset is materialized and recorded, and one warning names what was not logged', async () => {
    const model = asset(
      {
        key: 'model',
        config: z.object({ epochs: z.number().default(2), token: secret(z.string()).default('tok-42') }),
      },
      (_deps, ctx) => {
        for (let e = 0; e < ctx.config.epochs; e++) ctx.addMetric('loss', 1 / (e + 1), e)
        return ctx.config.epochs
      },
    )
    const report = asset({ key: 'report', deps: { model } }, ({ model }) => model * 2)
    const lines: { level: number; msg: string }[] = []
    const logDestination = new Writable({
      write(chunk: Buffer, _enc, done) {
        for (const l of chunk.toString('utf8').split('\n')) if (l.trim() !== '') lines.push(JSON.parse(l))
        done()
      },
    })
    const url = await deadUrl()
    const tracker = new MlflowTracker({ trackingUri: url, project: 'shop', retries: 1, backoffMs: 10, env: {} })
    const ws = await openWorkspace(defineProject({ assets: [report] }), {
      storeDir: path.join(dir, '.rivers'),
      trackers: [tracker],
      logLevel: 'warn',
      logDestination,
    })
    try {
      const summary = await ws.materialize()
      expect(summary).toMatchObject({ status: 'success', materialized: ['model', 'report'], failed: [] })
      expect((await ws.status()).assets.every((a) => a.status === 'fresh')).toBe(true)
      expect((await ws.show('model')).history[0]!.config).toEqual({ epochs: 2, token: '[redacted]' })
      const warnings = lines.filter((l) => l.level === 40).map((l) => l.msg)
      expect(warnings.length).toBe(1)
      expect(warnings[0]).toContain('tracker mlflow failed (run finished): 1 materialization was not logged to MLflow')
      expect(warnings[0]).toContain('the run goes on')
    } finally {
      await ws.close()
    }
  })
})
