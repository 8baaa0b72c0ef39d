import { describe, expect, test } from 'vitest'
import { makeStyle } from './format/style.js'
import { createProgress } from './progress.js'
import { capture } from './testing.fixture.js'

const style = makeStyle({ color: false, unicode: false })

describe('live progress (TTY)', () => {
  test('redraws one status line with \\r, prints failures above it, clears it when stopped', () => {
    const out = capture({ isTTY: true, columns: 60 })
    let now = 1000
    const progress = createProgress(out, style, { live: true, now: () => now })
    progress.onEvent({ type: 'run_started', runId: 'r1', planned: ['raw', 'features', 'model'] })
    progress.onEvent({ type: 'asset_started', key: 'raw', attempt: 1 })
    now += 1500
    progress.onEvent({ type: 'asset_materialized', key: 'raw', durationMs: 1500, dataVersion: 'x' })
    progress.onEvent({ type: 'asset_started', key: 'features', attempt: 1 })
    progress.onEvent({ type: 'asset_started', key: 'model', attempt: 1 })
    now += 250
    progress.onEvent({ type: 'asset_failed', key: 'model', error: 'boom', willRetry: false })
    progress.around(() => out.write('a log line\n'))
    progress.stop()
    const frames = out.text.split('\r\u001b[2K')
    expect(frames).toEqual([
      '',
      '| 0/3 done · 0ms',
      '/ 0/3 done · 0ms running raw',
      '- 1/3 done · 1.5s',
      '\\ 1/3 done · 1.5s running features',
      '| 1/3 done · 1.5s running features, model',
      '[fail] model failed: boom\n',
      '/ 2/3 done · 1.8s running features',
      '- 2/3 done · 1.8s running features',
      'a log line\n',
      '\\ 2/3 done · 1.8s running features',
      '',
    ])
    expect(progress.durations).toEqual(
      new Map([
        ['raw', 1500],
        ['model', 250],
      ]),
    )
  })

  test('cuts the line to the terminal width', () => {
    const out = capture({ isTTY: true, columns: 20 })
    const progress = createProgress(out, style, { live: true, now: () => 0 })
    progress.onEvent({ type: 'asset_started', key: 'a-very-long-asset-key', attempt: 1 })
    progress.stop()
    expect(out.text.split('\r\u001b[2K')[1]).toBe('| 0/0 done · 0ms r…')
  })
})

test('plain progress: one line per event', () => {
  const out = capture()
  const progress = createProgress(out, style, { live: false })
  progress.onEvent({ type: 'asset_started', key: 'raw', attempt: 1 })
  progress.onEvent({ type: 'asset_materialized', key: 'raw', durationMs: 12, dataVersion: 'x' })
  progress.onEvent({ type: 'asset_skipped', key: 'report', reason: 'upstream_unchanged' })
  progress.stop()
  expect(out.text).toBe('[ok] raw 12ms\n[skip] report skipped (upstream_unchanged)\n')
})
