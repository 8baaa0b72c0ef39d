/**
 * Concurrent runs: several `assets materialize` processes at once on the same project, with
 * overlapping selections. Every asset appends `key pid start end` to built.log while it runs. Checks:
 * no asset ran in two processes at overlapping times, none ran twice in total (without --force), no
 * "database is locked" (or any other) error, every process exits 0, the store is consistent, and a
 * following run is a no-op. Then the same with --force: assets may run several times, never at once.
 *
 * On the embedded SQLite store, and on a PostgreSQL team store when RIVERS_TEST_PG_URL names a server
 * (a fresh database; required in CI).
 *
 * Knobs: RIVERS_CONCURRENT_PROCESSES (default 4), RIVERS_CONCURRENT_ASSETS (default 24).
 */
import { readFileSync, rmSync } from 'node:fs'
import path from 'node:path'
import { afterAll, describe, expect, test } from 'vitest'
import { type CliResult, makeProject, removeProjects, type TestProject } from '../e2e/project.js'
import { type DagProject, dagProject } from './dag-project.js'
import { type BackendStore, type StoreBackend, storeBackends } from './store-backends.js'
import { checkStore } from './store-check.js'

afterAll(removeProjects)

const PROCESSES = Number(process.env.RIVERS_CONCURRENT_PROCESSES ?? 4)
const ASSETS = Number(process.env.RIVERS_CONCURRENT_ASSETS ?? 24)

interface Build {
  key: string
  pid: number
  start: number
  end: number
}

function builds(dir: string): Build[] {
  let text = ''
  try {
    text = readFileSync(path.join(dir, 'built.log'), 'utf8')
  } catch {
    return []
  }
  return text
    .trim()
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => {
      const [key, pid, start, end] = l.split(' ')
      return { key: key!, pid: Number(pid), start: Number(start), end: Number(end) }
    })
}

/** Pairs of builds of one asset whose time spans overlap. */
function overlaps(list: Build[]): string[] {
  const out: string[] = []
  const byKey = new Map<string, Build[]>()
  for (const b of list) byKey.set(b.key, [...(byKey.get(b.key) ?? []), b])
  for (const [key, bs] of byKey) {
    bs.sort((a, b) => a.start - b.start)
    for (let i = 1; i < bs.length; i++)
      if (bs[i]!.start < bs[i - 1]!.end)
        out.push(
          `${key}: pid ${bs[i - 1]!.pid} [${bs[i - 1]!.start}, ${bs[i - 1]!.end}] and pid ${bs[i]!.pid} [${bs[i]!.start}, ${bs[i]!.end}]`,
        )
  }
  return out
}

/**
 * Overlapping selections, each closed under ancestors (a first run cannot build an asset whose
 * unselected input was never built): everything, the ancestors of assets at 1/2 and 3/4 of the list,
 * and a union of two such cones.
 */
function selections(keys: string[]): string[][] {
  const at = (f: number) => keys[Math.min(keys.length - 1, Math.floor(keys.length * f))]!
  const all = [['*'], [`+${at(0.5)}`], [`+${at(0.75)}`], [`+${keys.at(-1)}`, `+${at(0.3)}`]]
  return Array.from({ length: PROCESSES }, (_, i) => all[i % all.length]!)
}

function expectClean(results: CliResult[]): void {
  for (const r of results) {
    expect(r.code, r.stderr).toBe(0)
    expect(r.stderr).not.toMatch(/database is locked|SQLITE_BUSY|RIVERS_STORE_BUSY|error:/i)
  }
}

describe.each(storeBackends())('$name store', (backend) => {
  test(`${PROCESSES} processes materialize overlapping selections of ${ASSETS} assets at once: nothing is built twice, nor at the same time`, {
    timeout: 90_000,
  }, async () => {
    const dag = dagProject({ assets: ASSETS, seed: 7, minSleepMs: 20, maxSleepMs: 60, logBuilds: true })
    const p = makeProject({ 'rivers.config.ts': dag.source, 'data/input.txt': 'v1\n' })
    const store = await backend.open(p.dir)
    try {
      await overlappingRuns(p, dag, store, backend)
    } finally {
      await store.drop()
    }
  })
})

async function overlappingRuns(
  p: TestProject,
  dag: DagProject,
  store: BackendStore,
  backend: StoreBackend,
): Promise<void> {
  const storage = path.join(p.dir, '.rivers', 'storage')
  const env = store.env

  // Without --force: each asset exactly once in total.
  const together = { env: { ...env, RIVERS_TEST_BARRIER: String(PROCESSES) } }
  const results = await Promise.all(
    selections(dag.keys).map((sel) => p.run(['materialize', '--json', '--concurrency', '3', ...sel], together)),
  )
  expectClean(results)
  const first = builds(p.dir)
  expect(overlaps(first)).toEqual([])
  const counts = new Map<string, number>()
  for (const b of first) counts.set(b.key, (counts.get(b.key) ?? 0) + 1)
  expect([...counts].filter(([, n]) => n > 1)).toEqual([])
  expect(counts.size).toBe(ASSETS)
  // Every asset was reported materialized by exactly one process; the others skipped or never planned it.
  const reported = results.flatMap((r) => r.json().materialized as string[])
  expect(reported.sort()).toEqual([...dag.keys].sort())
  // The runs really overlapped: all had started before the first one finished (they start together,
  // past a barrier in the project file, even on a loaded machine).
  const spans = (await store.read()).runs.slice(0, PROCESSES)
  expect(spans.map((r) => r.status)).toEqual(Array(PROCESSES).fill('success'))
  expect(
    spans
      .map((r) => r.startedAt)
      .sort()
      .at(-1)! < spans.map((r) => r.finishedAt!).sort()[0]!,
  ).toBe(true)
  expect(checkStore(await store.read(), storage)).toEqual([])
  expect((await store.read()).leases).toEqual([])
  const noop = await p.run(['materialize', '--json'], { env })
  expect(noop.code, noop.stderr).toBe(0)
  expect(noop.json().materialized).toEqual([])

  // With --force on a new input: assets may be built by several processes, but never at once.
  rmSync(path.join(p.dir, 'built.log'))
  rmSync(path.join(p.dir, 'ready.log'))
  p.write({ 'data/input.txt': 'v2\n' })
  const forced = await Promise.all(
    selections(dag.keys).map((sel) =>
      p.run(['materialize', '--json', '--force', '--concurrency', '3', ...sel], together),
    ),
  )
  expectClean(forced)
  const second = builds(p.dir)
  expect(overlaps(second)).toEqual([])
  expect(new Set(second.map((b) => b.key)).size).toBe(ASSETS)
  expect(checkStore(await store.read(), storage)).toEqual([])
  // A forced run of `x+` uses the current data of x's unselected ancestors, which another forced run
  // may rebuild later: the next run may have catching up to do; the one after it has none.
  const next = await p.run(['materialize', '--json'], { env })
  expect(next.code, next.stderr).toBe(0)
  const after = await p.run(['materialize', '--json'], { env })
  expect(after.code, after.stderr).toBe(0)
  expect(after.json().materialized).toEqual([])
  console.log(
    `concurrent runs (${backend.name}): ${PROCESSES} processes x ${ASSETS} assets, overlapping selections; without --force ${first.length} builds (each asset once, by ${new Set(first.map((b) => b.pid)).size} processes), ` +
      `with --force ${second.length} builds; no overlapping build, no lock error`,
  )
}
