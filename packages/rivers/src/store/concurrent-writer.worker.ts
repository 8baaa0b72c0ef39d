/**
 * Child process used by `concurrency.test.ts`: opens the store given in argv (maybe racing other
 * processes to create and migrate it) and writes many small transactions as fast as it can.
 * Usage: node --import tsx concurrent-writer.worker.ts <dir> <workerId> <count>
 */
import { SqliteStore } from './sqlite-store.js'

const [dir, worker, countText] = process.argv.slice(2)
if (dir === undefined || worker === undefined || countText === undefined)
  throw new Error('usage: <dir> <workerId> <count>')
const count = Number(countText)
const runId = `w${worker}`
const h = (n: number): Buffer => Buffer.alloc(16, n & 0xff)

const store = SqliteStore.open(dir)
await store.beginRun({ id: runId, selection: ['*'], force: false })
let leases = 0
for (let i = 0; i < count; i++) {
  await store.recordMaterialization({
    runId,
    key: `asset${i % 25}`,
    codeVersion: h(i),
    configHash: h(0),
    dataVersion: h(Number(worker)),
    inputs: [{ key: `asset${(i + 1) % 25}`, dataVersion: h(i + 1) }],
    startedAt: new Date(),
    finishedAt: new Date(),
    metrics: [{ name: 'i', value: i }],
  })
  await store.appendEvent(runId, 'tick', undefined, { i })
  if (await store.tryAcquireLease('shared', runId, 60_000)) {
    leases++
    await store.releaseLease('shared', runId)
  }
  // Reads between writes, as the executor does.
  await store.latestRecords()
}
await store.finishRun(runId, 'success', { count, leases })
await store.close()
process.stdout.write(JSON.stringify({ worker, count, leases }))
