import { z } from 'zod'
import { describe, expect, it } from 'vitest'
import { asset } from './asset.js'
import { isSecret, redactSecrets, scrubber, secret, secretPaths, secretValues, underSecret } from './secret.js'
import { parseConfig } from './validate.js'

describe('secret()', () => {
  it('marks a schema, and refinements of it, but not the rest', () => {
    const s = secret(z.string())
    expect(isSecret(s)).toBe(true)
    expect(isSecret(s.min(8).max(99))).toBe(true)
    expect(isSecret(z.string())).toBe(false)
    expect(isSecret(undefined)).toBe(false)
  })

  it('finds secret places through objects, arrays, records, optionals, defaults, unions and pipes', () => {
    const schema = z.object({
      token: secret(z.string()).min(3),
      plain: z.string(),
      maybe: secret(z.string()).optional(),
      keys: z.array(secret(z.string())).default([]),
      byEnv: z.record(z.string(), z.object({ password: secret(z.string()) })),
      either: z.union([z.object({ apiKey: secret(z.string()) }), z.null()]),
      piped: secret(z.string()).transform((s) => s.trim()),
      whole: secret(z.object({ user: z.string(), pass: z.string() })).optional(),
    })
    expect(secretPaths(schema)).toEqual([
      ['token'],
      ['maybe'],
      ['keys', '*'],
      ['byEnv', '*', 'password'],
      ['either', 'apiKey'],
      ['piped'],
      ['whole'],
    ])
    expect(secretPaths(z.object({ a: z.number() }))).toEqual([])
    expect(secretPaths(undefined)).toEqual([])
  })

  it('collects secret values, redacts them in copies, and scrubs texts', () => {
    const paths = secretPaths(
      z.object({
        token: secret(z.string()),
        keys: z.array(secret(z.string())),
        pin: secret(z.number()),
        whole: secret(z.object({ u: z.string() })),
      }),
    )
    const value = { token: 'hunter2', keys: ['k1-abc', 'k2-def'], pin: 4711, plain: 'hello', whole: { u: 'root-user' } }
    expect(secretValues(value, paths).sort()).toEqual(['4711', 'hunter2', 'k1-abc', 'k2-def', 'root-user'])
    expect(redactSecrets(value, paths)).toEqual({
      token: '[redacted]',
      keys: ['[redacted]', '[redacted]'],
      pin: '[redacted]',
      plain: 'hello',
      whole: '[redacted]',
    })
    expect(value.token).toBe('hunter2') // a copy
    const scrub = scrubber(['hunter2', 'a"b'])
    expect(scrub('login hunter2 failed; hunter2 again')).toBe('login [redacted] failed; [redacted] again')
    expect(scrub(JSON.stringify({ s: 'a"b' }))).toBe('{"s":"[redacted]"}')
    expect(scrubber([])('unchanged')).toBe('unchanged')
    expect(underSecret(['keys', 3], paths)).toBe(true)
    expect(underSecret(['plain'], paths)).toBe(false)
  })

  it('an invalid secret config names the field, never echoes the value', () => {
    const def = asset(
      {
        key: 'upload',
        config: z.object({
          token: secret(z.string()).min(12),
          code: secret(z.string()).refine((s) => s.startsWith('sk-'), {
            error: (iss) => `expected sk-…, got ${String(iss.input)}`,
          }),
        }),
      },
      () => 1,
    )
    let message = ''
    try {
      parseConfig(def, { token: 'hunter2', code: 'pk-live-123' })
    } catch (e) {
      message = (e as Error).message
    }
    expect(message).toMatchInlineSnapshot(`
      "Invalid config for asset 'upload':
        - token: Too small: expected string to have >=12 characters (a secret: its value is not shown)
        - code: expected sk-…, got [redacted] (a secret: its value is not shown)
      Fix: pass config matching the asset's config schema (--config '{"upload": {…}}')."
    `)
  })
})
