/**
 * A Rivers project: a source file, two assets built from it, a check and a run config.
 *
 *   raw/orders (data/orders.csv) -> orders -> daily_revenue
 *
 *   npx assets materialize     builds what is missing or stale
 *   npx assets status          says why each asset is fresh or stale
 *   npx assets materialize daily_revenue --config '{"daily_revenue":{"minAmount":10}}'
 */
import { asset, check, defineProject, source } from '@rivers-orchestrator/rivers'
import { z } from 'zod'

import { dailyRevenue, type Order, parseOrders } from './src/orders.js'

/** The raw file. Its content hash is its data version: edit it and what follows becomes stale. */
export const ordersFile = source({
  key: 'raw/orders',
  path: 'data/orders.csv',
  description: 'Orders as exported by the shop',
})

/** The rows of the file; a blocking check stops the run when it holds none. */
export const orders = asset(
  {
    key: 'orders',
    deps: { file: ordersFile },
    description: 'Orders parsed from the CSV file',
    checks: [check('not_empty', (rows: Order[]) => rows.length > 0, { blocking: true })],
  },
  ({ file }) => parseOrders(file.toString('utf8')),
)

/** Revenue per day; `minAmount` (run config, validated by zod) leaves out small orders. */
export const daily = asset(
  {
    key: 'daily_revenue',
    deps: { orders },
    description: 'Revenue per day',
    config: z.object({ minAmount: z.number().nonnegative().default(0) }),
  },
  ({ orders }, ctx) => {
    const days = dailyRevenue(orders, ctx.config.minAmount)
    ctx.addMetric('days', days.length)
    return days
  },
)

export default defineProject({ assets: [ordersFile, orders, daily] })
