/**
 * Files an asset attaches (`ctx.attach` in a function, `artifact` messages of a command job): copied
 * into the store folder, listed in the record's metadata, handed to the trackers; a bad name or a
 * missing file fails the asset with the reason.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { asset, defineProject, openWorkspace, type TrackedMaterialization, type Tracker } from '../index.js'

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
})
