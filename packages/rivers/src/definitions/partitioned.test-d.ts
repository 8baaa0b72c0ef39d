/**
 * Type-level tests of partitioned assets, checked by `tsc --noEmit`: a `mapped()` input is a Record
 * of partition key -> the upstream's value type, whatever the mapping; a plain input stays the value.
 */
import { expectTypeOf } from 'vitest'
import { z } from 'zod'
import { daily, mapping } from '../partitions/index.js'
import { asset, mapped, ref, source, type AssetPartition, type MappedDep } from './index.js'

type Row = { n: number }
const days = daily({ start: '2024-01-01' })
const events = asset({ key: 'events', partitions: days }, (): Row[] => [{ n: 1 }])

// a window of 7: Record<string, Row[]>
asset(
  { key: 'rolling', partitions: days, deps: { week: mapped(events, mapping.window({ length: 7 })) } },
  ({ week }) => {
    expectTypeOf(week).toEqualTypeOf<Record<string, Row[]>>()
    return Object.values(week).flat().length
  },
)

// also without a mapping, and for a window of one partition: still a Record
asset(
  {
    key: 'mixed',
    partitions: days,
    deps: { all: mapped(events), yesterday: mapped(events, mapping.window({ length: 1, offset: 1 })), same: events },
  },
  ({ all, yesterday, same }) => {
    expectTypeOf(all).toEqualTypeOf<Record<string, Row[]>>()
    expectTypeOf(yesterday).toEqualTypeOf<Record<string, Row[]>>()
    expectTypeOf(same).toEqualTypeOf<Row[]>()
  },
)

// refs, sources and key strings (typed by `inputs`, which describes one partition)
const orders = source({ key: 'orders', path: 'orders.json', load: () => [{ id: 1 }] })
asset(
  {
    key: 'refs',
    deps: { r: mapped(ref<number>('events')), s: mapped(orders), k: mapped('events'), typed: mapped('events') },
    inputs: { typed: z.array(z.object({ n: z.number() })) },
  },
  ({ r, s, k, typed }) => {
    expectTypeOf(r).toEqualTypeOf<Record<string, number>>()
    expectTypeOf(s).toEqualTypeOf<Record<string, { id: number }[]>>()
    expectTypeOf(k).toEqualTypeOf<Record<string, unknown>>()
    expectTypeOf(typed).toEqualTypeOf<Record<string, { n: number }[]>>()
  },
)

// a mapped input is not the plain value
asset({ key: 'wrong', deps: { week: mapped(events) } }, ({ week }) => {
  // @ts-expect-error week is a Record of partition key -> Row[], not Row[]
  const rows: Row[] = week
  return rows
})

// mapped() keeps the wrapped handle's type
expectTypeOf(mapped(events)).toEqualTypeOf<MappedDep<typeof events>>()

// ctx.partition is optional and typed
asset({ key: 'ctx', partitions: days }, (_inputs, ctx) => {
  expectTypeOf(ctx.partition).toEqualTypeOf<AssetPartition | undefined>()
  expectTypeOf(ctx.partition!.window?.start).toEqualTypeOf<Date | undefined>()
})

// partitions must be a definition
// @ts-expect-error a string is not a partition definition
asset({ key: 'bad', partitions: 'daily' }, () => 1)
