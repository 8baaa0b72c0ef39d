/**
 * `npm run bench -- --peers`: Rivers and Dagster on the same generated dbt-like graphs (1k and 10k
 * assets; `--peer-sizes=50` for a smoke run), each in its own process (Dagster: `dagster_bench.py`
 * in the venv of `venv.ts`; Rivers: this process, `rivers.ts`). Dagster's materialize-everything
 * (about half a second per asset) and the stale status that needs it run up to `--peer-cap` assets
 * (default 1,000); above that the row says so. Writes `results/peers.{md,json}` (`--out=NAME`:
 * `results/NAME-peers.*`).
 */
import { spawn } from 'node:child_process'
import { closeSync, mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { dbt } from '../graphs.js'
import { loadNow, machineInfo } from '../machine.js'
import { dagsterFailed } from './errors.js'
import { renderPeers, type PeerRow, type PeersReport } from './report.js'
import { riversPeer } from './rivers.js'
import { ensureVenv, PEERS_DIR } from './venv.js'

const RESULTS = fileURLToPath(new URL('../../results/', import.meta.url))
const SCRIPT = fileURLToPath(new URL('./dagster_bench.py', import.meta.url))

/** Runs the Dagster script on a graph file; resolves its JSON. */
function runDagster(python: string, graphFile: string, n: number): Promise<Record<string, number | string>> {
  const outFile = path.join(PEERS_DIR, `dagster-${n}.json`)
  const errFile = path.join(PEERS_DIR, `dagster-${n}.log`)
  const out = openSync(outFile, 'w')
  const err = openSync(errFile, 'w')
  return new Promise((resolve, reject) => {
    const child = spawn(python, [SCRIPT, graphFile], { stdio: ['ignore', out, err] })
    child.on('error', reject)
    child.on('exit', (code) => {
      closeSync(out)
      closeSync(err)
      if (code !== 0) return reject(dagsterFailed(n, errFile, code))
      resolve(JSON.parse(readFileSync(outFile, 'utf8')) as Record<string, number | string>)
    })
  })
}

/**
 * The peers run: `argv` as given to `npm run bench`.
 * @example await runPeers(['--peers', '--peer-sizes=50'])
 */
export async function runPeers(argv: readonly string[]): Promise<void> {
  const opt = (name: string): string | undefined => argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3)
  const sizes = (opt('peer-sizes') ?? '1000,10000').split(',').map(Number)
  const cap = Number(opt('peer-cap') ?? 1000)
  const stem = opt('out') ? `${opt('out')}-peers` : 'peers'
  const log = (m: string): void => void process.stderr.write(`${m}\n`)
  const started = performance.now()
  const machine = machineInfo()
  log(`rivers bench --peers: sizes ${sizes.join(', ')}, Dagster materialize up to ${cap} assets`)
  const env = ensureVenv(log)
  log(`  Dagster ${env.dagster} ready (${env.setupS.toFixed(0)} s)`)
  mkdirSync(PEERS_DIR, { recursive: true })
  const rows: PeerRow[] = []
  for (const n of sizes) {
    const g = dbt(n, { seed: 1, order: 'topo' })
    // The source with the largest downstream would favour neither side; take the first, as a user edit would.
    const changed = g.sources.indexOf(1)
    const materialize = n <= cap
    const deps = Array.from({ length: n }, (_, v) => [...g.deps.subarray(g.depOffsets[v], g.depOffsets[v + 1])])
    const graphFile = path.join(PEERS_DIR, `graph-${n}.json`)
    writeFileSync(graphFile, JSON.stringify({ keys: g.keys, deps, sources: [...g.sources], materialize, changed }))
    log(`  ${n} assets: Rivers …`)
    const rivers = await riversPeer(g, changed, true)
    log(`  ${n} assets: Dagster${materialize ? '' : ` (no materialize-everything above ${cap})`} …`)
    const dagster = await runDagster(env.python, graphFile, n)
    rows.push({ n, edges: g.deps.length, changedKey: g.keys[changed] ?? '', cap, rivers, dagster })
    log(`  ${n} assets done (${((performance.now() - started) / 1000).toFixed(0)} s)`)
  }
  machine.loadEnd = loadNow()
  const report: PeersReport = {
    startedAt: new Date().toISOString(),
    durationS: (performance.now() - started) / 1000,
    machine,
    dagster: env.dagster,
    python: String(rows[0]?.dagster.python ?? ''),
    venvSetupS: env.setupS,
    rows,
  }
  mkdirSync(RESULTS, { recursive: true })
  writeFileSync(path.join(RESULTS, `${stem}.json`), `${JSON.stringify(report, null, 1)}\n`)
  writeFileSync(path.join(RESULTS, `${stem}.md`), renderPeers(report))
  process.stdout.write(renderPeers(report))
}
