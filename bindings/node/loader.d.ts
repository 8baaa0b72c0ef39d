export * from './index.js'

/** One asset of the readable twin returned by `NativeGraph#toJSON()`. */
export interface NativeAssetView {
  key: string
  deps: string[]
  source: boolean
  /** Topological position. */
  topo: number
  status: 'missing' | 'stale' | 'fresh'
  planned: boolean
  causes: { kind: string; dep?: string }[]
}

declare module './index.js' {
  interface NativeGraph {
    /** Readable twin of the typed-array API, for tests and debugging. O(n + e). */
    toJSON(): { assets: NativeAssetView[] }
  }
}
