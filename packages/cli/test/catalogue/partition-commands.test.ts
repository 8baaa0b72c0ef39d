/** Catalogue #90–#97: partition arguments and commands refused before anything runs (see catalogue.ts). */
import { afterAll, expect, test } from 'vitest'
import { makeProject, removeProjects } from '../e2e/project.js'
import { refused, T, title } from './catalogue.js'

afterAll(removeProjects)

const CONFIG = `
import { asset, daily, defineProject, dynamicPartitions, partitionProduct, staticPartitions } from '@rivers-orchestrator/rivers'

export const events = asset({ key: 'events', partitions: daily({ start: '2024-01-01', end: '2024-02-01' }) }, (_, ctx) => ctx.partition!.key)
export const sales = asset(
  { key: 'sales', partitions: partitionProduct({ date: daily({ start: '2024-01-01', end: '2024-02-01' }), region: staticPartitions(['eu', 'us']) }) },
  (_, ctx) => ctx.partition!.key,
)
export const orders = asset({ key: 'orders', partitions: dynamicPartitions('customers') }, (_, ctx) => ctx.partition!.key)
export const report = asset({ key: 'report' }, () => 1)

export default defineProject({ assets: [events, sales, orders, report] })
`

const p = makeProject({ 'rivers.config.ts': CONFIG })

test(
  title(90, "`--partition` with a key the asset's definition does not have (nearest key suggested)"),
  T,
  async () => {
    const r = await p.run(['materialize', 'events', '--partition', '2024-01-32'])
    expect(refused(r, ['events', '2024-01-32', '2024-01-31'], p.dir)).toMatchSnapshot()
  },
)

test(title(91, '`--partition` with a reversed range'), T, async () => {
  const r = await p.run(['materialize', 'events', '--partition', '2024-01-09...2024-01-02'])
  expect(refused(r, ['2024-01-09', '2024-01-02'], p.dir)).toMatchSnapshot()
})

test(title(92, '`--partition` when no selected asset is partitioned'), T, async () => {
  const r = await p.run(['materialize', 'report', '--partition', '2024-01-05'])
  expect(refused(r, ['report', '--partition'], p.dir)).toMatchSnapshot()
})

test(title(93, '`backfill` of a selection without a partitioned asset'), T, async () => {
  const r = await p.run(['backfill', 'report', '--from', '2024-01-01', '--to', '2024-01-05'])
  expect(refused(r, ['report', 'assets materialize'], p.dir)).toMatchSnapshot()
})

test(title(94, '`backfill --resume` of an unknown id'), T, async () => {
  const r = await p.run(['backfill', '--resume', 'bf-nope'])
  expect(refused(r, ['bf-nope'], p.dir)).toMatchSnapshot()
})

test(title(95, '`partitions add` of a dynamic key with a forbidden character'), T, async () => {
  const r = await p.run(['partitions', 'add', 'customers', 'acme|eu'])
  expect(refused(r, ['customers', 'acme|eu', "'|'"], p.dir)).toMatchSnapshot()
  expect((await p.run(['partitions', 'orders', '--json'])).json()).toMatchObject({ total: 0 })
})

test(title(96, 'a product key with the wrong number of dimensions'), T, async () => {
  const r = await p.run(['materialize', 'sales', '--partition', '2024-01-05'])
  expect(refused(r, ['sales', '2024-01-05'], p.dir)).toMatchSnapshot()
})

test(title(97, '`partitions remove` of a key whose partitions have records, without `--wipe`'), T, async () => {
  expect((await p.run(['partitions', 'add', 'customers', 'acme'])).code).toBe(0)
  expect((await p.run(['materialize', 'orders'])).code).toBe(0)
  const r = await p.run(['partitions', 'remove', 'customers', 'acme'])
  expect(refused(r, ['orders [acme]', '--wipe'], p.dir)).toMatchSnapshot()
  expect((await p.run(['partitions', 'orders', '--json'])).json()).toMatchObject({ total: 1, fresh: 1 })
})
