import path from 'node:path'
import { fileURLToPath } from 'node:url'

import { runAsset, runAssets } from '@rivers-orchestrator/rivers/testing'
import { describe, expect, it } from 'vitest'

import project, { daily, orders } from '../rivers.config.js'
import { parseOrders } from './orders.js'

const projectDir = path.dirname(path.dirname(fileURLToPath(import.meta.url)))

describe('daily_revenue', () => {
  it('sums the orders of each day, leaving out those under minAmount', async () => {
    const rows = parseOrders('id,day,customer,amount\n1,2026-03-02,ada,5\n2,2026-03-02,alan,10\n3,2026-03-01,ada,1')
    const r = await runAsset(daily, { inputs: { orders: rows }, config: { minAmount: 5 } })
    expect(r.value).toEqual([{ day: '2026-03-02', orders: 2, revenue: 15 }])
    expect(r.metrics).toEqual([{ name: 'days', value: 1 }])
  })

  it('runs with what it depends on: the orders parsed from data/orders.csv, checked', async () => {
    const r = await runAssets(project, { select: [orders, daily], projectDir })
    expect(r.get(orders).checks).toEqual([{ name: 'not_empty', passed: true, blocking: true }])
    expect(r.get(daily).value.map((d) => d.day)).toEqual([...new Set(r.get(orders).value.map((o) => o.day))].sort())
  })
})
