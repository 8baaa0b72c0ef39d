import { getEventListeners } from 'node:events'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'

import { afterEach, beforeEach, describe, expect, it } from 'vitest'

import { asset, defineProject } from '../definitions/index.js'
import { openWorkspace } from '../open.js'
import { pause } from './attempt.js'
import { AttemptSignals } from './attempt-signals.js'

let dir: string
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'rivers-signals-'))
})
afterEach(() => rmSync(dir, { recursive: true, force: true }))

describe('AttemptSignals', () => {
  it('aborts every live attempt with the run, forgets closed ones, and holds one listener', () => {
    const run = new AbortController()
    const attempts = new AttemptSignals(run.signal)
    const a = attempts.open()
    const b = attempts.open()
    attempts.close(b)
    expect(attempts.size).toBe(1)
    expect(getEventListeners(run.signal, 'abort')).toHaveLength(1)
    run.abort(new Error('stop'))
    expect(a.signal.aborted).toBe(true)
    expect((a.signal.reason as Error).message).toBe('stop')
    expect(b.signal.aborted).toBe(false)
    // Opened after the run was cancelled: aborted at once, never kept.
    expect(attempts.open().signal.aborted).toBe(true)
    attempts.dispose()
    expect(attempts.size).toBe(0)
  })

  it('dispose removes its listener from the run signal', () => {
    const run = new AbortController()
    const attempts = new AttemptSignals(run.signal)
    attempts.dispose()
    expect(getEventListeners(run.signal, 'abort')).toHaveLength(0)
  })
})

describe('pause', () => {
  it('leaves no listener behind when its time runs out, and ends early on abort', async () => {
    const run = new AbortController()
    for (let i = 0; i < 20; i++) await pause(1, run.signal)
    expect(getEventListeners(run.signal, 'abort')).toHaveLength(0)
    const waiting = pause(60_000, run.signal)
    run.abort()
    await waiting
  })
})

describe('a run with many assets at once', () => {
  it('keeps one abort listener on the run signal (no MaxListenersExceededWarning) and none after', async () => {
    const warnings: string[] = []
    const onWarning = (w: Error): void => void warnings.push(w.name)
    process.on('warning', onWarning)
    const controller = new AbortController()
    let most = 0
    const leaves = Array.from({ length: 40 }, (_, i) =>
      asset({ key: `leaf${i}` }, async () => {
        most = Math.max(most, getEventListeners(controller.signal, 'abort').length)
        await new Promise((resolve) => setTimeout(resolve, 5))
        return i
      }),
    )
    const ws = await openWorkspace(defineProject({ assets: leaves }), {
      storeDir: path.join(dir, '.rivers'),
      logLevel: 'silent',
    })
    try {
      const s = await ws.materialize({ concurrency: 30, signal: controller.signal })
      expect(s.materialized).toHaveLength(40)
    } finally {
      await ws.close()
      process.off('warning', onWarning)
    }
    // The scheduler's and the attempts' listeners: two, however many assets run at once.
    expect(most).toBeLessThanOrEqual(2)
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0)
    expect(warnings).not.toContain('MaxListenersExceededWarning')
  })
})
