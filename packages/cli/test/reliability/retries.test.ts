/**
 * Retries and timeouts end to end: every failed attempt is an `attempt_failed` event (with its
 * number, the error and the retry delay), the final one also an `asset_failed` event; `assets show`
 * lists the failed attempts; a timeout aborts the attempt's signal and its error names the asset and
 * the limit; a project-wide retry default applies to assets without their own policy.
 */
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { makeProject, removeProjects } from '../e2e/project.js'
import { readStore } from './store-check.js'

afterAll(removeProjects)

const T = { timeout: 30_000 }

const project = `import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { asset, defineProject } from '@rivers-orchestrator/rivers'

/** Fails the first \`n\` calls (counted in a file), then returns \`value\`. */
function failFirst(name: string, n: number, value: unknown) {
  const file = 'calls-' + name
  const calls = (existsSync(file) ? Number(readFileSync(file, 'utf8')) : 0) + 1
  writeFileSync(file, String(calls))
  if (calls <= n) throw new Error(name + ' is not ready yet (call ' + calls + ')')
  return value
}

const flaky = asset(
  { key: 'flaky', retry: { maxRetries: 2, delay: '20ms', backoff: 'exponential' } },
  () => failFirst('flaky', 2, { ok: true }),
)
const slow = asset({ key: 'slow', timeout: '300ms', retry: { maxRetries: 1 } }, (_inputs, ctx) =>
  new Promise((resolve, reject) => {
    const timer = setTimeout(() => resolve('done'), 10_000)
    ctx.signal.addEventListener('abort', () => {
      clearTimeout(timer)
      writeFileSync('slow-aborted', String(ctx.attempt))
      reject(ctx.signal.reason)
    })
  }),
)
const once = asset({ key: 'once' }, () => failFirst('once', 1, 1))
const picky = asset(
  { key: 'picky', retry: { maxRetries: 3, retryOn: (e) => !String(e).includes('permanent') } },
  () => { throw new Error('permanent failure: bad credentials') },
)
export default defineProject({ assets: [flaky, slow, once, picky], retry: { maxRetries: 1, delay: '10ms' } })
`

describe('a run with retries and a timeout', () => {
  const p = makeProject({ 'rivers.config.ts': project })
  let summary: any
  let stderr = ''
  beforeAll(async () => {
    const r = await p.run(['materialize', '--json'])
    expect(r.code).toBe(1)
    summary = r.json()
    stderr = r.stderr
  }, 30_000)

  test('retried assets succeed; the timed-out one fails naming the asset and the limit', T, () => {
    expect([...summary.materialized].sort()).toEqual(['flaky', 'once'])
    expect(summary.failed).toHaveLength(2)
    expect(summary.failed).toEqual(
      expect.arrayContaining([
        { key: 'picky', error: 'permanent failure: bad credentials' },
        {
          key: 'slow',
          error:
            'asset "slow" timed out after 300 ms (its `timeout`); it was aborted through its signal. Raise the timeout or make the asset faster',
        },
      ]),
    )
    expect(stderr).toContain('attempt 1 of 3 failed: flaky is not ready yet (call 1); retrying in 20 ms')
    expect(stderr).toContain('attempt 2 of 3 failed: flaky is not ready yet (call 2); retrying in 40 ms')
  })

  test('each failed attempt is an event; the last one of a failed asset is also asset_failed', T, () => {
    const events = readStore(path.join(p.dir, '.rivers')).events.filter((e) => e.runId === summary.runId)
    const of = (key: string) =>
      events.filter((e) => e.key === key && /failed/.test(e.type)).map((e) => [e.type, e.data])
    expect(of('flaky')).toEqual([
      [
        'attempt_failed',
        {
          attempt: 1,
          of: 3,
          error: 'flaky is not ready yet (call 1)',
          location: 'rivers.config.ts:9:25',
          willRetry: true,
          retryInMs: 20,
        },
      ],
      [
        'attempt_failed',
        {
          attempt: 2,
          of: 3,
          error: 'flaky is not ready yet (call 2)',
          location: 'rivers.config.ts:9:25',
          willRetry: true,
          retryInMs: 40,
        },
      ],
    ])
    const timeout =
      'asset "slow" timed out after 300 ms (its `timeout`); it was aborted through its signal. Raise the timeout or make the asset faster'
    expect(of('slow')).toEqual([
      ['attempt_failed', { attempt: 1, of: 2, error: timeout, willRetry: true, retryInMs: 0 }],
      ['attempt_failed', { attempt: 2, of: 2, error: timeout, willRetry: false }],
      ['asset_failed', { attempts: 2, error: timeout }],
    ])
    // The project default (1 retry, 10 ms) applies to `once`, which has no policy of its own.
    expect(of('once')).toEqual([
      [
        'attempt_failed',
        {
          attempt: 1,
          of: 2,
          error: 'once is not ready yet (call 1)',
          location: 'rivers.config.ts:9:25',
          willRetry: true,
          retryInMs: 10,
        },
      ],
    ])
    // retryOn refuses: one attempt only.
    expect(of('picky')).toEqual([
      [
        'attempt_failed',
        {
          attempt: 1,
          of: 4,
          error: 'permanent failure: bad credentials',
          location: 'rivers.config.ts:30:17',
          willRetry: false,
        },
      ],
      ['asset_failed', { attempts: 1, error: 'permanent failure: bad credentials' }],
    ])
  })

  test('show lists the failed attempts and the record says how many attempts it took', T, async () => {
    const flaky = (await p.run(['show', 'flaky', '--json'])).json()
    expect(flaky.failures.map((f: { attempt: number; willRetry: boolean }) => [f.attempt, f.willRetry])).toEqual([
      [2, true],
      [1, true],
    ])
    expect(flaky.history[0].metadata).toMatchObject({ attempts: 3 })
    const slow = await p.run(['show', 'slow'])
    expect(slow.code).toBe(0)
    const lines = slow.stdout.split('\n').filter((l) => / attempt \d/.test(l))
    expect(lines.map((l) => l.replace(/^.*run \S+ {2}/, ''))).toEqual([
      'attempt 2/2 failed (gave up): asset "slow" timed out after 300 ms (its `timeout`); it was aborted through its signal. Raise the timeout or make the asset faster',
      'attempt 1/2 failed (retried): asset "slow" timed out after 300 ms (its `timeout`); it was aborted through its signal. Raise the timeout or make the asset faster',
    ])
  })

  test('the timed-out attempt saw its signal abort', T, () => {
    expect(readFileSync(path.join(p.dir, 'slow-aborted'), 'utf8')).toBe('2')
  })
})
