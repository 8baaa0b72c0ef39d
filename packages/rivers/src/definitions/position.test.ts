import { fileURLToPath } from 'node:url'
import { inspect } from 'node:util'

import { describe, expect, test } from 'vitest'

import { parseFrames } from './frames.js'
import { SITE } from './handles.js'
import { asset } from './index.js'

const HERE = fileURLToPath(import.meta.url)

function defineInHelper() {
  return asset({ key: 'helped' }, () => 1)
}

/** The user frames of a definition's stack: file and the names of the function each was calling. */
function userFrames(def: { readonly [SITE]?: { frames(): string } }) {
  return parseFrames(def[SITE]!.frames(), new Map())
    .filter((f) => f.file === HERE)
    .map((f) => f.callees)
}

describe('definition sites', () => {
  test('the stack starts at the user call: the first frame calls asset, the next one the helper', () => {
    const def = defineInHelper()
    expect(userFrames(def).slice(0, 2)).toEqual([['asset'], ['defineInHelper']])
    expect(def.declaredAt).toMatch(/position\.test\.ts:\d+:\d+$/)
  })

  test("read from structured call sites (Node's own formatter), then the position from them", () => {
    const formatter = Error.prepareStackTrace
    ;(Error as { prepareStackTrace?: unknown }).prepareStackTrace = undefined
    try {
      const def = defineInHelper()
      expect(userFrames(def).slice(0, 2)).toEqual([['asset'], ['defineInHelper']])
      expect(def.declaredAt).toMatch(/position\.test\.ts:\d+:\d+$/)
    } finally {
      Error.prepareStackTrace = formatter
    }
  })

  test('the position first, then the frames from the same text', () => {
    const def = defineInHelper()
    const at = def.declaredAt
    expect(userFrames(def).slice(0, 2)).toEqual([['asset'], ['defineInHelper']])
    expect(def.declaredAt).toBe(at)
  })

  test('a pinned code version keeps the caller only: the position, without the stack its version never reads', () => {
    const pinned = (() => asset({ key: 'pinned', codeVersion: 'v1' }, () => 1))()
    expect(userFrames(pinned)).toEqual([['asset']])
    expect(pinned.declaredAt).toMatch(/position\.test\.ts:\d+:\d+$/)
    const command = (() => asset({ key: 'cmd', command: ['true'] }))()
    expect(userFrames(command)).toEqual([['asset']])
    // Without a pin, the stack goes on past the caller (its code version is computed from it).
    expect(userFrames((() => asset({ key: 'derived' }, () => 1))()).length).toBeGreaterThan(1)
  })

  test('a logged definition shows its site briefly, without its stack', () => {
    expect(inspect(defineInHelper(), { depth: 0 })).not.toContain('    at ')
  })
})
