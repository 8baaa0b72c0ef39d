/**
 * Pod logs read again and again while the pod runs: every line reaches the run log exactly once,
 * whatever each read sees (lines sharing a timestamp, an unfinished last line, a server that sends
 * from `sinceTime`'s whole second on).
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'

import { type LogCursor, newLogLines, normalizeTimestamp, sinceTime } from './index.js'

describe('pod logs, read again and again', () => {
  it('hand over every line once, whatever the reads see', () => {
    const steps = fc.array(
      fc.tuple(
        fc.integer({ min: 0, max: 3 }),
        fc.integer({ min: 0, max: 2 }),
        fc.string({ maxLength: 6 }).map((s) => s.replace(/\n/g, '')),
      ),
      { maxLength: 25 },
    )
    fc.assert(
      fc.property(steps, fc.array(fc.nat(), { maxLength: 8 }), (entries, cuts) => {
        // Lines with non-decreasing times, several in one millisecond or one second, as a kubelet writes them.
        let sec = 0
        let ms = 0
        const lines = entries.map(([dSec, dMs, text]) => {
          if (dSec > 0) ms = 0
          sec += dSec
          ms += dMs
          return { ts: `2026-12-06T09:00:${String(10 + sec).padStart(2, '0')}.${String(ms).padStart(3, '0')}Z`, text }
        })
        const stamped = lines.map((l) => `${l.ts} ${l.text}\n`)
        const full = stamped.join('')
        // What the API serves at some moment: a prefix of the log (maybe mid-line), from sinceTime's second on.
        const serve = (upTo: number, since: string | undefined): string => {
          const text = full.slice(0, upTo)
          if (since === undefined) return text
          const first = lines.findIndex((l) => `${l.ts.slice(0, 19)}Z` >= since)
          if (first < 0) return ''
          return text.slice(Math.min(text.length, stamped.slice(0, first).join('').length))
        }
        let cursor: LogCursor | undefined
        const got: string[] = []
        const reads = [...cuts.map((c) => c % (full.length + 1)).sort((a, b) => a - b), full.length]
        for (const [i, upTo] of reads.entries()) {
          const out = newLogLines(serve(upTo, cursor && sinceTime(cursor)), cursor, i === reads.length - 1)
          got.push(...out.lines)
          cursor = out.cursor
        }
        expect(got).toEqual(lines.map((l) => l.text))
      }),
    )
  })

  it('keep a line without a timestamp with the line before it, and leave an unfinished line for later', () => {
    expect(
      newLogLines('2026-12-06T09:00:02Z a\ncontinued\n2026-12-06T09:00:03Z b\nunfinished', undefined, false),
    ).toEqual({
      lines: ['a', 'continued', 'b'],
      cursor: { ts: '2026-12-06T09:00:03.000000000Z', n: 1 },
    })
    expect(normalizeTimestamp('2026-12-06T09:00:02.123456789Z')).toBe('2026-12-06T09:00:02.123456789Z')
    expect(normalizeTimestamp('2026-12-06T09:00:02+01:00')).toBeUndefined()
  })
})
