/**
 * Engine-level reliability: secrets kept out of what a run writes (library use, no CLI), cleanup
 * after runs whose process died (interrupted runs, their leases), streamed results consumed in the
 * same run, and config validation of keys that take none.
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs'
import { hostname, tmpdir } from 'node:os'
import path from 'node:path'

import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import Database from 'better-sqlite3'
import { z } from 'zod'

import { asset, defineProject, source } from '../definitions/index.js'
import { secret } from '../definitions/secret.js'
import { openWorkspace } from '../open.js'
import { SqliteStore } from '../store/sqlite-store.js'
import { finishInterruptedRuns, holderIsGone } from './recovery.js'

let dir: string
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'rivers-engine-rel-'))
})
afterEach(() => rmSync(dir, { recursive: true, force: true }))

const storeDir = () => path.join(dir, '.rivers')

describe('secrets', () => {
  const TOKEN = 'sk-live-0123456789abcdef'
  const project = () =>
    defineProject({
      assets: [
        asset({ key: 'api', config: z.object({ user: z.string(), token: secret(z.string()) }) }, (_i, ctx) => {
          ctx.log.info({ token: ctx.config.token }, `calling with ${ctx.config.token}`)
          ctx.addMetadata({ header: `Bearer ${ctx.config.token}`, user: ctx.config.user })
          if (ctx.config.user === 'bad') throw new Error(`401 for token ${ctx.config.token}`)
          return { user: ctx.config.user }
        }),
      ],
    })

  it('count in the config hash, and are redacted in the stored run config, argv, logs, metadata and errors', async () => {
    const store = SqliteStore.open(storeDir())
    const ws = await openWorkspace(project(), { storeDir: storeDir(), store, logLevel: 'silent' })
    try {
      const ok = await ws.materialize({ config: { api: { user: 'ann', token: TOKEN } } })
      expect(ok.materialized).toEqual(['api'])
      const again = await ws.materialize({ config: { api: { user: 'ann', token: `${TOKEN}-rotated` } } })
      expect(again.materialized).toEqual(['api'])
      const failed = await ws.materialize({ config: { api: { user: 'bad', token: TOKEN } } })
      expect(failed.failed).toEqual([{ key: 'api', error: '401 for token [redacted]' }])
      const [run] = await store.listRuns({ limit: 1 })
      expect(run!.config).toEqual({ api: { user: 'bad', token: '[redacted]' } })
      const [last] = await store.assetHistory('api', { limit: 1 })
      expect(last!.params).toEqual({ user: 'ann', token: '[redacted]' })
      expect(last!.metadata).toEqual({
        header: 'Bearer [redacted]',
        user: 'ann',
        bytes: expect.any(Number),
      })
      expect(JSON.stringify(await store.runEvents(run!.id))).not.toContain(TOKEN)
      expect(JSON.stringify(run!.summary)).not.toContain(TOKEN)
      expect(JSON.stringify(await store.assetHistory('api'))).not.toContain('sk-live')
    } finally {
      await ws.close()
    }
    const logs = readdirSync(path.join(storeDir(), 'logs')).map((f) =>
      readFileSync(path.join(storeDir(), 'logs', f), 'utf8'),
    )
    expect(logs.join('')).toContain('calling with [redacted]')
    expect(logs.join('')).not.toContain('sk-live')
  })
})

describe('runs whose process died', () => {
  it('are marked failed (interrupted) with what they recorded, and their leases are freed', async () => {
    const store = SqliteStore.open(storeDir())
    try {
      await store.beginRun({ id: 'dead-run', selection: ['*'], force: false })
      const h = Buffer.alloc(16, 1)
      await store.recordMaterialization({
        runId: 'dead-run',
        key: 'raw',
        codeVersion: h,
        configHash: h,
        dataVersion: h,
        inputs: [],
        startedAt: new Date(),
        finishedAt: new Date(),
        storagePath: 'raw/@dead-run.json',
      })
      expect(await store.tryAcquireLease('features', 'dead-run', 60_000)).toBe(true)
      // Our own run is never an orphan.
      expect(await finishInterruptedRuns(store)).toEqual([])
      // Make it a run of a process that no longer exists on this host (4194305 > Linux's largest pid).
      const db = new Database(path.join(storeDir(), 'rivers.db'))
      db.prepare("UPDATE runs SET pid = 4194305 WHERE id = 'dead-run'").run()
      db.prepare("UPDATE leases SET pid = 4194305 WHERE run_id = 'dead-run'").run()
      db.close()
      expect(holderIsGone(await store.getLease('features'))).toBe(true)
      expect(holderIsGone({ pid: process.pid, host: hostname() })).toBe(false)
      expect(holderIsGone({ pid: 4_194_305, host: 'another-host' })).toBe(false)
      expect(await finishInterruptedRuns(store)).toEqual(['dead-run'])
      const run = (await store.getRun('dead-run'))!
      expect(run.status).toBe('failed')
      expect(run.summary).toEqual({
        interrupted: true,
        error: expect.stringContaining('(pid 4194305) stopped before the run finished'),
        materialized: ['raw'],
        skipped: [],
        failed: [],
      })
      expect(await store.getLease('features')).toBeUndefined()
      expect(await finishInterruptedRuns(store)).toEqual([])
    } finally {
      await store.close()
    }
    // `assets runs` shows it as interrupted.
    const ws = await openWorkspace(defineProject({ assets: [asset({ key: 'raw' }, () => 1)] }), {
      storeDir: storeDir(),
      logLevel: 'silent',
    })
    try {
      expect(await ws.runs()).toEqual([
        expect.objectContaining({ runId: 'dead-run', status: 'failed', interrupted: true, materialized: 1 }),
      ])
    } finally {
      await ws.close()
    }
  })
})

describe('a streamed result', () => {
  it('is read back from its file by a consumer in the same run (the stream itself was consumed by the write)', async () => {
    const events = asset({ key: 'events' }, async function* () {
      for (let i = 0; i < 3; i++) yield `line ${i}\n`
    })
    const count = asset({ key: 'count', deps: { events } }, async ({ events }) => {
      let text = ''
      for await (const c of events as AsyncIterable<Buffer>) text += c.toString()
      return text.split('\n').filter(Boolean).length
    })
    const ws = await openWorkspace(defineProject({ assets: [count] }), { storeDir: storeDir(), logLevel: 'silent' })
    try {
      expect((await ws.materialize()).materialized).toEqual(['events', 'count'])
      const stored = (await ws.show('count')).history[0]!.storagePath!
      expect(readFileSync(path.join(storeDir(), 'storage', stored), 'utf8')).toBe('3')
    } finally {
      await ws.close()
    }
  })
})

describe('run config', () => {
  it('refuses config for an asset that takes none, and for a source, before anything runs', async () => {
    const raw = source({ key: 'raw', observe: () => ({ dataVersion: 'v1' }) })
    const plain = asset({ key: 'plain', deps: { raw } }, () => 1)
    const ws = await openWorkspace(defineProject({ assets: [plain] }), { storeDir: storeDir(), logLevel: 'silent' })
    try {
      await expect(ws.materialize({ config: { plain: { x: 1 } } })).rejects.toMatchObject({
        code: 'RIVERS_INVALID_CONFIG',
        exitCode: 2,
      })
      await expect(ws.materialize({ config: { raw: {} } })).rejects.toThrow(/"raw", which is a source/)
      await expect(ws.plan(['*'], { config: { plain: { x: 1 } } })).rejects.toMatchObject({
        code: 'RIVERS_INVALID_CONFIG',
      })
      expect(await ws.runs()).toEqual([])
    } finally {
      await ws.close()
    }
  })
})
