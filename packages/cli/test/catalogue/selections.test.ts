/** Catalogue #24–#35: selections that are invalid or select nothing (see catalogue.ts). */
import { afterAll, test } from 'vitest'
import { makeProject, removeProjects } from '../e2e/project.js'
import { refused, T, title } from './catalogue.js'

afterAll(removeProjects)

const p = makeProject({
  'rivers.config.ts': `import { asset, defineProject } from '@rivers-orchestrator/rivers'
const orders = asset({ key: 'raw/orders', tags: { pii: true }, group: 'staging' }, () => [1, 2])
const features = asset({ key: 'features', deps: { orders }, group: 'ml' }, ({ orders }) => orders.length)
const model = asset({ key: 'model', deps: { features }, group: 'ml', kinds: ['sklearn'] }, ({ features }) => features * 2)
export default defineProject({ assets: [model] })
`,
})

/** `status SELECTION` is refused; the message points at the column (a caret) and names the term. */
async function refusedSelection(selection: string, mentions: string[], command = 'status'): Promise<string> {
  return refused(await p.run([command, selection]), [selection, ...mentions], p.dir)
}

test.concurrent(title(24, 'selection: unknown selector prefix'), T, async ({ expect }) => {
  expect(await refusedSelection('owner2:ml', ["'owner2:'", '^'])).toMatchSnapshot()
})

test.concurrent(title(25, 'selection: unbalanced parentheses (unclosed)'), T, async ({ expect }) => {
  expect(await refusedSelection('raw/* and (model or features', ['(column 11)'])).toMatchSnapshot()
})

test.concurrent(title(26, "selection: unbalanced parentheses (unmatched ')')"), T, async ({ expect }) => {
  expect(await refusedSelection('model)', ['(column 6)'])).toMatchSnapshot()
})

test.concurrent(title(27, 'selection: depth that is not a number'), T, async ({ expect }) => {
  expect(await refusedSelection('2x+model', ["'2x'"])).toMatchSnapshot()
})

test.concurrent(title(28, 'selection: depth too large'), T, async ({ expect }) => {
  expect(await refusedSelection('99999999999+model', ['99999999999'])).toMatchSnapshot()
})

test.concurrent(title(29, 'selection: unknown tag (existing tags listed)'), T, async ({ expect }) => {
  expect(await refusedSelection('tag:nightly', ["'nightly'", 'pii'])).toMatchSnapshot()
})

test.concurrent(title(30, 'selection: unknown group (existing groups listed)'), T, async ({ expect }) => {
  expect(await refusedSelection('group:mL', ["'mL'", "did you mean 'group:ml'?"])).toMatchSnapshot()
})

test.concurrent(title(31, 'selection: unknown key, with the closest key suggested'), T, async ({ expect }) => {
  expect(await refusedSelection('raw/order', ["'raw/orders'"], 'materialize')).toMatchSnapshot()
})

test.concurrent(title(32, 'selection: unknown status'), T, async ({ expect }) => {
  expect(await refusedSelection('status:old', ["'old'", 'missing, stale or fresh'])).toMatchSnapshot()
})

test.concurrent(
  title(33, 'selection: a pattern that matches nothing (said, not silently ignored)'),
  T,
  async ({ expect }) => {
    const text = await refusedSelection('nightly/*', ['matches no asset', 'assets list'], 'materialize')
    expect(text).toMatchSnapshot()
  },
)

test.concurrent(title(34, 'selection: a keyword where a term belongs'), T, async ({ expect }) => {
  expect(await refusedSelection('model and or features', ["'or'"])).toMatchSnapshot()
})

test.concurrent(
  title(35, "selection: a selected asset whose unselected input was never built (suggests '+KEY')"),
  T,
  async ({ expect }) => {
    const fresh = makeProject({
      'rivers.config.ts': `import { asset, defineProject } from '@rivers-orchestrator/rivers'\nconst raw = asset({ key: 'raw' }, () => 1)\nconst model = asset({ key: 'model', deps: { raw } }, ({ raw }) => raw)\nexport default defineProject({ assets: [model] })\n`,
    })
    const text = refused(await fresh.run(['materialize', 'model']), ['"model"', '"raw"', '+model'], fresh.dir)
    expect(text).toMatchSnapshot()
    // Nothing ran.
    expect((await fresh.run(['status', '--json'])).json().assets.map((a: { status: string }) => a.status)).toEqual([
      'missing',
      'missing',
    ])
  },
)
