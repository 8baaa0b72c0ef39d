/**
 * Server-Sent Events: the response headers of a stream, one event written as `event:`/`data:`
 * lines, and a hub that sends each event to every open `/api/events` stream.
 */
import type { ServerResponse } from 'node:http'

/** Heartbeat comment interval (proxies close idle streams). */
const HEARTBEAT_MS = 15_000

/**
 * Starts an SSE response: status 200, `text/event-stream`, no caching, no buffering.
 *
 * @example
 * openStream(res)
 * sendEvent(res, 'run', { runId: 'r1', status: 'running' })
 */
export function openStream(res: ServerResponse): void {
  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache, no-transform',
    connection: 'keep-alive',
    'x-accel-buffering': 'no',
  })
  res.write(': rivers\n\n')
}

/**
 * Writes one event (its data as one JSON line).
 *
 * @example
 * sendEvent(res, 'log', { msg: 'materialized', asset: 'model' })
 */
export function sendEvent(res: ServerResponse, event: string, data: unknown): void {
  res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`)
}

/**
 * Every open event stream; `send` writes an event to all of them.
 *
 * @example
 * const hub = new EventHub()
 * hub.add(res)
 * hub.send('run', { runId: 'r1', status: 'success' })
 */
export class EventHub {
  readonly #clients = new Set<ServerResponse>()
  #timer: NodeJS.Timeout | undefined

  /** Number of open streams. */
  get size(): number {
    return this.#clients.size
  }

  /**
   * Adds an opened stream; it leaves the hub when the client goes.
   *
   * @example
   * hub.add(res)
   */
  add(res: ServerResponse): void {
    this.#clients.add(res)
    res.on('close', () => this.#clients.delete(res))
    this.#timer ??= setInterval(() => {
      for (const c of this.#clients) c.write(': heartbeat\n\n')
    }, HEARTBEAT_MS).unref()
  }

  /**
   * Sends an event to every open stream.
   *
   * @example
   * hub.send('graph', { reason: 'run_finished' })
   */
  send(event: string, data: unknown): void {
    for (const c of this.#clients) sendEvent(c, event, data)
  }

  /**
   * Ends every stream (the server is closing).
   *
   * @example
   * hub.close()
   */
  close(): void {
    clearInterval(this.#timer)
    for (const c of this.#clients) c.end()
    this.#clients.clear()
  }
}
