/**
 * Storage that does not grow forever, through the real `assets` binary: `gc` (dry run, --yes,
 * --json), retention per project and per asset, pins surviving gc and wipe, `wipe` deleting files,
 * and orphans of a killed run collected while a run still going keeps its files.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync, mkdirSync, readdirSync, statSync, utimesSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { afterAll, describe, expect, test } from 'vitest'
import { scrub } from '../catalogue/catalogue.js'
import { filesUnder } from '../reliability/store-check.js'
import { BIN, makeProject, removeProjects, type TestProject } from './project.js'

afterAll(removeProjects)

const T = { timeout: 120_000 }

/** raw (bytes) -> features (JSON) -> model (JSON); project keeps 2, model keeps 3. */
const retained = `import { asset, defineProject } from '@rivers-orchestrator/rivers'
const raw = asset({ key: 'raw' }, () => Buffer.alloc(1000, 7))
const features = asset({ key: 'features', deps: { raw } }, ({ raw }) => ({ n: raw.length, xs: [1, 2, 3] }))
const model = asset({ key: 'model', deps: { features }, retention: { keep: 3 } }, ({ features }) => ({ w: features.n * 2 }))
export default defineProject({ assets: [model], retention: { keep: 2 } })
`

/** The artifact files under the storage folder, relative, sorted. */
function artifacts(p: TestProject): string[] {
  return filesUnder(path.join(p.dir, '.rivers', 'storage'))
}

function size(p: TestProject, storagePath: string): number {
  return statSync(path.join(p.dir, '.rivers', 'storage', ...storagePath.split('/'))).size
}

async function forcedRuns(p: TestProject, n: number): Promise<string[]> {
  for (let i = 0; i < n; i++) expect((await p.run(['materialize', '--force', '--json'])).code).toBe(0)
  const runs = (await p.run(['runs', '--json'])).json<{ runId: string }[]>()
  return runs.map((r) => r.runId).reverse() // oldest first
}

/** Replaces run ids with r1, r2… (oldest first) in text. */
function named(text: string, runs: readonly string[]): string {
  let out = text
  runs.forEach((id, i) => {
    out = out.replaceAll(id, `r${i + 1}`)
  })
  return out
}

describe('retention', () => {
  test('gc frees exactly what the policies no longer keep; --yes deletes it; inputs still load', T, async () => {
    const p = makeProject({ 'rivers.config.ts': retained })
    const runs = await forcedRuns(p, 4)
    const [r1, r2, r3] = runs as [string, string, string]
    const before = artifacts(p)
    expect(before).toHaveLength(12)
    // gc leaves what was superseded within its safety margin (2 s) alone: r3 superseded r2 just now.
    await new Promise((resolve) => setTimeout(resolve, 2_100))

    const dry = await p.run(['gc', '--json'])
    expect(dry.code).toBe(0)
    const report = dry.json()
    // The report lists files by storage path. Run ids sort by time only across seconds: runs in the
    // same second (fast runs) differ by their random suffix, so the expected paths are sorted too.
    const expected = [
      `features/@${r1}.json`,
      `features/@${r2}.json`,
      `model/@${r1}.json`,
      `raw/@${r1}.bin`,
      `raw/@${r2}.bin`,
    ].sort()
    expect(report.files.map((f: { storagePath: string }) => f.storagePath)).toEqual(expected)
    for (const f of report.files) expect(f.bytes).toBe(size(p, f.storagePath))
    expect(report.total).toEqual({ files: 5, bytes: expected.reduce((n, f) => n + size(p, f), 0) })
    expect(report.dryRun).toBe(true)
    expect(artifacts(p)).toEqual(before) // a dry run deletes nothing

    const human = await p.run(['gc'])
    expect(human.code).toBe(0)
    expect(human.stdout).toMatchSnapshot()

    const done = await p.run(['gc', '--yes'])
    expect(done.code).toBe(0)
    expect(done.stdout).toMatchSnapshot()
    expect(artifacts(p)).toEqual(before.filter((f) => !expected.includes(f)))
    expect((await p.run(['gc', '--json'])).json().total).toEqual({ files: 0, bytes: 0 })

    // The next run is a no-op; a forced consumer still loads its inputs from storage.
    expect((await p.run(['materialize', '--json'])).json().materialized).toEqual([])
    expect((await p.run(['materialize', 'model', '--force', '--json'])).json().materialized).toEqual(['model'])
    const show = await p.run(['show', 'raw'])
    expect(named(show.stdout, runs)).toContain(`raw/@r1.bin  artifact collected`)
    const record = (await p.run(['show', 'raw', '--json']))
      .json()
      .history.find((h: { runId: string }) => h.runId === r3)
    expect(record.collectedAt).toBeUndefined()
  })

  test('without a policy every record keeps its artifact', T, async () => {
    const p = makeProject({
      'rivers.config.ts': retained.replace(', retention: { keep: 2 }', '').replace(', retention: { keep: 3 }', ''),
    })
    await forcedRuns(p, 3)
    const r = await p.run(['gc'])
    expect(r.stdout).toBe('Nothing to free.\n')
  })
})

describe('pins and wipe', () => {
  test('a pinned record survives gc and wipe; wipe deletes the rest; unpinned, gc collects it', T, async () => {
    const p = makeProject({ 'rivers.config.ts': retained })
    const runs = await forcedRuns(p, 3)
    const [r1] = runs as [string]
    const pinned = await p.run(['pin', 'raw', '--run', r1, '--note', 'registered as v1'])
    expect(pinned.code).toBe(0)
    expect(named(pinned.stdout, runs)).toBe('Pinned raw of run r1 (registered as v1): gc and wipe keep its artifact.\n')

    const gc = (await p.run(['gc', '--yes', '--json'])).json()
    expect(gc.files.map((f: { storagePath: string }) => f.storagePath)).toEqual([`features/@${r1}.json`])
    expect(gc.kept.pinned).toBe(1)
    expect(existsSync(path.join(p.dir, '.rivers/storage/raw', `@${r1}.bin`))).toBe(true)
    const show = await p.run(['show', 'raw'])
    expect(named(show.stdout, runs)).toContain('run r1  registered as v1')

    const wiped = await p.run(['wipe', 'raw+', '--yes'])
    expect(wiped.code).toBe(0)
    expect(wiped.stdout).toMatch(
      /^Wiped the records of 3 assets: features, model, raw; deleted 7 artifact files \(.+\) \(kept 1 pinned\)\.\n$/,
    )
    expect(artifacts(p)).toEqual([`raw/@${r1}.bin`])

    const unpinned = await p.run(['unpin', 'raw'])
    expect(unpinned.stdout).toBe('Unpinned the record of raw: gc applies its retention again.\n')
    expect((await p.run(['gc', '--yes', '--json'])).json().files).toEqual([
      { key: 'raw', storagePath: `raw/@${r1}.bin`, bytes: 1000, reason: 'wiped' },
    ])
    expect(artifacts(p)).toEqual([])
    expect((await p.run(['materialize', '--json'])).json().materialized).toEqual(['raw', 'features', 'model'])
  })
})

/** `big` writes its artifact, then a slow check holds the record back for a while. */
const slow = `import { asset, check, defineProject } from '@rivers-orchestrator/rivers'
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
const big = asset({ key: 'big', checks: [check('settles', async () => (await sleep(60_000), true))] }, () => Buffer.alloc(4096, Date.now() % 256))
export default defineProject({ assets: [big] })
`

function startRun(dir: string): ChildProcess {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1' }
  delete env.RIVERS_HOME
  return spawn(process.execPath, [BIN, 'materialize', '--json'], { cwd: dir, env, stdio: 'ignore' })
}

async function waitForFiles(dir: string, count: number): Promise<string[]> {
  const deadline = Date.now() + 60_000
  for (;;) {
    const names = existsSync(dir) ? readdirSync(dir).filter((n) => n.startsWith('@')) : []
    if (names.length >= count) return names.sort()
    if (Date.now() > deadline) throw new Error(`no artifact appeared in ${dir}`)
    await new Promise((r) => setTimeout(r, 50))
  }
}

describe('orphans', () => {
  test("a killed run's file and old temp files are collected; a running run's files are not", T, async () => {
    const p = makeProject({ 'rivers.config.ts': slow })
    const bigDir = path.join(p.dir, '.rivers', 'storage', 'big')
    const killed = startRun(p.dir)
    const [orphan] = (await waitForFiles(bigDir, 1)) as [string]
    killed.kill('SIGKILL')
    await new Promise((r) => killed.once('close', r))
    // Aged past the cutoff, as a file of a run killed some time ago.
    const past = new Date(Date.now() - 3_600_000)
    utimesSync(path.join(bigDir, orphan), past, past)
    mkdirSync(path.join(p.dir, '.rivers', 'storage', 'gone'), { recursive: true })
    writeFileSync(path.join(p.dir, '.rivers', 'storage', 'gone', '.tmp-999999999-0a1b2c-@r0.json'), '{"half":')
    utimesSync(path.join(p.dir, '.rivers', 'storage', 'gone', '.tmp-999999999-0a1b2c-@r0.json'), past, past)

    const running = startRun(p.dir)
    try {
      const names = await waitForFiles(bigDir, 2)
      const live = names.find((n) => n !== orphan)!
      // Even aged, a file of a run still going stays (its run is live).
      utimesSync(path.join(bigDir, live), past, past)
      const report = (await p.run(['gc', '--json'])).json()
      expect(report.files).toEqual([
        { key: 'big', storagePath: `big/${orphan}`, bytes: 4096, reason: 'orphan' },
        { key: 'gone', storagePath: 'gone/.tmp-999999999-0a1b2c-@r0.json', bytes: 8, reason: 'temp' },
      ])
      // 'gone' is no asset of the project: without a selection gc weighs the whole storage folder.
      expect((await p.run(['gc', 'big', '--json'])).json().files).toHaveLength(1)
      const done = await p.run(['gc', '--yes'])
      expect(scrub(done.stdout)).toMatchSnapshot()
      expect(readdirSync(bigDir)).toEqual([live])
    } finally {
      running.kill('SIGKILL')
      await new Promise((r) => running.once('close', r))
    }
  })
})

describe('IO managers without delete()', () => {
  test('gc reports their assets and skips them', T, async () => {
    const p = makeProject({
      'rivers.config.ts': `import { readFileSync, writeFileSync } from 'node:fs'
import { asset, defineProject } from '@rivers-orchestrator/rivers'
const files = {
  async write(ctx: { key: string; runId: string }, value: unknown) {
    const storagePath = 'out-' + ctx.runId + '.json'
    writeFileSync(storagePath, JSON.stringify(value))
    return { storagePath, bytes: 7, dataVersion: '0'.repeat(32) }
  },
  async read(_ctx: { key: string }, stored: { storagePath?: string | null }) {
    return JSON.parse(readFileSync(stored.storagePath!, 'utf8'))
  },
}
const ext = asset({ key: 'ext', io: files, retention: { keep: 1 } }, () => ({ a: 1 }))
export default defineProject({ assets: [ext] })
`,
    })
    await forcedRuns(p, 2)
    const r = await p.run(['gc'])
    expect(r.code).toBe(0)
    expect(r.stdout).toBe('Nothing to free.\nCannot collect artifacts of ext: its IO manager has no delete().\n')
    expect((await p.run(['gc', '--json'])).json().skipped).toEqual([
      { key: 'ext', reason: 'its IO manager has no delete()' },
    ])
  })
})
