import { existsSync, mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, expect, test } from 'vitest'
import { SqliteStore } from '../store/sqlite-store.js'
import { deleteRunFiles, KEEP_RUN_FILES, oldRunFiles } from './gc-runs.js'

let dir = ''
afterEach(() => rmSync(dir, { recursive: true, force: true }))

test('old run files: all but the newest runs, live runs and files newer than the cutoff', async () => {
  dir = mkdtempSync(join(tmpdir(), 'rivers-gc-runs-'))
  const store = SqliteStore.open(dir)
  const ids = Array.from({ length: KEEP_RUN_FILES + 2 }, (_, i) => `r${String(i).padStart(2, '0')}`)
  for (const id of ids) await store.beginRun({ id, selection: ['*'], force: false })
  const past = new Date(Date.now() - 3_600_000)
  const file = (path: string, text: string, old = true) => {
    mkdirSync(join(dir, path, '..'), { recursive: true })
    writeFileSync(join(dir, path), text)
    if (old) utimesSync(join(dir, path), past, past)
  }
  for (const id of [...ids, 'gone']) file(`logs/${id}.ndjson`, `{"run":"${id}"}\n`)
  file('logs/fresh.ndjson', 'x', false)
  file('jobs/r01/model/attempt-1/stdout.log', 'hello')
  utimesSync(join(dir, 'jobs/r01/model/attempt-1'), past, past)
  utimesSync(join(dir, 'jobs/r01/model'), past, past)
  utimesSync(join(dir, 'jobs/r01'), past, past)
  const live = { ids: new Set(['r00']), cutoffMs: Date.now() - 60_000 }
  const old = await oldRunFiles(store, dir, live)
  expect(old).toEqual([
    { runId: 'gone', kind: 'log', path: 'logs/gone.ndjson', bytes: 15 },
    { runId: 'r01', kind: 'log', path: 'logs/r01.ndjson', bytes: 14 },
    { runId: 'r01', kind: 'jobs', path: 'jobs/r01', bytes: 5 },
  ])
  await deleteRunFiles(dir, old)
  expect(existsSync(join(dir, 'jobs/r01'))).toBe(false)
  expect(existsSync(join(dir, 'logs/r00.ndjson'))).toBe(true)
  expect(existsSync(join(dir, 'logs/fresh.ndjson'))).toBe(true)
  await store.close()
})
