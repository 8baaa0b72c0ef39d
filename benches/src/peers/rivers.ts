/**
 * Rivers' side of the peers comparison, in this process with the library, on the same generated
 * graph as Dagster: definitions + workspace open (graph build) on a fresh store, materialize
 * everything, status after one source's data version changes (a new workspace, as the next command
 * opens: `openWorkspace` + `observe()` of every source + `status(['*'])`), and the re-run Rivers does
 * by default (`materialize()` in that workspace: the stale assets only).
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { openWorkspace } from '@rivers-orchestrator/rivers'
import { projectFromGraph } from '../e2e/project.js'
import type { CsrGraph } from '../graphs.js'

/** Seconds per phase and counts of one Rivers run (`undefined`: the phase was not run). */
export interface PeerFigures {
  load_s: number
  materialize_s?: number
  materialized?: number
  status_s?: number
  stale?: number
  rerun_s: number
  rerun_materialized: number
}

/**
 * Runs the four phases on `g`, changing source `changed`.
 * @example const r = await riversPeer(dbt(1000, { order: 'topo' }), 0, true)
 */
export async function riversPeer(g: CsrGraph, changed: number, materializeAll: boolean): Promise<PeerFigures> {
  const dir = mkdtempSync(path.join(tmpdir(), 'rivers-peers-'))
  const observed = new Map<string, string>()
  const options = { storeDir: path.join(dir, 'store'), projectDir: dir, logLevel: 'silent' as const }
  try {
    let t = performance.now()
    const project = projectFromGraph(g, `peers-${g.n}`, undefined, observed)
    const ws = await openWorkspace(project, options)
    const out: PeerFigures = { load_s: (performance.now() - t) / 1000, rerun_s: 0, rerun_materialized: 0 }
    try {
      if (materializeAll) {
        t = performance.now()
        const all = await ws.materialize()
        out.materialize_s = (performance.now() - t) / 1000
        out.materialized = all.materialized.length
      }
    } finally {
      await ws.close()
    }
    // A workspace observes its sources once: the change is seen by the next one, as by the next command.
    observed.set(g.keys[changed] ?? '', 'changed')
    t = performance.now()
    const next = await openWorkspace(project, options)
    try {
      if (materializeAll) {
        await next.observe()
        const report = await next.status(['*'])
        out.status_s = (performance.now() - t) / 1000
        out.stale = report.assets.filter((a) => a.status !== 'fresh').length
      }
      t = performance.now()
      const rerun = await next.materialize()
      out.rerun_s = (performance.now() - t) / 1000
      out.rerun_materialized = rerun.materialized.length
      return out
    } finally {
      await next.close()
    }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}
