/** Catalogue #11–#23: invalid definitions, refused before anything runs (see catalogue.ts). */
import { existsSync } from 'node:fs'
import path from 'node:path'
import { afterAll, expect, test } from 'vitest'
import { makeProject, removeProjects } from '../e2e/project.js'
import { refused, T, title } from './catalogue.js'

afterAll(removeProjects)

/** A project file: imports, then `body`, then the default export of `assets`. */
const file = (body: string, assets: string) =>
  `import { asset, defineProject } from '@rivers-orchestrator/rivers'\nimport { z } from 'zod'\n${body}\nexport default defineProject({ assets: [${assets}] })\n`

async function refusedDefinition(
  body: string,
  assets: string,
  mentions: string[],
  where: 'load' | 'graph' = 'load',
): Promise<string> {
  const p = makeProject({ 'rivers.config.ts': file(body, assets) })
  const r = await p.run(['materialize'])
  const text = refused(r, mentions, p.dir)
  // Refused while the project loads (defineProject validates): the store is not even opened. Cycles
  // are found when the graph is handed to the planning core, after the store is opened.
  if (where === 'load') expect(existsSync(path.join(p.dir, '.rivers'))).toBe(false)
  else expect(p.scrub((await p.run(['runs'])).stderr)).toBe(text)
  return text
}

test.concurrent(title(11, 'two assets with the same key (both definition sites)'), T, async ({ expect }) => {
  const text = await refusedDefinition(
    `const a = asset({ key: 'orders' }, () => 1)\nconst b = asset({ key: 'orders', description: 'Orders from the API' }, () => 2)`,
    'a, b',
    ["'orders'", 'rivers.config.ts:3:', 'rivers.config.ts:4:'],
  )
  expect(text).toMatchSnapshot()
})

test.concurrent(title(12, 'invalid characters in a key'), T, async ({ expect }) => {
  expect(
    await refusedDefinition(`const a = asset({ key: 'raw orders' }, () => 1)`, 'a', [
      "'raw orders'",
      'rivers.config.ts:3:',
    ]),
  ).toMatchSnapshot()
})

test.concurrent(title(13, 'empty key'), T, async ({ expect }) => {
  expect(
    await refusedDefinition(`const a = asset({ key: '' }, () => 1)`, 'a', ["''", 'rivers.config.ts:3:']),
  ).toMatchSnapshot()
})

test.concurrent(title(14, "a key with a '..' segment (would escape the storage folder)"), T, async ({ expect }) => {
  expect(
    await refusedDefinition(`const a = asset({ key: 'raw/../../etc' }, () => 1)`, 'a', ["'raw/../../etc'", "'..'"]),
  ).toMatchSnapshot()
})

test.concurrent(title(15, 'unknown dependency, with the closest key suggested'), T, async ({ expect }) => {
  expect(
    await refusedDefinition(
      `const orders = asset({ key: 'raw/orders' }, () => [])\nconst total = asset({ key: 'total', deps: { orders: 'raw/order' } }, ({ orders }) => orders)`,
      'orders, total',
      ["'total'", "'raw/order'", "'raw/orders'"],
    ),
  ).toMatchSnapshot()
})

test.concurrent(title(16, 'an asset that depends on itself'), T, async ({ expect }) => {
  expect(
    await refusedDefinition(
      `const a = asset({ key: 'model', deps: { previous: 'model' } }, ({ previous }) => previous)`,
      'a',
      ["'model'", "'previous'"],
    ),
  ).toMatchSnapshot()
})

test.concurrent(title(17, 'a dependency cycle (the cycle printed)'), T, async ({ expect }) => {
  const body = `const a = asset({ key: 'a', deps: { b: 'b' } }, ({ b }) => b)\nconst b = asset({ key: 'b', deps: { c: 'c' } }, ({ c }) => c)\nconst c = asset({ key: 'c', deps: { a: 'a' } }, ({ a }) => a)`
  expect(await refusedDefinition(body, 'a, b, c', ['a -> b -> c -> a'], 'graph')).toMatchSnapshot()
})

test.concurrent(title(18, 'a dependency that is not an asset (a number)'), T, async ({ expect }) => {
  expect(
    await refusedDefinition(`const a = asset({ key: 'a', deps: { rows: 42 as any } }, () => 1)`, 'a', [
      "'a'",
      "'rows'",
      'a number (42)',
    ]),
  ).toMatchSnapshot()
})

test.concurrent(title(19, 'a dependency that is undefined (used before its definition)'), T, async ({ expect }) => {
  expect(
    await refusedDefinition(`const a = asset({ key: 'a', deps: { later: b as any } }, () => 1)\nvar b: unknown`, 'a', [
      "'a'",
      "'later'",
      'undefined',
    ]),
  ).toMatchSnapshot()
})

test.concurrent(title(20, 'a project entry that is not an asset (null)'), T, async ({ expect }) => {
  expect(
    await refusedDefinition(`const a = asset({ key: 'a' }, () => 1)`, 'a, null as any', ['assets[1]', 'null']),
  ).toMatchSnapshot()
})

test.concurrent(title(21, 'invalid spec fields (retry, timeout)'), T, async ({ expect }) => {
  expect(
    await refusedDefinition(
      `const a = asset({ key: 'train', retry: { maxRetries: -1 }, timeout: 'soon' as any }, () => 1)`,
      'a',
      ["'train'", 'retry.maxRetries', 'timeout'],
    ),
  ).toMatchSnapshot()
})

test.concurrent(title(22, 'asset(spec) without its function listed as an asset'), T, async ({ expect }) => {
  expect(
    await refusedDefinition(`const a = asset({ key: 'a' })`, 'a as any', [
      'assets[0]',
      'asset(spec, (inputs, ctx) => value)',
    ]),
  ).toMatchSnapshot()
})

test.concurrent(title(23, "an input schema that rejects the producer's output schema"), T, async ({ expect }) => {
  const body = `const raw = asset({ key: 'raw', output: z.array(z.object({ id: z.string() })) }, () => [{ id: 'a' }])\nconst f = asset({ key: 'features', deps: { raw }, inputs: { raw: z.array(z.object({ id: z.number() })) } }, ({ raw }) => raw.length)`
  expect(await refusedDefinition(body, 'f', ["'features'", "'raw'", 'raw[].id'])).toMatchSnapshot()
})

test.concurrent(
  title(72, 'a zod 3 schema as config, output or an inputs entry (Rivers needs zod 4)'),
  T,
  async ({ expect }) => {
    // zod 4 ships zod 3 as 'zod/v3': the same schemas as zod@3.
    const zod3 = (spec: string) =>
      `import { asset, defineProject } from '@rivers-orchestrator/rivers'\nimport { z } from 'zod/v3'\n` +
      `const raw = asset({ key: 'raw' }, () => [1])\n` +
      `const model = asset({ key: 'model', deps: { raw }, ${spec} } as any, () => 1)\n` +
      `export default defineProject({ assets: [model] })\n`
    const texts: string[] = []
    for (const [spec, field] of [
      ['config: z.object({ epochs: z.number().default(1) })', 'config'],
      ['output: z.number()', 'output'],
      ['inputs: { raw: z.array(z.number()) }', 'inputs.raw'],
    ] as const) {
      const p = makeProject({ 'rivers.config.ts': zod3(spec) })
      texts.push(
        refused(
          await p.run(['status']),
          ["'model'", `field ${field}`, 'npm i zod@^4', "import { z } from 'zod'"],
          p.dir,
        ),
      )
    }
    expect(texts.join('')).toMatchSnapshot()
  },
)

test.concurrent(
  title(73, '@asset compiled with experimentalDecorators (Rivers uses TC39 decorators)'),
  T,
  async ({ expect }) => {
    const p = makeProject({
      'tsconfig.json': JSON.stringify({ compilerOptions: { experimentalDecorators: true, target: 'ES2022' } }),
      'rivers.config.ts': `import { asset, defineProject } from '@rivers-orchestrator/rivers'\n\nclass Pipeline {\n  @asset({ key: 'raw' })\n  raw() {\n    return [1, 2, 3]\n  }\n}\nexport default defineProject({ assets: [Pipeline] })\n`,
    })
    const text = refused(
      await p.run(['materialize']),
      ["'raw'", 'experimentalDecorators', 'tsconfig.json', 'rivers.config.ts:4:'],
      p.dir,
    )
    expect(existsSync(path.join(p.dir, '.rivers'))).toBe(false)
    expect(text).toMatchSnapshot()
    // Without the legacy option the same project runs.
    p.write({ 'tsconfig.json': JSON.stringify({ compilerOptions: { target: 'ES2022' } }) })
    expect((await p.run(['materialize', '--json'])).json().materialized).toEqual(['raw'])
  },
)
