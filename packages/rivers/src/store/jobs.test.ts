import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

import { afterEach, beforeEach, describe, expect, it } from 'vitest'

import { MIGRATIONS } from './migrations.js'
import { SqliteStore } from './sqlite-store.js'

let dir: string
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'rivers-jobs-'))
})
afterEach(() => rmSync(dir, { recursive: true, force: true }))

describe('jobs', () => {
  it('records a job, its handle and states, and finds the active job of the same work for a restarted run', async () => {
    const store = SqliteStore.open(join(dir, '.rivers'))
    await store.beginRun({ id: 'r1', selection: ['*'], force: false })
    await store.beginRun({ id: 'r2', selection: ['*'], force: false })
    const id = await store.insertJob({ runId: 'r1', key: 'model', launcher: 'slurm', fingerprint: 'f1', attempt: 2 })
    expect(await store.getJob(id)).toMatchObject({
      runId: 'r1',
      key: 'model',
      attempt: 2,
      launcher: 'slurm',
      state: 'pending',
      handle: null,
      exitCode: null,
    })
    await store.updateJob(id, {
      handle: { id: '4242', jobDir: '/j' },
      state: 'running',
      startedAt: new Date('2026-01-01T00:00:00Z'),
    })
    expect((await store.activeJobs('model', 'slurm', 'f1')).map((j) => [j.id, j.handle])).toEqual([
      [id, { id: '4242', jobDir: '/j' }],
    ])
    expect(await store.activeJobs('model', 'slurm', 'other')).toEqual([])
    expect(await store.activeJobs('model', 'local', 'f1')).toEqual([])
    await store.updateJob(id, { runId: 'r2' })
    await store.updateJob(id, {
      state: 'oom',
      exitCode: 137,
      reason: 'OUT_OF_MEMORY',
      finishedAt: new Date('2026-01-01T01:00:00Z'),
    })
    expect(await store.activeJobs('model', 'slurm', 'f1')).toEqual([])
    expect(
      (await store.listJobs({ runId: 'r2' })).map((j) => [j.state, j.exitCode, j.reason, j.startedAt, j.finishedAt]),
    ).toEqual([['oom', 137, 'OUT_OF_MEMORY', '2026-01-01T00:00:00.000Z', '2026-01-01T01:00:00.000Z']])
    expect(await store.listJobs({ key: 'model' })).toHaveLength(1)
    expect(await store.updateJob(999, { state: 'failed' })).toBe(false)
    await expect(store.updateJob(id, { state: 'exploded' as never })).rejects.toThrow()
    await store.close()
  })

  it('opens stores of the first schema (no jobs table) and migrates them', async () => {
    SqliteStore.open(join(dir, '.rivers'), { migrations: MIGRATIONS.slice(0, 1) }).close()
    const store = SqliteStore.open(join(dir, '.rivers'))
    await store.beginRun({ id: 'r1', selection: ['*'], force: false })
    expect(await store.insertJob({ runId: 'r1', key: 'k', launcher: 'local', fingerprint: 'f' })).toBe(1)
    await store.close()
  })
})
