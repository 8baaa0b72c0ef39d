/**
 * Backfills through the real `assets` binary: batches of runs with durable progress, a failed
 * partition resumed, a backfill whose process was killed (kill -9) reported `interrupted` and
 * resumed to the end, two backfills of one range at once (each partition built once), two of
 * disjoint ranges of one asset at the same time (partition leases), and the bad inputs refused
 * before anything is stored.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'

import { afterAll, describe, expect, test } from 'vitest'

import { whenExists } from './background.js'
import { makeProject, removeProjects } from './project.js'

afterAll(removeProjects)

const T = { timeout: 90_000 }

const CONFIG = `
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs'
import { asset, daily, defineProject } from '@rivers-orchestrator/rivers'

const days = daily({ start: '2024-01-01', end: '2024-02-01' })

export const events = asset({ key: 'events', partitions: days }, async (_, ctx) => {
  const key = ctx.partition!.key
  mkdirSync('started', { recursive: true })
  writeFileSync(\`started/\${key}\`, '')
  appendFileSync('starts.log', \`\${key}\\n\`)
  if (process.env.FAIL_ON === key) throw new Error(\`no data for \${key}\`)
  const ms = Number(process.env.SLOW ?? 0)
  const t0 = Date.now()
  if (ms > 0) await new Promise((resolve) => setTimeout(resolve, ms))
  appendFileSync('spans.log', \`\${process.pid} \${key} \${t0} \${Date.now()}\\n\`)
  return { day: key, rows: key.length }
})

export const report = asset({ key: 'report' }, () => 'unpartitioned')

export default defineProject({ assets: [events, report] })
`

describe('backfills', () => {
  const p = makeProject({ 'rivers.config.ts': CONFIG })
  const started = (): string[] =>
    existsSync(path.join(p.dir, 'started')) ? readdirSync(path.join(p.dir, 'started')).sort() : []

  test('a backfill runs its range in batches and keeps its progress', T, async () => {
    const r = await p.run([
      'backfill',
      'events',
      '--from',
      '2024-01-01',
      '--to',
      '2024-01-10',
      '--batch',
      '4',
      '--json',
    ])
    expect(r.code, r.stderr).toBe(0)
    const report = r.json()
    expect(report).toMatchObject({ status: 'done', progress: [{ key: 'events', planned: 10, done: 10, failed: 0 }] })
    expect(report.runIds).toHaveLength(3)
    expect(started()).toEqual(Array.from({ length: 10 }, (_, i) => `2024-01-${String(i + 1).padStart(2, '0')}`))
    const parts = (await p.run(['partitions', 'events', '--json'])).json()
    expect(parts).toMatchObject({ total: 31, fresh: 10, missing: 21 })
    const list = (await p.run(['backfills', '--json'])).json()
    expect(list[0]).toMatchObject({ id: report.id, status: 'done' })
    const human = await p.run(['backfills'])
    expect(human.stdout).toContain(report.id)
    expect(human.stdout).toContain('events 10/10')
  })

  test('a failed partition fails the backfill; resuming builds only what is left', T, async () => {
    const r = await p.run(
      ['backfill', 'events', '--from', '2024-01-11', '--to', '2024-01-20', '--batch', '5', '--json'],
      {
        env: { FAIL_ON: '2024-01-15' },
      },
    )
    expect(r.code).toBe(1)
    const report = r.json()
    expect(report).toMatchObject({ status: 'failed', progress: [{ key: 'events', planned: 10, done: 9, failed: 1 }] })
    const before = started().length
    const resumed = await p.run(['backfill', '--resume', report.id, '--json'])
    expect(resumed.code, resumed.stderr).toBe(0)
    expect(resumed.json()).toMatchObject({ id: report.id, status: 'done', progress: [{ done: 10, failed: 0 }] })
    expect(started().length).toBe(before) // 2024-01-15 was started before too: nothing else ran
    const again = await p.run(['backfill', '--resume', report.id])
    expect(again.code).toBe(0)
    expect(again.stdout).toContain('done')
  })

  test('a backfill killed with kill -9 is reported interrupted and resumes to the end', T, async () => {
    let pid = 0
    const r = await p.run(
      ['backfill', 'events', '--from', '2024-01-21', '--to', '2024-01-31', '--batch', '2', '--json'],
      {
        env: { SLOW: '400' },
        onSpawn: (child) => {
          pid = child.pid ?? 0
          void whenExists(path.join(p.dir, 'started', '2024-01-23')).then(() => child.kill('SIGKILL'))
        },
      },
    )
    expect(pid).toBeGreaterThan(0)
    expect(r.code).not.toBe(0)
    const list = (await p.run(['backfills', '--json'])).json()
    expect(list[0]).toMatchObject({ status: 'interrupted' })
    const id = list[0].id as string
    const resumed = await p.run(['backfill', '--resume', id, '--json'])
    expect(resumed.code, resumed.stderr).toBe(0)
    expect(resumed.json()).toMatchObject({ status: 'done', progress: [{ planned: 11, done: 11, failed: 0 }] })
    const parts = (await p.run(['partitions', 'events', '--json'])).json()
    expect(parts).toMatchObject({ total: 31, fresh: 31 })
  })

  test('two backfills of one range at once build each partition once', T, async () => {
    const q = makeProject({ 'rivers.config.ts': CONFIG })
    const args = ['backfill', 'events', '--from', '2024-01-01', '--to', '2024-01-08', '--batch', '3', '--json']
    const [a, b] = await Promise.all([q.run(args, { env: { SLOW: '150' } }), q.run(args, { env: { SLOW: '150' } })])
    expect(a.code, a.stderr).toBe(0)
    expect(b.code, b.stderr).toBe(0)
    const starts = readFileSync(path.join(q.dir, 'starts.log'), 'utf8').trim().split('\n').sort()
    expect(starts).toEqual(Array.from({ length: 8 }, (_, i) => `2024-01-0${i + 1}`))
    expect((await q.run(['partitions', 'events', '--json'])).json()).toMatchObject({ fresh: 8 })
  })

  test('two backfills of disjoint ranges of one asset build at the same time', T, async () => {
    const q = makeProject({ 'rivers.config.ts': CONFIG })
    const range = (from: string, to: string) => ['backfill', 'events', '--from', from, '--to', to, '--concurrency', '1']
    const env = { env: { SLOW: '400' } }
    const [a, b] = await Promise.all([
      q.run(range('2024-01-01', '2024-01-06'), env),
      q.run(range('2024-01-11', '2024-01-16'), env),
    ])
    expect(a.code, a.stderr).toBe(0)
    expect(b.code, b.stderr).toBe(0)
    const spans = readFileSync(path.join(q.dir, 'spans.log'), 'utf8')
      .trim()
      .split('\n')
      .map((line) => line.split(' '))
      .map(([pid, key, from, to]) => ({ pid, key, from: Number(from), to: Number(to) }))
    expect(spans.map((s) => s.key).sort()).toHaveLength(12)
    // A partition of one backfill was being built while one of the other was: neither waited for
    // the other's whole range (an asset-wide lease would have serialized them).
    const overlap = spans.some((x) => spans.some((y) => x.pid !== y.pid && x.from < y.to && y.from < x.to))
    expect(overlap).toBe(true)
  })

  test('bad input is refused before anything is stored', T, async () => {
    const count = (await p.run(['backfills', '--json'])).json().length
    const unpartitioned = await p.run(['backfill', 'report', '--from', '2024-01-01', '--to', '2024-01-02'])
    expect(unpartitioned.code).toBe(2)
    expect(unpartitioned.stderr).toContain('no asset selected by report is partitioned')
    const noRange = await p.run(['backfill', 'events'])
    expect(noRange.code).toBe(2)
    expect(noRange.stderr).toContain('--from KEY and --to KEY')
    const reversed = await p.run(['backfill', 'events', '--from', '2024-01-09', '--to', '2024-01-02'])
    expect(reversed.code).toBe(2)
    const unknownKey = await p.run(['backfill', 'events', '--from', '2024-01-01', '--to', '2024-02-30'])
    expect(unknownKey.code).toBe(2)
    expect(unknownKey.stderr).toContain('2024-02-30')
    const unknownId = await p.run(['backfill', '--resume', 'bf-nope'])
    expect(unknownId.code).toBe(2)
    expect(unknownId.stderr).toContain('bf-nope')
    expect((await p.run(['backfills', '--json'])).json().length).toBe(count)
  })
})
