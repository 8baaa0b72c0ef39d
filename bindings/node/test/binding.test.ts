import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import path from 'node:path'

import { describe, expect, it } from 'vitest'

const require = createRequire(import.meta.url)
const native = require('@rivers-orchestrator/native') as typeof import('@rivers-orchestrator/native')
const { NativeGraph, hashBytes, hashFile, hashFiles, hashStrings, Status, CauseKind, NO_DEP } = native

const hex = (h: string): Uint8Array => Buffer.from(h, 'hex')
const h16 = (n: number): Uint8Array => {
  const b = new Uint8Array(16)
  b[15] = n
  return b
}

/** a <- b <- c, a <- d; ids in input order. */
function small() {
  return NativeGraph.build({
    keys: 'a\nb\nc\nd',
    depOffsets: Uint32Array.of(0, 0, 1, 2, 3),
    deps: Uint32Array.of(0, 1, 0),
  })
}

function record(ids: number[], data: number[], deps: number[][], depData: number[][]) {
  const cat = (xs: number[]) => {
    const out = new Uint8Array(16 * xs.length)
    xs.forEach((x, i) => out.set(h16(x), 16 * i))
    return out
  }
  const offsets = [0]
  for (const d of deps) offsets.push(offsets.at(-1)! + d.length)
  return {
    ids: Uint32Array.from(ids),
    codeVersions: new Uint8Array(16 * ids.length),
    configHashes: new Uint8Array(16 * ids.length),
    dataVersions: cat(data),
    depOffsets: Uint32Array.from(offsets),
    deps: Uint32Array.from(deps.flat()),
    depVersions: cat(depData.flat()),
  }
}

describe('hashing', () => {
  it('matches the golden vectors of SPEC.md', () => {
    expect(hashBytes(Buffer.alloc(0))).toBe('8737b6e273c3e9e4358bbc1d5444f278')
    expect(hashBytes(Buffer.from('hello rivers'))).toBe('17ac24a7c55bfb6a038b5fb196d27e63')
    expect(hashStrings('code-source', ['() => 1'])).toBe('b93de105adc28f5d1f8fa6773400273c')
    expect(hashStrings('code-version', ['v2'])).toBe('79ff84d156a162149c107d8c5a1b949c')
    // The closure-based code version (the layouts are in packages/rivers/src/code/layout.ts).
    expect(
      hashStrings('code-function', [
        '() => [1, 2, 3]',
        '0fae52321e3c60154b743a0f3982b1ae',
        '66899abca9ca790aafab35f0d59024cf',
        '0',
      ]),
    ).toBe('b2af3a1535800500185c566f4e90b9e5')
  })

  it('hashes files like bytes, many in parallel, and names a missing file', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'rivers-hash-'))
    try {
      const files = [0, 10, 300_000].map((size, i) => {
        const p = path.join(dir, `f${i}`)
        writeFileSync(p, Buffer.alloc(size, i + 1))
        return p
      })
      const expected = files.map((_, i) => hashBytes(Buffer.alloc([0, 10, 300_000][i]!, i + 1)))
      expect(await hashFiles(files)).toEqual(expected)
      expect(hashFile(files[2]!)).toBe(expected[2])
      await expect(hashFiles([...files, path.join(dir, 'missing')])).rejects.toThrow(/cannot hash .*missing/)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})

describe('NativeGraph', () => {
  it('plans, applies records incrementally, and re-verifies (early cutoff)', () => {
    const g = small()
    expect(g.size).toBe(4)
    expect(g.edgeCount).toBe(3)
    let plan = g.plan()
    expect([...plan.ids]).toEqual([0, 1, 3, 2])
    expect([...plan.layerOffsets]).toEqual([0, 1, 3, 4])
    g.loadRecords(record([0, 1, 2, 3], [1, 2, 3, 4], [[], [0], [1], [0]], [[], [1], [2], [1]]))
    expect([...g.statuses()]).toEqual([2, 2, 2, 2])
    expect(g.plan().ids.length).toBe(0)
    // a gets a new code version: a stale, b/c/d planned but fresh.
    g.setCodeVersions(Uint32Array.of(0), h16(9))
    expect([...g.statuses()]).toEqual([1, 2, 2, 2])
    expect([...g.plan().ids]).toEqual([0, 1, 3, 2])
    // a re-materializes to the same data: nothing below needs to run.
    const dirty = g.applyRecords({ ...record([0], [1], [[]], [[]]), codeVersions: h16(9) })
    expect([...dirty]).toEqual([])
    expect(g.needsRun(1)).toBe(false)
    expect(g.plan().ids.length).toBe(0)
    // a re-materializes to new data: b and d must run, c waits on b.
    expect([...g.applyRecords({ ...record([0], [7], [[]], [[]]), codeVersions: h16(9) })]).toEqual([1, 3])
    const causes = g.causes(Uint32Array.of(1))
    expect([...causes.kinds]).toEqual([4])
    expect(g.keyOf(causes.deps[0]!)).toBe('a')
    const roots = g.rootCauses(Uint32Array.of(1))
    expect([...roots.kinds]).toEqual([5])
    expect(g.keyOf(roots.ids[0]!)).toBe('a')
    plan = g.plan()
    expect([...plan.ids]).toEqual([1, 3, 2])
  })

  it('names its status and cause codes, and reports a status in one call', () => {
    expect({ ...Status }).toEqual({ Missing: 0, Stale: 1, Fresh: 2 })
    expect({ ...CauseKind }).toEqual({
      CodeChanged: 0,
      ConfigChanged: 1,
      DepAdded: 2,
      DepRemoved: 3,
      UpstreamDataChanged: 4,
      NewDataVersion: 5,
      SourceChanged: 6,
      Missing: 7,
    })
    expect(NO_DEP).toBe(0xffffffff)
    const g = small()
    g.loadRecords(record([0, 1, 2, 3], [1, 2, 3, 4], [[], [0], [1], [0]], [[], [1], [2], [1]]))
    g.setCodeVersions(Uint32Array.of(1), h16(9))
    g.applyRecords(record([0], [5], [[]], [[]]))
    const ids = Uint32Array.of(3, 1, 2)
    const report = g.statusReport(ids, false)
    expect([...report.statuses]).toEqual([Status.Stale, Status.Stale, Status.Fresh])
    expect([...report.statuses]).toEqual([...g.statuses(ids)])
    expect(report.causes).toEqual(g.causes(ids))
    expect(report.rootCauses).toEqual(g.rootCauses(ids))
    expect([...report.causes.kinds]).toEqual([
      CauseKind.UpstreamDataChanged,
      CauseKind.CodeChanged,
      CauseKind.UpstreamDataChanged,
    ])
    expect([...report.causes.deps]).toEqual([0, NO_DEP, 0])
    expect([...report.planned]).toEqual([...g.plan(ids, false).ids])
    expect([...g.statusReport(ids, true).planned]).toEqual([...g.plan().ids])
  })

  it('reports missing inputs outside the selection', () => {
    const g = small()
    const plan = g.plan(Uint32Array.of(1), false)
    expect([...plan.missingInputs]).toEqual([1, 0])
  })

  it('selects with the selection language and maps errors to codes', () => {
    const g = small()
    expect([...g.select(['+c'])]).toEqual([0, 1, 2])
    expect([...g.select(['a+1'])]).toEqual([0, 1, 3])
    expect([...g.select(['c', 'd'])]).toEqual([2, 3])
    const err = (() => {
      try {
        g.select(['(a or'])
      } catch (e) {
        return e as Error & { code: string }
      }
    })()
    expect(err?.code).toBe('RIVERS_SELECTION')
    expect(err?.message).toMatchInlineSnapshot(`
      "invalid selection: expected a term after 'or', found end of input
        (a or
             ^ here (column 6)
        help: a term is a key pattern, '*', or key:/tag:/group:/kind:/owner:/status: followed by a name"
    `)
  })

  it('rejects invalid graphs with stable codes and messages naming the keys', () => {
    const build = (keys: string, offsets: number[], deps: number[]) => {
      try {
        NativeGraph.build({ keys, depOffsets: Uint32Array.from(offsets), deps: Uint32Array.from(deps) })
      } catch (e) {
        return `${(e as { code: string }).code}: ${(e as Error).message}`
      }
      return 'built'
    }
    expect(build('a\nb\nc', [0, 1, 2, 3], [2, 0, 1])).toMatchInlineSnapshot(
      `"RIVERS_CYCLE: dependency cycle: a -> c -> b -> a ("a -> b" means a depends on b): remove one of these dependencies to break the cycle"`,
    )
    expect(build('a\na', [0, 0, 0], [])).toMatchInlineSnapshot(
      `"RIVERS_DUPLICATE_KEY: duplicate asset key "a" (assets #0 and #1): every asset needs its own key; rename one of them"`,
    )
    expect(build('a', [0, 1], [0])).toMatchInlineSnapshot(
      `"RIVERS_SELF_DEP: asset "a" depends on itself: remove "a" from its own dependencies"`,
    )
    expect(build('a', [0, 1], [5])).toMatchInlineSnapshot(
      `"RIVERS_UNKNOWN_DEP: asset "a" depends on asset #5, but there are only 1 assets: add the dependency to the project, or remove it from "a""`,
    )
    expect(build('a/../b', [0, 0], [])).toMatchInlineSnapshot(
      `"RIVERS_INVALID_KEY: invalid asset key "a/../b" (asset #0): segment 2 is "..". Keys are segments of letters, digits, '_', '-' and '.' joined by '/', e.g. "raw/orders""`,
    )
    expect(build('a\nb', [0, 0], [])).toMatch(/^RIVERS_INVALID_INPUT/)
    expect(build('a\nb', [0], [])).toMatch(/^RIVERS_INVALID_INPUT: invalid planner input: 2 keys for 0 assets/)
    expect(build('a', [], [])).toMatch(/^RIVERS_INVALID_INPUT: invalid planner input: depOffsets is empty/)
    expect(build('', [0], [])).toBe('built')
    const g = small()
    expect(() => g.statuses(Uint32Array.of(99))).toThrow(expect.objectContaining({ code: 'RIVERS_INVALID_INPUT' }))
    expect(() => g.setCodeVersions(Uint32Array.of(0), new Uint8Array(3))).toThrow(/16 per entry/)
  })

  it('has a readable twin', () => {
    const g = small()
    g.loadRecords(record([0], [1], [[]], [[]]))
    expect(JSON.parse(JSON.stringify(g))).toEqual({
      assets: [
        { key: 'a', deps: [], source: false, topo: 0, status: 'fresh', planned: false, causes: [] },
        { key: 'b', deps: ['a'], source: false, topo: 1, status: 'missing', planned: true, causes: [] },
        { key: 'c', deps: ['b'], source: false, topo: 2, status: 'missing', planned: true, causes: [] },
        { key: 'd', deps: ['a'], source: false, topo: 3, status: 'missing', planned: true, causes: [] },
      ],
    })
    expect(hex('00').length).toBe(1)
  })

  it('explains a failure to load the addon: which file, which platform, what to do (checkout)', () => {
    const r = spawnSync(
      process.execPath,
      [
        '-e',
        "try { require('@rivers-orchestrator/native') } catch (e) { console.log(e.code); console.log(e.message) }",
      ],
      {
        cwd: path.join(__dirname, '..'),
        env: { ...process.env, NAPI_RS_NATIVE_LIBRARY_PATH: '/nonexistent/rivers.node' },
        encoding: 'utf8',
      },
    )
    expect(r.stdout).toContain('RIVERS_NATIVE_LOAD')
    expect(r.stdout).toMatch(
      /could not load its native planner for linux-x64-gnu \(platform linux, arch x64, libc glibc/,
    )
    expect(r.stdout).toContain('looked for: /nonexistent/rivers.node (NAPI_RS_NATIVE_LIBRARY_PATH)')
    expect(r.stdout).toContain("cause: Cannot find module '/nonexistent/rivers.node'")
    expect(r.stdout).toContain('fix: point NAPI_RS_NATIVE_LIBRARY_PATH at a rivers.linux-x64-gnu.node')
  })
})
