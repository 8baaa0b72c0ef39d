/**
 * Catalogue #75–#79: results whose type JSON would not keep (a consumer would get something else
 * than the producer returned, in this run or a later one), refused at the producer with the path
 * inside the value (the run fails, exit 1; see catalogue.ts).
 */
import path from 'node:path'
import { afterAll, expect, test } from 'vitest'
import { makeProject, removeProjects } from '../e2e/project.js'
import { filesUnder } from '../reliability/store-check.js'
import { failedRun, T, title } from './catalogue.js'

afterAll(removeProjects)

const p = makeProject({
  'rivers.config.ts': `import { asset, defineProject } from '@rivers-orchestrator/rivers'

class Point { constructor(readonly x: number, readonly y: number) {} norm() { return Math.hypot(this.x, this.y) } }
class Money { constructor(readonly cents: number) {} toJSON() { return (this.cents / 100).toFixed(2) } }
const a = (key: string, fn: () => unknown) => asset({ key }, fn as never)
export default defineProject({
  assets: [
    a('date', () => ({ rows: [{ id: 1, at: new Date(0) }] })),
    a('point', () => ({ origin: new Point(0, 0) })),
    a('boxed', () => ({ total: new Number(3) })),
    a('money', () => ({ price: new Money(150) })),
    a('sparse', () => { const slots = new Array(3); slots[0] = 'a'; slots[2] = 'c'; return { slots } }),
  ],
})
`,
})

/** `materialize KEY` fails (exit 1): the failure line names the asset; nothing of it is stored. */
async function failing(key: string, mentions: string[]): Promise<string> {
  const r = await p.run(['materialize', key, '--log-level', 'silent'])
  const text = failedRun(r, key, mentions, p.dir)
  expect(filesUnder(path.join(p.dir, '.rivers', 'storage')).filter((f) => f.startsWith(`${key}/`))).toEqual([])
  return text
}

test.concurrent(title(75, 'a Date in the result (store an ISO string or a number)'), T, async ({ expect }) => {
  expect(await failing('date', ["'date'", '$.rows[0].at', 'Date', 'toISOString()'])).toMatchSnapshot()
})

test.concurrent(title(76, 'a class instance in the result (return plain data)'), T, async ({ expect }) => {
  expect(await failing('point', ["'point'", '$.origin', 'Point', 'class instance'])).toMatchSnapshot()
})

test.concurrent(title(77, 'a boxed primitive in the result'), T, async ({ expect }) => {
  expect(await failing('boxed', ["'boxed'", '$.total', 'boxed Number', 'valueOf()'])).toMatchSnapshot()
})

test.concurrent(title(78, 'an object with its own toJSON in the result'), T, async ({ expect }) => {
  expect(await failing('money', ["'money'", '$.price', 'toJSON'])).toMatchSnapshot()
})

test.concurrent(title(79, 'a sparse array (a hole) in the result'), T, async ({ expect }) => {
  expect(await failing('sparse', ["'sparse'", '$.slots[1]', 'hole'])).toMatchSnapshot()
})
