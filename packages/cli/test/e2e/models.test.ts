/**
 * The model registry of the example through the real `assets` binary: versions of model/registry
 * from its runs, `assets promote` refused by the gate with the numbers (exit 1), a forced promotion
 * with its reason, `assets rollback`, and model/deploy (which depends on the champion alias) re-run
 * after each move and serving the version the alias names.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, describe, expect, it } from 'vitest'
import { runCli } from './project.js'

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..')
const store = mkdtempSync(path.join(tmpdir(), 'rivers-models-e2e-'))
afterAll(() => rmSync(store, { recursive: true, force: true }))

const assets = (...args: string[]) =>
  runCli(['--project', 'examples/ml-pipeline/rivers.config.ts', '--store', store, ...args], ROOT)
const train = (config?: object) =>
  assets('materialize', '+model/registry', ...(config === undefined ? [] : ['--config', JSON.stringify(config)]))
const served = async (): Promise<number | null> => {
  const r = await assets('materialize', 'model/deploy', '--json')
  expect(r.code, r.stderr).toBe(0)
  const shown = await assets('show', 'model/deploy', '--json')
  return (shown.json().history[0].metadata?.version as number | undefined) ?? null
}

describe('assets models / promote / rollback on the example', () => {
  it('registers versions, gates promotions, rolls back, and model/deploy follows the champion', async () => {
    expect((await train()).code).toBe(0)
    expect(await served()).toBe(null) // no champion yet
    expect((await train({ 'model/logreg': { epochs: 30 } })).code).toBe(0) // a slightly worse model: v2
    const models = (await assets('models', 'model/registry', '--json')).json()
    expect(models.name).toBe('penguins-adelie-classifier')
    expect(models.versions.map((v: { version: number }) => v.version)).toEqual([1, 2])
    const [v1, v2] = models.versions
    expect(v1.metrics.accuracy).toBeGreaterThan(v2.metrics.accuracy)
    expect(v1.inputs.map((i: { key: string }) => i.key).sort()).toEqual([
      'model/evaluation',
      'model/logreg',
      'penguins/clean',
      'penguins/split',
    ])

    let r = await assets('promote', 'model/registry', '1', '--alias', 'champion', '--reason', 'first')
    expect(r.code, r.stderr).toBe(0)
    expect(r.stdout).toContain("Promoted model/registry v1 to 'champion' (it named no version).")
    expect(await served()).toBe(1)

    r = await assets('promote', 'model/registry', '--alias', 'champion')
    expect(r.code).toBe(1)
    expect(r.stderr).toContain(
      "Version 2 of 'model/registry' was not promoted to 'champion': the promotion gate refused it.",
    )
    expect(r.stderr).toMatch(/FAIL {2}accuracy 0\.\d+ < champion v1's 1 {2}\(not below champion\)/)
    expect(r.stderr).toContain('Nothing was changed.')

    r = await assets('promote', 'model/registry', '--alias', 'champion', '--force')
    expect(r.code).toBe(2)
    expect(r.stderr).toContain('needs a reason')

    r = await assets('promote', 'model/registry', '--alias', 'champion', '--force', '--reason', 'canary')
    expect(r.code, r.stderr).toBe(0)
    expect(r.stdout).toContain("Promoted model/registry v2 to 'champion' (was v1), forced past the gate.")
    expect(r.stdout).toContain('Followed by model/registry.champion')
    expect(await served()).toBe(2)

    r = await assets('rollback', 'model/registry', '--alias', 'champion', '--reason', 'canary lost accuracy')
    expect(r.code, r.stderr).toBe(0)
    expect(r.stdout).toContain("Rolled back 'champion' of model/registry to v1 (was v2).")
    expect(await served()).toBe(1)

    // The default config again gives the same weights: the same version, not a new one.
    expect((await train()).code).toBe(0)
    const after = (await assets('models', 'model/registry', '--json')).json()
    expect(after.versions.map((v: { version: number; records: number }) => [v.version, v.records])).toEqual([
      [1, 2],
      [2, 1],
    ])
    const text = (await assets('models', 'model/registry')).stdout
    expect(text).toMatch(/aliases: champion (→|->) v1/)
    expect(text).toMatch(/champion {2}v2 (→|->) v1 {2}rollback by .+: canary lost accuracy/)

    r = await assets('promote', 'model/registry', 'latest', '--alias', 'champion')
    expect(r.code).toBe(2)
    expect(r.stderr).toContain(
      "assets promote model/registry VERSION expects a version number such as 3 or v3, got 'latest'",
    )
    r = await assets('rollback', 'model/logreg', '--alias', 'champion')
    expect(r.code).toBe(2)
    expect(r.stderr).toContain("'model/logreg' is not a registered model. The project's models: model/registry.")
  }, 180_000)
})
