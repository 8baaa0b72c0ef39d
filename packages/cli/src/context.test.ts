import { Writable } from 'node:stream'
import { describe, expect, it } from 'vitest'
import { type Ctx, printJson } from './context.js'

/** A stdout that keeps the bytes it was given (strings encoded to UTF-8 one write at a time). */
function bytesOut(): { stream: Writable; bytes: () => Buffer; writes: () => number } {
  const chunks: Buffer[] = []
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      chunks.push(chunk)
      done()
    },
  })
  return { stream, bytes: () => Buffer.concat(chunks), writes: () => chunks.length }
}

describe('printJson', () => {
  it('writes a big document in pieces whose bytes are the whole document, a surrogate pair kept whole at the seam', () => {
    const out = bytesOut()
    const ctx = { io: { stdout: out.stream } } as unknown as Ctx
    // `{"a":"xxx…😀"}`: the emoji's first half is the last character of the first 1 Mi piece.
    const prefix = '{\n  "a": "'.length
    const value = { a: `${'x'.repeat((1 << 20) - 1 - prefix)}😀 done` }
    printJson(ctx, value)
    expect(out.writes()).toBe(2)
    expect(out.bytes().equals(Buffer.from(`${JSON.stringify(value, null, 2)}\n`))).toBe(true)
  })
})
