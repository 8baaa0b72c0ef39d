import type { CsrGraph } from '../graphs.js'
import type { ValidGraph } from './topo.js'

/**
 * The selection baseline: the four selection forms the benchmark times (`+key` ancestors, `key+`
 * descendants, and label terms such as `tag:pii` or `group:d012`), evaluated in TypeScript on the
 * reference planner's typed arrays. Ids come back ascending, like the native `select`.
 *
 * @example
 * const s = new TsSelector(g, new ReferencePlanner(g).graph)
 * s.select('+d003/mart_orders_420') // the mart and its ancestors
 */
export class TsSelector {
  private readonly labelId = new Map<string, number>()
  private readonly mark: Uint32Array
  private stamp = 0

  constructor(
    private readonly g: CsrGraph,
    private readonly vg: ValidGraph,
  ) {
    g.labels?.names.forEach((name, i) => this.labelId.set(name, i))
    this.mark = new Uint32Array(g.n)
  }

  /** Evaluates one expression; throws on an unknown key or a form it does not support. */
  select(expr: string): Uint32Array {
    if (expr.startsWith('+')) return this.walk(this.id(expr.slice(1)), this.vg.depOffsets, this.vg.deps)
    if (expr.endsWith('+')) return this.walk(this.id(expr.slice(0, -1)), this.vg.childOffsets, this.vg.children)
    if (/^(tag|group|kind|owner):/.test(expr)) return this.withLabel(expr)
    return Uint32Array.of(this.id(expr))
  }

  private id(key: string): number {
    const id = this.vg.keyIndex.get(key)
    if (id === undefined) throw new Error(`TsSelector: unknown key ${key}`)
    return id
  }

  private walk(start: number, offsets: Uint32Array, next: Uint32Array): Uint32Array {
    const stamp = ++this.stamp
    const out = [start]
    this.mark[start] = stamp
    for (let k = 0; k < out.length; k++) {
      const u = out[k] ?? 0
      for (let i = offsets[u] ?? 0, end = offsets[u + 1] ?? 0; i < end; i++) {
        const v = next[i] ?? 0
        if (this.mark[v] !== stamp) {
          this.mark[v] = stamp
          out.push(v)
        }
      }
    }
    return Uint32Array.from(out).sort()
  }

  private withLabel(name: string): Uint32Array {
    const want = this.labelId.get(name)
    const labels = this.g.labels
    if (want === undefined || !labels) return new Uint32Array(0)
    const out: number[] = []
    for (let v = 0; v < this.g.n; v++) {
      for (let i = labels.offsets[v] ?? 0, end = labels.offsets[v + 1] ?? 0; i < end; i++) {
        if (labels.ids[i] === want) {
          out.push(v)
          break
        }
      }
    }
    return Uint32Array.from(out)
  }
}
