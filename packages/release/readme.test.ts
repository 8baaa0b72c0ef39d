import { readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'

import { describe, expect, it } from 'vitest'

import { quickStart } from './readme.js'
import { ROOT } from './workspace.js'

const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8')

describe("the README's quick start", () => {
  it('installs the published names, writes tsconfig.json and rivers.config.ts, then runs', () => {
    const steps = quickStart(readme)
    expect(steps.map((s) => (s.kind === 'file' ? `file ${s.name}` : s.line.split(' ').slice(0, 3).join(' ')))).toEqual([
      'npm install @rivers-orchestrator/rivers',
      'npm install --save-dev',
      'npm pkg set',
      'mkdir -p data',
      'file tsconfig.json',
      'file rivers.config.ts',
      'npx assets materialize',
      'npx assets status',
      'npx tsc',
    ])
    expect(steps[0]).toEqual({
      kind: 'command',
      line: 'npm install @rivers-orchestrator/rivers @rivers-orchestrator/cli zod',
    })
    const tsconfig = steps.find((s) => s.kind === 'file' && s.name === 'tsconfig.json')
    expect(JSON.parse(tsconfig!.kind === 'file' ? tsconfig!.text : '').compilerOptions).toMatchObject({
      module: 'NodeNext',
      strict: true,
    })
  })

  it('keeps the first two commands of a clone: set up and run the example, run every test', () => {
    const first = /```sh\n([\s\S]*?)```/.exec(readme)![1]!.split('\n')
    expect(first[0]).toMatch(
      /^npm install && npx assets materialize --project examples\/ml-pipeline\/rivers\.config\.ts\s+#/,
    )
    expect(first[1]).toMatch(/^npm test\s+#/)
    expect(readme.indexOf('## Start a project')).toBeLessThan(readme.indexOf('## A pipeline'))
  })
})

describe('docs, starter and examples', () => {
  const docs = [
    'README.md',
    'CONTRIBUTING.md',
    'packages/rivers/README.md',
    'packages/cli/README.md',
    'bindings/node/README.md',
  ]
  const code = (dir: string): string[] =>
    readdirSync(path.join(ROOT, dir), { recursive: true, withFileTypes: true })
      .filter((e) => e.isFile() && /\.(ts|mts|mjs|js|md)$/.test(e.name) && !e.parentPath.includes('node_modules'))
      .map((e) => path.relative(ROOT, path.join(e.parentPath, e.name)))

  it('import Rivers by its published names only', () => {
    const offenders: string[] = []
    for (const file of [...docs, ...code('examples'), ...code('packages/cli/starter')]) {
      const text = readFileSync(path.join(ROOT, file), 'utf8')
      for (const m of text.matchAll(/(?:from|import)\s*\(?\s*['"]([^'"]+)['"]/g)) {
        const spec = m[1]!
        if (/^(rivers|@rivers\/|rivers\/)|packages\/(rivers|cli)\/src/.test(spec)) offenders.push(`${file}: ${spec}`)
      }
    }
    expect(offenders).toEqual([])
  })
})
