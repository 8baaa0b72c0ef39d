/**
 * The project `assets init` writes: the files of packages/cli/starter/ (a pipeline that runs and a
 * test that passes; this repository type-checks and tests them like its own code), plus the
 * package.json made here (it names this release's packages) and the .gitignore (npm leaves
 * .gitignore files out of packages).
 */
import { readdirSync, readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

/** The template folder (beside src/ and dist/ alike). */
const TEMPLATE = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'starter')

/** Ranges of the starter's registry dependencies (zod and vitest as this repository uses them). */
export const STARTER_RANGES = {
  zod: '^4.1.0',
  '@types/node': '^20.19.0',
  typescript: '^5.9.3',
  vitest: '^4.0.0',
} as const

/** What each file is, for the listing `assets init` prints. */
export const STARTER_NOTES: Readonly<Record<string, string>> = {
  'rivers.config.ts': 'the project: a source (data/orders.csv), two assets, a check and a run config',
  'src/orders.ts': 'the plain functions the assets call',
  'src/orders.test.ts': 'a unit test of daily_revenue (npm test)',
  'data/orders.csv': 'the source data',
  'package.json': 'scripts: materialize, status, test, typecheck',
  'tsconfig.json': 'strict, NodeNext',
  '.gitignore': '.rivers/ (the store) and node_modules/',
}

/**
 * The starter's files, path (with `/`) to text, in the order they are listed.
 *
 * @example
 * starterFiles('demo')['package.json'] // '{\n  "name": "demo", ...'
 */
export function starterFiles(folderName: string): Record<string, string> {
  const files: Record<string, string> = {}
  for (const rel of templateFiles()) files[rel] = readFileSync(path.join(TEMPLATE, rel), 'utf8')
  files['package.json'] = `${JSON.stringify(starterManifest(folderName), null, 2)}\n`
  files['.gitignore'] = '.rivers/\nnode_modules/\n'
  const order = Object.keys(STARTER_NOTES)
  const rank = (f: string) => (order.includes(f) ? order.indexOf(f) : order.length)
  return Object.fromEntries(Object.entries(files).sort(([a], [b]) => rank(a) - rank(b) || a.localeCompare(b)))
}

/**
 * The starter's package.json: this release of Rivers, zod 4, and vitest and tsc for `test` and
 * `typecheck`.
 *
 * @example
 * starterManifest('My Pipeline').name // 'my-pipeline'
 */
export function starterManifest(folderName: string): Record<string, unknown> {
  const version = (createRequire(import.meta.url)('../package.json') as { version: string }).version
  return {
    name: packageName(folderName),
    version: '0.1.0',
    private: true,
    type: 'module',
    scripts: {
      materialize: 'assets materialize',
      status: 'assets status',
      test: 'vitest run',
      typecheck: 'tsc',
    },
    dependencies: {
      '@rivers-orchestrator/cli': `^${version}`,
      '@rivers-orchestrator/rivers': `^${version}`,
      zod: STARTER_RANGES.zod,
    },
    devDependencies: {
      '@types/node': STARTER_RANGES['@types/node'],
      typescript: STARTER_RANGES.typescript,
      vitest: STARTER_RANGES.vitest,
    },
    engines: { node: '>=20' },
  }
}

/**
 * A valid npm package name made from a folder name.
 *
 * @example
 * packageName('My Pipeline!') // 'my-pipeline'
 */
export function packageName(folderName: string): string {
  const name = folderName
    .toLowerCase()
    .replace(/[^a-z0-9._~-]+/g, '-')
    .replace(/^[._-]+|[-]+$/g, '')
    .slice(0, 214)
  return name === '' ? 'rivers-project' : name
}

function templateFiles(): string[] {
  return readdirSync(TEMPLATE, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => path.relative(TEMPLATE, path.join(e.parentPath, e.name)).split(path.sep).join('/'))
    .filter((rel) => !rel.split('/').includes('node_modules') && !rel.split('/').includes('.rivers'))
}
