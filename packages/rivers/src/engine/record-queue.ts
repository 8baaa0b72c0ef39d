/**
 * Group commit of a run's records: the records of assets that finish close together go to the store
 * in one transaction (`Store.recordMaterializations`, all or none) instead of one commit each. A
 * record is queued only once its output is durable; the queue commits `RECORD_BATCH_WAIT_MS` after
 * its first record, at once when it holds `maxBatch` records, and whenever `flush()` is called (the
 * project state calls it before any other store read or write of records, the run at its end).
 *
 * Records commit in the order they were queued, so an asset is never recorded in the store before an
 * input it read (its input was queued first: in the same transaction, or an earlier one). A crash
 * loses at most the records not yet committed; those assets are stale again and re-run next time.
 * Once a commit fails, every record queued after it is refused as well (a dependent must not be
 * stored without its input), each naming its asset and the first failure.
 */
import { RiversError } from '../errors.js'
import type { Store } from '../store/store.js'
import type { NewRecord } from '../store/types.js'

/** Records per transaction at most (more wait for the next one). */
export const RECORD_BATCH_MAX = 512
/**
 * How long a queued record waits for others before its commit. Nothing waits on a record's commit
 * but the lease of its asset and the run's end (dependents run on the core's copy), so a short
 * wait gathers the records of many assets into one transaction; a crash loses at most this much.
 */
export const RECORD_BATCH_WAIT_MS = 10

/** A queued record and how to answer its caller. */
interface Queued {
  row: NewRecord
  resolve: (id: number) => void
  reject: (error: unknown) => void
}

/**
 * The record queue of one project state.
 *
 * @example
 * const queue = new RecordQueue(store)
 * const id = await queue.add(row) // committed with its neighbours
 * await queue.flush() // before reading records back
 */
export class RecordQueue {
  readonly #store: Store
  readonly #maxBatch: number
  #queue: Queued[] = []
  #scheduled: NodeJS.Timeout | undefined
  /** The commit in progress (flushes wait for it: commits stay in order). */
  #committing: Promise<void> = Promise.resolve()
  /** The first failed commit: later records are refused. */
  #failed: { key: string; error: unknown } | undefined
  #commits = 0

  constructor(store: Store, maxBatch = RECORD_BATCH_MAX) {
    this.#store = store
    this.#maxBatch = maxBatch
  }

  /**
   * Queues a record (its output already durable); resolves to its record id once committed.
   *
   * @example
   * const id = await queue.add({ runId, key: 'model', codeVersion, configHash, dataVersion, inputs, startedAt, finishedAt })
   */
  add(row: NewRecord): Promise<number> {
    if (this.#failed !== undefined) return Promise.reject(notRecorded(row.key, this.#failed))
    return new Promise<number>((resolve, reject) => {
      this.#queue.push({ row, resolve, reject })
      if (this.#queue.length >= this.#maxBatch) void this.flush()
      else this.#scheduled ??= setTimeout(() => void this.flush(), RECORD_BATCH_WAIT_MS)
    })
  }

  /** Whether a commit failed (every later record is refused until `reset()`). */
  get failed(): boolean {
    return this.#failed !== undefined
  }

  /**
   * Accepts records again after a failed commit; call it only when the core is about to hold what
   * the store holds again (a full reload follows), since the refused records are in neither.
   *
   * @example
   * if (queue.failed) queue.reset() // then reload every record from the store (ProjectState.recoverLostRecords)
   */
  reset(): void {
    this.#failed = undefined
  }

  /** Records waiting for their commit (queued, or in the commit under way). */
  get pending(): number {
    return this.#queue.length
  }

  /**
   * Transactions committed so far (for tests and diagnostics).
   *
   * @example
   * queue.commits // 1 after three records queued in the same turn
   */
  get commits(): number {
    return this.#commits
  }

  /**
   * Commits what is queued, after any commit under way; resolves when both are done (never rejects:
   * a failure rejects the records' own promises).
   *
   * @example
   * await queue.flush()
   */
  flush(): Promise<void> {
    if (this.#scheduled !== undefined) {
      clearTimeout(this.#scheduled)
      this.#scheduled = undefined
    }
    const batch = this.#queue
    if (batch.length === 0) return this.#committing
    this.#queue = []
    this.#committing = this.#committing.then(() => this.#commit(batch))
    return this.#committing
  }

  async #commit(batch: Queued[]): Promise<void> {
    const failed = this.#failed
    if (failed !== undefined) {
      for (const q of batch) q.reject(notRecorded(q.row.key, failed))
      return
    }
    const store = this.#store
    let current: Queued | undefined
    try {
      if (store.recordMaterializations !== undefined) {
        const ids = await store.recordMaterializations(batch.map((q) => q.row))
        batch.forEach((q, i) => q.resolve(ids[i]!))
      }
      // A store without the batch write: one at a time, in order; the first failure stops there.
      else
        for (const q of batch) {
          current = q
          q.resolve(await store.recordMaterialization(q.row))
        }
      this.#commits++
    } catch (error) {
      const first = { key: (current ?? batch[0]!).row.key, error }
      this.#failed = first
      // Records committed before the failure were resolved already (a later reject does nothing).
      for (const q of batch) q.reject(q.row.key === first.key ? error : notRecorded(q.row.key, first))
    }
  }
}

function notRecorded(key: string, first: { key: string; error: unknown }): RiversError {
  const cause = first.error instanceof Error ? first.error.message : String(first.error)
  return new RiversError(
    'RIVERS_NOT_RECORDED',
    `asset "${key}" was built but not recorded: the store could not record "${first.key}" (${cause}) in the same ` +
      'transaction or an earlier one of this run, and no record may be stored after a lost one (it may be an input). ' +
      'Fix the store problem and run again: ' +
      `"${key}" is stale and will be built again`,
    { exitCode: 1, cause: first.error },
  )
}
