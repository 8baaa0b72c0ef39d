/**
 * The part of the `Launcher` conformance suite about resuming: every attempt of one materialization
 * must see the same `RIVERS_CHECKPOINT_DIR` (the launcher hands the job's environment through
 * unchanged, whether it runs it here or writes it into a batch script), so a job resumes from what
 * the failed attempt saved; the folder is gone once the job succeeded.
 */
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'

import { asset, defineProject, openWorkspace } from '@rivers-orchestrator/rivers'
import { SqliteStore } from '@rivers-orchestrator/rivers/plugin'
import { expect, it } from 'vitest'

import type { ConformanceSetup } from './launcher.js'

/**
 * Registers the resume test in the current `describe` (called by `launcherConformance`).
 *
 * @example
 * resumeConformance(() => s, () => dir, 60_000)
 */
export function resumeConformance(setup: () => ConformanceSetup, workDir: () => string, testTimeoutMs: number): void {
  it(
    'a retried job sees the same RIVERS_CHECKPOINT_DIR in every attempt and resumes from it; it is removed after success',
    async () => {
      const s = setup()
      const dir = mkdtempSync(path.join(workDir(), 'resume-'))
      const seen = path.join(dir, 'seen')
      const script = path.join(dir, 'train.sh')
      writeFileSync(
        script,
        [
          'step=$(cat "$RIVERS_CHECKPOINT_DIR/step" 2>/dev/null || echo 0)',
          `echo "$RIVERS_CHECKPOINT_DIR $step" >> ${seen}`,
          'echo $((step + 1)) > "$RIVERS_CHECKPOINT_DIR/step"',
          '[ "$step" -ge 1 ] || exit 1',
          'printf \'{"resumedAt": %d}\' "$step" > "$RIVERS_OUTPUT"',
        ].join('\n'),
      )
      const storeDir = path.join(dir, '.rivers')
      const store = SqliteStore.open(storeDir)
      const train = asset({
        key: 'conformance/resume',
        command: ['/bin/sh', script],
        retry: { maxRetries: 1 },
        resources: s.runnableResources,
        launcher: s.setting,
      })
      const ws = await openWorkspace(defineProject({ assets: [train] }), { storeDir, store, logLevel: 'silent' })
      try {
        const summary = await ws.materialize()
        expect(summary.failed).toEqual([])
        if (s.stats !== undefined) s.stats.jobs += 2
        const runs = readFileSync(seen, 'utf8')
          .trim()
          .split('\n')
          .map((l) => l.split(' '))
        expect(runs.map(([, step]) => step)).toEqual(['0', '1'])
        expect(runs[0]![0]).toMatch(/checkpoints\/conformance\/resume\//)
        expect(runs[1]![0]).toBe(runs[0]![0])
        expect(existsSync(runs[0]![0]!)).toBe(false)
        const jobs = await store.listJobs({ runId: summary.runId })
        expect(jobs.map((j) => j.state).sort()).toEqual(['failed', 'succeeded'])
      } finally {
        await ws.close()
      }
    },
    testTimeoutMs,
  )
}
