/**
 * A generated project for the crash and concurrency tests: one source file (`data/input.txt`) and
 * N assets forming a random DAG (seeded), every asset reaching the source. Each asset sleeps a
 * little (random), then derives its output from all its inputs (so a new input always gives a new
 * output), as JSON, bytes or a stream written in several chunks, by turns. Optionally each asset
 * appends `key pid start end` to `built.log` (high-resolution wall-clock milliseconds). A slow
 * non-blocking check sits between each artifact write and its record.
 */
import { prng } from './store-check.js'

/** Options of {@link dagProject}. */
export interface DagOptions {
  /** Number of assets besides the source. */
  assets: number
  /** Seed of the DAG shape. */
  seed: number
  /** Longest random sleep of an asset, ms. */
  maxSleepMs: number
  /** Shortest sleep, ms (default 0). */
  minSleepMs?: number
  /** Append `key pid start end` to built.log when an asset finishes. */
  logBuilds?: boolean
}

/**
 * With RIVERS_TEST_BARRIER=N in its environment, each process loading the project waits (top-level
 * await) until N processes have loaded it, so that concurrent runs really start together even on a
 * loaded machine.
 */
const BARRIER = `const barrier = Number(process.env.RIVERS_TEST_BARRIER ?? 0)
if (barrier > 0) {
  appendFileSync('ready.log', process.pid + '\\n')
  const deadline = Date.now() + 15_000
  while (readFileSync('ready.log', 'utf8').trim().split('\\n').length < barrier && Date.now() < deadline) await sleep(10)
}`

/** The project file, and the deps of each asset (the source is `input`). */
export interface DagProject {
  source: string
  deps: Map<string, string[]>
  keys: string[]
}

/**
 * @example
 * const { source, deps } = dagProject({ assets: 30, seed: 7, maxSleepMs: 30 })
 */
export function dagProject(options: DagOptions): DagProject {
  const random = prng(options.seed)
  const keys = Array.from({ length: options.assets }, (_, i) => `n${String(i).padStart(2, '0')}`)
  const deps = new Map<string, string[]>()
  keys.forEach((key, i) => {
    if (i === 0) return deps.set(key, ['input'])
    const want = 1 + Math.floor(random() * Math.min(3, i))
    const picked = new Set<string>()
    // Prefer recent assets so the DAG is deep, with a few long edges.
    while (picked.size < want) picked.add(keys[Math.max(0, i - 1 - Math.floor(random() * random() * i))]!)
    if (random() < 0.15) picked.add('input')
    deps.set(key, [...picked].sort())
  })
  const kinds = ['json', 'bytes', 'stream'] as const
  const defs = keys.map((key, i) => {
    const kind = kinds[i % 3]!
    const depObj = deps
      .get(key)!
      .map((d) => (d === 'input' ? 'input' : d))
      .join(', ')
    const body =
      kind === 'json'
        ? `return { key: '${key}', d }`
        : kind === 'bytes'
          ? `return Buffer.from('${key}:' + d)`
          : `return chunks('${key}', d)`
    return `const ${key} = asset({ key: '${key}', deps: { ${depObj} }, checks }, async (inputs) => {
  const started = now()
  await jitter()
  const d = await combine('${key}', inputs)
  built('${key}', started)
  ${body}
})`
  })
  const min = options.minSleepMs ?? 0
  const source = `import { appendFileSync, readFileSync } from 'node:fs'
import { createHash } from 'node:crypto'
import { asset, check, defineProject, source } from '@rivers-orchestrator/rivers'

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
const jitter = () => sleep(${min} + Math.floor(Math.random() * ${Math.max(1, options.maxSleepMs - min)}))
const now = () => performance.timeOrigin + performance.now()
${BARRIER}
function built(key: string, started: number) {
  ${options.logBuilds ? "appendFileSync('built.log', key + ' ' + process.pid + ' ' + started.toFixed(3) + ' ' + now().toFixed(3) + '\\n')" : ''}
}
async function text(v: unknown): Promise<string> {
  if (Buffer.isBuffer(v)) return v.toString('utf8')
  if (typeof v === 'object' && v !== null && Symbol.asyncIterator in v) {
    let s = ''
    for await (const c of v as AsyncIterable<Buffer>) s += c.toString('utf8')
    return s
  }
  return JSON.stringify(v)
}
async function combine(key: string, inputs: Record<string, unknown>): Promise<string> {
  const parts: string[] = []
  for (const name of Object.keys(inputs).sort()) parts.push(name + '=' + (await text(inputs[name])))
  return createHash('sha256').update(key + '|' + parts.join('|')).digest('hex')
}
async function* chunks(key: string, d: string) {
  for (let i = 0; i < 4; i++) {
    yield key + ':' + i + ':' + d.repeat(16) + '\\n'
    await sleep(3)
  }
}

// A check runs after the artifact is written and before it is recorded: a slow one widens the
// window in which a kill lands between the two (the window a non-atomic store would corrupt).
const checks = [check('settles', async () => (await sleep(2 + Math.floor(Math.random() * 5)), true))]

const input = source({ key: 'input', path: 'data/input.txt' })
${defs.join('\n')}

export default defineProject({ assets: [${keys.join(', ')}] })
`
  return { source, deps, keys }
}
