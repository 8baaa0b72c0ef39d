import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { pathToFileURL } from 'node:url'

import { describe, expect, it } from 'vitest'

import { RiversError, UserCodeError } from '../errors.js'
import { describeFailure } from './errors.js'
import { userCode, userCodeSync, userLocation } from './user-code.js'

describe('userCode()', () => {
  it('wraps what user code throws with the asset, the run, the phase, keeping the cause', async () => {
    const cause = new TypeError('x is undefined')
    const err = await userCode({ key: 'features', runId: 'r1' }, 'check', () => {
      throw cause
    }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(UserCodeError)
    expect(err).toMatchObject({ code: 'RIVERS_CHECK_THREW', assetKey: 'features', runId: 'r1', phase: 'check', cause })
    expect((err as Error).message).toBe('asset "features" failed in its check in run r1: TypeError: x is undefined')
    expect(describeFailure(err)).toBe('TypeError: x is undefined')
    const rejected = await userCode({ key: 'm' }, 'asset', async () => Promise.reject('disk on fire')).catch(
      (e: unknown) => e,
    )
    expect(describeFailure(rejected)).toMatch(/^threw a non-Error value: 'disk on fire'/)
  })

  it('lets framework errors through unchanged, and returns what the code returns', async () => {
    const framework = new RiversError('RIVERS_INVALID_OUTPUT', 'bad output')
    await expect(
      userCode({ key: 'm' }, 'asset', () => {
        throw framework
      }),
    ).rejects.toBe(framework)
    expect(await userCode({ key: 'm' }, 'asset', async () => 42)).toBe(42)
    expect(userCodeSync({ key: 'm' }, 'config', () => 'ok')).toBe('ok')
  })
})

describe('userLocation()', () => {
  it('finds the first frame inside the project, not in node_modules nor in Rivers, relative to the project', async () => {
    const project = mkdtempSync(path.join(tmpdir(), 'rivers-where-'))
    try {
      writeFileSync(
        path.join(project, 'lib.mjs'),
        'export function parse(x) {\n  return x.rows.length\n}\nexport const run = (f) => f()\n',
      )
      const lib = (await import(pathToFileURL(path.join(project, 'lib.mjs')).href)) as {
        parse: (x: unknown) => number
        run: (f: () => unknown) => unknown
      }
      let caught: unknown
      try {
        lib.run(() => lib.parse({}))
      } catch (e) {
        caught = e
      }
      expect(userLocation(caught, project)).toBe('lib.mjs:2:17')
      // This test file is Rivers' own: without a project folder, frames in Rivers still do not count.
      expect(userLocation(new Error('here'))).toBeUndefined()
      expect(userLocation('not an error', project)).toBeUndefined()
      const fake = new Error('x')
      fake.stack = `Error: x\n    at f (${project}/node_modules/lib/index.js:1:1)\n    at g (node:internal/x:1:1)\n    at h (${project}/src/app.ts:7:3)`
      expect(userLocation(fake, project)).toBe('src/app.ts:7:3')
      expect(userLocation(fake, path.join(tmpdir(), 'elsewhere'))).toBeUndefined()
    } finally {
      rmSync(project, { recursive: true, force: true })
    }
  })
})
