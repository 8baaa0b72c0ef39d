/**
 * Catalogue #43–#57: asset functions that fail or return what cannot be stored (the run fails,
 * exit 1, the message names the asset and the path inside the value), and a result larger than
 * memory would allow, streamed to a file (see catalogue.ts).
 */
import { readFileSync, statSync } from 'node:fs'
import path from 'node:path'
import native from '@rivers-orchestrator/native'
import { afterAll, expect, test } from 'vitest'
import { makeProject, removeProjects } from '../e2e/project.js'
import { failedRun, T, title } from './catalogue.js'
import { filesUnder } from '../reliability/store-check.js'

afterAll(removeProjects)

const p = makeProject({
  'rivers.config.ts': `import { asset, defineProject } from '@rivers-orchestrator/rivers'
import { z } from 'zod'

const a = (key: string, fn: () => unknown, extra: object = {}) => asset({ key, ...extra }, fn as never)
const rows = asset({ key: 'rows' }, () => [{ id: 'a1' }, { id: 'b2' }])
export default defineProject({
  assets: [
    a('orders', () => ({ rows: [{ id: 1 }, { id: 'two' }] }), { output: z.object({ rows: z.array(z.object({ id: z.number() })) }) }),
    a('throws_string', () => { throw 'disk on fire' }),
    a('throws_object', () => { throw { code: 42, reason: 'quota exceeded' } }),
    a('returns_undefined', () => { const rows = [1, 2]; rows.map((r) => r * 2) }),
    a('bigint', () => ({ stats: { count: 12n } })),
    a('cycle', () => { const root: any = { name: 'root', children: [{ name: 'leaf' }] }; root.children[0].parent = root; return root }),
    a('function', () => ({ rows: [1], transform: (x: number) => x * 2 })),
    a('map', () => ({ index: new Map([['a', 1]]) })),
    a('nan', () => ({ metrics: { loss: 0 / 0 } })),
    a('hole', () => [1, undefined, 3]),
    asset({ key: 'bad_chunk' }, async function* () { yield 'header\\n'; yield 42 as any }),
    asset({ key: 'stream_fails' }, async function* () { yield 'header\\n'; throw new Error('upstream socket closed') }),
    asset({ key: 'slow', timeout: '200ms' }, (_inputs, ctx) => new Promise((resolve) => { const t = setTimeout(resolve, 10_000); ctx.signal.addEventListener('abort', () => clearTimeout(t)) })),
    asset({ key: 'typed_input', deps: { rows: 'rows' }, inputs: { rows: z.array(z.object({ id: z.number() })) } }, ({ rows }) => rows.length),
    rows,
  ],
})
`,
})

/** `materialize KEY` fails (exit 1): the failure line names the asset; nothing of it is stored. */
async function failing(key: string, mentions: string[], selection = key): Promise<string> {
  const r = await p.run(['materialize', selection, '--log-level', 'silent'])
  const text = failedRun(r, key, mentions, p.dir)
  expect(filesUnder(path.join(p.dir, '.rivers', 'storage')).filter((f) => f.startsWith(`${key}/`))).toEqual([])
  return text
}

test.concurrent(title(43, 'output failing its schema (the path inside the value)'), T, async ({ expect }) => {
  expect(await failing('orders', ["'orders'", 'rows[1].id'])).toMatchSnapshot()
})

test.concurrent(title(44, 'an asset function that throws a string'), T, async ({ expect }) => {
  expect(await failing('throws_string', ["'disk on fire'"])).toMatchSnapshot()
})

test.concurrent(title(45, 'an asset function that throws a plain object'), T, async ({ expect }) => {
  expect(await failing('throws_object', ['quota exceeded'])).toMatchSnapshot()
})

test.concurrent(title(46, 'an asset function that returns undefined'), T, async ({ expect }) => {
  expect(await failing('returns_undefined', ["'returns_undefined'", 'returned undefined'])).toMatchSnapshot()
})

test.concurrent(title(47, 'a BigInt in the result (its path)'), T, async ({ expect }) => {
  expect(await failing('bigint', ["'bigint'", '$.stats.count'])).toMatchSnapshot()
})

test.concurrent(title(48, 'a cycle in the result (both paths)'), T, async ({ expect }) => {
  expect(await failing('cycle', ["'cycle'", '$.children[0].parent', 'refers back to $'])).toMatchSnapshot()
})

test.concurrent(title(49, 'a function in the result'), T, async ({ expect }) => {
  expect(await failing('function', ["'function'", '$.transform'])).toMatchSnapshot()
})

test.concurrent(title(50, 'a Map in the result (how to convert it)'), T, async ({ expect }) => {
  expect(await failing('map', ["'map'", '$.index', 'Object.fromEntries'])).toMatchSnapshot()
})

test.concurrent(title(51, 'NaN in the result'), T, async ({ expect }) => {
  expect(await failing('nan', ["'nan'", '$.metrics.loss'])).toMatchSnapshot()
})

test.concurrent(title(52, 'undefined inside an array'), T, async ({ expect }) => {
  expect(await failing('hole', ["'hole'", '$[1]'])).toMatchSnapshot()
})

test.concurrent(title(53, 'a streamed result that yields a number'), T, async ({ expect }) => {
  expect(await failing('bad_chunk', ["'bad_chunk'", 'number'])).toMatchSnapshot()
})

test.concurrent(title(54, 'a streamed result that fails midway (nothing stored)'), T, async ({ expect }) => {
  expect(
    await failing('stream_fails', ["'stream_fails'", 'upstream socket closed', 'Nothing was stored']),
  ).toMatchSnapshot()
})

test.concurrent(title(55, 'a timeout (the asset and the limit)'), T, async ({ expect }) => {
  expect(await failing('slow', ['"slow"', '200 ms'])).toMatchSnapshot()
})

test.concurrent(title(56, "an input that fails the consumer's input schema"), T, async ({ expect }) => {
  expect(await failing('typed_input', ["'typed_input'", "'rows'", '[0].id'], '+typed_input')).toMatchSnapshot()
})

const STREAM_MB = Number(process.env.RIVERS_STREAM_MB ?? 200)

test.concurrent(title(57, `a result too large for memory, streamed to a file with bounded memory (${STREAM_MB} MB)`), {
  timeout: 60_000,
}, async ({ expect }) => {
  // The producer yields 1 MB chunks lazily; the consumer reads the stored stream back and reports the
  // bytes it saw and the process's peak RSS (write, hash and read all happened in that process).
  const big = makeProject({
    'rivers.config.ts': `import { createHash } from 'node:crypto'
import { asset, defineProject } from '@rivers-orchestrator/rivers'
const MB = 1 << 20
const events = asset({ key: 'events' }, async function* () {
  for (let i = 0; i < ${STREAM_MB}; i++) yield Buffer.alloc(MB, i % 251)
})
const summary = asset({ key: 'summary', deps: { events } }, async ({ events }) => {
  let bytes = 0
  const hash = createHash('sha256')
  for await (const chunk of events as AsyncIterable<Buffer>) { bytes += chunk.length; hash.update(chunk) }
  return { bytes, sha256: hash.digest('hex'), maxRssMb: Math.round(process.resourceUsage().maxRSS / 1024) }
})
export default defineProject({ assets: [summary] })
`,
  })
  const r = await big.run(['materialize', '--json'])
  expect(r.code, r.stderr).toBe(0)
  expect(r.json().materialized).toEqual(['events', 'summary'])
  const shown = (await big.run(['show', 'events', '--json'])).json()
  const stored = path.join(big.dir, '.rivers', 'storage', shown.history[0].storagePath)
  expect(statSync(stored).size).toBe(STREAM_MB << 20)
  expect(native.hashFile(stored)).toBe(shown.history[0].dataVersion)
  const summaryFile = (await big.run(['show', 'summary', '--json'])).json().history[0].storagePath
  const summary = JSON.parse(readFileSync(path.join(big.dir, '.rivers', 'storage', summaryFile), 'utf8'))
  expect(summary.bytes).toBe(STREAM_MB << 20)
  // Peak memory stays far below the result's size (the node process itself takes ~100 MB).
  console.log(
    `streaming: ${STREAM_MB} MB result written, hashed and read back with a peak RSS of ${summary.maxRssMb} MB`,
  )
  expect(summary.maxRssMb).toBeLessThan(Math.max(180, STREAM_MB * 0.6))
})
