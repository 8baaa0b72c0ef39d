/**
 * The runs the UI starts (one at a time, cancellable from the page) and the runs other processes
 * write to the store (seen by polling its run list): both become events on `/api/events`, and the
 * assets that run or failed in them colour the graph until the store says otherwise.
 */
import type {
  BackfillOptions,
  MaterializeOptions,
  RunEvent,
  RunInfo,
  RunSummary,
  Workspace,
} from '@rivers-orchestrator/rivers'

import { notOurRun, runInProgress } from './errors.js'
import type { EventHub } from './sse.js'

/** One asset's bar in a run's timeline (epoch ms; `end` absent while it runs). */
export interface TimelineEntry {
  key: string
  start: number
  end?: number
  status: 'running' | 'materialized' | 'skipped' | 'failed'
  partition?: string
}

/** A run started by this server. */
export interface LiveRun {
  runId: string
  startedAt: string
  planned: string[]
  timeline: TimelineEntry[]
  summary?: RunSummary
  controller: AbortController
}

/** How often the store's run list is read for runs of other processes. */
const POLL_MS = 1000

/**
 * Starts runs, tracks them, and reports runs of other processes.
 *
 * @example
 * const tracker = new RunTracker(ws, hub)
 * const { runId } = await tracker.start({ select: ['+model'] })
 */
export class RunTracker {
  readonly #ws: Workspace
  readonly #hub: EventHub
  readonly #live = new Map<string, LiveRun>()
  /** Assets running now in a run of this server. */
  readonly #running = new Map<string, number>()
  /** Assets whose latest attempt in a run seen here failed (cleared when they materialize). */
  readonly #failed = new Map<string, { runId: string; error: string }>()
  #active: LiveRun | undefined
  /** A run (or a backfill's runs) of this server is going. */
  #busy = false
  #kind: 'run' | 'backfill' = 'run'
  #finished: Promise<unknown> = Promise.resolve()
  #seen = new Map<string, string>()
  #poll: NodeJS.Timeout | undefined
  #polling = false
  #primed = false

  constructor(ws: Workspace, hub: EventHub) {
    this.#ws = ws
    this.#hub = hub
  }

  /**
   * Starts a run; resolves with its id once it started, rejects when it is refused before (bad
   * selection, missing inputs, a run of this server still going).
   *
   * @example
   * const { runId } = await tracker.start({ select: ['model'], force: true })
   */
  start(options: Pick<MaterializeOptions, 'select' | 'force' | 'partitions'>): Promise<{ runId: string }> {
    return this.#launch('run', async (signal, onEvent) => {
      const summary = await this.#ws.materialize({ ...options, signal, onEvent })
      return summary.runId
    })
  }

  /**
   * Starts a backfill of a range of partitions (batches of runs, one after the other); resolves
   * with its first run's id once that run started.
   *
   * @example
   * const { runId } = await tracker.backfill({ select: ['events'], from: '2024-01-01', to: '2024-01-31', batch: 7 })
   */
  backfill(options: Pick<BackfillOptions, 'select' | 'from' | 'to' | 'batch'>): Promise<{ runId: string }> {
    return this.#launch('backfill', async (signal, onEvent) => {
      const report = await this.#ws.backfill({ ...options, signal, onEvent })
      return report.runIds[0] ?? report.id
    })
  }

  /** Runs `go` (one run, or a backfill's runs in turn), tracking each run it starts. */
  async #launch(
    kind: 'run' | 'backfill',
    go: (signal: AbortSignal, onEvent: (e: RunEvent) => void) => Promise<string>,
  ): Promise<{ runId: string }> {
    // A run that has finished but not yet returned (its last writes): wait for it rather than refuse.
    if (this.#busy && this.#kind === 'run' && this.#active?.summary !== undefined) await this.#finished
    if (this.#busy) throw runInProgress(this.#active?.runId ?? 'starting')
    this.#busy = true
    this.#kind = kind
    const controller = new AbortController()
    return new Promise((resolve, reject) => {
      let run: LiveRun | undefined
      let started = false
      const onEvent = (e: RunEvent) => {
        if (e.type === 'run_started') {
          run = { runId: e.runId, startedAt: new Date().toISOString(), planned: e.planned, timeline: [], controller }
          this.#live.set(e.runId, run)
          this.#active = run
          this.#seen.set(e.runId, 'running')
          this.#hub.send('run', { runId: e.runId, status: 'running', startedAt: run.startedAt, planned: e.planned })
          started = true
          resolve({ runId: e.runId })
        } else if (run !== undefined) this.#onEvent(run, e)
      }
      const done = go(controller.signal, onEvent).then(
        (runId) => {
          if (!started) resolve({ runId })
        },
        (e: unknown) => {
          if (!started) return reject(e)
          if (run !== undefined && run.summary === undefined)
            this.#hub.send('run', { runId: run.runId, status: 'failed', error: String((e as Error).message) })
        },
      )
      this.#finished = done.finally(() => {
        this.#busy = false
        this.#active = undefined
      })
    })
  }

  /**
   * Cancels a run of this server (its assets see their signal abort).
   *
   * @example
   * tracker.cancel('r-42')
   */
  cancel(runId: string): void {
    const run = this.#live.get(runId)
    if (run === undefined || run.summary !== undefined) throw notOurRun(runId)
    run.controller.abort()
    this.#hub.send('run', { runId, status: 'cancelling' })
  }

  /**
   * A run of this server, by id.
   *
   * @example
   * tracker.live('r-42')?.timeline
   */
  live(runId: string): LiveRun | undefined {
    return this.#live.get(runId)
  }

  /**
   * What the graph shows over the store's statuses: assets running, and assets that failed.
   *
   * @example
   * tracker.overlay('model') // 'running'
   */
  overlay(key: string): 'running' | 'failed' | undefined {
    if ((this.#running.get(key) ?? 0) > 0) return 'running'
    return this.#failed.has(key) ? 'failed' : undefined
  }

  /**
   * The last failure of an asset seen in a run of this server.
   *
   * @example
   * tracker.failure('model')?.error
   */
  failure(key: string): { runId: string; error: string } | undefined {
    return this.#failed.get(key)
  }

  /**
   * Starts reading the store's run list every second, to report runs of other processes.
   *
   * @example
   * tracker.watchStore()
   */
  watchStore(): void {
    this.#poll ??= setInterval(() => void this.#pollRuns(), POLL_MS).unref()
  }

  /**
   * Stops watching, cancels a run of this server and waits for it to end.
   *
   * @example
   * await tracker.close()
   */
  async close(): Promise<void> {
    clearInterval(this.#poll)
    this.#active?.controller.abort()
    await this.#finished.catch(() => {})
  }

  async #pollRuns(): Promise<void> {
    if (this.#polling || this.#hub.size === 0) return
    this.#polling = true
    try {
      const runs: RunInfo[] = await this.#ws.runs({ limit: 20 })
      const first = !this.#primed
      this.#primed = true
      let finished = false
      for (const r of runs) {
        if (this.#live.has(r.runId) || this.#seen.get(r.runId) === r.status) continue
        this.#seen.set(r.runId, r.status)
        // The first read only learns what is there: runs that ended before the server started are no news.
        if (first) continue
        this.#hub.send('run', r)
        if (r.status !== 'running') finished = true
      }
      if (finished && !this.#busy) {
        await this.#ws.reload()
        this.#hub.send('graph', { reason: 'run_finished' })
      }
    } catch {
      // The store is busy or closing: the next poll tries again.
    } finally {
      this.#polling = false
    }
  }

  #onEvent(run: LiveRun, e: RunEvent): void {
    const now = Date.now()
    const bar = (key: string, partition?: string) =>
      run.timeline.findLast((t) => t.key === key && t.partition === partition && t.end === undefined)
    switch (e.type) {
      case 'asset_started': {
        const entry: TimelineEntry = { key: e.key, start: now, status: 'running' }
        if (e.partition !== undefined) entry.partition = e.partition
        run.timeline.push(entry)
        this.#running.set(e.key, (this.#running.get(e.key) ?? 0) + 1)
        break
      }
      case 'asset_materialized':
      case 'asset_failed': {
        const b = bar(e.key, e.partition)
        if (b !== undefined) {
          b.end = now
          b.status = e.type === 'asset_failed' ? 'failed' : 'materialized'
        }
        this.#running.set(e.key, Math.max(0, (this.#running.get(e.key) ?? 1) - 1))
        if (e.type === 'asset_failed') this.#failed.set(e.key, { runId: run.runId, error: e.error })
        else this.#failed.delete(e.key)
        break
      }
      case 'asset_skipped':
        run.timeline.push({ key: e.key, start: now, end: now, status: 'skipped' })
        break
      case 'run_finished':
        run.summary = e.summary
        for (const t of run.timeline) if (t.end === undefined) this.#running.delete(t.key)
        this.#seen.set(run.runId, e.summary.status)
        this.#hub.send('run', { runId: run.runId, status: e.summary.status, summary: e.summary })
        this.#hub.send('graph', { reason: 'run_finished' })
        return
      default:
        break
    }
    this.#hub.send('asset', { runId: run.runId, at: now, ...e })
  }
}
