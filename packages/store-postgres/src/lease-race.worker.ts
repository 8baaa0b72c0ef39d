/**
 * Child process of `concurrency.test.ts`: opens the store at the URL given (racing the other
 * processes to migrate a fresh database) and builds every asset it can lease, as the engine does:
 * take the asset's lease, build only when no record exists yet, record, release. Prints what it
 * built and its connection counts as JSON.
 * Usage: node --import tsx lease-race.worker.ts <url> <workerId> <assets> <maxConnections>
 */
import { PostgresStore } from './postgres-store.js'

const [url, worker, assetsText, maxText] = process.argv.slice(2)
if (url === undefined || worker === undefined || assetsText === undefined || maxText === undefined)
  throw new Error('usage: <url> <workerId> <assets> <maxConnections>')
const assets = Number(assetsText)
const runId = `w${worker}`
const h = (n: number): Buffer => Buffer.alloc(16, n & 0xff)

const store = await PostgresStore.open(url, { pool: { max: Number(maxText) } })
await store.beginRun({ id: runId, selection: ['*'], force: false })
const built: string[] = []
let refused = 0
// Each worker walks the assets from its own offset, so that they collide all along the way.
const offset = Math.floor((Number(worker) * assets) / 8)
let pending = Array.from({ length: assets }, (_, i) => `asset${String((i + offset) % assets).padStart(4, '0')}`)
while (pending.length > 0) {
  const next: string[] = []
  await Promise.all(
    pending.map(async (key) => {
      if (!(await store.tryAcquireLease(key, runId, 30_000))) {
        refused++
        next.push(key)
        return
      }
      try {
        if ((await store.currentRecord(key)) !== undefined) return
        await store.recordMaterialization({
          runId,
          key,
          codeVersion: h(1),
          configHash: h(2),
          dataVersion: h(Number(worker)),
          inputs: [],
          startedAt: new Date(),
          finishedAt: new Date(),
        })
        built.push(key)
      } finally {
        await store.releaseLease(key, runId)
      }
    }),
  )
  // What another worker held may be built by now: only those still without a record are retried.
  pending = next
}
await store.finishRun(runId, 'success', { built: built.length })
const stats = store.stats()
await store.close()
process.stdout.write(JSON.stringify({ worker, built, refused, ...stats }))
