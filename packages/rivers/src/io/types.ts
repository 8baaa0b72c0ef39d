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

/**
 * Stores asset results and reads them back.
 *
 * @example
 * const io: IOManager = new FileIOManager('.rivers/storage')
 * const stored = await io.write({ key: 'raw', runId }, rows)
 * const again = await io.read({ key: 'raw' }, stored)
 */
export interface IOManager {
  write(ctx: { key: string; runId: string }, value: unknown): Promise<StoredOutput>
  read(ctx: { key: string }, stored: { storagePath?: string | null }): Promise<unknown>
}
