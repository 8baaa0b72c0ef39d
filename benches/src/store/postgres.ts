/**
 * The team-store rows (issue 16): the PostgreSQL store beside the embedded SQLite store, measured in
 * one run on the same machine. `npm run bench -- --only-store` (needs RIVERS_TEST_PG_URL, or
 * RIVERS_BENCH_PG_URL, naming a server; `bash .ci/postgres/setup.sh` starts one) writes
 * `results/store.{md,json}`.
 *
 * - **status of 100k assets**: a generated dbt-like project of `--store-assets` (100,000) assets, both
 *   stores populated all fresh; the median of 5 of a fresh `openWorkspace` + `status(['*'])` (what
 *   `assets status` does after its start-up) on each store. Target: PostgreSQL ≤ 2× SQLite.
 * - **records/s, one process, batched**: those records written with `recordMaterializations`, 1,000 a
 *   call (inputs included). Target ≥ 5,000 records/s.
 * - **8 processes × 1k trivial assets**: 8 `assets materialize` processes started together on one
 *   project and one PostgreSQL database; `pg_stat_activity` sampled every 20 ms, connections counted
 *   per process (the store names each connection `rivers pid N`). Targets: ≤ 5 connections per
 *   process, every asset built once, no lease error, every process exits 0.
 */
import { spawn } from 'node:child_process'
import { mkdirSync, rmSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { hashStrings } from '@rivers-orchestrator/native'
import { openWorkspace, type Project } from '@rivers-orchestrator/rivers'
import { type NewRecord, SqliteStore, type Store } from '@rivers-orchestrator/rivers/plugin'
import { PostgresStore } from '@rivers-orchestrator/store-postgres'
import pg from 'pg'
import { freshDatabase } from '../../../packages/store-postgres/src/testing.js'
import { generatedProject } from '../e2e/project.js'

const ROOT = fileURLToPath(new URL('../../../', import.meta.url))
const WORK = path.join(ROOT, 'benches/.work/store')
const CLI = path.join(ROOT, 'packages/cli/bin/assets.mjs')

/** One row of the report. */
export interface StoreRow {
  work: string
  sqlite: string
  postgres: string
  ratio?: string
  target: string
  met: boolean
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!
const ms = (x: number): string => `${x.toFixed(0)} ms`

/** One record per asset, all fresh (the versions the engine computes), as `populate.ts` writes them. */
async function freshRecords(project: Project, dir: string): Promise<NewRecord[]> {
  const scratch = SqliteStore.open(path.join(dir, 'scratch'))
  const ws = await openWorkspace(project, { storeDir: path.join(dir, 'scratch'), store: scratch, logLevel: 'silent' })
  try {
    const versions = await ws.versions()
    const index = new Map(versions.map((v, i) => [v.key, i]))
    const data = project.assets.map((a, i) =>
      Buffer.from(a.isSource ? versions[i]!.dataVersion : hashStrings('data-version', [`data-${a.key}`]), 'hex'),
    )
    const at = new Date()
    return project.assets.map((a, i) => ({
      runId: 'populate-0',
      key: a.key,
      ...(a.isSource ? { kind: 'observation' as const } : {}),
      codeVersion: Buffer.from(versions[i]!.codeVersion, 'hex'),
      configHash: Buffer.from(versions[i]!.configHash, 'hex'),
      dataVersion: data[i]!,
      inputs: a.deps.map((d) => ({ key: d.key, dataVersion: data[index.get(d.key)!]! })),
      startedAt: at,
      finishedAt: at,
    }))
  } finally {
    await ws.close()
  }
}

/** Writes `records` in batches of 1,000; resolves to records per second. */
async function populate(store: Store, records: readonly NewRecord[]): Promise<number> {
  await store.beginRun({ id: 'populate-0', selection: ['*'], force: false })
  const t0 = performance.now()
  for (let i = 0; i < records.length; i += 1_000) await store.recordMaterializations!(records.slice(i, i + 1_000))
  const rate = records.length / ((performance.now() - t0) / 1_000)
  await store.finishRun('populate-0', 'success', { populated: records.length })
  return rate
}

/** Median of 5 of a fresh workspace's `status(['*'])` on the store `open()` gives; checks all are fresh. */
async function timeStatus(project: Project, dir: string, open: () => Promise<Store>): Promise<number> {
  const samples: number[] = []
  for (let i = 0; i < 6; i++) {
    const t0 = performance.now()
    const ws = await openWorkspace(project, { storeDir: dir, store: await open(), logLevel: 'silent' })
    try {
      const report = await ws.status(['*'])
      const stale = report.assets.filter((a) => a.status !== 'fresh').length
      if (stale > 0) throw new Error(`status: ${stale} of ${report.assets.length} assets are not fresh after populate`)
    } finally {
      await ws.close()
    }
    if (i > 0) samples.push(performance.now() - t0) // the first warms the module and page caches
  }
  return median(samples)
}

/** The project of the concurrency row: `n` independent trivial assets. */
function trivialProject(n: number): string {
  return `import { asset, defineProject } from '@rivers-orchestrator/rivers'
export default defineProject({ assets: Array.from({ length: ${n} }, (_, i) => asset({ key: 'a' + String(i).padStart(4, '0') }, () => i)) })
`
}

/** Runs `assets materialize` in `dir` on `url`; resolves with its exit code and stderr. */
function materialize(dir: string, url: string): Promise<{ code: number | null; stderr: string; pid: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--conditions=@rivers-orchestrator/source', CLI, 'materialize', '--json'], {
      cwd: dir,
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { ...process.env, NO_COLOR: '1', RIVERS_STORE_URL: url, RIVERS_HOME: undefined },
    })
    let stderr = ''
    child.stderr.on('data', (c: Buffer) => void (stderr += c.toString()))
    child.once('error', reject)
    child.once('exit', (code) => resolve({ code, stderr, pid: child.pid! }))
  })
}

/** 8 processes × `n` trivial assets on one database; connections per process sampled meanwhile. */
async function concurrentRow(n: number, processes: number): Promise<StoreRow> {
  const dir = path.join(WORK, 'concurrent')
  rmSync(dir, { recursive: true, force: true })
  mkdirSync(dir, { recursive: true })
  writeFileSync(path.join(dir, 'rivers.config.ts'), trivialProject(n))
  const { url, drop } = await freshDatabase('rivers_bench')
  const watcher = new pg.Client({ connectionString: url })
  await watcher.connect()
  const peak = new Map<string, number>()
  let sampling = true
  const sampler = (async () => {
    while (sampling) {
      const { rows } = await watcher.query<{ app: string; n: number }>(
        `SELECT application_name AS app, count(*)::int AS n FROM pg_stat_activity
         WHERE datname = current_database() AND application_name LIKE 'rivers pid %' GROUP BY 1`,
      )
      for (const r of rows) peak.set(r.app, Math.max(peak.get(r.app) ?? 0, r.n))
      await new Promise((r) => setTimeout(r, 20))
    }
  })()
  try {
    const t0 = performance.now()
    const runs = await Promise.all(Array.from({ length: processes }, () => materialize(dir, url)))
    const wall = performance.now() - t0
    sampling = false
    await sampler
    const { rows } = await watcher.query<{ n: number; keys: number }>(
      `SELECT count(*)::int AS n, count(DISTINCT asset_key)::int AS keys FROM materializations`,
    )
    const failed = runs.filter((r) => r.code !== 0)
    const leaseErrors = runs.filter((r) => /lease/i.test(r.stderr) && /error/i.test(r.stderr))
    const maxConn = Math.max(0, ...peak.values())
    const once = rows[0]!.n === n && rows[0]!.keys === n
    const met = failed.length === 0 && leaseErrors.length === 0 && once && maxConn <= 5
    const per = [...peak.values()].sort((a, b) => b - a).join(', ')
    return {
      work: `${processes} processes × ${n.toLocaleString('en')} trivial assets, one database`,
      sqlite: '',
      postgres:
        `${(wall / 1_000).toFixed(1)} s; ${rows[0]!.n} records for ${rows[0]!.keys} assets; connections per process (peak): ${per}; ` +
        `${failed.length} failed, ${leaseErrors.length} lease errors`,
      target: '≤ 5 connections each, each asset once, no lease error',
      met,
    }
  } finally {
    sampling = false
    await sampler.catch(() => {})
    await watcher.end()
    await drop()
  }
}

/**
 * Runs the rows; resolves to them (the caller writes the report).
 *
 * @example
 * const rows = await storeRows({ assets: 100_000, processes: 8, trivial: 1_000, log: console.error })
 */
export async function storeRows(o: {
  assets: number
  processes: number
  trivial: number
  log: (line: string) => void
}): Promise<StoreRow[]> {
  const dir = path.join(WORK, 'status')
  rmSync(dir, { recursive: true, force: true })
  mkdirSync(dir, { recursive: true })
  const project = generatedProject(o.assets)
  o.log(`store: ${o.assets.toLocaleString('en')} fresh records…`)
  const records = await freshRecords(project, dir)
  const { url, drop } = await freshDatabase('rivers_bench')
  try {
    const sqliteDir = path.join(dir, 'sqlite')
    const sqlite = SqliteStore.open(sqliteDir)
    const sqliteRate = await populate(sqlite, records).finally(() => sqlite.close())
    const pgStore = await PostgresStore.open(url)
    const pgRate = await populate(pgStore, records).finally(() => pgStore.close())
    o.log(`store: populated (SQLite ${sqliteRate.toFixed(0)}/s, PostgreSQL ${pgRate.toFixed(0)}/s); status…`)
    const sqliteStatus = await timeStatus(project, sqliteDir, async () => SqliteStore.open(sqliteDir))
    const pgStatus = await timeStatus(project, path.join(dir, 'pg-local'), () => PostgresStore.open(url))
    o.log(`store: status SQLite ${ms(sqliteStatus)}, PostgreSQL ${ms(pgStatus)}; ${o.processes} processes…`)
    const n = o.assets.toLocaleString('en')
    const rows: StoreRow[] = [
      {
        work: `status of ${n} assets (fresh workspace + status, median of 5)`,
        sqlite: ms(sqliteStatus),
        postgres: ms(pgStatus),
        ratio: `${(pgStatus / sqliteStatus).toFixed(2)}×`,
        target: 'PostgreSQL ≤ 2× SQLite',
        met: pgStatus <= 2 * sqliteStatus,
      },
      {
        work: `${n} records written by one process, recordMaterializations of 1,000`,
        sqlite: `${sqliteRate.toFixed(0)} records/s`,
        postgres: `${pgRate.toFixed(0)} records/s`,
        ratio: `${(pgRate / sqliteRate).toFixed(2)}×`,
        target: '≥ 5,000 records/s',
        met: pgRate >= 5_000,
      },
    ]
    rows.push(await concurrentRow(o.trivial, o.processes))
    return rows
  } finally {
    await drop()
  }
}

/**
 * The rows as a Markdown table.
 *
 * @example
 * writeFileSync('results/store.md', storeMarkdown(rows, machine))
 */
export function storeMarkdown(rows: readonly StoreRow[], header: string): string {
  const lines = [
    '# Team store (issue 16): PostgreSQL beside SQLite',
    '',
    header,
    '',
    '| work | SQLite | PostgreSQL | PG / SQLite | target | met |',
    '| ---- | ------ | ---------- | ----------- | ------ | --- |',
    ...rows.map(
      (r) => `| ${r.work} | ${r.sqlite} | ${r.postgres} | ${r.ratio ?? ''} | ${r.target} | ${r.met ? 'yes' : 'MISS'} |`,
    ),
    '',
  ]
  return lines.join('\n')
}

/**
 * `npm run bench -- --only-store [--store-assets=100000] [--store-processes=8] [--store-trivial=1000]`:
 * the rows above, printed and written to `benches/results/store.{md,json}`.
 *
 * @example
 * await runStoreBench(process.argv.slice(2))
 */
export async function runStoreBench(argv: readonly string[]): Promise<void> {
  const opt = (name: string, fallback: number): number =>
    Number(argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) ?? fallback)
  if (process.env.RIVERS_TEST_PG_URL === undefined)
    throw new Error('--only-store needs a PostgreSQL server: export RIVERS_TEST_PG_URL="$(bash .ci/postgres/setup.sh)"')
  const log = (line: string): void => void process.stderr.write(`${line}\n`)
  const startedAt = new Date().toISOString()
  const rows = await storeRows({
    assets: opt('store-assets', 100_000),
    processes: opt('store-processes', 8),
    trivial: opt('store-trivial', 1_000),
    log,
  })
  const { cpus, loadavg } = await import('node:os')
  const header = `${startedAt}; ${cpus()[0]?.model ?? 'cpu'}, ${cpus().length} cores; load ${loadavg()
    .map((x) => x.toFixed(2))
    .join(' ')} at the end; PostgreSQL on the same host (a test server: fsync off)`
  const md = storeMarkdown(rows, header)
  const out = path.join(ROOT, 'benches/results')
  mkdirSync(out, { recursive: true })
  writeFileSync(path.join(out, 'store.md'), md)
  writeFileSync(path.join(out, 'store.json'), `${JSON.stringify({ startedAt, header, rows }, null, 2)}\n`)
  process.stdout.write(md)
}
