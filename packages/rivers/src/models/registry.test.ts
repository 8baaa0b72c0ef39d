/**
 * The model registry end to end through a workspace on the SQLite store: versions from records,
 * promotion through the gate (with the numbers when it refuses), rollback as undo, the pin that
 * keeps a promoted version's artifact, and a `modelAlias` source whose consumer re-runs when the
 * alias moves (and only then).
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { z } from 'zod'
import { asset, defineProject, modelAlias, openWorkspace, type AliasTarget, type Workspace } from '../index.js'
import { aliasStack } from './registry.js'
import { metricValues, versionsOf } from './versions.js'

let dir: string
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'rivers-models-'))
})
afterEach(() => rmSync(dir, { recursive: true, force: true }))

const deployed: (AliasTarget | null)[] = []
const model = asset(
  {
    key: 'model',
    config: z.object({ quality: z.number().default(0.9) }),
    model: {
      name: 'churn',
      gate: { accuracy: { atLeast: 0.8, notBelowCurrent: true }, loss: { notAboveCurrent: 0.05 } },
    },
  },
  (_: unknown, ctx) => {
    ctx.addMetric('accuracy', ctx.config.quality)
    ctx.addMetric('loss', 0.5, 0)
    ctx.addMetric('loss', Math.round((1 - ctx.config.quality) * 100) / 100, 9)
    return { weights: [ctx.config.quality] }
  },
)
const champion = modelAlias(model, 'champion')
const deploy = asset({ key: 'deploy', deps: { champion } }, ({ champion }) => {
  deployed.push(champion)
  return champion === null ? 'nothing' : `v${champion.version}`
})
const project = defineProject({ assets: [model, deploy] })

async function open(): Promise<Workspace> {
  return openWorkspace(project, { storeDir: path.join(dir, '.rivers'), logLevel: 'silent' })
}

describe('model registry', () => {
  it('numbers versions by data version, promotes through the gate, rolls back, and the alias source follows', async () => {
    deployed.length = 0
    const ws = await open()
    try {
      await ws.materialize()
      expect(deployed).toEqual([null]) // no champion yet: the consumer still runs, with null
      await ws.materialize({ select: ['model'], force: true, config: { model: { quality: 0.9 } } }) // same weights
      let info = await ws.models.model('model')
      expect(info.name).toBe('churn')
      expect(info.versions.map((v) => [v.version, v.records, v.metrics])).toEqual([
        [1, 2, { accuracy: 0.9, loss: 0.1 }],
      ])

      const first = await ws.models.promote('model', { alias: 'champion', reason: 'first' })
      expect(first).toMatchObject({ from: null, to: 1, moved: true, forced: false })
      expect(first.checks.map((c) => c.passed)).toEqual([true, true, true])
      expect(await ws.models.promote('model', { alias: 'champion' })).toMatchObject({ moved: false, to: 1 })

      await ws.materialize()
      expect(deployed.at(-1)).toMatchObject({ key: 'model', name: 'churn', alias: 'champion', version: 1 })
      const runsBefore = deployed.length
      await ws.materialize()
      expect(deployed.length).toBe(runsBefore) // the alias did not move: deploy is fresh

      await ws.materialize({ config: { model: { quality: 0.85 } } }) // v2, worse
      await expect(ws.models.promote('model', { alias: 'champion' })).rejects.toThrow(
        /Version 2 of 'model' was not promoted to 'champion'[\s\S]*FAIL {2}accuracy 0\.85 < champion v1's 0\.9[\s\S]*pass {2}loss 0\.15 <= champion v1's 0\.1 \(margin 0\.05\)/,
      )
      await expect(ws.models.promote('model', { alias: 'champion', force: true })).rejects.toThrow(/needs a reason/)
      await ws.materialize({ config: { model: { quality: 0.95 } } }) // v3, better
      const third = await ws.models.promote('model', { alias: 'champion', reason: 'better' })
      expect(third).toMatchObject({ from: 1, to: 3, moved: true })
      await ws.materialize()
      expect(deployed.at(-1)).toMatchObject({ version: 3, metrics: { accuracy: 0.95 } })

      const back = await ws.models.rollback('model', { alias: 'champion', reason: 'v3 misbehaves' })
      expect(back).toMatchObject({ from: 3, to: 1, moved: true })
      await ws.materialize()
      expect(deployed.at(-1)).toMatchObject({ version: 1 })
      await expect(ws.models.rollback('model', { alias: 'champion' })).rejects.toThrow(
        /has named only version 1 since it was created/,
      )

      await ws.models.promote('model', { alias: 'champion', version: 2, force: true, reason: 'A/B test' })
      info = await ws.models.model('model')
      expect(info.aliases).toMatchObject([{ alias: 'champion', version: 2, reason: 'A/B test' }])
      expect(info.history.map((h) => [h.action, h.previous, h.version])).toEqual([
        ['promote', 1, 2],
        ['rollback', 3, 1],
        ['promote', 1, 3],
        ['promote', null, 1],
      ])
      // Every version an alias named is pinned, so gc keeps what a rollback needs.
      const { SqliteStore } = await import('../store/sqlite-store.js')
      const raw = SqliteStore.open(path.join(dir, '.rivers'), { readonly: true })
      try {
        // (v1 twice: the rollback pinned its newest record, rebuilt by a run with the default config.)
        expect([...new Set((await raw.pins('model')).map((p) => p.note))].sort()).toEqual([
          'model champion v1',
          'model champion v2',
          'model champion v3',
        ])
      } finally {
        await raw.close()
      }
      await expect(ws.models.promote('model', { alias: 'champion', version: 9 })).rejects.toThrow(
        /has no version 9: its versions are 1 to 3/,
      )
      await expect(ws.models.promote('deploy', { alias: 'champion' })).rejects.toThrow(
        /'deploy' is not a registered model\. The project's models: model/,
      )
      await expect(ws.models.promote('model', { alias: 'prod env' })).rejects.toThrow(/not a valid alias/)
    } finally {
      await ws.close()
    }
  })

  it('refuses a move when the alias moved meanwhile (compare and set in the store)', async () => {
    const ws = await open()
    try {
      await ws.materialize({ select: ['model'] })
      await ws.materialize({ select: ['model'], config: { model: { quality: 0.95 } } })
      const other = await open()
      try {
        await other.models.promote('model', { alias: 'champion', version: 1 })
      } finally {
        await other.close()
      }
      const [v1] = (await ws.models.model('model')).versions
      const { SqliteStore } = await import('../store/sqlite-store.js')
      const raw = SqliteStore.open(path.join(dir, '.rivers'))
      try {
        await expect(
          raw.moveModelAlias({
            key: 'model',
            alias: 'champion',
            version: 2,
            recordId: v1!.recordId,
            action: 'promote',
            expect: null,
          }),
        ).rejects.toThrow(/was moved meanwhile: expected no version, found version 1/)
        const moves = await raw.modelAliasMoves('model')
        expect(moves).toHaveLength(1)
      } finally {
        await raw.close()
      }
    } finally {
      await ws.close()
    }
  })

  it('refuses a model spec on a partitioned asset, a bad gate, and an alias of a plain asset', async () => {
    const { daily } = await import('../index.js')
    expect(() => asset({ key: 'p', partitions: daily({ start: '2024-01-01' }), model: true }, () => 1)).toThrow(
      /model: a partitioned asset cannot be a registered model/,
    )
    expect(() => asset({ key: 'g', model: { gate: { accuracy: {} } } }, () => 1)).toThrow(
      /a gate rule needs atLeast, atMost, notBelowCurrent or notAboveCurrent/,
    )
    expect(() =>
      modelAlias(
        asset({ key: 'plain' }, () => 1),
        'champion',
      ),
    ).toThrow(/'plain' is not a registered model/)
  })
})

describe('versions and alias stacks', () => {
  it('takes the summary value of a metric, else its last step', () => {
    expect(
      metricValues([
        { name: 'loss', value: 0.9, step: 0 },
        { name: 'loss', value: 0.2, step: 9 },
        { name: 'loss', value: 0.5, step: 3 },
        { name: 'acc', value: 0.7, step: 2 },
        { name: 'acc', value: 0.8 },
      ]),
    ).toEqual({ loss: 0.2, acc: 0.8 })
  })

  it('replays promotions and rollbacks as a stack', () => {
    const m = (action: 'promote' | 'rollback', version: number) =>
      ({
        id: 0,
        key: 'm',
        alias: 'a',
        version,
        recordId: 1,
        action,
        previous: null,
        reason: null,
        actor: null,
        movedAt: '',
      }) as const
    expect(aliasStack([m('promote', 1), m('promote', 2), m('rollback', 1), m('promote', 3)])).toEqual([1, 3])
    expect(aliasStack([m('promote', 1), m('promote', 2), m('promote', 3), m('rollback', 2), m('rollback', 1)])).toEqual(
      [1],
    )
    expect(versionsOf([])).toEqual([])
  })
})
