import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, expect, test } from 'vitest'
import { projectFiles } from './project-files.js'

const RIVERS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../rivers')
const dir = realpathSync(mkdtempSync(path.join(tmpdir(), 'rivers-watch-files-')))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

function write(files: Record<string, string>): void {
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, name)), { recursive: true })
    writeFileSync(path.join(dir, name), text)
  }
}

mkdirSync(path.join(dir, 'node_modules', '@rivers-orchestrator'), { recursive: true })
symlinkSync(RIVERS, path.join(dir, 'node_modules', '@rivers-orchestrator', 'rivers'), 'dir')
write({
  'package.json': '{"type":"module"}',
  'node_modules/helper/package.json': '{"name":"helper","type":"module","main":"index.js"}',
  'node_modules/helper/index.js': 'export const one = 1\n',
  'src/lib.ts': "import { one } from 'helper'\nexport const two = one * 2\n",
  'src/late.ts': 'export const three = 3\n',
  'rivers.config.ts': `import { asset, defineProject, source } from '@rivers-orchestrator/rivers'
import { two } from './src/lib.ts'
const { three } = await import('./src/late.ts')
const raw = source({ key: 'raw', path: 'data/raw.csv' })
const a = asset({ key: 'a', deps: { raw } }, () => two + three)
export default defineProject({ assets: [a] })
`,
})
const file = path.join(dir, 'rivers.config.ts')
/** Each test imports the project (and the library's sources) afresh: seconds on a busy machine. */
const T = { timeout: 30_000 }

test(
  'the local modules Node loaded (static and dynamic imports), not packages; the files of path sources',
  T,
  async () => {
    const found = await projectFiles(file, path.join(dir, '.rivers'))
    expect(found.error).toBeUndefined()
    expect(found.modules.map((f) => path.relative(dir, f)).sort()).toEqual([
      'rivers.config.ts',
      'src/late.ts',
      'src/lib.ts',
    ])
    expect(found.sources).toEqual([path.join(dir, 'data', 'raw.csv')])
  },
)

test('a fresh load each time: an edit that changes the imports shows', T, async () => {
  write({
    'src/lib.ts': 'export const two = 2\n',
    'src/late.ts': "export { three } from './three.ts'\n",
    'src/three.ts': 'export const three = 3\n',
  })
  const found = await projectFiles(file, path.join(dir, '.rivers'))
  expect(found.modules.map((f) => path.relative(dir, f)).sort()).toEqual([
    'rivers.config.ts',
    'src/late.ts',
    'src/lib.ts',
    'src/three.ts',
  ])
})

test('a project that does not load: the error, and the modules reached before it', T, async () => {
  write({ 'src/three.ts': 'export const three = (\n' })
  const found = await projectFiles(file, path.join(dir, '.rivers'))
  expect(found.error).toBeInstanceOf(Error)
  expect(found.modules).toContain(file)
  expect(found.sources).toEqual([])
})
