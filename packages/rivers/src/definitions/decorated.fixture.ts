/**
 * Classes with TC39-decorated methods. Vitest (Vite 8, Oxc) cannot lower standard decorators, so
 * `decorators.test.ts` loads this file through tsx (esbuild), as the CLI loads project files.
 */
import { z } from 'zod'
import { daily, mapping } from '../partitions/index.js'
import { asset, assetsOf, mapped, ref, result, type AssetContext } from './index.js'

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

/** Partitioned methods: `partitions` and a `mapped()` dep in the decorator form. */
export class Partitioned {
  @asset({ key: 'deco/days', partitions: daily({ start: '2024-01-01' }) })
  days() {
    return [1]
  }

  @asset({
    key: 'deco/week',
    partitions: daily({ start: '2024-01-01' }),
    deps: { days: mapped(ref<number[]>('deco/days'), mapping.window({ length: 7 })) },
  })
  week({ days }: { days: Record<string, number[]> }) {
    return Object.values(days).flat().length
  }
}
