/** Catalogue #1–#10: project files that cannot be found or loaded (see catalogue.ts). */
import { afterAll, test } from 'vitest'
import { emptyDir, makeProject, removeProjects, runCli } from '../e2e/project.js'
import { refused, T, title } from './catalogue.js'

afterAll(removeProjects)

const one = `import { asset, defineProject } from '@rivers-orchestrator/rivers'\nconst a = asset({ key: 'a' }, () => 1)\n`

test.concurrent(title(1, 'no project file in the folder or its parents'), T, async ({ expect }) => {
  const dir = emptyDir()
  const r = await runCli(['status'], dir)
  const text = refused(r, ['rivers.config.ts', dir], dir)
  expect(text.replace(/above it \([^)]*\)/, 'above it (<parents>)')).toMatchSnapshot()
})

test.concurrent(title(2, '--project names a file that does not exist'), T, async ({ expect }) => {
  const p = makeProject({ 'rivers.config.ts': `${one}export default defineProject({ assets: [a] })\n` })
  expect(
    refused(await p.run(['status', '--project', 'pipelines/prod.ts']), ['pipelines/prod.ts'], p.dir),
  ).toMatchSnapshot()
})

test.concurrent(title(3, 'syntax error in the project file (file:line:column)'), T, async ({ expect }) => {
  const p = makeProject({
    'rivers.config.ts': `import { asset, defineProject } from '@rivers-orchestrator/rivers'\nconst a = asset({ key: 'a' }, (): number => { return 1 )\nexport default defineProject({ assets: [a] })\n`,
  })
  expect(refused(await p.run(['status']), ['rivers.config.ts:2:'], p.dir)).toMatchSnapshot()
})

test.concurrent(
  title(4, 'type error that breaks while the project loads (TypeScript is not type-checked at load)'),
  T,
  async ({ expect }) => {
    // `keys` is typed string[] but holds a string: tsc would report it; the loader strips types, so it
    // surfaces when `.map` is called. A pure type error that never breaks at run time is not reported
    // by `assets` (it does not type-check, by design: loading stays fast); the message says how to find them.
    const p = makeProject({
      'rivers.config.ts': `import { asset, defineProject } from '@rivers-orchestrator/rivers'\nconst settings: { keys: string[] } = { keys: 'a,b' } as any\nexport default defineProject({ assets: settings.keys.map((key) => asset({ key }, () => 1)) })\n`,
    })
    const text = refused(await p.run(['status']), ['rivers.config.ts:3:', 'tsc --noEmit'], p.dir)
    expect(text).toMatchSnapshot()
  },
)

test.concurrent(title(5, 'import of a module that does not exist'), T, async ({ expect }) => {
  const p = makeProject({
    'rivers.config.ts': `import { asset, defineProject } from '@rivers-orchestrator/rivers'\nimport { clean } from './lib/clean.js'\nexport default defineProject({ assets: [asset({ key: 'a' }, () => clean())] })\n`,
  })
  expect(refused(await p.run(['status']), ['lib/clean.js'], p.dir)).toMatchSnapshot()
})

test.concurrent(
  title(6, 'the project file throws while loading (the place and the message)'),
  T,
  async ({ expect }) => {
    const p = makeProject({
      'rivers.config.ts': `import { asset, defineProject } from '@rivers-orchestrator/rivers'\nif (!process.env.WAREHOUSE_URL) throw new Error('WAREHOUSE_URL is not set')\nexport default defineProject({ assets: [asset({ key: 'a' }, () => 1)] })\n`,
    })
    expect(
      refused(
        await p.run(['status'], { env: { WAREHOUSE_URL: undefined } }),
        ['rivers.config.ts:2:', 'WAREHOUSE_URL is not set'],
        p.dir,
      ),
    ).toMatchSnapshot()
  },
)

test.concurrent(title(7, 'no default export'), T, async ({ expect }) => {
  const p = makeProject({
    'rivers.config.ts': `import { asset } from '@rivers-orchestrator/rivers'\nexport const a = asset({ key: 'a' }, () => 1)\n`,
  })
  expect(refused(await p.run(['status']), ['rivers.config.ts', "'a'"], p.dir)).toMatchSnapshot()
})

test.concurrent(title(8, 'default export is a plain object, not a project'), T, async ({ expect }) => {
  const p = makeProject({ 'rivers.config.ts': `${one}export default { assets: [a] }\n` })
  expect(refused(await p.run(['status']), ['rivers.config.ts', 'defineProject'], p.dir)).toMatchSnapshot()
})

test.concurrent(title(9, 'default export is an array of assets'), T, async ({ expect }) => {
  const p = makeProject({ 'rivers.config.ts': `${one}export default [a]\n` })
  expect(refused(await p.run(['status']), ['rivers.config.ts', 'an array'], p.dir)).toMatchSnapshot()
})

test.concurrent(title(10, 'default export is a function (defineProject not called)'), T, async ({ expect }) => {
  const p = makeProject({
    'rivers.config.ts': `${one}export default function project() { return defineProject({ assets: [a] }) }\n`,
  })
  expect(refused(await p.run(['status']), ['rivers.config.ts', 'a function (project)'], p.dir)).toMatchSnapshot()
})
