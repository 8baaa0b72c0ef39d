/** Plain functions of the pipeline: no Rivers in here, so they are tested like any other code. */

/** One row of data/orders.csv. */
export interface Order {
  id: number
  day: string
  customer: string
  amount: number
}

/** Revenue of one day. */
export interface DailyRevenue {
  day: string
  orders: number
  revenue: number
}

/** Parses the CSV text of data/orders.csv (a header line, then `id,day,customer,amount` rows). */
export function parseOrders(csv: string): Order[] {
  const [header, ...rows] = csv.trim().split(/\r?\n/)
  if (header !== 'id,day,customer,amount') throw new Error(`unexpected header: ${header}`)
  return rows.map((row, i) => {
    const [id, day, customer, amount] = row.split(',')
    if (id === undefined || day === undefined || customer === undefined || amount === undefined)
      throw new Error(`line ${i + 2}: expected 4 fields, got "${row}"`)
    return { id: Number(id), day, customer, amount: Number(amount) }
  })
}

/** Orders of at least `minAmount`, summed per day, in day order. */
export function dailyRevenue(orders: readonly Order[], minAmount: number): DailyRevenue[] {
  const byDay = new Map<string, DailyRevenue>()
  for (const order of orders) {
    if (order.amount < minAmount) continue
    const day = byDay.get(order.day) ?? { day: order.day, orders: 0, revenue: 0 }
    day.orders += 1
    day.revenue = Math.round((day.revenue + order.amount) * 100) / 100
    byDay.set(order.day, day)
  }
  return [...byDay.values()].sort((a, b) => a.day.localeCompare(b.day))
}
