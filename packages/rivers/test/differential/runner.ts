/**
 * The differential test's long-lived process: for each seed, a generated project goes through a
 * random sequence of edits; after each edit the project is imported afresh (the loader hook gives
 * every file of the temporary project a new module URL per generation, `?gen=N`), materialized
 * incrementally on its own store, and rebuilt from scratch in a fresh store, through the public API.
 *
 * Checks after every edit:
 * 1. every asset's data version after the incremental run equals the clean rebuild's (soundness);
 * 2. the code versions that changed are exactly allowed by the edit: every asset the edit must
 *    change is `code_changed`, and none outside what it may change is (precision);
 * 3. nothing ran without a reason: each asset that ran was stale or missing before the run, or an
 *    input got a new data version during it; after a no-op edit nothing runs.
 *
 * Usage: node --import ./register.mjs runner.ts <firstSeed> <count> <edits> <resultFile>
 */
import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import path from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

import { openWorkspace, type Project } from '@rivers-orchestrator/rivers'

import { applyEdit, describeEdit, randomEdit, type Edit, type EditKind, type Expectation } from './edits.js'
import { initialModel, render, Rng, type Model } from './model.js'

const HERE = path.dirname(fileURLToPath(import.meta.url))
const RIVERS = path.resolve(HERE, '../..')
const ZOD = path.dirname(createRequire(path.join(RIVERS, 'package.json')).resolve('zod/package.json'))
const ROOT = process.env.RIVERS_DIFF_ROOT!

/** One failure: where, and the sequence that led to it. */
export interface Failure {
  seed: number
  edits: string[]
  step: number
  problem: string
  /** The edits themselves (for shrinking; not reported). */
  raw?: Edit[]
}

/** What the runner reports. */
export interface RunnerResult {
  sequences: number
  steps: number
  byKind: Partial<Record<EditKind, number>>
  failures: Failure[]
  ms: number
}

let generation = 0

async function load(dir: string): Promise<Project> {
  generation++
  const url = `${pathToFileURL(path.join(dir, 'rivers.config.ts')).href}?gen=${generation}`
  return ((await import(url)) as { default: Project }).default
}

function writeTree(dir: string, files: Record<string, string>, previous: Record<string, string> | undefined): void {
  for (const [name, text] of Object.entries(files)) {
    if (previous?.[name] === text) continue
    const file = path.join(dir, name)
    mkdirSync(path.dirname(file), { recursive: true })
    writeFileSync(file, text)
  }
}

function setUp(model: Model): { dir: string; files: Record<string, string> } {
  const dir = realpathSync(mkdtempSync(path.join(ROOT, 'p-')))
  const files = render(model)
  writeTree(dir, files, undefined)
  mkdirSync(path.join(dir, 'node_modules', '@rivers-orchestrator'), { recursive: true })
  symlinkSync(RIVERS, path.join(dir, 'node_modules', '@rivers-orchestrator', 'rivers'), 'dir')
  symlinkSync(ZOD, path.join(dir, 'node_modules', 'zod'), 'dir')
  symlinkSync(path.join(dir, 'libs', 'linked'), path.join(dir, 'node_modules', 'linkedpkg'), 'dir')
  return { dir, files }
}

interface Observed {
  /** Data version of every asset after the run. */
  data: Map<string, string>
  codeChanged: Set<string>
  /** Keys stale or missing before the run. */
  needed: Set<string>
  ran: string[]
  deps: Map<string, string[]>
  /** Data version of every asset before the run. */
  dataBefore: Map<string, string>
}

async function incremental(project: Project, dir: string): Promise<Observed> {
  const ws = await openWorkspace(project, { storeDir: path.join(dir, '.rivers'), projectDir: dir, logLevel: 'silent' })
  try {
    const before = await ws.status()
    const dataBefore = new Map(before.assets.map((a) => [a.key, a.last?.dataVersion ?? '']))
    const summary = await ws.materialize()
    if (summary.status !== 'success')
      throw new Error(`incremental run ${summary.status}: ${JSON.stringify(summary.failed)}`)
    const after = await ws.status()
    return {
      data: new Map(after.assets.map((a) => [a.key, a.last?.dataVersion ?? ''])),
      codeChanged: new Set(
        before.assets.filter((a) => a.causes.some((c) => c.kind === 'code_changed')).map((a) => a.key),
      ),
      needed: new Set(before.assets.filter((a) => a.status !== 'fresh').map((a) => a.key)),
      ran: summary.materialized,
      deps: new Map(project.assets.map((a) => [a.key, a.deps.map((d) => d.key)])),
      dataBefore,
    }
  } finally {
    ws.close()
  }
}

async function clean(project: Project, dir: string): Promise<Map<string, string>> {
  const store = mkdtempSync(path.join(ROOT, 'clean-'))
  const ws = await openWorkspace(project, { storeDir: store, projectDir: dir, logLevel: 'silent' })
  try {
    const summary = await ws.materialize()
    if (summary.status !== 'success')
      throw new Error(`clean rebuild ${summary.status}: ${JSON.stringify(summary.failed)}`)
    return new Map((await ws.status()).assets.map((a) => [a.key, a.last?.dataVersion ?? '']))
  } finally {
    ws.close()
    rmSync(store, { recursive: true, force: true })
  }
}

/** The problems of one step, or `[]`. */
function check(
  obs: Observed & { dataBefore?: Map<string, string> },
  rebuilt: Map<string, string>,
  exp: Expectation,
): string[] {
  const problems: string[] = []
  for (const [key, v] of rebuilt) {
    if (obs.data.get(key) !== v)
      problems.push(
        `${key}: incremental data version ${obs.data.get(key)} != clean rebuild ${v} (a stale result looked fresh)`,
      )
  }
  for (const key of exp.must)
    if (!obs.codeChanged.has(key))
      problems.push(`${key}: the edit must change its code version, status says it did not`)
  for (const key of obs.codeChanged)
    if (!exp.may.has(key)) problems.push(`${key}: code_changed, but the edit cannot affect it (imprecise)`)
  if (exp.nothingRuns && obs.ran.length > 0) problems.push(`a no-op edit ran ${obs.ran.join(', ')}`)
  const changed = (k: string): boolean => obs.dataBefore.get(k) !== obs.data.get(k)
  for (const key of obs.ran) {
    if (obs.needed.has(key)) continue
    if (!(obs.deps.get(key) ?? []).some(changed)) problems.push(`${key} ran although it was fresh and no input changed`)
  }
  return problems
}

/** Runs one sequence (or replays `only` edits of it); returns its failure, if any. */
async function sequence(
  seed: number,
  count: number,
  byKind: RunnerResult['byKind'],
  replay?: Edit[],
): Promise<Failure | undefined> {
  const rng = new Rng(seed)
  const model = initialModel(rng)
  let { dir, files } = setUp(model)
  const done: Edit[] = []
  try {
    await incremental(await load(dir), dir)
    const edits = replay ?? Array.from({ length: count }, () => undefined)
    for (let step = 0; step < edits.length; step++) {
      const edit = edits[step] ?? randomEdit(model, rng)
      const exp = applyEdit(model, edit)
      if (exp === undefined) continue
      done.push(edit)
      if (replay === undefined) byKind[edit.kind] = (byKind[edit.kind] ?? 0) + 1
      const next = render(model)
      writeTree(dir, next, files)
      files = next
      const project = await load(dir)
      let problems: string[]
      try {
        const obs = await incremental(project, dir)
        problems = check(obs, await clean(project, dir), exp)
      } catch (e) {
        problems = [`threw: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`]
      }
      if (problems.length > 0)
        return { seed, edits: done.map(describeEdit), step, problem: problems.join('\n'), ...{ raw: done } }
    }
    return undefined
  } finally {
    rmSync(dir, { recursive: true, force: true })
    dir = ''
  }
}

/** Drops edits one at a time while the sequence still fails (cheap: failures are rare). */
async function shrink(failure: Failure): Promise<Failure> {
  let edits = failure.raw ?? []
  let best: Failure = failure
  for (let i = edits.length - 1; i >= 0; i--) {
    const fewer = edits.filter((_, j) => j !== i)
    const again = await sequence(failure.seed, fewer.length, {}, fewer)
    if (again !== undefined) {
      edits = fewer
      best = again
    }
  }
  return { seed: best.seed, edits: best.edits, step: best.step, problem: best.problem }
}

async function main(): Promise<void> {
  const [first, count, editsPerSequence, resultFile] = process.argv.slice(2).map((x, i) => (i < 3 ? Number(x) : x)) as [
    number,
    number,
    number,
    string,
  ]
  const started = performance.now()
  const result: RunnerResult = { sequences: 0, steps: 0, byKind: {}, failures: [], ms: 0 }
  for (let seed = first; seed < first + count; seed++) {
    const failure = await sequence(seed, editsPerSequence, result.byKind)
    result.sequences++
    if (failure !== undefined) result.failures.push(await shrink(failure))
    if (result.failures.length >= 3) break
  }
  result.steps = Object.values(result.byKind).reduce((a, b) => a + (b ?? 0), 0)
  result.ms = Math.round(performance.now() - started)
  writeFileSync(resultFile, JSON.stringify(result))
}

await main()
