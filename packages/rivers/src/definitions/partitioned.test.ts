import { describe, expect, test } from 'vitest'
import { daily, hourly, mapping, monthly, staticPartitions } from '../partitions/index.js'
import { asset, defineProject, isMappedDep, mapped, ref, source } from './index.js'
import { message, thrown } from './test-helpers.fixture.js'

const days = daily({ start: '2024-01-01' })
const events = asset({ key: 'events', partitions: days }, () => [{ n: 1 }])

describe('asset({ partitions })', () => {
  test('keeps the definition on the AssetDef and the ResolvedAsset', () => {
    expect(events.partitions).toBe(days)
    expect(asset({ key: 'plain' }, () => 1).partitions).toBeUndefined()
    const project = defineProject({ assets: [events] })
    expect(project.byKey.get('events')!.partitions).toBe(days)
  })

  test('command assets take partitions too', () => {
    const job = asset({ key: 'job', partitions: days, deps: { events }, command: ['python3', 'job.py'] })
    expect(job.partitions).toBe(days)
    expect(defineProject({ assets: [job] }).byKey.get('job')!.partitions).toBe(days)
  })

  test('a value that is not a partition definition is a spec error naming the asset and the field', () => {
    expect(thrown(() => asset({ key: 'bad', partitions: 'daily' as never }, () => 1))).toMatchInlineSnapshot(`
      "DefinitionError RIVERS_INVALID_SPEC
      Invalid definition of asset 'bad' (defined at packages/rivers/src/definitions/partitioned.test.ts:L:C):
        - partitions: expected a partition definition (daily, hourly, weekly, monthly, staticPartitions, …)
          Fix: partitions is a partition definition, e.g. daily({ start: '2024-01-01' }), staticPartitions(['eu', 'us']) or partitionProduct({ date: daily(…), region: staticPartitions(…) })."
    `)
    // Duck typing is not enough: every method must be there.
    expect(
      message(() => asset({ key: 'bad', partitions: { kind: 'daily', size: () => 1 } as never }, () => 1)),
    ).toContain('- partitions: expected a partition definition')
  })

  test('sources cannot be partitioned yet', () => {
    expect(thrown(() => source({ key: 'raw', path: 'raw.csv', partitions: days } as never))).toMatchInlineSnapshot(`
      "DefinitionError RIVERS_INVALID_SPEC
      Invalid definition of source 'raw' (defined at packages/rivers/src/definitions/partitioned.test.ts:L:C):
        - partitions: sources cannot be partitioned yet
          Fix: remove partitions here; partition the asset that reads it and filter by ctx.partition."
    `)
  })
})

describe('mapped()', () => {
  test('wraps a handle, a ref or a key string; the resolved dep says many and the mapping', () => {
    const week = mapping.window({ length: 7 })
    const rolling = asset(
      {
        key: 'rolling',
        partitions: days,
        deps: { week: mapped(events, week), byRef: mapped(ref('events')), byKey: mapped('events'), same: events },
      },
      () => 1,
    )
    expect(isMappedDep(rolling.deps.week)).toBe(true)
    expect(isMappedDep(rolling.deps.same)).toBe(false)
    const project = defineProject({ assets: [rolling] })
    expect(project.byKey.get('rolling')!.deps).toEqual([
      { name: 'byKey', key: 'events', mapping: undefined, many: true },
      { name: 'byRef', key: 'events', mapping: undefined, many: true },
      { name: 'same', key: 'events', mapping: undefined, many: false },
      { name: 'week', key: 'events', mapping: week, many: true },
    ])
  })

  test('the upstream handle inside mapped() is collected', () => {
    const model = asset({ key: 'model', deps: { all: mapped(events) } }, () => 1)
    expect(defineProject({ assets: [model] }).assets.map((a) => a.key)).toEqual(['events', 'model'])
  })

  test('a wrapped value that is not a dep, a bad key, or a mapping that is not one: errors naming the asset and input', () => {
    expect(message(() => asset({ key: 'm', deps: { e: mapped(undefined as never) } }, () => 1))).toContain(
      "Asset 'm': input 'e' is undefined, not an asset.",
    )
    expect(message(() => asset({ key: 'm', deps: { e: mapped('raw events') } }, () => 1))).toContain(
      "- deps.e: 'raw events' is not a valid asset key",
    )
    expect(
      thrown(() => asset({ key: 'm', deps: { e: mapped(events, { kind: 'window' } as never) } }, () => 1)),
    ).toMatchInlineSnapshot(`
        "DefinitionError RIVERS_INVALID_SPEC
        Invalid definition of asset 'm' (defined at packages/rivers/src/definitions/partitioned.test.ts:L:C):
          - deps.e: mapped()'s second argument is not a partition mapping
            Fix: write mapped(dep, mapping.window({ length: 7 })) (or another mapping.* value), or mapped(dep) for the default."
      `)
  })
})

describe('defineProject validates the edges where partitions meet', () => {
  const define =
    (...assets: Parameters<typeof defineProject>[0]['assets']) =>
    () =>
      defineProject({ assets })

  test('plain deps that read one partition each are allowed', () => {
    // identity; a shifted window of one (different starts); a finer asset reading the coarser window it lies in;
    // a partitioned asset reading an unpartitioned one; static lists by key
    const later = asset({ key: 'later', partitions: daily({ start: '2024-02-01' }), deps: { events } }, () => 1)
    const hours = asset({ key: 'hours', partitions: hourly({ start: '2024-01-01' }), deps: { events } }, () => 1)
    const config = asset({ key: 'config' }, () => 1)
    const uses = asset({ key: 'uses', partitions: days, deps: { config, events } }, () => 1)
    const regions = asset({ key: 'regions', partitions: staticPartitions(['eu', 'us', 'apac']) }, () => 1)
    const eu = asset({ key: 'eu', partitions: staticPartitions(['eu', 'us']), deps: { regions } }, () => 1)
    expect(() => defineProject({ assets: [later, hours, uses, eu] })).not.toThrow()
  })

  test('mapped deps read several: all, a coarser period, a window', () => {
    const model = asset({ key: 'model', deps: { events: mapped(events) } }, () => 1)
    const month = asset(
      { key: 'month', partitions: monthly({ start: '2024-01-01' }), deps: { e: mapped(events) } },
      () => 1,
    )
    const week = asset(
      { key: 'week', partitions: days, deps: { e: mapped(events, mapping.window({ length: 7 })) } },
      () => 1,
    )
    const one = asset({ key: 'one', partitions: days, deps: { e: mapped(events) } }, () => 1)
    expect(() => defineProject({ assets: [model, month, week, one] })).not.toThrow()
  })

  test('an unpartitioned asset reading a partitioned one through a plain dep', () => {
    const model = asset({ key: 'model', deps: { events } }, () => 1)
    expect(message(define(model))).toMatchInlineSnapshot(`
      "Asset 'model' (unpartitioned): input 'events' reads every partition of 'events' (daily from 2024-01-01 (UTC)), so it cannot be one value.
      Fix: declare deps: { events: mapped(events) } to receive a Record of partition key -> value (or mapped(events, mapping.window({ length: 7 })) for a window of the last 7 partitions of the same period)."
    `)
  })

  test('a coarser period reading a finer one through a plain dep (the dep written as a key string)', () => {
    const month = asset({ key: 'month', partitions: monthly({ start: '2024-01-01' }), deps: { e: 'events' } }, () => 1)
    expect(thrown(define(month, events))).toMatchInlineSnapshot(`
      "DefinitionError RIVERS_PLAIN_DEP_READS_MANY
      Asset 'month' (monthly from 2024-01 (UTC)): input 'e' reads every daily partition of 'events' (daily from 2024-01-01 (UTC)) within each of its monthly partitions, so it cannot be one value.
      Fix: declare deps: { e: mapped('events') } to receive a Record of partition key -> value (or mapped('events', mapping.window({ length: 7 })) for a window of the last 7 partitions of the same period)."
    `)
  })

  test('mapped() with no partitions to map', () => {
    const a = asset({ key: 'a' }, () => 1)
    const b = asset({ key: 'b', deps: { a: mapped(a) } }, () => 1)
    expect(thrown(define(b))).toMatchInlineSnapshot(`
      "DefinitionError RIVERS_MAPPED_WITHOUT_PARTITIONS
      Asset 'b': input 'a' is declared with mapped(), but neither 'b' nor 'a' is partitioned.
      Fix: mapped() only applies to a partitioned upstream; remove mapped() around the dep of 'a' to receive its one value."
    `)
    const c = asset({ key: 'c', partitions: days, deps: { a: mapped(ref('a')) } }, () => 1)
    expect(message(define(c, a))).toMatchInlineSnapshot(`
      "Asset 'c': input 'a' is declared with mapped(), but 'a' is not partitioned, so every partition of 'c' reads its one value.
      Fix: mapped() only applies to a partitioned upstream; remove mapped() around the dep of 'a' to receive its one value."
    `)
  })

  test("resolveMapping's errors come through, naming both assets", () => {
    const regions = asset({ key: 'regions', partitions: staticPartitions(['eu', 'us']), deps: { events } }, () => 1)
    const e = (() => {
      try {
        defineProject({ assets: [regions] })
      } catch (err) {
        return err as { code: string; exitCode: number; message: string }
      }
      throw new Error('expected an error')
    })()
    expect(e.code).toBe('RIVERS_INCOMPATIBLE_PARTITIONS')
    expect(e.exitCode).toBe(2)
    expect(e.message).toContain("Asset 'regions' (static partitions")
    expect(e.message).toContain("cannot read asset 'events' (daily from 2024-01-01 (UTC))")
    // a declared mapping that does not fit the definitions
    const model = asset({ key: 'model', deps: { e: mapped(events, mapping.window({ length: 2 })) } }, () => 1)
    expect(message(define(model))).toContain('an unpartitioned asset reads all partitions of its input, not window')
  })
})
