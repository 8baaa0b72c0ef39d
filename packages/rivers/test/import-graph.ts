/**
 * A small reader of a TypeScript source tree's relative imports (static `import`/`export … from`,
 * type-only ones included, and `import('…')` expressions), for the layering test and for printing
 * the graph (`node --import tsx packages/rivers/test/import-graph.ts [--dot]`).
 */
import { readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

/** Module (path relative to the root, `/`-separated) -> the modules it imports. */
export type ImportGraph = Map<string, Set<string>>

const IMPORT = /(?:^|\n)\s*(?:import|export)\b[^'"`;]*?\bfrom\s*['"]([^'"]+)['"]|\bimport\(\s*['"]([^'"]+)['"]\s*\)/g

/**
 * The relative imports of every non-test `.ts` file under `root`.
 *
 * @example
 * const graph = importGraph('packages/rivers/src')
 * graph.get('engine/workspace.ts') // Set { 'engine/run.ts', … }
 */
export function importGraph(root: string): ImportGraph {
  const graph: ImportGraph = new Map()
  const files: string[] = []
  const walk = (dir: string): void => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name)
      if (e.isDirectory()) walk(p)
      else if (e.name.endsWith('.ts') && !/\.test(-d)?\.ts$|\.fixture\.ts$|\.d\.ts$/.test(e.name)) files.push(p)
    }
  }
  walk(root)
  const rel = (p: string): string => path.relative(root, p).split(path.sep).join('/')
  for (const file of files) {
    const deps = new Set<string>()
    const text = readFileSync(file, 'utf8').replace(/\/\*[\s\S]*?\*\//g, '')
    for (const m of text.matchAll(IMPORT)) {
      const spec = m[1] ?? m[2]
      if (spec === undefined || !spec.startsWith('.')) continue
      const target = path.resolve(path.dirname(file), spec.replace(/\.js$/, '.ts'))
      deps.add(rel(target))
    }
    graph.set(rel(file), deps)
  }
  return graph
}

/**
 * Strongly connected components (Tarjan, iterative); a component of more than one module is an
 * import circle.
 *
 * @example
 * stronglyConnected(graph).filter((c) => c.length > 1) // [] when there is no circle
 */
export function stronglyConnected(graph: ImportGraph): string[][] {
  let next = 0
  const index = new Map<string, number>()
  const low = new Map<string, number>()
  const onStack = new Set<string>()
  const stack: string[] = []
  const out: string[][] = []
  for (const start of graph.keys()) {
    if (index.has(start)) continue
    const work: [string, Iterator<string>][] = []
    const enter = (v: string): void => {
      index.set(v, next)
      low.set(v, next++)
      stack.push(v)
      onStack.add(v)
      work.push([v, (graph.get(v) ?? new Set<string>()).values()])
    }
    enter(start)
    while (work.length > 0) {
      const [v, it] = work[work.length - 1]!
      const n = it.next()
      if (!n.done) {
        const w = n.value
        if (!graph.has(w)) continue
        if (!index.has(w)) enter(w)
        else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!))
        continue
      }
      work.pop()
      if (work.length > 0) {
        const parent = work[work.length - 1]![0]
        low.set(parent, Math.min(low.get(parent)!, low.get(v)!))
      }
      if (low.get(v) === index.get(v)) {
        const comp: string[] = []
        let w: string
        do {
          w = stack.pop()!
          onStack.delete(w)
          comp.push(w)
        } while (w !== v)
        out.push(comp.sort())
      }
    }
  }
  return out
}

/** Prints the graph of packages/rivers/src folder by folder (or as Graphviz DOT with `--dot`). */
function main(): void {
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'src')
  const graph = importGraph(root)
  const folder = (m: string): string => (m.includes('/') ? m.slice(0, m.indexOf('/')) : m)
  if (process.argv.includes('--dot')) {
    console.log('digraph rivers {')
    for (const [from, tos] of graph) for (const to of tos) console.log(`  "${from}" -> "${to}";`)
    console.log('}')
    return
  }
  const folders = new Map<string, Set<string>>()
  for (const [from, tos] of graph)
    for (const to of tos)
      if (folder(from) !== folder(to)) {
        const set = folders.get(folder(from)) ?? new Set<string>()
        set.add(folder(to))
        folders.set(folder(from), set)
      }
  for (const [f, tos] of [...folders].sort()) console.log(`${f} -> ${[...tos].sort().join(', ')}`)
  const circles = stronglyConnected(graph).filter((c) => c.length > 1)
  console.log(
    circles.length === 0 ? 'no import circle' : `circles:\n${circles.map((c) => `  ${c.join(' ')}`).join('\n')}`,
  )
  for (const m of [...graph.keys()].sort()) console.log(`${m}: ${[...graph.get(m)!].sort().join(', ')}`)
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) main()
