/**
 * The example's automation loop for real: stream.ts writes batch files, the `assets` binary ticks the
 * stream project (stream/rivers.config.ts) on a temporary store, and the model is retrained only when
 * its triggers say so: not after a batch from the same distribution, yes after a shifted one.
 * `assets automation model/logreg` explains both decisions.
 */
import { execFile } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { afterAll, expect, it } from 'vitest'
import { type CliResult, runCli } from '../../../packages/cli/test/e2e/project.js'

const HERE = path.dirname(fileURLToPath(import.meta.url))
const PROJECT = path.join(HERE, 'rivers.config.ts')
const STREAM = path.join(HERE, '..', 'stream.ts')
const dir = mkdtempSync(path.join(tmpdir(), 'rivers-stream-loop-'))
const env = { PENGUIN_STREAM_DIR: path.join(dir, 'batches') }

afterAll(() => rmSync(dir, { recursive: true, force: true }))

/** Runs the simulator as a user would (node + tsx). */
async function stream(...args: string[]): Promise<void> {
  await promisify(execFile)(process.execPath, ['--import', 'tsx', STREAM, ...args], {
    env: { ...process.env, ...env },
  })
}

function assets(...args: string[]): Promise<CliResult> {
  return runCli([...args, '--project', PROJECT, '--store', path.join(dir, 'store')], HERE, { env })
}

interface Node {
  kind: string
  value: boolean
  label: string
  details?: Record<string, unknown>
  children?: Node[]
}
interface Decision {
  key: string
  requested: boolean
  tree: Node
}
interface Tick {
  requested: string[]
  decisions: Decision[]
  runs: { select: string[]; summary?: { status: string } }[]
}

/** Ticks until a tick requests nothing (at most 8); returns every tick's report. */
async function tickUntilQuiet(): Promise<Tick[]> {
  const ticks: Tick[] = []
  for (let i = 0; i < 8; i++) {
    const r = await assets('tick', '--json')
    expect(r.code, r.stderr).toBe(0)
    const tick = r.json<Tick>()
    ticks.push(tick)
    if (tick.requested.length === 0) return ticks
  }
  throw new Error(`still requesting after 8 ticks: ${JSON.stringify(ticks.at(-1)?.requested)}`)
}

function find(node: Node, kind: string): Node | undefined {
  if (node.kind === kind) return node
  for (const c of node.children ?? []) {
    const hit = find(c, kind)
    if (hit) return hit
  }
  return undefined
}

const modelDecisions = (ticks: Tick[]): Decision[] =>
  ticks.flatMap((t) => t.decisions.filter((d) => d.key === 'model/logreg'))

it('retrains the model on drift, not on more of the same', { timeout: 300_000 }, async () => {
  await stream('--batches', '2')
  const first = await tickUntilQuiet()
  expect(first.flatMap((t) => t.requested)).toEqual(
    expect.arrayContaining(['penguins/window', 'model/logreg', 'model/evaluation', 'model/registry']),
  )
  expect(first.flatMap((t) => t.runs.map((r) => r.summary?.status))).not.toContain('failed')

  // One batch from the same distribution: the window moves, the model stays.
  await stream()
  const same = await tickUntilQuiet()
  expect(same.flatMap((t) => t.requested)).toContain('penguins/window')
  expect(same.flatMap((t) => t.requested)).not.toContain('model/logreg')
  // The tick after the window moved computed the statistic: well under the threshold.
  const calm = modelDecisions(same).find((d) => find(d.tree, 'drift')?.details?.statistic !== undefined)!
  const calmDrift = find(calm.tree, 'drift')!
  expect(calmDrift.value).toBe(false)
  expect(calmDrift.details).toMatchObject({ test: 'ks', threshold: 0.2 })
  expect(Number(calmDrift.details?.statistic)).toBeLessThan(0.15)
  const calmAmount = find(calm.tree, 'data_amount')!
  expect(calmAmount.value).toBe(false)
  expect(Number(calmAmount.details?.rows)).toBeGreaterThan(90) // one batch of 100 rows, a few dropped by cleaning
  expect(Number(calmAmount.details?.rows)).toBeLessThan(250)

  // A batch with 30% longer beaks: drift, the model is retrained, evaluated and registered.
  await stream('--shift', '1.3')
  const shifted = await tickUntilQuiet()
  expect(shifted.flatMap((t) => t.requested)).toEqual(
    expect.arrayContaining(['penguins/window', 'model/logreg', 'model/evaluation', 'model/registry']),
  )
  const retrained = modelDecisions(shifted).find((d) => d.requested)!
  const drift = find(retrained.tree, 'drift')!
  expect(drift.value).toBe(true)
  expect(Number(drift.details?.statistic)).toBeGreaterThan(0.3)
  expect(find(retrained.tree, 'data_amount')?.value).toBe(false) // drift alone decided it

  // The stored decisions explain both: newest first, the retrain among them with its run.
  const log = await assets('automation', 'model/logreg', '--json')
  expect(log.code, log.stderr).toBe(0)
  const stored = log.json<(Decision & { runId: string | null })[]>()
  const storedRetrain = stored.find((d) => d.requested)!
  expect(storedRetrain.runId).toEqual(expect.any(String))
  expect(find(storedRetrain.tree, 'drift')?.details?.statistic).toBe(drift.details?.statistic)
  expect(stored.some((d) => d.tree && find(d.tree, 'drift')?.details?.statistic === calmDrift.details?.statistic)).toBe(
    true,
  )
  const text = await assets('automation', 'model/logreg', '--limit', '20')
  expect(text.code, text.stderr).toBe(0)
  const retrainText = text.stdout
    .split('\n\n')
    .find((block) => / requested (→|->) run /.test(block))!
    .replace(/\d{4}-\d\d-\d\dT[\d:.]+Z/g, '<time>')
    .replace(/tick \d+/, 'tick <n>')
    .replace(/run \S+/, 'run <id>')
  expect(retrainText.trim()).toMatchInlineSnapshot(`
    "<time> tick <n> model/logreg requested -> run <id>
      [yes] or: 1 of 2 true
        [no] missing: materialized at <time>
        [yes] ensemble: 1 of 2 true, at least 1 needed
          [yes] drift ks(beakLengthMm,beakDepthMm,flipperLengthMm,bodyMassG)=0.3448 > 0.2
          [no] data_amount window >= 250 totalRows: 197 new"
  `)
})
