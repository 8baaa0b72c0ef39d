/**
 * A bounded in-memory cache of the bytes an IO manager just wrote, by storage path: consumers in the
 * same run decode their own copy from it instead of re-reading the file. Least recently used entries
 * go first once the total passes the bound; an entry larger than the bound is not kept.
 */

/**
 * Bytes by storage path, at most `limitBytes` in all.
 *
 * @example
 * const recent = new RecentBytes(64 * 1024 * 1024)
 * recent.set('raw/@r1.json', Buffer.from('[1]'))
 * recent.get('raw/@r1.json')?.toString() // '[1]'
 */
export class RecentBytes {
  readonly #limit: number
  readonly #entries = new Map<string, Buffer>()
  #total = 0

  constructor(limitBytes: number) {
    this.#limit = limitBytes
  }

  /** The most bytes it holds (a larger entry is not kept). */
  get limit(): number {
    return this.#limit
  }

  /** Bytes held now. */
  get size(): number {
    return this.#total
  }

  /**
   * Keeps `bytes` (which the caller must never change afterwards) for `path`.
   *
   * @example
   * recent.set('model/@r1.bin', Buffer.from(weights))
   */
  set(path: string, bytes: Buffer): void {
    this.delete(path)
    if (bytes.byteLength > this.#limit) return
    this.#entries.set(path, bytes)
    this.#total += bytes.byteLength
    for (const [p, b] of this.#entries) {
      if (this.#total <= this.#limit) break
      this.#entries.delete(p)
      this.#total -= b.byteLength
    }
  }

  /**
   * The bytes kept for `path` (not a copy: decode or copy them before handing them out).
   *
   * @example
   * const bytes = recent.get('raw/@r1.json')
   */
  get(path: string): Buffer | undefined {
    const bytes = this.#entries.get(path)
    if (bytes === undefined) return undefined
    this.#entries.delete(path) // most recently used goes last
    this.#entries.set(path, bytes)
    return bytes
  }

  /**
   * Forgets `path`.
   *
   * @example
   * recent.delete('raw/@r1.json')
   */
  delete(path: string): void {
    const old = this.#entries.get(path)
    if (old === undefined) return
    this.#entries.delete(path)
    this.#total -= old.byteLength
  }
}
