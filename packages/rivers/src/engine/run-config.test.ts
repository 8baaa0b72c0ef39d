import { describe, expect, it } from 'vitest'
import { z } from 'zod'

import { asset, defineProject, source } from '../definitions/index.js'
import { secret } from '../definitions/secret.js'
import type { AssetId } from './planner.js'
import { RunConfig } from './run-config.js'

const raw = source({ key: 'raw', observe: () => ({ dataVersion: 'v1' }) })
const model = asset(
  {
    key: 'model',
    deps: { raw },
    config: z.object({ epochs: z.number().int().positive(), token: secret(z.string()).default('dev-token-123') }),
  },
  () => 1,
)
const report = asset({ key: 'report', deps: { model }, config: z.object({ title: z.string().default('r') }) }, () => 2)
const plain = asset({ key: 'plain', deps: { model } }, () => 3)
const project = defineProject({ assets: [report, plain] })
const id = (key: string) => project.assets.findIndex((a) => a.key === key) as AssetId

describe('RunConfig', () => {
  it('parses each asset once: given values, defaults, and the zero hash for an unresolved required config', () => {
    const defaults = RunConfig.resolve(project)
    expect(defaults.value(id('report'))).toEqual({ title: 'r' })
    expect(defaults.value(id('plain'))).toBeUndefined()
    expect(defaults.hash(id('model'))).toBe('00000000000000000000000000000000')
    expect(() => defaults.requireResolved([id('report')])).not.toThrow()
    expect(() => defaults.requireResolved([id('model')])).toThrow(/Invalid config for asset 'model'/)
    const given = RunConfig.resolve(project, { model: { epochs: 3, token: 'sk-live-secret-1' } })
    expect(given.value(id('model'))).toEqual({ epochs: 3, token: 'sk-live-secret-1' })
    expect(given.hash(id('model'))).toMatch(/^[0-9a-f]{32}$/)
    expect(given.changedIn(defaults)).toEqual([id('model')])
    expect(given.changedIn(given)).toEqual([])
    expect(given.hashBytes()).toHaveLength(16 * project.assets.length)
    for (const c of [defaults, given])
      expect(Buffer.from(c.hashBytes()).toString('hex')).toBe(
        project.assets.map((_, i) => c.hash(i as AssetId)).join(''),
      )
  })

  it('refuses at once what can never be right: unknown keys, config for a source, invalid or unknown fields', () => {
    expect(() => RunConfig.resolve(project, { modle: {} })).toThrow(
      /"modle", which is not an asset.*did you mean "model"/s,
    )
    expect(() => RunConfig.resolve(project, { raw: {} })).toThrow(/"raw", which is a source/)
    expect(() => RunConfig.resolve(project, { plain: { x: 1 } })).toThrow(/which takes none/)
    expect(() => RunConfig.resolve(project, { model: { epochs: 0 } })).toThrow(/epochs: Too small/)
    expect(() => RunConfig.resolve(project, { model: { epochs: 2, epoch: 3 } })).toThrow(
      /epoch: .*did you mean "epochs"/,
    )
  })

  it('reads a given config by own key only: an asset named like an Object property gets its defaults', () => {
    const ctor = asset({ key: 'constructor', config: z.object({ n: z.number().default(1) }) }, () => 1)
    const proto = asset({ key: 'toString', deps: { ctor }, config: z.object({ s: z.string().default('x') }) }, () => 2)
    const odd = defineProject({ assets: [proto] })
    const at = (key: string) => odd.assets.findIndex((a) => a.key === key) as AssetId
    const defaults = RunConfig.resolve(odd)
    expect(defaults.value(at('constructor'))).toEqual({ n: 1 })
    expect(defaults.value(at('toString'))).toEqual({ s: 'x' })
    expect(RunConfig.resolve(odd, { toString: { s: 'y' } }).value(at('toString'))).toEqual({ s: 'y' })
    expect(RunConfig.resolve(odd, { toString: { s: 'y' } }).value(at('constructor'))).toEqual({ n: 1 })
  })

  it('hands the core every config hash, 16 bytes per asset in id order, for any number of assets', () => {
    for (const n of [0, 1, 3, 7, 33]) {
      const many = Array.from({ length: n }, (_, i) =>
        asset({ key: `a${i}`, ...(i % 3 === 1 ? { config: z.object({ k: z.number().default(i) }) } : {}) }, () => i),
      )
      const p = defineProject({ assets: many })
      const c = RunConfig.resolve(p, n > 4 ? { a4: { k: 40 } } : {})
      expect(Buffer.from(c.hashBytes()).toString('hex')).toBe(p.assets.map((_, i) => c.hash(i as AssetId)).join(''))
    }
  })

  it('keeps secrets out of params and scrubs them everywhere', () => {
    const c = RunConfig.resolve(project, { model: { epochs: 3, token: 'sk-live-secret-1' } })
    expect(c.params(id('model'))).toEqual({ epochs: 3, token: '[redacted]' })
    expect(c.params(id('plain'))).toBeUndefined()
    expect(c.secrets.scrub('sent sk-live-secret-1')).toBe('sent [redacted]')
    expect(c.secrets.redactConfig({ ...c.raw })).toEqual({ model: { epochs: 3, token: '[redacted]' } })
    // Defaults of secret fields are secrets too.
    expect(RunConfig.resolve(project, { model: { epochs: 1 } }).secrets.scrub('dev-token-123')).toBe('[redacted]')
  })

  it('wraps a config schema that throws (a default function) as user code, exit 2', () => {
    const boom = asset(
      {
        key: 'boom',
        config: z.object({
          n: z.number().default(() => {
            throw new Error('no default today')
          }),
        }),
      },
      () => 1,
    )
    const p = defineProject({ assets: [boom] })
    const c = RunConfig.resolve(p)
    let error: unknown
    try {
      c.requireResolved([0 as AssetId])
    } catch (e) {
      error = e
    }
    expect(error).toMatchObject({ code: 'RIVERS_CONFIG_FAILED', exitCode: 2, phase: 'config', assetKey: 'boom' })
    expect((error as Error).message).toContain('no default today')
  })
})
