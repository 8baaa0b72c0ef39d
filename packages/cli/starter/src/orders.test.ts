import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

import { materialize } from '@rivers-orchestrator/rivers'
import { afterAll, describe, expect, it } from 'vitest'

import project from '../rivers.config.js'
import { dailyRevenue, parseOrders } from './orders.js'

const projectDir = path.dirname(path.dirname(fileURLToPath(import.meta.url)))
const storeDir = mkdtempSync(path.join(tmpdir(), 'rivers-test-'))
afterAll(() => rmSync(storeDir, { recursive: true, force: true }))

describe('daily_revenue', () => {
  it('sums the orders of each day, leaving out those under minAmount', () => {
    const orders = parseOrders('id,day,customer,amount\n1,2026-03-02,ada,5\n2,2026-03-02,alan,10\n3,2026-03-01,ada,1')
    expect(dailyRevenue(orders, 0)).toEqual([
      { day: '2026-03-01', orders: 1, revenue: 1 },
      { day: '2026-03-02', orders: 2, revenue: 15 },
    ])
    expect(dailyRevenue(orders, 5)).toEqual([{ day: '2026-03-02', orders: 2, revenue: 15 }])
  })

  it('materializes with what it depends on, in a temporary store', async () => {
    const summary = await materialize(project, { select: ['+daily_revenue'], projectDir, storeDir, logLevel: 'warn' })
    expect(summary.status).toBe('success')
    expect(summary.materialized).toEqual(['orders', 'daily_revenue'])
    expect(summary.failed).toEqual([])
  })
})
