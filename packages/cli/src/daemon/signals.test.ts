import { EventEmitter } from 'node:events'
import { expect, test } from 'vitest'
import type { Io } from '../io.js'
import { fakeIo } from '../testing.fixture.js'
import { stopOnSignals } from './signals.js'

/** An Io whose signals are emitted by the test. */
function signalIo() {
  const emitter = new EventEmitter()
  const exits: number[] = []
  const io: Io = {
    ...fakeIo(),
    signals: {
      on: (s, l) => void emitter.on(s, l),
      off: (s, l) => void emitter.off(s, l),
      exitNow(code): never {
        exits.push(code)
        throw new Error(`exit ${code}`)
      },
    },
  }
  return { io, emitter, exits }
}

test('the first signal stops, the second exits 130 at once; dispose removes the handlers', () => {
  const { io, emitter, exits } = signalIo()
  const told: string[] = []
  const stop = stopOnSignals(io, { onStop: (s) => told.push(`stop ${s}`), onExit: () => told.push('exit') })
  expect(emitter.listenerCount('SIGTERM')).toBe(1)
  expect(stop.signal.aborted).toBe(false)
  emitter.emit('SIGTERM')
  expect(stop.signal.aborted).toBe(true)
  expect(stop.received).toBe('SIGTERM')
  expect(() => emitter.emit('SIGINT')).toThrow('exit 130')
  expect(exits).toEqual([130])
  expect(told).toEqual(['stop SIGTERM', 'exit'])
  stop.dispose()
  expect(emitter.listenerCount('SIGTERM') + emitter.listenerCount('SIGINT')).toBe(0)
})
