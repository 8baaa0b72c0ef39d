import { appendFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'

import { afterEach, beforeEach, describe, expect, it } from 'vitest'

import { followRunLog, type LogRecord, readRunLog, runLogPath } from './log-read.js'

let storeDir: string
beforeEach(() => {
  storeDir = mkdtempSync(path.join(tmpdir(), 'rivers-logread-'))
  mkdirSync(path.join(storeDir, 'logs'))
})
afterEach(() => rmSync(storeDir, { recursive: true, force: true }))

const line = (r: Partial<LogRecord>) => `${JSON.stringify({ level: 30, time: '2026-01-01T00:00:00.000Z', ...r })}\n`

describe('readRunLog', () => {
  it('filters by asset and level, and skips a torn line', () => {
    writeFileSync(
      runLogPath(storeDir, 'r1'),
      line({ msg: 'run started' }) +
        line({ asset: 'a', msg: 'hello' }) +
        line({ asset: 'a', level: 50, msg: 'bad' }) +
        line({ asset: 'b', msg: 'other', stream: 'stdout' }) +
        '{"level":30,"ti',
    )
    return Promise.all([
      expect(readRunLog(storeDir, 'r1').then((rs) => rs.map((r) => r.msg))).resolves.toEqual([
        'run started',
        'hello',
        'bad',
        'other',
      ]),
      expect(readRunLog(storeDir, 'r1', { asset: 'a' }).then((rs) => rs.map((r) => r.msg))).resolves.toEqual([
        'hello',
        'bad',
      ]),
      expect(readRunLog(storeDir, 'r1', { level: 'error' }).then((rs) => rs.map((r) => r.msg))).resolves.toEqual([
        'bad',
      ]),
    ])
  })

  it('names the file when a run has no log', async () => {
    await expect(readRunLog(storeDir, 'gone')).rejects.toThrow(/run gone has no log file \(.*gone\.ndjson\)/)
  })
})

describe('followRunLog', () => {
  it('yields lines as they are written, a line split across writes once whole, until the run is finished', async () => {
    const file = runLogPath(storeDir, 'r2')
    writeFileSync(file, line({ msg: 'one' }))
    let finished = false
    const seen: string[] = []
    const follow = (async () => {
      for await (const r of followRunLog(storeDir, 'r2', {}, { finished: async () => finished, pollMs: 10 }))
        seen.push(r.msg ?? '')
    })()
    await until(() => seen.length === 1)
    const two = line({ msg: 'twö' })
    appendFileSync(file, two.slice(0, 20))
    await new Promise((r) => setTimeout(r, 50))
    expect(seen).toEqual(['one'])
    appendFileSync(file, two.slice(20) + line({ msg: 'three' }))
    await until(() => seen.length === 3)
    appendFileSync(file, line({ msg: 'last' }))
    finished = true
    await follow
    expect(seen).toEqual(['one', 'twö', 'three', 'last'])
  })

  it('stops quietly when its signal aborts', async () => {
    writeFileSync(runLogPath(storeDir, 'r3'), line({ msg: 'one' }))
    const controller = new AbortController()
    const seen: string[] = []
    setTimeout(() => controller.abort(), 50)
    for await (const r of followRunLog(
      storeDir,
      'r3',
      {},
      { finished: async () => false, signal: controller.signal, pollMs: 1000 },
    ))
      seen.push(r.msg ?? '')
    expect(seen).toEqual(['one'])
  })
})

async function until(ok: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !ok(); i++) await new Promise((r) => setTimeout(r, 10))
  expect(ok()).toBe(true)
}
