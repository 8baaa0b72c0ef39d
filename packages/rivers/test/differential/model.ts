/**
 * The generated projects of the differential test, as a model rendered to files: constants,
 * a chain of helper modules, a factory module, a local npm package installed in node_modules, a
 * linked package (a symlink to a folder outside node_modules), file sources (one with a `load`),
 * and assets spread over several modules (plain definitions with config defaults, and factory
 * calls), with cross-module deps only towards earlier modules.
 *
 * The model also knows, for each asset, its definition modules and their import closure: the
 * oracle of which edits may (and must) change which code versions.
 */

/** A tiny seeded PRNG (mulberry32). */
export class Rng {
  #s: number
  constructor(seed: number) {
    this.#s = seed >>> 0
  }
  u32(): number {
    let t = (this.#s = (this.#s + 0x6d2b79f5) >>> 0)
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return (t ^ (t >>> 14)) >>> 0
  }
  int(n: number): number {
    return this.u32() % n
  }
  pick<T>(xs: readonly T[]): T {
    return xs[this.int(xs.length)]!
  }
  chance(p: number): boolean {
    return this.u32() / 4294967296 < p
  }
}

/** One asset of the model. */
export interface AssetModel {
  key: string
  /** Index into `files` (the last file is rivers.config.ts). */
  file: number
  kind: 'plain' | 'factory'
  /** Keys of its inputs: earlier assets or sources. */
  deps: string[]
  /** Plain assets: the constant of its own function, the helper it calls, its config default. */
  own: number
  /** `+ 0` appended to its function (same results, new text). */
  padded: boolean
  helper: number | null
  configDefault: number | null
  usesPkg: boolean
  usesLinked: boolean
  /** Factory assets: the argument of the factory call. */
  factor: number
}

/** The whole project. */
export interface Model {
  consts: number[]
  /** helper i: `x + add + K[k]` plus helper `next` when set (next > i: no cycles). */
  helpers: { add: number; k: number; next: number | null }[]
  pkg: { version: number; mul: number }
  linked: { add: number }
  sources: string[]
  /** Number of asset modules besides rivers.config.ts. */
  modules: number
  assets: AssetModel[]
  /** Whitespace lines at the end of src/unused.ts (imported by nobody). */
  unused: number
  /** Comment lines added to each helper module (they change no code version). */
  comments: number[]
}

const SRC_COUNT = 2
const HELPERS = 4

/**
 * A random initial project: 2 asset modules plus rivers.config.ts, 8 to 13 assets.
 *
 * @example
 * const model = initialModel(new Rng(1))
 */
export function initialModel(rng: Rng): Model {
  const model: Model = {
    consts: [3, 5, 7],
    helpers: Array.from({ length: HELPERS }, (_, i) => ({
      add: rng.int(9),
      k: rng.int(3),
      next: i + 1 < HELPERS && rng.chance(0.6) ? i + 1 + rng.int(HELPERS - i - 1) : null,
    })),
    pkg: { version: 1, mul: 2 },
    linked: { add: 1 },
    sources: Array.from({ length: SRC_COUNT }, (_, i) => `${i + 1},${i + 2},${i + 3}`),
    modules: 2,
    assets: [],
    unused: 0,
    comments: Array.from({ length: HELPERS }, () => 0),
  }
  const n = 8 + rng.int(6)
  for (let i = 0; i < n; i++) {
    const file = Math.min(model.modules, Math.floor((i * (model.modules + 1)) / n))
    const earlier = [...sourceKeys(model), ...model.assets.filter((a) => a.file <= file).map((a) => a.key)]
    const factory = i > 0 && rng.chance(0.3)
    const deps = factory
      ? [rng.pick(model.assets.filter((a) => a.file <= file)).key]
      : pickSome(rng, earlier, 1 + rng.int(2))
    model.assets.push({
      key: `a${i}`,
      file,
      kind: factory ? 'factory' : 'plain',
      deps,
      own: 10 + rng.int(80),
      padded: false,
      helper: rng.chance(0.7) ? rng.int(HELPERS) : null,
      configDefault: rng.chance(0.3) ? 1 + rng.int(5) : null,
      usesPkg: rng.chance(0.3),
      usesLinked: rng.chance(0.3),
      factor: 2 + rng.int(7),
    })
  }
  return model
}

function pickSome(rng: Rng, xs: readonly string[], k: number): string[] {
  const out: string[] = []
  for (let j = 0; j < k && out.length < xs.length; j++) {
    const x = rng.pick(xs)
    if (!out.includes(x)) out.push(x)
  }
  return out
}

/** Keys of the sources. */
export function sourceKeys(model: Model): string[] {
  return model.sources.map((_, i) => `s${i}`)
}

/** Path of asset module `f` (the last one is the project file). */
export function moduleFile(model: Model, f: number): string {
  return f === model.modules ? 'rivers.config.ts' : `src/assets_${f}.ts`
}

/** What a module imports (local files, and `localpkg` / `linkedpkg` by package name). */
export function moduleImports(model: Model, f: number): string[] {
  const own = model.assets.filter((a) => a.file === f)
  const out = new Set<string>()
  for (const a of own) {
    if (a.kind === 'factory') out.add('src/factory.ts')
    else {
      if (a.helper !== null) out.add(`src/h${a.helper}.ts`)
      if (a.usesPkg) out.add('localpkg')
      if (a.usesLinked) out.add('linkedpkg')
    }
    for (const d of a.deps) {
      const dep = model.assets.find((b) => b.key === d)
      const depFile = dep === undefined ? 0 : dep.file // sources live in the first module
      if (depFile !== f) out.add(moduleFile(model, depFile))
    }
  }
  if (f === model.modules) for (let g = 0; g < model.modules; g++) out.add(moduleFile(model, g))
  return [...out].sort()
}

/** Every file a module's import closure holds (itself included; packages by name). */
export function closureOf(model: Model, file: string): Set<string> {
  const seen = new Set<string>()
  const stack = [file]
  while (stack.length > 0) {
    const f = stack.pop()!
    if (seen.has(f)) continue
    seen.add(f)
    stack.push(...importsOfFile(model, f))
  }
  return seen
}

function importsOfFile(model: Model, file: string): string[] {
  const h = /^src\/h(\d+)\.ts$/.exec(file)
  if (h !== null) {
    const helper = model.helpers[Number(h[1])]!
    return helper.next === null ? ['src/consts.ts'] : ['src/consts.ts', `src/h${helper.next}.ts`]
  }
  if (file === 'src/factory.ts') return ['src/consts.ts']
  for (let f = 0; f <= model.modules; f++) if (moduleFile(model, f) === file) return moduleImports(model, f)
  return []
}

/** The modules on an asset's definition stack. */
export function stackModules(model: Model, a: AssetModel): string[] {
  const file = moduleFile(model, a.file)
  return a.kind === 'factory' ? ['src/factory.ts', file] : [file]
}

/** Every file (and package name) an asset's code version covers. */
export function assetClosure(model: Model, a: AssetModel): Set<string> {
  const out = new Set<string>()
  for (const m of stackModules(model, a)) for (const f of closureOf(model, m)) out.add(f)
  return out
}

/**
 * Every file of the project: path relative to the project folder -> text. `libs/linked/*` is the
 * linked package (symlinked from node_modules/linkedpkg by the runner).
 *
 * @example
 * for (const [file, text] of Object.entries(render(model))) writeFileSync(path.join(dir, file), text)
 */
export function render(model: Model): Record<string, string> {
  const files: Record<string, string> = {
    'package.json': JSON.stringify({ name: 'generated', private: true, type: 'module' }),
    'src/consts.ts': model.consts.map((k, i) => `export const K${i} = ${k}\n`).join(''),
    'src/factory.ts': `import { asset, type AssetDef } from '@rivers-orchestrator/rivers'
import { K2 } from './consts.js'

/** A factory: its argument lives in the caller's module. */
export function scaled(key: string, factor: number, dep: AssetDef<number[]>) {
  return asset({ key, deps: { x: dep } }, ({ x }) => x.map((v) => (v * factor + K2) % 1000))
}
`,
    'src/unused.ts': `export const unused = 1\n${'\n'.repeat(model.unused)}`,
    'node_modules/localpkg/package.json': JSON.stringify({
      name: 'localpkg',
      version: `1.${model.pkg.version}.0`,
      type: 'module',
      exports: './index.js',
    }),
    'node_modules/localpkg/index.js': `export function scale(x) {\n  return x * ${model.pkg.mul}\n}\n`,
    'libs/linked/package.json': JSON.stringify({
      name: 'linkedpkg',
      version: '0.1.0',
      type: 'module',
      main: 'index.js',
    }),
    'libs/linked/index.js': `export function shift(x) {\n  return x + ${model.linked.add}\n}\n`,
  }
  model.helpers.forEach((h, i) => {
    const next = h.next === null ? '' : ` + h${h.next}(x)`
    files[`src/h${i}.ts`] =
      `import { K${h.k} } from './consts.js'\n` +
      (h.next === null ? '' : `import { h${h.next} } from './h${h.next}.js'\n`) +
      `\nexport function h${i}(x: number): number {\n  return (x + ${h.add} + K${h.k}${next}) % 1000\n}\n` +
      Array.from({ length: model.comments[i] ?? 0 }, (_, j) => `// note ${j}\n\n`).join('')
  })
  model.sources.forEach((content, i) => {
    files[`data/s${i}.txt`] = content
  })
  for (let f = 0; f <= model.modules; f++) files[moduleFile(model, f)] = renderModule(model, f)
  return files
}

function importLine(model: Model, from: number, target: string): string {
  if (target === 'localpkg') return `import { scale } from 'localpkg'`
  if (target === 'linkedpkg') return `import { shift } from 'linkedpkg'`
  const fromFile = moduleFile(model, from)
  const rel = (to: string): string => {
    const up = fromFile.startsWith('src/') ? to.replace(/^src\//, './') : `./${to}`
    return up.replace(/\.ts$/, '.js')
  }
  if (target === 'src/factory.ts') return `import { scaled } from '${rel(target)}'`
  const h = /^src\/h(\d+)\.ts$/.exec(target)
  if (h !== null) return `import { h${h[1]} } from '${rel(target)}'`
  const names = model.assets.filter((a) => moduleFile(model, a.file) === target).map((a) => a.key)
  if (target === moduleFile(model, 0)) names.push(...sourceKeys(model))
  return `import { ${names.join(', ')} } from '${rel(target)}'`
}

function renderModule(model: Model, f: number): string {
  const isProject = f === model.modules
  const lines = [
    `import { asset, defineProject, source } from '@rivers-orchestrator/rivers'`,
    `import { z } from 'zod'`,
  ]
  if (f === 0) lines.push(`import { readFileSync } from 'node:fs'`)
  for (const target of moduleImports(model, f)) lines.push(importLine(model, f, target))
  lines.push(
    '',
    'const nums = (v: unknown): number[] => (Array.isArray(v) ? v : Buffer.isBuffer(v) ? [...v] : [Number(v)])',
  )
  if (f === 0) {
    // Sources live in the first module: s0 loads numbers through its own `load`, s1 is bytes.
    lines.push(
      `export const s0 = source({ key: 's0', path: 'data/s0.txt', load: (ctx) => readFileSync(ctx.path!, 'utf8').trim().split(',').map(Number) })`,
      `export const s1 = source({ key: 's1', path: 'data/s1.txt' })`,
    )
  }
  const exported = isProject ? '' : 'export '
  for (const a of model.assets.filter((x) => x.file === f)) {
    const dep = (k: string, j: number): string => `d${j}: ${k}`
    if (a.kind === 'factory') {
      lines.push(`${exported}const ${a.key} = scaled('${a.key}', ${a.factor}, ${a.deps[0]} as never)`)
      continue
    }
    const names = a.deps.map((_, j) => `d${j}`)
    const config = a.configDefault === null ? '' : `, config: z.object({ k: z.number().default(${a.configDefault}) })`
    let expr = `v + ${a.own}${a.padded ? ' + 0' : ''}`
    if (a.helper !== null) expr = `h${a.helper}(${expr})`
    if (a.usesPkg) expr = `scale(${expr})`
    if (a.usesLinked) expr = `shift(${expr})`
    if (a.configDefault !== null) expr = `${expr} * ctx.config.k`
    lines.push(
      `${exported}const ${a.key} = asset(`,
      `  { key: '${a.key}', deps: { ${a.deps.map(dep).join(', ')} }${config} },`,
      `  ({ ${names.join(', ')} }${a.configDefault === null ? '' : ', ctx'}) =>`,
      `    [${names.map((n) => `...nums(${n})`).join(', ')}].slice(0, 4).map((v) => (${expr}) % 1000),`,
      `)`,
    )
  }
  if (isProject)
    lines.push('', `export default defineProject({ assets: [${model.assets.map((a) => a.key).join(', ')}] })`)
  return `${lines.join('\n')}\n`
}
