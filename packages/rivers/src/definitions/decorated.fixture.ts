/**
 * Classes with TC39-decorated methods. Vitest (Vite 8, Oxc) cannot lower standard decorators, so
 * `decorators.test.ts` loads this file through tsx (esbuild), as the CLI loads project files.
 */
import { z } from 'zod'
import { asset, assetsOf, ref, result, type AssetContext } from './index.js'

export let constructed = 0

export class Pipeline {
  calls = 0

  constructor() {
    constructed++
  }

  @asset({ key: 'deco/raw', group: 'deco', tags: { tier: 'bronze' } })
  raw() {
    this.calls++
    return [1, 2, 3]
  }

  @asset({ key: 'deco/sum', deps: { raw: ref<number[]>('deco/raw') } })
  sum({ raw }: { raw: number[] }) {
    return raw.reduce((a, b) => a + b, 0) + this.offset()
  }

  @asset({ key: 'deco/scaled', config: z.object({ factor: z.number() }) })
  async scaled(_inputs: {}, ctx: AssetContext<{ factor: number }>) {
    return result(ctx.config.factor * 2, { dataVersion: `factor-${ctx.config.factor}` })
  }

  offset() {
    return 0
  }
}

export class Extended extends Pipeline {
  @asset({ key: 'deco/extra', deps: { sum: assetsOf(Pipeline).sum } })
  extra({ sum }: { sum: number }) {
    return sum + this.calls
  }
}

export const doubled = asset(
  { key: 'deco/doubled', deps: { sum: assetsOf(Pipeline).sum, scaled: assetsOf(Pipeline).scaled } },
  ({ sum, scaled }) => sum * 2 + scaled,
)
