/**
 * Every `@example` block of packages/rivers/src and packages/cli/src type-checks (see examples.ts for
 * what an example may assume), and the check does catch an example that does not.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

import { expect, it } from 'vitest'

import { checkExamples, findExamples } from './examples.js'

const HERE = path.dirname(fileURLToPath(import.meta.url))
const REPO = path.resolve(HERE, '..', '..', '..')
const TSCONFIG = path.join(REPO, 'tsconfig.json')

it('type-checks every @example of the library and the CLI', () => {
  const examples = findExamples([path.join(REPO, 'packages/rivers/src'), path.join(REPO, 'packages/cli/src')])
  expect(examples.length).toBeGreaterThan(400)
  const problems = checkExamples(examples, TSCONFIG)
  expect(problems.map((p) => `${p.example}: ${p.message}`)).toEqual([])
}, 240_000)

it('reports an example that calls an API wrongly, or one that does not exist', () => {
  // A folder inside the package, so that the examples resolve the library as the real ones do.
  const dir = mkdtempSync(path.join(HERE, 'tmp-examples-'))
  try {
    writeFileSync(
      path.join(dir, 'api.ts'),
      [
        '/**',
        ' * @example',
        ' * const n = twice(2) // fine',
        ' */',
        'export function twice(n: number): number {',
        '  return 2 * n',
        '}',
        '/**',
        ' * @example',
        " * twice('2')",
        ' * thrice(3)',
        " * parseDuration('2h') // the user API is in scope",
        ' */',
        'export const unused = 0',
        '',
      ].join('\n'),
    )
    const problems = checkExamples(findExamples([dir]), TSCONFIG)
    expect(problems.map((p) => p.message)).toEqual([
      "Argument of type 'string' is not assignable to parameter of type 'number'.",
      "Cannot find name 'thrice'.",
    ])
    expect(problems.every((p) => p.example.endsWith('api.ts:9'))).toBe(true)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}, 240_000)
