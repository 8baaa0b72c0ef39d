/**
 * Values behave the same in one run and across runs: what a consumer receives in the run that built
 * its input is deep-equal, type for type, to what it reads in a later run, and no consumer can change
 * what another sees (each reads its own copy from the stored form).
 */
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { afterAll, expect, test } from 'vitest'
import { makeProject, removeProjects } from './project.js'

afterAll(removeProjects)

const T = { timeout: 60_000 }

/**
 * `describe(v)`: a JSON picture of a value that keeps its types (prototype names, Buffer bytes), so
 * two runs' inputs can be compared across processes.
 */
const project = `import { writeFileSync } from 'node:fs'
import { createHash } from 'node:crypto'
import { mkdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { serialize, deserialize } from 'node:v8'
import { Readable } from 'node:stream'
import { asset, defineProject } from '@rivers-orchestrator/rivers'

function describe(v: unknown): unknown {
  if (v === null || typeof v !== 'object') return { t: typeof v, v: Object.is(v, -0) ? '-0' : v }
  const proto = Object.getPrototypeOf(v)
  const t = proto === null ? 'null' : proto.constructor.name
  if (v instanceof Uint8Array) return { t, bytes: Buffer.from(v).toString('hex') }
  if (v instanceof Date) return { t, iso: v.toISOString() }
  if (v instanceof Map) return { t, entries: [...v].map(([k, x]) => [k, describe(x)]) }
  if (Array.isArray(v)) return { t, items: v.map(describe) }
  return { t, fields: Object.entries(v).map(([k, x]) => [k, describe(x)]) }
}
const seen = (who: string, v: unknown) => writeFileSync('seen-' + who + '.json', JSON.stringify(describe(v)))

/** An IO manager that keeps what JSON cannot (Dates, Maps) through v8 serialization. */
const v8io = {
  dir: '.v8store',
  async write(ctx: { key: string; runId: string }, value: unknown) {
    const bytes = serialize(value)
    mkdirSync(this.dir, { recursive: true })
    const storagePath = path.join(this.dir, ctx.key + '-' + ctx.runId + '.v8')
    writeFileSync(storagePath, bytes)
    return { storagePath, bytes: bytes.length, dataVersion: createHash('md5').update(bytes).digest('hex') }
  },
  async read(_ctx: { key: string }, stored: { storagePath?: string | null }) {
    return deserialize(readFileSync(stored.storagePath!))
  },
}

const json = asset({ key: 'json' }, () => ({ rows: [3, 1, 2], nested: { empty: {}, list: [[], null, 'é'] }, n: 1.5 }))
const bytes = asset({ key: 'bytes' }, () => new Uint8Array([0, 1, 254, 255]))
const stream = asset({ key: 'stream' }, () => Readable.from(['line 1\\n', 'line 2\\n']))
const custom = asset({ key: 'custom', io: v8io }, () => ({ at: new Date(0), index: new Map([['a', 1]]) }))
const sorter = asset({ key: 'sorter', deps: { json } }, ({ json }) => {
  seen('sorter', json)
  json.rows.sort()
  json.nested.list.push('mutated')
  return json.rows
})
const reader = asset({ key: 'reader', deps: { json, sorter } }, ({ json }) => {
  seen('reader', json)
  return json.rows
})
const c = asset({ key: 'c', deps: { json, bytes, stream, custom } }, async ({ json, bytes, stream, custom }) => {
  const chunks: Buffer[] = []
  for await (const chunk of stream as AsyncIterable<Buffer>) chunks.push(Buffer.from(chunk))
  seen('c', { json, bytes, stream: Buffer.concat(chunks).toString('utf8'), custom })
  return 1
})
export default defineProject({ assets: [reader, c] })
`

const seenBy = (dir: string, who: string): unknown =>
  JSON.parse(readFileSync(path.join(dir, `seen-${who}.json`), 'utf8'))

test(
  'a consumer gets the same value, type for type, in the run that built its inputs and in a later run',
  T,
  async () => {
    const p = makeProject({ 'rivers.config.ts': project })
    const full = await p.run(['materialize', '--json', '--concurrency', '1'])
    expect(full.code, full.stderr).toBe(0)
    const inRun = seenBy(p.dir, 'c')
    expect(inRun).toMatchObject({
      t: 'Object',
      fields: expect.arrayContaining([
        ['bytes', { t: 'Buffer', bytes: '0001feff' }],
        ['stream', { t: 'string', v: 'line 1\nline 2\n' }],
        [
          'custom',
          {
            t: 'Object',
            fields: [
              ['at', { t: 'Date', iso: '1970-01-01T00:00:00.000Z' }],
              ['index', { t: 'Map', entries: [['a', { t: 'number', v: 1 }]] }],
            ],
          },
        ],
      ]),
    })
    const forced = await p.run(['materialize', 'c', '--force', '--json'])
    expect(forced.code, forced.stderr).toBe(0)
    expect(forced.json().materialized).toEqual(['c'])
    expect(seenBy(p.dir, 'c')).toStrictEqual(inRun)
  },
)

test(
  'a consumer that mutates its input changes nothing for another; a full run and --force store the same',
  T,
  async () => {
    const p = makeProject({ 'rivers.config.ts': project })
    const full = await p.run(['materialize', '--json', '--concurrency', '1'])
    expect(full.code, full.stderr).toBe(0)
    // `sorter` sorted its copy in place before `reader` ran: `reader` still sees the stored order.
    const readerSaw = seenBy(p.dir, 'reader')
    expect(readerSaw).toStrictEqual(seenBy(p.dir, 'sorter'))
    const versions = async (): Promise<Record<string, string>> => {
      const r = await p.run(['status', '--json'])
      const rows = r.json().assets as { key: string; last?: { dataVersion: string } }[]
      return Object.fromEntries(rows.map((a) => [a.key, a.last?.dataVersion ?? '']))
    }
    const afterFull = await versions()
    const forced = await p.run(['materialize', 'sorter', 'reader', '--force', '--json'])
    expect(forced.code, forced.stderr).toBe(0)
    expect(forced.json().materialized).toEqual(['sorter', 'reader'])
    expect(await versions()).toStrictEqual(afterFull)
    expect(seenBy(p.dir, 'reader')).toStrictEqual(readerSaw)
  },
)
