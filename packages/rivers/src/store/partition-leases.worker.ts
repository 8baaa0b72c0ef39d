/**
 * Child process used by `leases.test.ts`: opens the store given in argv and, from a given time on,
 * leases the partitions `p<from>` to `p<to>` of asset `events` in chunks (ascending, or descending
 * with `down`), never releasing them; prints the partitions it got as JSON.
 * Usage: node --import tsx partition-leases.worker.ts <dir> <runId> <from> <to> <chunk> <startAt> [down]
 */
import { SqliteStore } from './sqlite-store.js'

const [dir, runId, from, to, chunk, startAt, order] = process.argv.slice(2)
if (dir === undefined || runId === undefined || from === undefined || to === undefined) throw new Error('bad usage')
const partitions: string[] = []
for (let i = Number(from); i <= Number(to); i++) partitions.push(`p${String(i).padStart(5, '0')}`)
if (order === 'down') partitions.reverse()

const store = SqliteStore.open(dir)
// Start together with the other worker, so that their transactions interleave.
await new Promise((r) => setTimeout(r, Math.max(0, Number(startAt) - Date.now())))
const got: string[] = []
for (let i = 0; i < partitions.length; i += Number(chunk)) {
  const batch = partitions.slice(i, i + Number(chunk))
  const taken = await store.tryAcquirePartitionLeases('events', batch, runId, 600_000)
  batch.forEach((p, j) => {
    if (taken[j]) got.push(p)
  })
}
await store.close()
process.stdout.write(JSON.stringify(got))
