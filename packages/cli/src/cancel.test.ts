import { expect, test } from 'vitest'
import { withCancellation } from './cancel.js'
import type { Io } from './io.js'
import { fakeIo } from './testing.fixture.js'

function signalling() {
  const listeners = new Map<string, () => void>()
  const io = fakeIo()
  const withSignals: Io = {
    ...io,
    signals: { ...io.signals, on: (s, l) => void listeners.set(s, l), off: (s) => void listeners.delete(s) },
  }
  return { io: withSignals, exits: io.exits, send: (s: string) => listeners.get(s)?.(), listeners }
}

test('first signal aborts, second exits 130; handlers are removed after', async () => {
  const { io, exits, send, listeners } = signalling()
  const said: string[] = []
  const result = await withCancellation(
    io,
    { onCancel: () => said.push('cancel'), onExit: () => said.push('exit') },
    async (signal) => {
      send('SIGINT')
      expect(signal.aborted).toBe(true)
      expect(() => send('SIGTERM')).toThrow('exit 130')
      return 'cancelled'
    },
  )
  expect(result).toBe('cancelled')
  expect(said).toEqual(['cancel', 'exit'])
  expect(exits).toEqual([130])
  expect(listeners.size).toBe(0)
})

test('a run that rejects after the abort ends as a cancel (exit 130)', async () => {
  const { io, send } = signalling()
  const error = await withCancellation(io, { onCancel() {}, onExit() {} }, async () => {
    send('SIGINT')
    throw new Error('AbortError')
  }).catch((e: unknown) => e as { code: string; exitCode: number })
  expect(error).toMatchObject({ code: 'RIVERS_CANCELLED', exitCode: 130 })
})
