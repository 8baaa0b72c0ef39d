/**
 * The IO manager contract: how an asset's result is stored and read back by its consumers.
 */

/** Where and what was stored. */
export interface StoredOutput {
  /** Where the output lives, as the IO manager understands it (for `FileIOManager`: relative to its folder, `/`-separated). */
  storagePath: string
  /** Bytes written. */
  bytes: number
  /** Content hash of exactly the bytes written: 32 lowercase hex digits. */
  dataVersion: string
}

/** What `IOManager.write` is told about the output it stores. */
export interface WriteContext {
  key: string
  runId: string
  partition?: string
  /** See `IOManager.write`: call it at most once, before `write` resolves, or never. */
  written?: () => void
}

/** One file an IO manager holds, as `list` reports it. */
export interface StoredFile {
  /** The asset it belongs to. */
  key: string
  /** Its storage path (what a record keeps); for a temp file, its path relative to the IO manager's folder. */
  storagePath: string
  bytes: number
  /** Last modification, epoch milliseconds. */
  modifiedMs: number
  /** A temp file of an interrupted write (never named by a record), with the pid of its writer when known. */
  temp?: { pid: number | undefined }
}

/**
 * Stores asset results and reads them back. `delete` and `list` are optional: gc needs them to free
 * space (`list` finds files no record names, `delete` removes one); an IO manager without them is
 * reported by `assets gc` and skipped.
 *
 * @example
 * const io: IOManager = new FileIOManager('.rivers/storage')
 * const stored = await io.write({ key: 'raw', runId }, rows)
 * const again = await io.read({ key: 'raw' }, stored)
 */
export interface IOManager {
  /**
   * `partition`: the key of the partition written, for a partitioned asset (outputs are per
   * partition). `written`, when given, may be called once the value is fully handed to the storage
   * and only its durability is awaited: the executor lets the next asset start then. An IO manager
   * may ignore it (the asset then keeps its concurrency slot until `write` resolves).
   */
  write(ctx: WriteContext, value: unknown): Promise<StoredOutput>
  /**
   * Stores the outputs of many partitions of `ctx.key` together (one call of a batched partition
   * function); returns one StoredOutput per partition, in order. Each is read back by `read` alone.
   * Each output's `dataVersion` equals what `write` gives for the same value.
   */
  writePartitions?(
    ctx: { key: string; runId: string; partitions: readonly string[] },
    values: readonly unknown[],
  ): Promise<StoredOutput[]>
  read(ctx: { key: string; partition?: string }, stored: { storagePath?: string | null }): Promise<unknown>
  /** Deletes what `write` stored (or a temp file `list` reported); a file already gone is not an error. */
  delete?(ctx: { key: string }, stored: { storagePath: string }): Promise<void>
  /** Every file it holds for `keys` (all keys when absent), temp files of interrupted writes included. */
  list?(opts?: { keys?: readonly string[] }): Promise<StoredFile[]>
}
