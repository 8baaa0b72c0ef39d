/**
 * The part of the `Store` conformance suite about the model registry's alias moves: an append-only
 * history per model and alias, newest first; compare and set on the version the mover saw; a move
 * must name a record of that model. A store without `moveModelAlias` fails here: the registry
 * (`assets promote`) needs it.
 */
import type { NewRecord, Store } from '@rivers-orchestrator/rivers/plugin'
import { isRiversError } from '@rivers-orchestrator/rivers'
import { describe, expect, it } from 'vitest'

const h = (n: number): Buffer => Buffer.alloc(16, n)

/**
 * Registers the alias-move tests inside a store's conformance suite; `store()` is the fresh store of
 * the running test.
 *
 * @example
 * storeModelAliasTests(() => store)
 */
export function storeModelAliasTests(store: () => Store): void {
  const record = async (key: string, runId: string, extra: Partial<NewRecord> = {}): Promise<number> => {
    await store().beginRun({ id: runId, selection: [key], force: false })
    return store().recordMaterialization({
      runId,
      key,
      codeVersion: h(1),
      configHash: h(2),
      dataVersion: h(3),
      inputs: [],
      startedAt: new Date('2026-01-01T00:00:00.000Z'),
      finishedAt: new Date('2026-01-01T00:00:01.000Z'),
      ...extra,
    })
  }
  const moves = (key: string, opts?: { alias?: string; limit?: number }) => {
    const s = store()
    if (s.modelAliasMoves === undefined)
      throw new Error('the store has no modelAliasMoves: the model registry needs it')
    return s.modelAliasMoves(key, opts)
  }
  const move = (m: Parameters<NonNullable<Store['moveModelAlias']>>[0]) => {
    const s = store()
    if (s.moveModelAlias === undefined) throw new Error('the store has no moveModelAlias: the model registry needs it')
    return s.moveModelAlias(m)
  }

  describe('model alias moves', () => {
    it('appends moves with the version named before, newest first, per alias', async () => {
      const r1 = await record('model', 'r1')
      const r2 = await record('model', 'r2', { dataVersion: h(4) })
      const first = await move({
        key: 'model',
        alias: 'champion',
        version: 1,
        recordId: r1,
        action: 'promote',
        reason: 'first',
        actor: 'ci',
      })
      expect(first).toMatchObject({
        key: 'model',
        alias: 'champion',
        version: 1,
        recordId: r1,
        action: 'promote',
        previous: null,
        reason: 'first',
        actor: 'ci',
      })
      expect(Number.isNaN(Date.parse(first.movedAt))).toBe(false)
      await move({ key: 'model', alias: 'champion', version: 2, recordId: r2, action: 'promote', expect: 1 })
      await move({ key: 'model', alias: 'challenger', version: 2, recordId: r2, action: 'promote' })
      await move({ key: 'model', alias: 'champion', version: 1, recordId: r1, action: 'rollback', expect: 2 })
      expect((await moves('model')).map((m) => [m.alias, m.action, m.previous, m.version, m.reason])).toEqual([
        ['champion', 'rollback', 2, 1, null],
        ['challenger', 'promote', null, 2, null],
        ['champion', 'promote', 1, 2, null],
        ['champion', 'promote', null, 1, 'first'],
      ])
      expect((await moves('model', { alias: 'champion', limit: 1 })).map((m) => m.version)).toEqual([1])
      expect((await moves('model', { alias: 'challenger' })).map((m) => m.version)).toEqual([2])
      expect(await moves('other')).toEqual([])
      const ids = (await moves('model')).map((m) => m.id)
      expect([...ids].sort((a, b) => b - a)).toEqual(ids)
    })

    it('refuses a move when the alias names another version than expected, and writes nothing', async () => {
      const r1 = await record('model', 'r1')
      await move({ key: 'model', alias: 'champion', version: 1, recordId: r1, action: 'promote', expect: null })
      const refused = await move({
        key: 'model',
        alias: 'champion',
        version: 2,
        recordId: r1,
        action: 'promote',
        expect: null,
      }).then(
        () => undefined,
        (e: unknown) => e,
      )
      expect(isRiversError(refused) && refused.code).toBe('RIVERS_ALIAS_MOVED')
      expect(String(refused)).toMatch(
        /Alias 'champion' of 'model' was moved meanwhile: expected no version, found version 1/,
      )
      expect(await moves('model')).toHaveLength(1)
    })

    it('refuses a record of another asset, or an unknown record, and writes nothing', async () => {
      const other = await record('features', 'r1')
      for (const recordId of [other, other + 1000]) {
        const refused = await move({ key: 'model', alias: 'champion', version: 1, recordId, action: 'promote' }).then(
          () => undefined,
          (e: unknown) => e,
        )
        expect(isRiversError(refused) && refused.code).toBe('RIVERS_ALIAS_RECORD')
      }
      expect(await moves('model')).toEqual([])
    })
  })
}
