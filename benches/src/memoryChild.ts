/**
 * Child process of the memory scenario: generates one graph and its materialized state, then
 * measures how much the process RSS grows across build + observe + load of the native graph (with
 * garbage collected before and after), so the native bytes show without the parent's heap around
 * them. Prints one JSON line: `{ rssDeltaBytes, heapBytes, n, edges }`.
 *
 * Usage: node --expose-gc --import tsx benches/src/memoryChild.ts SHAPE N ORDER
 */
import { generate, type IdOrder, type Shape } from './graphs.js'
import { collectGarbage } from './harness.js'
import { buildNative, nativeBatch } from './native.js'
import { materialized } from './records.js'

const [shape, nText, order] = process.argv.slice(2)
const g = generate(shape as Shape, Number(nText), { order: order as IdOrder })
const mat = materialized(g)
const records = nativeBatch(mat.batch)
collectGarbage()
collectGarbage()
const before = process.memoryUsage().rss
const ng = buildNative(g)
ng.setObserved(mat.observedIds, mat.observed)
ng.loadRecords(records)
collectGarbage()
collectGarbage()
const after = process.memoryUsage().rss
process.stdout.write(
  `${JSON.stringify({ rssDeltaBytes: after - before, heapBytes: ng.heapBytes(), n: ng.size, edges: ng.edgeCount })}\n`,
)
