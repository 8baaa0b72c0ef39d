import { mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'

import { afterAll, describe, expect, it } from 'vitest'

import { describeCodeChange, rememberManifests, type ClosureManifest, type VersionManifest } from './manifest.js'

const store = mkdtempSync(path.join(tmpdir(), 'rivers-manifest-'))
afterAll(() => rmSync(store, { recursive: true, force: true }))

const closure = (
  files: [string, string][],
  packages: [string, string][],
  unresolved: string[] = [],
): ClosureManifest => ({
  v: 1,
  files,
  packages,
  unresolved,
})
const fn = (own: Record<string, string>, closureHex: string, fnHash = 'f1'): VersionManifest => ({
  v: 1,
  kind: 'function',
  fn: fnHash,
  own,
  closure: closureHex,
  inputs: [],
})

rememberManifests(
  store,
  new Map<string, VersionManifest>([
    ['v-old', fn({ 'rivers.config.ts': 'o1' }, 'c-old')],
    ['v-lib', fn({ 'rivers.config.ts': 'o1' }, 'c-lib')],
    ['v-own', fn({ 'rivers.config.ts': 'o2' }, 'c-old')],
    ['v-pkg', fn({ 'rivers.config.ts': 'o1' }, 'c-pkg')],
    ['v-nonce', fn({ 'rivers.config.ts': 'o1' }, 'c-nonce')],
    ['p1', { v: 1, kind: 'pinned', pinned: 'v1' }],
    ['p2', { v: 1, kind: 'pinned', pinned: 'v2' }],
  ]),
  new Map([
    [
      'c-old',
      closure(
        [
          ['rivers.config.ts', 'm1'],
          ['src/lib.ts', 'l1'],
          ['src/old.ts', 'x'],
        ],
        [['zod', '4.1.0']],
      ),
    ],
    [
      'c-lib',
      closure(
        [
          ['rivers.config.ts', 'm1'],
          ['src/lib.ts', 'l2'],
          ['src/new.ts', 'y'],
        ],
        [['zod', '4.1.0']],
      ),
    ],
    [
      'c-pkg',
      closure(
        [
          ['rivers.config.ts', 'm1'],
          ['src/lib.ts', 'l1'],
          ['src/old.ts', 'x'],
        ],
        [
          ['zod', '4.2.0'],
          ['lodash', '4.17.21'],
        ],
      ),
    ],
    ['c-nonce', closure([['rivers.config.ts', 'm1']], [], ['src/a.ts: import(name) at line 3'])],
  ]),
)

describe('describeCodeChange', () => {
  it('names changed, new and dropped files, and its own definition', () => {
    expect(describeCodeChange(store, 'v-old', 'v-lib')).toBe(
      'code changed: src/lib.ts, src/new.ts (new), src/old.ts (no longer imported)',
    )
    expect(describeCodeChange(store, 'v-old', 'v-own')).toBe('code changed: rivers.config.ts (its definition)')
  })

  it('names package upgrades and additions', () => {
    expect(describeCodeChange(store, 'v-old', 'v-pkg')).toBe('zod 4.1.0 → 4.2.0; lodash 4.17.21 added')
  })

  it('says what it cannot follow', () => {
    expect(describeCodeChange(store, 'v-old', 'v-nonce')).toContain(
      'cannot follow src/a.ts: import(name) at line 3 (treated as changed every time)',
    )
  })

  it('compares pinned versions, and knows nothing of a version without a manifest', () => {
    expect(describeCodeChange(store, 'p1', 'p2')).toBe('codeVersion "v1" → "v2"')
    expect(describeCodeChange(store, 'p1', 'v-old')).toBe('codeVersion "v1" removed')
    expect(describeCodeChange(store, 'ffff', 'v-old')).toBeUndefined()
  })

  it('keeps every manifest in the store folder, one file per hash', () => {
    expect(readdirSync(path.join(store, 'code')).sort()).toContain('v-old.json')
    expect(readdirSync(path.join(store, 'code')).filter((f) => f.endsWith('.tmp'))).toEqual([])
  })
})
