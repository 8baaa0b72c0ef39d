/**
 * Files an asset attaches (`ctx.attach` in a function, `artifact` messages of a command job): copied
 * into the store folder, listed in the record's metadata, handed to the trackers; a bad name or a
 * missing file fails the asset with the reason.
 */
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { asset, defineProject, openWorkspace, type TrackedMaterialization, type Tracker } from '../index.js'
import { GC_MARGIN_MS } from './gc-safety.js'

const CLIENT = fileURLToPath(new URL('../../clients/rivers-job.mjs', import.meta.url))
let dir: string
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'rivers-attach-'))
})
afterEach(() => rmSync(dir, { recursive: true, force: true }))

describe('attachments', () => {
  it('keeps the files a function and a command job attach, lists them in the record and tells the trackers', async () => {
    const plot = path.join(dir, 'plot.txt')
    const report = asset({ key: 'model/report' }, async (_: unknown, ctx) => {
      writeFileSync(plot, 'roc curve v1')
      const kept = await ctx.attach(plot, 'roc.txt')
      writeFileSync(plot, 'overwritten after attach') // the copy is what was attached
      return { kept }
    })
    const script = [
      `const rj = await import(${JSON.stringify(CLIENT)})`,
      "const fs = await import('node:fs')",
      "fs.writeFileSync('confusion.csv', 'tp,fp\\n9,1\\n')",
      "rj.attach('confusion.csv')",
      'rj.writeOutputJson({ ok: true })',
    ].join('; ')
    const job = asset({
      key: 'model/job',
      command: [process.execPath, '--input-type=module', '-e', script],
      cwd: dir,
      launcher: 'local',
    })
    const told: TrackedMaterialization[] = []
    const tracker: Tracker = { name: 'memory', materialized: async (m) => void told.push(m) }
    const storeDir = path.join(dir, '.rivers')
    const ws = await openWorkspace(defineProject({ assets: [report, job] }), {
      storeDir,
      logLevel: 'silent',
      trackers: [tracker],
    })
    try {
      const summary = await ws.materialize()
      expect(summary.failed).toEqual([])
      const [rec] = (await ws.show('model/report')).history
      const rel = `attachments/model/report/${summary.runId}/roc.txt`
      expect(rec!.metadata).toMatchObject({ attachments: { 'roc.txt': rel } })
      expect(readFileSync(path.join(storeDir, rel), 'utf8')).toBe('roc curve v1')
      const [jobRec] = (await ws.show('model/job')).history
      const jobRel = `attachments/model/job/${summary.runId}/confusion.csv`
      expect(jobRec!.metadata).toMatchObject({ attachments: { 'confusion.csv': jobRel } })
      expect(readFileSync(path.join(storeDir, jobRel), 'utf8')).toBe('tp,fp\n9,1\n')
      const byKey = Object.fromEntries(told.map((m) => [m.assetKey, m.attachments]))
      expect(byKey).toEqual({
        'model/report': { 'roc.txt': path.join(storeDir, rel) },
        'model/job': { 'confusion.csv': path.join(storeDir, jobRel) },
      })
    } finally {
      await ws.close()
    }
  })

  it('fails the asset, naming it and the fix, for a bad name or a file that is not there', async () => {
    const badName = asset({ key: 'bad-name' }, async (_: unknown, ctx) => {
      writeFileSync(path.join(dir, 'a.txt'), 'x')
      await ctx.attach(path.join(dir, 'a.txt'), '../escape.txt')
      return 1
    })
    const missing = asset({ key: 'missing' }, async (_: unknown, ctx) => {
      await ctx.attach(path.join(dir, 'never-written.png'))
      return 1
    })
    const ws = await openWorkspace(defineProject({ assets: [badName, missing] }), {
      storeDir: path.join(dir, '.rivers'),
      logLevel: 'silent',
    })
    try {
      const summary = await ws.materialize()
      const errors = Object.fromEntries(summary.failed.map((f) => [f.key, f.error]))
      expect(errors['bad-name']).toMatch(/attached a file as '\.\.\/escape\.txt', which is not a plain file name/)
      expect(errors.missing).toMatch(/attached .*never-written\.png, which does not exist\. Write the file first/)
    } finally {
      await ws.close()
    }
  })

  it('gc deletes the attachments of the records it collects with their artifact, and keeps the current and pinned ones', async () => {
    const storeDir = path.join(dir, '.rivers')
    let round = 0
    const report = asset({ key: 'eval/report', retention: { keep: 1 } }, async (_: unknown, ctx) => {
      round++
      const file = path.join(dir, `plot-${round}.txt`)
      writeFileSync(file, `roc curve of round ${round}`.padEnd(1000, '.'))
      await ctx.attach(file, 'roc.txt')
      return round
    })
    const ws = await openWorkspace(defineProject({ assets: [report] }), { storeDir, logLevel: 'silent' })
    try {
      const runs: string[] = []
      for (let i = 0; i < 3; i++) runs.push((await ws.materialize({ force: true })).runId)
      const folder = (run: string) => path.join(storeDir, 'attachments', 'eval', 'report', run)
      await ws.pin('eval/report', { runId: runs[0]! })
      await new Promise((resolve) => setTimeout(resolve, GC_MARGIN_MS + 100))
      // The dry run counts the attachment in the collected record's bytes, and deletes nothing.
      const dry = await ws.gc([], { apply: false })
      const artifact = dry.files.find((f) => f.key === 'eval/report')!
      expect(dry.files.filter((f) => f.key === 'eval/report')).toHaveLength(1)
      expect(artifact.bytes).toBeGreaterThan(1000)
      expect(existsSync(folder(runs[1]!))).toBe(true)
      await ws.gc([], { apply: true })
      // Run 2's record was collected: its attachment and its folder are gone.
      expect(existsSync(folder(runs[1]!))).toBe(false)
      // Run 1's is pinned, run 3's is current: both keep theirs, as the records say.
      for (const run of [runs[0]!, runs[2]!]) expect(readdirSync(folder(run))).toEqual(['roc.txt'])
      const [current] = (await ws.show('eval/report')).history
      const rel = (current!.metadata as { attachments: Record<string, string> }).attachments['roc.txt']!
      expect(readFileSync(path.join(storeDir, rel), 'utf8')).toMatch(/^roc curve of round 3/)
    } finally {
      await ws.close()
    }
  })
})
