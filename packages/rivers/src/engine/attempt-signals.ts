/**
 * The signals of a run's attempts: each attempt gets its own AbortController (its timeout aborts only
 * it), and a cancelled run aborts every live one. One abort listener on the run's signal serves them
 * all, so listeners never pile up on the run's signal however many assets run at once or one after
 * another (Node warns past 10), and nothing is kept for an attempt once it is closed.
 */

/**
 * The live attempt controllers of one run.
 *
 * @example
 * const attempts = new AttemptSignals(runSignal)
 * const controller = attempts.open()
 * try { await fetch(url, { signal: controller.signal }) } finally { attempts.close(controller) }
 * attempts.dispose() // when the run ends
 */
export class AttemptSignals {
  readonly #signal: AbortSignal
  readonly #live = new Set<AbortController>()
  readonly #onAbort = (): void => {
    for (const c of this.#live) c.abort(this.#signal.reason)
  }

  constructor(signal: AbortSignal) {
    this.#signal = signal
    signal.addEventListener('abort', this.#onAbort, { once: true })
  }

  /**
   * A controller for one attempt, aborted when the run's signal aborts (at once if it already has).
   *
   * @example
   * const controller = attempts.open()
   */
  open(): AbortController {
    const c = new AbortController()
    if (this.#signal.aborted) c.abort(this.#signal.reason)
    else this.#live.add(c)
    return c
  }

  /**
   * Forgets an attempt's controller (its attempt is over).
   *
   * @example
   * attempts.close(controller)
   */
  close(c: AbortController): void {
    this.#live.delete(c)
  }

  /**
   * How many attempts are live (for tests and diagnostics).
   *
   * @example
   * attempts.size // 0 once every attempt is closed
   */
  get size(): number {
    return this.#live.size
  }

  /**
   * Removes the run-signal listener (the run is over).
   *
   * @example
   * attempts.dispose()
   */
  dispose(): void {
    this.#signal.removeEventListener('abort', this.#onAbort)
    this.#live.clear()
  }
}
