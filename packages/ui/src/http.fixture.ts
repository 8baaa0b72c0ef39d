/** HTTP helpers for the UI's tests: JSON requests and a reader of Server-Sent Events. */
import type { UiServer } from './server.js'

/** A JSON request to the server; `token: true` sends the server's token. */
export async function api(
  ui: UiServer,
  method: string,
  pathname: string,
  options: { token?: boolean | string; body?: unknown; headers?: Record<string, string> } = {},
): Promise<{ status: number; body: any }> {
  const token = options.token === true ? ui.token : options.token
  const res = await fetch(`${ui.origin}${pathname}`, {
    method,
    headers: {
      ...(token === undefined || token === false ? {} : { authorization: `Bearer ${token}` }),
      ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
      ...options.headers,
    },
    ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
  })
  const text = await res.text()
  return { status: res.status, body: text.startsWith('{') ? JSON.parse(text) : text }
}

/** The events of an SSE stream, as they come; `close()` ends the request. */
export function events(url: string): {
  next(match: (e: { event: string; data: any }) => boolean, timeoutMs?: number): Promise<{ event: string; data: any }>
  all: { event: string; data: any }[]
  close(): void
} {
  const controller = new AbortController()
  const all: { event: string; data: any }[] = []
  const waiters: { match: (e: { event: string; data: any }) => boolean; resolve: (e: any) => void }[] = []
  void (async () => {
    const res = await fetch(url, { headers: { accept: 'text/event-stream' }, signal: controller.signal })
    const decoder = new TextDecoder()
    let buffer = ''
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      buffer += decoder.decode(chunk, { stream: true })
      let cut = buffer.indexOf('\n\n')
      while (cut >= 0) {
        const block = buffer.slice(0, cut)
        buffer = buffer.slice(cut + 2)
        cut = buffer.indexOf('\n\n')
        const event = /^event: (.*)$/m.exec(block)?.[1]
        const data = /^data: (.*)$/m.exec(block)?.[1]
        if (event === undefined || data === undefined) continue
        const e = { event, data: JSON.parse(data) }
        all.push(e)
        for (const w of [...waiters])
          if (w.match(e)) {
            waiters.splice(waiters.indexOf(w), 1)
            w.resolve(e)
          }
      }
    }
  })().catch(() => {})
  return {
    all,
    next(match, timeoutMs = 10_000) {
      const seen = all.find(match)
      if (seen !== undefined) return Promise.resolve(seen)
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`no matching event in ${timeoutMs} ms; got ${JSON.stringify(all)}`)),
          timeoutMs,
        )
        waiters.push({ match, resolve: (e) => (clearTimeout(timer), resolve(e)) })
      })
    },
    close: () => controller.abort(),
  }
}
