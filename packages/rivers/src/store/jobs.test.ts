import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

import { afterEach, beforeEach, describe, expect, it } from 'vitest'

import { MIGRATIONS } from './migrations.js'
import { Store } from './store.js'

let dir: string
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'rivers-jobs-'))
})
afterEach(() => rmSync(dir, { recursive: true, force: true }))

describe('jobs', () => {
  it('records a job, its handle and states, and finds the active job of the same work for a restarted run', () => {
    const store = Store.open(join(dir, '.rivers'))
    store.beginRun({ id: 'r1', selection: ['*'], force: false })
    store.beginRun({ id: 'r2', selection: ['*'], force: false })
    const id = store.insertJob({ runId: 'r1', key: 'model', launcher: 'slurm', fingerprint: 'f1', attempt: 2 })
    expect(store.getJob(id)).toMatchObject({
      runId: 'r1',
      key: 'model',
      attempt: 2,
      launcher: 'slurm',
      state: 'pending',
      handle: null,
      exitCode: null,
    })
    store.updateJob(id, {
      handle: { id: '4242', jobDir: '/j' },
      state: 'running',
      startedAt: new Date('2026-01-01T00:00:00Z'),
    })
    expect(store.activeJobs('model', 'slurm', 'f1').map((j) => [j.id, j.handle])).toEqual([
      [id, { id: '4242', jobDir: '/j' }],
    ])
    expect(store.activeJobs('model', 'slurm', 'other')).toEqual([])
    expect(store.activeJobs('model', 'local', 'f1')).toEqual([])
    store.updateJob(id, { runId: 'r2' })
    store.updateJob(id, {
      state: 'oom',
      exitCode: 137,
      reason: 'OUT_OF_MEMORY',
      finishedAt: new Date('2026-01-01T01:00:00Z'),
    })
    expect(store.activeJobs('model', 'slurm', 'f1')).toEqual([])
    expect(
      store.listJobs({ runId: 'r2' }).map((j) => [j.state, j.exitCode, j.reason, j.startedAt, j.finishedAt]),
    ).toEqual([['oom', 137, 'OUT_OF_MEMORY', '2026-01-01T00:00:00.000Z', '2026-01-01T01:00:00.000Z']])
    expect(store.listJobs({ key: 'model' })).toHaveLength(1)
    expect(store.updateJob(999, { state: 'failed' })).toBe(false)
    expect(() => store.updateJob(id, { state: 'exploded' as never })).toThrow()
    store.close()
  })

  it('opens stores of the first schema (no jobs table) and migrates them', () => {
    Store.open(join(dir, '.rivers'), { migrations: MIGRATIONS.slice(0, 1) }).close()
    const store = Store.open(join(dir, '.rivers'))
    store.beginRun({ id: 'r1', selection: ['*'], force: false })
    expect(store.insertJob({ runId: 'r1', key: 'k', launcher: 'local', fingerprint: 'f' })).toBe(1)
    store.close()
  })
})
