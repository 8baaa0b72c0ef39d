/**
 * `npm run bench` (full: 10k, 100k, 1M) and `npm run bench -- --quick` (10k and 100k, fewer
 * repetitions). Runs every scenario on every generated graph, Rivers beside its baselines in this
 * process, then writes `benches/results/latest.{json,md}` (quick: `quick.{json,md}`) and the SVG
 * charts, and prints the targets table.
 *
 * Options (for development): `--shapes=dbt,chain`, `--sizes=10000`, `--orders=shuffled`,
 * `--no-e2e`, `--only-e2e`, `--no-automation`, `--only-automation` (the issue-14 tick and latency rows),
 * `--latency-samples=20`, `--latency-interval=500ms` (the eager-latency row; default: the daemon's own interval),
 * `--out=NAME` (results file stem). `--peers`: Rivers beside Dagster instead
 * (`peers/main.ts`; `--peer-sizes=50`, `--peer-cap=1000`). `--only-store`: the team-store rows,
 * PostgreSQL beside SQLite (`store/postgres.ts`; needs RIVERS_TEST_PG_URL).
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import type { IdOrder, Shape } from './graphs.js'
import { settle } from './harness.js'
import { loadNow, machineInfo } from './machine.js'
import { FULL, QUICK, type Profile } from './profile.js'
import { charts } from './report/charts.js'
import { renderMarkdown } from './report/markdown.js'
import { lineChart } from './report/svg.js'
import { type LatencyOptions, latencyScenario } from './automation/latency.js'
import { tickScenario } from './automation/tick.js'
import { evaluateTickTargets } from './automation/tickTargets.js'
import { annotate, evaluateTargets } from './report/targets.js'
import { evaluateIssue12Targets } from './report/targets12.js'
import { driftStatsScenario } from './automation/stats.js'
import { evaluatePartitionTargets, partitionsScenario } from './partitions/partitions.js'
import type { BenchReport, Impl } from './results.js'
import { buildScenario, coldScenario } from './scenarios/build.js'
import { callScenario } from './scenarios/call.js'
import type { RunCtx } from './scenarios/common.js'
import { coneScenario } from './scenarios/cone.js'
import { e2eMaterializeScenario, e2eStatusScenario } from './scenarios/e2e.js'
import { e2eExecutorScenario } from './scenarios/e2eExecutor.js'
import {
  memoryRow,
  replanCodeScenario,
  replanOnePctScenario,
  replanSourceScenario,
  reverifyScenario,
  warmScenario,
  warmUp,
} from './scenarios/incremental.js'
import { memoryScenario } from './scenarios/memory.js'
import { phasesScenario } from './scenarios/phases.js'
import { selectScenario } from './scenarios/select.js'
import { formatCount, formatNs } from './stats.js'
import { prepare } from './workload.js'

const RESULTS = fileURLToPath(new URL('../results/', import.meta.url))
const BASELINES: Impl[] = ['reference', 'idiomatic', 'graphology']

interface Args {
  profile: Profile
  e2e: boolean
  graphs: boolean
  automation: boolean
  latency: LatencyOptions
  out: string
}

function parseArgs(argv: readonly string[]): Args {
  const quick = argv.includes('--quick')
  const base = quick ? QUICK : FULL
  const opt = (name: string): string | undefined => argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3)
  const profile: Profile = { ...base }
  const shapes = opt('shapes')
  const sizes = opt('sizes')
  const orders = opt('orders')
  if (shapes) profile.shapes = shapes.split(',') as Shape[]
  if (sizes) profile.sizes = sizes.split(',').map(Number)
  if (orders) profile.orders = orders.split(',') as IdOrder[]
  const onlyAutomation = argv.includes('--only-automation')
  const latencySamples = opt('latency-samples')
  const latencyInterval = opt('latency-interval')
  return {
    profile,
    e2e: !argv.includes('--no-e2e') && !onlyAutomation,
    graphs: !argv.includes('--only-e2e') && !onlyAutomation,
    automation: !argv.includes('--no-automation') && !argv.includes('--only-e2e'),
    latency: {
      ...(latencySamples ? { samples: Number(latencySamples) } : {}),
      ...(latencyInterval ? { interval: latencyInterval } : {}),
    },
    out: opt('out') ?? (quick ? 'quick' : 'latest'),
  }
}

/** Runs `fn`, turning a throw into a reported problem so one broken scenario does not end the run. */
async function guarded(ctx: RunCtx, what: string, fn: () => void | Promise<void>): Promise<void> {
  const t0 = performance.now()
  try {
    await fn()
  } catch (e) {
    ctx.problem(`${what} failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`)
  }
  await settle()
  if (VERBOSE) ctx.log(`    ${what}: ${((performance.now() - t0) / 1000).toFixed(2)} s`)
}

/** `BENCH_VERBOSE=1`: the time of every scenario on stderr. */
const VERBOSE = process.env.BENCH_VERBOSE === '1'

async function main(): Promise<void> {
  if (process.argv.includes('--peers')) {
    const { runPeers } = await import('./peers/main.js')
    return runPeers(process.argv.slice(2))
  }
  if (process.argv.includes('--only-store')) {
    // The team-store rows (issue 16): PostgreSQL beside SQLite (`store/postgres.ts`).
    const { runStoreBench } = await import('./store/postgres.js')
    return runStoreBench(process.argv.slice(2))
  }
  const args = parseArgs(process.argv.slice(2))
  const { profile } = args
  const started = performance.now()
  const startedAt = new Date().toISOString()
  const machine = machineInfo()
  const elapsed = (): string => `${((performance.now() - started) / 1000).toFixed(0)} s`
  const ctx: RunCtx = {
    profile,
    rows: [],
    memory: [],
    problem: (message) => {
      problems.push(message)
      process.stderr.write(`  PROBLEM: ${message}\n`)
    },
    log: (message) => process.stderr.write(`${message}\n`),
  }
  const problems: string[] = []
  ctx.log(
    `rivers bench (${profile.mode}): sizes ${profile.sizes.map((n) => formatCount(n, true)).join(', ')}; ${machine.cpuModel}, ${machine.cores} cores; load ${machine.loadStart.join(' ')}`,
  )

  if (args.graphs) {
    for (const n of profile.sizes) {
      for (const shape of profile.shapes) {
        for (const order of profile.ordersFor(shape, n).filter((o) => profile.orders.includes(o))) {
          const t0 = performance.now()
          const w = prepare(shape, n, order)
          const label = `${shape} ${formatCount(n, true)} ${order}`
          // Rivers first, in a heap without the baselines' data (at 1M the idiomatic planner's Maps
          // take gigabytes, and collecting them would land in Rivers' samples); then the baselines.
          const cones: Record<string, number> = {}
          await guarded(ctx, `build ${label}`, () => buildScenario(ctx, w, ['rivers']))
          await guarded(ctx, `cold ${label}`, () => coldScenario(ctx, w, ['rivers'], cones))
          if (shape === 'dbt' && order === 'shuffled' && n >= 100_000)
            await guarded(ctx, `phases ${label}`, () => phasesScenario(ctx, w))
          await guarded(ctx, `build baselines ${label}`, () => buildScenario(ctx, w, BASELINES))
          await guarded(ctx, `cold baselines ${label}`, () => coldScenario(ctx, w, BASELINES, cones))
          await guarded(ctx, `warm scenarios ${label}`, async () => {
            const warm = warmUp(ctx, w)
            await settle()
            await guarded(ctx, `warm ${label}`, () => warmScenario(ctx, w, warm))
            await guarded(ctx, `replan-source ${label}`, () => replanSourceScenario(ctx, w, warm))
            await guarded(ctx, `replan-1pct ${label}`, () => replanOnePctScenario(ctx, w, warm))
            await guarded(ctx, `replan-code ${label}`, () => replanCodeScenario(ctx, w, warm))
            await guarded(ctx, `reverify ${label}`, () => reverifyScenario(ctx, w, warm))
            memoryRow(ctx, w, warm)
            if (shape === 'dbt') await guarded(ctx, `select ${label}`, () => selectScenario(ctx, w, warm))
            if (shape === 'dbt' && n === 100_000 && order === 'shuffled')
              await guarded(ctx, `call ${label}`, () => callScenario(ctx, w, warm))
            if (
              order === 'shuffled' &&
              profile.coneSizes.includes(n) &&
              (shape === 'dbt' || shape === 'layered' || shape === 'chain')
            )
              await guarded(ctx, `cone ${label}`, () => coneScenario(ctx, w, warm))
          })
          await settle()
          ctx.log(`  ${label}: ${((performance.now() - t0) / 1000).toFixed(1)} s (total ${elapsed()})`)
        }
      }
    }
    const memShapes: Shape[] = profile.mode === 'quick' ? ['dbt'] : ['dbt', 'layered', 'chain']
    await guarded(ctx, 'memory (child processes)', () =>
      memoryScenario(
        ctx,
        memShapes.filter((s) => profile.shapes.includes(s)),
        profile.sizes,
      ),
    )
    ctx.log(`  memory: total ${elapsed()}`)
  }
  if (args.e2e) {
    await guarded(ctx, 'e2e status', () => e2eStatusScenario(ctx, 100_000))
    ctx.log(`  e2e status: total ${elapsed()}`)
    await guarded(ctx, 'e2e materialize', () => e2eMaterializeScenario(ctx, 10_000))
    ctx.log(`  e2e materialize: total ${elapsed()}`)
    // dbt at 10k is the materialize row above; the other three runs of the issue-12 executor target:
    for (const [shape, n] of [
      ['dbt', 100_000],
      ['hub', 10_000],
      ['hub', 100_000],
    ] as const) {
      await guarded(ctx, `e2e executor ${shape} ${n}`, () => e2eExecutorScenario(ctx, shape, n, profile.executorCapS))
      ctx.log(`  e2e executor ${shape} ${formatCount(n, true)}: total ${elapsed()}`)
    }
  }
  await guarded(ctx, 'drift statistics', () => {
    driftStatsScenario(ctx)
  })
  await guarded(ctx, 'partitions', () => partitionsScenario(ctx, profile.mode === 'quick' ? 1000 : 5000))
  ctx.log(`  partitions: total ${elapsed()}`)

  if (args.automation) {
    await guarded(ctx, 'automation tick', () => tickScenario(ctx, 100_000))
    ctx.log(`  automation tick: total ${elapsed()}`)
    await guarded(ctx, 'automation latency', async () => {
      await latencyScenario(ctx, args.latency)
    })
    ctx.log(`  automation latency: total ${elapsed()}`)
  }

  machine.loadEnd = loadNow()
  const targets = [
    ...annotate(evaluateTargets(ctx.rows, ctx.memory), ctx.rows, ctx.memory),
    ...evaluateIssue12Targets(ctx.rows),
    ...evaluateTickTargets(ctx.rows),
    ...evaluatePartitionTargets(ctx.rows),
  ]
  mkdirSync(RESULTS, { recursive: true })
  const drawn = charts(ctx.rows)
  const prefix = args.out === 'latest' ? '' : `${args.out}-`
  for (const c of drawn) writeFileSync(path.join(RESULTS, prefix + c.file), lineChart(c.spec))
  const report: BenchReport = {
    mode: profile.mode,
    startedAt,
    durationS: (performance.now() - started) / 1000,
    machine,
    rows: ctx.rows,
    memory: ctx.memory,
    targets,
    charts: drawn.map((c) => ({ file: prefix + c.file, title: c.spec.title })),
    problems,
  }
  writeFileSync(path.join(RESULTS, `${args.out}.json`), `${JSON.stringify(report, null, 1)}\n`)
  writeFileSync(path.join(RESULTS, `${args.out}.md`), renderMarkdown(report))
  process.stdout.write(`\nTargets (${profile.mode}, ${report.durationS.toFixed(0)} s):\n`)
  for (const t of targets) process.stdout.write(`  ${t.verdict.padEnd(12)} ${t.target}\n               ${t.measured}\n`)
  process.stdout.write(
    `\nWrote ${path.relative(process.cwd(), path.join(RESULTS, `${args.out}.md`))} and .json${problems.length ? `; ${problems.length} problem(s) reported` : ''}. Headline re-plan p50: ${formatNs(ctx.rows.find((r) => r.scenario === 'replan-source' && r.shape === 'dbt' && r.n === 100_000 && r.impl === 'rivers')?.stats.p50 ?? Number.NaN)}\n`,
  )
}

await main()
