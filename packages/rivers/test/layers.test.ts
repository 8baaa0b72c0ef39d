/**
 * The library's import graph (docs/architecture.md): no import circle among the modules of
 * packages/rivers/src, and the arrows of the layers point one way (launchers, store, io, job and
 * definitions never import the engine; nothing but engine/planner.ts touches the native graph).
 * Type-only imports count too: a circle of types is still a circle of ideas.
 */
import { readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

import { describe, expect, it } from 'vitest'

import { importGraph, stronglyConnected } from './import-graph.js'

const SRC = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'src')

const graph = importGraph(SRC)

/** Folder of a module (`engine`, `launchers`, …), or `.` for the top-level files. */
const folder = (m: string): string => (m.includes('/') ? m.slice(0, m.indexOf('/')) : '.')

/** The public faces: the user API, the plugin API, the testing API, and the entry points that choose the defaults. */
const FACES = ['index.ts', 'plugin.ts', 'open.ts', 'testing/index.ts']

/** Built-in implementations of the seams (and the barrels that re-export them): the engine names none. */
const BUILT_INS = [
  'io/index.ts',
  'io/file-io-manager.ts',
  'launchers/index.ts',
  'launchers/builtins.ts',
  'launchers/local.ts',
  'launchers/slurm.ts',
  'store/index.ts',
  'store/sqlite-store.ts',
  'tracking/index.ts',
  'tracking/store-tracker.ts',
]

describe('the import graph of packages/rivers/src', () => {
  it('has no circle', () => {
    const circles = stronglyConnected(graph).filter((c) => c.length > 1)
    expect(circles).toEqual([])
  })

  it('points one way: seams and definitions never import the engine', () => {
    const upward: string[] = []
    for (const [from, tos] of graph)
      for (const to of tos)
        if (folder(to) === 'engine' && folder(from) !== 'engine' && !FACES.includes(from))
          upward.push(`${from} -> ${to}`)
    expect(upward).toEqual([])
  })

  it('keeps the engine on the seams: it names no built-in store, IO manager, launcher or tracker', () => {
    const named: string[] = []
    for (const [from, tos] of graph)
      if (folder(from) === 'engine') for (const to of tos) if (BUILT_INS.includes(to)) named.push(`${from} -> ${to}`)
    expect(named).toEqual([])
  })

  // Partitions are part of the definitions layer: assets declare them (`asset({ partitions })`,
  // `mapped()`), and the partition definitions use the definitions' time zones and suggestions.
  it('keeps definitions (with partitions) below everything but the shared errors', () => {
    const layer = ['definitions', 'partitions']
    const out: string[] = []
    for (const [from, tos] of graph)
      if (layer.includes(folder(from)))
        for (const to of tos) if (!layer.includes(folder(to)) && to !== 'errors.ts') out.push(`${from} -> ${to}`)
    expect(out).toEqual([])
  })

  it('calls the native graph from engine/planner.ts only', () => {
    const callers: string[] = []
    const walk = (dir: string): void => {
      for (const e of readdirSync(dir, { withFileTypes: true })) {
        const p = path.join(dir, e.name)
        if (e.isDirectory()) walk(p)
        else if (/\.ts$/.test(e.name) && !/\.test(-d)?\.ts$/.test(e.name)) {
          const text = readFileSync(p, 'utf8')
          if (/\bNativeGraph\b/.test(text)) callers.push(path.relative(SRC, p).split(path.sep).join('/'))
        }
      }
    }
    walk(SRC)
    expect(callers).toEqual(['engine/planner.ts'])
  })
})
